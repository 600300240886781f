"""The training loop: batches, steps, schedules, clipping, early stopping, divergence, Ctrl-C.

Reports progress through a callback and writes through runs/ (a RunFolder): rows after every
epoch; model.npz and a checkpoint, from which `resume` continues exactly, after an epoch once
Controls.save_every seconds have passed since they were last written, and when the run ends or
stops.
Imports the engine, numpy, runs/ and its own helpers: never config, rich or the CLI, and it never
prints.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

import autogradcli.engine as ag
from autogradcli.nn.schedules import Schedule
from autogradcli.runs.layout import history_columns
from autogradcli.runs.model_file import Checkpoint
from autogradcli.training.batches import SHUFFLES, BatchPlan, batch_plan
from autogradcli.training.events import (
    EpochDone,
    StepDone,
    TrainingInterrupted,
    TrainResult,
    TrainStart,
)
from autogradcli.training.interrupts import DeferredStops

__all__ = ["SHUFFLES", "Controls", "EpochDone", "StepDone", "TrainResult", "TrainStart",
           "TrainingInterrupted", "batch_plan", "compile_summary", "train_loop"]


@dataclass
class Controls:
    """What steers a run beyond its data and model, all optional: the learning-rate schedule
    (with the column it watches), gradient clipping, early stopping, and the checkpoint to
    continue from."""

    schedule: Schedule | None = None
    schedule_monitor: str | None = None
    clipper: object | None = None
    early_stopping: object | None = None
    resume: Checkpoint | None = None
    stops: DeferredStops | None = None  # stop signals, honoured between steps
    # The step (forward and backward, then the optimizer's update) as ag.compile traces,
    # bit-identical to eager: "auto" or True compile, running eagerly what a trace cannot
    # replay (summary.json's compile says why); False: always eager.
    compile: bool | str = "auto"
    # model.npz and checkpoint.npz are written at most this often (seconds) while a run goes on,
    # and always when it ends or stops; 0: after every epoch. Short epochs would otherwise spend
    # more time replacing the two files than training (a tutorial epoch trains in a tenth of the
    # time one pair of writes takes). A run killed outright loses at most this much: resume
    # starts from the last checkpoint written and cuts history.csv back to it (the same run).
    save_every: float = 1.0


def train_loop(model, loss_fn, optimizer, x, y, x_val=None, y_val=None, *, epochs,
               batch_size=None, shuffle="every_epoch", rng=None, run_folder=None,
               progress=None, scorer=None, controls: Controls | None = None) -> TrainResult:
    """Train `model` on numpy arrays (x, y) and return a TrainResult.

    x_val/y_val None (or 0 rows) means no validation; batch_size None means full batch; rng (numpy
    Generator) drives the shuffling; run_folder (a RunFolder or None) receives history rows and
    epoch rows after every epoch, model.npz and checkpoint.npz (see Controls.save_every), and the
    summary; progress(event) gets TrainStart, StepDone and EpochDone; scorer (a scoring.Scorer)
    adds metrics. A NaN or infinite loss ends the run `diverged` (returned, not raised). Ctrl-C
    raises TrainingInterrupted (a KeyboardInterrupt) carrying the result; any other exception
    marks the summary `failed` and propagates. Raises ValueError for inconsistent arguments (shapes,
    epochs, batch_size).
    """
    if x_val is not None and y_val is not None and len(x_val) == 0:
        x_val = y_val = None  # data.Dataset holds an empty split as 0 rows
    loop = _Loop(model, loss_fn, optimizer, run_folder, progress, scorer, controls or Controls())
    loop.check(x, y, x_val, y_val, epochs, batch_size)
    rng = np.random.default_rng() if rng is None else rng
    return loop.run(x, y, x_val, y_val, epochs, BatchPlan(len(x), batch_size, shuffle, rng))


class _Loop:
    """The state of one run, so that the hot path and the endings share it without globals."""

    def __init__(self, model, loss_fn, optimizer, run_folder, progress, scorer, controls):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.folder, self.progress, self.scorer = run_folder, progress, scorer
        self.controls = controls
        self.schedule = controls.schedule or Schedule(getattr(optimizer, "lr", 0.0))
        self.params = list(model.parameters().values())
        self.steps = 0
        self.epochs_completed = 0
        self.train_losses, self.val_losses = [], []
        self.initial = model.parameter_values()
        self.least_squares = None
        self.stopped_early = False
        self._unsaved = None  # the last epoch's model and checkpoint, until written
        self._saved_at = time.monotonic()  # a resumed run starts from a checkpoint on disk
        self.forward_backward = _forward_backward(model, loss_fn, controls.compile)
        self.update = _update(optimizer, controls.compile)

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

    # --------------------------------------------------------------------------- the run
    def run(self, x, y, x_val, y_val, epochs, plan) -> TrainResult:
        start = time.perf_counter()
        self.least_squares = self.model.least_squares(x, y) if self.model.is_linear else None
        train = (ag.tensor(x), ag.tensor(y))
        val = None if x_val is None else (ag.tensor(x_val), ag.tensor(y_val))
        first = self._begin(plan, val is not None, start)
        try:
            self._check_stop()
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                status, message = self._epochs(x, y, train, val, first, epochs, plan)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", 2)
            by = "by the user" if signum == 2 else f"by {_signal_name(signum)}"
            message = f"interrupted {by} after step {self.steps}"
            result = self._finish("interrupted", message, train, val, start)
            raise TrainingInterrupted(result, signum) from None
        except OSError as exc:  # a write failed: disk full, folder removed, read-only...
            message = _write_failure(exc, self.folder)
            self._finish("failed", message, train, val, start)
            raise
        except BaseException as exc:
            self._finish("failed", f"{type(exc).__name__}: {exc}", train, val, start)
            raise
        return self._finish(status, message, train, val, start)

    def _begin(self, plan, with_val, start) -> int:
        """Open the run folder's files (fresh, or cut back to the checkpoint); the first epoch."""
        checkpoint = self.controls.resume
        if checkpoint is not None:
            self._restore(checkpoint, plan)
        if self.folder is None:
            return self.epochs_completed + 1
        columns = self.scorer.columns(with_val) if self.scorer else ()
        if checkpoint is None:
            shapes = {name: tuple(p.shape) for name, p in self.model.parameters().items()}
            self.folder.start_history(history_columns(shapes), columns,
                                      grad_norm=self.controls.clipper is not None)
            self._keep(self.initial, plan, copy=False)
            self._save()
        else:
            self.folder.continue_history(self.steps, self.epochs_completed, columns)
        self._summary("running", "training", None, None, start, finished=False)
        return self.epochs_completed + 1

    def _epochs(self, x, y, train, val, first, epochs, plan):
        fixed = None
        for epoch in range(first, epochs + 1):
            began = time.perf_counter()
            self.optimizer.lr = lr = self.schedule.lr(epoch - 1)
            indices = plan.next_epoch()
            if fixed is None or fixed[0] is not indices:
                fixed = (indices, _batch_tensors(train, indices, plan))
            if epoch == first:
                main = self.scorer.main if self.scorer else None
                self._report(TrainStart(epochs, len(indices), epochs * len(indices), main))
            diverged = self._steps(epoch, fixed[1], lr)
            if diverged is not None:
                return "diverged", diverged
            stop = self._end_epoch(epoch, epochs, lr, train, val, began, plan)
            if stop:
                self.stopped_early = True
                return "completed", (f"stopped early after epoch {epoch} ({self.steps} steps): "
                                     f"{self.controls.early_stopping.monitor} had not improved "
                                     f"for {self.controls.early_stopping.patience} epochs")
        return "completed", f"trained {epochs} epochs ({self.steps} steps)"

    def _steps(self, epoch, batches, lr):
        """The hot path: the tutorial's update_params once per batch. Returns a message if the
        loss stops being finite (that row is recorded, without an update), else None."""
        optimizer, folder = self.optimizer, self.folder
        params, report, clip = self.params, self.progress, self.controls.clipper
        forward_backward, update = self.forward_backward, self.update
        for xb, yb in batches:
            loss = forward_backward(xb, yb)
            value = loss.item()
            step = self.steps + 1
            if not math.isfinite(value):
                optimizer.zero_grad()  # a compiled step also ran backward: no update, as eager
                if folder is not None:
                    folder.add_step(epoch, step, _row_values(params), value, lr, None)
                return (f"diverged at step {step} (epoch {epoch}): the loss became {value}. "
                        f"Try a smaller learning rate than {lr}.")
            norm = clip(params) if clip is not None else None
            update()
            self.steps = step
            if folder is not None:
                folder.add_step(epoch, step, _row_values(params), value, lr, norm)
            if report is not None:
                report(StepDone(epoch, step, value))
            self._check_stop()
        return None

    def _end_epoch(self, epoch, epochs, lr, train, val, began, plan) -> bool:
        """Evaluate, record and checkpoint a finished epoch; True when early stopping says stop."""
        train_loss, metrics = self._assess(train, "train")
        val_loss = None
        if val is not None:
            val_loss, val_metrics = self._assess(val, "val")
            metrics.update(val_metrics)
        columns = {"train_loss": train_loss, "val_loss": val_loss, **metrics}
        self.schedule.observe(columns.get(self.controls.schedule_monitor))
        watcher = self.controls.early_stopping
        stop = watcher is not None and watcher.update(
            epoch, columns.get(watcher.monitor), self.model.parameter_values())
        seconds = time.perf_counter() - began
        self.train_losses.append(train_loss)
        self.val_losses.append(val_loss)
        self.epochs_completed = epoch
        if self.folder is not None:
            self.folder.add_epoch(epoch, train_loss, val_loss, lr, seconds, metrics)
            due = time.monotonic() - self._saved_at >= self.controls.save_every
            self._keep(self.model.parameter_values(), plan, copy=not due)
            if due:
                self._save()
        self._report(EpochDone(epoch, epochs, self.steps, train_loss, val_loss, seconds,
                               metrics))
        return stop

    def _check_stop(self) -> None:
        if self.controls.stops is not None:
            self.controls.stops.check()

    # ------------------------------------------------------------------------ checkpoints
    def _keep(self, params: dict, plan, copy: bool) -> None:
        """Remember model.npz's and checkpoint.npz's contents as they stand now, after an epoch;
        `copy` when they will be written later (the next steps change the optimizer's arrays in
        place)."""
        watcher = self.controls.early_stopping
        state = {"epoch": self.epochs_completed, "step": self.steps,
                 "schedule": self.schedule.state(), "plan": plan.state(),
                 "early_stopping": watcher.state() if watcher else None,
                 "train_losses": list(self.train_losses), "val_losses": list(self.val_losses)}
        best = (watcher.best_params or {}) if watcher else {}
        optimizer = self.optimizer.state()
        if copy:
            optimizer = {k: np.array(v) for k, v in optimizer.items()}
        self._unsaved = (params, self.epochs_completed, self.steps,
                         Checkpoint(params, optimizer, best, state))

    def _save(self) -> None:
        """Write what _keep remembered, if not written yet: model.npz, then checkpoint.npz."""
        if self._unsaved is None:
            return
        params, epoch, steps, checkpoint = self._unsaved
        self.folder.save_model(params, epoch, steps)
        self.folder.save_checkpoint(checkpoint)
        self._unsaved, self._saved_at = None, time.monotonic()

    def _restore(self, checkpoint: Checkpoint, plan) -> None:
        state = checkpoint.state
        with ag.no_grad():
            for name, p in self.model.parameters().items():
                p.data[...] = checkpoint.params[name]
        self.optimizer.restore(checkpoint.optimizer)
        self.schedule.restore(state["schedule"])
        plan.restore(state["plan"])
        watcher = self.controls.early_stopping
        if watcher is not None and state.get("early_stopping") is not None:
            watcher.restore(state["early_stopping"], checkpoint.best)
        self.steps, self.epochs_completed = int(state["step"]), int(state["epoch"])
        self.train_losses = [_number(v) for v in state["train_losses"]]
        self.val_losses = [_number(v) for v in state["val_losses"]]

    # ---------------------------------------------------------------------------- endings
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

    def _restore_best(self) -> dict | None:
        """Put the best epoch's parameters back (early stopping with restore_best); its summary."""
        watcher = self.controls.early_stopping
        if watcher is None:
            return None
        restored = watcher.restore_best and watcher.best_params is not None
        if restored:
            with ag.no_grad():
                for name, p in self.model.parameters().items():
                    p.data[...] = watcher.best_params[name]
        return {"monitor": watcher.monitor, "mode": watcher.mode, "best_epoch": watcher.best_epoch,
                "best_value": watcher.best, "stopped_early": self.stopped_early,
                "restored_best": restored}

    def _finish(self, status, message, train, val, start) -> TrainResult:
        early = self._restore_best() if status == "completed" else None
        fresh = status != "completed" or (early is not None and early["restored_best"])
        final_train = _evaluate(self.model, self.loss_fn, train)[0] if fresh else \
            self.train_losses[-1]
        final_val = None
        if val is not None:
            final_val = _evaluate(self.model, self.loss_fn, val)[0] if fresh else \
                self.val_losses[-1]
        final_params = self.model.parameter_values()
        result = TrainResult(
            status=status, message=message, steps=self.steps,
            epochs_completed=self.epochs_completed, initial_params=self.initial,
            final_params=final_params, final_train_loss=final_train,
            final_val_loss=final_val, least_squares=self.least_squares,
            metrics=self._final_metrics(train, val), early_stopping=early,
            train_losses=self.train_losses, val_losses=self.val_losses,
            seconds=time.perf_counter() - start,
            folder=None if self.folder is None else self.folder.path,
        )
        if self.folder is not None:
            try:
                self._save()  # the last finished epoch's checkpoint, for resume
                self.folder.close()
                if status != "diverged" and _finite(final_params):  # keep the last good ones
                    self.folder.save_model(final_params, self.epochs_completed, self.steps)
            except OSError as exc:
                result.status, result.message = "failed", _write_failure(exc, self.folder)
            self._summary(result.status, result.message, final_train, final_val, start,
                          result.final_params, result.metrics, early)
        return result

    def _summary(self, status, message, final_train, final_val, start, final_params=None,
                 metrics=None, early=None, finished=True):
        self.folder.write_summary(
            status=status, message=message, steps=self.steps,
            epochs_completed=self.epochs_completed, initial_params=self.initial,
            final_params=final_params, final_train_loss=final_train, final_val_loss=final_val,
            least_squares=self.least_squares, wall_seconds=time.perf_counter() - start,
            metrics=metrics, early_stopping=early,
            compile=compile_summary(self.controls.compile, self.forward_backward, self.update)
            if finished else None,
        )

    def _report(self, event):
        if self.progress is not None:
            self.progress(event)


