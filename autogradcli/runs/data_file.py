"""data.csv of a run folder: the rows trained on, as the model saw them, with their split.

Written by every run so that figures and reruns need nothing outside the folder.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from autogradcli.data import Dataset
from autogradcli.data.csv_source import parse_number, read_rows
from autogradcli.errors import DataError
from autogradcli.runs.atomic import write_atomic

__all__ = ["read_dataset_csv", "write_dataset_csv"]



def write_dataset_csv(dataset: Dataset, path: str | Path) -> None:
    """Write data.csv: the feature columns, the target, and `split` (train or val), as trained on.

    Floats use Python's shortest round-trip repr, so the file is byte-identical for the same data;
    class indices are written as integers. The file appears whole or not at all.
    """
    header = [*dataset.feature_names, dataset.target_name, "split"]
    classify = dataset.task == "classification"
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for x, y, split in ((dataset.x, dataset.y, "train"), (dataset.x_val, dataset.y_val, "val")):
        for row, target in zip(x, y):
            label = str(int(target)) if classify else repr(float(target))
            writer.writerow([*(repr(float(v)) for v in row), label, split])
    write_atomic(path, text.getvalue())


def read_dataset_csv(path: str | Path) -> Dataset:
    """Read a data.csv written by write_dataset_csv (for plotting); DataError if malformed.

    The target column is the one before `split`. The task is "classification" when every target is
    written as an integer (write_dataset_csv does so only for class labels).
    """
    header, rows, name = read_rows(Path(path))
    if len(header) < 3 or header[-1] != "split":
        raise DataError("not a data.csv: expected feature columns, a target and 'split' last",
                        where=f"{name}:1")
    features, target = header[:-2], header[-2]
    hint = "data.csv is written by autograd-train; regenerate it"
    x = [[parse_number(c, line, header[i], name, hint) for i, c in enumerate(cells[:-2])]
         for line, cells in rows]
    y = [parse_number(cells[-2], line, target, name, hint) for line, cells in rows]
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
