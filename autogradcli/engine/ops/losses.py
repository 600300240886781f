"""The loss rows that need their own derivative: binary_cross_entropy, whose logs torch clamps
at -100 and whose gradient torch takes with the denominator kept above 1e-12."""

import numpy as np

from ..function import Op
from .base import _via
from .unary import Clamp, _log

_EPS = 1e-12  # torch's floor for x (1 - x) in the gradient of binary_cross_entropy


class BinaryCrossEntropy(Op):
    """z = -(y max(log x, -100) + (1 - y) max(log(1 - x), -100))  (x in [0, 1]);
    dz/dx = (x - y) / max(x (1 - x), 1e-12),  dz/dy = log(1 - x) - log x
    (as torch: the clamps keep z and dz/dx finite at x = 0 and x = 1; dz/dy is infinite there)."""

    def forward(self, x, y):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        return (y - 1) * log_1mx - y * log_x

    def backward(self, g, x, y):
        px, py = self.parents
        gx = gy = None
        if px is not None:
            gx = g * (x - y) / _via(Clamp, (1 - x) * x, lo=_EPS, hi=None)
        if py is not None:
            with np.errstate(divide="ignore"):
                gy = g * (_log(1 - x) - _log(x))
        return gx, gy
