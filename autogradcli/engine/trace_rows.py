"""Replay forms of the hot rows: their forward and backward as inline numpy expressions.

A replayed row is normally a call of its bound forward or backward. For the rows on every
training step (arithmetic, matmul, tanh, powers, mean) a form here writes the same numpy
operations in the generated function instead, so that constant sub-expressions fold (x**2's
backward `g * 2 * x` with a constant g is one multiply) and no call is paid. A form is used
only when, at trace time, it gives the very bits the row gave (checked on the traced values),
and only for rows whose forward keeps no state their backward reads beyond shapes the guard
fixes; anything else stays a call of the row.
"""

import numpy as np

from .ops.binary import Add, Div, MatMul, Mul, Sub
from .ops.reductions import Mean, MeanDim, Sum
from .ops.shape import Expand, Reshape
from .ops.unary import Neg, Pow, Tanh

# Rows whose backward reads only the incoming gradient and shapes fixed by the guard: with a
# constant gradient (a seed), their result is a constant, computed once at trace time.
# Exact classes: a subclass may read more.
PURE_BACKWARD = frozenset((Add, Sub, Neg, Mean, MeanDim, Sum, Reshape, Expand))


def same(a, b):
    """Bit-identical values: type, dtype, shape and bytes (so -0.0 differs from 0.0)."""
    return (type(a) is type(b) and np.shape(a) == np.shape(b)
            and getattr(a, "dtype", None) == getattr(b, "dtype", None)
            and np.asarray(a).tobytes() == np.asarray(b).tobytes())


# ---------------------------------------------------------------------- forward
def _binary(op):
    def form(src, row, x, y):
        return src.binop(op, x, y)
    return form


def _pow(src, row, x):
    if type(row.p) not in (int, float):
        return None
    return src.binop("**", x, src.const(row.p))


def _mean(src, row, x):
    axis = row.dim if np.ndim(x.value) else None
    s = src.method(x, "sum", axis=axis, keepdims=row.keepdim)
    return src.binop("/", src.call(np.asarray, s, fresh=s.fresh), src.const(row.count))


_FORWARD = {
    Add: _binary("+"), Sub: _binary("-"), Mul: _binary("*"), Div: _binary("/"),
    MatMul: _binary("@"), Neg: lambda src, row, x: src.neg(x), Pow: _pow,
    Tanh: lambda src, row, x: src.call(np.tanh, x), Mean: _mean, MeanDim: _mean,
}


def forward(src, row, ins, value):
    """The row's forward as expressions giving `value` (its traced result), or None."""
    form = _FORWARD.get(row.__class__)
    if form is None:
        return None
    mark = src.mark()
    out = form(src, row, *ins)
    if out is not None:
        out = src.as_array(out)
        if same(out.value, value):
            src.settle(mark, [out], [value])
            return out
    src.rollback(mark)
    return None


# ---------------------------------------------------------------------- backward
def _mul_back(src, node, g, x, y, out):
    px, py = node.parents
    return (src.binop("*", g, y) if px is not None else None,
            src.binop("*", g, x) if py is not None else None)


def _div_back(src, node, g, x, y, out):
    px, py = node.parents
    gx = src.binop("/", g, y) if px is not None else None
    gy = None
    if py is not None:
        gy = src.binop("/", src.binop("*", src.neg(g), x), src.binop("*", y, y))
    return gx, gy


def _matmul_back(src, node, g, x, y, out):
    px, py = node.parents
    return (src.binop("@", g, src.attr(y, "mT")) if px is not None else None,
            src.binop("@", src.attr(x, "mT"), g) if py is not None else None)


def _sub_back(src, node, g, x, y, out):
    return g, (src.neg(g) if node.parents[1] is not None else None)


def _pow_back(src, node, g, x, out):
    p = node.p
    if type(p) not in (int, float):
        return None
    if p == 0:
        return (src.binop("*", g, src.const(0)),)
    base = x if p == 2 else src.binop("**", x, src.const(p - 1))
    return (src.binop("*", src.binop("*", g, src.const(p)), base),)


def _tanh_back(src, node, g, x, out):
    if out is None:
        return None
    return (src.binop("*", g, src.binop("-", src.const(1), src.binop("*", out, out))),)


_BACKWARD = {
    Add: lambda src, node, g, x, y, out: (g, g), Sub: _sub_back, Mul: _mul_back,
    Div: _div_back, MatMul: _matmul_back, Neg: lambda src, node, g, x, out: (src.neg(g),),
    Pow: _pow_back, Tanh: _tanh_back,
}


def backward(src, node, g, ins, out, grads):
    """The node's backward as expressions giving `grads` (its traced result), or None.
    `out` is the Operand of the node's forward result, when the trace saw it."""
    form = _BACKWARD.get(node.__class__)
    if form is None:
        return None
    mark = src.mark()
    result = form(src, node, g, *ins, out)
    if result is not None and len(result) == len(grads) and all(
            (r is None) == (v is None) and (r is None or same(r.value, v))
            for r, v in zip(result, grads)):
        src.settle(mark, result, grads)
        return result
    src.rollback(mark)
    return None
