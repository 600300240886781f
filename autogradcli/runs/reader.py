"""Reading a run folder (docs/run-folder.md) into plain numpy arrays, with clear RunFolderErrors.

What plotting, sweeps' resume and scripts know of the files. Imports numpy, yaml, data and
errors (config only for runs without data.csv): never matplotlib.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml

from autogradcli.errors import RunFolderError
from autogradcli.runs.layout import (
    CONFIG,
    DATA,
    DATA_SOURCE,
    EPOCHS,
    HISTORY,
    MODEL,
    REQUIRED,
    RUNNING,
    STATUSES,
    SUMMARY,
)
from autogradcli.runs.lock import holder
from autogradcli.runs.model_file import read_model

RERUN = "rerun autograd-train on its config (with {--overwrite}) to write it again"


@dataclass
class Run:
    """One run folder's contents. `columns` are history.csv's parameter columns, in file order."""

    path: Path
    summary: dict
    config: dict
    epoch: np.ndarray
    step: np.ndarray
    columns: dict[str, np.ndarray]
    loss: np.ndarray
    epochs: dict[str, np.ndarray]
    lr: np.ndarray | None = None  # the learning rate of each step (runs from 0.2 on)
    grad_norm: np.ndarray | None = None  # the gradients' norm before clipping, when clipped
    notes: list[str] = field(default_factory=list)  # what was odd but readable (a cut row)
    title_note: str = ""  # said after the name in figures ("diverged at step 73")
    params_override: dict | None = None  # a diverged run's last sane parameters
    _dataset: object = field(default=None, repr=False)
    _model: object = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.resolve().name + self.title_note

    def plottable(self) -> Run:
        """The run as figures draw it: a diverged run cut before its values blew up (non-finite,
        or beyond 1e8 in size), with the divergence in its name; any other run as it is."""
        if self.summary.get("status") != "diverged" or len(self.loss) == 0:
            return self
        values = np.column_stack([self.loss, *self.columns.values()])
        sane = np.all(np.isfinite(values) & (np.abs(values) <= 1e8), axis=1)
        keep = int(np.argmin(sane)) if not sane.all() else len(sane)
        keep = max(keep, 1)
        cut = slice(0, keep)
        steps = int(self.summary.get("steps") or len(self.loss))
        last = int(self.epoch[keep - 1])
        ok = (self.epochs["epoch"] <= last) & (np.abs(self.epochs["train_loss"]) <= 1e8)
        final = {k: np.asarray(v[keep - 1]) for k, v in self.columns.items()}
        if any(k.endswith("_norm") for k in final):  # tensors: only their norms are in history
            saved = self.final_params
            bounded = all(np.all(np.abs(v) <= 1e8) for v in saved.values())
            final = saved if bounded else self.initial_params
        return replace(
            self, epoch=self.epoch[cut], step=self.step[cut], loss=self.loss[cut],
            epochs={k: v[ok] for k, v in self.epochs.items()}, params_override=final,
            columns={k: v[cut] for k, v in self.columns.items()},
            lr=None if self.lr is None else self.lr[cut],
            grad_norm=None if self.grad_norm is None else self.grad_norm[cut],
            title_note=f" (diverged at step {steps + 1}; drawn to step {self.step[keep - 1]})")

    @property
    def status(self) -> str:
        """summary.json's status, but `stopped` for a run that says `running` while no live
        process holds its folder (it was killed: SIGKILL, power loss)."""
        status = str(self.summary.get("status", "unknown"))
        return "stopped" if status == RUNNING and holder(self.path) is None else status

    @property
    def model_kind(self) -> str:
        return str(self.config.get("model", {}).get("kind", "linear"))

    @property
    def loss_kind(self) -> str:
        return str(self.config.get("loss", {}).get("kind", "mse"))

    @property
    def is_classifier(self) -> bool:
        return self.loss_kind in ("bce", "cross_entropy")

    @property
    def final_params(self) -> dict:
        """Final parameters as arrays (the last saved while a run is still running): model.npz's,
        else summary.json's (folders from before model.npz)."""
        if self.params_override is not None:
            return self.params_override
        saved = self._saved_model()
        if saved is not None:
            return saved.params
        values = self.summary.get("final_params") or self.summary.get("initial_params") or {}
        return {name: np.asarray(value, dtype=np.float64) for name, value in values.items()}

    @property
    def initial_params(self) -> dict:
        saved = self._saved_model()
        if saved is not None:
            return saved.initial
        values = self.summary.get("initial_params") or {}
        return {name: np.asarray(value, dtype=np.float64) for name, value in values.items()}

    def _saved_model(self):
        if self._model is None and (self.path / MODEL).is_file():
            self._model = read_model(self.path)
        return self._model

    def reference(self) -> tuple[dict, str] | tuple[None, None]:
        """(values, label): the least-squares solution, else the true parameters in the units
        trained on (only when the data was not standardised), else (None, None)."""
        if self.summary.get("least_squares"):
            values = self.summary["least_squares"]
            return {k: np.asarray(v, dtype=np.float64) for k, v in values.items()}, "least squares"
        true = self.summary.get("true_params")
        if true and not self.config.get("data", {}).get("standardize", False):
            return {k: np.asarray(v, dtype=np.float64) for k, v in true.items()}, "true value"
        return None, None

    def dataset(self):
        """The data trained on (data.Dataset): data.csv if written, else loaded from config.yaml."""
        if self._dataset is None:
            self._dataset = _load_dataset(self)
        return self._dataset

    @property
    def n_features(self) -> int:
        """The model's inputs: from model.npz when present (no need to read the data)."""
        saved = self._saved_model()
        if saved is not None and saved.info.feature_names:
            return len(saved.info.feature_names)
        return self.dataset().n_features

    def data_problem(self) -> str | None:
        """None when the data trained on can be read, else why not (its CSV gone or changed)."""
        try:
            self.dataset()
        except RunFolderError as exc:
            return str(exc)
        return None

    def epoch_end_steps(self) -> np.ndarray:
        """The step number that ends each epoch listed in epochs.csv."""
        ends = {}
        for e, s in zip(self.epoch.tolist(), self.step.tolist()):
            ends[e] = s
        return np.array([ends.get(int(e), np.nan) for e in self.epochs["epoch"]], dtype=float)


