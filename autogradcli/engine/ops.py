"""The derivative table: one row per primitive, its forward on arrays beside its backward.

Each backward is a vector-Jacobian product written with engine operations, so that it can itself be
differentiated (create_graph=True). Broadcast gradients are reduced to their input's shape by the
graph walker, not here; `None` means "no gradient for this input".
"""

import numpy as np

from .function import Op
from .tensor import Tensor, _const, _make

# ============================================================================ unary


class Neg(Op):
    """z = -x;  dz/dx = -1"""

    saves_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Exp(Op):
    """z = exp(x);  dz/dx = exp(x) = z"""

    saves_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, g):
        return (g * self.output(Tensor.exp),)


class Log(Op):
    """z = log(x);  dz/dx = 1 / x"""

    def forward(self, x):
        return np.log(x)

    def backward(self, g):
        (x,) = self.inputs
        return (g / x,)


class Sqrt(Op):
    """z = sqrt(x);  dz/dx = 1 / (2 z)"""

    saves_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g):
        return (g / (2 * self.output(Tensor.sqrt)),)


class Abs(Op):
    """z = |x|;  dz/dx = sign(x), 0 at x == 0 (as torch)"""

    def forward(self, x):
        return np.abs(x)

    def backward(self, g):
        (x,) = self.inputs
        return (g * np.sign(x.data),)


class Relu(Op):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (0 at x == 0, as torch)"""

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g):
        (x,) = self.inputs
        return (g * (x.data > 0),)


class Sigmoid(Op):
    """z = 1 / (1 + exp(-x));  dz/dx = z (1 - z).  Forward as (1 + tanh(x/2)) / 2: no overflow."""

    saves_output = True

    def forward(self, x):
        return 0.5 + 0.5 * np.tanh(0.5 * x)

    def backward(self, g):
        z = self.output(Tensor.sigmoid)
        return (g * z * (1 - z),)


class Tanh(Op):
    """z = tanh(x);  dz/dx = 1 - z^2"""

    saves_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g):
        z = self.output(Tensor.tanh)
        return (g * (1 - z * z),)


class Clamp(Op):
    """z = min(max(x, lo), hi);  dz/dx = 1 where lo <= x <= hi (bounds included, as torch), else 0"""

    torch_name = "ClampBackward1"

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g):
        x = self.inputs[0].data
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
        return np.power(x, self.p)

    def backward(self, g):
        (x,) = self.inputs
        if self.p == 0:
            return (g * 0,)
        if self.p == 1:
            return (g,)
        return (g * self.p * x ** (self.p - 1),)


class Cast(Op):
    """z = x as another dtype;  dz/dx = 1, cast back to x's dtype"""

    saves_inputs = False
    torch_name = "ToCopyBackward0"

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return (g.to(self.in_dtype),)


class Clone(Op):
    """z = a copy of x;  dz/dx = 1"""

    saves_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return (g,)


# ============================================================================ binary


class Add(Op):
    """z = x + y;  dz/dx = 1,  dz/dy = 1"""

    saves_inputs = False

    def forward(self, x, y):
        return x + y

    def backward(self, g):
        return g, g


class Sub(Op):
    """z = x - y;  dz/dx = 1,  dz/dy = -1"""

    saves_inputs = False

    def forward(self, x, y):
        return x - y

    def backward(self, g):
        return g, -g if self.parents[1] is not None else None


class Mul(Op):
    """z = x * y;  dz/dx = y,  dz/dy = x"""

    def forward(self, x, y):
        return x * y

    def backward(self, g):
        x, y = self.inputs
        px, py = self.parents
        return (g * y if px is not None else None), (g * x if py is not None else None)


class Div(Op):
    """z = x / y;  dz/dx = 1 / y,  dz/dy = -x / y^2"""

    def forward(self, x, y):
        return x / y

    def backward(self, g):
        x, y = self.inputs
        px, py = self.parents
        gx = g / y if px is not None else None
        gy = -g * x / (y * y) if py is not None else None
        return gx, gy


class PowTensor(Op):
    """z = x^y;  dz/dx = y x^(y-1),  dz/dy = x^y log(x), taken as 0 where x == 0 (as torch)"""

    torch_name = "PowBackward1"

    def forward(self, x, y):
        return np.power(x, y)

    def backward(self, g):
        x, y = self.inputs
        px, py = self.parents
        gx = g * y * x ** (y - 1) if px is not None else None
        gy = None
        if py is not None:
            log_x = where(x.data != 0, x, 1.0).log()
            gy = g * x**y * log_x
        return gx, gy


def _tie_weights(x, y, wins, dtype):
    """1 where x wins, 1/2 at ties (the gradient is split, as torch), 0 where y wins."""
    return (wins(x, y) + 0.5 * (x == y)).astype(dtype)


