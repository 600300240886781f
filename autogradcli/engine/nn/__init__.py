"""`ag.nn`: the engine's neural-network namespace, as torch.nn (functions only, no modules).

`ag.nn.functional` holds activations, losses and kernels written on the engine's ops.
"""

from . import functional

__all__ = ["functional"]
