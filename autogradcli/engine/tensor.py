"""Tensor: a numpy array with the autograd fields (grad, requires_grad, grad_fn, version counter).

The version counter is made on first use: a tensor never written in place, detached or watched
by a node that saved it as its output (nearly every tensor of a graph) holds None, read as
version 0, instead of a list per tensor for the garbage collector to walk.

The engine's bottom layer: imports numpy and grad_mode only, so every other module can build
Tensors with `_make` without a cycle. The methods that record graph nodes (operators, math,
reductions, shapes, in place, backward) need the ops package, so methods.py attaches them.
"""

import numbers

import numpy as np

from . import grad_mode as _gm

float32 = np.dtype("float32")
float64 = np.dtype("float64")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

_new = object.__new__


def _make(data, requires_grad=False):
    """Wrap an array without copying or checks: the engine's internal constructor."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t._requires_grad = requires_grad
    t.grad_fn = None
    t._vc = None
    t._retains_grad = False
    return t


def _bump(t):
    """Count one in-place write into t (its counter made now if it has none yet)."""
    c = t._vc
    if c is None:
        t._vc = [1]
    else:
        c[0] += 1


def _const(value):
    """A non-differentiable operand. Python numbers stay Python numbers, so that numpy treats them
    as weakly typed (float32 * 2.0 stays float32, as in torch)."""
    t = _new(Tensor)
    t.data = value if isinstance(value, (numbers.Number, np.ndarray)) else np.asarray(value)
    t.grad = None
    t._requires_grad = False
    t.grad_fn = None
    t._vc = None
    t._retains_grad = False
    return t


_NUMBERS = {}  # (type, value) -> its operand Tensor, shared: one object fewer per node


def _operand(x):
    if x.__class__ is Tensor or isinstance(x, Tensor):
        return x
    # Not 0.0 and -0.0 (equal keys, different signs), nor nan (never equal to itself).
    if (x.__class__ is float or x.__class__ is int) and x != 0 and x == x:
        key = (x.__class__, x)
        t = _NUMBERS.get(key)
        if t is None:
            if len(_NUMBERS) >= 1024:
                _NUMBERS.clear()
            t = _NUMBERS[key] = _const(x)
        return t
    return _const(x)


def _to_dtype(dtype):
    if dtype is None:
        return None
    if dtype in ("float32", "float64", "int64", "bool"):
        return np.dtype(dtype)
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"unknown dtype {dtype!r}; use ag.float32, ag.float64 or ag.int64"
        ) from None


def _to_array(data, dtype=None):
    """Apply torch's dtype rules: Python floats become float32, ints int64; arrays keep floats."""
    if isinstance(data, Tensor):
        data = data.data
    dtype = _to_dtype(dtype)
    if isinstance(data, (np.ndarray, np.generic)):  # numpy data keeps its dtype, as in torch
        arr = np.array(data, copy=True)
        if dtype is None and arr.dtype.kind in "iu":
            dtype = int64
    else:
        arr = np.array(data)
        if arr.dtype == object:
            raise TypeError(f"cannot make a tensor from {type(data).__name__}: {data!r}")
        if dtype is None:
            kind = arr.dtype.kind
            dtype = float32 if kind == "f" else int64 if kind in "iu" else None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"tensors hold numbers; got dtype {arr.dtype}")
    return arr.astype(dtype, copy=False) if dtype is not None else arr


def _check_grad_dtype(data):
    if data.dtype.kind != "f":
        raise RuntimeError(
            f"only tensors of floating point dtype can require gradients, not {data.dtype}. "
            "Create it with dtype=ag.float32 (or float64), "
            "e.g. ag.tensor([1, 2], dtype=ag.float32)."
        )


def _wrap_dim(dim, ndim):
    """dim as an index in [0, ndim), or torch's IndexError (a 0-d tensor has dims -1 and 0)."""
    top = ndim if ndim else 1
    if not -top <= dim < top:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], "
            f"but got {dim})"
        )
    return dim % top if ndim else 0


def _dim_tuple(dim, ndim):
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    return tuple(_wrap_dim(d, ndim) for d in dims)


