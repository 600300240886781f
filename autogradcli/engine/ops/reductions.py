"""Rows that reduce along dims: sums, extremes, picks along a dim, softmax."""

import numpy as np

from ..function import Op
from .base import _via
from .shape import Expand
from .unary import _exp


def _sum(x, dim, keepdim):
    return _via(Sum, x, dim=dim, keepdim=keepdim)


class Sum(Op):
    """z = sum of x over dim (all when None);  dz/dx = 1, broadcast back over the summed dims"""

    saves_inputs = False

    def __init__(self, dim, keepdim):
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        self.shape = x.shape
        # A 0-d tensor reduces over its only "dim" (0 or -1) to itself, as in torch.
        return x.sum(axis=self.dim if x.ndim else None, keepdims=self.keepdim)

    def backward(self, g, x):
        if self.dim is not None and not self.keepdim:
            g = g.reshape(tuple(1 if i in self.dim else n for i, n in enumerate(self.shape)))
        return (_via(Expand, g, shape=self.shape),)


class _Extreme(Op):
    """z = max (or min) of all of x;  dz/dx = 1/k at each of the k elements equal to z, else 0"""

    saves_inputs = False
    reduce = None

    def forward(self, x):
        if x.size == 0:
            raise RuntimeError(f"{type(self).__name__.lower()}() of an empty tensor")
        z = self.reduce(x)
        ties = x == z
        self.share = ties / np.count_nonzero(ties)
        return z

    def backward(self, g, x):
        return (g * self.share.astype(g.dtype),)


class Max(_Extreme):
    torch_name = "MaxBackward1"
    reduce = staticmethod(np.max)


class Min(_Extreme):
    torch_name = "MinBackward1"
    reduce = staticmethod(np.min)


class Gather(Op):
    """z = x[..., idx, ...] along dim (take_along_axis);  dz/dx = g put back at idx, 0 elsewhere"""

    saves_inputs = False

    def __init__(self, idx, dim):
        self.idx, self.dim = idx, dim

    def forward(self, x):
        self.shape = x.shape
        return np.take_along_axis(x, self.idx, axis=self.dim)

    def backward(self, g, x):
        return (_via(Scatter, g, idx=self.idx, dim=self.dim, shape=self.shape),)


class Scatter(Op):
    """z = zeros(shape) with x put at idx along dim (indices unique);  dz/dx = g taken at idx"""

    saves_inputs = False

    def __init__(self, idx, dim, shape):
        self.idx, self.dim, self.shape = idx, dim, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        np.put_along_axis(z, self.idx, x, axis=self.dim)
        return z

    def backward(self, g, x):
        return (_via(Gather, g, idx=self.idx, dim=self.dim),)


class Softmax(Op):
    """z = exp(x) / sum(exp(x)) over dim;  dx = z (g - sum(g z)).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.dim, keepdims=True))
        return e / e.sum(axis=self.dim, keepdims=True)

    def backward(self, g, x):
        z = self.output(lambda x: _via(Softmax, x, dim=self.dim))
        return (z * (g - _sum(g * z, (self.dim,), True)),)


class LogSoftmax(Op):
    """z = x - log(sum(exp(x))) over dim;  dx = g - exp(z) sum(g).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        shifted = x - np.max(x, axis=self.dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, g, x):
        z = self.output(lambda x: _via(LogSoftmax, x, dim=self.dim))
        return (g - _exp(z) * _sum(g, (self.dim,), True),)
