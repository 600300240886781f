"""Tensor factories and the engine's random generator (seeded by manual_seed)."""

import numpy as np

from .tensor import Tensor, _make, _to_dtype, float32

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind randn and rand, for reproducible initialisation."""
    global _rng
    _rng = np.random.default_rng(seed)


def tensor(data, requires_grad=False, dtype=None) -> Tensor:
    """A new leaf tensor from data (a copy). Python floats become float32, ints int64."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _leaf(data, requires_grad, dtype):
    t = _make(data.astype(_to_dtype(dtype) or float32, copy=False))
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*shape, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.zeros(_shape(shape)), requires_grad, dtype)


def ones(*shape, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.ones(_shape(shape)), requires_grad, dtype)


def _fill_dtype(value):
    """torch's dtype for a fill value: bool, int64 for ints, float32 for floats."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(bool)
    return np.dtype(np.int64) if isinstance(value, (int, np.integer)) else float32


def full(shape, fill_value, requires_grad=False, dtype=None) -> Tensor:
    dtype = dtype or _fill_dtype(fill_value)
    return _leaf(np.full(_shape((shape,)), fill_value), requires_grad, dtype)


def randn(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Standard normal samples from the engine's generator (see manual_seed)."""
    return _leaf(_rng.standard_normal(_shape(shape)), requires_grad, dtype)


def rand(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Uniform samples in [0, 1) from the engine's generator (see manual_seed)."""
    return _leaf(_rng.random(_shape(shape)), requires_grad, dtype)


def zeros_like(t, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.zeros(t.shape), requires_grad, dtype or t.dtype)


def ones_like(t, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.ones(t.shape), requires_grad, dtype or t.dtype)


def arange(start, end=None, step=1, dtype=None) -> Tensor:
    data = np.arange(start, end, step) if end is not None else np.arange(start)
    if dtype is None:
        return _make(data.astype(np.int64) if data.dtype.kind in "iu" else data.astype(float32))
    return _make(data.astype(_to_dtype(dtype)))


def linspace(start, end, steps, dtype=None) -> Tensor:
    return _leaf(np.linspace(start, end, steps), False, dtype)
