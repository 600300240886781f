"""Rows that reduce along dims: sums, extremes, picks along a dim, softmax."""

import numpy as np

from ..function import Op
from ..tensor import Tensor
from .base import _via
from .shape import Expand
from .unary import _exp


def _sum(x, dim, keepdim):
    return _via(Sum, x, dim=dim, keepdim=keepdim)


def _spread(g, shape):
    """dz/dx of a sum or a mean: g (the summed dims kept, of size 1) spread back over shape.

    Under create_graph a recorded Expand. On arrays, for a reduction of every element (a loss)
    to a shape with at most one dim longer than 1 ((n,), (n, 1): a full batch's predictions), a
    read-only view of the one number, strides 0: not n copies. There, bit for bit, it changes
    nothing: any sum of it matches the sum of its copy, elementwise arithmetic is exact, every
    memory order is the same one (numpy lays out a result after its operands, and BLAS rounds by
    layout), and rows that hand a gradient to BLAS or einsum densify it (base._dense). Nothing
    writes into it: rows and the walker compute new arrays, .grad and grad() take copies
    (backward.py). Other shapes get the copy, as Expand makes it.
    """
    if isinstance(g, Tensor):
        return Expand.apply(g, shape=shape)
    if g.ndim or len(shape) - shape.count(1) > 1:
        return Expand(shape).forward(g)
    view = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
    if g.__class__ is np.ndarray:  # a numpy scalar's buffer is read-only already
        view.flags.writeable = False
    return view


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
        return (_spread(g, self.shape),)


class Mean(Op):
    """z = sum of x over dim (all when None) / n;  dz/dx = 1/n, broadcast back over the dims.
    One row for what was Sum then a division by n: the same numpy work, half the nodes."""

    saves_inputs = False
    torch_name = "MeanBackward0"

    def __init__(self, dim, keepdim, count):
        self.dim, self.keepdim, self.count = dim, keepdim, count

    def forward(self, x):
        self.shape = x.shape
        s = x.sum(axis=self.dim if x.ndim else None, keepdims=self.keepdim)
        return np.asarray(s) / self.count  # as Div did: on Sum's array result

    def backward(self, g, x):
        g = g / self.count
        if self.dim is not None and not self.keepdim:
            g = g.reshape(tuple(1 if i in self.dim else n for i, n in enumerate(self.shape)))
        return (_spread(g, self.shape),)


class MeanDim(Mean):
    torch_name = "MeanBackward1"


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


def _along(idx, dim):
    """The numpy index that picks idx[i, j, ...] along dim at position (i, j, ...) elsewhere.

    Unlike take_along_axis it allows idx to be smaller than the indexed array in the other
    dims, as torch's gather and scatter do.
    """
    ix = []
    for d, n in enumerate(idx.shape):
        if d == dim:
            ix.append(idx)
        else:
            ix.append(np.arange(n).reshape((1,) * d + (n,) + (1,) * (idx.ndim - d - 1)))
    return tuple(ix)


class Gather(Op):
    """z[i, j] = x[i, idx[i, j]] along dim (torch.gather);  dx = g added back at idx, 0 elsewhere
    (an element picked twice gets both gradients)"""

    saves_inputs = False

    def __init__(self, idx, dim):
        self.idx, self.dim = idx, dim

    def forward(self, x):
        self.shape = x.shape
        return x[_along(self.idx, self.dim)]

    def backward(self, g, x):
        return (_via(Scatter, g, idx=self.idx, dim=self.dim, shape=self.shape),)


class Scatter(Op):
    """z = zeros(shape) with x[i, j] added at [i, idx[i, j]] along dim (repeated indices
    accumulate);  dz/dx = g taken at idx"""

    saves_inputs = False

    def __init__(self, idx, dim, shape):
        self.idx, self.dim, self.shape = idx, dim, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        np.add.at(z, _along(self.idx, self.dim), x)
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
        z = self.output(Softmax, dim=self.dim)
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
        z = self.output(LogSoftmax, dim=self.dim)
        return (g - _exp(z) * _sum(g, (self.dim,), True),)
