"""The training loop on the tutorial's setup: rows, batches, divergence, Ctrl-C, summary."""

import csv
import json

import numpy as np
import pytest

from autogradcli.nn.losses import bce, mse
from autogradcli.nn.models import MLP, Line, Logistic
from autogradcli.nn.optim import SGD, Adam
from autogradcli.runs.writer import RunFolder
from autogradcli.training.loop import (
    Controls,
    EpochDone,
    StepDone,
    TrainingInterrupted,
    TrainStart,
    batch_plan,
    train_loop,
)


def _tutorial_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(100, 1))
    y = 2.0 * x[:, 0] + 1.0 + rng.normal(0, 0.5, 100)
    return x, y


def _tutorial_run(path, lr=0.02, epochs=10, seed=0, progress=None, loss_fn=mse, controls=None):
    x, y = _tutorial_data(seed)
    model = Line(rng=np.random.default_rng(seed + 1))
    folder = RunFolder(path)
    folder.describe(name="tutorial", seed=seed, true_params={"a": 2.0, "b": 1.0})
    result = train_loop(model, loss_fn, SGD(model.parameters(), lr=lr), x, y, epochs=epochs,
                        batch_size=10, shuffle="once", rng=np.random.default_rng(seed + 2),
                        run_folder=folder, progress=progress, controls=controls)
    return result, model


def _rows(path):
    with open(path / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _summary(path):
    return json.loads((path / "summary.json").read_text())


def test_tutorial_run_writes_100_history_rows(tmp_path):
    result, _ = _tutorial_run(tmp_path)
    rows = _rows(tmp_path)
    assert list(rows[0]) == ["epoch", "step", "a", "b", "loss", "lr"]
    assert len(rows) == 100 and result.steps == 100 and result.status == "completed"
    assert [int(r["step"]) for r in rows] == list(range(1, 101))
    assert [int(r["epoch"]) for r in rows] == [e for e in range(1, 11) for _ in range(10)]
    assert float(rows[-1]["a"]) == result.final_params["a"]
    epochs = (tmp_path / "epochs.csv").read_text().splitlines()
    assert epochs[0] == "epoch,train_loss,val_loss,lr,seconds" and len(epochs) == 11


def test_history_loss_is_the_batch_loss_before_the_update(tmp_path):
    x, y = _tutorial_data()
    result, _ = _tutorial_run(tmp_path)
    first_batch = next(batch_plan(100, 10, "once", np.random.default_rng(2)))[0]
    a, b = result.initial_params["a"], result.initial_params["b"]
    before = np.mean((a * x[first_batch, 0] + b - y[first_batch]) ** 2)
    assert float(_rows(tmp_path)[0]["loss"]) == pytest.approx(before, rel=1e-12)


def test_same_seed_gives_byte_identical_history(tmp_path):
    _tutorial_run(tmp_path / "one")
    _tutorial_run(tmp_path / "two")
    one, two = tmp_path / "one/history.csv", tmp_path / "two/history.csv"
    assert one.read_bytes() == two.read_bytes()


def test_summary_has_least_squares_beside_the_sgd_result(tmp_path):
    result, _ = _tutorial_run(tmp_path, epochs=40)
    summary = _summary(tmp_path)
    x, y = _tutorial_data()
    slope, intercept = np.polyfit(x[:, 0], y, 1)
    assert summary["least_squares"] == pytest.approx({"a": slope, "b": intercept}, rel=1e-10)
    assert summary["status"] == "completed" and summary["steps"] == 400
    assert summary["epochs_completed"] == 40 and summary["true_params"] == {"a": 2.0, "b": 1.0}
    assert summary["final_params"]["a"] == pytest.approx(slope, abs=0.05)
    assert summary["final_params"]["b"] == pytest.approx(intercept, abs=0.05)
    assert summary["final_train_loss"] == result.train_losses[-1]


@pytest.mark.parametrize("shuffle", ["once", "never", "every_epoch"])
def test_batch_plan(shuffle):
    plan = batch_plan(23, 5, shuffle, np.random.default_rng(0))
    first, second = next(plan), next(plan)
    assert [len(b) for b in first] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(first)) == list(range(23))
    same = all(np.array_equal(p, q) for p, q in zip(first, second))
    assert same == (shuffle != "every_epoch")
    if shuffle == "never":
        assert np.array_equal(np.concatenate(first), np.arange(23))


def test_full_batch_when_batch_size_is_none():
    assert [len(b) for b in next(batch_plan(7, None, "never", None))] == [7]


