"""`ag.nn.functional`, as torch.nn.functional: activations, losses and kernels on engine Tensors.

The functions live beside the ops they use; this module only gathers them under torch's names.
"""

from ..functional import log_softmax, relu, sigmoid, softmax, tanh

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]

# ---------------------------------------------------------------- shape
from ..ops import pad  # noqa: E402

__all__ += ["pad"]
