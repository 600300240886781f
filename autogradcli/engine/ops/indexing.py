"""Picking and placing elements by index, as torch: gather, scatter, index_select, masked_fill,
sort, argsort, topk.

One row of its own (ScatterInto, torch.scatter's overwrite); the rest are built on Index, Gather,
Scatter and Where, whose gradients already say where each element came from.
"""

import numbers

import numpy as np

from ..function import Op
from ..tensor import Tensor, _const, _make
from .base import _via
from .binary import Where, _where
from .composites import MaxResult
from .reductions import Gather, Scatter, _along
from .shape import Index


def _dim(dim, ndim):
    """dim wrapped into 0..ndim-1, or torch's IndexError (a 0-d tensor has one dim, as in torch)."""
    top = max(ndim, 1)
    if not isinstance(dim, numbers.Integral):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -top <= dim < top:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], "
            f"but got {dim})"
        )
    return int(dim) % top


def _int_index(index, what):
    """The integer array of an index argument (a Tensor, list or array of int64/int32)."""
    arr = index.data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index, got {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _check_along(shape, idx, dim, what, src_shape=None):
    """torch's rules for gather/scatter indices: same ndim, no larger apart from dim, in range."""
    if idx.ndim != len(shape) and not (idx.ndim <= 1 and len(shape) <= 1):
        raise RuntimeError(
            f"{what}(): Index tensor must have the same number of dimensions as "
            f"{'self' if what == 'gather' else 'self tensor'}"
        )
    for d, n in enumerate(idx.shape):
        too_big = (d != dim and n > shape[d]) or (src_shape is not None and n > src_shape[d])
        if too_big:
            extra = "" if src_shape is None else f" and to be smaller than src {list(src_shape)}"
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(idx.shape)} to be "
                f"smaller than self {list(shape)} apart from dimension {dim}{extra}"
            )
    size = shape[dim] if shape else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(
            f"{what}(): index {bad} is out of bounds for dimension {dim} with size {size}"
        )


def _fit(t, shape):
    """t cut to shape from the start of each dim (torch uses only the index's extent of src)."""
    if t.shape == shape:
        return t
    return Index.apply(t, index=tuple(slice(0, n) for n in shape))


def gather(x, dim, index):
    """out[i][j] = x[i][index[i][j]] for dim=1 (and so on); index may be smaller than x."""
    idx = _int_index(index, "gather")
    dim = _dim(dim, x.ndim)
    _check_along(x.shape, idx, dim, "gather")
    if x.ndim == 0:
        return Gather.apply(x.reshape((1,)), idx=idx.reshape((1,)), dim=0).reshape(idx.shape)
    return Gather.apply(x, idx=idx, dim=dim)


class ScatterInto(Op):
    """z = x with src[i][j] written at [i][idx[i][j]] (dim=1; torch.scatter: of repeated indices
    one write wins);  dx = g with the written positions zeroed,  dsrc = g taken at idx (every src
    element gets it, as torch)"""

    saves_inputs = False

    def __init__(self, idx, dim):
        self.idx, self.dim = idx, dim

    def forward(self, x, src):
        ix = _along(self.idx, self.dim)
        z = x.copy()
        z[ix] = src
        self.keep = np.ones(x.shape, dtype=bool)
        self.keep[ix] = False
        return z

    def backward(self, g, x, src):
        px, ps = self.parents
        gx = _where(self.keep, g, 0.0) if px is not None else None
        gs = _via(Gather, g, idx=self.idx, dim=self.dim) if ps is not None else None
        return gx, gs


def _scatter_args(x, dim, index, src, what):
    idx = _int_index(index, what)
    dim = _dim(dim, x.ndim)
    if isinstance(src, Tensor):
        if src.dtype != x.dtype:
            raise RuntimeError(
                f"{what}(): Expected self.dtype to be equal to src.dtype, got {x.dtype} and "
                f"{src.dtype}"
            )
        _check_along(x.shape, idx, dim, what, src.shape)
        return idx, dim, _fit(src, idx.shape)
    _check_along(x.shape, idx, dim, what)
    return idx, dim, _const(np.full(idx.shape, src, dtype=x.dtype))


def scatter(x, dim, index, src):
    """x with src's elements (or the number src) written at index along dim (torch.scatter)."""
    idx, dim, src = _scatter_args(x, dim, index, src, "scatter")
    return ScatterInto.apply(x, src, idx=idx, dim=dim)


def scatter_add(x, dim, index, src):
    """x with src's elements added at index along dim; repeated indices accumulate."""
    if not isinstance(src, Tensor):
        raise TypeError("scatter_add(): src must be a Tensor")
    idx, dim, src = _scatter_args(x, dim, index, src, "scatter_add")
    return x + Scatter.apply(src, idx=idx, dim=dim, shape=x.shape)


def index_select(x, dim, index):
    """The entries of x at the 1-D index along dim (repeats allowed; gradients accumulate)."""
    idx = _int_index(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    dim = _dim(dim, x.ndim)
    if x.ndim == 0:  # a 0-d tensor stays 0-d, as torch
        return Index.apply(x.reshape((1,)), index=(idx,)).reshape(())
    n = x.shape[dim]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise RuntimeError(
            f"index_select(): index {idx.min() if idx.min() < 0 else idx.max()} is out of "
            f"bounds for dimension {dim} with size {n}"
        )
    return Index.apply(x, index=(slice(None),) * dim + (idx,))


def masked_fill(x, mask, value):
    """x with value wherever mask (bool, broadcast to x) is True; value's gradient is the sum of
    g at those places when value is a 0-d tensor."""
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype}"
        )
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        v = value if value.dtype == x.dtype else value.to(x.dtype)
    else:
        v = _const(np.asarray(value).astype(x.dtype))  # torch casts the value to x's dtype
    return Where.apply(v, x, cond=m)


def _order(data, dim, descending):
    """Stable argsort along dim; descending keeps tied elements in their original order and puts
    NaN first (torch's order: NaN counts as the largest value)."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    idx = np.argsort(np.flip(data, dim), axis=dim, kind="stable")
    return data.shape[dim] - 1 - np.flip(idx, dim)


def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along dim. Always stable: ties keep their order, which is also a
    valid answer when stable=False. Values' gradient goes back to each element's position."""
    dim = _dim(dim, x.ndim)
    if x.ndim == 0:
        values, indices = sort(x.reshape((1,)), 0, descending)
        return MaxResult((values.reshape(()), _make(indices.data.reshape(()))))
    idx = _order(x.data, dim, descending)
    return MaxResult((Gather.apply(x, idx=idx, dim=dim), _make(idx.astype(np.int64))))


def argsort(x, dim=-1, descending=False, stable=False):
    """The int64 indices that sort x along dim (as sort(...).indices)."""
    return sort(x.detach(), dim, descending, stable).indices


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (or smallest) along dim, in sorted order (also when
    sorted=False, which only allows any order); ties go to the earlier index."""
    dim = _dim(dim, x.ndim)
    n = x.shape[dim] if x.ndim else 1
    if not isinstance(k, numbers.Integral) or not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range: k={k} for dimension {dim} of size {n}")
    if x.ndim == 0:
        return sort(x, dim, largest)
    idx = np.take(_order(x.data, dim, largest), np.arange(k), axis=dim)
    return MaxResult((Gather.apply(x, idx=idx, dim=dim), _make(idx.astype(np.int64))))
