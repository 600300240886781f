"""`ag.nn.functional`, as torch.nn.functional: activations, losses and kernels on engine Tensors.

The functions live beside the ops they use; this module only gathers them under torch's names.
"""

from ..functional import log_softmax, relu, sigmoid, softmax, tanh

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]

# ---- issue 11 part A: activations (rows and composites in ops/activations.py)
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

__all__ += [
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "logsigmoid",
    "mish", "relu6", "selu", "silu", "softplus", "softsign", "tanhshrink",
]
