"""End-to-end tests of the installed autograd-plot on runs autograd-train made from shipped configs.

Files written and listed, valid images of the expected size, not blank, identical on a rerun, and
every bad input a clear message with exit code 2.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib import image
from typer.testing import CliRunner

from autogradcli.cli.plot import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import PLOT, MadeOnFirstUse, make_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HAS_DOT = shutil.which("dot") is not None


def plot(*args, cwd=None):
    """The installed command, as a user runs it."""
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([*PLOT, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


def plot_in_process(*args):
    """The same typer app in this process (fast): for the many bad-input paths."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "100"})
    result.returncode = result.exit_code
    return result


RUNS = {
    "seed": ("seed_linear.yaml", "seed_linear", []),
    "fast": ("seed_linear.yaml", "seed_lr0.1", ["optimizer.lr=0.1"]),
    "iris": ("iris_logistic.yaml", "iris", ["training.epochs=5"]),
    "mlp": ("mlp_nonlinear.yaml", "mlp", ["training.epochs=5"]),
}


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")

    def train(key):
        config, folder, overrides = RUNS[key]
        return make_run(config, base / folder, overrides)
    return MadeOnFirstUse(train, RUNS)


def assert_png(path: Path, size: tuple[int, int], wider: bool = False):
    """A PNG of `size` (or, `wider`, at least that wide: a legend beside the axes adds width)."""
    assert path.read_bytes()[:8] == PNG_MAGIC
    pixels = image.imread(path)
    if wider:
        assert pixels.shape[0] == size[1] and size[0] < pixels.shape[1] <= size[0] + 500
    else:
        assert pixels.shape[:2] == (size[1], size[0]), path.name
    assert pixels[..., :3].var() > 1e-3, f"{path.name} looks blank"


def test_tutorial_run_gets_every_figure(runs, tmp_path):
    out = tmp_path / "figs"
    done = plot(runs["seed"], "--out", out)
    assert done.returncode == 0, done.stderr
    listed = [Path(line) for line in done.stdout.split()]
    names = {p.name for p in listed}
    expected = {"surface.png", "fit.png", "params.png", "loss.png", "graph.dot"}
    assert expected <= names
    assert all(p.is_file() for p in listed)
    assert_png(out / "surface.png", (700, 600))
    for name in ("fit", "params", "loss"):
        assert_png(out / f"{name}.png", (700, 500))
    if HAS_DOT:
        assert "graph.png" in names
        assert (out / "graph.png").read_bytes()[:8] == PNG_MAGIC
    else:
        assert "dot -Tpng" in done.stderr
    assert "u\\nMulBackward0" in (out / "graph.dot").read_text()


def test_default_folder_and_dpi(runs):
    done = plot_in_process(runs["seed"], "--kind", "loss", "--dpi", "50")
    assert done.returncode == 0, done.stderr
    assert_png(runs["seed"] / "figures" / "loss.png", (350, 250))


@pytest.mark.parametrize("fmt, kinds", [
    ("png", []), ("svg", ["-k", "surface", "-k", "graph"]), ("pdf", ["-k", "fit", "-k", "graph"]),
])
def test_rerun_gives_identical_bytes(runs, tmp_path, fmt, kinds):
    first, second = tmp_path / "1", tmp_path / "2"
    assert plot(runs["seed"], "-f", fmt, "--out", first, *kinds).returncode == 0
    assert plot(runs["seed"], "-f", fmt, "--out", second, *kinds).returncode == 0
    files = sorted(p.name for p in first.iterdir())
    assert any(name.endswith(fmt) for name in files)
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize("key, params, expected", [
    ("iris", "w[2,1],b[0]", {"surface", "fit", "params", "loss", "confusion"}),
    ("mlp", None, {"fit", "params", "loss"}),
])
def test_figures_per_model(runs, tmp_path, key, params, expected):
    extra = ["--params", params] if params else []
    done = plot(runs[key], "--out", tmp_path, *extra)
    assert done.returncode == 0, done.stderr
    pngs = {p.stem for p in tmp_path.glob("*.png")} - {"graph"}
    assert pngs == expected
    for stem in pngs:
        assert_png(tmp_path / f"{stem}.png", (700, 600 if stem == "surface" else 500))


