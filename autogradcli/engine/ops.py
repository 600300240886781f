"""The derivative table: one row per primitive, its forward on arrays beside its backward.

A backward is a vector-Jacobian product written once, in operations that work on Tensors and on
numpy arrays alike (operators, `.reshape`, `.mT`, and the helpers below). The walker hands it
plain arrays for speed, or Tensors under create_graph=True, so that the gradient it builds can be
differentiated again. Broadcast gradients are reduced to their input's shape by the walker, not
here; `None` means "no gradient for this input".
"""

import numpy as np

from .function import Op
from .tensor import Tensor, _const, _make

# ============================================================================ helpers for rows


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def _via(cls, x, **params):
    """Apply a row to a Tensor (recorded when grad mode is on) or straight to an array."""
    if isinstance(x, Tensor):
        return cls.apply(x, **params)
    return cls(**params).forward(x)


def _sum(x, dim, keepdim):
    return _via(Sum, x, dim=dim, keepdim=keepdim)


def _exp(x):
    return _via(Exp, x)


def _log(x):
    return _via(Log, x)


def _where(cond, x, y):
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return where(cond, x, y)
    return np.where(cond, x, y)


# ============================================================================ unary


class Neg(Op):
    """z = -x;  dz/dx = -1"""

    saves_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g, x):
        return (-g,)


class Exp(Op):
    """z = exp(x);  dz/dx = exp(x) = z"""

    saves_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, g, x):
        return (g * self.output(_exp),)


class Log(Op):
    """z = log(x);  dz/dx = 1 / x"""

    def forward(self, x):
        return np.log(x)

    def backward(self, g, x):
        return (g / x,)


class Sqrt(Op):
    """z = sqrt(x);  dz/dx = 1 / (2 z)"""

    saves_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g, x):
        return (g / (2 * self.output(lambda x: _via(Sqrt, x))),)


class Abs(Op):
    """z = |x|;  dz/dx = sign(x), 0 at x == 0 (as torch)"""

    def forward(self, x):
        return np.abs(x)

    def backward(self, g, x):
        return (g * np.sign(_data(x)),)


class Relu(Op):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (0 at x == 0, as torch)"""

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g, x):
        return (g * (_data(x) > 0),)


class Sigmoid(Op):
    """z = 1 / (1 + exp(-x));  dz/dx = z (1 - z).  Forward as (1 + tanh(x/2)) / 2: no overflow."""

    saves_output = True

    def forward(self, x):
        return 0.5 + 0.5 * np.tanh(0.5 * x)

    def backward(self, g, x):
        z = self.output(lambda x: _via(Sigmoid, x))
        return (g * z * (1 - z),)


class Tanh(Op):
    """z = tanh(x);  dz/dx = 1 - z^2"""

    saves_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g, x):
        z = self.output(lambda x: _via(Tanh, x))
        return (g * (1 - z * z),)


class Clamp(Op):
    """z = clip(x, lo, hi);  dz/dx = 1 where lo <= x <= hi (bounds included, as torch), else 0"""

    torch_name = "ClampBackward1"

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g, x):
        x = _data(x)
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return (g * inside,)


class Pow(Op):
    """z = x^p for a constant p;  dz/dx = p x^(p-1)"""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        return x**self.p

    def backward(self, g, x):
        p = self.p
        if p == 0:
            return (g * 0,)
        return (g * p * (x if p == 2 else x ** (p - 1)),)


class Cast(Op):
    """z = x as another dtype;  dz/dx = 1, cast back to x's dtype"""

    saves_inputs = False
    torch_name = "ToCopyBackward0"

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g, x):
        return (_via(Cast, g, dtype=self.in_dtype),)


class Clone(Op):
    """z = a copy of x;  dz/dx = 1"""

    saves_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, g, x):
        return (g,)


# ============================================================================ binary


class Add(Op):
    """z = x + y;  dz/dx = 1,  dz/dy = 1"""

    saves_inputs = False

    def forward(self, x, y):
        return x + y

    def backward(self, g, x, y):
        return g, g


class Sub(Op):
    """z = x - y;  dz/dx = 1,  dz/dy = -1"""

    saves_inputs = False

    def forward(self, x, y):
        return x - y

    def backward(self, g, x, y):
        return g, (-g if self.parents[1] is not None else None)


class Mul(Op):
    """z = x * y;  dz/dx = y,  dz/dy = x"""

    def forward(self, x, y):
        return x * y

    def backward(self, g, x, y):
        px, py = self.parents
        return (g * y if px is not None else None), (g * x if py is not None else None)


class Div(Op):
    """z = x / y;  dz/dx = 1 / y,  dz/dy = -x / y^2"""

    def forward(self, x, y):
        return x / y

    def backward(self, g, x, y):
        px, py = self.parents
        gx = g / y if px is not None else None
        gy = -g * x / (y * y) if py is not None else None
        return gx, gy


