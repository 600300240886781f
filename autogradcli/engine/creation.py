"""Tensor factories and the engine's random generator (seeded by manual_seed)."""

import numpy as np

from .tensor import Tensor, _make, _to_dtype, float32

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind randn and rand, for reproducible initialisation."""
    global _rng
    _rng = np.random.default_rng(seed)


def tensor(data, requires_grad=False, dtype=None) -> Tensor:
    """A new leaf tensor from data (a copy). Python floats become float32, ints int64.

    A (nested) list holding Tensors is refused: ag.stack joins tensors, keeping the graph.
    """
    if isinstance(data, (list, tuple)) and _holds_tensor(data):
        raise TypeError(
            "ag.tensor() takes numbers (or nested lists of numbers), not a list of Tensors: "
            "use ag.stack(list_of_tensors) to join tensors into one (it keeps their gradients), "
            "or [t.item() for t in ...] for plain numbers."
        )
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _holds_tensor(items):
    for item in items:
        if isinstance(item, Tensor):
            return True
        if isinstance(item, (list, tuple)) and _holds_tensor(item):
            return True
    return False


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


def arange(start, end=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    """start, start + step, ... up to end (excluded); int64 when all are ints, else float32."""
    data = np.arange(start, end, step) if end is not None else np.arange(start)
    if dtype is None:
        dtype = np.int64 if data.dtype.kind in "iu" else float32
    return _leaf(data, requires_grad, dtype)


def linspace(start, end, steps, dtype=None, requires_grad=False) -> Tensor:
    """steps values evenly spaced from start to end (both included), float32 by default."""
    return _leaf(np.linspace(start, end, steps), requires_grad, dtype)


# ---------------------------------------------------------------- more factories, as torch's
def eye(n, m=None, dtype=None, requires_grad=False) -> Tensor:
    """The n x m (n x n) identity matrix."""
    return _leaf(np.eye(n, m), requires_grad, dtype)


def empty(*shape, requires_grad=False, dtype=None) -> Tensor:
    """A tensor of the shape, filled with zeros (torch leaves it uninitialised; zeros are safer)."""
    return zeros(*shape, requires_grad=requires_grad, dtype=dtype)


def full_like(t, fill_value, requires_grad=False, dtype=None) -> Tensor:
    return _leaf(np.full(t.shape, fill_value), requires_grad, dtype or t.dtype)


def empty_like(t, requires_grad=False, dtype=None) -> Tensor:
    return zeros_like(t, requires_grad=requires_grad, dtype=dtype)


def rand_like(t, requires_grad=False, dtype=None) -> Tensor:
    """Uniform samples in [0, 1) of t's shape (and dtype, which must be a float one)."""
    return _leaf(_rng.random(t.shape), requires_grad, _float_dtype(dtype or t.dtype, "rand_like"))


def randn_like(t, requires_grad=False, dtype=None) -> Tensor:
    """Standard normal samples of t's shape (and dtype, which must be a float one)."""
    return _leaf(_rng.standard_normal(t.shape), requires_grad,
                 _float_dtype(dtype or t.dtype, "randn_like"))


def randint(low, high=None, size=None, dtype=None, requires_grad=False) -> Tensor:
    """Integers uniform in [low, high) (or [0, low) when high is omitted), int64 by default:
    randint(10, (3,)) or randint(2, 5, (3,))."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint() needs a size, e.g. ag.randint(10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    data = _rng.integers(low, high, _shape((size,)))
    return _leaf(data, requires_grad, dtype or np.int64)


def _float_dtype(dtype, what):
    dtype = _to_dtype(dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"{what}: expected a floating point dtype, got {dtype}")
    return dtype
