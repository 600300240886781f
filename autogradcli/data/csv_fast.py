"""The fast path of CSV reading: the whole numeric body parsed by numpy's bulk reader (C code,
no Python object per cell), so a large file is read at np.loadtxt's speed and memory.

It only says yes or no: a file it cannot take exactly as the cell-by-cell reader of
csv_source.py would (a missing or non-numeric cell, quotes, a ragged row, a header that is not
one line, labels not listed, a missing column...) returns None, and that reader reads it again
and names the problem with its line and column. Must not import the engine.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_fast"]


class _Refused(ValueError):
    """A cell the bulk reader must not decide on (a quote, a label not listed)."""


def read_fast(path: Path, cfg: Any) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """(x, y, feature names) as the exact reader would give them, or None when it refuses."""
    header = _header(path)
    if header is None or cfg.target not in header:
        return None
    features = cfg.features or [c for c in header if c != cfg.target]
    if not features or any(c not in header for c in features):
        return None
    target_at = header.index(cfg.target)
    feature_at = [header.index(c) for c in features]
    used = {*feature_at} | ({target_at} if cfg.classes is None else set())
    # every cell passes through numpy's float parser or a converter, so a row with a field too
    # many or too few, or a quote anywhere, makes the bulk reader refuse
    converters = {i: _ignored for i in range(len(header)) if i not in used}
    if cfg.classes is not None:
        converters[target_at] = _label_index({label: i for i, label in enumerate(cfg.classes)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": refused below
            table = np.loadtxt(path, delimiter=",", skiprows=1, comments=None, ndmin=2,
                               dtype=np.float64, encoding="utf-8-sig",
                               converters=converters or None)
    except (ValueError, OSError, UnicodeDecodeError):
        return None
    if table.shape[0] == 0 or table.shape[1] != len(header):
        return None
    columns = _columns(table, feature_at, target_at, cfg.classes)
    return None if columns is None else (*columns, features)


def _columns(table: np.ndarray, feature_at: list[int], target_at: int, classes):
    """(x, y) out of the parsed table, or None when the exact reader would refuse the values."""
    y = table[:, target_at]
    if classes is not None:
        kept = y >= 0  # rows whose label is not listed are dropped, as the exact reader does
        if len(np.unique(y[kept])) != len(classes):
            return None  # a listed class never appears: the exact reader names it
        x = _take(table, feature_at) if kept.all() else table[np.ix_(kept, feature_at)]
        y = y[kept]
    else:
        x = _take(table, feature_at)
        y = y.copy()
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None  # nan, inf, 1e400: the exact reader says which cell
    return x, y


def _take(table: np.ndarray, columns: list[int]) -> np.ndarray:
    """The columns, as a view of the table when they are adjacent and in order (the usual
    layout: features, then the target), so the file's numbers are held once, not twice."""
    start = columns[0]
    if columns == list(range(start, start + len(columns))):
        return table[:, start:start + len(columns)]
    return table[:, columns]


def _header(path: Path) -> list[str] | None:
    """The stripped column names when the header is one line of distinct names, else None."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or reader.line_num != 1:
                return None
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    header = [c.strip() for c in header]
    if not any(header) or len(set(header)) != len(header):
        return None
    return header


def _ignored(cell: str) -> float:
    if '"' in cell:
        raise _Refused(cell)
    return 0.0


def _label_index(index: dict[str, int]):
    def convert(cell: str) -> float:
        if '"' in cell:
            raise _Refused(cell)
        return float(index.get(cell.strip(), -1))
    return convert
