"""Loading the data a config's `data:` section describes: generate or read, split, standardise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from autogradcli.data.csv_source import read_csv_data
from autogradcli.data.dataset import (
    Dataset,
    check_magnitude,
    make_rng,
    moments,
    split_at,
    split_indices,
)
from autogradcli.data.synthetic import GENERATORS

__all__ = ["load_data"]


def load_data(data_config: Any, base_dir: str | Path, seed: int,
              val_indices: np.ndarray | None = None) -> Dataset:
    """Generate or read the data a `data:` config section describes, then split and standardise.

    `base_dir` is the folder relative csv paths start from (the config file's). `val_indices`
    (a run's recorded split) replaces the seeded split. Raises DataError.
    """
    kind = data_config.kind
    if kind == "csv":
        raw = read_csv_data(data_config, Path(base_dir))
        raw.source_file = str((Path(base_dir) / data_config.path).resolve())
    else:
        with np.errstate(over="ignore", invalid="ignore"):  # check_magnitude says it better
            raw = GENERATORS[kind](data_config, make_rng(seed, "data"))
    check_magnitude(raw)
    if val_indices is None:
        val_indices = split_indices(len(raw.x), data_config.val_fraction, seed, raw.source)
    raw.val_indices = val_indices
    x, y, x_val, y_val = split_at(raw.x, raw.y, val_indices)
    raw.x, raw.y, raw.x_val, raw.y_val = x, y, x_val, y_val
    if data_config.standardize:
        raw.feature_mean, raw.feature_scale = moments(x)
        raw.x = (x - raw.feature_mean) / raw.feature_scale
        raw.x_val = (x_val - raw.feature_mean) / raw.feature_scale
    if data_config.standardize_target:
        mean, scale = moments(y[:, None])
        raw.target_mean, raw.target_scale = float(mean[0]), float(scale[0])
        raw.y = (y - raw.target_mean) / raw.target_scale
        raw.y_val = (y_val - raw.target_mean) / raw.target_scale
    return raw
