"""Tensor methods for elementwise math, rounding, integer division, predicates, logical and
bitwise functions, statistics and scans, attached as methods.py attaches its own.

The rows live in ops/ (elementwise, rounding, statistics); what is written here is argument
handling (torch's names, defaults and dim checks) and the honest composites: var/std (from mean
and sum), prod (the last running product), lerp, square, norm at p = +-inf (amax/amin of |x|),
cummax/cummin and median along a dim (values gathered at the indices).
"""

import numpy as np

from . import ops
from .methods import Tensor, _attach
from .ops.composites import MaxResult
from .tensor import _dim_tuple, _make, _operand, _wrap_dim


def _dims(t, dim):
    """Checked dims as a tuple, or None for "all" (dim None or (), or a 0-d tensor)."""
    if dim is None or not t.data.ndim:
        if dim is not None:
            _dim_tuple(dim, 0)  # still refuse a dim out of range for a 0-d tensor
        return None
    return _dim_tuple(dim, t.data.ndim) or None


def _nonempty(t, dim, what):
    """_dims, refusing to reduce over an empty dim (torch's error; numpy's would leak)."""
    dims = _dims(t, dim)
    for d in range(t.data.ndim) if dims is None else dims:
        if t.data.shape[d] == 0:
            raise IndexError(f"{what}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def _count(t, dims):
    return t.data.size if dims is None else int(np.prod([t.data.shape[d] for d in dims]))


def _data(x):
    return x.data if isinstance(x, Tensor) else x


class _MathMethods:
    """Written as a class body so that they read as the methods they become (see _attach)."""

    # ------------------------------------------------------------ trigonometric, hyperbolic
    def sin(self):
        return ops.Sin.apply(self)

    def cos(self):
        return ops.Cos.apply(self)

    def tan(self):
        return ops.Tan.apply(self)

    def asin(self):
        return ops.Asin.apply(self)

    def acos(self):
        return ops.Acos.apply(self)

    def atan(self):
        return ops.Atan.apply(self)

    def atan2(self, other):
        return ops.Atan2.apply(self, _operand(other))

    def sinh(self):
        return ops.Sinh.apply(self)

    def cosh(self):
        return ops.Cosh.apply(self)

    def asinh(self):
        return ops.Asinh.apply(self)

    def acosh(self):
        return ops.Acosh.apply(self)

    def atanh(self):
        return ops.Atanh.apply(self)

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # ------------------------------------------------------------ logarithms, exponentials, powers
    def log2(self):
        return ops.Log2.apply(self)

    def log10(self):
        return ops.Log10.apply(self)

    def log1p(self):
        return ops.Log1p.apply(self)

    def exp2(self):
        return ops.Exp2.apply(self)

    def expm1(self):
        return ops.Expm1.apply(self)

    def reciprocal(self):
        return ops.Reciprocal.apply(self)

    def rsqrt(self):
        return ops.Rsqrt.apply(self)

    def square(self):
        return ops.Pow.apply(self, p=2)

    def erf(self):
        return ops.Erf.apply(self)

    def lerp(self, end, weight):
        """self + weight (end - self): a composite, exact for the gradient."""
        return self + _operand(weight) * (_operand(end) - self)

    # ------------------------------------------------------------ rounding and division
    def floor(self):
        return ops.Floor.apply(self)

    def ceil(self):
        return ops.Ceil.apply(self)

    def round(self, decimals=0):
        return ops.Round.apply(self, decimals=decimals)

    def trunc(self):
        return ops.Trunc.apply(self)

    fix = trunc

    def frac(self):
        return ops.Frac.apply(self)

    def sign(self):
        return ops.Sign.apply(self)

    def floor_divide(self, other):
        return ops.FloorDivide.apply(self, _operand(other))

    def remainder(self, other):
        return ops.Remainder.apply(self, _operand(other))

    def fmod(self, other):
        return ops.Fmod.apply(self, _operand(other))

    def __floordiv__(self, other):
        return ops.FloorDivide.apply(self, _operand(other))

    def __rfloordiv__(self, other):
        return ops.FloorDivide.apply(_operand(other), self)

    def __mod__(self, other):
        return ops.Remainder.apply(self, _operand(other))

    def __rmod__(self, other):
        return ops.Remainder.apply(_operand(other), self)

    # ------------------------------------------------------------ predicates (never recorded)
    def isnan(self):
        return _make(np.isnan(self.data))

    def isinf(self):
        return _make(np.isinf(self.data))

    def isfinite(self):
        return _make(np.isfinite(self.data))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """|self - other| <= atol + rtol |other|, elementwise (torch's and numpy's rule)."""
        return _make(np.isclose(self.data, _data(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return bool(np.allclose(self.data, _data(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def logical_not(self):
        return _make(np.logical_not(self.data))

    def logical_and(self, other):
        return _make(np.logical_and(self.data, _data(other)))

    def logical_or(self, other):
        return _make(np.logical_or(self.data, _data(other)))

    def logical_xor(self, other):
        return _make(np.logical_xor(self.data, _data(other)))

    def bitwise_and(self, other):
        return self & other

    def bitwise_or(self, other):
        return self | other

    def bitwise_xor(self, other):
        return self ^ other

    def bitwise_not(self):
        return ~self

    def any(self, dim=None, keepdim=False):
        return _make(np.any(self.data, axis=_dims(self, dim), keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        return _make(np.all(self.data, axis=_dims(self, dim), keepdims=keepdim))

    # ------------------------------------------------------------ statistics
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """sum((x - mean)^2) / (N - correction); correction 1 by default (unbiased=False: 0)."""
        if isinstance(dim, bool):  # var(True): torch reads a leading bool as `unbiased`
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        dims = _dims(self, dim)
        centred = self - self.mean(dims, keepdim=True)
        square_sum = (centred * centred).sum(dims, keepdim=keepdim)
        return square_sum / max(_count(self, dims) - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """sqrt(var); its gradient is 0 where std is 0 (a constant slice), as torch."""
        variance = self.var(dim, unbiased, keepdim, correction=correction)
        return ops.StdSqrt.apply(variance)

    def prod(self, dim=None, keepdim=False):
        """The product; a composite: the last running product (Cumprod's gradient is exact with
        zeros, so is this one)."""
        if self.data.size == 0:
            return self.sum(dim, keepdim) * 0 + 1
        if dim is None:
            return ops.Cumprod.apply(self.reshape(-1), dim=0)[-1]
        dim = _wrap_dim(dim, self.data.ndim)
        if not self.data.ndim:
            return self * 1
        out = ops.Cumprod.apply(self, dim=dim)[(slice(None),) * dim + (-1,)]
        return out.unsqueeze(dim) if keepdim else out

    def logsumexp(self, dim, keepdim=False):
        return ops.LogSumExp.apply(self, dims=_dims(self, dim), keepdim=keepdim)

    def amax(self, dim=(), keepdim=False):
        """The largest value over dim (all dims by default); tied elements share the gradient."""
        return ops.Amax.apply(self, dims=_nonempty(self, dim, "amax"), keepdim=keepdim)

    def amin(self, dim=(), keepdim=False):
        return ops.Amin.apply(self, dims=_nonempty(self, dim, "amin"), keepdim=keepdim)

    def norm(self, p="fro", dim=None, keepdim=False):
        """The vector p-norm over dim (all dims by default): p a number, inf, -inf, 0 or 'fro'
        (= 2: over two dims it is the Frobenius norm). Gradient 0 where the norm is 0."""
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str):
            raise RuntimeError(f"norm: p={p!r} is not supported; use a number, inf or 'fro'")
        dims = _dims(self, dim)
        if p == np.inf:
            return self.abs().amax(dims or (), keepdim)
        if p == -np.inf:
            return self.abs().amin(dims or (), keepdim)
        if p == 0:
            return ops.CountNonzero.apply(self, dims=dims, keepdim=keepdim)
        return ops.VectorNorm.apply(self, p=p, dims=dims, keepdim=keepdim)

    def median(self, dim=None, keepdim=False):
        """The lower median: of all elements (tied elements share the gradient, as torch), or
        (values, indices) along dim (the gradient goes to the index)."""
        if dim is None:
            if self.data.size == 0:
                raise RuntimeError("median() of an empty tensor")
            return ops.Median.apply(self, dims=None, keepdim=False)
        return _along(self, dim, keepdim, _median_index)

    # ------------------------------------------------------------ scans
    def cumsum(self, dim):
        if not self.data.ndim:
            return ops.Cumsum.apply(self.reshape(1), dim=_wrap_dim(dim, 0)).reshape(())
        return ops.Cumsum.apply(self, dim=_wrap_dim(dim, self.data.ndim))

    def cumprod(self, dim):
        if not self.data.ndim:
            return ops.Cumprod.apply(self.reshape(1), dim=_wrap_dim(dim, 0)).reshape(())
        return ops.Cumprod.apply(self, dim=_wrap_dim(dim, self.data.ndim))

    def cummax(self, dim):
        """(values, indices) of the running maximum; at ties the later index (as torch)."""
        return _along(self, dim, True, _running_index(np.maximum))

    def cummin(self, dim):
        return _along(self, dim, True, _running_index(np.minimum))


def _along(t, dim, keepdim, index_fn):
    """(values, int64 indices) picked along dim by index_fn(data, dim) (indices of x's shape
    with size 1 along dim, or x's whole shape for scans); values are gathered, so their
    gradient goes to the index."""
    dim = _wrap_dim(dim, t.data.ndim)
    x = t if t.data.ndim else t.reshape(1)
    if x.data.shape[dim] == 0:
        raise IndexError(f"cannot take a value along an empty dimension {dim}")
    idx = index_fn(x.data, dim)
    # An advanced index, not Gather: a scan repeats indices, and IndexAdd accumulates them.
    where = list(np.indices(idx.shape, sparse=True))
    where[dim] = idx
    values = ops.Index.apply(x, index=tuple(where))
    if not t.data.ndim:
        return MaxResult((values.reshape(()), _make(np.zeros((), dtype=np.int64))))
    if not keepdim:
        values, idx = values.squeeze(dim), np.squeeze(idx, axis=dim)
    return MaxResult((values, _make(idx.astype(np.int64))))


def _median_index(data, dim):
    n = data.shape[dim]
    order = np.argsort(data, axis=dim, kind="stable")  # ties: torch's choice, in our checks
    return np.take(order, [(n - 1) // 2], axis=dim)


def _running_index(ufunc):
    def index(data, dim):
        running = ufunc.accumulate(data, axis=dim)
        shape = [1] * data.ndim
        shape[dim] = data.shape[dim]
        positions = np.arange(data.shape[dim]).reshape(shape)
        # The latest position whose value is the running extreme (ties: the later one).
        return np.maximum.accumulate(np.where(data == running, positions, 0), axis=dim)

    return index


_attach(Tensor, _MathMethods)

__all__ = ["Tensor"]