class Tensor:
    """An n-dimensional array that records the operations applied to it when it requires grad."""

    __slots__ = (
        "__weakref__",
        "_requires_grad",
        "_retains_grad",
        "_vc",
        "data",
        "grad",
        "grad_fn",
    )
    __array_ufunc__ = None  # make numpy defer to our reflected operators: array * tensor
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _to_array(data, dtype)
        self.grad = None
        self._requires_grad = False
        self.grad_fn = None
        self._vc = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad = True

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad of leaf tensors. To use a computed tensor "
                "as a new leaf, call .detach() first, e.g. w = y.detach().requires_grad_()."
            )
        if flag:
            _check_grad_dtype(self.data)
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that does not require grad")
        if self.grad_fn is not None and not self._retains_grad:
            import weakref

            self.grad_fn.retained = weakref.ref(self)
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version(self):
        """The version counter, a one-element list shared with detached aliases; made on first
        use (in-place writes bump it: `t._version[0] += 1`)."""
        c = self._vc
        if c is None:
            c = self._vc = [0]
        return c

    @_version.setter
    def _version(self, counter):
        self._vc = counter

    @property
    def _version_count(self) -> int:
        c = self._vc
        return 0 if c is None else c[0]

    def detach(self):
        """The same data, cut from the graph (shares data and version counter, as in torch)."""
        t = _make(self.data)
        t._vc = self._version
        return t

    def detach_(self):
        if self.grad_fn is not None and self._retains_grad:
            self._retains_grad = False
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ plain data
    @property
    def shape(self) -> tuple:
        return self.data.shape

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[_wrap_dim(dim, self.data.ndim)]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to a Python number; "
                "item() needs exactly one element (reduce it first, e.g. .sum() or .mean())"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self):
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad: its array would escape the "
                "graph. Use tensor.detach().numpy() instead."
            )
        return self.data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError(
                "Can't convert a Tensor that requires grad to a numpy array. "
                "Use tensor.detach().numpy() instead."
            )
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def any(self):
        return _make(np.any(self.data))

    def all(self):
        return _make(np.all(self.data))

    def __repr__(self):
        body = np.array2string(
            self.data, separator=", ", prefix="tensor(", precision=4, suppress_small=True
        )
        extras = []
        if self.data.dtype not in (float32, int64, bool_):
            extras.append(f"dtype=ag.{self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ------------------------------------------------------------------ writes
    def _writable(self):
        """The array to write into in place, with the version counter bumped for the write."""
        if not self.data.flags.writeable:
            self.data = self.data.copy()  # e.g. a gradient that is a broadcast view
        _bump(self)
        return self.data

    def __setitem__(self, index, value):
        if _gm._enabled and (self._requires_grad or getattr(value, "_requires_grad", False)):
            raise RuntimeError(
                "index assignment (t[i] = v) is an in-place operation this engine does not record "
                "in the graph; do it under ag.no_grad(), "
                "or build the tensor with ag.where / ag.cat."
            )
        if not self.data.flags.writeable:
            self.data = self.data.copy()
        value = value.data if isinstance(value, Tensor) else value
        target, steps = self.data, _torch_steps(_index_data(index, self.data.shape))
        if len(steps) == 2:  # ints first, as a view (basic indexing), then the arrays
            target = target[steps[0]]
        target[steps[-1]] = value
        _bump(self)

    # ------------------------------------------------------------------ never recorded
    # Comparisons make bool tensors, argmax/argmin int64 ones: no gradient flows through them.
    def _compare(self, ufunc, other):
        return _make(ufunc(self.data, other.data if isinstance(other, Tensor) else other))

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    # Bitwise on integers, logical on bools (numpy's bitwise ufuncs are both), as torch.
    def __invert__(self):
        return _make(np.invert(self.data))

    def __and__(self, other):
        return self._compare(np.bitwise_and, other)

    def __or__(self, other):
        return self._compare(np.bitwise_or, other)

    def __xor__(self, other):
        return self._compare(np.bitwise_xor, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def argmax(self, dim=None, keepdim=False):
        """The index of the first largest element (of the flattened tensor without dim)."""
        return self._arg_extreme(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """The index of the first smallest element (of the flattened tensor without dim)."""
        return self._arg_extreme(np.argmin, dim, keepdim)

    def _arg_extreme(self, fn, dim, keepdim):
        data = self.data
        if dim is not None:
            dim = _wrap_dim(dim, data.ndim)
            data = data if data.ndim else data.reshape(1)
        elif keepdim and data.ndim:  # torch keeps every dim as size 1
            return _make(fn(data).astype(np.int64).reshape((1,) * data.ndim))
        out = fn(data, axis=dim, keepdims=keepdim and dim is not None and self.data.ndim > 0)
        return _make(np.asarray(out, dtype=np.int64))


def _index_data(index, shape):
    """The index as numpy reads it: Tensors become arrays, boolean masks integer arrays.

    A boolean mask must match the dims it covers (torch's IndexError otherwise).
    """
    if isinstance(index, (int, slice)):  # the common case, first
        return index
    parts = index if isinstance(index, tuple) else (index,)
    parts = [p.data if isinstance(p, Tensor) else p for p in parts]
    out, dim = [], 0
    for i, part in enumerate(parts):
        if part is Ellipsis:  # the dims after it are counted from the end
            dim = len(shape) - sum(_dims_taken(p) for p in parts[i + 1 :])
        if _is_mask(part):
            mask = np.asarray(part)
            covered = shape[dim : dim + mask.ndim]
            if mask.shape != covered:
                raise IndexError(
                    f"The shape of the mask {list(mask.shape)} at index {dim} does not match "
                    f"the shape of the indexed tensor {list(shape)} at index {dim}"
                )
            out.extend(np.nonzero(mask))
            dim += mask.ndim
        else:
            out.append(part)
            dim += part is not None and part is not Ellipsis
    return tuple(out) if isinstance(index, tuple) or len(out) > 1 else out[0]


def _is_mask(part):
    return isinstance(part, (np.ndarray, list)) and np.asarray(part).dtype == bool


def _dims_taken(part):
    return np.ndim(part) if _is_mask(part) else int(part is not None and part is not Ellipsis)


def _is_advanced(part):
    return isinstance(part, (np.ndarray, list)) and np.ndim(part) > 0


def _torch_steps(index):
    """torch's layout for an index mixing ints and arrays: the ints are plain selects, applied
    first, then the rest (numpy would treat the ints as advanced indices too). One or two
    numpy indices, applied in turn."""
    if not isinstance(index, tuple):
        return (index,)
    ints = [isinstance(p, (numbers.Integral, np.integer)) and not isinstance(p, bool)
            for p in index]
    if not any(ints) or not any(_is_advanced(p) for p in index):
        return (index,)
    selects = tuple(p if is_int or p is None or p is Ellipsis else slice(None)
                    for p, is_int in zip(index, ints))
    rest = tuple(slice(None) if p is None else p for p, is_int in zip(index, ints) if not is_int)
    return selects, rest
