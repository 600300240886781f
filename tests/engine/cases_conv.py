"""Gradcheck rows of the convolution and pooling kernels of ag.nn.functional (first and second
order), over strides, paddings, dilations, groups, batch 1 and 2, odd sizes.

Conventions: conv is cross-correlation (no kernel flip), zero padding; max_pool2d sends the
gradient to the first largest element of a window (inputs here are distinct, ties are tested in
test_kernels.py); avg_pool2d divides as torch (count_include_pad, ceil_mode overhang not counted).
"""

from cases import Case

import autogradcli.engine as ag

F = ag.nn.functional


def _conv(name, shapes, **kw):
    if len(shapes) == 3:
        return Case(name, lambda x, w, b: F.conv2d(x, w, b, **kw), shapes)
    return Case(name, lambda x, w: F.conv2d(x, w, **kw), shapes)


def _convt(name, shapes, **kw):
    if len(shapes) == 3:
        return Case(name, lambda x, w, b: F.conv_transpose2d(x, w, b, **kw), shapes)
    return Case(name, lambda x, w: F.conv_transpose2d(x, w, **kw), shapes)


CASES = [
    # ------------------------------------------------------------ conv2d
    _conv("conv2d", ((1, 1, 4, 4), (1, 1, 3, 3))),
    _conv("conv2d_bias", ((2, 2, 4, 5), (3, 2, 2, 3), (3,))),
    _conv("conv2d_stride2_pad1", ((2, 2, 5, 5), (2, 2, 3, 3)), stride=2, padding=1),
    _conv("conv2d_stride_pair", ((1, 1, 5, 6), (2, 1, 2, 2)), stride=(2, 3), padding=(1, 0)),
    _conv("conv2d_dilation2", ((1, 2, 6, 5), (2, 2, 2, 2)), dilation=2, padding=1),
    _conv("conv2d_groups2", ((2, 4, 4, 4), (4, 2, 3, 3)), groups=2, padding=1),
    _conv("conv2d_depthwise", ((1, 3, 4, 4), (3, 1, 2, 2)), groups=3, stride=2),
    _conv("conv2d_same_even", ((1, 2, 4, 5), (2, 2, 2, 4)), padding="same"),
    _conv("conv2d_same_dilated", ((1, 1, 5, 5), (1, 1, 3, 3)), padding="same", dilation=2),
    _conv("conv2d_valid", ((2, 1, 5, 4), (2, 1, 3, 3)), padding="valid"),
    _conv("conv2d_all", ((2, 4, 7, 6), (2, 2, 3, 2), (2,)), stride=2, padding=(2, 1),
          dilation=(1, 2), groups=2),
    Case("conv2d_unbatched", lambda x, w: F.conv2d(x, w, padding=1), ((2, 3, 3), (2, 2, 3, 3))),
    # ------------------------------------------------------------ conv1d
    Case("conv1d", lambda x, w: F.conv1d(x, w), ((2, 2, 7), (3, 2, 3))),
    Case("conv1d_all", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2, dilation=2,
                                                   groups=2), ((1, 4, 9), (2, 2, 3), (2,))),
    Case("conv1d_same", lambda x, w: F.conv1d(x, w, padding="same"), ((1, 1, 6), (2, 1, 4))),
    # ------------------------------------------------------------ conv_transpose2d
    _convt("conv_transpose2d", ((1, 2, 3, 3), (2, 1, 2, 2))),
    _convt("conv_transpose2d_bias", ((2, 1, 3, 4), (1, 2, 3, 3), (2,)), padding=1),
    _convt("conv_transpose2d_stride2", ((1, 2, 3, 3), (2, 2, 3, 3)), stride=2, padding=1,
           output_padding=1),
    _convt("conv_transpose2d_groups", ((2, 4, 2, 3), (4, 1, 2, 3)), groups=2, stride=(2, 1),
           dilation=(1, 2)),
    # ------------------------------------------------------------ pooling
    Case("max_pool2d", lambda x: F.max_pool2d(x, 2), ((2, 2, 4, 5),), "distinct"),
    Case("max_pool2d_overlap", lambda x: F.max_pool2d(x, 3, stride=1, padding=1),
         ((1, 2, 5, 5),), "distinct"),
    Case("max_pool2d_dilation_ceil", lambda x: F.max_pool2d(x, 2, stride=2, dilation=2,
                                                             ceil_mode=True),
         ((1, 1, 7, 8),), "distinct"),
    Case("max_pool2d_unbatched", lambda x: F.max_pool2d(x, (2, 3), stride=(1, 2)),
         ((2, 4, 5),), "distinct"),
    Case("avg_pool2d", lambda x: F.avg_pool2d(x, 2), ((2, 2, 4, 5),)),
    Case("avg_pool2d_pad", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1),
         ((1, 2, 5, 6),)),
    Case("avg_pool2d_exclude_pad_ceil", lambda x: F.avg_pool2d(
        x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), ((1, 1, 6, 7),)),
    Case("avg_pool2d_divisor", lambda x: F.avg_pool2d(x, 2, divisor_override=3),
         ((1, 2, 4, 4),)),
    Case("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), ((2, 2, 7, 5),)),
    Case("adaptive_avg_pool2d_one", lambda x: F.adaptive_avg_pool2d(x, 1), ((1, 3, 3, 4),)),
]
