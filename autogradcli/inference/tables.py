"""New rows in and predictions out as CSV: columns found by the names the run trained on.

Any column order; extra columns are ignored (or carried through with `keep`). Cells are checked
as the training data's are, so a mistake names its line and column.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autogradcli.data.csv_source import parse_number, read_rows
from autogradcli.errors import DataError, RunFolderError, did_you_mean
from autogradcli.inference.trained import TrainedModel
from autogradcli.runs.atomic import write_atomic

SUFFIX = ".predictions.csv"


@dataclass
class Table:
    """Rows read for a model: features (n, d), the target cells if asked, kept columns."""

    x: np.ndarray
    target: list[str] | None
    kept: dict[str, list[str]]
    name: str


def read_table(path: str | Path, model: TrainedModel, *, keep=(), with_target=False) -> Table:
    """The model's feature columns of a CSV (and its target column with `with_target`)."""
    header, rows, name = read_rows(Path(path))
    wanted = [*model.feature_names, *keep] + ([model.info.target_name] if with_target else [])
    at = {column: _column(header, column, name) for column in wanted}
    hint = "fix the cell; every feature the model was trained on needs a number"
    x = [[parse_number(cells[at[c]], line, c, name, hint) for c in model.feature_names]
         for line, cells in rows]
    target = None
    if with_target:
        column = model.info.target_name
        target = [cells[at[column]].strip() for _, cells in rows]
        _check_target(target, rows, model, column, name)
    kept = {c: [cells[at[c]] for _, cells in rows] for c in keep}
    x_array = np.asarray(x, dtype=np.float64).reshape(len(rows), len(model.feature_names))
    return Table(x_array, target, kept, name)


def _column(header: list[str], column: str, name: str) -> int:
    if column in header:
        return header.index(column)
    raise DataError(f"no column '{column}'", where=f"{name}: column '{column}'",
                    hint=did_you_mean(column, header, "Columns"))


def _check_target(target, rows, model: TrainedModel, column: str, name: str) -> None:
    """Each target cell must be a known class label (classifier) or a number (regression)."""
    known = set(model.class_labels)
    for value, (line, _) in zip(target, rows):
        where = f"{name}:{line}: column '{column}'"
        if model.is_classifier and value not in known:
            raise DataError(f"unknown class label {value!r}", where=where,
                            hint=did_you_mean(value, model.class_labels, "The model's classes"))
        if not model.is_classifier:
            parse_number(value, line, column, name, "the target must be a number to evaluate")


def target_values(table: Table, model: TrainedModel):
    """The target column as labels (classifier) or numbers."""
    if model.is_classifier:
        return np.array(table.target)
    return np.array([float(v) for v in table.target])


def predictions(model: TrainedModel, table: Table) -> dict[str, list]:
    """Column -> values: the kept columns, the prediction, and a classifier's probabilities."""
    columns: dict[str, list] = {key: list(values) for key, values in table.kept.items()}
    predicted = f"predicted_{model.info.target_name}"
    columns[predicted] = [_cell(v) for v in model.predict(table.x)]
    if model.is_classifier:
        proba = model.predict_proba(table.x)
        for i, label in enumerate(model.class_labels):
            columns[f"p_{label}"] = [float(p) for p in proba[:, i]]
    return columns


def _cell(value):
    return str(value) if isinstance(value, (str, np.str_)) else float(value)


def default_output(data_path: str | Path) -> Path:
    """DATA.csv -> DATA.predictions.csv beside it."""
    path = Path(data_path)
    return path.with_name(path.stem + SUFFIX)


def write_predictions(columns: dict[str, list], out: str | Path, *, as_json=False,
                      overwrite=False) -> Path | None:
    """Write the columns as CSV (or JSON records) to `out`, or to stdout when out is "-".

    Refuses an existing file unless overwrite; the file appears whole or not at all.
    """
    text = _as_json(columns) if as_json else _as_csv(columns)
    if str(out) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    path = Path(out)
    if path.exists() and not overwrite:
        raise RunFolderError("the output file exists", where=str(path),
                             hint="pass {--overwrite} to replace it, or choose another "
                                  "file ({--out} FILE)")
    if path.is_dir():
        raise RunFolderError("the output is a folder", where=str(path),
                             hint="give a file name ({--out} FILE)")
    try:
        return write_atomic(path, text)
    except OSError as exc:
        raise RunFolderError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None


def _as_csv(columns: dict[str, list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in zip(*columns.values()):
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return out.getvalue()


def _as_json(columns: dict[str, list]) -> str:
    records = [dict(zip(columns, row)) for row in zip(*columns.values())]
    return json.dumps(records, indent=2) + "\n"
