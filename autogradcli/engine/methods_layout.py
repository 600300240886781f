"""Tensor methods for rearranging, indexing and multiplying: repeat, flip, gather, sort, topk,
diagonal, dot, bmm... (the functions live in ops/indexing.py, ops/layout.py, ops/linalg.py).

Attached to Tensor on import, as methods.py attaches the core ones; the package imports this
module, so `ag.Tensor` has them whichever engine module is imported first.
"""

from . import ops
from .methods import _attach
from .tensor import Tensor

__all__ = []


class _LayoutMethods:
    """Written as a class body so that they read as the methods they become (see _attach)."""

    # ------------------------------------------------------------------ rearranging
    def expand_as(self, other):
        return ops.expand_as(self, other)

    def repeat(self, *sizes):
        return ops.repeat(self, *sizes)

    def repeat_interleave(self, repeats, dim=None):
        return ops.repeat_interleave(self, repeats, dim)

    def flip(self, *dims):
        dims = dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return ops.flip(self, dims)

    def roll(self, shifts, dims=None):
        return ops.roll(self, shifts, dims)

    def split(self, split_size, dim=0):
        return ops.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return ops.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return ops.unbind(self, dim)

    def narrow(self, dim, start, length):
        return ops.narrow(self, dim, start, length)

    def movedim(self, source, destination):
        return ops.movedim(self, source, destination)

    moveaxis = movedim

    def contiguous(self):
        """self: arrays here have no strides to fix, as a contiguous torch tensor returns itself."""
        return self

    def tril(self, diagonal=0):
        return ops.tril(self, diagonal)

    def triu(self, diagonal=0):
        return ops.triu(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return ops.diagonal(self, offset, dim1, dim2)

    # ------------------------------------------------------------------ indexing
    def gather(self, dim, index):
        return ops.gather(self, dim, index)

    def scatter(self, dim, index, src=None, value=None):
        if (src is None) == (value is None):
            raise TypeError("scatter() takes one of src (a tensor or a number) or value")
        return ops.scatter(self, dim, index, value if src is None else src)

    def scatter_add(self, dim, index, src):
        return ops.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return ops.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return ops.masked_fill(self, mask, value)

    def sort(self, dim=-1, descending=False, stable=False):
        return ops.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return ops.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return ops.topk(self, k, dim, largest, sorted)

    # ------------------------------------------------------------------ products
    def trace(self):
        return ops.trace(self)

    def cross(self, other, dim=None):
        return ops.cross(self, other, dim)

    def dot(self, other):
        return ops.dot(self, other)

    def outer(self, other):
        return ops.outer(self, other)

    def kron(self, other):
        return ops.kron(self, other)

    def mv(self, vec):
        return ops.mv(self, vec)

    def mm(self, other):
        return ops.mm(self, other)

    def bmm(self, other):
        return ops.bmm(self, other)


_attach(Tensor, _LayoutMethods)
