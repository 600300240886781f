"""Functions built from rows, with no derivative of their own: matmul, max(dim), cat, stack."""

import numpy as np

from ..tensor import Tensor, _const, _make
from .binary import MatMul, Where
from .reductions import Gather
from .shape import Cat


def replace(x, value):
    """x's shape filled from value (broadcast): fill_ and copy_; value gets the gradient."""
    return Where.apply(x, value, cond=np.zeros((), dtype=bool))


def matmul(x, y):
    """Matrix product with numpy's rules: 1-D operands are promoted to matrices, then squeezed."""
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError("matmul needs tensors with at least 1 dimension; use * for scalars")
    if x.ndim == 1 and y.ndim == 1:
        if x.shape != y.shape:  # x * y would broadcast (3,) with (1,) instead of refusing
            raise RuntimeError(
                f"inconsistent tensor size: the dot product of 1-D tensors needs equal lengths, "
                f"got {x.shape[0]} and {y.shape[0]}"
            )
        return (x * y).sum()
    if x.ndim == 1:
        return MatMul.apply(x.unsqueeze(0), y).squeeze(-2)
    if y.ndim == 1:
        return MatMul.apply(x, y.unsqueeze(-1)).squeeze(-1)
    return MatMul.apply(x, y)


class MaxResult(tuple):
    """(values, indices), as torch.max(dim) returns."""

    __slots__ = ()

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def extreme_along(x, dim, keepdim, argfn, what):
    """max/min over one dim: values (differentiable, via Gather) and int64 indices."""
    if x.ndim == 0:
        return MaxResult((x, _make(np.array(0))))
    dim = dim % x.ndim
    if x.shape[dim] == 0:
        raise IndexError(f"{what}(): cannot reduce over an empty dimension {dim}")
    idx = argfn(x.data, axis=dim, keepdims=True)
    values = Gather.apply(x, idx=idx, dim=dim)
    if not keepdim:
        values = values.squeeze(dim)
        idx = np.squeeze(idx, axis=dim)
    return MaxResult((values, _make(idx.astype(np.int64))))


def cat(tensors, dim=0):
    tensors = [t if isinstance(t, Tensor) else _const(np.asarray(t)) for t in tensors]
    if not tensors:
        raise RuntimeError("cat() expects a non-empty list of tensors")
    if tensors[0].ndim == 0:
        raise RuntimeError("zero-dimensional tensors cannot be concatenated; use ag.stack")
    return Cat.apply(*tensors, dim=dim % tensors[0].ndim)


def stack(tensors, dim=0):
    tensors = [t if isinstance(t, Tensor) else _const(np.asarray(t)) for t in tensors]
    if not tensors:
        raise RuntimeError("stack() expects a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, got {sorted(shapes)}")
    dim = dim % (tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim=dim)
