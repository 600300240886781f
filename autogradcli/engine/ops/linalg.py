"""Products and contractions, as torch: einsum (one row), and built on it or on MatMul: tensordot,
outer, kron, trace, cross, dot, mv, mm, bmm.

Shape errors are RuntimeErrors naming both shapes, as torch's are.
"""

import string
from collections import Counter

import numpy as np

from ..function import Op
from ..tensor import Tensor, _operand
from .base import _data, _dense
from .binary import MatMul
from .composites import cat, matmul
from .indexing import _dim
from .layout import _take, diagonal
from .shape import Expand, IndexAdd, Reshape


def _einsum(equation, operands):
    """einsum on arrays, or recorded as a row when any operand is a Tensor."""
    if any(isinstance(o, Tensor) for o in operands):
        return Einsum.apply(*[_operand(o) for o in operands], equation=equation)
    return np.einsum(equation, *operands, optimize=len(operands) > 1)


def _reshape(v, shape):
    return Reshape.apply(v, shape=shape) if isinstance(v, Tensor) else v.reshape(shape)


def _expand(v, shape):
    return Expand.apply(v, shape=shape) if isinstance(v, Tensor) else Expand(shape).forward(v)


def _embed(v, ix, shape):
    """zeros(shape) with v added at the numpy index ix (puts a trace's gradient on its diagonal)."""
    if isinstance(v, Tensor):
        return IndexAdd.apply(v, index=ix, shape=shape)
    return IndexAdd(index=ix, shape=shape).forward(v)


class Einsum(Op):
    """z = einsum(terms -> out, x_1, ..., x_n) (equation with explicit letters, see _normalise);
    dx_i = einsum(out, the other terms -> term_i) with g in place of z: letters only x_i has are
    broadcast back, and a letter repeated in term_i (a trace or diagonal) gets g on its diagonal."""

    def __init__(self, equation):
        self.equation = equation
        lhs, self.out = equation.split("->")
        self.terms = lhs.split(",")

    def forward(self, *xs):
        return np.einsum(self.equation, *xs, optimize=len(xs) > 1)

    def backward(self, g, *xs):
        g = _dense(g)
        return tuple(
            self._grad(i, g, xs) if p is not None else None for i, p in enumerate(self.parents)
        )

    def _grad(self, i, g, xs):
        term, shape = self.terms[i], _data(xs[i]).shape
        letters = "".join(dict.fromkeys(term))  # term's letters once each, in order
        size = {c: n for c, n in zip(term, shape)}
        others = [j for j in range(len(xs)) if j != i]
        known = set(self.out).union(*(self.terms[j] for j in others))
        kept = "".join(c for c in letters if c in known)
        equation = ",".join([self.out, *(self.terms[j] for j in others)]) + "->" + kept
        r = _einsum(equation, [g, *(xs[j] for j in others)])
        # Letters summed in x_i alone, or of size 1 elsewhere: their gradient is g broadcast
        # (and a letter of size 1 in x_i alone comes back larger; the walker sums it).
        got = dict(zip(kept, np.shape(_data(r))))
        if kept != letters:
            r = _reshape(r, tuple(got.get(c, 1) for c in letters))
        want = tuple(size[c] if got.get(c, 1) == 1 else got[c] for c in letters)
        if np.shape(_data(r)) != want:
            r = _expand(r, want)
        if len(letters) != len(term):
            ix = tuple(
                np.arange(size[c]).reshape([size[c] if k == letters.index(c) else 1
                                            for k in range(len(letters))])
                for c in term
            )
            r = _embed(r, ix, shape)
        return r


def _split_equation(equation, n_operands):
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != n_operands:
        raise RuntimeError(
            f"einsum(): the equation {equation!r} has {len(terms)} operand(s) but "
            f"{n_operands} were given"
        )
    for part in [*terms, out]:
        if any(not (c.isascii() and c.isalpha()) for c in part.replace("...", "")):
            raise RuntimeError(
                f"einsum(): invalid subscript in {equation!r}: subscripts are letters a-z, A-Z, "
                "with '...' for broadcast dims"
            )
    return terms, (out if arrow else None)


def _normalise(equation, shapes):
    """The equation with '...' spelt out in unused letters and the output made explicit."""
    terms, out = _split_equation(equation, len(shapes))
    free = [c for c in string.ascii_letters if c not in equation]
    widths = [len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes) if "..." in t]
    ell = "".join(free[: max(widths, default=0)])
    explicit = []
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        if "..." in term and named <= len(shape):
            term = term.replace("...", ell[len(ell) - (len(shape) - named):])
        elif len(term) != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match "
                f"the number of dimensions ({len(shape)}) for operand {k}"
                f"{'' if '...' in term else ' and no ellipsis was given'}"
            )
        explicit.append(term)
    if out is None:  # implicit output: broadcast dims, then letters used once, in sorted order
        counts = Counter("".join(t.replace("...", "") for t in terms))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        out = out.replace("...", ell)
    _check_letters(explicit, out, shapes, equation)
    return ",".join(explicit) + "->" + out


