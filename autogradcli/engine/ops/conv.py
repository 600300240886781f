"""Rows of the convolution family: conv, its input gradient (conv_transpose), its weight gradient.

The three are bilinear, and the vector-Jacobian product of each is another of the three, so
second derivatives flow through the same rows. Windows come from numpy strides and one batched
matmul per call; the only Python loop is over kernel taps (col2im), never over pixels.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Op
from ..tensor import Tensor, _operand


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

    @property
    def out_hw(self):
        """(OH, OW): how many windows fit along each spatial dim of the padded input."""
        sizes = []
        for n, k, s, d, (lo, hi) in zip(self.x_shape[2:], self.w_shape[2:], self.stride,
                                        self.dilation, self.padding):
            sizes.append((n + lo + hi - d * (k - 1) - 1) // s + 1)
        return tuple(sizes)

    @property
    def padded_hw(self):
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.x_shape[2:], self.padding))


def _pad(x, geo):
    (t, b), (left, r) = geo.padding
    if not (t or b or left or r):
        return x
    return np.pad(x, ((0, 0), (0, 0), (t, b), (left, r)))


def _columns(xp, geo):
    """The windows of the padded input as a (G, N*OH*OW, C/G*KH*KW) matrix, one row per pixel."""
    n, c = xp.shape[:2]
    kh, kw = geo.w_shape[2:]
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    oh, ow = geo.out_hw
    win = sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(2, 3))
    win = win[:, :, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw, ::dh, ::dw]
    g = geo.groups
    win = win.reshape(n, g, c // g, oh, ow, kh, kw).transpose(1, 0, 3, 4, 2, 5, 6)
    return win.reshape(g, n * oh * ow, (c // g) * kh * kw)


def _grad_matrix(g, geo):
    """The output gradient (N, O, OH, OW) as (G, N*OH*OW, O/G), rows matching _columns."""
    n, o = g.shape[:2]
    groups = geo.groups
    oh, ow = geo.out_hw
    g = g.reshape(n, groups, o // groups, oh * ow).transpose(1, 0, 3, 2)
    return g.reshape(groups, n * oh * ow, o // groups)


def conv(x, w, geo):
    """y[n, o] = sum over the group's channels and taps of w[o] * the window of x (no flip)."""
    n = x.shape[0]
    o = w.shape[0]
    oh, ow = geo.out_hw
    cols = _columns(_pad(x, geo), geo)
    wm = w.reshape(geo.groups, o // geo.groups, -1)
    y = np.matmul(cols, wm.transpose(0, 2, 1))
    y = y.reshape(geo.groups, n, oh, ow, o // geo.groups).transpose(1, 0, 4, 2, 3)
    return np.ascontiguousarray(y).reshape(n, o, oh, ow)


def conv_input(g, w, geo):
    """The adjoint of conv in x (= conv_transpose of g with w): each tap's products added back."""
    n, c, h, wd = geo.x_shape
    kh, kw = geo.w_shape[2:]
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    oh, ow = geo.out_hw
    groups = geo.groups
    cols = np.matmul(_grad_matrix(g, geo), w.reshape(groups, w.shape[0] // groups, -1))
    cols = cols.reshape(groups, n, oh, ow, c // groups, kh, kw).transpose(5, 6, 1, 0, 4, 2, 3)
    hp, wp = geo.padded_hw
    gx = np.zeros((n, groups, c // groups, hp, wp), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
            cols_ = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
            gx[:, :, :, rows, cols_] += cols[i, j]
    (t, _), (left, _) = geo.padding
    return np.ascontiguousarray(gx.reshape(n, c, hp, wp)[:, :, t : t + h, left : left + wd])


def conv_weight(x, g, geo):
    """The adjoint of conv in w: each window of x weighted by the output gradient there."""
    cols = _columns(_pad(x, geo), geo)
    gw = np.matmul(_grad_matrix(g, geo).transpose(0, 2, 1), cols)
    return gw.reshape(geo.w_shape)


def _apply(cls, a, b, geo):
    """A row on Tensors (recorded, for create_graph) or straight on arrays (a plain backward)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return cls.apply(_operand(a), _operand(b), geo=geo)
    return cls(geo=geo).forward(a, b)


class Conv(Op):
    """y = conv(x, w), cross-correlation (as torch);  dx = conv_input(g, w),  dw = conv_weight(x, g)
    (kernels are not flipped; padding is zeros)"""

    torch_name = "ConvolutionBackward0"

    def __init__(self, geo):
        self.geo = geo

    def forward(self, x, w):
        return conv(x, w, self.geo)

    def backward(self, g, x, w):
        px, pw = self.parents
        gx = _apply(ConvInput, g, w, self.geo) if px is not None else None
        gw = _apply(ConvWeight, x, g, self.geo) if pw is not None else None
        return gx, gw


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
        dx = _apply(ConvInput, g, k, self.geo) if px is not None else None
        dg = _apply(Conv, x, k, self.geo) if pg is not None else None
        return dx, dg