def _forward_backward(model, loss_fn, setting):
    """The step's loss with the parameters' gradients accumulated: traced and replayed by
    ag.compile (setting "auto" or True), or eager (False). Backward runs before the loss is
    checked for divergence; a diverged step's gradients are then dropped, so the parameters see
    exactly what eager gives them."""

    def step(xb, yb):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        return loss

    return step if setting is False else ag.compile(step)


def _update(optimizer, setting):
    """The optimizer's step and zero_grad, after the loss was found finite (and the gradients
    clipped): traced and replayed by ag.compile too, unless the setting is False."""

    def update():
        optimizer.step()
        optimizer.zero_grad()

    return update if setting is False else ag.compile(update)


def compile_summary(setting, *compiled) -> dict:
    """summary.json's `compile`: the setting, whether the steps (forward and backward, then the
    update) were replayed, and if not, why."""
    if setting is False:
        return {"setting": False, "used": False, "reason": "training.compile is false"}
    reason = next((c.fallback_reason for c in compiled if c.fallback_reason), None)
    return {"setting": setting, "used": reason is None, "reason": reason}


def _batch_tensors(train, indices, plan) -> list:
    """The epoch's batches as tensors, one copy of their rows each (ag.tensor(x[i]) would make
    two); a full batch in order is the training set's own tensors (no copy at all)."""
    if plan.shuffle == "never" and len(indices) == 1:
        return [train]
    x, y = train
    with ag.no_grad():  # indexing records nothing: the rows, gathered once
        return [(x[i], y[i]) for i in indices]


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


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _write_failure(exc: OSError, folder) -> str:
    """The message of a run whose files could not be written, saying what to do."""
    where = getattr(exc, "filename", None) or (folder.path if folder is not None else "")
    return (f"cannot write {where}: {exc.strerror or exc}; free some space or make the folder "
            "writable, then resume the run, or train into another folder")


def _number(value):
    return None if value is None else float(value)
