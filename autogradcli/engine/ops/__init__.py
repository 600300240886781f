"""The derivative table: one row per primitive, its forward on arrays beside its backward.

One file per family of rows; base.py says how a row is written.
"""

from .activations import ACTIVATIONS, Elu, Hardsigmoid, Hardswish, Hardtanh, LeakyRelu, Softplus
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

# ---------------------------------------------------------------- shape, indexing, linear algebra
from .indexing import (
    ScatterInto,
    argsort,
    gather,
    index_select,
    masked_fill,
    scatter,
    scatter_add,
    sort,
    topk,
)
from .layout import (
    chunk,
    diagonal,
    expand_as,
    flip,
    movedim,
    narrow,
    pad,
    repeat,
    repeat_interleave,
    roll,
    split,
    tril,
    triu,
    unbind,
)
from .linalg import Einsum, bmm, cross, dot, einsum, kron, mm, mv, outer, tensordot, trace
from .reductions import (
    Gather,
    LogSoftmax,
    Max,
    Mean,
    MeanDim,
    Min,
    Scatter,
    Softmax,
    Sum,
)
from .rounding import Atan2, Ceil, Floor, FloorDivide, Fmod, Frac, Remainder, Round, Sign, Trunc
from .shape import (
    Cat,
    Expand,
    Flip,
    Index,
    IndexAdd,
    Permute,
    Reshape,
    Roll,
)
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
    "Mean",
    "MeanDim",
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

# ---------------------------------------------------------------- shape, indexing, linear algebra
__all__ += [
    "Einsum", "Flip", "Roll", "ScatterInto", "argsort", "bmm", "chunk", "cross", "diagonal", "dot",
    "einsum", "expand_as", "flip", "gather", "index_select", "kron", "masked_fill", "mm", "movedim",
    "mv", "narrow", "outer", "pad", "repeat", "repeat_interleave", "roll", "scatter", "scatter_add",
    "sort", "split", "tensordot", "topk", "trace", "tril", "triu", "unbind",
]

# ---------------------------------------------------------------- elementwise, statistics
__all__ += [
    "ACTIVATIONS", "Acos", "Acosh", "Amax", "Amin", "Asin", "Asinh", "Atan", "Atan2", "Atanh",
    "Ceil", "Cos", "Cosh", "CountNonzero", "Cumprod", "Cumsum", "Elu", "Erf", "Exp2", "Expm1",
    "Floor", "FloorDivide", "Fmod", "Frac", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyRelu",
    "Log1p", "Log2", "Log10", "LogSumExp", "Median", "Reciprocal", "Remainder", "Round", "Rsqrt",
    "Sign", "Sin", "Sinh", "Softplus", "StdSqrt", "Tan", "Trunc", "VectorNorm",
]
