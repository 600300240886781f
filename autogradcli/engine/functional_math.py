"""The `ag.` function forms of methods_math's Tensor methods: ag.sin(x) is
x.sin(), ag.var(x, dim) is x.var(dim), and so on, each taking a Tensor or array-like first."""

from . import methods_math  # noqa: F401 -- attaches the methods these forms call
from .tensor import Tensor


def _method(name):
    def form(x, *args, **kwargs):
        return getattr(x if isinstance(x, Tensor) else Tensor(x), name)(*args, **kwargs)

    form.__name__ = form.__qualname__ = name
    form.__doc__ = f"ag.{name}(x, ...) is x.{name}(...)."
    return form


# elementwise
sin, cos, tan = _method("sin"), _method("cos"), _method("tan")
asin, acos, atan, atan2 = _method("asin"), _method("acos"), _method("atan"), _method("atan2")
sinh, cosh = _method("sinh"), _method("cosh")
asinh, acosh, atanh = _method("asinh"), _method("acosh"), _method("atanh")
log2, log10, log1p = _method("log2"), _method("log10"), _method("log1p")
exp2, expm1, erf = _method("exp2"), _method("expm1"), _method("erf")
reciprocal, rsqrt, square = _method("reciprocal"), _method("rsqrt"), _method("square")
lerp = _method("lerp")
floor, ceil, round, trunc = _method("floor"), _method("ceil"), _method("round"), _method("trunc")
frac, sign = _method("frac"), _method("sign")
floor_divide, remainder, fmod = _method("floor_divide"), _method("remainder"), _method("fmod")
# predicates, logical and bitwise (never recorded)
isnan, isinf, isfinite = _method("isnan"), _method("isinf"), _method("isfinite")
isclose, allclose = _method("isclose"), _method("allclose")
logical_not, logical_and = _method("logical_not"), _method("logical_and")
logical_or, logical_xor = _method("logical_or"), _method("logical_xor")
bitwise_not, bitwise_and = _method("bitwise_not"), _method("bitwise_and")
bitwise_or, bitwise_xor = _method("bitwise_or"), _method("bitwise_xor")
any, all = _method("any"), _method("all")
argmax, argmin = _method("argmax"), _method("argmin")
# statistics and scans
var, std, prod, logsumexp = _method("var"), _method("std"), _method("prod"), _method("logsumexp")
amax, amin, norm, median = _method("amax"), _method("amin"), _method("norm"), _method("median")
cumsum, cumprod = _method("cumsum"), _method("cumprod")
cummax, cummin = _method("cummax"), _method("cummin")


def var_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim, as torch.var_mean."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (x.var(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim))


def std_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim, as torch.std_mean."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (x.std(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim))


__all__ = NAMES = [
    "acos", "acosh", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "asin",
    "asinh", "atan", "atan2", "atanh", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor",
    "ceil", "cos", "cosh", "cummax", "cummin", "cumprod", "cumsum", "erf", "exp2", "expm1",
    "floor", "floor_divide", "fmod", "frac", "isclose", "isfinite", "isinf", "isnan", "lerp",
    "log10", "log1p", "log2", "logical_and", "logical_not", "logical_or", "logical_xor",
    "logsumexp", "median", "norm", "prod", "reciprocal", "remainder", "round", "rsqrt", "sign",
    "sin", "sinh", "square", "std", "std_mean", "tan", "trunc", "var", "var_mean",
]
