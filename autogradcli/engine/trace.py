"""Recording one eager call as a replayable program (the tracer behind ag.compile).

While a Tracer is active, the engine runs exactly as in eager mode; a few entry points are
swapped for recording versions (only for the duration of the traced call, so eager code pays
nothing): `Op.apply` (every forward row), the graph walk (every backward row, sum and delivery
in the walker's order: trace_walk.py), the in-place methods (e.g. an optimizer's `sub_` under
no_grad), and the `.grad` field (reads and `= None`). Each recorded step is a small function
`step(s, ts)` over a list of arrays `s` and a list of Tensors `ts`, indexed by slot; the
program is those steps in the order they ran.

What the trace cannot see makes it give up (a `reason`): a traced value turned into Python
(`.item()`, `bool()`, `.tolist()`, `.numpy()`, comparisons, arg-max indices...) could steer
Python control flow, and index arrays passed to a row as parameters, random draws and copies
(`ag.tensor(x)`) would be repeated, so a replay would not be the same computation.
"""

import numbers

import numpy as np

from . import backward as _bw
from . import creation as _creation
from . import grad_mode as _gm
from . import tensor as _tensor
from .function import Op
from .tensor import Tensor, _make, _to_dtype
from .trace_walk import Walk

# Tensor methods whose result leaves the graph as data (Python values, masks, indices): used on a
# traced value, the rest of the call may depend on that value, which a replay cannot follow.
_ESCAPES = (
    "item", "tolist", "numpy", "__array__", "__float__", "__int__", "__bool__", "__index__",
    "any", "all", "_compare", "argmax", "argmin", "__invert__", "isnan", "isinf", "isfinite",
    "isclose", "logical_not", "logical_and", "logical_or", "logical_xor", "__setitem__",
    "sort", "argsort", "topk", "nonzero", "unique",
)
# Dim-wise max/min pick their elements by data-dependent indices, computed outside the rows.
_ESCAPES_WITH_DIM = ("max", "min", "median", "mode")
_INPLACE = ("_inplace_ufunc", "copy_", "clamp_")


class Tracer:
    """The program of one call: slots, steps, and why it cannot be replayed (reason)."""

    active = None  # the Tracer recording now, if any

    def __init__(self):
        self.slots = {}  # id(Tensor) -> slot
        self.keep = []  # the Tensors behind the slots, so that their ids stay unique
        self.steps = []
        self.inputs = []  # (slot, argument key) for the call's Tensor arguments
        self.externals = []  # (slot, Tensor) read at the start of every replay
        self.consts = {}  # slot -> value fixed at trace time (Python numbers, seeds, folded rows)
        self.grad_of = {}  # slot of a .grad Tensor -> slot of its leaf
        self.reason = None
        self.delivering = False  # the walk is writing a .grad (its own step replays that)
        self._saved = []

    # ------------------------------------------------------------------ slots
    def _new(self, t):
        k = len(self.keep)
        self.slots[id(t)] = k
        self.keep.append(t)
        return k

    def add_input(self, t, key):
        if id(t) in self.slots:  # the same tensor passed twice
            return
        self.inputs.append((self._new(t), key))

    def slot(self, t):
        """The slot of a Tensor; one first seen here comes from outside the call (a parameter,
        a constant operand), read afresh at every replay unless it holds a Python number."""
        k = self.slots.get(id(t))
        if k is None:
            k = self._new(t)
            if isinstance(t.data, numbers.Number) and not t._requires_grad:
                self.consts[k] = t.data
            else:
                self.externals.append((k, t))
        return k

    def const(self, value):
        k = self._new(_make(value))
        self.consts[k] = value
        return k

    def give_up(self, reason):
        if self.reason is None:
            self.reason = reason

    # ------------------------------------------------------------------ activation
    def __enter__(self):
        Tracer.active = self
        self._patch(Op, "apply", classmethod(_traced_apply))
        self._patch(_bw, "_walk", _traced_walk)
        for name in _ESCAPES:
            if name in Tensor.__dict__:
                self._patch(Tensor, name, _escape(name, Tensor.__dict__[name]))
        for name in _ESCAPES_WITH_DIM:
            if name in Tensor.__dict__:
                self._patch(Tensor, name, _escape_with_dim(name, Tensor.__dict__[name]))
        self._patch(Tensor, "to", _escape_unless_float(Tensor.__dict__["to"]))
        self._patch(Tensor, "__getitem__", Tensor.__dict__["_getitem_recorded"])
        for name in _INPLACE:
            self._patch(Tensor, name, _inplace(Tensor.__dict__[name]))
        self._patch(Tensor, "grad", _grad_field(Tensor.__dict__["grad"]))
        self._patch(Tensor, "detach", _detach(Tensor.__dict__["detach"]))
        self._patch(_creation, "_rng", _RandomSpy(self, _creation._rng))
        self._patch(_tensor, "_to_array", _copied(_tensor._to_array))
        return self

    def __exit__(self, *exc):
        for owner, name, value in reversed(self._saved):
            if owner is _creation and not isinstance(_creation._rng, _RandomSpy):
                continue  # the function seeded the generator again: keep its choice
            setattr(owner, name, value)
        self._saved = []
        Tracer.active = None
        return False

    def _patch(self, owner, name, value):
        self._saved.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    def traced(self, t):
        """Whether t is part of the computation: seen by the trace, or requiring grad."""
        return isinstance(t, Tensor) and (id(t) in self.slots
                                          or getattr(t, "_requires_grad", False))