class Maximum(Op):
    """z = max(x, y);  dz/dx = 1 where x > y, 1/2 at ties, else 0;  dz/dy the complement"""

    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, g):
        x, y = self.inputs
        w = _tie_weights(x.data, y.data, np.greater, g.dtype)
        return g * w, g * (1 - w)


class Minimum(Op):
    """z = min(x, y);  dz/dx = 1 where x < y, 1/2 at ties, else 0;  dz/dy the complement"""

    def forward(self, x, y):
        return np.minimum(x, y)

    def backward(self, g):
        x, y = self.inputs
        w = _tie_weights(x.data, y.data, np.less, g.dtype)
        return g * w, g * (1 - w)


class Where(Op):
    """z = x where cond else y;  dz/dx = cond,  dz/dy = not cond  (no gradient for cond)"""

    saves_inputs = False

    def __init__(self, cond):
        self.cond = cond

    def forward(self, x, y):
        return np.where(self.cond, x, y)

    def backward(self, g):
        return where(self.cond, g, 0), where(self.cond, 0, g)


class MatMul(Op):
    """z = x @ y (both at least 2-D, batched);  dz/dx = g @ y^T,  dz/dy = x^T @ g"""

    torch_name = "MmBackward0"

    def forward(self, x, y):
        return np.matmul(x, y)

    def backward(self, g):
        x, y = self.inputs
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
        return np.sum(x, axis=self.dim, keepdims=self.keepdim)

    def backward(self, g):
        if self.dim is not None and not self.keepdim:
            g = g.reshape(_kept_shape(self.shape, self.dim))
        return (g.expand(self.shape),)


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


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

    def backward(self, g):
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

    def backward(self, g):
        return (Scatter.apply(g, idx=self.idx, dim=self.dim, shape=self.shape),)


class Scatter(Op):
    """z = zeros(shape) with x put at idx along dim (indices unique);  dz/dx = g taken at idx"""

    saves_inputs = False

    def __init__(self, idx, dim, shape):
        self.idx, self.dim, self.shape = idx, dim, shape

    def forward(self, x):
        z = np.zeros(self.shape, dtype=x.dtype)
        np.put_along_axis(z, self.idx, x, axis=self.dim)
        return z

    def backward(self, g):
        return (Gather.apply(g, idx=self.idx, dim=self.dim),)


class Softmax(Op):
    """z = exp(x) / sum(exp(x)) over dim;  dx = z (g - sum(g z)).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.dim, keepdims=True))
        return e / np.sum(e, axis=self.dim, keepdims=True)

    def backward(self, g):
        z = self.output(lambda x: x.softmax(self.dim))
        return (z * (g - (g * z).sum(self.dim, keepdim=True)),)


class LogSoftmax(Op):
    """z = x - log(sum(exp(x))) over dim;  dx = g - exp(z) sum(g).  Own row: stable (x - max)."""

    saves_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        shifted = x - np.max(x, axis=self.dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.dim, keepdims=True))

    def backward(self, g):
        z = self.output(lambda x: x.log_softmax(self.dim))
        return (g - z.exp() * g.sum(self.dim, keepdim=True),)


# ============================================================================ shape


class Reshape(Op):
    """z = x with a new shape;  dx = g with x's shape"""

    saves_inputs = False
    torch_name = "ViewBackward0"

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return np.reshape(x, self.shape)

    def backward(self, g):
        return (g.reshape(self.in_shape),)


class Expand(Op):
    """z = x broadcast to shape;  dx = g (the walker sums it back over the broadcast dims)"""

    saves_inputs = False

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, g):
        return (g,)


class Permute(Op):
    """z = x with its dims reordered;  dx = g with the inverse order"""

    saves_inputs = False

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return np.transpose(x, self.dims)

    def backward(self, g):
        return (g.permute(tuple(np.argsort(self.dims))),)


class Index(Op):
    """z = x[index];  dx = zeros with g added at index (repeated indices accumulate)"""

    saves_inputs = False

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def backward(self, g):
        return (IndexAdd.apply(g, index=self.index, shape=self.shape),)


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

    def backward(self, g):
        return (g[self.index],)


class Cat(Op):
    """z = the inputs joined along dim;  d(input i) = the slice of g that input i became"""

    saves_inputs = False

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        self.ends = np.cumsum([x.shape[self.dim] for x in xs])
        return np.concatenate(xs, axis=self.dim)

    def backward(self, g):
        lead = (slice(None),) * (self.dim % g.ndim)
        starts = [0, *self.ends[:-1]]
        return tuple(g[lead + (slice(int(a), int(b)),)] for a, b in zip(starts, self.ends))


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
