"""The `ag.` function forms of the shape, indexing and linear-algebra families (as torch.flip,
torch.gather, torch.einsum...). The functions themselves live in ops/; this module gathers them."""

from . import methods_layout  # noqa: F401  (the Tensor methods these functions' users expect)
from .ops import (
    argsort,
    bmm,
    chunk,
    cross,
    diagonal,
    dot,
    einsum,
    flip,
    gather,
    index_select,
    kron,
    masked_fill,
    mm,
    movedim,
    mv,
    narrow,
    outer,
    repeat_interleave,
    roll,
    scatter,
    scatter_add,
    sort,
    split,
    tensordot,
    topk,
    trace,
    tril,
    triu,
    unbind,
)
from .tensor import Tensor

moveaxis = movedim


def clone(x):
    """A copy of x that stays in the graph (gradient 1)."""
    return x.clone() if isinstance(x, Tensor) else Tensor(x)


__all__ = [
    "argsort", "bmm", "chunk", "clone", "cross", "diagonal", "dot", "einsum", "flip", "gather",
    "index_select", "kron", "masked_fill", "mm", "moveaxis", "movedim", "mv", "narrow", "outer",
    "repeat_interleave", "roll", "scatter", "scatter_add", "sort", "split", "tensordot", "topk",
    "trace", "tril", "triu", "unbind",
]