_apply = Op.__dict__["apply"].__func__
_walk = _bw._walk


# ---------------------------------------------------------------------- forward rows
def _traced_apply(cls, *inputs, **params):
    out = _apply(cls, *inputs, **params)
    tr = Tracer.active
    if any(_holds_array(v) for v in params.values()):
        tr.give_up(f"{cls.__name__} takes an index or mask array computed outside the rows "
                   "(e.g. from labels or argmax), which a replay would repeat")
    ins = tuple(tr.slot(t) for t in inputs)
    o = tr._new(out)
    op = out.grad_fn if out.grad_fn is not None and out.grad_fn.__class__ is cls else None
    if op is None and all(k in tr.consts for k in ins):
        tr.consts[o] = out.data  # depends on constants only: computed once, here
        return out
    row = op if op is not None else (cls(**params) if params else cls())
    tr.steps.append(_forward_step(row, ins, o, op is not None and row.saves_output))
    return out


def _holds_array(value):
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    if isinstance(value, (tuple, list)):
        return any(_holds_array(v) for v in value)
    return False


def _forward_step(row, ins, o, saves_output):
    forward = row.forward
    if len(ins) == 1:
        (a,) = ins

        def step(s, ts):
            z = forward(s[a])
            s[o] = z if z.__class__ is np.ndarray else np.asarray(z)
    elif len(ins) == 2:
        a, b = ins

        def step(s, ts):
            z = forward(s[a], s[b])
            s[o] = z if z.__class__ is np.ndarray else np.asarray(z)
    else:
        def step(s, ts):
            z = forward(*[s[k] for k in ins])
            s[o] = z if z.__class__ is np.ndarray else np.asarray(z)
    if not saves_output:
        return step

    def step_saving(s, ts):
        step(s, ts)
        row.out_data = s[o]
    return step_saving


# ---------------------------------------------------------------------- the walk
def _traced_walk(roots, seeds, retain_graph, create_graph, capture):
    tr = Tracer.active
    if create_graph or capture is not None:
        tr.give_up("grad() or create_graph=True inside the compiled function")
        return _walk(roots, seeds, retain_graph, create_graph, capture)
    if any(type(g) is not np.ndarray for g in seeds):
        tr.give_up("backward(gradient=...) inside the compiled function")
        return _walk(roots, seeds, retain_graph, create_graph, capture)
    prev = _gm._enabled
    _gm._set(False)
    try:
        return Walk(tr).run(roots, seeds, retain_graph)
    finally:
        _gm._set(prev)


# ---------------------------------------------------------------------- escapes
def _escape(name, method):
    def wrapper(self, *args, **kwargs):
        tr = Tracer.active
        if tr is not None and (tr.traced(self) or any(tr.traced(a) for a in args)):
            tr.give_up(f"Tensor.{name.strip('_')}() of a traced value: the rest of the call "
                       "may depend on its data (Python control flow)")
        return method(self, *args, **kwargs)
    return wrapper


def _escape_unless_float(method):
    def wrapper(self, dtype):
        tr = Tracer.active
        if tr is not None and tr.traced(self) and _to_dtype(dtype).kind != "f":
            tr.give_up("Tensor.to() an integer or bool dtype of a traced value")
        return method(self, dtype)
    return wrapper


def _escape_with_dim(name, method):
    def wrapper(self, *args, **kwargs):
        tr = Tracer.active
        if tr is not None and (args or kwargs.get("dim") is not None) and tr.traced(self):
            tr.give_up(f"Tensor.{name}(dim) picks elements by data-dependent indices")
        return method(self, *args, **kwargs)
    return wrapper


