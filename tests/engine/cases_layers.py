"""Gradcheck rows of the layer kernels of ag.nn.functional (first and second order): linear,
dropout, embedding, batch_norm, layer_norm, scaled_dot_product_attention.

Conventions: dropout's mask comes from ag.manual_seed (each row reseeds, so every call of the
function sees the same mask); embedding sums the gradient of a row picked several times (its
padding_idx rule is not a derivative: test_kernels.py); batch_norm normalises with the biased
variance (its running statistics: test_kernels.py).
"""

import numpy as np
from cases import Case

import autogradcli.engine as ag

F = ag.nn.functional

_IDX = np.array([[1, 3, 1], [0, 3, 3]])
_RUNNING_MEAN = ag.tensor([0.2, -0.1, 0.4], dtype=ag.float64)
_RUNNING_VAR = ag.tensor([1.5, 0.7, 2.0], dtype=ag.float64)
_BOOL_MASK = np.array([[True, False, True, True], [True, True, False, True],
                       [False, True, True, True]])
_FLOAT_MASK = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


def _dropout(x, p):
    ag.manual_seed(3)
    return F.dropout(x, p)


def _batch_norm_eval(x, w, b):
    return F.batch_norm(x, _RUNNING_MEAN, _RUNNING_VAR, w, b, training=False)


CASES = [
    # ------------------------------------------------------------ linear, dropout, embedding
    Case("linear", lambda x, w: F.linear(x, w), ((4, 3), (2, 3))),
    Case("linear_bias", lambda x, w, b: F.linear(x, w, b), ((2, 5, 3), (4, 3), (4,))),
    Case("linear_vector", lambda x, w, b: F.linear(x, w, b), ((3,), (2, 3), (2,))),
    Case("dropout", lambda x: _dropout(x, 0.4), ((4, 5),)),
    Case("dropout_eval", lambda x: F.dropout(x, 0.4, training=False), ((3, 2),)),
    Case("embedding", lambda w: F.embedding(_IDX, w), ((5, 3),)),
    # ------------------------------------------------------------ normalisation
    Case("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         ((4, 3), (3,), (3,))),
    Case("batch_norm_train_2d", lambda x: F.batch_norm(x, None, None, training=True),
         ((2, 3, 2, 2),)),
    Case("batch_norm_eval", _batch_norm_eval, ((2, 3, 2), (3,), (3,))),
    Case("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), ((3, 4), (4,), (4,))),
    Case("layer_norm_2d", lambda x: F.layer_norm(x, (2, 3)), ((2, 2, 3),)),
    # ------------------------------------------------------------ attention
    Case("sdpa", lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
         ((2, 3, 2), (2, 4, 2), (2, 4, 3))),
    Case("sdpa_bool_mask", lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=_BOOL_MASK), ((1, 2, 3, 2), (1, 2, 4, 2), (1, 2, 4, 2))),
    Case("sdpa_float_mask_scale", lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=_FLOAT_MASK, scale=0.3), ((3, 2), (4, 2), (4, 1))),
    Case("sdpa_causal", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
         ((2, 3, 2), (2, 3, 2), (2, 3, 2))),
    Case("sdpa_gqa", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
         ((4, 2, 2), (2, 3, 2), (2, 3, 2))),
]
