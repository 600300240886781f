"""Rows that reduce or scan along dims: cumulative sums and products, amax/amin and the median
(ties share the gradient), logsumexp, vector norms, and the zero-safe square root of std.

`dims` is always a tuple of dims in [0, ndim) (the callers wrap and check them), or None: all.
"""

import numpy as np

from ..function import Op
from .base import _data, _float, _via
from .binary import _where
from .reductions import Sum
from .shape import Permute
from .unary import Abs, Pow, _exp


def _kept(shape, dims):
    """shape with the reduced dims kept as size 1 (dims None: all)."""
    return tuple(1 if dims is None or i in dims else n for i, n in enumerate(shape))


# ---------------------------------------------------------------- scans
class Cumsum(Op):
    """z_i = sum of x_j for j <= i along dim (j >= i when reverse);  dx = g summed the other way"""

    saves_inputs = False

    def __init__(self, dim, reverse=False):
        self.dim, self.reverse = dim, reverse

    def forward(self, x):
        if self.reverse:
            return np.flip(np.cumsum(np.flip(x, self.dim), axis=self.dim), self.dim)
        return np.cumsum(x, axis=self.dim)

    def backward(self, g, x):
        return (_via(Cumsum, g, dim=self.dim, reverse=not self.reverse),)


class Cumprod(Op):
    """z_i = prod of x_j for j <= i along dim;  dx_k = sum over i >= k of g_i prod_{j <= i, j != k}
    x_j, exact with zeros (as torch): without zeros it is reverse_cumsum(g z) / x; with zeros, a
    product with x_k set to 1 for each k (an n x n block per slice, so only along short dims)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        return np.cumprod(x, axis=self.dim)

    def backward(self, g, x):
        if np.all(_data(x) != 0):
            z = self.output(Cumprod, dim=self.dim)
            return (_via(Cumsum, g * z, dim=self.dim, reverse=True) / x,)
        return (_cumprod_grad_with_zeros(g, x, self.dim),)


def _cumprod_grad_with_zeros(g, x, dim):
    ndim = len(_data(x).shape)
    to_last = (*tuple(d for d in range(ndim) if d != dim), dim)
    back = tuple(np.argsort(to_last).tolist())
    xm, gm = _via(Permute, x, dims=to_last), _via(Permute, g, dims=to_last)
    n = _data(xm).shape[-1]
    rows = xm.reshape((*_data(xm).shape[:-1], 1, n))
    # Row k of `others` is x with x_k set to 1; its running product skips x_k.
    others = _where(np.eye(n, dtype=bool), 1.0, rows)
    running = _via(Cumprod, others, dim=ndim)
    after_k = np.triu(np.ones((n, n), dtype=bool))  # [k, i]: i >= k
    gk = gm.reshape((*_data(gm).shape[:-1], 1, n)) * running * after_k
    return _via(Permute, _via(Sum, gk, dim=(ndim,), keepdim=False), dims=back)


# ---------------------------------------------------------------- ties share the gradient
class _Shared(Op):
    """z = a value picked from x over dims;  dz/dx = 1/k at each of the k elements equal to z in
    their slice, else 0 (torch's convention for amax, amin and the global median)"""

    saves_inputs = False

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def pick(self, x):
        raise NotImplementedError

    def forward(self, x):
        self.shape = x.shape
        z = self.pick(x)
        ties = x == z
        share = ties / np.sum(ties, axis=self.dims, keepdims=True)
        self.share = share.astype(x.dtype, copy=False) if x.dtype.kind == "f" else share
        return z if self.keepdim else z.reshape(tuple(
            n for i, n in enumerate(x.shape) if not (self.dims is None or i in self.dims)))

    def backward(self, g, x):
        return (g.reshape(_kept(self.shape, self.dims)) * self.share,)


class Amax(_Shared):
    def pick(self, x):
        return np.max(x, axis=self.dims, keepdims=True)


class Amin(_Shared):
    def pick(self, x):
        return np.min(x, axis=self.dims, keepdims=True)


class Median(_Shared):
    """The lower median of all of x (the ((n - 1) // 2)-th smallest), as torch.median()."""

    def pick(self, x):
        flat = x.reshape(-1)
        return np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2].reshape(
            (1,) * x.ndim)


