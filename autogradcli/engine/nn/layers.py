"""linear, dropout, embedding and one_hot as torch.nn.functional, written on the engine's rows.

dropout draws its mask from the engine's generator, so ag.manual_seed makes it reproducible.
"""

import numpy as np

from .. import creation
from ..grad_mode import no_grad
from ..ops import Index, matmul, where
from ..tensor import Tensor, _const, _make, _operand


def linear(input, weight, bias=None):
    """input @ weight^T + bias, weight of shape (out_features, in_features)."""
    weight = _operand(weight)
    y = matmul(_operand(input), weight.transpose(0, 1) if weight.ndim == 2 else weight)
    return y if bias is None else y + bias


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p); identity when
    training is False. The mask comes from the engine's generator (see ag.manual_seed)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = _operand(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        mask = np.zeros(x.shape, dtype=x.dtype)
    else:
        keep = creation._rng.random(x.shape) >= p
        mask = (keep / (1.0 - p)).astype(x.dtype if x.dtype.kind == "f" else np.float32)
    y = x * _const(mask)
    if inplace:
        with no_grad():
            x.copy_(y)
        return x
    return y


def _indices(input, name):
    data = input.data if isinstance(input, Tensor) else np.asarray(input)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected an integer index tensor, got dtype {data.dtype}")
    return data.astype(np.int64, copy=False)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0):
    """The rows of weight picked by the integer input; the gradient of a row sums over every
    place it was picked, and is zero for padding_idx. max_norm renormalises the picked rows of
    weight in place (as torch), before they are taken."""
    idx = _indices(input, "embedding")
    weight = _operand(weight)
    rows = weight.shape[0]
    if idx.size and (idx.min() < -rows or idx.max() >= rows):
        raise IndexError("index out of range in self")
    idx = idx % rows if idx.size else idx
    if max_norm is not None:
        _renorm_rows(weight, np.unique(idx), max_norm, norm_type)
    out = Index.apply(weight, index=idx)
    if padding_idx is None:
        return out
    if not -rows <= padding_idx < rows:
        raise ValueError("padding_idx must be within num_embeddings")
    at_padding = (idx == padding_idx % rows)[..., None]
    return where(at_padding, Index.apply(weight.detach(), index=idx), out)


def _renorm_rows(weight, rows, max_norm, norm_type):
    with no_grad():
        picked = weight.data[rows]
        norms = np.linalg.norm(picked, ord=norm_type, axis=1, keepdims=True)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.data[rows] = picked * scale
        weight._version[0] += 1


def one_hot(tensor, num_classes=-1):
    """int64 (*, num_classes) with a 1 at each value; num_classes=-1 means max + 1."""
    idx = _indices(tensor, "one_hot")
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


__all__ = ["dropout", "embedding", "linear", "one_hot"]
