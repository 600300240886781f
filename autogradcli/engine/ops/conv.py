"""Rows of the convolution family: conv, its input gradient (conv_transpose), its weight gradient.

The three are bilinear, and the vector-Jacobian product of each is another of the three, so
second derivatives flow through the same rows. Each is one batched matmul on an im2col matrix,
built (and folded back) by slicing: the only Python loop is over kernel taps, never over pixels.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..function import Op
from ..tensor import Tensor, _operand
from .base import _dense


@dataclass(frozen=True)
class Geometry:
    """Everything a 2-D convolution needs besides its values: shapes, stride, padding, groups.

    x_shape (N, C, H, W); w_shape (O, C // groups, KH, KW); padding ((top, bottom), (left, right))
    in elements of the input, zeros, possibly uneven ('same' with an even kernel, ceil_mode).
    """

    x_shape: tuple
    w_shape: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int

    @cached_property
    def out_hw(self):
        """(OH, OW): how many windows fit along each spatial dim of the padded input."""
        sizes = []
        for n, k, s, d, (lo, hi) in zip(self.x_shape[2:], self.w_shape[2:], self.stride,
                                        self.dilation, self.padding):
            sizes.append((n + lo + hi - d * (k - 1) - 1) // s + 1)
        return tuple(sizes)

    @cached_property
    def padded_hw(self):
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.x_shape[2:], self.padding))


def _taps(geo):
    """Per kernel tap (i, j): the rows and columns of the padded input it meets, as slices."""
    kh, kw = geo.w_shape[2:]
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    oh, ow = geo.out_hw
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                         slice(j * dw, j * dw + (ow - 1) * sw + 1, sw))


def _columns(x, geo):
    """im2col: the windows of the padded input as a (G, N*OH*OW, KH*KW*C/G) matrix, one row per
    output pixel. Channels last, so each tap's copy moves whole pixels (fast), not strided cells."""
    n, c, h, w = x.shape
    kh, kw = geo.w_shape[2:]
    oh, ow = geo.out_hw
    (t, _), (left, _) = geo.padding
    xh = np.zeros((n, *geo.padded_hw, c), dtype=x.dtype)
    xh[:, t : t + h, left : left + w] = x.transpose(0, 2, 3, 1)
    cols = np.empty((n, oh, ow, kh, kw, c), dtype=x.dtype)
    for i, j, (rows, cols_) in _taps(geo):
        cols[:, :, :, i, j] = xh[:, rows, cols_]
    groups = geo.groups
    if groups == 1:
        return cols.reshape(1, n * oh * ow, kh * kw * c)
    cols = cols.reshape(n * oh * ow, kh * kw, groups, c // groups).transpose(2, 0, 1, 3)
    return cols.reshape(groups, n * oh * ow, kh * kw * (c // groups))


def _weight_matrix(w, groups):
    """The filters (O, C/G, KH, KW) as (G, O/G, KH*KW*C/G), columns in _columns' order."""
    o = w.shape[0]
    w = w.reshape(groups, o // groups, *w.shape[1:]).transpose(0, 1, 3, 4, 2)
    return w.reshape(groups, o // groups, -1)


def _grad_matrix(g, geo):
    """The output gradient (N, O, OH, OW) as (G, N*OH*OW, O/G), rows matching _columns."""
    n, o = g.shape[:2]
    groups = geo.groups
    oh, ow = geo.out_hw
    g = g.reshape(n, groups, o // groups, oh * ow).transpose(1, 0, 3, 2)
    return g.reshape(groups, n * oh * ow, o // groups)


def conv(x, w, geo, cols=None):
    """y[n, o] = sum over the group's channels and taps of w[o] * the window of x (no flip).
    cols: x's im2col matrix, when the caller already has it."""
    n = x.shape[0]
    o = w.shape[0]
    oh, ow = geo.out_hw
    cols = _columns(x, geo) if cols is None else cols
    y = np.matmul(cols, _weight_matrix(w, geo.groups).transpose(0, 2, 1))
    y = y.reshape(geo.groups, n, oh, ow, o // geo.groups).transpose(1, 0, 4, 2, 3)
    return np.ascontiguousarray(y).reshape(n, o, oh, ow)


def conv_input(g, w, geo):
    """The adjoint of conv in x (= conv_transpose of g with w): each tap's products added back
    (col2im, channels last)."""
    n, c, h, wd = geo.x_shape
    kh, kw = geo.w_shape[2:]
    oh, ow = geo.out_hw
    groups = geo.groups
    cols = np.matmul(_grad_matrix(g, geo), _weight_matrix(w, groups))
    cols = cols.reshape(groups, n, oh, ow, kh, kw, c // groups)
    if groups > 1:
        cols = cols.transpose(1, 2, 3, 4, 5, 0, 6)
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    gx = np.zeros((n, *geo.padded_hw, c), dtype=cols.dtype)
    for i, j, (rows, cols_) in _taps(geo):
        gx[:, rows, cols_] += cols[:, :, :, i, j]
    (t, _), (left, _) = geo.padding
    return np.ascontiguousarray(gx[:, t : t + h, left : left + wd].transpose(0, 3, 1, 2))


def conv_weight(x, g, geo, cols=None):
    """The adjoint of conv in w: each window of x weighted by the output gradient there.
    cols: x's im2col matrix, when the caller already has it."""
    o, cg, kh, kw = geo.w_shape
    cols = _columns(x, geo) if cols is None else cols
    gw = np.matmul(_grad_matrix(g, geo).transpose(0, 2, 1), cols)
    gw = gw.reshape(geo.groups, o // geo.groups, kh, kw, cg).transpose(0, 1, 4, 2, 3)
    return np.ascontiguousarray(gw).reshape(geo.w_shape)


def _apply(cls, a, b, geo):
    """A row on Tensors (recorded, for create_graph) or straight on arrays (a plain backward)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return cls.apply(_operand(a), _operand(b), geo=geo)
    return cls(geo=geo).forward(a, b)


class Conv(Op):
    """y = conv(x, w), cross-correlation (as torch);  dx = conv_input(g, w),  dw = conv_weight(x, g)
    (kernels are not flipped; padding is zeros)"""

    torch_name = "ConvolutionBackward0"
    cols = None  # x's im2col matrix from the forward pass, reused by the weight's gradient

    def __init__(self, geo):
        self.geo = geo

    def forward(self, x, w):
        self.cols = _columns(x, self.geo)
        return conv(x, w, self.geo, self.cols)

    def backward(self, g, x, w):
        px, pw = self.parents
        g = _dense(g)
        gx = _apply(ConvInput, g, w, self.geo) if px is not None else None
        gw = None
        if pw is not None and isinstance(g, Tensor):
            gw = _apply(ConvWeight, x, g, self.geo)  # recorded, for second derivatives
        elif pw is not None:
            gw = conv_weight(x, g, self.geo, self.cols)
        return gx, gw

    def release(self):
        super().release()
        self.cols = None


class ConvInput(Op):
    """x = conv_input(g, w), conv_transpose;  dg = conv(h, w),  dw = conv_weight(h, g)
    (<conv_input(g, w), h> = <g, conv(h, w)>)"""

    torch_name = "ConvolutionBackward0"

    def __init__(self, geo):
        self.geo = geo

    def forward(self, g, w):
        return conv_input(g, w, self.geo)

    def backward(self, h, g, w):
        pg, pw = self.parents
        h = _dense(h)
        dg = _apply(Conv, h, w, self.geo) if pg is not None else None
        dw = _apply(ConvWeight, h, g, self.geo) if pw is not None else None
        return dg, dw


class ConvWeight(Op):
    """w = conv_weight(x, g);  dx = conv_input(g, k),  dg = conv(x, k)
    (<conv_weight(x, g), k> = <g, conv(x, k)>)"""

    torch_name = "ConvolutionBackwardBackward0"

    def __init__(self, geo):
        self.geo = geo

    def forward(self, x, g):
        return conv_weight(x, g, self.geo)

    def backward(self, k, x, g):
        px, pg = self.parents
        k = _dense(k)
        dx = _apply(ConvInput, g, k, self.geo) if px is not None else None
        dg = _apply(Conv, x, k, self.geo) if pg is not None else None
        return dx, dg
