"""The autograd tensor engine, used as `import autogradcli.engine as ag`. Imports numpy only.

No engine module imports another that imports it back, so the imports below work in any order.
"""

from . import nn
from .backward import grad
from .compile import Compiled, compile
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dot import to_dot
from .errors import ShapeError
from .functional import (
    abs,
    cat,
    clamp,
    exp,
    flatten,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    sum,
    t,
    tanh,
    transpose,
    unsqueeze,
    view,
    where,
)

# ---------------------------------------------------------------- shape, indexing, linear algebra
from .functional_layout import (
    argsort,
    bmm,
    chunk,
    clone,
    cross,
    diagonal,
    dot,
    einsum,
    flip,
    gather,
    index_select,
    kron,
    masked_fill,
    mm,
    moveaxis,
    movedim,
    mv,
    narrow,
    outer,
    repeat_interleave,
    roll,
    scatter,
    scatter_add,
    sort,
    split,
    tensordot,
    topk,
    trace,
    tril,
    triu,
    unbind,
)

# ---------------------------------------------------------------- elementwise math, statistics
from .functional_math import *  # noqa: F403 -- the names listed in functional_math.NAMES
from .functional_math import NAMES as _MATH_NAMES
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
from .methods import Tensor  # Tensor with its graph-building methods attached

# ---------------------------------------------------------------- kernels (conv, pooling)
# torch also offers these at the top level (torch.conv2d, torch.max_pool2d), same arguments.
from .nn.conv import conv1d, conv2d, conv_transpose2d
from .nn.pooling import max_pool2d
from .ops.activations import celu, selu
from .tensor import bool_ as bool
from .tensor import float32, float64, int64

__all__ = [
    "Tensor", "abs", "arange", "bool", "cat", "clamp", "enable_grad", "exp", "flatten", "float32",
    "float64", "full", "grad", "gradcheck", "gradgradcheck", "int64", "is_grad_enabled", "linspace",
    "log", "log_softmax", "manual_seed", "matmul", "max", "maximum", "mean", "min", "minimum", "nn",
    "no_grad", "ones", "ones_like", "permute", "pow", "rand", "randn", "relu", "reshape",
    "set_grad_enabled", "sigmoid", "softmax", "sqrt", "squeeze", "stack", "sum", "t", "tanh",
    "tensor", "to_dot", "transpose", "unsqueeze", "view", "where", "zeros", "zeros_like",
]

# ---------------------------------------------------------------- shape, indexing, linear algebra
__all__ += [
    "argsort", "bmm", "chunk", "clone", "cross", "diagonal", "dot", "einsum", "flip", "gather",
    "index_select", "kron", "masked_fill", "mm", "moveaxis", "movedim", "mv", "narrow", "outer",
    "repeat_interleave", "roll", "scatter", "scatter_add", "sort", "split", "tensordot", "topk",
    "trace", "tril", "triu", "unbind",
]

# ---------------------------------------------------------------- kernels (conv, pooling)
__all__ += ["conv1d", "conv2d", "conv_transpose2d", "max_pool2d"]

# ---------------------------------------------------------------- elementwise math, statistics
__all__ += ["ShapeError", "celu", "empty", "empty_like", "eye", "full_like", "rand_like", "randint",
            "randn_like", "selu", *_MATH_NAMES]
__all__ += ["Compiled", "compile"]
