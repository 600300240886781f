"""Rows of one input, elementwise: trigonometric, hyperbolic, logarithms and exponentials, powers.

Each forward returns torch's default float (float32) for integer inputs (see base._float); each
backward is written in ops that work on arrays and Tensors, so second derivatives flow.
"""

import math

import numpy as np

from ..function import Op
from .base import _float, _via
from .unary import Sqrt, _exp

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _sqrt(x):
    return _via(Sqrt, x)


# ---------------------------------------------------------------- trigonometric
class Sin(Op):
    """z = sin(x);  dz/dx = cos(x)"""

    def forward(self, x):
        return _float(np.sin(x), x)

    def backward(self, g, x):
        return (g * _via(Cos, x),)


class Cos(Op):
    """z = cos(x);  dz/dx = -sin(x)"""

    def forward(self, x):
        return _float(np.cos(x), x)

    def backward(self, g, x):
        return (-g * _via(Sin, x),)


class Tan(Op):
    """z = tan(x);  dz/dx = 1 + z^2"""

    saves_output = True

    def forward(self, x):
        return _float(np.tan(x), x)

    def backward(self, g, x):
        z = self.output(Tan)
        return (g * (1 + z * z),)


class Asin(Op):
    """z = asin(x);  dz/dx = 1 / sqrt(1 - x^2)"""

    def forward(self, x):
        return _float(np.arcsin(x), x)

    def backward(self, g, x):
        return (g / _sqrt(1 - x * x),)


class Acos(Op):
    """z = acos(x);  dz/dx = -1 / sqrt(1 - x^2)"""

    def forward(self, x):
        return _float(np.arccos(x), x)

    def backward(self, g, x):
        return (-g / _sqrt(1 - x * x),)


class Atan(Op):
    """z = atan(x);  dz/dx = 1 / (1 + x^2)"""

    def forward(self, x):
        return _float(np.arctan(x), x)

    def backward(self, g, x):
        return (g / (1 + x * x),)


# ---------------------------------------------------------------- hyperbolic
class Sinh(Op):
    """z = sinh(x);  dz/dx = cosh(x)"""

    def forward(self, x):
        return _float(np.sinh(x), x)

    def backward(self, g, x):
        return (g * _via(Cosh, x),)


class Cosh(Op):
    """z = cosh(x);  dz/dx = sinh(x)"""

    def forward(self, x):
        return _float(np.cosh(x), x)

    def backward(self, g, x):
        return (g * _via(Sinh, x),)


class Asinh(Op):
    """z = asinh(x);  dz/dx = 1 / sqrt(x^2 + 1)"""

    def forward(self, x):
        return _float(np.arcsinh(x), x)

    def backward(self, g, x):
        return (g / _sqrt(x * x + 1),)


class Acosh(Op):
    """z = acosh(x) (x >= 1);  dz/dx = 1 / sqrt(x^2 - 1)"""

    def forward(self, x):
        return _float(np.arccosh(x), x)

    def backward(self, g, x):
        return (g / _sqrt(x * x - 1),)


class Atanh(Op):
    """z = atanh(x) (|x| < 1);  dz/dx = 1 / (1 - x^2)"""

    def forward(self, x):
        return _float(np.arctanh(x), x)

    def backward(self, g, x):
        return (g / (1 - x * x),)


# ---------------------------------------------------------------- logarithms and exponentials
class Log2(Op):
    """z = log2(x);  dz/dx = 1 / (x ln 2)"""

    def forward(self, x):
        return _float(np.log2(x), x)

    def backward(self, g, x):
        return (g / (x * _LN2),)


class Log10(Op):
    """z = log10(x);  dz/dx = 1 / (x ln 10)"""

    def forward(self, x):
        return _float(np.log10(x), x)

    def backward(self, g, x):
        return (g / (x * _LN10),)


class Log1p(Op):
    """z = log(1 + x), exact for small x;  dz/dx = 1 / (1 + x)"""

    def forward(self, x):
        return _float(np.log1p(x), x)

    def backward(self, g, x):
        return (g / (1 + x),)


class Exp2(Op):
    """z = 2^x;  dz/dx = z ln 2"""

    saves_output = True

    def forward(self, x):
        return _float(np.exp2(x), x)

    def backward(self, g, x):
        return (g * self.output(Exp2) * _LN2,)


class Expm1(Op):
    """z = exp(x) - 1, exact for small x;  dz/dx = exp(x)"""

    def forward(self, x):
        return _float(np.expm1(x), x)

    def backward(self, g, x):
        return (g * _exp(x),)


# ---------------------------------------------------------------- powers
class Reciprocal(Op):
    """z = 1 / x;  dz/dx = -z^2"""

    saves_output = True

    def forward(self, x):
        return _float(np.reciprocal(x.astype(np.float32) if x.dtype.kind in "iub" else x), x)

    def backward(self, g, x):
        z = self.output(Reciprocal)
        return (-g * z * z,)


class Rsqrt(Op):
    """z = 1 / sqrt(x);  dz/dx = -z^3 / 2"""

    saves_output = True

    def forward(self, x):
        return _float(1 / np.sqrt(x), x)

    def backward(self, g, x):
        z = self.output(Rsqrt)
        return (-0.5 * g * z * z * z,)


# ---------------------------------------------------------------- the error function
# numpy has no erf; math.erf is correctly rounded to within an ulp, applied element by element.
_erf = np.frompyfunc(math.erf, 1, 1)


class Erf(Op):
    """z = erf(x) = 2/sqrt(pi) integral_0^x exp(-t^2) dt;  dz/dx = 2/sqrt(pi) exp(-x^2)"""

    def forward(self, x):
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        return np.asarray(_erf(x), dtype=np.float64).astype(out_dtype, copy=False)

    def backward(self, g, x):
        return (g * (2 / math.sqrt(math.pi)) * _exp(-(x * x)),)
