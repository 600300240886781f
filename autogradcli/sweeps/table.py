"""sweep.csv and the results of a sweep: one row per point, its values, status and final losses.

The one owner of the sweep table's format: the sweep writes it, figures and scripts read it here.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autogradcli.errors import RunFolderError
from autogradcli.nn.specs import default_mode

__all__ = ["SWEEP_CSV", "SWEEP_YAML", "InFlight", "RunDone", "SweepResult", "SweepRow",
           "SweepStart", "objective_name", "read_sweep_csv", "summary_metrics", "sweep_csv",
           "value_cell"]

SWEEP_CSV = "sweep.csv"
SWEEP_YAML = "sweep.yaml"
RESULT_COLUMNS = ("status", "final_train_loss", "final_val_loss")  # after the swept keys
MAX_PARAM_COLUMNS = 4


@dataclass(frozen=True)
class RunDone:
    """Sent per run as it finishes (and, first, for each run kept from an earlier sweep)."""

    done: int
    total: int
    name: str
    values: dict
    status: str
    final_train_loss: float | None
    final_val_loss: float | None
    seconds: float | None
    message: str
    skipped: bool
    folder: Path
    trial: int = 0
    epochs: int | None = None  # the epochs this run has reached (its budget, with halving)
    objective: float | None = None


@dataclass(frozen=True)
class SweepStart:
    """Sent once before any run: how many runs will execute (`total`, counting each halving rung's
    runs) and how the sweep searches."""

    folder: Path
    keys: list
    total: int
    strategy: str
    objective: str
    rungs: list = field(default_factory=list)  # halving: [(trials kept, epochs)] per rung
    maximize: bool = False  # higher objective is better (val_accuracy)


@dataclass(frozen=True)
class InFlight:
    """Sent about twice a second while runs execute: (name, values, epoch, epochs, loss) of each
    run in progress, read from its folder (epoch and loss are None until known)."""

    runs: list


@dataclass
class SweepRow:
    """One point of the sweep and how its run ended (a row of sweep.csv)."""

    name: str
    values: dict
    status: str
    message: str
    final_train_loss: float | None
    final_val_loss: float | None
    final_params: dict | None
    seconds: float | None
    folder: Path
    skipped: bool = False
    trial: int = 0
    epochs: int | None = None
    metrics: dict = field(default_factory=dict)  # train_r2, val_accuracy, ...: summary's metrics

    @property
    def final_loss(self) -> float | None:
        """The validation loss if there is a split, else the training loss (None if not finite)."""
        loss = self.final_val_loss if self.final_val_loss is not None else self.final_train_loss
        return loss if loss is not None and math.isfinite(loss) else None

    def value_of(self, objective: str | None) -> float | None:
        """The objective's final value (None: final_loss; `train_loss`, `val_loss` or a metric
        column such as `val_accuracy`); None when missing or not finite."""
        if objective is None:
            return self.final_loss
        if objective in ("train_loss", "val_loss"):
            value = getattr(self, f"final_{objective}")
        else:
            value = self.metrics.get(objective)
        return value if isinstance(value, float) and math.isfinite(value) else None


@dataclass
class SweepResult:
    """The sweep folder, the swept keys and one row per point in trial order."""

    folder: Path
    keys: list[str]
    rows: list[SweepRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. runs not logged to MLflow
    objective: str | None = None  # None: the validation loss if there is a split, else training's
    strategy: str = "grid"

    @property
    def runs(self) -> list[SweepRow]:
        """The rows (the name the CLI reads)."""
        return self.rows

    @property
    def csv_path(self) -> Path:
        return self.folder / SWEEP_CSV

    @property
    def objective_name(self) -> str:
        """What rows are ranked by, as a column name (val_loss, train_loss, val_accuracy...)."""
        return objective_name(self.objective, self.rows)

    def sorted_by_objective(self) -> list[SweepRow]:
        """Rows by the objective, best first (lowest loss, highest accuracy; with halving, those
        that reached the most epochs first); rows without it last, in trial order."""
        sign = -1.0 if default_mode(self.objective_name) == "max" else 1.0
        halving = self.strategy == "halving"  # the runs that went furthest first: comparable

        def key(row: SweepRow) -> tuple:
            return (-(row.epochs or 0) if halving else 0, sign * row.value_of(self.objective))
        ranked = sorted((r for r in self.rows if r.value_of(self.objective) is not None), key=key)
        return ranked + [r for r in self.rows if r.value_of(self.objective) is None]

    def sorted_by_loss(self) -> list[SweepRow]:
        """Rows by final loss (val if split, else train), best first; rows without one last."""
        ranked = sorted((r for r in self.rows if r.final_loss is not None),
                        key=lambda r: r.final_loss)
        return ranked + [r for r in self.rows if r.final_loss is None]

    def counts(self) -> dict[str, int]:
        """status -> number of runs."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts


