"""The autograd tensor engine, used as `import autogradcli.engine as ag`. Imports numpy only.

No engine module imports another that imports it back, so the imports below work in any order.
"""

from . import nn
from .backward import grad
from .creation import (
    arange,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
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
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
from .methods import Tensor  # Tensor with its graph-building methods attached
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

# ---- issue 11 part A: elementwise math, predicates, statistics and scans, factories
from . import methods_math
from .creation import (
    empty,
    empty_like,
    eye,
    full_like,
    rand_like,
    randint,
    randn_like,
)
from .functional_math import *  # noqa: F403 -- the names of functional_math.NAMES
from .functional_math import NAMES as _MATH_NAMES
from .ops.activations import celu, selu

__all__ += ["ShapeError", "celu", "empty", "empty_like", "eye", "full_like", "methods_math",
            "rand_like", "randint", "randn_like", "selu", *_MATH_NAMES]
