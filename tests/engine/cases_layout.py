"""Gradcheck rows of the rearranging ops: repeat, flip, roll, pad, split, chunk, unbind, narrow,
movedim, tril/triu, diagonal, expand_as (first and second order, float64).

Every output element is a copy of one input element, so the gradient is exact everywhere; pad's
reflect/replicate/circular borders and repeat_interleave send several copies' gradients to one
element, which these shapes exercise.
"""

from cases import Case

import autogradcli.engine as ag

F = ag.nn.functional
_PAD_MODES = ("reflect", "replicate", "circular")

CASES = [
    # ------------------------------------------------------------ broadcasting and tiling
    Case("expand_as", lambda x, y: x.expand_as(y) * y, ((3, 1), (2, 3, 4))),
    Case("expand_as_0d", lambda x, y: x.expand_as(y) * y, ((), (3,))),
    Case("expand_neg1", lambda x: x.expand(2, -1, 4), ((3, 1),)),
    Case("repeat", lambda x: x.repeat(2, 3), ((3, 4),)),
    Case("repeat_new_dims", lambda x: x.repeat(2, 1, 3), ((4,),)),
    Case("repeat_list", lambda x: x.repeat([1, 2, 1]), ((2, 3, 1),)),
    Case("repeat_0d", lambda x: x.repeat(3), ((),)),
    Case("repeat_interleave", lambda x: x.repeat_interleave(2, dim=1), ((3, 4),)),
    Case("repeat_interleave_flat", lambda x: x.repeat_interleave(3), ((2, 2),)),
    Case("repeat_interleave_counts",
         lambda x: ag.repeat_interleave(x, ag.tensor([2, 0, 3]), dim=0), ((3, 2),)),
    # ------------------------------------------------------------ reversing and shifting
    Case("flip", lambda x: x.flip(0), ((3, 4),)),
    Case("flip_dims", lambda x: x.flip(0, -1), ((2, 3, 4),)),
    Case("flip_fn", lambda x: ag.flip(x, (1,)), ((2, 3),)),
    Case("roll", lambda x: x.roll(2, 1), ((3, 4),)),
    Case("roll_flat", lambda x: x.roll(-3), ((3, 4),)),
    Case("roll_dims", lambda x: ag.roll(x, (1, -2), (0, 2)), ((2, 3, 4),)),
    # ------------------------------------------------------------ pad (torch order: last dim first)
    Case("pad_constant", lambda x: F.pad(x, (1, 2)), ((3, 4),)),
    Case("pad_constant_2d", lambda x: F.pad(x, (1, 0, 2, 1), value=0.5), ((2, 3, 4),)),
    Case("pad_constant_crop", lambda x: F.pad(x, (-1, 2, 0, -1)), ((3, 4),)),
    *[Case(f"pad_{m}", lambda x, m=m: F.pad(x, (2, 1), mode=m), ((2, 3),)) for m in _PAD_MODES],
    *[Case(f"pad_{m}_2d", lambda x, m=m: F.pad(x, (1, 2, 2, 1), mode=m), ((1, 3, 4),))
      for m in _PAD_MODES],
    Case("pad_reflect_3d", lambda x: F.pad(x, (1, 1, 1, 0, 0, 1), mode="reflect"), ((1, 2, 2, 3),)),
    # ------------------------------------------------------------ pieces
    Case("split", lambda x: x.split(2), ((5, 3),)),
    Case("split_dim", lambda x: ag.split(x, 3, dim=-1)[1], ((2, 5),)),
    Case("split_sizes", lambda x: x.split([1, 0, 3], 1), ((2, 4),)),
    Case("chunk", lambda x: x.chunk(3, 1), ((2, 7),)),
    Case("chunk_fn", lambda x: ag.chunk(x, 2)[0], ((5,),)),
    Case("unbind", lambda x: x.unbind(1), ((2, 3),)),
    Case("unbind_fn", lambda x: ag.unbind(x)[1], ((3, 2, 2),)),
    Case("narrow", lambda x: x.narrow(1, 1, 2), ((3, 4),)),
    Case("narrow_neg_start", lambda x: ag.narrow(x, -1, -3, 3), ((2, 5),)),
    Case("movedim", lambda x: x.movedim(0, -1), ((2, 3, 4),)),
    Case("movedim_tuple", lambda x: ag.movedim(x, (0, 2), (2, 0)), ((2, 3, 4),)),
    Case("moveaxis", lambda x: x.moveaxis(1, 0), ((2, 3),)),
    Case("contiguous", lambda x: x.contiguous() * 2, ((3,),)),
    Case("clone_fn", lambda x: ag.clone(x), ((2, 3),)),
    # ------------------------------------------------------------ triangles and diagonals
    Case("tril", lambda x: x.tril(), ((3, 4),)),
    Case("tril_offset", lambda x: ag.tril(x, -1), ((2, 4, 3),)),
    Case("triu", lambda x: x.triu(1), ((4, 3),)),
    Case("triu_batched", lambda x: ag.triu(x, -1), ((2, 3, 3),)),
    Case("diagonal", lambda x: x.diagonal(), ((3, 4),)),
    Case("diagonal_offset", lambda x: x.diagonal(1), ((3, 4),)),
    Case("diagonal_neg_offset", lambda x: ag.diagonal(x, -2), ((4, 3),)),
    Case("diagonal_dims", lambda x: x.diagonal(0, 2, 0), ((3, 2, 4),)),
    Case("diagonal_empty", lambda x: x.diagonal(5) * 1.0 + x.sum(), ((3, 4),)),
    # ------------------------------------------------------------ edge shapes
    Case("repeat_zero", lambda x: x.repeat(0, 2).sum() + x.sum(), ((2, 3),)),
    Case("flip_0d", lambda x: x.flip(0), ((),)),
    Case("roll_0d", lambda x: x.roll(1), ((),)),
    Case("pad_zero_width", lambda x: F.pad(x, (0, 0, 1, 0)), ((2, 3),)),
    Case("narrow_empty", lambda x: x.narrow(0, 1, 0).sum() + x.sum(), ((3,),)),
    Case("split_one_piece", lambda x: x.split(5), ((3, 2),)),
    Case("unbind_size1", lambda x: x.unbind(0), ((1, 4),)),
    Case("movedim_noop", lambda x: x.movedim(1, 1), ((2, 3),)),
    Case("tril_single_row", lambda x: x.tril(), ((1, 4),)),
]

