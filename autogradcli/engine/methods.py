"""Tensor's graph-building methods: operators, math, reductions, shapes, in-place ops, backward.

They call the rows of ops/, which build Tensors, so tensor.py cannot import ops; this module
imports both and attaches the methods to Tensor on import. The package takes Tensor from here, so
`ag.Tensor` has them whichever engine module is imported first.
"""

import math
import numbers
from types import FunctionType

import numpy as np

from . import grad_mode as _gm
from .backward import backward as _backward
from .errors import ShapeError
from .ops import (
    Abs,
    Add,
    Cast,
    Clamp,
    Clone,
    Div,
    Exp,
    Expand,
    Index,
    Log,
    LogSoftmax,
    Max,
    Maximum,
    Mean,
    MeanDim,
    Min,
    Minimum,
    Mul,
    Neg,
    Permute,
    Pow,
    PowTensor,
    Relu,
    Reshape,
    Sigmoid,
    Softmax,
    Sqrt,
    Sub,
    Sum,
    Tanh,
    extreme_along,
    matmul,
    replace,
)
from .tensor import (
    Tensor,
    _dim_tuple,
    _index_data,
    _make,
    _operand,
    _to_dtype,
    _torch_steps,
    _wrap_dim,
    float32,
    float64,
)

__all__ = ["Tensor"]


