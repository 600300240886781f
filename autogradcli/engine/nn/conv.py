"""conv1d, conv2d and conv_transpose2d as torch.nn.functional: arguments checked, then one row.

The rows and their geometry live in ops/conv.py; this module turns torch's arguments (ints or
pairs, padding 'same'/'valid', unbatched inputs) into a Geometry, and adds the bias.
"""

from ..ops.conv import Conv, ConvInput, Geometry
from ..tensor import _operand


def _pair(value, name):
    if isinstance(value, int):
        return (value, value)
    pair = tuple(value)
    if len(pair) == 1:
        return pair * 2
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise RuntimeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair


def _padding(padding, kernel, stride, dilation):
    """((top, bottom), (left, right)) from an int, a pair, 'valid' or 'same' (extra on the end,
    as torch does for an even kernel)."""
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    if isinstance(padding, str):
        raise RuntimeError(f"Invalid padding string '{padding}', should be one of 'valid', 'same'")
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"negative padding is not supported, got {padding!r}")
    return ((ph, ph), (pw, pw))


def _batched(input, ndim, name):
    """input with a batch dim, and whether one was added (torch accepts unbatched inputs)."""
    input = _operand(input)
    if input.ndim == ndim - 1:
        return input.unsqueeze(0), True
    if input.ndim != ndim:
        raise RuntimeError(
            f"{name}: expected a {ndim - 1}-D (unbatched) or {ndim}-D (batched) input, "
            f"got input of shape {tuple(input.shape)}"
        )
    return input, False


def _check_channels(x_shape, w_shape, groups, name):
    if not isinstance(groups, int) or groups < 1:
        raise RuntimeError(f"{name}: groups must be a positive integer, got {groups!r}")
    if w_shape[0] % groups:
        raise RuntimeError(
            f"{name}: weight's first dim {w_shape[0]} must be divisible by groups={groups}"
        )
    if x_shape[1] != w_shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w_shape)}, expected input"
            f"{list(x_shape)} to have {w_shape[1] * groups} channels, but got {x_shape[1]} "
            "channels instead"
        )


def _check_output(geo, name):
    if min(geo.out_hw) < 1:
        raise RuntimeError(
            f"{name}: calculated output size {tuple(geo.out_hw)} is too small: the padded input "
            f"{geo.padded_hw} is smaller than the dilated kernel {tuple(geo.w_shape[2:])}"
        )


def _add_bias(y, bias):
    if bias is None:
        return y
    return y + _operand(bias).reshape(1, -1, *([1] * (y.ndim - 2)))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of input (N, C, H, W) with weight (O, C // groups, KH, KW)."""
    x, unbatched = _batched(input, 4, "conv2d")
    weight = _operand(weight)
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight, got shape {tuple(weight.shape)}")
    _check_channels(x.shape, weight.shape, groups, "conv2d")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    pads = _padding(padding, weight.shape[2:], stride, dilation)
    geo = Geometry(tuple(x.shape), tuple(weight.shape), stride, pads, dilation, groups)
    _check_output(geo, "conv2d")
    y = _add_bias(Conv.apply(x, weight, geo=geo), bias)
    return y.squeeze(0) if unbatched else y


def _single(value):
    return value if isinstance(value, int) else next(iter(value))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation of input (N, C, L) with weight (O, C // groups, K): conv2d on H = 1."""
    x, unbatched = _batched(input, 3, "conv1d")
    weight = _operand(weight)
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight, got shape {tuple(weight.shape)}")
    if not isinstance(padding, str):
        padding = (0, _single(padding))
    stride, dilation = (1, _single(stride)), (1, _single(dilation))
    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), None, stride, padding, dilation, groups)
    y = _add_bias(y.squeeze(2), bias)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The adjoint of conv2d: input (N, C_in, H, W), weight (C_in, C_out // groups, KH, KW);
    output size (H - 1) * stride - 2 * padding + dilation * (KH - 1) + output_padding + 1."""
    x, unbatched = _batched(input, 4, "conv_transpose2d")
    weight = _operand(weight)
    if weight.ndim != 4:
        raise RuntimeError(
            f"conv_transpose2d: expected a 4-D weight, got shape {tuple(weight.shape)}"
        )
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"conv_transpose2d: weight of size {list(weight.shape)} expects input with "
            f"{weight.shape[0]} channels, but got {x.shape[1]} channels instead"
        )
    if isinstance(padding, str):
        raise RuntimeError("conv_transpose2d: padding must be an int or a pair of ints")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    pads = _padding(padding, weight.shape[2:], stride, dilation)
    extra = _pair(output_padding, "output_padding")
    if any(e < 0 or e >= s for e, s in zip(extra, stride)):
        raise RuntimeError(
            f"conv_transpose2d: output_padding {extra} must be smaller than stride {stride}"
        )
    n, _, h, w = x.shape
    out = [
        (size - 1) * s - lo - hi + d * (k - 1) + e + 1
        for size, s, (lo, hi), d, k, e in zip((h, w), stride, pads, dilation, weight.shape[2:],
                                              extra)
    ]
    geo = Geometry((n, weight.shape[1] * groups, *out), tuple(weight.shape), stride, pads,
                   dilation, groups)
    _check_channels(geo.x_shape, weight.shape, groups, "conv_transpose2d")
    if min(out) < 1:
        raise RuntimeError(f"conv_transpose2d: calculated output size {tuple(out)} is too small")
    y = _add_bias(ConvInput.apply(x, weight, geo=geo), bias)
    return y.squeeze(0) if unbatched else y


__all__ = ["conv1d", "conv2d", "conv_transpose2d"]
