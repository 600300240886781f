"""Rows of max pooling: take elements at flat positions, and its adjoint, add them back.

max_pool2d finds each window's argmax in numpy, then takes x there; the gradient goes back to the
chosen element, added up where windows overlap and chose the same one (torch's rule).
"""

import numpy as np

from ..function import Op
from .base import _via


class TakeFlat(Op):
    """z = x.flatten()[idx];  dx = zeros(x.shape) with g added at idx (repeats accumulate).
    unique: idx never repeats (windows that cannot overlap), so adding is writing."""

    saves_inputs = False
    torch_name = "MaxPool2DWithIndicesBackward0"

    def __init__(self, idx, unique=False):
        self.idx, self.unique = idx, unique

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(-1)[self.idx]

    def backward(self, g, x):
        return (_via(AddFlat, g, idx=self.idx, shape=self.shape, unique=self.unique),)


class AddFlat(Op):
    """z = zeros(shape), flattened, with x added at idx;  dx = g.flatten()[idx]"""

    saves_inputs = False

    def __init__(self, idx, shape, unique=False):
        self.idx, self.shape, self.unique = idx, shape, unique

    def forward(self, x):
        size = int(np.prod(self.shape))
        if self.unique:
            z = np.zeros(size, dtype=x.dtype)
            z[self.idx.reshape(-1)] = x.reshape(-1)
        else:  # bincount sums repeated positions in one pass (np.add.at is far slower)
            z = np.bincount(self.idx.reshape(-1), weights=x.reshape(-1), minlength=size)
            z = z.astype(x.dtype, copy=False)
        return z.reshape(self.shape)

    def backward(self, g, x):
        return (_via(TakeFlat, g, idx=self.idx, unique=self.unique),)
