"""The training loop: batches, steps, divergence and Ctrl-C; reports progress through a callback.

Writes through runs/ (a RunFolder). Imports the engine, numpy and runs/ only: never config, rich or
the CLI, and it never prints.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import autogradcli.engine as ag
from autogradcli.runs.layout import history_columns

SHUFFLES = ("once", "every_epoch", "never")


# ------------------------------------------------------------------------------ progress events


@dataclass(frozen=True, slots=True)
class TrainStart:
    """Sent once before the first step."""

    epochs: int
    steps_per_epoch: int
    total_steps: int
    main_metric: str | None = None  # e.g. "accuracy": EpochDone.metrics has train_/val_ of it


@dataclass(frozen=True, slots=True)
class StepDone:
    """Sent after every optimizer step; `loss` is the batch's loss before the update."""

    epoch: int
    step: int
    loss: float


@dataclass(frozen=True, slots=True)
class EpochDone:
    """Sent after every epoch with the losses on the whole training (and validation) set."""

    epoch: int
    epochs: int
    step: int
    train_loss: float
    val_loss: float | None
    seconds: float
    metrics: dict = field(default_factory=dict)  # train_accuracy, val_accuracy, ...


@dataclass
class TrainResult:
    """What a run ended with. status: completed | diverged | interrupted | failed."""

    status: str
    message: str
    steps: int
    epochs_completed: int
    initial_params: dict
    final_params: dict
    final_train_loss: float | None
    final_val_loss: float | None
    least_squares: dict | None
    metrics: dict | None = None
    train_losses: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    seconds: float = 0.0
    folder: Path | None = None


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training, after the run folder was flushed and marked `interrupted`.

    Still a KeyboardInterrupt (scripts stop as usual); `.result` holds the TrainResult.
    """

    def __init__(self, result: TrainResult):
        super().__init__(result.message)
        self.result = result


# ---------------------------------------------------------------------------------- batching


def batch_plan(n, batch_size, shuffle, rng):
    """Yield one list of index arrays per epoch.

    never: 0..n-1 in order; once: one permutation cut into fixed batches reused every epoch (the
    tutorial); every_epoch: a fresh permutation each epoch. The last batch may be smaller.
    """
    if shuffle not in SHUFFLES:
        raise ValueError(f"unknown shuffle {shuffle!r}; use one of {', '.join(SHUFFLES)}")
    size = n if batch_size is None else int(batch_size)
    if shuffle == "every_epoch":
        while True:
            yield _cut(rng.permutation(n), size)
    order = np.arange(n) if shuffle == "never" else rng.permutation(n)
    fixed = _cut(order, size)
    while True:
        yield fixed


def _cut(order, size):
    return [order[i : i + size] for i in range(0, len(order), size)]


# -------------------------------------------------------------------------------------- loop


def train_loop(model, loss_fn, optimizer, x, y, x_val=None, y_val=None, *, epochs,
               batch_size=None, shuffle="every_epoch", rng=None, run_folder=None,
               progress=None, scorer=None) -> TrainResult:
    """Train `model` on numpy arrays (x, y) and return a TrainResult.

    x_val/y_val None (or 0 rows) means no validation; batch_size None means full batch; rng (numpy
    Generator) drives the shuffling; run_folder (a RunFolder or None) receives history rows, epoch
    rows and the summary; progress(event) gets TrainStart, StepDone and EpochDone. A NaN or infinite
    loss stops the run with status `diverged` (returned, not raised). Ctrl-C raises
    TrainingInterrupted (a KeyboardInterrupt) carrying the result; any other exception marks the
    summary `failed` and propagates. scorer (a scoring.Scorer) adds metrics to every epoch and
    to the summary; the run folder's model.npz is saved at the start and after every epoch.
    Raises ValueError for inconsistent arguments (shapes, epochs < 1, batch_size out of range).
    """
    if x_val is not None and y_val is not None and len(x_val) == 0:
        x_val = y_val = None  # data.Dataset holds an empty split as 0 rows
    loop = _Loop(model, loss_fn, optimizer, run_folder, progress, scorer)
    loop.check(x, y, x_val, y_val, epochs, batch_size)
    if shuffle not in SHUFFLES:
        raise ValueError(f"unknown shuffle {shuffle!r}; use one of {', '.join(SHUFFLES)}")
    rng = np.random.default_rng() if rng is None else rng
    return loop.run(x, y, x_val, y_val, epochs, batch_plan(len(x), batch_size, shuffle, rng))


class _Loop:
    """The state of one run, so that the hot path and the endings share it without globals."""

    def __init__(self, model, loss_fn, optimizer, run_folder, progress, scorer):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.folder, self.progress, self.scorer = run_folder, progress, scorer
        self.last_metrics: dict = {}
        self.params = list(model.parameters().values())
        self.steps = 0
        self.epochs_completed = 0
        self.train_losses, self.val_losses = [], []
        self.initial = model.parameter_values()
        self.least_squares = None

    def check(self, x, y, x_val, y_val, epochs, batch_size):
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"x and y need the same, non-zero number of rows: {len(x)}, {len(y)}")
        if (x_val is None) != (y_val is None) or (x_val is not None and len(x_val) != len(y_val)):
            raise ValueError("x_val and y_val go together, with the same number of rows")
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        if batch_size is not None and not 1 <= int(batch_size) <= len(x):
            raise ValueError(f"batch_size must lie in 1..{len(x)} (the training rows), "
                             f"got {batch_size}")

    def run(self, x, y, x_val, y_val, epochs, plan) -> TrainResult:
        start = time.perf_counter()
        self.least_squares = self.model.least_squares(x, y) if self.model.is_linear else None
        train = (ag.tensor(x), ag.tensor(y))
        val = None if x_val is None else (ag.tensor(x_val), ag.tensor(y_val))
        if self.folder is not None:
            shapes = {name: tuple(p.shape) for name, p in self.model.parameters().items()}
            columns = self.scorer.columns(val is not None) if self.scorer else ()
            self.folder.start_history(history_columns(shapes), columns)
            self.folder.save_model(self.initial, 0, 0)
            self._summary("running", "training", None, None, start)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                status, message = self._epochs(x, y, train, val, epochs, plan)
        except KeyboardInterrupt:
            message = f"interrupted by the user after step {self.steps}"
            result = self._finish("interrupted", message, train, val, start)
            raise TrainingInterrupted(result) from None
        except BaseException as exc:
            self._finish("failed", f"{type(exc).__name__}: {exc}", train, val, start)
            raise
        return self._finish(status, message, train, val, start)

    def _epochs(self, x, y, train, val, epochs, plan):
        fixed = None
        for epoch in range(1, epochs + 1):
            began = time.perf_counter()
            indices = next(plan)
            if fixed is None or fixed[0] is not indices:
                fixed = (indices, [(ag.tensor(x[i]), ag.tensor(y[i])) for i in indices])
            if epoch == 1:
                main = self.scorer.main if self.scorer else None
                self._report(TrainStart(epochs, len(indices), epochs * len(indices), main))
            diverged = self._steps(epoch, fixed[1])
            if diverged is not None:
                return "diverged", diverged
            train_loss, metrics = self._assess(train, "train")
            val_loss = None
            if val is not None:
                val_loss, val_metrics = self._assess(val, "val")
                metrics.update(val_metrics)
            self.last_metrics = metrics
            seconds = time.perf_counter() - began
            self.train_losses.append(train_loss)
            self.val_losses.append(val_loss)
            self.epochs_completed = epoch
            if self.folder is not None:
                self.folder.add_epoch(epoch, train_loss, val_loss, seconds, metrics)
                self.folder.save_model(self.model.parameter_values(), epoch, self.steps)
            self._report(EpochDone(epoch, epochs, self.steps, train_loss, val_loss, seconds,
                                   metrics))
        return "completed", f"trained {epochs} epochs ({self.steps} steps)"

    def _steps(self, epoch, batches):
        """The hot path: the tutorial's update_params once per batch. Returns a message if the
        loss stops being finite (that row is recorded, without an update), else None."""
        model, loss_fn, optimizer, folder = self.model, self.loss_fn, self.optimizer, self.folder
        params, report = self.params, self.progress
        for xb, yb in batches:
            loss = loss_fn(model(xb), yb)
            value = loss.item()
            step = self.steps + 1
            if not math.isfinite(value):
                if folder is not None:
                    folder.add_step(epoch, step, _row_values(params), value)
                return (f"diverged at step {step} (epoch {epoch}): the loss became {value}. "
                        f"Try a smaller learning rate than {getattr(optimizer, 'lr', '?')}.")
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            self.steps = step
            if folder is not None:
                folder.add_step(epoch, step, _row_values(params), value)
            if report is not None:
                report(StepDone(epoch, step, value))
        return None

    def _assess(self, data, split) -> tuple[float, dict]:
        """The loss on a whole set and, with a scorer, its metrics (`split`_name -> value)."""
        loss, outputs = _evaluate(self.model, self.loss_fn, data)
        if self.scorer is None or not np.all(np.isfinite(outputs)):
            return loss, {}
        scores = self.scorer.score(outputs, data[1].data)
        return loss, {f"{split}_{name}": value for name, value in scores.items()}

    def _final_metrics(self, train, val) -> dict | None:
        """summary.json's metrics: each split's values and a classifier's per-class report."""
        if self.scorer is None:
            return None
        final = {}
        for split, data in (("train", train), ("val", val)):
            if data is None:
                continue
            _, outputs = _evaluate(self.model, self.loss_fn, data)
            if not np.all(np.isfinite(outputs)):
                continue
            final[split] = self.scorer.score(outputs, data[1].data)
            report = self.scorer.report(outputs, data[1].data)
            if report is not None:
                final[split]["report"] = report
        return final

    def _finish(self, status, message, train, val, start) -> TrainResult:
        complete = status == "completed"
        final_train = self.train_losses[-1] if complete else _evaluate(
            self.model, self.loss_fn, train)[0]
        final_val = None
        if val is not None:
            final_val = self.val_losses[-1] if complete else _evaluate(
                self.model, self.loss_fn, val)[0]
        final_params = self.model.parameter_values()
        result = TrainResult(
            status=status, message=message, steps=self.steps,
            epochs_completed=self.epochs_completed, initial_params=self.initial,
            final_params=final_params, final_train_loss=final_train,
            final_val_loss=final_val, least_squares=self.least_squares,
            metrics=self._final_metrics(train, val),
            train_losses=self.train_losses, val_losses=self.val_losses,
            seconds=time.perf_counter() - start,
            folder=None if self.folder is None else self.folder.path,
        )
        if self.folder is not None:
            self.folder.close()
            if status != "diverged" and _finite(final_params):  # keep the last good ones
                self.folder.save_model(final_params, self.epochs_completed, self.steps)
            self._summary(status, message, final_train, final_val, start, result.final_params,
                          result.metrics)
        return result

    def _summary(self, status, message, final_train, final_val, start, final_params=None,
                 metrics=None):
        self.folder.write_summary(
            status=status, message=message, steps=self.steps,
            epochs_completed=self.epochs_completed, initial_params=self.initial,
            final_params=final_params, final_train_loss=final_train, final_val_loss=final_val,
            least_squares=self.least_squares, wall_seconds=time.perf_counter() - start,
            metrics=metrics,
        )

    def _report(self, event):
        if self.progress is not None:
            self.progress(event)


def _row_values(params):
    """history.csv's parameter cells: a scalar's value, else the tensor's L2 norm."""
    return [p.data.item() if p.data.ndim == 0 else float(np.sqrt(np.sum(p.data * p.data)))
            for p in params]


def _evaluate(model, loss_fn, data):
    """(loss, outputs as an array) on a whole set, without recording a graph."""
    with ag.no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        outputs = model(data[0])
        return loss_fn(outputs, data[1]).item(), outputs.data


def _finite(params: dict) -> bool:
    return all(np.all(np.isfinite(value)) for value in params.values())