# ---------------------------------------------------------------------- in place
def _inplace(method):
    def wrapper(self, *args, **kwargs):
        tr = Tracer.active
        out = method(self, *args, **kwargs)
        if tr is None:
            return out
        if self.grad_fn is not None or any(isinstance(a, np.ndarray) for a in args):
            tr.give_up(f"{method.__name__} with a graph or a raw numpy operand (its values are "
                       "invisible to the trace)")
            return out
        tk = tr.slot(self)
        if tk in tr.consts:
            tr.give_up("an in-place change of a constant")
            return out
        spec = tuple(("t", tr.slot(a)) if isinstance(a, Tensor) else ("v", a) for a in args)
        tr.steps.append(_inplace_step(method, tk, spec, dict(kwargs)))
        return out
    return wrapper


def _inplace_step(method, tk, spec, kwargs):
    name = method.__name__
    if name == "_inplace_ufunc" and not kwargs and len(spec) in (3, 4):
        return _ufunc_step(tk, spec)
    if name == "copy_" and not kwargs and len(spec) == 1:
        return _copy_step(tk, spec[0])

    def step(s, ts):
        t = ts[tk]
        if t is None:  # an intermediate value: a throwaway Tensor around its array
            t = _make(s[tk])
        args = [_make(s[v]) if kind == "t" else v for kind, v in spec]
        method(t, *args, **kwargs)
        s[tk] = t.data
    return step


def _writable(s, ts, tk):
    """Tensor._writable for a slot: the array to write into, its version bumped."""
    t = ts[tk]
    if t is None:
        data = s[tk]
        if not data.flags.writeable:
            data = s[tk] = data.copy()
        return data
    if not t.data.flags.writeable:
        t.data = t.data.copy()
    t._version[0] += 1
    data = s[tk] = t.data
    return data


def _ufunc_step(tk, spec):
    """`x.add_(y)` and friends outside the graph (methods.py's _inplace_ufunc), on arrays."""
    (_, ufunc), _, (kind, other) = spec[:3]
    alpha = spec[3][1] if len(spec) == 4 else 1

    def step(s, ts):
        value = s[other] if kind == "t" else other
        data = _writable(s, ts, tk)
        ufunc(data, value * alpha if alpha != 1 else value, out=data)
    return step


def _copy_step(tk, src):
    kind, value = src

    def step(s, ts):
        _writable(s, ts, tk)[...] = s[value] if kind == "t" else value
    return step


# ---------------------------------------------------------------------- detach, random
def _detach(method):
    def wrapper(self):
        out = method(self)
        tr = Tracer.active
        if tr is not None and tr.traced(self):
            i, o = tr.slot(self), tr._new(out)
            tr.steps.append(_alias_step(i, o))
        return out
    return wrapper


def _alias_step(i, o):
    def step(s, ts):
        s[o] = s[i]
    return step


def _copied(to_array):
    def wrapper(data, dtype=None):
        tr = Tracer.active
        if tr is not None and tr.traced(data):
            tr.give_up("ag.tensor() of a traced value copies its data: a replay would reuse the "
                       "copy (use clone() or detach())")
        return to_array(data, dtype)
    return wrapper


class _RandomSpy:
    """The engine's generator while tracing: draws work, but a replay would repeat the numbers."""

    def __init__(self, tracer, rng):
        self._tracer, self._rng = tracer, rng

    def __getattr__(self, name):
        self._tracer.give_up("random numbers drawn inside the compiled function (dropout, "
                             "randn...) would repeat at every replay")
        return getattr(self._rng, name)


# ---------------------------------------------------------------------- .grad
def _grad_field(slot_descriptor):
    get, put = slot_descriptor.__get__, slot_descriptor.__set__

    def read(t):
        g = get(t)
        tr = Tracer.active
        if tr is None or tr.delivering or g is None or id(g) in tr.slots or not tr.traced(t):
            return g
        lk, gk = tr.slot(t), tr._new(g)
        tr.grad_of[gk] = lk
        tr.steps.append(_read_grad_step(lk, gk))
        return g

    def write(t, value):
        tr = Tracer.active
        if tr is not None and not tr.delivering and tr.traced(t):
            if value is None:
                tr.steps.append(_clear_grad_step(tr.slot(t)))
            else:
                tr.give_up("an assignment to .grad inside the compiled function")
        put(t, value)

    return property(read, write)


def _read_grad_step(lk, gk):
    def step(s, ts):
        g = ts[lk].grad
        ts[gk] = g
        s[gk] = None if g is None else g.data
    return step


def _clear_grad_step(lk):
    def step(s, ts):
        ts[lk].grad = None
    return step
