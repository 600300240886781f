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

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]

# ---------------------------------------------------------------- losses, shape
__all__ += [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "pad", "smooth_l1_loss",
]
