"""Datasets as plain float64 numpy arrays: the synthetic generators, seeded split and standardisation.

CSV reading and data.csv live in data_csv.py. Must not import the engine, rich, typer or matplotlib.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from autogradcli.errors import DataError

__all__ = ["Dataset", "check_batch_size", "load_data", "make_rng", "split", "val_rows"]


@dataclass
class Dataset:
    """Training and validation rows, as the model sees them (after standardisation).

    `y` is 1-D, shape (n,): the target for regression, the class index 0..k-1 (as float64) for
    classification. `x_val`/`y_val` have 0 rows when there is no split. When standardised,
    x_used = (x_raw - feature_mean) / feature_scale (and likewise the target with target_mean/scale);
    `true_params` (generated data only) are always in raw units.
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


def load_data(data_config: Any, base_dir: str | Path, seed: int) -> Dataset:
    """Generate or read the data a `data:` config section describes, then split and standardise.

    `base_dir` is the folder relative csv paths start from (the config file's). Raises DataError.
    """
    kind = data_config.kind
    if kind == "csv":
        from autogradcli.data.csv_source import read_csv_data

        raw = read_csv_data(data_config, Path(base_dir))
    else:
        raw = _GENERATORS[kind](data_config, make_rng(seed, "data"))
    x, y, x_val, y_val = split(raw.x, raw.y, data_config.val_fraction, seed, raw.source)
    raw.x, raw.y, raw.x_val, raw.y_val = x, y, x_val, y_val
    if data_config.standardize:
        raw.feature_mean, raw.feature_scale = _moments(x)
        raw.x = (x - raw.feature_mean) / raw.feature_scale
        raw.x_val = (x_val - raw.feature_mean) / raw.feature_scale
    if data_config.standardize_target:
        mean, scale = _moments(y[:, None])
        raw.target_mean, raw.target_scale = float(mean[0]), float(scale[0])
        raw.y = (y - raw.target_mean) / raw.target_scale
        raw.y_val = (y_val - raw.target_mean) / raw.target_scale
    return raw


def split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int, source: str = "data"):
    """(x, y, x_val, y_val): a seeded random val_fraction of the rows held out; both keep row order."""
    n = x.shape[0]
    n_val = val_rows(n, val_fraction)
    if n - n_val < 1:
        raise DataError(f"no training rows: {n} row(s) and val_fraction {val_fraction}",
                        where=source, hint="use a smaller val_fraction, or more rows")
    if n_val == 0:
        return x, y, x[:0], y[:0]
    order = make_rng(seed, "split").permutation(n)
    held, kept = np.sort(order[:n_val]), np.sort(order[n_val:])
    return x[kept], y[kept], x[held], y[held]


def val_rows(n: int, val_fraction: float) -> int:
    """Rows held out: n * val_fraction rounded half up (config_checks uses the same formula)."""
    return math.floor(n * val_fraction + 0.5)


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    # a constant column would divide by zero; leave it centred and unscaled instead
    scale = np.where(scale > 0, scale, 1.0)
    return mean, scale


def check_batch_size(batch_size: int | None, dataset: Dataset, where: str | None = None) -> None:
    """Raise DataError when batch_size exceeds the training rows (None, full batch, always fits)."""
    if batch_size is not None and batch_size > dataset.n_train:
        raise DataError(f"batch size {batch_size} is larger than the {dataset.n_train} training rows",
                        where=where or "training.batch_size",
                        hint=f"use batch_size <= {dataset.n_train}, or null for full batch")


# ------------------------------------------------------------------------------------ generators


def _line(cfg: Any, rng: np.random.Generator) -> Dataset:
    low, high = cfg.x_range
    x = rng.uniform(low, high, size=cfg.n)
    y = cfg.a * x + cfg.b + rng.normal(0.0, cfg.noise, size=cfg.n)
    return _generated(x[:, None], y, ["x"], "y", {"a": float(cfg.a), "b": float(cfg.b)}, "line")


def _linear(cfg: Any, rng: np.random.Generator) -> Dataset:
    if cfg.weights is None:
        weights = rng.normal(0.0, 1.0, size=cfg.n_features)
    else:
        weights = np.asarray(cfg.weights, dtype=np.float64)
    x = rng.normal(0.0, 1.0, size=(cfg.n, cfg.n_features))
    y = x @ weights + cfg.bias + rng.normal(0.0, cfg.noise, size=cfg.n)
    names = [f"x{i}" for i in range(1, cfg.n_features + 1)]
    true = {"w": [float(w) for w in weights], "b": float(cfg.bias)}
    return _generated(x, y, names, "y", true, "linear")


def _nonlinear(cfg: Any, rng: np.random.Generator) -> Dataset:
    low, high = cfg.x_range
    if cfg.function == "sin":
        x = rng.uniform(low, high, size=(cfg.n, 1))
        clean = np.sin(x[:, 0])
        names = ["x"]
    else:
        x = rng.uniform(low, high, size=(cfg.n, 2))
        clean = np.sin(x[:, 0]) * np.cos(x[:, 1])
        names = ["x1", "x2"]
    y = clean + rng.normal(0.0, cfg.noise, size=cfg.n)
    return _generated(x, y, names, "y", None, f"nonlinear {cfg.function}")


def _classes(cfg: Any, rng: np.random.Generator) -> Dataset:
    labels = rng.permutation(np.arange(cfg.n) % 2).astype(np.float64)
    direction = np.ones(cfg.n_features) / np.sqrt(cfg.n_features)
    centres = np.outer(labels - 0.5, direction) * cfg.separation
    x = centres + rng.normal(0.0, cfg.spread, size=(cfg.n, cfg.n_features))
    names = [f"x{i}" for i in range(1, cfg.n_features + 1)]
    data = _generated(x, labels, names, "label", None, "classes")
    data.task, data.class_names = "classification", ["0", "1"]
    return data


def _generated(x, y, names, target, true_params, source) -> Dataset:
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    return Dataset(x=x, y=y, x_val=x[:0], y_val=y[:0], feature_names=names, target_name=target,
                   true_params=true_params, generated=True, source=f"generated ({source})")


_GENERATORS = {"line": _line, "linear": _linear, "nonlinear": _nonlinear, "classes": _classes}
