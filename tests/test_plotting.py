"""Unit tests of autogradcli.plotting: the surface grid against direct loss evaluation, the losses
in numpy against the engine's, the run-folder reader's errors, and --params parsing."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import CONFIGS, make_run

from autogradcli.errors import RunFolderError
from autogradcli.nn import losses, models
from autogradcli.plotting import PlotOptionError
from autogradcli.plotting.param_specs import parse_spec, spec_value
from autogradcli.plotting.runner import applicable, parse_params
from autogradcli.plotting.surface import batch_loss, loss_grid
from autogradcli.runs.reader import load_run


@pytest.fixture(scope="session")
def linear_run(tmp_path_factory):
    return make_run("seed_linear.yaml", tmp_path_factory.mktemp("plot") / "seed")


@pytest.fixture(scope="session")
def softmax_run(tmp_path_factory):
    return make_run("iris_logistic.yaml", tmp_path_factory.mktemp("plot") / "iris",
                    overrides=["training.epochs=3"])


# ------------------------------------------------------------------------------ surface grid


def test_surface_grid_matches_direct_mse(linear_run):
    run = load_run(linear_run)
    data = run.dataset()
    axes = [np.linspace(0.0, 3.0, 7), np.linspace(-1.0, 2.0, 5)]
    grid = loss_grid("linear", "mse", data.x, data.y, run.final_params, ("a", "b"), axes)
    assert grid.shape == (5, 7)
    for row, col in [(0, 0), (2, 3), (4, 6), (1, 5)]:
        model = models.Line(init={"a": axes[0][col], "b": axes[1][row]})
        direct = losses.mse(model(data.x), data.y).item()
        assert grid[row, col] == pytest.approx(direct, rel=1e-12)


def test_surface_grid_matches_direct_cross_entropy(softmax_run):
    run = load_run(softmax_run)
    data = run.dataset()
    final = run.final_params
    specs = ("w[2,1]", "b[0]")
    axes = [np.linspace(-2.0, 2.0, 4), np.linspace(-1.0, 1.0, 3)]
    grid = loss_grid("logistic", "cross_entropy", data.x, data.y, final, specs, axes)
    for row, col in [(0, 0), (1, 2), (2, 3)]:
        params = {name: value.copy() for name, value in final.items()}
        params["w"][2, 1], params["b"][0] = axes[0][col], axes[1][row]
        model = models.Logistic(4, 3, init=params)
        direct = losses.cross_entropy(model(data.x), data.y).item()
        assert grid[row, col] == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("kind", ["mse", "mae", "huber", "bce"])
def test_numpy_losses_match_the_engine(kind):
    rng = np.random.default_rng(0)
    pred = rng.normal(size=12)
    target = (rng.random(12) > 0.5).astype(float) if kind == "bce" else rng.normal(size=12)
    engine = losses.get_loss(kind)(models.Line(init={"a": 1.0, "b": 0.0})(pred), target).item()
    assert batch_loss(kind, pred, target) == pytest.approx(engine, rel=1e-12)


# ------------------------------------------------------------------------------ reader errors


def _copy(run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(run, target, ignore=shutil.ignore_patterns("figures"))
    return target


def _truncate(path):
    text = path.read_text()
    path.write_text(text[: len(text) - 30])


def _cut_a_middle_row(path):
    lines = path.read_text().splitlines(keepends=True)
    lines[5] = lines[5].rsplit(",", 1)[0] + "\n"  # a row with a field missing: edited by hand
    path.write_text("".join(lines))


def _keep_header(path):
    path.write_text(path.read_text().splitlines()[0] + "\n")


BROKEN = {
    "missing folder": (lambda p: shutil.rmtree(p), "no such folder"),
    "a file": (lambda p: (shutil.rmtree(p), p.write_text("x")), "not a folder"),
    "not a run": (lambda p: [f.unlink() for f in p.iterdir() if f.is_file()],
                  "not a run folder"),
    "missing epochs.csv": (lambda p: (p / "epochs.csv").unlink(), "epochs.csv is missing"),
    "a row cut in the middle of history.csv": (lambda p: _cut_a_middle_row(p / "history.csv"),
                                               "truncated or was edited"),
    "empty history.csv": (lambda p: (p / "history.csv").write_text(""), "empty"),
    "zero steps": (lambda p: _keep_header(p / "history.csv"), "before its first step"),
    "bad summary.json": (lambda p: _truncate(p / "summary.json"), "not valid JSON"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_reader_errors(linear_run, tmp_path, case):
    folder = _copy(linear_run, tmp_path)
    breaks, message = BROKEN[case]
    breaks(folder)
    with pytest.raises(RunFolderError, match=message) as info:
        load_run(folder)
    assert info.value.where and str(folder) in info.value.where


# ------------------------------------------------------------------------------ --params


def test_parse_spec_and_value():
    assert parse_spec("w[0,1]") == ("w", (0, 1))
    assert spec_value({"w": np.arange(6.0).reshape(2, 3)}, "w[1,2]") == 5.0


@pytest.mark.parametrize("text, message", [
    ("a", "two different"), ("a,a", "two different"), ("a,c", "no parameter 'c'"),
    ("a,b,c", "two different"), ("a,b[", "not a parameter name"),
])
def test_bad_params(linear_run, text, message):
    with pytest.raises(PlotOptionError, match=message):
        parse_params(text, load_run(linear_run))


def test_params_with_indices(softmax_run):
    assert parse_params("w[2, 1],b[0]", load_run(softmax_run)) == ("w[2,1]", "b[0]")


def test_surface_needs_params_beyond_two_parameters(softmax_run):
    run = load_run(softmax_run)
    reasons = applicable(run, None)
    assert "--params" in reasons["surface"]
    assert applicable(run, ("w[0,0]", "b[0]"))["surface"] is None
    assert [kind for kind, why in reasons.items() if why is None] == ["fit", "params", "loss",
                                                                     "lr", "confusion", "graph"]


def test_training_path_never_imports_matplotlib():
    code = ("import sys, autogradcli.api, autogradcli.training, autogradcli.cli.train; "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_last_row_cut_short_is_left_out_with_a_note(linear_run, tmp_path):
    folder = _copy(linear_run, tmp_path)
    _truncate(folder / "history.csv")  # the writer was killed inside its last row
    run = load_run(folder)
    assert len(run.loss) == len(load_run(linear_run).loss) - 1
    assert any("cut short" in note for note in run.notes)


# ----------------------------------------------------------------------- comparisons, sweeps


@pytest.fixture(scope="session")
def small_sweep(tmp_path_factory):
    from autogradcli import api

    folder = tmp_path_factory.mktemp("sweep") / "s"
    config = api.load_config(CONFIGS / "seed_linear.yaml",
                             ["training.epochs=3", "data.n=40"])
    api.sweep(config, {"optimizer.lr": [0.01, 0.05, 0.1]}, out=folder)
    return folder


def test_comparison_labels_are_the_differing_values_and_the_legend_sits_outside(small_sweep):
    from autogradcli.plotting import compare

    runs = [load_run(small_sweep / name) for name in ("lr-0.01", "lr-0.1")]
    labels, title = compare.run_labels(runs)
    assert labels == ["lr=0.01", "lr=0.1"] and title == "optimizer.lr"
    fig = compare.loss_comparison_figure(runs)
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == labels
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1


def test_the_final_loss_figure_says_which_point_is_which_run(small_sweep):
    from autogradcli.plotting import compare

    sweep = compare.load_sweep(small_sweep)
    assert sweep.trials == [1, 2, 3]
    assert compare.sweep_labels(sweep)[0] == ["#1 lr=0.01", "#2 lr=0.05", "#3 lr=0.1"]
    fig = compare.sweep_figure(sweep)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3"]
    best = int(np.argmin([compare.final_loss(run) for run in sweep.runs])) + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"best: trial {best}"]
