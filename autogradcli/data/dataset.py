"""Datasets as plain float64 numpy arrays: the Dataset, seeded streams, the split, scaling.

Generators are in synthetic.py, CSV reading in csv_source.py, and loading.py combines them. Must
not import the engine, rich, typer or matplotlib.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from autogradcli.errors import DataError

__all__ = ["HUGE_MESSAGE", "Dataset", "as_class_indices", "check_batch_size", "check_magnitude",
           "make_rng", "moments", "split", "split_indices", "val_rows"]


@dataclass
class Dataset:
    """Training and validation rows, as the model sees them (after standardisation).

    `y` is 1-D, shape (n,): the target for regression, the class index 0..k-1 (as float64) for
    classification. `x_val`/`y_val` have 0 rows when there is no split. When standardised,
    x_used = (x_raw - feature_mean) / feature_scale (and likewise the target with
    target_mean/scale); `true_params` (generated data only) are always in raw units.
    """

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    feature_names: list[str]
    target_name: str
    task: Literal["regression", "classification"] = "regression"
    class_names: list[str] | None = None
    true_params: dict[str, Any] | None = None
    generated: bool = False
    feature_mean: np.ndarray | None = None
    feature_scale: np.ndarray | None = None
    target_mean: float | None = None
    target_scale: float | None = None
    source: str = ""
    source_file: str | None = None  # a CSV's resolved path (None for generated data)
    val_indices: np.ndarray | None = None  # the CSV rows held out (0-based, sorted); the rest train

    @property
    def n_train(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.x_val.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_classes(self) -> int | None:
        """Number of classes for classification, None for regression."""
        return None if self.class_names is None else len(self.class_names)


def make_rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per purpose ("data", "split", "init", "shuffle") from one seed.

    Changing how one stream is used (say val_fraction) leaves the others' draws unchanged.
    """
    return np.random.default_rng([int(seed), zlib.crc32(stream.encode("utf-8"))])


def split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int, source: str = "data"):
    """(x, y, x_val, y_val): a seeded random val_fraction of the rows held out.

    Both parts keep the rows' order.
    """
    held = split_indices(x.shape[0], val_fraction, seed, source)
    return split_at(x, y, held)


def split_indices(n: int, val_fraction: float, seed: int, source: str = "data") -> np.ndarray:
    """The rows `split` holds out for validation (sorted), out of n."""
    n_val = val_rows(n, val_fraction)
    if n - n_val < 1:
        raise DataError(f"no training rows: {n} row(s) and val_fraction {val_fraction}",
                        where=source, hint="use a smaller val_fraction, or more rows")
    if n_val == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(make_rng(seed, "split").permutation(n)[:n_val])


def split_at(x: np.ndarray, y: np.ndarray, held: np.ndarray):
    """(x, y, x_val, y_val) with the rows `held` (sorted indices) for validation."""
    if len(held) == 0:
        return x, y, x[:0], y[:0]
    kept = np.ones(x.shape[0], dtype=bool)
    kept[held] = False
    return x[kept], y[kept], x[held], y[held]


def val_rows(n: int, val_fraction: float) -> int:
    """Rows held out: n * val_fraction rounded half up.

    Config validation checks the batch size with it.
    """
    return math.floor(n * val_fraction + 0.5)


def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    # a constant column would divide by zero; leave it centred and unscaled instead
    scale = np.where(scale > 0, scale, 1.0)
    return mean, scale


def check_batch_size(batch_size: int | None, dataset: Dataset, where: str | None = None) -> None:
    """Raise DataError when batch_size exceeds the training rows (None, full batch, always fits)."""
    if batch_size is not None and batch_size > dataset.n_train:
        raise DataError(f"batch size {batch_size} is larger than the {dataset.n_train} "
                        "training rows", where=where or "training.batch_size",
                        hint=f"use batch_size <= {dataset.n_train}, or null for full batch")


# Beyond this a squared error, a variance or a layer's product overflows float64 (max ~1.8e308).
HUGE = 1e150
HUGE_MESSAGE = "values too large to train on"


def check_magnitude(data: Dataset) -> None:
    """DataError when a column holds values no float64 training (or scaling) can handle, so they
    are reported as the data's problem, not as a divergence blamed on the learning rate."""
    for values, names in ((data.x, data.feature_names), (data.y[:, None], [data.target_name])):
        if values.size == 0:
            continue
        with np.errstate(invalid="ignore"):
            peak = np.abs(values).max(axis=0)
        column = int(np.argmax(np.where(np.isfinite(peak), peak, np.inf)))
        if not peak[column] <= HUGE:  # also inf and nan
            raise DataError(f"{HUGE_MESSAGE}: column '{names[column]}' reaches "
                            f"{peak[column]:.3g}; beyond about {HUGE:.0e} float64 arithmetic "
                            "overflows (the loss squares them, scaling takes their variance)",
                            where=data.source, hint="rescale the column (e.g. other units)")


def as_class_indices(data: Dataset) -> None:
    """Read a numeric target as class indices 0, 1, ..., k-1 (what torch's losses take), in place:
    the task becomes classification with labels "0".."k-1". DataError for other values."""
    y = np.concatenate([data.y, data.y_val])
    odd = y[(y != np.round(y)) | (y < 0)]
    k = int(y.max()) + 1 if y.size else 0
    if odd.size or k > y.size:
        what = (f"holds {odd[0]:g}, not a class index" if odd.size else
                f"reaches {k - 1} with only {y.size} rows: these are not class indices")
        raise DataError(f"the target column '{data.target_name}' {what}", where=data.source,
                        hint="without data.classes, class labels must be the integers 0, 1, "
                             "..., k-1; or list the labels as written under data.classes, "
                             "e.g. classes: [a, b]")
    data.task, data.class_names = "classification", [str(i) for i in range(k)]
