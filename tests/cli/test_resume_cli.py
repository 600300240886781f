"""The resume promise, end to end: a real autograd-train killed at a random step (SIGKILL,
SIGTERM or Ctrl-C), continued with --resume, ends byte-identical to the run never stopped
(timings aside); and every resume that could not give the same run is refused with exit 2."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, TRAIN, MadeOnFirstUse

SEED = int(os.environ.get("AUTOGRADCLI_TEST_SEED", "2026"))
CASES = {
    "sgd-momentum-every_epoch": ("mlp_nonlinear.yaml", ["training.epochs=12"]),
    "adam": ("adam_mlp_classes.yaml", ["training.epochs=10"]),
    "once-step": ("seed_linear.yaml", ["optimizer.schedule={kind: step, step_size: 3, "
                                       "gamma: 0.5}"]),
    "never-exponential": ("seed_linear.yaml", ["training.shuffle=never", "optimizer.schedule="
                                               "{kind: exponential, gamma: 0.9}"]),
    "cosine-warmup-clip-norm": ("mlp_nonlinear.yaml", [
        "training.epochs=12", "optimizer.schedule={kind: cosine, warmup_epochs: 3, "
        "min_lr: 0.001}", "optimizer.clip_grad_norm=0.5"]),
    "plateau-clip-value-early": ("iris_logistic.yaml", [
        "training.epochs=30", "optimizer.schedule={kind: reduce_on_plateau, patience: 1, "
        "factor: 0.5}", "optimizer.clip_grad_value=0.2",
        "training.early_stopping={monitor: val_accuracy, patience: 50}"]),
    "stops-early-restores-best": ("mlp_nonlinear.yaml", [
        "training.epochs=60", "training.early_stopping={patience: 2, min_delta: 0.01}"]),
}
# output.save_every 0: a checkpoint after every epoch, so the kill lands after a recent one. With
# the default (a second) these short runs mostly resume from the checkpoint they started with.
CASES = {name: (config, [*overrides, "output.save_every=0"])
         for name, (config, overrides) in CASES.items()}
CASES["adam-default-save-every"] = ("adam_mlp_classes.yaml", ["training.epochs=10"])
CASES["plateau-default-save-every"] = CASES["plateau-clip-value-early"][0], [
    *CASES["plateau-clip-value-early"][1][:-1]]


def train(*args, cwd: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("AUTOGRADCLI_FAULT", None)
    if fault:
        env["AUTOGRADCLI_FAULT"] = fault
    return subprocess.run([*TRAIN, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def sets(overrides: list[str]) -> list[str]:
    return [arg for item in overrides for arg in ("--set", item)]


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def without_timings(folder: Path) -> tuple:
    epochs = [line.split(",") for line in (folder / "epochs.csv").read_text().splitlines()]
    at = epochs[0].index("seconds")
    data = summary(folder)
    data.pop("wall_seconds")
    return [row[:at] + row[at + 1:] for row in epochs], data


def assert_same_run(stopped: Path, never: Path, note: str) -> None:
    data = "data.csv" if (never / "data.csv").is_file() else "data_source.json"
    for name in ("history.csv", "model.npz", "checkpoint.npz", "config.yaml", data):
        assert (stopped / name).read_bytes() == (never / name).read_bytes(), (note, name)
    assert without_timings(stopped) == without_timings(never), note


@pytest.fixture(scope="session")
def references(tmp_path_factory):
    """Each case trained once, never stopped (when a test first asks for it)."""
    base = tmp_path_factory.mktemp("never")

    def never_stopped(name):
        config, overrides = CASES[name]
        result = train(CONFIGS / config, "--out", base / name, "--quiet", *sets(overrides),
                       cwd=base)
        assert result.returncode == 0, result.stderr
        return base / name
    return MadeOnFirstUse(never_stopped, CASES)


@pytest.mark.parametrize("case", CASES)
def test_a_killed_run_resumes_to_the_same_bytes(case, references, tmp_path):
    config, overrides = CASES[case]
    steps = summary(references[case])["steps"]
    step = random.Random(f"{SEED}-{case}").randint(1, steps - 1)
    note = f"{case}: SIGKILL after step {step} of {steps} (AUTOGRADCLI_TEST_SEED={SEED})"
    killed = train(CONFIGS / config, "--out", tmp_path / "run", "--quiet", *sets(overrides),
                   cwd=tmp_path, fault=f"kill:{step}")
    assert killed.returncode == -9, (note, killed.stderr)
    assert summary(tmp_path / "run")["status"] == "running", note
    resumed = train("--resume", tmp_path / "run", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, (note, resumed.stderr)
    assert_same_run(tmp_path / "run", references[case], note)


def test_the_case_that_stops_early_does_so_and_keeps_its_best_epoch(references):
    data = summary(references["stops-early-restores-best"])
    assert data["status"] == "completed" and data["stopped_early"] is True
    early = data["early_stopping"]
    assert early["monitor"] == "val_loss" and early["restored_best"] is True
    assert early["best_epoch"] < data["epochs_completed"] < 60
    assert data["final_val_loss"] == pytest.approx(early["best_value"], rel=0, abs=0)


@pytest.mark.parametrize("case", ["adam", "adam-default-save-every"])
@pytest.mark.parametrize(("signal_name", "code"), [("term", 143), ("int", 130)])
def test_sigterm_and_ctrl_c_stop_cleanly_and_resume(signal_name, code, case, references,
                                                    tmp_path):
    # with the default save_every, the stop writes the checkpoint it put off (epoch 2's)
    config, overrides = CASES[case]
    stopped = train(CONFIGS / config, "--out", tmp_path / "run", *sets(overrides),
                    cwd=tmp_path, fault=f"{signal_name}:23")
    assert stopped.returncode == code, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert summary(tmp_path / "run")["status"] == "interrupted"
    with np.load(tmp_path / "run" / "checkpoint.npz") as checkpoint:
        assert json.loads(str(checkpoint["state"]))["epoch"] == 2  # 8 steps an epoch; step 23
    assert train("--resume", tmp_path / "run", "--quiet", cwd=tmp_path).returncode == 0
    assert_same_run(tmp_path / "run", references[case], signal_name)


def test_a_completed_run_resumes_to_nothing(references, tmp_path):
    folder = references["once-step"]
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    done = train("--resume", folder, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "already completed: nothing to do" in done.stdout
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_more_epochs_extend_a_completed_run_into_the_longer_run(tmp_path):
    short, long = tmp_path / "short", tmp_path / "long"
    tutorial = CONFIGS / "seed_linear.yaml"
    assert train(tutorial, "--out", short, "--quiet", cwd=tmp_path).returncode == 0
    assert train(tutorial, "--out", long, "--quiet", "--set", "training.epochs=15",
                 cwd=tmp_path).returncode == 0
    done = train("--resume", short, "--quiet", "--set", "training.epochs=15", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_same_run(short, long, "extended 10 -> 15 epochs")


def _error(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: ")
    return done.stderr


def test_resuming_refuses_what_would_not_be_the_same_run(references, tmp_path):
    folder = references["once-step"]
    assert "only training.epochs can change when resuming, not optimizer.lr" in _error(
        train("--resume", folder, "--set", "optimizer.lr=0.5", cwd=tmp_path))
    assert "it takes no CONFIG, --seed" in _error(
        train(CONFIGS / "seed_linear.yaml", "--resume", folder, "--seed", "3", cwd=tmp_path))
    assert "can only grow" in _error(
        train("--resume", folder, "--set", "training.epochs=5", cwd=tmp_path))
    cosine = references["cosine-warmup-clip-norm"]
    assert "a cosine schedule spans the run's epochs" in _error(
        train("--resume", cosine, "--set", "training.epochs=20", cwd=tmp_path))
    stopped_early = references["stops-early-restores-best"]
    assert "the run stopped early" in _error(
        train("--resume", stopped_early, "--set", "training.epochs=90", cwd=tmp_path))


def test_resuming_refuses_an_edited_config_a_diverged_run_and_a_missing_checkpoint(tmp_path):
    tutorial = CONFIGS / "seed_linear.yaml"
    edited = tmp_path / "edited"
    train(tutorial, "--out", edited, "--quiet", cwd=tmp_path, fault="kill:42")
    config = edited / "config.yaml"
    config.write_text(config.read_text().replace("lr: 0.02", "lr: 0.03"))
    assert "config.yaml was changed after the run started" in _error(
        train("--resume", edited, cwd=tmp_path))
    diverged = tmp_path / "diverged"
    assert train(tutorial, "--out", diverged, "--quiet", "--set", "optimizer.lr=50",
                 cwd=tmp_path).returncode == 1
    assert "the run ended diverged" in _error(train("--resume", diverged, cwd=tmp_path))
    bare = tmp_path / "bare"
    train(tutorial, "--out", bare, "--quiet", cwd=tmp_path, fault="kill:42")
    (bare / "checkpoint.npz").unlink()
    assert "no checkpoint.npz" in _error(train("--resume", bare, cwd=tmp_path))
    assert "not a run folder" in _error(train("--resume", tmp_path, cwd=tmp_path))


def test_monitoring_a_column_that_does_not_exist_is_a_config_error(tmp_path):
    stderr = _error(train(CONFIGS / "seed_linear.yaml", "--set",
                          "training.early_stopping={monitor: val_loss}", cwd=tmp_path))
    assert "training.early_stopping.monitor" in stderr
    assert "cannot monitor 'val_loss': there is no validation split" in stderr
    stderr = _error(train(CONFIGS / "iris_logistic.yaml", "--set",
                          "training.early_stopping={monitor: val_acuracy}", cwd=tmp_path))
    assert "did you mean 'val_accuracy'?" in stderr


def test_the_lr_figure_is_drawn_when_the_rate_changes(references, tmp_path):
    from helpers import PLOT

    cosine, constant = references["cosine-warmup-clip-norm"], references["adam"]
    history = (cosine / "history.csv").read_text().splitlines()
    assert history[0].endswith(",loss,lr,grad_norm")
    for folder, name in ((cosine, "cosine"), (constant, "constant")):
        done = subprocess.run([*PLOT, str(folder), "--out", str(tmp_path / name)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "cosine" / "lr.png").is_file()
    assert not (tmp_path / "constant" / "lr.png").exists()
    done = subprocess.run([*PLOT, str(constant), "--kind", "lr", "--out", str(tmp_path / "c2")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and (tmp_path / "c2" / "lr.png").is_file()


@pytest.mark.parametrize("save_every, saved_epoch", [(0, 4), (3600, 0)])
def test_model_and_checkpoint_are_written_as_often_as_save_every_says(save_every, saved_epoch,
                                                                       tmp_path):
    # seed_linear: 10 steps an epoch; killed after step 45, in epoch 5
    killed = train(CONFIGS / "seed_linear.yaml", "--out", tmp_path / "run", "--quiet", "--set",
                   f"output.save_every={save_every}", cwd=tmp_path, fault="kill:45")
    assert killed.returncode == -9, killed.stderr
    with np.load(tmp_path / "run" / "checkpoint.npz") as checkpoint:
        assert json.loads(str(checkpoint["state"]))["epoch"] == saved_epoch
    with np.load(tmp_path / "run" / "model.npz") as model:
        assert int(model["epoch"]) == saved_epoch
    assert len((tmp_path / "run" / "epochs.csv").read_text().splitlines()) == 1 + 4  # all rows
    resumed = train("--resume", tmp_path / "run", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    with np.load(tmp_path / "run" / "model.npz") as model:
        assert int(model["epoch"]) == 10  # written when the run ended
