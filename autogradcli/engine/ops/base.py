"""What every row shares: a value's array, and applying a row to a Tensor or an array.

A backward is a vector-Jacobian product written once, in operations that work on Tensors and on
numpy arrays alike (operators, `.reshape`, `.mT`, and `_via`). The walker hands it plain arrays
for speed, or Tensors under create_graph=True, so that the gradient it builds can be
differentiated again. Broadcast gradients are reduced to their input's shape by the walker, not
in the rows; `None` means "no gradient for this input".
"""

from ..tensor import Tensor


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def _via(cls, x, **params):
    """Apply a row to a Tensor (recorded when grad mode is on) or straight to an array."""
    if isinstance(x, Tensor):
        return cls.apply(x, **params)
    return cls(**params).forward(x)