def load_run(path: str | Path) -> Run:
    """Read and check a run folder. Raises RunFolderError saying what is wrong and what to do."""
    path = Path(path)
    check_is_run(path)
    summary = read_summary(path / SUMMARY)
    _check_summary(summary, path / SUMMARY)
    config = read_config(path / CONFIG)
    notes: list[str] = []
    header, table = read_numeric_csv(path / HISTORY, notes=notes)
    if header[:2] != ["epoch", "step"] or "loss" not in header[2:]:
        raise RunFolderError("not a history.csv: expected columns epoch, step, parameters..., loss",
                             where=f"{path / HISTORY}:1", hint=RERUN)
    if len(table) == 0:
        status = summary.get("status", "unknown")
        message = summary.get("message") or ""
        detail = f"{status}: {message}" if message else status
        raise RunFolderError(
            f"the run stopped before its first step (status {detail})",
            where=str(path), hint="nothing to plot yet: fix the run's problem and train it again")
    epochs_header, epochs_table = read_numeric_csv(path / EPOCHS, allow_empty=True, notes=notes)
    if epochs_header[:3] != ["epoch", "train_loss", "val_loss"]:
        raise RunFolderError("not an epochs.csv: expected columns epoch, train_loss, val_loss, ...",
                             where=f"{path / EPOCHS}:1", hint=RERUN)
    at = header.index("loss")
    columns = {name: table[:, i] for i, name in enumerate(header[2:at], start=2)}
    tail = {name: table[:, i] for i, name in enumerate(header[at:], start=at)}
    epochs = {name: epochs_table[:, i] for i, name in enumerate(epochs_header)}
    return Run(path=path, summary=summary, config=config, epoch=table[:, 0].astype(int),
               step=table[:, 1].astype(int), columns=columns, loss=tail["loss"], epochs=epochs,
               lr=tail.get("lr"), grad_norm=tail.get("grad_norm"), notes=notes)


def check_is_run(path: Path) -> None:
    """RunFolderError unless `path` is a folder holding every required run file."""
    where = str(path)
    if not path.exists():
        raise RunFolderError("no such folder", where=where,
                             hint="give the folder autograd-train wrote "
                                  "(output.dir, or its {--out})")
    if not path.is_dir():
        raise RunFolderError("not a folder", where=where,
                             hint="give the run folder, not one of its files")
    present = [name for name in REQUIRED if (path / name).is_file()]
    if not present:
        runs = sorted(p.name for p in path.iterdir() if (p / HISTORY).is_file())
        hint = (f"it holds runs; give one of them, e.g. {path / runs[0]}" if runs else
                f"a run folder holds {', '.join(REQUIRED)}, written by autograd-train")
        raise RunFolderError("not a run folder (no history.csv or summary.json)", where=where,
                             hint=hint)
    for name in REQUIRED:
        if name not in present:
            raise RunFolderError(f"{name} is missing", where=where, hint=RERUN)