class PowTensor(Op):
    """z = x^y;  dz/dx = y x^(y-1),  dz/dy = x^y log(x), taken as 0 where x == 0 (as torch)"""

    torch_name = "PowBackward1"

    def forward(self, x, y):
        return np.power(x, y)

    def backward(self, g, x, y):
        px, py = self.parents
        gx = g * y * x ** (y - 1) if px is not None else None
        gy = None
        if py is not None:
            gy = g * x**y * _log(_where(_data(x) != 0, x, 1.0))
        return gx, gy


class _Pick(Op):
    """z = the larger (or smaller) of x and y;  dz/dx = 1 where x wins, 1/2 at ties (the gradient
    is split, as torch), else 0;  dz/dy the complement"""

    pick = wins = None

    def forward(self, x, y):
        return self.pick(x, y)

    def backward(self, g, x, y):
        xd, yd = _data(x), _data(y)
        w = (self.wins(xd, yd) + 0.5 * (xd == yd)).astype(g.dtype)
        return g * w, g * (1 - w)


class Maximum(_Pick):
    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)


class Minimum(_Pick):
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


class Where(Op):
    """z = x where cond else y;  dz/dx = cond,  dz/dy = not cond  (no gradient for cond)"""

    saves_inputs = False

    def __init__(self, cond):
        self.cond = cond

    def forward(self, x, y):
        return np.where(self.cond, x, y)

    def backward(self, g, x, y):
        return _where(self.cond, g, 0), _where(self.cond, 0, g)


class MatMul(Op):
    """z = x @ y (both at least 2-D, batched);  dz/dx = g @ y^T,  dz/dy = x^T @ g"""

    torch_name = "MmBackward0"

    def forward(self, x, y):
        return x @ y

    def backward(self, g, x, y):
        px, py = self.parents
        gx = g @ y.mT if px is not None else None
        gy = x.mT @ g if py is not None else None
        return gx, gy


# ============================================================================ reductions


class Sum(Op):
    """z = sum of x over dim (all when None);  dz/dx = 1, broadcast back over the summed dims"""

    saves_inputs = False

    def __init__(self, dim, keepdim):
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        self.shape = x.shape
        # A 0-d tensor reduces over its only "dim" (0 or -1) to itself, as in torch.
        return x.sum(axis=self.dim if x.ndim else None, keepdims=self.keepdim)

    def backward(self, g, x):
        if self.dim is not None and not self.keepdim:
            g = g.reshape(tuple(1 if i in self.dim else n for i, n in enumerate(self.shape)))
        return (_via(Expand, g, shape=self.shape),)


class _Extreme(Op):
    """z = max (or min) of all of x;  dz/dx = 1/k at each of the k elements equal to z, else 0"""

    saves_inputs = False
    reduce = None

    def forward(self, x):
        if x.size == 0:
            raise RuntimeError(f"{type(self).__name__.lower()}() of an empty tensor")
        z = self.reduce(x)
        ties = x == z
        self.share = ties / np.count_nonzero(ties)
        return z

    def backward(self, g, x):
        return (g * self.share.astype(g.dtype),)


class Max(_Extreme):
    torch_name = "MaxBackward1"
    reduce = staticmethod(np.max)


class Min(_Extreme):
    torch_name = "MinBackward1"
    reduce = staticmethod(np.min)


class Gather(Op):
    """z = x[..., idx, ...] along dim (take_along_axis);  dz/dx = g put back at idx, 0 elsewhere"""

    saves_inputs = False

    def __init__(self, idx, dim):
        self.idx, self.dim = idx, dim

    def forward(self, x):
        self.shape = x.shape
        return np.take_along_axis(x, self.idx, axis=self.dim)

    def backward(self, g, x):
        return (_via(Scatter, g, idx=self.idx, dim=self.dim, shape=self.shape),)


class Scatter(Op):
    """z = zeros(shape) with x put at idx along dim (indices unique);  dz/dx = g taken at idx"""

    saves_inputs = False

    def __init__(self, idx, dim, shape):
        self.idx, self.dim, self.shape = idx, dim, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        np.put_along_axis(z, self.idx, x, axis=self.dim)
        return z

    def backward(self, g, x):
        return (_via(Gather, g, idx=self.idx, dim=self.dim),)


class Softmax(Op):
    """z = exp(x) / sum(exp(x)) over dim;  dx = z (g - sum(g z)).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.dim, keepdims=True))
        return e / e.sum(axis=self.dim, keepdims=True)

    def backward(self, g, x):
        z = self.output(lambda x: _via(Softmax, x, dim=self.dim))
        return (z * (g - _sum(g * z, (self.dim,), True)),)


class LogSoftmax(Op):
    """z = x - log(sum(exp(x))) over dim;  dx = g - exp(z) sum(g).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        shifted = x - np.max(x, axis=self.dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, g, x):
        z = self.output(lambda x: _via(LogSoftmax, x, dim=self.dim))
        return (g - _exp(z) * _sum(g, (self.dim,), True),)


