"""Rows of one input: z = f(x), dz/dx beside it."""

import numpy as np

from ..function import Op
from .base import _F64, _data, _float, _via


def _exp(x):
    return _via(Exp, x)


def _log(x):
    return _via(Log, x)


class Neg(Op):
    """z = -x;  dz/dx = -1"""

    saves_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g, x):
        return (-g,)


class Exp(Op):
    """z = exp(x);  dz/dx = exp(x) = z"""

    saves_output = True

    def forward(self, x):
        z = np.exp(x)
        if z.dtype is _F64 and x.dtype is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        return (g * self.output(Exp),)


class Log(Op):
    """z = log(x);  dz/dx = 1 / x"""

    def forward(self, x):
        z = np.log(x)
        if z.dtype is _F64 and x.dtype is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        return (g / x,)


class Sqrt(Op):
    """z = sqrt(x);  dz/dx = 1 / (2 z)"""

    saves_output = True

    def forward(self, x):
        z = np.sqrt(x)
        if z.dtype is _F64 and x.dtype is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        return (g / (2 * self.output(Sqrt)),)


class Abs(Op):
    """z = |x|;  dz/dx = sign(x), 0 at x == 0 (as torch)"""

    def forward(self, x):
        return np.abs(x)

    def backward(self, g, x):
        return (g * np.sign(_data(x)),)


class Relu(Op):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (0 at x == 0, as torch)"""

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g, x):
        return (g * (_data(x) > 0),)


class Sigmoid(Op):
    """z = 1 / (1 + exp(-x));  dz/dx = z (1 - z).  Forward as (1 + tanh(x/2)) / 2: no overflow."""

    saves_output = True

    def forward(self, x):
        z = 0.5 + 0.5 * np.tanh(0.5 * x)
        if z.dtype is _F64 and x.dtype is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        z = self.output(Sigmoid)
        return (g * z * (1 - z),)


class Tanh(Op):
    """z = tanh(x);  dz/dx = 1 - z^2"""

    saves_output = True

    def forward(self, x):
        z = np.tanh(x)
        if z.dtype is _F64 and x.dtype is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        z = self.output(Tanh)
        return (g * (1 - z * z),)


class Clamp(Op):
    """z = clip(x, lo, hi);  dz/dx = 1 where lo <= x <= hi (bounds included, as torch), else 0"""

    torch_name = "ClampBackward1"

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g, x):
        x = _data(x)
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return (g * inside,)


class Pow(Op):
    """z = x^p for a constant p;  dz/dx = p x^(p-1)"""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        z = x**self.p
        if getattr(z, "dtype", None) is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x):
        p = self.p
        if p == 0:
            return (g * 0,)
        return (g * p * (x if p == 2 else x ** (p - 1)),)


class Cast(Op):
    """z = x as another dtype;  dz/dx = 1, cast back to x's dtype"""

    saves_inputs = False
    torch_name = "ToCopyBackward0"

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g, x):
        return (_via(Cast, g, dtype=self.in_dtype),)


class Clone(Op):
    """z = a copy of x;  dz/dx = 1"""

    saves_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, g, x):
        return (g,)
