"""Rows with a step or a sign in them: rounding, sign, frac, atan2, and the integer-division
family (//, %, fmod), with torch's gradients (rounding and sign: zero; // : none at all)."""

import numpy as np

from ..function import Op
from .base import _data, _float
from .binary import _where


class _Step(Op):
    """z = a step function of x (floor, ceil, round, trunc, sign);  dz/dx = 0 (as torch)"""

    saves_inputs = False
    fn = None

    def forward(self, x):
        if x.dtype.kind in "iub":  # integers are already whole, as torch: same dtype back
            return np.sign(x) if self.fn is np.sign and x.dtype.kind != "b" else x.copy()
        return self.fn(x)

    def backward(self, g, x):
        return (g * 0,)


class Floor(_Step):
    fn = staticmethod(np.floor)


class Ceil(_Step):
    fn = staticmethod(np.ceil)


class Trunc(_Step):
    fn = staticmethod(np.trunc)


class Sign(_Step):
    fn = staticmethod(np.sign)


class Round(_Step):
    """z = x rounded to `decimals` places, halves to even (as torch and numpy);  dz/dx = 0"""

    def __init__(self, decimals=0):
        self.decimals = decimals

    def fn(self, x):
        return np.round(x, self.decimals)


class Frac(Op):
    """z = x - trunc(x) (keeps x's sign, as torch);  dz/dx = 1"""

    saves_inputs = False

    def forward(self, x):
        return x - np.trunc(x)

    def backward(self, g, x):
        return (g,)


class Atan2(Op):
    """z = atan2(y, x), the angle of (x, y);  dz/dy = x / (x^2 + y^2),  dz/dx = -y / (x^2 + y^2);
    both 0 at the origin (as torch)"""

    def forward(self, y, x):
        return _float(np.arctan2(y, x), y, x)

    def backward(self, g, y, x):
        r2 = x * x + y * y
        origin = _data(r2) == 0
        if np.any(origin):
            r2 = _where(origin, 1.0, r2)
        return _where(origin, 0.0, g * x / r2), _where(origin, 0.0, -g * y / r2)


class FloorDivide(Op):
    """z = floor(x / y) (Python's //, as torch);  no derivative (torch raises too)"""

    saves_inputs = False

    def forward(self, x, y):
        return _float(np.floor_divide(x, y), x, y)

    def backward(self, g, x, y):
        raise RuntimeError("derivative for floor_divide is not implemented (as in torch); "
                           "x // y is a step function, detach it or use x / y")


class Remainder(Op):
    """z = x - floor(x / y) y, the sign of y (Python's %, as torch);  dz/dx = 1,
    dz/dy = -floor(x / y)"""

    def forward(self, x, y):
        return _float(np.remainder(x, y), x, y)

    def backward(self, g, x, y):
        return g, -g * np.floor(_data(x) / _data(y))


class Fmod(Op):
    """z = x - trunc(x / y) y, the sign of x (C's fmod, as torch);  dz/dx = 1,
    dz/dy = -trunc(x / y)"""

    def forward(self, x, y):
        return _float(np.fmod(x, y), x, y)

    def backward(self, g, x, y):
        return g, -g * np.trunc(_data(x) / _data(y))