def objective_name(objective: str | None, rows: list[SweepRow]) -> str:
    """The objective as a column name: `objective`, else val_loss when any row has one."""
    if objective is not None:
        return objective
    return "val_loss" if any(r.final_val_loss is not None for r in rows) else "train_loss"


def summary_metrics(summary: dict) -> dict[str, float]:
    """summary.json's metrics as columns: {"train": {"r2": ..}} -> {"train_r2": ..} (floats)."""
    columns = {}
    for split, values in (summary.get("metrics") or {}).items():
        for name, value in (values or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                columns[f"{split}_{name}"] = float(value)
    return columns


def sweep_csv(keys: list[str], rows: list[SweepRow]) -> str:
    """sweep.csv's text: trial, swept values, status, epochs reached, final losses, metrics, few
    scalar parameters, seconds, folder, message; one row per run in trial order."""
    params = _param_columns(rows)
    metrics = list(dict.fromkeys(name for row in rows for name in row.metrics))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["trial", *keys, "status", "epochs", "final_train_loss", "final_val_loss",
                     *metrics, *params, "seconds", "folder", "message"])
    for row in rows:
        finals = row.final_params or {}
        writer.writerow([
            row.trial, *(value_cell(row.values[k]) for k in keys), row.status,
            "" if row.epochs is None else row.epochs,
            _float_cell(row.final_train_loss), _float_cell(row.final_val_loss),
            *(_float_cell(row.metrics.get(m)) for m in metrics),
            *(_float_cell(finals.get(p)) for p in params),
            _float_cell(row.seconds), row.folder.name, row.message,
        ])
    return out.getvalue()


def _param_columns(rows: list[SweepRow]) -> list[str]:
    """The final parameters' names when every one is a scalar and there are at most four."""
    names: list[str] = []
    for row in rows:
        for name, value in (row.final_params or {}).items():
            if isinstance(value, (list, dict)):
                return []
            if name not in names:
                names.append(name)
    return names if len(names) <= MAX_PARAM_COLUMNS else []


def _float_cell(value: Any) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return repr(float(value))


def value_cell(value: Any) -> str:
    """A swept value in sweep.csv and folder names: YAML-like (true, null, 0.02, [16, 16])."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return str(value)


def read_sweep_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(the swept keys, one dict per row by column) of a sweep.csv; RunFolderError if unreadable.

    The keys are the columns between `trial` and `status`, as sweep_csv writes them.
    """
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = [row for row in reader if any((v or "").strip() for v in row.values())]
            header = [h.strip() for h in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RunFolderError(f"cannot read: {exc}", where=str(path)) from None
    if RESULT_COLUMNS[0] not in header or "folder" not in header:
        raise RunFolderError("not a sweep.csv: expected the swept keys, status, ..., folder",
                             where=f"{path}:1",
                             hint="sweep.csv is written by a sweep; run it again")
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in rows]
    first = 1 if header and header[0] == "trial" else 0  # sweeps before 0.3 had no trial column
    return header[first: header.index(RESULT_COLUMNS[0])], rows
