"""Writing a run folder: the refusal to overwrite, rows as training runs, the summary.

File names and cells come from layout.py; data.csv is data_file.py's. Imports numpy, the standard
library and errors only: never the engine, config, rich or the CLI.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from autogradcli.errors import RunFolderError
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import (
    CONFIG,
    EPOCH_COLUMNS,
    EPOCHS,
    FILES,
    HISTORY,
    HISTORY_TAIL,
    SMALL_PARAMS,
    STATUSES,
    SUMMARY,
    fmt,
)
from autogradcli.runs.lock import LOCK, FolderLock
from autogradcli.runs.model_file import Checkpoint, ModelFile, ModelInfo, write_checkpoint


class RunFolder:
    """A run's output folder, created at once; refuses an existing non-empty folder.

    Raises RunFolderError when `path` exists and is not empty (unless overwrite=True, which
    deletes the run files listed in FILES and keeps anything else), is a file, or cannot be created.
    """

    def __init__(self, path, overwrite=False, resume=False):
        self.path = Path(path)
        self._info = {"name": None, "seed": None, "true_params": None}
        self._model_info = None
        self._initial = {}
        self._model_file = None  # built on the first save from the info and initial parameters
        self._metric_columns: list[str] = []
        self._whole: dict[str, int] = {}  # each CSV's size at its last whole row
        self._history = None
        self._epochs = None
        self._rows = []
        self._lock = FolderLock(self.path, "run")
        if resume:  # a run this tool wrote, continued: its files stay, and are cut back later
            if not (self.path / SUMMARY).is_file():
                raise RunFolderError("not a run folder (no summary.json)", where=str(self.path),
                                     hint="give the folder of the run to continue")
            self._lock.acquire()
        else:
            self._prepare(overwrite)

    def _prepare(self, overwrite):
        where = str(self.path)
        if self.path.exists() and not self.path.is_dir():
            raise RunFolderError("exists and is not a folder", where=where,
                                 hint="choose another output folder (output.dir or {--out})")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"cannot create the run folder: {exc.strerror or exc}",
                                 where=where, hint="choose a folder you can write to "
                                                   "({--out} DIR)") from None
        self._lock.acquire()
        try:
            self._clear(overwrite, where)
        except BaseException:
            self._lock.release()
            raise

    def _clear(self, overwrite, where):
        """Refuse a non-empty folder, or with overwrite delete this tool's files from one of its
        run folders, never anything else."""
        if not [p for p in self.path.iterdir() if p.name != LOCK]:
            return
        if not overwrite:
            raise RunFolderError(
                "run folder already exists and is not empty", where=where,
                hint="pass {--overwrite} to replace it, or choose another folder ({--out} DIR)")
        if not is_run_folder(self.path):
            raise RunFolderError(
                "the folder is not a run folder written by autograd-train, so nothing in it is "
                "replaced", where=where,
                hint="{--overwrite} replaces only run folders (they hold this tool's "
                     "summary.json); choose another folder ({--out} DIR)")
        try:
            for name in FILES:
                (self.path / name).unlink(missing_ok=True)
        except OSError as exc:
            raise RunFolderError(f"cannot replace the run folder's files: "
                                 f"{exc.strerror or exc}", where=where,
                                 hint="make it writable, or choose another folder "
                                      "({--out} DIR)") from None

    def release(self) -> None:
        """Close the files and give up the folder's lock (the run is over)."""
        self.close()
        self._lock.release()

    # ------------------------------------------------------------------------- whole files
    def write_config(self, text: str) -> Path:
        """config.yaml: the resolved config, as given (YAML text)."""
        return self._write_text(CONFIG, text)

    def describe(self, *, name=None, seed=None, true_params=None) -> None:
        """Facts for summary.json the training loop does not know: name, seed, true_params."""
        self._info = {"name": name, "seed": seed, "true_params": true_params}

    def write_summary(self, *, status, message="", steps=0, epochs_completed=0,
                      initial_params=None, final_params=None, final_train_loss=None,
                      final_val_loss=None, least_squares=None, wall_seconds=None,
                      metrics=None, early_stopping=None, compile=None) -> Path:
        """summary.json, replaced atomically. Arrays become nested lists, NaN and inf null.

        Parameter values are listed only for small models (model.npz holds them all); their
        shapes always are. metrics: {"train": {...}, "val": {...}} and per-class reports.
        compile: whether the steps ran as a compiled trace ({"setting", "used", "reason"}).
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        summary = {
            "status": status,
            "message": message,
            "name": self._info["name"],
            "seed": self._info["seed"],
            "steps": steps,
            "epochs_completed": epochs_completed,
            "parameters": _shapes(initial_params or final_params),
            "initial_params": _small(initial_params),
            "final_params": _small(final_params),
            "final_train_loss": final_train_loss,
            "final_val_loss": final_val_loss,
            "metrics": metrics,
            "stopped_early": bool(early_stopping and early_stopping.get("stopped_early")),
            "early_stopping": early_stopping,
            "least_squares": least_squares,
            "true_params": self._info["true_params"],
            "wall_seconds": wall_seconds,
            "compile": compile,
            "versions": _versions(),
        }
        text = json.dumps(_jsonable(summary), indent=2, allow_nan=False) + "\n"
        return write_atomic(self.path / SUMMARY, text)

    # ----------------------------------------------------------------- rows as training runs
    def describe_model(self, info: ModelInfo) -> None:
        """What model.npz records beside the parameters (kind, names, scaling, labels)."""
        self._model_info = info
        self._model_file = None

    def save_model(self, params: dict, epoch: int, step: int) -> Path | None:
        """model.npz with these parameters, replaced atomically; the first call's are kept as the
        initial ones. Nothing when no model was described (a bare training loop)."""
        if self._model_info is None:
            return None
        if not self._initial:
            self.set_initial(params)
        if self._model_file is None:
            self._model_file = ModelFile(self.path, self._model_info, self._initial,
                                         _versions()["autogradcli"])
        return self._model_file.save(params, epoch, step)

    def set_initial(self, params: dict) -> None:
        """The parameters model.npz records as initial (a resumed run passes the saved ones)."""
        self._initial = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self._model_file = None

    def start_history(self, param_columns, metric_columns=(), grad_norm=False) -> None:
        """Create history.csv and epochs.csv with their headers (rows follow as training runs).

        metric_columns: epochs.csv's columns after `seconds`, e.g. train_accuracy, val_accuracy;
        grad_norm: history.csv gets the gradients' total norm before clipping.
        """
        self.close()
        history = ["epoch", "step", *param_columns, *HISTORY_TAIL, *(["grad_norm"] * grad_norm)]
        self._metric_columns = list(metric_columns)
        self._open("w", history, [*EPOCH_COLUMNS, *self._metric_columns])

    def continue_history(self, step: int, epoch: int, metric_columns=()) -> None:
        """Reopen history.csv and epochs.csv after a stop, cut back to the rows of steps up to
        `step` and epochs up to `epoch` (what the checkpoint holds), to append from there."""
        self.close()
        self._metric_columns = list(metric_columns)
        _cut_rows(self.path / HISTORY, lambda cells: int(cells[1]) <= step)
        _cut_rows(self.path / EPOCHS, lambda cells: int(cells[0]) <= epoch)
        self._open("a", None, None)

    def _open(self, mode, history_header, epochs_header) -> None:
        # Both files stay open for the run (closed by close()), so rows cost no reopen; that is
        # why they are not opened in a `with` block.
        self._history = open(self.path / HISTORY, mode, encoding="utf-8", newline="")  # noqa: SIM115
        self._epochs = open(self.path / EPOCHS, mode, encoding="utf-8", newline="")  # noqa: SIM115
        for handle, header in ((self._history, history_header), (self._epochs, epochs_header)):
            if header is not None:
                handle.write(",".join(header) + "\n")
                handle.flush()
        self._whole = {HISTORY: self._history.tell(), EPOCHS: self._epochs.tell()}

    def add_step(self, epoch, step, values, loss, lr, grad_norm=None) -> None:
        """Buffer one history row (written by flush(), which add_epoch and close call)."""
        cells = [str(epoch), str(step)]
        cells.extend(repr(float(v)) for v in values)
        cells += [repr(float(loss)), repr(float(lr))]
        if grad_norm is not None:
            cells.append(repr(float(grad_norm)))
        self._rows.append(",".join(cells))

    def flush(self) -> None:
        """Write the buffered history rows and push them to the OS."""
        if self._history is not None and self._rows:
            try:
                self._history.write("\n".join(self._rows) + "\n")
                self._rows.clear()
                self._history.flush()
            except OSError:
                self._keep_whole_rows()
                raise
            self._whole[HISTORY] = self._history.tell()

    def add_epoch(self, epoch, train_loss, val_loss, lr, seconds, metrics=None) -> None:
        """Append an epochs.csv row (None leaves a cell empty) and flush both files.

        metrics: column -> value for the metric columns given to start_history.
        """
        self.flush()
        if self._epochs is not None:
            cells = [str(epoch), fmt(train_loss), fmt(val_loss), fmt(lr), fmt(seconds)]
            cells += [fmt((metrics or {}).get(name)) for name in self._metric_columns]
            try:
                self._epochs.write(",".join(cells) + "\n")
                self._epochs.flush()
            except OSError:
                self._keep_whole_rows()
                raise
            self._whole[EPOCHS] = self._epochs.tell()

    def _keep_whole_rows(self) -> None:
        """After a failed write (disk full): drop the unwritten rows and cut both files back to
        their last whole row, so a reader never sees half a row."""
        self._rows.clear()
        for handle in (self._history, self._epochs):
            with contextlib.suppress(OSError, ValueError):
                handle.close()  # may fail again while flushing: the cut below repairs it
        self._history = self._epochs = None
        for name, size in self._whole.items():
            with contextlib.suppress(OSError):
                os.truncate(self.path / name, size)

    def save_checkpoint(self, checkpoint: Checkpoint) -> Path:
        """checkpoint.npz, replaced atomically (written after model.npz at each epoch's end)."""
        return write_checkpoint(self.path, checkpoint)

    def close(self) -> None:
        """Flush and close history.csv and epochs.csv (safe to call twice)."""
        self.flush()
        for handle in (self._history, self._epochs):
            if handle is not None:
                handle.close()
        self._history = self._epochs = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _write_text(self, name, text) -> Path:
        target = self.path / name
        target.write_text(text, encoding="utf-8", newline="")
        return target


def _jsonable(value):
    """Plain JSON types: arrays to nested lists, numpy scalars to Python, NaN and inf to None."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def is_run_folder(path: Path) -> bool:
    """Whether `path` holds a summary.json this tool wrote (its status and versions keys)."""
    try:
        summary = json.loads((Path(path) / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(summary, dict) and summary.get("status") in STATUSES
            and isinstance(summary.get("versions"), dict))


def _cut_rows(path: Path, keep) -> None:
    """Rewrite a CSV with its header and the leading rows `keep(cells)` accepts, atomically."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        cells = line.rstrip("\n").split(",")
        if not line.endswith("\n") or not keep(cells):
            break
        kept.append(line)
    write_atomic(path, "".join(kept))


def _shapes(params) -> dict | None:
    if not params:
        return None
    return {name: list(np.shape(value)) for name, value in params.items()}


def _small(params) -> dict | None:
    """The values when there are few of them, else None (they are in model.npz)."""
    if params is None:
        return None
    return params if sum(np.size(v) for v in params.values()) <= SMALL_PARAMS else None


def _versions() -> dict:
    import autogradcli

    ours = getattr(autogradcli, "__version__", None)
    if ours is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            ours = version("autogradcli")
        except PackageNotFoundError:
            ours = "unknown"
    python = sys.version.split()[0]  # what platform.python_version() says, without importing it
    return {"python": python, "numpy": np.__version__, "autogradcli": ours}
