"""training.compile through autograd-train: auto falls back silently, true warns once, false is
eager; summary.json says which ran, and history.csv is the same bytes in every case."""

import json
import subprocess
import sys

import pytest
from helpers import CONFIGS, TRAIN

# Every loss and model of a config replays, so the tests that need a step the trace cannot
# replay run autograd-train's own entry point with the MAE loss turned into one that reads a
# traced value as a Python number (what a trace cannot follow).
UNTRACEABLE = ["loss.kind=mae", "training.epochs=2"]
AS_AUTOGRAD_TRAIN = """
import runpy, sys
from autogradcli.nn import losses

mae = losses.LOSSES["mae"]

def mae_that_reads_its_value(pred, target):
    loss = mae(pred, target)
    float(loss.item())  # a Python number of a traced value
    return loss

losses.LOSSES["mae"] = mae_that_reads_its_value
sys.argv = ["autograd-train", *sys.argv[1:]]
runpy.run_module("autogradcli.cli.train", run_name="__main__")
"""


def _command(extra):
    return ([sys.executable, "-c", AS_AUTOGRAD_TRAIN] if extra == UNTRACEABLE else TRAIN)


def _train(tmp_path, setting, extra):
    out = tmp_path / f"run-{setting}"
    sets = [arg for item in [*extra, f"training.compile={setting}"] for arg in ("--set", item)]
    done = subprocess.run([*_command(extra), str(CONFIGS / "seed_linear.yaml"), "--out",
                           str(out), "--quiet", "--seed", "3", *sets],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return done.stderr, summary["compile"], (out / "history.csv").read_bytes()


def test_a_step_that_cannot_be_traced_warns_only_when_compile_is_true(tmp_path):
    runs = {setting: _train(tmp_path, setting, UNTRACEABLE) for setting in ("auto", "true",
                                                                            "false")}
    (auto_err, auto, auto_history), (true_err, true, true_history), (false_err, false, _) = (
        runs["auto"], runs["true"], runs["false"])
    assert auto["setting"] == "auto" and auto["used"] is False and "item()" in auto["reason"]
    assert "warning" not in auto_err
    warnings = [line for line in true_err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "training.compile is true" in warnings[0]
    assert true["reason"] in warnings[0] and true["used"] is False
    assert false == {"setting": False, "used": False, "reason": "training.compile is false"}
    assert "warning" not in false_err
    assert auto_history == true_history == runs["false"][2]


@pytest.mark.parametrize("setting", ["auto", "true"])
def test_a_traceable_step_is_replayed_without_a_word(tmp_path, setting):
    err, compiled, history = _train(tmp_path, setting, ["training.epochs=2"])
    assert compiled["used"] is True and compiled["reason"] is None
    assert "warning" not in err
    assert history == _train(tmp_path, "false", ["training.epochs=2"])[2]


@pytest.mark.parametrize("setting", ["auto", "true"])
def test_a_sweep_says_once_which_runs_ran_eagerly_when_compile_is_true(tmp_path, setting):
    sets = [arg for item in [*UNTRACEABLE, f"training.compile={setting}"]
            for arg in ("--set", item)]
    done = subprocess.run([*_command(UNTRACEABLE), str(CONFIGS / "seed_linear.yaml"), "--out",
                           str(tmp_path / "sweep"), "--quiet", "--sweep",
                           "optimizer.lr=0.01,0.02", *sets],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    if setting == "auto":
        assert warnings == []
        return
    assert len(warnings) == 1, done.stderr
    assert "training.compile is true, but the steps ran eagerly" in warnings[0]
    assert "lr-0.01" in warnings[0] and "lr-0.02" in warnings[0]  # the runs it concerns


def test_huber_picks_its_branch_afresh_at_every_replay(tmp_path):
    # its branch (|d| < delta) is a comparison of traced values, recomputed on every batch; the
    # large learning rate makes the residuals cross delta on the way
    extra = ["loss.kind=huber", "optimizer.lr=0.5", "training.epochs=3"]
    err, compiled, history = _train(tmp_path, "true", extra)
    assert compiled["used"] is True and "warning" not in err
    assert history == _train(tmp_path, "false", extra)[2]