def test_huge_learning_rate_diverges_and_keeps_rows(tmp_path):
    result, _ = _tutorial_run(tmp_path, lr=50.0)
    assert result.status == "diverged"
    rows = _rows(tmp_path)
    step = len(rows)
    assert f"step {step}" in result.message and "smaller learning rate" in result.message
    assert result.steps == step - 1  # the last row holds the non-finite loss; no update made
    assert not np.isfinite(float(rows[-1]["loss"]))
    assert all(np.isfinite(float(r["loss"])) for r in rows[:-1])
    summary = _summary(tmp_path)
    assert summary["status"] == "diverged" and summary["steps"] == step - 1
    assert summary["message"] == result.message


def test_ctrl_c_marks_interrupted_and_keeps_every_completed_step(tmp_path):
    def progress(event):
        if isinstance(event, StepDone) and event.step == 25:
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted) as info:
        _tutorial_run(tmp_path, progress=progress)
    assert isinstance(info.value, KeyboardInterrupt)
    assert info.value.result.status == "interrupted" and info.value.result.steps == 25
    assert len(_rows(tmp_path)) == 25  # rows 21..25 were still buffered when Ctrl-C came
    summary = _summary(tmp_path)
    assert summary["status"] == "interrupted" and summary["epochs_completed"] == 2


def test_an_unexpected_error_marks_the_run_failed(tmp_path):
    calls = []

    def flaky(pred, target):
        calls.append(1)
        if len(calls) == 15:
            raise RuntimeError("disk on fire")
        return mse(pred, target)

    # Eager: a compiled step replays the loss's numpy work without calling the Python function.
    with pytest.raises(RuntimeError, match="disk on fire"):
        _tutorial_run(tmp_path, loss_fn=flaky, controls=Controls(compile=False))
    summary = _summary(tmp_path)
    assert summary["status"] == "failed" and "disk on fire" in summary["message"]
    assert len(_rows(tmp_path)) == 13  # call 11 was epoch 1's evaluation; call 15 is step 14


def test_progress_events(tmp_path):
    events = []
    _tutorial_run(tmp_path, epochs=3, progress=events.append)
    assert events[0] == TrainStart(epochs=3, steps_per_epoch=10, total_steps=30)
    steps = [e for e in events if isinstance(e, StepDone)]
    ends = [e for e in events if isinstance(e, EpochDone)]
    assert [e.step for e in steps] == list(range(1, 31))
    assert [(e.epoch, e.step) for e in ends] == [(1, 10), (2, 20), (3, 30)]
    assert ends[-1].val_loss is None and ends[-1].train_loss > 0


def test_validation_loss_and_no_folder():
    x, y = _tutorial_data()
    model = Line(init={"a": 0.0, "b": 0.0})
    result = train_loop(model, mse, SGD(model.parameters(), lr=0.05), x[:80], y[:80], x[80:],
                        y[80:], epochs=5, batch_size=None, shuffle="never")
    assert result.folder is None and len(result.val_losses) == 5
    assert result.final_val_loss == result.val_losses[-1] < result.val_losses[0]
    empty = train_loop(model, mse, SGD(model.parameters(), lr=0.05), x, y, x[:0], y[:0],
                       epochs=1, batch_size=50)
    assert empty.final_val_loss is None and empty.val_losses == [None]


def test_logistic_regression_with_bce_learns(tmp_path):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-1.5, 1, (50, 2)), rng.normal(1.5, 1, (50, 2))])
    y = np.repeat([0.0, 1.0], 50)
    model = Logistic(2, init={"w": [0.0, 0.0], "b": 0.0})
    result = train_loop(model, bce, SGD(model.parameters(), lr=0.5), x, y, epochs=20,
                        batch_size=20, rng=rng, run_folder=RunFolder(tmp_path))
    assert result.train_losses[-1] < 0.3 < np.log(2)
    assert list(_rows(tmp_path)[0]) == ["epoch", "step", "w_norm", "b", "loss", "lr"]
    assert _summary(tmp_path)["least_squares"] is None


def test_mlp_with_adam_fits_a_sine():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (200, 1))
    y = np.sin(x[:, 0])
    model = MLP(1, [16], rng=rng)
    result = train_loop(model, mse, Adam(model.parameters(), lr=0.02), x, y, epochs=40,
                        batch_size=50, rng=rng)
    assert result.train_losses[-1] < 0.05 < result.train_losses[0]
    assert result.least_squares is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"batch_size": 101}, r"batch_size must lie in 1..100"),
     ({"epochs": 0}, "epochs must be >= 1"),
     ({"shuffle": "sometimes"}, "unknown shuffle 'sometimes'")],
    ids=["batch", "epochs", "shuffle"],
)
def test_bad_arguments(kwargs, message):
    x, y = _tutorial_data()
    model = Line(init={"a": 0.0, "b": 0.0})
    options = {"epochs": 1, "batch_size": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        train_loop(model, mse, SGD(model.parameters(), lr=0.1), x, y, **options)
