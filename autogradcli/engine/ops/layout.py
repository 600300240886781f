"""Functions that rearrange elements, as torch: repeat, flip, roll, pad, split, chunk, unbind,
narrow, movedim, tril/triu, diagonal.

Composites of the shape rows (Reshape, Expand, Permute, Index, IndexAdd, Flip, Roll) and Where:
each output element is a copy of one input element (or a constant), so the rows' gradients, which
send g back to where each element came from and add repeats, are the whole derivative.
"""

import itertools
import numbers

import numpy as np

from ..tensor import Tensor, _const
from .binary import Where
from .indexing import _dim
from .shape import Expand, Flip, Index, IndexAdd, Permute, Reshape, Roll


def _ints(args, what):
    """(2, 3), ((2, 3),) or ([2, 3],) -> (2, 3)."""
    if len(args) == 1 and not isinstance(args[0], numbers.Integral):
        args = tuple(args[0])
    if not all(isinstance(a, numbers.Integral) for a in args):
        raise TypeError(f"{what}() expects ints, got {args!r}")
    return tuple(int(a) for a in args)


def _dims(dims, ndim, what):
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    wrapped = tuple(_dim(d, ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"{what}: dim {d} appears multiple times in the list of dims")
    return wrapped


def _take(x, dim, index):
    """x indexed along one dim (an int, a slice or an integer array), the others kept whole."""
    return Index.apply(x, index=(slice(None),) * dim + (index,))


def _need_dims(x, what):
    if x.ndim == 0:
        raise RuntimeError(f"{what}() cannot be applied to a 0-dim tensor")


def expand_as(x, other):
    return Expand.apply(x, shape=tuple(other.shape))


def repeat(x, *sizes):
    """x tiled sizes[i] times along dim i (leading sizes add new dims), as torch.Tensor.repeat."""
    sizes = _ints(sizes, "repeat")
    if len(sizes) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor: repeat{sizes} of a tensor of shape {tuple(x.shape)}"
        )
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeat{sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    # (s0, s1) -> (1, s0, 1, s1) -> broadcast to (r0, s0, r1, s1) -> (r0 s0, r1 s1)
    spread = tuple(n for s in shape for n in (1, s))
    tiled = tuple(n for r, s in zip(sizes, shape) for n in (r, s))
    y = Expand.apply(Reshape.apply(x, shape=spread), shape=tiled)
    return Reshape.apply(y, shape=tuple(r * s for r, s in zip(sizes, shape)))


def repeat_interleave(x, repeats, dim=None):
    """Each element (slice along dim) repeated repeats times (an int or one count per element);
    with dim=None x is flattened first."""
    if dim is None:
        x, dim = Reshape.apply(x, shape=(-1,)), 0
    dim = _dim(dim, x.ndim)
    if x.ndim == 0:
        x = Reshape.apply(x, shape=(1,))
    n = x.shape[dim]
    reps = np.asarray(repeats.data if isinstance(repeats, Tensor) else repeats)
    if reps.dtype.kind not in "iu" or reps.ndim > 1:
        raise RuntimeError("repeat_interleave: repeats must be an int or a 1-D tensor of ints")
    if reps.ndim == 0 or reps.shape == (1,):
        reps = np.full(n, int(reps.reshape(())), dtype=np.int64)
    if reps.shape[0] != n:
        raise RuntimeError(
            f"repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{reps.shape[0]} and input.size({dim}) = {n}"
        )
    if reps.size and reps.min() < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    return _take(x, dim, np.repeat(np.arange(n), reps))


def flip(x, dims):
    dims = _dims(dims, x.ndim, "flip")
    return Flip.apply(x, dims=dims) if x.ndim else Flip.apply(x, dims=())


def roll(x, shifts, dims=None):
    """Elements shifted cyclically along dims (x flattened, then restored, when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        flat = Roll.apply(Reshape.apply(x, shape=(-1,)), shifts=shifts, dims=(0,))
        return Reshape.apply(flat, shape=tuple(x.shape))
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dims = tuple(_dim(d, x.ndim) for d in dims)
    return Roll.apply(x, shifts=shifts, dims=dims)


# ---------------------------------------------------------------- pad
def _pad_pairs(x, pad):
    """torch's pad tuple (last dim first: left, right, top, ...) -> {dim: (before, after)}."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got pad={pad}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(
            f"Padding length too large: pad={pad} pads {len(pad) // 2} dims of a "
            f"{x.ndim}-d tensor"
        )
    return {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}


def _pad_constant(x, pairs, value):
    # Negative padding crops first; then x is placed inside zeros and the border set to value.
    crop = tuple(
        slice(max(-pairs[d][0], 0), n - max(-pairs[d][1], 0)) if d in pairs else slice(None)
        for d, n in enumerate(x.shape)
    )
    if any(s != slice(None) for s in crop):
        x = Index.apply(x, index=crop)
    grow = {d: (max(a, 0), max(b, 0)) for d, (a, b) in pairs.items()}
    shape = tuple(n + sum(grow.get(d, (0, 0))) for d, n in enumerate(x.shape))
    inside = tuple(slice(grow[d][0], grow[d][0] + n) if d in grow else slice(None)
                   for d, n in enumerate(x.shape))
    out = IndexAdd.apply(x, index=inside, shape=shape)
    if value:
        border = np.full(shape, value, dtype=x.dtype)
        border[inside] = 0
        out = out + _const(border)
    return out


