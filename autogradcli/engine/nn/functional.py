"""`ag.nn.functional`, as torch.nn.functional: activations, losses and kernels on engine Tensors.

The functions live beside the ops they use; this module only gathers them under torch's names.
"""

from ..functional import log_softmax, relu, sigmoid, softmax, tanh

# ---------------------------------------------------------------- losses
from ..losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)

# ---------------------------------------------------------------- shape
from ..ops import pad

# ---------------------------------------------------------------- activations
from ..ops.activations import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
    tanhshrink,
)

# ---------------------------------------------------------------- kernels: conv, pooling, layers
from .attention import scaled_dot_product_attention
from .conv import conv1d, conv2d, conv_transpose2d
from .layers import dropout, embedding, linear, one_hot
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]

# ---------------------------------------------------------------- losses, shape
__all__ += [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "pad", "smooth_l1_loss",
]

# ---------------------------------------------------------------- kernels: conv, pooling, layers
__all__ += [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "conv1d", "conv2d", "conv_transpose2d",
    "dropout", "embedding", "layer_norm", "linear", "max_pool2d", "one_hot",
    "scaled_dot_product_attention",
]

# ---------------------------------------------------------------- activations
__all__ += [
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "logsigmoid",
    "mish", "relu6", "selu", "silu", "softplus", "softsign", "tanhshrink",
]