def test_several_runs_overlay_loss(runs, tmp_path):
    done = plot(runs["seed"], runs["fast"], "--kind", "loss", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_png(tmp_path / "loss-comparison.png", (700, 500), wider=True)


def test_sweep_folder(runs, tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = []
    for key, lr in (("seed", 0.02), ("fast", 0.1)):
        shutil.copytree(runs[key], sweep / f"lr-{lr}", ignore=shutil.ignore_patterns("figures"))
        rows.append({"optimizer.lr": lr, "status": "completed", "folder": f"lr-{lr}"})
    rows.append({"optimizer.lr": 9.0, "status": "diverged", "folder": "lr-9.0"})
    with (sweep / "sweep.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["optimizer.lr", "status", "folder"])
        writer.writeheader()
        writer.writerows(rows)
    done = plot(sweep)
    assert done.returncode == 0, done.stderr
    assert "skipped run lr-9.0" in done.stderr
    assert_png(sweep / "figures" / "loss-comparison.png", (700, 500), wider=True)
    assert_png(sweep / "figures" / "final-loss.png", (700, 480))


# ------------------------------------------------------------------------------ bad input


def _broken(run, tmp_path, how):
    folder = tmp_path / "broken"
    shutil.copytree(run, folder, ignore=shutil.ignore_patterns("figures"))
    history = folder / "history.csv"
    if how == "truncated":  # a row in the middle lost a field: edited, not a killed writer
        lines = history.read_text().splitlines(keepends=True)
        lines[5] = lines[5].rsplit(",", 1)[0] + "\n"
        history.write_text("".join(lines))
    elif how == "zero steps":
        history.write_text(history.read_text().splitlines()[0] + "\n")
    elif how == "not a run":
        for name in ("history.csv", "epochs.csv", "summary.json", "config.yaml"):
            (folder / name).unlink()
    return folder


BAD = [
    ("missing folder", "seed", ["{missing}"], "no such folder"),
    ("not a run", "seed", ["{not a run}"], "not a run folder"),
    ("truncated csv", "seed", ["{truncated}"], "truncated"),
    ("zero steps", "seed", ["{zero steps}"], "before its first step"),
    ("kind not for model", "mlp", ["{run}", "--kind", "surface"], "does not apply"),
    ("unknown kind", "seed", ["{run}", "--kind", "surfce"], "did you mean 'surface'"),
    ("bad params", "seed", ["{run}", "--params", "a,c"], "no parameter 'c'"),
    ("params without surface", "mlp", ["{run}", "--params", "w1[0,0],b3[0]"], "--params"),
    ("bad format", "seed", ["{run}", "--format", "jpg"], "unknown --format"),
    ("bad dpi", "seed", ["{run}", "--dpi", "5"], "--dpi 5"),
    ("several runs, other kind", "seed", ["{run}", "{run}", "--kind", "fit"], "only --kind loss"),
]


INSTALLED = {"missing folder", "truncated csv"}  # also through the installed command


@pytest.mark.parametrize("case, key, args, message", BAD, ids=[case[0] for case in BAD])
def test_bad_input(runs, tmp_path, case, key, args, message):
    run = runs[key]
    filled = []
    for arg in args:
        if arg == "{run}":
            filled.append(str(run))
        elif arg == "{missing}":
            filled.append(str(tmp_path / "nope"))
        elif arg.startswith("{"):
            filled.append(str(_broken(run, tmp_path, arg.strip("{}"))))
        else:
            filled.append(arg)
    run_plot = plot if case in INSTALLED else plot_in_process
    done = run_plot(*filled, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_figures_written_before_an_error_are_kept(runs, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(runs["seed"], folder, ignore=shutil.ignore_patterns("figures"))
    (folder / "data.csv").write_text("x,y,split\n1.0,2.0\n")
    done = plot_in_process(folder, "--kind", "loss", "--kind", "fit")
    assert done.returncode == 2
    assert "data.csv:2" in done.stderr
    assert done.stdout.split() == [str(folder / "figures" / "loss.png")]
    assert_png(folder / "figures" / "loss.png", (700, 500))


@pytest.mark.parametrize("kind", ["loss", "graph"])
def test_an_unwritable_out_folder_is_a_user_error(runs, tmp_path, kind):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    done = plot(runs["seed"], "--kind", kind, "--out", blocker / "figures")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and "cannot write here" in done.stderr
    assert "--out" in done.stderr and "Traceback" not in done.stderr
