"""CSV files: reading a `data: {kind: csv}` section with clear DataErrors, and data.csv of a run folder.

Must not import the engine, rich, typer or matplotlib.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from autogradcli.data import Dataset
from autogradcli.errors import DataError, did_you_mean

__all__ = ["read_csv_data", "read_dataset_csv", "write_dataset_csv"]

_MISSING = {"", "nan", "na", "n/a", "null", "none", "?"}


def _display(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when that is short."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith(".." + os.sep + "..") else str(path)


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """(header, [(line number, cells)], display name); DataError if missing, empty or ragged."""
    name = _display(path)
    if not path.is_file():
        hint = "relative paths start at the config file's folder"
        if path.parent.is_dir():
            found = sorted(p.name for p in path.parent.glob("*.csv"))
            if found:
                hint = f"{did_you_mean(path.name, found, 'CSV files there', limit=20)}; {hint}"
        raise DataError("data file not found", where=name, hint=hint)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read the CSV file: {exc}", where=name) from None
    if header is None or not any(c.strip() for c in header):
        raise DataError("the file is empty", where=name,
                        hint="the first line must name the columns, e.g. x1,x2,y")
    header = [c.strip() for c in header]
    for i, column in enumerate(header):
        if column in header[:i]:
            raise DataError(f"column '{column}' appears twice in the header", where=f"{name}:1")
    if not rows:
        raise DataError("no data rows below the header", where=name)
    for line, cells in rows:
        if len(cells) != len(header):
            raise DataError(f"expected {len(header)} fields like the header, got {len(cells)}",
                            where=f"{name}:{line}", hint="check for a missing or extra comma")
    return header, rows, name


def _column_index(header: list[str], column: str, name: str, key: str) -> int:
    if column in header:
        return header.index(column)
    raise DataError(f"no column '{column}' (from data.{key})", where=f"{name}: column '{column}'",
                    hint=did_you_mean(column, header, "Columns"))


def _number(cell: str, line: int, column: str, name: str, hint: str) -> float:
    text = cell.strip()
    where = f"{name}:{line}: column '{column}'"
    if text.lower() in _MISSING:
        raise DataError(f"missing value {cell!r} (NaN)", where=where,
                        hint="fill in or delete the row; missing values are not supported")
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"non-numeric value {cell!r}", where=where, hint=hint) from None
    if not math.isfinite(value):
        raise DataError(f"value {cell!r} is not a finite number", where=where,
                        hint="fill in or delete the row; missing values are not supported")
    return value


def read_csv_data(cfg: Any, base_dir: Path) -> Dataset:
    """The rows of a csv data section (before split and standardisation), as a Dataset."""
    header, rows, name = _read_rows(base_dir / cfg.path)
    target_at = _column_index(header, cfg.target, name, "target")
    features = cfg.features or [c for c in header if c != cfg.target]
    if not features:
        raise DataError("no feature columns: the file has only the target", where=name)
    feature_at = [_column_index(header, c, name, "features") for c in features]
    if cfg.classes is not None:
        rows, y = _class_rows(rows, target_at, cfg.classes, cfg.target, name)
    else:
        hint = "the target holds labels? list them under data.classes, e.g. classes: [a, b]"
        y = [_number(cells[target_at], line, cfg.target, name, hint) for line, cells in rows]
    hint = "fix the cell, or leave the column out of data.features"
    x = [[_number(cells[i], line, header[i], name, hint) for i in feature_at] for line, cells in rows]
    x_array = np.asarray(x, dtype=np.float64).reshape(len(rows), len(features))
    y_array = np.asarray(y, dtype=np.float64)
    data = Dataset(x=x_array, y=y_array, x_val=x_array[:0], y_val=y_array[:0],
                   feature_names=list(features), target_name=cfg.target, source=name)
    if cfg.classes is not None:
        data.task, data.class_names = "classification", list(cfg.classes)
    return data


def _class_rows(rows, target_at: int, classes: list[str], column: str, name: str):
    """Rows whose label is one of `classes`, and their class indices; others are dropped."""
    index = {label: i for i, label in enumerate(classes)}
    found = sorted({cells[target_at].strip() for _, cells in rows})
    for label in classes:
        if label not in found:
            raise DataError(f"class '{label}' (from data.classes) never appears",
                            where=f"{name}: column '{column}'",
                            hint=did_you_mean(label, found, "Labels in the file", limit=20))
    kept = [(line, cells) for line, cells in rows if cells[target_at].strip() in index]
    labels = [float(index[cells[target_at].strip()]) for _, cells in kept]
    return kept, labels


# ------------------------------------------------------------------------------ run folder data.csv


def write_dataset_csv(dataset: Dataset, path: str | Path) -> None:
    """Write data.csv: the feature columns, the target, and `split` (train or val), as trained on.

    Floats use Python's shortest round-trip repr, so the file is byte-identical for the same data;
    class indices are written as integers.
    """
    header = [*dataset.feature_names, dataset.target_name, "split"]
    classify = dataset.task == "classification"
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for x, y, split in ((dataset.x, dataset.y, "train"), (dataset.x_val, dataset.y_val, "val")):
            for row, target in zip(x, y):
                label = str(int(target)) if classify else repr(float(target))
                writer.writerow([*(repr(float(v)) for v in row), label, split])


def read_dataset_csv(path: str | Path) -> Dataset:
    """Read a data.csv written by write_dataset_csv (for plotting); DataError if malformed.

    The target column is the one before `split`. The task is "classification" when every target is
    written as an integer (write_dataset_csv does so only for class labels).
    """
    header, rows, name = _read_rows(Path(path))
    if len(header) < 3 or header[-1] != "split":
        raise DataError("not a data.csv: expected feature columns, a target and 'split' last",
                        where=f"{name}:1")
    features, target = header[:-2], header[-2]
    hint = "data.csv is written by autograd-train; regenerate it"
    x = [[_number(c, line, header[i], name, hint) for i, c in enumerate(cells[:-2])]
         for line, cells in rows]
    y = [_number(cells[-2], line, target, name, hint) for line, cells in rows]
    splits = [cells[-1].strip() for _, cells in rows]
    for (line, _), split in zip(rows, splits):
        if split not in ("train", "val"):
            raise DataError(f"split must be train or val, got {split!r}",
                            where=f"{name}:{line}: column 'split'")
    x_all = np.asarray(x, dtype=np.float64).reshape(len(rows), len(features))
    y_all = np.asarray(y, dtype=np.float64)
    train = np.array([s == "train" for s in splits])
    data = Dataset(x=x_all[train], y=y_all[train], x_val=x_all[~train], y_val=y_all[~train],
                   feature_names=features, target_name=target, source=name)
    if all(cells[-2].strip().lstrip("-").isdigit() for _, cells in rows):
        data.task = "classification"
        data.class_names = [str(i) for i in range(int(y_all.max()) + 1)]
    return data
