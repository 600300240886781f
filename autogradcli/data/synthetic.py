"""The synthetic datasets a config can ask for, by kind: line, linear, nonlinear, classes.

A new kind is one generator here, registered in GENERATORS, and its section in config/sections.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autogradcli.data.dataset import Dataset

__all__ = ["GENERATORS"]


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


GENERATORS = {"line": _line, "linear": _linear, "nonlinear": _nonlinear, "classes": _classes}
