"""What every row shares: a value's array, and applying a row to a Tensor or an array.

A backward is a vector-Jacobian product written once, in operations that work on Tensors and on
numpy arrays alike (operators, `.reshape`, `.mT`, and `_via`). The walker hands it plain arrays
for speed, or Tensors under create_graph=True, so that the gradient it builds can be
differentiated again. Broadcast gradients are reduced to their input's shape by the walker, not
in the rows; `None` means "no gradient for this input".
"""

import numpy as np

from ..tensor import Tensor

_F64, _F32 = np.dtype("float64"), np.dtype("float32")


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def _dense(g):
    """g as a C-contiguous array when it is a spread view (strides 0: reductions.py's _spread),
    for rows that hand a gradient to BLAS or einsum, which may sum a strided operand in another
    order than its copy. Anything else (Tensors under create_graph included) as it is."""
    if g.__class__ is np.ndarray and 0 in g.strides and not g.flags.c_contiguous:
        return np.ascontiguousarray(g)
    return g


def _via(cls, x, **params):
    """Apply a row to a Tensor (recorded when grad mode is on) or straight to an array."""
    if isinstance(x, Tensor):
        return cls.apply(x, **params)
    return cls(**params).forward(x)


def _float(z, *ins):
    """torch's default float dtype: a float64 result whose operands hold no float64 array (ints
    and Python floats: tensor([1, 2]) / 2, int + 0.5, int.exp()) is float32, where numpy would
    give float64. Rows that compute floats from any input call this on their result (the hot
    rows of binary.py and unary.py test the dtype first, saving the call)."""
    if getattr(z, "dtype", None) is not _F64:  # Python numbers (of two constants) pass as they are
        return z
    for a in ins:
        if type(a) is np.ndarray and a.dtype is _F64:
            return z
    return z.astype(_F32)
