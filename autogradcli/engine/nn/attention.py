"""scaled_dot_product_attention as torch.nn.functional (its math reference path), on engine rows.

softmax(q k^T * scale + mask) v: a boolean mask keeps the True places (False become -inf), a
float mask is added; is_causal keeps the lower triangle. A fully masked row gives nan, as torch.
"""

import math

import numpy as np

from ..ops import Index, matmul, where
from ..tensor import Tensor, _operand
from .layers import dropout


def _repeat_heads(t, heads):
    """Grouped-query attention: each key/value head serves heads / t's heads query heads."""
    groups = heads // t.shape[-3]
    index = (Ellipsis, np.arange(heads) // groups, slice(None), slice(None))
    return Index.apply(t, index=index)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """Attention of query (..., L, E) over key (..., S, E) and value (..., S, Ev)."""
    q, k, v = _operand(query), _operand(key), _operand(value)
    if is_causal and attn_mask is not None:
        raise RuntimeError("Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        k, v = _repeat_heads(k, q.shape[-3]), _repeat_heads(v, q.shape[-3])
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = matmul(q, k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        if mask.dtype == bool:
            scores = where(mask, scores, -np.inf)
        else:
            scores = scores + _operand(attn_mask)
    weights = scores.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, v)


__all__ = ["scaled_dot_product_attention"]
