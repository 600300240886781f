"""Rows that move elements without computing: reshape, broadcast, permute, index, join."""

import numpy as np

from ..function import Op
from .base import _via


class Reshape(Op):
    """z = x with a new shape;  dx = g with x's shape"""

    saves_inputs = False
    torch_name = "ViewBackward0"

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g, x):
        return (g.reshape(self.in_shape),)


class Expand(Op):
    """z = x broadcast to shape;  dx = g (the walker sums it back over the broadcast dims)"""

    saves_inputs = False

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        out = np.empty(self.shape, dtype=x.dtype)  # faster than np.broadcast_to on small arrays
        try:
            out[...] = x
        except ValueError:
            _refuse_expand(x.shape, self.shape)
        return out

    def backward(self, g, x):
        return (g,)


def _refuse_expand(shape, target):
    """torch's message for a shape that cannot be broadcast to target."""
    if len(target) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(target)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(target) - len(shape)
    for d, n in enumerate(shape):
        if n != 1 and n != target[lead + d]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[lead + d]}) must match the existing "
                f"size ({n}) at non-singleton dimension {lead + d}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )
    raise RuntimeError(f"cannot expand a tensor of shape {list(shape)} to {list(target)}")


class Permute(Op):
    """z = x with its dims reordered;  dx = g with the inverse order"""

    saves_inputs = False

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, g, x):
        return (_via(Permute, g, dims=tuple(np.argsort(self.dims).tolist())),)


class Index(Op):
    """z = x[index];  dx = zeros with g added at index (repeated indices accumulate)"""

    saves_inputs = False

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def backward(self, g, x):
        return (_via(IndexAdd, g, index=self.index, shape=self.shape),)


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


class IndexAdd(Op):
    """z = zeros(shape) with x added at index;  dx = g[index]"""

    saves_inputs = False

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        if _is_basic(self.index):
            z[self.index] = x  # basic indices never repeat an element
        else:
            np.add.at(z, self.index, x)
        return z

    def backward(self, g, x):
        return (g[self.index],)


class Cat(Op):
    """z = the inputs joined along dim;  d(input i) = the slice of g that input i became"""

    saves_inputs = False

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        self.ends = np.cumsum([x.shape[self.dim] for x in xs]).tolist()
        return np.concatenate(xs, axis=self.dim)

    def backward(self, g, *xs):
        lead = (slice(None),) * self.dim
        starts = [0, *self.ends[:-1]]
        return tuple(g[(*lead, slice(a, b))] for a, b in zip(starts, self.ends))


class Flip(Op):
    """z = x reversed along dims;  dx = g reversed along the same dims"""

    saves_inputs = False

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return np.flip(x, self.dims).copy()

    def backward(self, g, x):
        return (_via(Flip, g, dims=self.dims),)


class Roll(Op):
    """z = x shifted cyclically by shifts along dims;  dx = g shifted back by -shifts"""

    saves_inputs = False

    def __init__(self, shifts, dims):
        self.shifts, self.dims = shifts, dims

    def forward(self, x):
        return np.roll(x, self.shifts, self.dims)

    def backward(self, g, x):
        back = tuple(-s for s in self.shifts)
        return (_via(Roll, g, shifts=back, dims=self.dims),)
