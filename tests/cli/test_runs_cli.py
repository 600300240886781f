"""End-to-end tests of autograd-runs (list, compare), autograd-plot --report, and a sweep's live
view on a terminal, through the installed commands on runs autograd-train made."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, PLOT, TRAIN

RUNS = [sys.executable, "-m", "autogradcli.cli.runs"]
TUTORIAL = CONFIGS / "seed_linear.yaml"
CHROMIUM = Path("/usr/bin/chromium")
SMALL = ["--set", "training.epochs=3", "--set", "data.n=40"]


def run(command, *args, cwd=None, env=None):
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "100", **(env or {})}, check=False,
                          timeout=300)


def ok(done) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def user_error(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: "), done.stderr
    return done.stderr


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """runs/: a 3-point grid sweep and two single runs (one diverged)."""
    root = tmp_path_factory.mktemp("runs-cli")
    ok(run(TRAIN, TUTORIAL, *SMALL, "--sweep", "optimizer.lr=0.01,0.05,0.1", "--out",
           "runs/lr-sweep", "--quiet", cwd=root))
    ok(run(TRAIN, TUTORIAL, *SMALL, "--out", "runs/single", "--quiet", cwd=root))
    done = run(TRAIN, TUTORIAL, "--set", "optimizer.lr=50", "--set", "training.epochs=30",
               "--out", "runs/wild", "--quiet", cwd=root)
    assert done.returncode == 1, done.stderr
    return root


# ------------------------------------------------------------------------------------ listing


def test_runs_lists_every_run_with_what_differs(workspace):
    out = ok(run(RUNS, cwd=workspace))  # bare: runs/
    lines = out.splitlines()
    assert lines[0] == "5 runs"
    header = lines[1].split()
    # the main metric's column is named after it when every run has the same one
    assert header[:7] == ["name", "status", "when", "epochs", "loss", "train_r2", "seconds"]
    assert header[7:] == ["n", "lr", "training.epochs"]  # `epochs` is taken: the full key
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["lr-sweep/lr-0.01", "lr-sweep/lr-0.05", "lr-sweep/lr-0.1", "single", "wild"]
    assert "diverged" in lines[-1] and re.search(r"completed .* 0\.\d+ ", lines[2])
    assert all(line == line.rstrip() for line in lines)


def test_runs_filters_sorts_and_prints_json_and_csv(workspace):
    data = json.loads(ok(run(RUNS, "runs", "--where", "status=completed", "--where",
                             "optimizer.lr<0.1", "--sort", "loss", "--json", cwd=workspace)))
    assert {item["name"] for item in data} == {"lr-sweep/lr-0.01", "lr-sweep/lr-0.05", "single"}
    losses = [item["loss"] for item in data]
    assert losses == sorted(losses)
    assert all(item["optimizer.lr"] < 0.1 for item in data)
    rows = list(csv.DictReader(io.StringIO(ok(run(RUNS, "runs/lr-sweep", "--csv", "--sort",
                                                  "-optimizer.lr", cwd=workspace)))))
    assert [r["optimizer.lr"] for r in rows] == ["0.1", "0.05", "0.01"]
    assert [r["name"] for r in rows] == ["lr-0.1", "lr-0.05", "lr-0.01"]


@pytest.mark.parametrize("args, message", [
    (["nowhere"], "error: nowhere: no such folder"),
    (["runs", "--where", "optimizer.lrr<1"], "error: --where optimizer.lrr: no run has "
                                             "'optimizer.lrr'"),
    (["runs", "--sort", "los"], "error: --sort los: no run has 'los'"),
    (["runs", "--where", "lr"], "error: --where lr: expected KEY=VALUE"),
    (["compare", "runs/single"], "error: compare takes two or more run folders"),
    (["compare", "runs/single", "runs/lr-sweep"], "error: runs/lr-sweep: not a run folder"),
])
def test_runs_mistakes_are_one_message(workspace, args, message):
    assert user_error(run(RUNS, *args, cwd=workspace)).startswith(message)


def test_compare_marks_what_differs_and_plots_the_losses(workspace):
    out = ok(run(RUNS, "compare", "runs/single", "runs/lr-sweep/lr-0.1", "--plot", "--out",
                 "figs", cwd=workspace))
    lines = out.splitlines()
    assert lines[0] == "1 config values differ (--all shows every key)"
    assert re.match(r"^\*\s+optimizer\.lr\s+0\.02\s+0\.1$", lines[2]), lines[2]
    assert any(re.match(r"^\s+status\s+completed\s+completed$", line) for line in lines)
    assert (workspace / "figs" / "loss-comparison.png").stat().st_size > 10_000
    everything = ok(run(RUNS, "compare", "runs/single", "runs/lr-sweep/lr-0.1", "--all",
                        cwd=workspace))
    assert re.search(r"^\s+data\.n\s+40\s+40$", everything, re.M)
    data = json.loads(ok(run(RUNS, "compare", "runs/single", "runs/wild", "--json",
                             cwd=workspace)))
    assert data["differ"] == ["data.n", "optimizer.lr", "training.epochs"]
    assert [r["status"] for r in data["runs"]] == ["completed", "diverged"]


# ------------------------------------------------------------------------------------- report


def test_a_sweep_report_is_one_self_contained_page(workspace):
    path = Path(ok(run(PLOT, "runs/lr-sweep", "--report", cwd=workspace)).strip())
    assert path == Path("runs/lr-sweep/report.html")
    page = (workspace / path).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"(https?:|//|file:)", page)  # nothing fetched
    assert page.count('src="data:image/png;base64,') >= 4  # the sweep's two, the best run's
    assert "<h1>Sweep lr-sweep</h1>" in page and "Best run: lr-0.1" in page
    # in a text viewer: the text comes first, one table row a line
    text = page[: page.index("<h2>Figures of the sweep</h2>")]
    assert "base64" not in text
    ranks = re.findall(r"<tr(?: class=\"best\")?><td>(\d+)</td><td>([\w.-]+)</td><td>(\d+)</td>",
                       text)
    assert [r[1] for r in ranks] == ["lr-0.1", "lr-0.05", "lr-0.01"]  # best first
    assert ok(run(PLOT, "runs/single", "--report", "--out", "reports", cwd=workspace)).strip() == (
        "reports/report.html")


def test_report_never_replaces_a_page_it_did_not_write(workspace, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(workspace / "runs" / "single", folder)
    (folder / "report.html").write_text("<html>mine</html>")
    assert "not written by autograd-plot" in user_error(run(PLOT, folder, "--report"))
    assert (folder / "report.html").read_text() == "<html>mine</html>"
    assert "--report takes one run" in user_error(run(PLOT, folder, "--report", "-k", "loss"))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium (Debian package chromium) at "
                                                  "/usr/bin/chromium")
def test_the_report_renders_in_headless_chromium(workspace, tmp_path):
    page = workspace / "runs" / "lr-sweep" / "report.html"
    if not page.exists():
        ok(run(PLOT, "runs/lr-sweep", "--report", cwd=workspace))
    shot = tmp_path / "report.png"
    done = subprocess.run([
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,3000",
        f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120,
        check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    from matplotlib import image

    pixels = image.imread(str(shot))
    assert pixels.shape[:2] == (3000, 1200)
    # not blank: the tables' text and the figures' colours are drawn
    assert pixels[..., :3].std() > 0.05
    assert (pixels[..., :3].min(axis=-1) < 0.3).mean() > 0.002


# ---------------------------------------------------------------------------- live progress


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script (a tty)")
def test_a_sweep_on_a_terminal_shows_a_bar_runs_in_flight_and_the_best(tmp_path):
    command = " ".join([*TRAIN, str(TUTORIAL), "--sweep", "'optimizer.lr=loguniform(1e-3,1e-1)'",
                        "--trials", "3", "--set", "data.n=3000", "--set", "training.epochs=3",
                        "--out", "s"])
    done = subprocess.run(["script", "-qc", command, "/dev/null"], cwd=tmp_path,
                          env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", done.stdout)
    assert "sweep -> s: 3 runs (random), ranked by train_loss" in screen
    assert re.search(r"0/3 runs", screen) and re.search(r"3/3 runs", screen)
    assert re.search(r"running lr=0\.\d+  epoch [123]/3  loss [\d.]+", screen)
    assert "best so far by train_loss" in screen
    assert "3 runs (3 completed), ranked by train_loss" in screen


@pytest.mark.parametrize("args, message", [
    (["--sweep", "optimizer.lr=loguniform(0,1)", "--trials", "4"],
     "error: --sweep optimizer.lr=loguniform(0,1): loguniform() needs 0 < low < high"),
    (["--trials", "4"], "error: --jobs, --executor, --scheduler, --trials, --strategy, --eta and "
                        "--objective apply to sweeps only"),
    (["--sweep", "optimizer.lr=loguniform(1e-3,1)"],
     "error: a distribution needs a number of trials to draw\n  hint: add --trials N"),
    (["--sweep", "optimizer.lr=loguniform(1e-3,1)", "--trials", "3", "--objective", "val_loss"],
     "error: --objective: cannot rank by 'val_loss': there is no validation split"),
])
def test_search_mistakes_are_one_message_and_nothing_runs(tmp_path, args, message):
    assert user_error(run(TRAIN, TUTORIAL, *args, cwd=tmp_path)).startswith(message)
    assert not any(tmp_path.iterdir())
