"""The derivative table: one row per primitive, its forward on arrays beside its backward.

One file per family of rows; base.py says how a row is written.
"""

from .binary import (
    Add,
    Div,
    MatMul,
    Maximum,
    Minimum,
    Mul,
    PowTensor,
    Sub,
    Where,
    where,
)
from .composites import (
    MaxResult,
    cat,
    extreme_along,
    matmul,
    replace,
    stack,
)
from .reductions import (
    Gather,
    LogSoftmax,
    Max,
    Min,
    Scatter,
    Softmax,
    Sum,
)
from .shape import (
    Cat,
    Expand,
    Index,
    IndexAdd,
    Permute,
    Reshape,
)
from .unary import (
    Abs,
    Cast,
    Clamp,
    Clone,
    Exp,
    Log,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sqrt,
    Tanh,
)

# isort: split
# ---- issue 11 part A: elementwise, rounding, activations, statistics rows
from .activations import ACTIVATIONS, Elu, Hardsigmoid, Hardswish, Hardtanh, LeakyRelu, Softplus
from .elementwise import (
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atanh,
    Cos,
    Cosh,
    Erf,
    Exp2,
    Expm1,
    Log1p,
    Log2,
    Log10,
    Reciprocal,
    Rsqrt,
    Sin,
    Sinh,
    Tan,
)
from .rounding import Atan2, Ceil, Floor, FloorDivide, Fmod, Frac, Remainder, Round, Sign, Trunc
from .statistics import (
    Amax,
    Amin,
    CountNonzero,
    Cumprod,
    Cumsum,
    LogSumExp,
    Median,
    StdSqrt,
    VectorNorm,
)

__all__ = [
    "Abs",
    "Add",
    "Cast",
    "Cat",
    "Clamp",
    "Clone",
    "Div",
    "Exp",
    "Expand",
    "Gather",
    "Index",
    "IndexAdd",
    "Log",
    "LogSoftmax",
    "MatMul",
    "Max",
    "MaxResult",
    "Maximum",
    "Min",
    "Minimum",
    "Mul",
    "Neg",
    "Permute",
    "Pow",
    "PowTensor",
    "Relu",
    "Reshape",
    "Scatter",
    "Sigmoid",
    "Softmax",
    "Sqrt",
    "Sub",
    "Sum",
    "Tanh",
    "Where",
    "cat",
    "extreme_along",
    "matmul",
    "replace",
    "stack",
    "where",
]
__all__ += [
    "ACTIVATIONS", "Acos", "Acosh", "Amax", "Amin", "Asin", "Asinh", "Atan", "Atan2", "Atanh",
    "Ceil", "Cos", "Cosh", "CountNonzero", "Cumprod", "Cumsum", "Elu", "Erf", "Exp2", "Expm1",
    "Floor", "FloorDivide", "Fmod", "Frac", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyRelu",
    "Log1p", "Log2", "Log10", "LogSumExp", "Median", "Reciprocal", "Remainder", "Round", "Rsqrt",
    "Sign", "Sin", "Sinh", "Softplus", "StdSqrt", "Tan", "Trunc", "VectorNorm",
]
