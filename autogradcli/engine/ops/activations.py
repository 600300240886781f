"""Activation rows with a kink or a saturation, each with torch's gradient at the kink, and the
honest composites (gelu, silu, mish, logsigmoid, softsign, tanhshrink) built on engine ops.

Own rows: the piecewise ones (one node instead of where/clamp chains, and the kink written here)
and softplus (stable: max(bx, 0) + log1p(exp(-|bx|)), and torch's threshold).
"""

import math

import numpy as np

from ..function import Op
from .base import _data, _float, _via
from .binary import _where
from .unary import Clamp, Sigmoid, _exp


class LeakyRelu(Op):
    """z = x if x > 0 else slope x;  dz/dx = 1 where x > 0, else slope (slope at 0, as torch)"""

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        return np.where(x > 0, x, x * self.slope)

    def backward(self, g, x):
        x = _data(x)
        return (g * np.where(x > 0, 1.0, self.slope).astype(x.dtype),)


class Elu(Op):
    """z = scale x if x > 0 else scale alpha (exp(x in_scale) - 1)  (elu, celu, selu);
    dz/dx = scale where x > 0, else scale alpha in_scale exp(x in_scale) (that branch at 0, as
    torch)"""

    def __init__(self, alpha, scale=1.0, in_scale=1.0):
        self.alpha, self.scale, self.in_scale = alpha, scale, in_scale

    def forward(self, x):
        negative = self.alpha * np.expm1(np.minimum(x, 0) * self.in_scale)
        return _float(self.scale * np.where(x > 0, x, negative), x)

    def backward(self, g, x):
        k = self.scale * self.alpha * self.in_scale
        # clamp keeps exp finite on the branch not taken (so its zero gradient stays 0, not nan)
        inside = _exp(_via(Clamp, x, lo=None, hi=0.0) * self.in_scale) * k
        return (g * _where(_data(x) > 0, self.scale, inside),)


class Hardtanh(Op):
    """z = clip(x, lo, hi)  (hardtanh, relu6);  dz/dx = 1 where lo < x < hi, else 0 (0 at the
    bounds, as torch: unlike clamp)"""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g, x):
        x = _data(x)
        return (g * ((x > self.lo) & (x < self.hi)),)


class Hardsigmoid(Op):
    """z = clip(x / 6 + 1/2, 0, 1);  dz/dx = 1/6 where -3 < x < 3, else 0 (0 at +-3, as torch)"""

    def forward(self, x):
        return _float(np.clip(x / 6 + 0.5, 0, 1), x)

    def backward(self, g, x):
        x = _data(x)
        return (g * (((x > -3) & (x < 3)) / 6).astype(x.dtype),)


class Hardswish(Op):
    """z = x clip(x + 3, 0, 6) / 6;  dz/dx = 0 where x <= -3, x/3 + 1/2 where -3 < x < 3, 1 where
    x >= 3 (torch's choices at -3 and 3)"""

    def forward(self, x):
        return _float(x * np.clip(x + 3, 0, 6) / 6, x)

    def backward(self, g, x):
        xd = _data(x)
        middle = (xd > -3) & (xd < 3)
        return (g * _where(middle, x / 3 + 0.5, (xd >= 3).astype(xd.dtype)),)


class Softplus(Op):
    """z = log(1 + exp(beta x)) / beta, and x where beta x > threshold (as torch);
    dz/dx = sigmoid(beta x), and 1 where beta x > threshold"""

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        bx = x * self.beta
        smooth = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / self.beta
        return _float(np.where(bx > self.threshold, x, smooth), x)

    def backward(self, g, x):
        linear = _data(x) * self.beta > self.threshold
        return (g * _where(linear, 1.0, _via(Sigmoid, x * self.beta)),)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- the functions (torch's names)
def leaky_relu(x, negative_slope=0.01):
    return LeakyRelu.apply(x, slope=negative_slope)


def elu(x, alpha=1.0):
    return Elu.apply(x, alpha=alpha)


def celu(x, alpha=1.0):
    return Elu.apply(x, alpha=alpha, in_scale=1 / alpha)


def selu(x):
    return Elu.apply(x, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def hardtanh(x, min_val=-1.0, max_val=1.0):
    return Hardtanh.apply(x, lo=min_val, hi=max_val)


def relu6(x):
    return Hardtanh.apply(x, lo=0.0, hi=6.0)


def hardsigmoid(x):
    return Hardsigmoid.apply(x)


def hardswish(x):
    return Hardswish.apply(x)


def softplus(x, beta=1.0, threshold=20.0):
    return Softplus.apply(x, beta=beta, threshold=threshold)


def gelu(x, approximate="none"):
    """x Phi(x) (approximate='none', via erf) or its tanh approximation (approximate='tanh')."""
    if approximate == "none":
        return x * 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    if approximate == "tanh":
        inner = (x + 0.044715 * x * x * x) * math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + inner.tanh())
    raise ValueError(f"approximate argument must be either none or tanh, not {approximate!r}")


def silu(x):
    return x * x.sigmoid()


def mish(x):
    return x * softplus(x).tanh()


def logsigmoid(x):
    """log(sigmoid(x)) = -softplus(-x): stable for large |x| through softplus's row."""
    return -softplus(-x)


def softsign(x):
    return x / (1 + x.abs())


def tanhshrink(x):
    return x - x.tanh()


ACTIVATIONS = ["celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu",
               "logsigmoid", "mish", "relu6", "selu", "silu", "softplus", "softsign",
               "tanhshrink"]
