"""The data a run trained on: data.csv (generated data: the rows as the model saw them, with their
split) or data_source.json (CSV data: where the file is, its size and SHA-256, and the split).

Generated data is small and is copied so figures need nothing outside the folder; a CSV file can
be large, so the run records it instead and readers check it is still the same file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autogradcli.data import Dataset
from autogradcli.data.csv_source import parse_number, read_rows
from autogradcli.errors import DataError, RunFolderError
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import DATA_SOURCE

__all__ = ["DataSource", "file_digest", "read_data_source", "read_dataset_csv",
           "write_data_source", "write_dataset_csv"]

SOURCE_FORMAT = 1


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


# ------------------------------------------------------------------ CSV data: a record, no copy
_CHUNK = 1 << 20


def file_digest(path: str | Path) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex digest) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_data_source(dataset: Dataset, given: str, path: str | Path) -> None:
    """Write data_source.json for a dataset read from a CSV file (dataset.source_file).

    `given` is the path as the config wrote it. The record holds the file's size and SHA-256
    and the rows held out for validation (indices into the rows the data section reads, in file
    order); every other row trained. A rerun of the same data gives a byte-identical file.
    """
    size, sha256 = file_digest(dataset.source_file)
    held = dataset.val_indices if dataset.val_indices is not None else np.zeros(0, np.int64)
    record = {"format": SOURCE_FORMAT, "path": given, "resolved": dataset.source_file,
              "size": size, "sha256": sha256, "rows": dataset.n_train + dataset.n_val,
              "train_rows": dataset.n_train, "val_rows": dataset.n_val}
    # one key per line, the indices on one line: readable, and small even for a million rows
    text = json.dumps(record, indent=1)[:-2]
    text += ',\n "val": ' + json.dumps([int(i) for i in held]) + "\n}\n"
    write_atomic(path, text)


@dataclass
class DataSource:
    """A run's data_source.json, with the file it names found and checked (`found`)."""

    record: dict
    found: Path

    @property
    def val_indices(self) -> np.ndarray:
        return np.asarray(self.record["val"], dtype=np.int64)


def read_data_source(folder: str | Path, config_path: str | None) -> DataSource:
    """The CSV a run trained on, found and checked against data_source.json.

    Looked for at config.yaml's data.path (relative to the run folder: `config_path`), then at
    the resolved path recorded. RunFolderError when the record is unreadable, the file is gone,
    or its size or SHA-256 differs from the run's (the data changed since).
    """
    folder = Path(folder)
    where = str(folder / DATA_SOURCE)
    record = _read_record(folder / DATA_SOURCE)
    # absolute: the caller loads it from there whatever its working folder or base_dir
    places = [Path(os.path.abspath(folder / config_path))] if config_path else []
    places.append(Path(record["resolved"]))
    existing = [p for p in places if p.is_file()]
    if not existing:
        raise RunFolderError(
            f"the run's data file is gone: {record['resolved']} (the config named "
            f"{record['path']!r})", where=where,
            hint=f"put the CSV file the run trained on back there ({record['size']} bytes, "
                 f"SHA-256 {record['sha256'][:16]}...); the run folder keeps no copy of it")
    for place in existing:
        if place.stat().st_size == record["size"] and file_digest(place)[1] == record["sha256"]:
            return DataSource(record, place)
    place = existing[0]
    size = place.stat().st_size
    what = (f"{size} bytes now, {record['size']} then" if size != record["size"]
            else "same size, other contents (SHA-256 differs)")
    raise RunFolderError(
        f"the run's data file changed since the run: {place} ({what})", where=where,
        hint=f"put back the file the run trained on (SHA-256 {record['sha256'][:16]}...), or "
             "train the config again on the new data (autograd-train CONFIG {--overwrite})")


def _read_record(path: Path) -> dict:
    hint = "rerun autograd-train on its config (with {--overwrite}) to write it again"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"cannot read: {exc}", where=str(path), hint=hint) from None
    keys = ("format", "path", "resolved", "size", "sha256", "val")
    if not isinstance(record, dict) or any(k not in record for k in keys):
        raise RunFolderError(f"not a data_source.json: expected the keys {', '.join(keys)}",
                             where=str(path), hint=hint)
    held, rows = record["val"], record.get("rows")
    if not (isinstance(held, list) and isinstance(rows, int)
            and all(isinstance(i, int) and 0 <= i < rows for i in held)):
        raise RunFolderError("its `val` is not a list of row indices below `rows`",
                             where=str(path), hint=hint)
    if record["format"] != SOURCE_FORMAT:
        raise RunFolderError(f"format {record['format']!r}, this version reads "
                             f"{SOURCE_FORMAT}", where=str(path),
                             hint="read it with the autogradcli version that wrote it")
    return record


def data_source_path(folder: str | Path) -> str:
    """The CSV file a run's data_source.json records (its resolved path)."""
    return str(_read_record(Path(folder) / DATA_SOURCE)["resolved"])