class _TensorMethods:
    """Written as a class body so that they read as the methods they become (see _attach)."""

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into the .grad of every leaf that requires grad."""
        _backward(self, gradient, retain_graph, create_graph)

    # ------------------------------------------------------------------ in place
    def _records_inplace(self, other=None) -> bool:
        """Whether an in-place op must be recorded in the graph (and refuse leaves needing grad)."""
        if not _gm._enabled:
            return False
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(
                "a leaf tensor that requires grad is being used in an in-place operation. "
                "Update parameters inside `with ag.no_grad():` (e.g. a.sub_(lr * a.grad)), "
                "or use an out-of-place operation."
            )
        return self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)

    def _inplace_recorded(self, make, other):
        """Record `self = make(self, other)` in the graph, then write the result into self."""
        # The previous value, as the new node's input: a copy with its own version counter, so
        # the new node can read it; nodes that saved `self` earlier still see the bump below.
        old = _make(self.data.copy(), self._requires_grad)
        old.grad_fn = self.grad_fn
        out = make(old, _operand(other))
        if out.shape != self.shape:
            raise RuntimeError(
                f"output with shape {self.shape} doesn't match the broadcast shape {out.shape}"
            )
        self._writable()[...] = out.data
        self.grad_fn = out.grad_fn
        self._requires_grad = True
        return self

    def _inplace_ufunc(self, ufunc, make, other, alpha=1):
        if self._records_inplace(other):
            if alpha != 1:
                return self._inplace_recorded(lambda x, y: make(x, y * alpha), other)
            return self._inplace_recorded(make, other)
        value = other.data if isinstance(other, Tensor) else other
        data = self._writable()
        ufunc(data, value * alpha if alpha != 1 else value, out=data)
        return self

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return self.copy_(value)

    def copy_(self, src):
        if self._records_inplace(src):
            return self._inplace_recorded(replace, src)
        self._writable()[...] = src.data if isinstance(src, Tensor) else src
        return self

    def add_(self, other, alpha=1):
        return self._inplace_ufunc(np.add, Tensor.__add__, other, alpha)

    def sub_(self, other, alpha=1):
        return self._inplace_ufunc(np.subtract, Tensor.__sub__, other, alpha)

    def mul_(self, other):
        return self._inplace_ufunc(np.multiply, Tensor.__mul__, other)

    def div_(self, other):
        return self._inplace_ufunc(np.true_divide, Tensor.__truediv__, other)

    def clamp_(self, min=None, max=None):
        if self._records_inplace():
            return self._inplace_recorded(lambda x, _: x.clamp(min, max), None)
        data = self._writable()
        np.clip(data, min, max, out=data)
        return self

    # ------------------------------------------------------------------ operators
    def __add__(self, other):
        return Add.apply(self, _operand(other))

    def __radd__(self, other):
        return Add.apply(_operand(other), self)

    def __sub__(self, other):
        return Sub.apply(self, _operand(other))

    def __rsub__(self, other):
        return Sub.apply(_operand(other), self)

    def __mul__(self, other):
        return Mul.apply(self, _operand(other))

    def __rmul__(self, other):
        return Mul.apply(_operand(other), self)

    def __truediv__(self, other):
        return Div.apply(self, _operand(other))

    def __rtruediv__(self, other):
        return Div.apply(_operand(other), self)

    def __pow__(self, exponent):
        if isinstance(exponent, numbers.Number):
            return Pow.apply(self, p=exponent)
        return PowTensor.apply(self, _operand(exponent))

    def __rpow__(self, base):
        return PowTensor.apply(_operand(base), self)

    def __matmul__(self, other):
        return matmul(self, _operand(other))

    def __rmatmul__(self, other):
        return matmul(_operand(other), self)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return Abs.apply(self)

    def __getitem__(self, index):
        steps = _torch_steps(_index_data(index, self.data.shape))
        if _gm._enabled and self._requires_grad:
            out = self
            for step in steps:
                out = Index.apply(out, index=step)
            return out
        data = self.data  # nothing to record: no node, just the rows' numpy indexing
        for step in steps:
            data = data[step]
            if data.__class__ is not np.ndarray:
                data = np.asarray(data)
        return _make(data)

    def _getitem_recorded(self, index):
        """__getitem__ as nodes always (what a trace records, even when no graph is built)."""
        out = self
        for step in _torch_steps(_index_data(index, self.data.shape)):
            out = Index.apply(out, index=step)
        return out

    # ------------------------------------------------------------------ elementwise
    def neg(self):
        return Neg.apply(self)

    def add(self, other):
        return self + other

    def sub(self, other):
        return self - other

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self**exponent

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def abs(self):
        return Abs.apply(self)

    def relu(self):
        return Relu.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("clamp needs at least one of min or max")
        return Clamp.apply(self, lo=min, hi=max)

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(self, _operand(other))

    def minimum(self, other):
        return Minimum.apply(self, _operand(other))

    def to(self, dtype):
        dtype = _to_dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if dtype.kind != "f":  # integer and bool tensors never require grad, as torch
            return _make(self.data.astype(dtype))
        return Cast.apply(self, dtype=dtype)

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def clone(self):
        return Clone.apply(self)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False):
        dims = None if dim is None else _dim_tuple(dim, self.data.ndim)
        return Sum.apply(self, dim=dims, keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        dims = None if dim is None else _dim_tuple(dim, self.data.ndim)
        shape = self.data.shape
        whole = dims is None or not shape
        count = self.data.size if whole else int(np.prod([shape[d] for d in dims]))
        if self.data.dtype.kind != "f":  # ints: torch's default float, through Div's rule
            return Sum.apply(self, dim=dims, keepdim=keepdim) / count
        return (Mean if dims is None else MeanDim).apply(self, dim=dims, keepdim=keepdim,
                                                         count=count)

    def max(self, dim=None, keepdim=False):
        if dim is None:
            return Max.apply(self)
        return extreme_along(self, dim, keepdim, np.argmax, "max")

    def min(self, dim=None, keepdim=False):
        if dim is None:
            return Min.apply(self)
        return extreme_along(self, dim, keepdim, np.argmin, "min")

    def softmax(self, dim):
        return Softmax.apply(self, dim=_wrap_dim(dim, self.data.ndim))

    def log_softmax(self, dim):
        return LogSoftmax.apply(self, dim=_wrap_dim(dim, self.data.ndim))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        shape = tuple(shape)
        _check_reshape(shape, self.data.size)
        return Reshape.apply(self, shape=shape)

    view = reshape

    def expand(self, *shape):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        current = (None,) * (len(shape) - self.ndim) + self.shape  # -1 keeps the current size
        shape = tuple(s if s != -1 else n for s, n in zip(shape, current))
        return Expand.apply(self, shape=shape)

    def permute(self, *dims):
        dims = dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims
        dims = _dim_tuple(dims, self.data.ndim)
        if len(set(dims)) != len(dims):
            raise ShapeError("permute(): duplicate dims are not allowed.")
        if len(dims) != self.data.ndim:
            raise ShapeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                f"the length of the desired ordering of dimensions i.e. input.dim() = "
                f"{self.data.ndim} is not equal to len(dims) = {len(dims)}"
            )
        return Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        dims = list(range(self.data.ndim))
        dim0, dim1 = _wrap_dim(dim0, self.data.ndim), _wrap_dim(dim1, self.data.ndim)
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return Permute.apply(self, dims=tuple(dims))

    def t(self):
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.data.ndim}")
        return self if self.data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.data.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def unsqueeze(self, dim):
        shape = list(self.data.shape)
        shape.insert(_wrap_dim(dim, self.data.ndim + 1), 1)
        return self.reshape(tuple(shape))

    def squeeze(self, dim=None):
        shape = self.data.shape
        if dim is None:
            new = tuple(n for n in shape if n != 1)
        else:
            dims = _dim_tuple(dim, self.data.ndim)
            new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
        return self if new == shape else self.reshape(new)

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self.data.shape
        if not shape:
            return self.reshape((1,))
        start, end = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
        merged = int(np.prod(shape[start : end + 1]))
        return self.reshape((*shape[:start], merged, *shape[end + 1 :]))

    def matmul(self, other):
        return self @ other


def _attach(cls, methods):
    """Set every function and property of methods' body on cls, named as cls's own."""
    for name, value in vars(methods).items():
        if not isinstance(value, (FunctionType, property)):
            continue
        if isinstance(value, FunctionType):
            value.__qualname__ = f"{cls.__qualname__}.{value.__name__}"
        setattr(cls, name, value)


def _check_reshape(shape, size):
    """torch's errors for a shape that cannot hold size elements (numpy's would leak)."""
    if shape.count(-1) > 1:
        raise ShapeError("only one dimension can be inferred")
    known = math.prod(n for n in shape if n != -1)
    fits = size % known == 0 if -1 in shape and known else known == size
    if not fits or any(n < -1 for n in shape):
        raise ShapeError(f"shape '{list(shape)}' is invalid for input of size {size}")


_attach(Tensor, _TensorMethods)
