"""Rows of two inputs, elementwise (broadcast) or matrix products, and `where`."""

import numpy as np

from ..function import Op
from ..tensor import Tensor, _const
from .base import _F64, _data, _float
from .unary import _log


def _where(cond, x, y):
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return where(cond, x, y)
    return np.where(cond, x, y)


class Add(Op):
    """z = x + y;  dz/dx = 1,  dz/dy = 1"""

    saves_inputs = False

    def forward(self, x, y):
        z = x + y
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        return g, g


class Sub(Op):
    """z = x - y;  dz/dx = 1,  dz/dy = -1"""

    saves_inputs = False

    def forward(self, x, y):
        z = x - y
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        return g, (-g if self.p1 is not None else None)


class Mul(Op):
    """z = x * y;  dz/dx = y,  dz/dy = x"""

    def forward(self, x, y):
        z = x * y
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        px, py = self.p0, self.p1
        return (g * y if px is not None else None), (g * x if py is not None else None)


class Div(Op):
    """z = x / y;  dz/dx = 1 / y,  dz/dy = -x / y^2"""

    def forward(self, x, y):
        z = x / y
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        px, py = self.p0, self.p1
        gx = g / y if px is not None else None
        gy = -g * x / (y * y) if py is not None else None
        return gx, gy


class PowTensor(Op):
    """z = x^y;  dz/dx = y x^(y-1), 0 where y == 0 (also at x == 0, where the formula is nan: as
    torch; the mask is kept to x == 0 so that d/dy of dz/dx still flows at y == 0);
    dz/dy = x^y log(x), 0 where x == 0 and y >= 0 (as torch: -inf at x == 0, y < 0)"""

    torch_name = "PowBackward1"

    def forward(self, x, y):
        z = np.power(x, y)
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        px, py = self.p0, self.p1
        gx = gy = None
        xd, yd = _data(x), _data(y)
        if px is not None:
            gx = g * y * x ** (y - 1)
            if not np.all(xd):
                gx = _where((yd == 0) & (xd == 0), 0.0, gx)
        if py is not None:
            zero_term = (xd == 0) & (yd >= 0)
            gy = _where(zero_term, 0.0, g * x**y * _log(_where(zero_term, 1.0, x)))
        return gx, gy


class _Pick(Op):
    """z = the larger (or smaller) of x and y;  dz/dx = 1 where x wins, 1/2 at ties (the gradient
    is split, as torch), else 0;  dz/dy the complement"""

    pick = wins = None

    def forward(self, x, y):
        z = self.pick(x, y)
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        xd, yd = _data(x), _data(y)
        w = (self.wins(xd, yd) + 0.5 * (xd == yd)).astype(g.dtype)
        return g * w, g * (1 - w)


class Maximum(_Pick):
    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)


class Minimum(_Pick):
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


class Where(Op):
    """z = x where cond else y;  dz/dx = cond,  dz/dy = not cond  (no gradient for cond)"""

    saves_inputs = False

    def __init__(self, cond):
        self.cond = cond

    def forward(self, x, y):
        z = np.where(self.cond, x, y)
        if z.dtype is _F64 and getattr(x, "dtype", None) is not _F64:
            z = _float(z, x, y)  # ints (or Python floats) in: float32 out
        return z

    def backward(self, g, x, y):
        return _where(self.cond, g, 0), _where(self.cond, 0, g)


class MatMul(Op):
    """z = x @ y (both at least 2-D, batched);  dz/dx = g @ y^T,  dz/dy = x^T @ g"""

    torch_name = "MmBackward0"

    def forward(self, x, y):
        return x @ y

    def backward(self, g, x, y):
        px, py = self.p0, self.p1
        gx = g @ y.mT if px is not None else None
        gy = x.mT @ g if py is not None else None
        return gx, gy


def where(cond, x, y):
    """Elementwise x where cond else y; the gradient flows to the branch taken. x and y may be
    Python numbers: with no float tensor beside them a float number gives float32, as torch."""
    if isinstance(cond, Tensor):
        if cond.dtype != np.bool_:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{cond.dtype}; compare it first (e.g. x > 0)"
            )
        cond = cond.data
    else:
        cond = np.asarray(cond, dtype=bool)
    arrays = [_data(v) for v in (x, y)]  # a Python number stays one (weakly typed, as torch)
    float_tensor = any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays)
    if not float_tensor and any(isinstance(a, float) for a in arrays):
        x, y = (_const(np.asarray(_data(v), dtype=np.float32)) for v in (x, y))
    x = x if isinstance(x, Tensor) else _const(x)
    y = y if isinstance(y, Tensor) else _const(y)
    return Where.apply(x, y, cond=cond)