def _source(mode, n, before, after):
    """For each padded position along a dim of size n, the position of x it copies."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    i = np.abs(i)  # reflect: mirror about the first and the last element, which are not repeated
    return np.where(i > n - 1, 2 * (n - 1) - i, i)


def pad(x, pad, mode="constant", value=None):
    """x padded by pad (torch order: last dim first, (left, right, top, bottom, ...)).

    mode "constant" (value, default 0; negative pads crop), "reflect", "replicate", "circular".
    The gradient of a copied border element flows back to the element it copies (summed).
    """
    pairs = _pad_pairs(x, pad)
    if mode == "constant":
        return _pad_constant(x, pairs, value or 0)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"Unrecognised padding mode {mode!r}: use constant, reflect, replicate or circular"
        )
    if value:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pairs)
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"{mode} padding of {k} dims needs a {k + 1}-d or {k + 2}-d input (batch and channel "
            f"dims first), got shape {tuple(x.shape)}"
        )
    for d, (before, after) in sorted(pairs.items()):
        n = x.shape[d]
        limit = n if mode != "reflect" else n - 1
        if min(before, after) < 0 or max(before, after) > limit or n == 0:
            raise RuntimeError(
                f"{mode} padding ({before}, {after}) at dimension {d} must be non-negative and "
                f"{'less than' if mode == 'reflect' else 'at most'} the input size {n} there "
                f"(input shape {tuple(x.shape)})"
            )
        x = _take(x, d, _source(mode, n, before, after))
    return x


# ---------------------------------------------------------------- pieces
def split(x, split_size_or_sections, dim=0):
    """Pieces of x along dim: split_size each (the last may be smaller), or the given sizes."""
    _need_dims(x, "split")
    dim = _dim(dim, x.ndim)
    n = x.shape[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n):
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, and never negative, but got "
                f"split_size={size} and dimension size {n}"
            )
        sizes = [min(size, n - a) for a in range(0, n, size)] if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or min(sizes, default=0) < 0:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}"
            )
    starts = np.cumsum([0, *sizes]).tolist()
    return tuple(_take(x, dim, slice(a, b)) for a, b in itertools.pairwise(starts))


def chunk(x, chunks, dim=0):
    """x split into at most `chunks` pieces of ceil(size / chunks) along dim (torch's rule: there
    may be fewer pieces than asked)."""
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    _need_dims(x, "chunk")
    n = x.shape[_dim(dim, x.ndim)]
    return split(x, -(-n // chunks) if n else 0, dim)


def unbind(x, dim=0):
    """The slices of x along dim, that dim removed."""
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = _dim(dim, x.ndim)
    return tuple(_take(x, dim, i) for i in range(x.shape[dim]))


def narrow(x, dim, start, length):
    """x[..., start:start + length, ...] along dim (start may be negative)."""
    _need_dims(x, "narrow")
    dim = _dim(dim, x.ndim)
    n = x.shape[dim]
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start = start % n if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _take(x, dim, slice(start, start + length))


def movedim(x, source, destination):
    """x with dims source moved to positions destination, the others keeping their order."""
    src = (source,) if isinstance(source, numbers.Integral) else tuple(source)
    dst = (destination,) if isinstance(destination, numbers.Integral) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = tuple(_dim(d, x.ndim) for d in src)
    dst = tuple(_dim(d, x.ndim) for d in dst)
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    order = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(x.ndim) if d not in src)
    order = tuple(o if o is not None else next(rest) for o in order)
    return Permute.apply(x, dims=order) if x.ndim else x


# ---------------------------------------------------------------- triangles and diagonals
def _triangle(x, diagonal, lower, what):
    if x.ndim < 2:
        raise RuntimeError(f"{what}: input tensor must have at least 2 dimensions")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, k=diagonal if lower else diagonal - 1, dtype=bool)
    return Where.apply(x, _const(np.zeros((), dtype=x.dtype)), cond=keep if lower else ~keep)


def tril(x, diagonal=0):
    """x with the elements above the diagonal-th diagonal zeroed (last two dims)."""
    return _triangle(x, diagonal, True, "tril")


def triu(x, diagonal=0):
    """x with the elements below the diagonal-th diagonal zeroed (last two dims)."""
    return _triangle(x, diagonal, False, "triu")


def diagonal(x, offset=0, dim1=0, dim2=1):
    """The offset-th diagonal of the (dim1, dim2) planes, as a new last dim (torch's layout)."""
    if x.ndim < 2:
        raise RuntimeError(f"diagonal() needs a tensor with at least 2 dims, got {x.ndim}")
    d1, d2 = _dim(dim1, x.ndim), _dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = tuple(d for d in range(x.ndim) if d not in (d1, d2))
    moved = Permute.apply(x, dims=(*rest, d1, d2))
    r0, c0 = max(-offset, 0), max(offset, 0)
    length = max(0, min(x.shape[d1] - r0, x.shape[d2] - c0))
    steps = np.arange(length)
    return Index.apply(moved, index=(Ellipsis, steps + r0, steps + c0))
