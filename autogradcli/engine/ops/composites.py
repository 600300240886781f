"""Functions built from rows, with no derivative of their own: matmul, max(dim), cat, stack."""

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, _const, _make, _wrap_dim
from .binary import MatMul, Where
from .reductions import Gather
from .shape import Cat


def replace(x, value):
    """x's shape filled from value (broadcast): fill_ and copy_; value gets the gradient."""
    return Where.apply(x, value, cond=np.zeros((), dtype=bool))


def _dims(shape):
    return "x".join(str(n) for n in shape)


def _check_matmul(xs, ys):
    """torch's messages for operands that cannot be multiplied (numpy's ValueError would leak)."""
    if len(xs) == 1 and len(ys) == 1:
        if xs != ys:  # x * y would broadcast (3,) with (1,) instead of refusing
            raise ShapeError(
                f"inconsistent tensor size, expected tensor [{xs[0]}] and src [{ys[0]}] to have "
                f"the same number of elements, but got {xs[0]} and {ys[0]} elements respectively"
            )
    elif len(ys) == 1:
        if xs[-1] != ys[0]:
            raise ShapeError(f"size mismatch, got input ({xs[-2]}), mat ({_dims(xs[-2:])}), "
                             f"vec ({ys[0]})")
    elif xs[-1] != ys[-2]:
        rows = xs[-2] if len(xs) > 1 else 1
        if len(xs) <= 2 and len(ys) == 2:
            raise ShapeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xs[-1]} and "
                             f"{_dims(ys)})")
        raise ShapeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                         f"[{ys[0] if len(ys) > 2 else 1}, {xs[-1]}] but got: "
                         f"[{ys[0] if len(ys) > 2 else 1}, {ys[-2]}].")
    else:
        try:
            np.broadcast_shapes(xs[:-2], ys[:-2])
        except ValueError:
            raise ShapeError(f"matmul: batch dims of {xs} and {ys} do not broadcast") from None


def matmul(x, y):
    """Matrix product with numpy's rules: 1-D operands are promoted to matrices, then squeezed."""
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(
            f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and "
            f"{y.ndim}D; use * for scalars"
        )
    xs, ys = x.shape, y.shape
    if xs[-1] != ys[-2 if len(ys) > 1 else 0] or (len(xs) > 2 or len(ys) > 2):
        _check_matmul(xs, ys)
    if x.ndim == 1 and y.ndim == 1:
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
        _wrap_dim(dim, 0)
        return MaxResult((x, _make(np.array(0))))
    dim = _wrap_dim(dim, x.ndim)
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
    return Cat.apply(*tensors, dim=_wrap_dim(dim, tensors[0].ndim))


def stack(tensors, dim=0):
    tensors = [t if isinstance(t, Tensor) else _const(np.asarray(t)) for t in tensors]
    if not tensors:
        raise RuntimeError("stack() expects a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, got {sorted(shapes)}")
    dim = _wrap_dim(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim=dim)