# ============================================================================ shape


class Reshape(Op):
    """z = x with a new shape;  dx = g with x's shape"""

    saves_inputs = False
    torch_name = "ViewBackward0"

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g, x):
        return (g.reshape(self.in_shape),)


class Expand(Op):
    """z = x broadcast to shape;  dx = g (the walker sums it back over the broadcast dims)"""

    saves_inputs = False

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        out = np.empty(self.shape, dtype=x.dtype)  # faster than np.broadcast_to on small arrays
        out[...] = x
        return out

    def backward(self, g, x):
        return (g,)


class Permute(Op):
    """z = x with its dims reordered;  dx = g with the inverse order"""

    saves_inputs = False

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, g, x):
        return (_via(Permute, g, dims=tuple(np.argsort(self.dims).tolist())),)


class Index(Op):
    """z = x[index];  dx = zeros with g added at index (repeated indices accumulate)"""

    saves_inputs = False

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def backward(self, g, x):
        return (_via(IndexAdd, g, index=self.index, shape=self.shape),)


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


class IndexAdd(Op):
    """z = zeros(shape) with x added at index;  dx = g[index]"""

    saves_inputs = False

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        if _is_basic(self.index):
            z[self.index] = x  # basic indices never repeat an element
        else:
            np.add.at(z, self.index, x)
        return z

    def backward(self, g, x):
        return (g[self.index],)


class Cat(Op):
    """z = the inputs joined along dim;  d(input i) = the slice of g that input i became"""

    saves_inputs = False

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        self.ends = np.cumsum([x.shape[self.dim] for x in xs]).tolist()
        return np.concatenate(xs, axis=self.dim)

    def backward(self, g, *xs):
        lead = (slice(None),) * self.dim
        starts = [0, *self.ends[:-1]]
        return tuple(g[(*lead, slice(a, b))] for a, b in zip(starts, self.ends))


# ============================================================================ composites


def replace(x, value):
    """x's shape filled from value (broadcast): fill_ and copy_; value gets the gradient."""
    return Where.apply(x, value, cond=np.zeros((), dtype=bool))


def where(cond, x, y):
    """Elementwise x where cond else y; the gradient flows to the branch taken."""
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond, dtype=bool)
    x = x if isinstance(x, Tensor) else _const(x)
    y = y if isinstance(y, Tensor) else _const(y)
    return Where.apply(x, y, cond=cond)


def matmul(x, y):
    """Matrix product with numpy's rules: 1-D operands are promoted to matrices, then squeezed."""
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError("matmul needs tensors with at least 1 dimension; use * for scalars")
    if x.ndim == 1 and y.ndim == 1:
        if x.shape != y.shape:  # x * y would broadcast (3,) with (1,) instead of refusing
            raise RuntimeError(
                f"inconsistent tensor size: the dot product of 1-D tensors needs equal lengths, "
                f"got {x.shape[0]} and {y.shape[0]}"
            )
        return (x * y).sum()
    if x.ndim == 1:
        return MatMul.apply(x.unsqueeze(0), y).squeeze(-2)
    if y.ndim == 1:
        return MatMul.apply(x, y.unsqueeze(-1)).squeeze(-1)
    return MatMul.apply(x, y)


class MaxResult(tuple):
    """(values, indices), as torch.max(dim) returns."""

    __slots__ = ()

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def extreme_along(x, dim, keepdim, argfn, what):
    """max/min over one dim: values (differentiable, via Gather) and int64 indices."""
    if x.ndim == 0:
        return MaxResult((x, _make(np.array(0))))
    dim = dim % x.ndim
    if x.shape[dim] == 0:
        raise IndexError(f"{what}(): cannot reduce over an empty dimension {dim}")
    idx = argfn(x.data, axis=dim, keepdims=True)
    values = Gather.apply(x, idx=idx, dim=dim)
    if not keepdim:
        values = values.squeeze(dim)
        idx = np.squeeze(idx, axis=dim)
    return MaxResult((values, _make(idx.astype(np.int64))))


def cat(tensors, dim=0):
    tensors = [t if isinstance(t, Tensor) else _const(np.asarray(t)) for t in tensors]
    if not tensors:
        raise RuntimeError("cat() expects a non-empty list of tensors")
    if tensors[0].ndim == 0:
        raise RuntimeError("zero-dimensional tensors cannot be concatenated; use ag.stack")
    return Cat.apply(*tensors, dim=dim % tensors[0].ndim)


def stack(tensors, dim=0):
    tensors = [t if isinstance(t, Tensor) else _const(np.asarray(t)) for t in tensors]
    if not tensors:
        raise RuntimeError("stack() expects a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, got {sorted(shapes)}")
    dim = dim % (tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim=dim)
