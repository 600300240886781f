"""CSV files: reading a `data: {kind: csv}` section with clear DataErrors (line, column, hint).

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
from autogradcli.data.csv_fast import read_fast
from autogradcli.errors import DataError, did_you_mean, path_problem

__all__ = ["parse_number", "read_csv_data", "read_rows"]

_MISSING = {"", "nan", "na", "n/a", "null", "none", "?"}


def _display(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when that is short."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith(".." + os.sep + "..") else str(path)


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """(header, [(line number, cells)], display name); DataError if missing, empty or ragged."""
    name = _display(path)
    if not path.is_file():
        raise _not_found(path, name)
    header, rows = _read_cells(path, name)
    header = _check_header(header, name)
    if not rows:
        raise DataError("no data rows below the header", where=name)
    for line, cells in rows:
        if len(cells) != len(header):
            raise DataError(f"expected {len(header)} fields like the header, got {len(cells)}",
                            where=f"{name}:{line}", hint="check for a missing or extra comma")
    return header, rows, name


def _not_found(path: Path, name: str) -> DataError:
    """The error for a missing data file, naming the CSV files next to where it was looked for."""
    hint = "relative paths start at the config file's folder"
    problem = path_problem(path)
    if problem:
        if path.is_dir():
            found = sorted(p.name for p in path.glob("*.csv"))
            if found:
                listing = did_you_mean("", found, "CSV files there", limit=20)
                hint = f"name the file in it: {listing}"
        return DataError(f"the data path {problem}", where=name, hint=hint)
    if path.parent.is_dir():
        found = sorted(p.name for p in path.parent.glob("*.csv"))
        if found:
            hint = f"{did_you_mean(path.name, found, 'CSV files there', limit=20)}; {hint}"
    return DataError("data file not found", where=name, hint=hint)


def _read_cells(path: Path, name: str) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """(header row or None when the file is empty, [(line number, cells)] of non-blank rows)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read the CSV file: {exc}", where=name) from None
    return header, rows


def _check_header(header: list[str] | None, name: str) -> list[str]:
    """The stripped column names; DataError when there are none or one appears twice."""
    if header is None or not any(c.strip() for c in header):
        raise DataError("the file is empty", where=name,
                        hint="the first line must name the columns, e.g. x1,x2,y")
    header = [c.strip() for c in header]
    for i, column in enumerate(header):
        if column in header[:i]:
            raise DataError(f"column '{column}' appears twice in the header", where=f"{name}:1")
    return header


def _column_index(header: list[str], column: str, name: str, key: str) -> int:
    if column in header:
        return header.index(column)
    raise DataError(f"no column '{column}' (from data.{key})", where=f"{name}: column '{column}'",
                    hint=did_you_mean(column, header, "Columns"))


def parse_number(cell: str, line: int, column: str, name: str, hint: str) -> float:
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
    """The rows of a csv data section (before split and standardisation), as a Dataset.

    Read by numpy's bulk reader when it takes the file; otherwise (and for every mistake, whose
    message names the line and column) cell by cell. Both give the same arrays.
    """
    path = base_dir / cfg.path
    fast = read_fast(path, cfg)
    if fast is not None:
        return _dataset(cfg, *fast, _display(path))
    return _read_exact(path, cfg)


def _read_exact(path: Path, cfg: Any) -> Dataset:
    header, rows, name = read_rows(path)
    target_at = _column_index(header, cfg.target, name, "target")
    features = cfg.features or [c for c in header if c != cfg.target]
    if not features:
        raise DataError("no feature columns: the file has only the target", where=name)
    feature_at = [_column_index(header, c, name, "features") for c in features]
    if cfg.classes is not None:
        rows, y = _class_rows(rows, target_at, cfg.classes, cfg.target, name)
    else:
        hint = "the target holds labels? list them under data.classes, e.g. classes: [a, b]"
        y = [parse_number(cells[target_at], line, cfg.target, name, hint) for line, cells in rows]
    hint = "fix the cell, or leave the column out of data.features"
    x = [[parse_number(cells[i], line, header[i], name, hint) for i in feature_at]
         for line, cells in rows]
    x_array = np.asarray(x, dtype=np.float64).reshape(len(rows), len(features))
    y_array = np.asarray(y, dtype=np.float64)
    return _dataset(cfg, x_array, y_array, features, name)


def _dataset(cfg: Any, x: np.ndarray, y: np.ndarray, features: list[str], name: str) -> Dataset:
    data = Dataset(x=x, y=y, x_val=x[:0], y_val=y[:0], feature_names=list(features),
                   target_name=cfg.target, source=name)
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