def _check_letters(terms, out, shapes, equation):
    if len(set(out)) != len(out):
        raise RuntimeError(f"einsum(): output subscript appears more than once in {equation!r}")
    size = {}
    for term, shape in zip(terms, shapes):
        for c, n in zip(term, shape):
            if size.get(c, 1) != 1 and n != 1 and n != size[c]:
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes: subscript {c!r} "
                    f"has size {size[c]} and {n} (shapes {[tuple(s) for s in shapes]})"
                )
            size[c] = n if size.get(c, 1) == 1 else size[c]
    missing = set(out) - set(size)
    if missing:
        raise RuntimeError(
            f"einsum(): output subscript {min(missing)!r} does not appear in the inputs of "
            f"{equation!r}"
        )


def einsum(equation, *operands):
    """Einstein summation as torch.einsum (operands as arguments or one list), with '...',
    implicit output and repeated letters (traces, diagonals)."""
    if not isinstance(equation, str):
        raise TypeError(
            "einsum() takes the equation as a string first, e.g. ag.einsum('ij,jk->ik', a, b); "
            "the sublist form einsum(a, [0, 1], b, [1, 2]) is not supported"
        )
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [_operand(o) for o in operands]
    explicit = _normalise(equation, [o.shape for o in operands])
    return Einsum.apply(*operands, equation=explicit)


def tensordot(a, b, dims=2):
    """Contract a's dims[0] with b's dims[1] (an int n: a's last n with b's first n)."""
    a, b = _operand(a), _operand(b)
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims between 0 and {min(a.ndim, b.ndim)}, "
                               f"got {dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length, got {da} and {db}")
    da, db = [_dim(d, a.ndim) for d in da], [_dim(d, b.ndim) for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[i]} in dim "
                f"{i} and second has size {b.shape[j]} in dim {j}"
            )
    letters = iter(string.ascii_letters)
    ta = [next(letters) for _ in range(a.ndim)]
    tb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        tb[j] = ta[i]
    out = [c for k, c in enumerate(ta) if k not in da]
    out += [c for k, c in enumerate(tb) if k not in db]
    return Einsum.apply(a, b, equation="".join(ta) + "," + "".join(tb) + "->" + "".join(out))


def _need(x, ndim, message):
    if x.ndim != ndim:
        raise RuntimeError(message)


def outer(a, b):
    """a_i b_j for 1-D a and b."""
    a, b = _operand(a), _operand(b)
    _need(a, 1, f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    _need(b, 1, f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    return Reshape.apply(a, shape=(-1, 1)) * b


def kron(a, b):
    """The Kronecker product: block (i, j, ...) is a[i, j, ...] * b (leading 1s pad the smaller)."""
    a, b = _operand(a), _operand(b)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    pa = Reshape.apply(a, shape=tuple(n for s in sa for n in (s, 1)))
    pb = Reshape.apply(b, shape=tuple(n for s in sb for n in (1, s)))
    return Reshape.apply(pa * pb, shape=tuple(x * y for x, y in zip(sa, sb)))


def trace(x):
    """The sum of the main diagonal of a matrix."""
    _need(x, 2, f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    return diagonal(x).sum()


def cross(a, b, dim=None):
    """The cross product of 3-vectors along dim (broadcast); dim=None takes the first dim of
    size 3, as torch.cross."""
    a, b = _operand(a), _operand(b)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"cross: shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                           "broadcast") from None
    if dim is None:
        if 3 not in shape:
            raise RuntimeError(f"no dimension of size 3 in input of shape {tuple(shape)}")
        dim = shape.index(3)
    dim = _dim(dim, len(shape))
    if shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{a.shape[dim] if a.ndim == len(shape) else 1} and "
            f"{b.shape[dim] if b.ndim == len(shape) else 1}"
        )
    a, b = Expand.apply(a, shape=shape), Expand.apply(b, shape=shape)
    x = [_take(a, dim, slice(k, k + 1)) for k in range(3)]
    y = [_take(b, dim, slice(k, k + 1)) for k in range(3)]
    parts = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]]
    return cat(parts, dim)


def dot(a, b):
    """The inner product of two 1-D tensors of equal length."""
    a, b = _operand(a), _operand(b)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    return matmul(a, b)


def mv(m, v):
    """Matrix (n, k) times vector (k,)."""
    m, v = _operand(m), _operand(v)
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    return matmul(m, v)


def mm(a, b):
    """Matrix (n, k) times matrix (k, m)."""
    a, b = _operand(a), _operand(b)
    _need(a, 2, "self must be a matrix")
    _need(b, 2, "mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    return MatMul.apply(a, b)


def bmm(a, b):
    """Batched matrix product of (b, n, k) and (b, k, m), without broadcasting."""
    a, b = _operand(a), _operand(b)
    _need(a, 3, f"batch1 must be a 3D tensor, got shape {tuple(a.shape)}")
    _need(b, 3, f"batch2 must be a 3D tensor, got shape {tuple(b.shape)}")
    want = [a.shape[0], a.shape[2]]
    if list(b.shape[:2]) != want:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {want} but got: "
            f"{list(b.shape[:2])}."
        )
    return MatMul.apply(a, b)