# ---------------------------------------------------------------- logsumexp and norms
class LogSumExp(Op):
    """z = log(sum(exp(x))) over dims;  dz/dx = exp(x - z) (the softmax).  Own row: stable
    (x - max, with the max of an all -inf slice taken as 0)."""

    saves_output = True

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.shape = x.shape
        if x.size == 0:
            m = np.zeros(_kept(x.shape, self.dims), dtype=x.dtype)
        else:
            m = np.max(x, axis=self.dims, keepdims=True)
            m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):  # log(0) = -inf for an all -inf slice, as torch
            z = np.log(np.sum(np.exp(x - m), axis=self.dims, keepdims=True)) + m
        return _float(z if self.keepdim else np.squeeze(z, axis=self.dims), x)

    def backward(self, g, x):
        kept = _kept(self.shape, self.dims)
        z = self.output(LogSumExp, dims=self.dims, keepdim=True).reshape(kept)
        return (g.reshape(kept) * _exp(x - z),)


class VectorNorm(Op):
    """z = (sum |x|^p)^(1/p) over dims, for 0 < p < inf;  dz/dx = sign(x) |x|^(p-1) / z^(p-1),
    taken as 0 where z == 0 (and, for p < 1, where x == 0), as torch"""

    saves_output = True

    def __init__(self, p, dims, keepdim):
        self.p, self.dims, self.keepdim = p, dims, keepdim

    def forward(self, x):
        self.shape = x.shape
        p, dims = self.p, self.dims
        if p == 2:
            z = np.sqrt(np.sum(x * x, axis=dims, keepdims=self.keepdim))
        elif p == 1:
            z = np.sum(np.abs(x), axis=dims, keepdims=self.keepdim)
        else:
            z = np.sum(np.abs(x) ** p, axis=dims, keepdims=self.keepdim) ** (1 / p)
        return _float(z, x)

    def backward(self, g, x):
        p, kept = self.p, _kept(self.shape, self.dims)
        z = self.output(VectorNorm, p=p, dims=self.dims, keepdim=True)
        z = z.reshape(kept)
        xd, zd = _data(x), _data(z)
        if p == 2:
            ax = x
        else:
            ax = np.sign(xd) * _via(Pow, _via(Abs, x), p=p - 1)
            if p < 1 and not np.all(xd):
                ax = _where(xd == 0, 0.0, _via(Pow, _where(xd == 0, 1.0, _via(Abs, x)), p=p - 1)
                            * np.sign(xd))
        if np.all(zd):
            scale = g.reshape(kept) / (z if p == 2 else _via(Pow, z, p=p - 1))
        else:
            safe = _where(zd == 0, 1.0, z)
            scale = _where(zd == 0, 0.0, g.reshape(kept) / _via(Pow, safe, p=p - 1))
        return (ax * scale,)


class CountNonzero(Op):
    """z = the number of nonzero x over dims (the "0-norm"), as x's float dtype;  dz/dx = 0"""

    saves_inputs = False

    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        self.shape = x.shape
        return _float(np.sum(x != 0, axis=self.dims, keepdims=self.keepdim).astype(np.float64),
                      x)

    def backward(self, g, x):
        return (g.reshape(_kept(self.shape, self.dims)) * np.zeros(self.shape, _data(g).dtype),)


class StdSqrt(Op):
    """z = sqrt(x) for std = sqrt(var);  dz/dx = 1 / (2 z), taken as 0 where z == 0 (a constant
    input: torch's std gives a 0 gradient there, not inf)"""

    saves_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g, x):
        z = self.output(StdSqrt)
        zd = _data(z)
        if np.all(zd):
            return (g / (2 * z),)
        return (_where(zd == 0, 0.0, g / (2 * _where(zd == 0, 1.0, z))),)


__all__ = ["Amax", "Amin", "CountNonzero", "Cumprod", "Cumsum", "LogSumExp", "Median",
           "StdSqrt", "Sum", "VectorNorm"]
