"""max_pool2d, avg_pool2d and adaptive_avg_pool2d as torch.nn.functional.

max pooling finds each window's argmax (one slice per kernel tap), then takes x there (ops/pooling);
average pooling is a convolution with a constant kernel divided by torch's per-window count;
adaptive average pooling is two constant averaging matrices, so every gradient is exact.
"""

import numpy as np

from ..ops import matmul
from ..ops.conv import Conv, Geometry
from ..ops.pooling import TakeFlat
from ..tensor import _const, _make
from ..trace import derived
from .conv import _batched, _pair


def _out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling output length; in ceil mode the last window must start inside the input
    or its left padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _geometry(x, kernel_size, stride, padding, dilation, ceil_mode, name):
    """Per spatial dim (kernel, stride, pad, dilation, out, right pad incl. ceil-mode overhang)."""
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    dims = []
    for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation):
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise RuntimeError(f"{name}: kernel_size, stride and dilation must be positive")
        if 2 * p > k:
            raise RuntimeError(
                f"{name}: pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k}"
            )
        out = _out_size(n, k, s, p, d, ceil_mode)
        if out < 1:
            raise RuntimeError(f"{name}: output size is too small for input size {n}")
        right = max(p, (out - 1) * s + d * (k - 1) + 1 - n - p)
        dims.append((k, s, p, d, out, right))
    return dims


def _windows(xp, dims):
    """(N, C, OH, OW, KH*KW): each window's elements in row-major tap order, one slice per tap
    (faster than copying a sliding-window view)."""
    (kh, sh, _, dh, oh, _), (kw, sw, _, dw, ow, _) = dims
    rows = [slice(i * dh, i * dh + (oh - 1) * sh + 1, sh) for i in range(kh)]
    cols = [slice(j * dw, j * dw + (ow - 1) * sw + 1, sw) for j in range(kw)]
    taps = [xp[:, :, r, c] for r in rows for c in cols]
    return np.stack(taps, axis=-1)


def _padded(x, pads, value):
    return np.pad(x, pads, constant_values=value) if any(p for pair in pads for p in pair) else x


def _argmax_positions(x, dims):
    """Per window, (row, col) in x of its first largest element (torch's choice on ties)."""
    (_, sh, ph, dh, oh, rh), (kw, sw, pw, dw, ow, rw) = dims
    pads = ((0, 0), (0, 0), (ph, rh), (pw, rw))
    windows = _windows(_padded(x, pads, -np.inf), dims)
    tap = np.argmax(windows, axis=-1)
    if ph or pw or rh or rw:
        chosen = np.take_along_axis(windows, tap[..., None], axis=-1)[..., 0]
        if np.isneginf(chosen).any():  # a window of -inf only must still point inside x (torch)
            valid = _padded(np.ones(x.shape[2:], dtype=np.int8)[None, None], pads, 0)
            tap = np.where(np.isneginf(chosen), np.argmax(_windows(valid, dims), axis=-1), tap)
    rows = np.arange(oh)[:, None] * sh + (tap // kw) * dh - ph
    cols = np.arange(ow)[None, :] * sw + (tap % kw) * dw - pw
    return rows, cols


def _picks(xd, dims):
    """Each window's largest element: its flat position in xd, and its position in its plane."""
    n, c, h, w = xd.shape
    rows, cols = _argmax_positions(xd, dims)
    plane = rows * w + cols
    return np.arange(n * c).reshape(n, c, 1, 1) * (h * w) + plane, plane


def _flat_picks(xd, dims):
    return _picks(xd, dims)[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest element of each window; the gradient goes to it (the first one on ties).

    With return_indices, also the int64 index of each chosen element within its H*W plane.
    """
    x, unbatched = _batched(input, 4, "max_pool2d")
    dims = _geometry(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    idx, plane = _picks(x.data, dims)
    if not return_indices:  # a compiled function's replay finds the new data's argmax
        derived(idx, _flat_picks, (x,), dims)
    # windows that cannot overlap never pick one element twice: the backward can write, not add
    apart = all(s >= d * (k - 1) + 1 for k, s, _, d, _, _ in dims)
    out = TakeFlat.apply(x, idx=idx, unique=apart)
    indices = _make(plane.astype(np.int64))
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def _avg_divisor(n, k, s, p, out, count_include_pad):
    """torch's divisor per output position along one dim: the window clipped to input+padding,
    or to the input alone when count_include_pad is False."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    if count_include_pad:
        return size
    return np.minimum(end, n) - np.maximum(start, 0)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window (zero padding); a convolution with ones, divided as torch does."""
    x, unbatched = _batched(input, 4, "avg_pool2d")
    n, c, h, w = x.shape
    dims = _geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    (kh, sh, ph, _, oh, rh), (kw, sw, pw, _, ow, rw) = dims
    geo = Geometry((n * c, 1, h, w), (1, 1, kh, kw), (sh, sw), ((ph, rh), (pw, rw)), (1, 1), 1)
    ones = _const(np.ones((1, 1, kh, kw), dtype=x.dtype))
    sums = Conv.apply(x.reshape(n * c, 1, h, w), ones, geo=geo).reshape(n, c, oh, ow)
    if divisor_override:
        return _unbatch(sums / divisor_override, unbatched)
    div_h = _avg_divisor(h, kh, sh, ph, oh, count_include_pad)
    div_w = _avg_divisor(w, kw, sw, pw, ow, count_include_pad)
    scale = (1.0 / np.outer(div_h, div_w)).astype(x.dtype)
    return _unbatch(sums * scale, unbatched)


def _unbatch(y, unbatched):
    return y.squeeze(0) if unbatched else y


def _adaptive_matrix(n, out, dtype):
    """(out, n): row i averages x[floor(i n / out) : ceil((i + 1) n / out)], torch's windows."""
    i = np.arange(out)[:, None]
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    j = np.arange(n)[None, :]
    inside = (j >= start) & (j < end)
    return (inside / (end - start)).astype(dtype)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a given (OH, OW) (None keeps that input size), torch's windows."""
    x, unbatched = _batched(input, 4, "adaptive_avg_pool2d")
    h, w = x.shape[2:]
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    oh, ow = (size if o is None else o for o, size in zip(output_size, (h, w)))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    rows = _const(_adaptive_matrix(h, oh, x.dtype))
    cols = _const(_adaptive_matrix(w, ow, x.dtype).T.copy())
    y = matmul(matmul(rows, x), cols)
    return _unbatch(y, unbatched)


__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"]