def read_numeric_csv(path: Path, allow_empty: bool = False, notes: list | None = None
                     ) -> tuple[list[str], np.ndarray]:
    """(header, rows as float array); an empty cell reads as NaN. RunFolderError when the file
    is empty, a row has the wrong number of fields or a cell is not a number. A last row cut
    short (no line end: the writer was killed mid-row) is dropped, with a note in `notes`."""
    try:
        text = path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RunFolderError(f"cannot read: {exc}", where=str(path), hint=RERUN) from None
    if len(rows) > 1 and not text.endswith("\n"):
        rows.pop()
        if notes is not None:
            notes.append(f"{path}: its last row was cut short (the run was stopped while "
                         f"writing it) and is left out")
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RunFolderError("the file is empty (no header)", where=str(path), hint=RERUN)
    header = [cell.strip() for cell in rows[0]]
    values = []
    for line, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(header):
            raise RunFolderError(
                f"expected {len(header)} fields like the header, got {len(cells)}: the file is "
                "truncated or was edited", where=f"{path}:{line}", hint=RERUN)
        values.append([_cell(cell, path, line, name) for cell, name in zip(cells, header)])
    table = np.array(values, dtype=np.float64).reshape(len(values), len(header))
    return header, table


def _cell(text: str, path: Path, line: int, column: str) -> float:
    text = text.strip()
    if text == "":
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise RunFolderError(f"non-numeric value {text!r}: the file is truncated or was edited",
                             where=f"{path}:{line}: column '{column}'", hint=RERUN) from None


def read_summary(path: Path) -> dict:
    """summary.json as a dict; RunFolderError when it is missing, truncated or not an object."""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"not valid JSON ({exc}): the file is truncated or was edited",
                             where=str(path), hint=RERUN) from None
    if not isinstance(summary, dict):
        raise RunFolderError("expected a JSON object", where=str(path), hint=RERUN)
    return summary


def read_config(path: Path) -> dict:
    """config.yaml as a dict (the run's resolved config); RunFolderError when unreadable."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RunFolderError(f"not valid YAML: {exc}", where=str(path), hint=RERUN) from None
    if not isinstance(config, dict):
        raise RunFolderError("expected a YAML mapping (the run's resolved config)",
                             where=str(path), hint=RERUN)
    return config


def _check_summary(summary: dict, path: Path) -> None:
    """RunFolderError unless summary.json has a known status and numeric parameters."""
    if summary.get("status") not in STATUSES:
        raise RunFolderError(f"not a summary this tool wrote: status is "
                             f"{summary.get('status')!r}", where=str(path), hint=RERUN)
    for key in ("initial_params", "final_params", "least_squares", "true_params"):
        values = summary.get(key)
        if values is None:
            continue
        try:
            if not isinstance(values, dict):
                raise TypeError(type(values).__name__)
            for value in values.values():
                np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise RunFolderError(f"{key} holds something other than numbers ({exc})",
                                 where=str(path), hint=RERUN) from None


def summary_or_none(folder: Path) -> dict | None:
    """The folder's summary.json, or None when there is none or it cannot be read (not a run)."""
    try:
        return read_summary(folder / SUMMARY)
    except RunFolderError:
        return None


def missing_files(folder: Path, summary: dict) -> list[str]:
    """The files a run that ended with `summary` should hold but `folder` lacks (a finished run
    missing one is not kept as finished: a sweep reruns it)."""
    wanted = [*REQUIRED, *([MODEL] if summary.get("status") == "completed" else [])]
    return [name for name in wanted if not (Path(folder) / name).is_file()]


def _load_dataset(run: Run):
    return run_dataset(run.path)


def run_dataset(path: str | Path):
    """The data a run trained on (data.Dataset), as the model saw it: data.csv (generated data),
    else the CSV file data_source.json records, checked to be the same file (RunFolderError
    when it is gone or changed), else (old folders) the data config.yaml describes."""
    path = Path(path)
    if (path / DATA).is_file():
        from autogradcli.runs.data_file import read_dataset_csv

        return read_dataset_csv(path / DATA)
    from autogradcli.config import load_config
    from autogradcli.data import load_data

    config = load_config(path / CONFIG)
    if not (path / DATA_SOURCE).is_file():
        return load_data(config.data, config.base_dir, config.seed)
    from autogradcli.runs.data_file import read_data_source

    source = read_data_source(path, getattr(config.data, "path", None))
    section = config.data.model_copy(update={"path": str(source.found)})
    return load_data(section, config.base_dir, config.seed, source.val_indices)


def last_epoch(folder: Path) -> tuple[int | None, float | None]:
    """(epoch, loss) of epochs.csv's last whole row (val_loss if any, else train_loss), read from
    the end of the file so a run in progress costs a few hundred bytes; (None, None) before the
    first epoch or when unreadable."""
    try:
        with (folder / EPOCHS).open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None, None
    lines = tail.split("\n")
    whole = [line for line in lines[:-1] if line.strip()]  # the last piece may be cut short
    if not whole or whole[-1].startswith("epoch"):
        return None, None
    cells = whole[-1].split(",")
    try:
        epoch = int(float(cells[0]))
        losses = [float(c) for c in cells[1:3] if c.strip()]
    except (ValueError, IndexError):
        return None, None
    return epoch, (losses[-1] if losses else None)
