"""Recording one eager call as a replayable program (the tracer behind ag.compile).

While a Tracer is active, the engine runs exactly as in eager mode; a few entry points are
swapped for recording versions (only for the duration of the traced call, so eager code pays
nothing): `Op.apply` (every forward row), the graph walk (every backward row, sum and delivery
in the walker's order: trace_walk.py), the in-place methods (e.g. an optimizer's `sub_` under
no_grad), and the `.grad` field (reads and `= None`). Each value of the call gets a slot and an
Operand of the program being generated (codegen.py); each recorded operation appends the
statements that redo it, in the order they ran.

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
from . import trace_data, trace_rows
from .codegen import Operand, Source, Stale
from .function import Op
from .tensor import Tensor, _make, _to_dtype
from .trace_walk import Walk

# Tensor methods whose result leaves the graph as data (Python values, masks, indices): used on a
# traced value, the rest of the call may depend on that value, which a replay cannot follow.
_ESCAPES = (
    "item", "tolist", "numpy", "__array__", "__float__", "__int__", "__bool__", "__index__",
    "any", "all", "argmax", "argmin", "__invert__", "isnan", "isinf", "isfinite",
    "isclose", "logical_not", "logical_and", "logical_or", "logical_xor", "__setitem__",
    "sort", "argsort", "topk", "nonzero", "unique",
)
# Dim-wise max/min pick their elements by data-dependent indices, computed outside the rows.
_ESCAPES_WITH_DIM = ("max", "min", "median", "mode")
_INPLACE = ("_inplace_ufunc", "copy_", "clamp_")


class Tracer:
    """The program of one call: slots, the generated source, and why it cannot be replayed."""

    active = None  # the Tracer recording now, if any

    def __init__(self):
        self.slots = {}  # id(Tensor) -> slot
        self.keep = []  # the Tensors behind the slots, so that their ids stay unique
        self.vals = {}  # slot -> Operand of its array
        self.tensors = {}  # slot -> the name of its Tensor in the program, when it has one
        self.src = Source()
        self.externals = []  # (slot, Tensor) read at the start of every replay
        self.leaves = set()  # slots of the call's Tensor arguments and of externals
        self.out_of = {}  # node -> slot of its forward result (for backward replay forms)
        self.generic = set()  # nodes whose backward runs as a call (they need their out_data)
        self.derived = {}  # id(array) -> (array, Operand): arrays computed from traced data
        self.masks = set()  # ids of comparison results: only ag.where may take them
        self.grads_set = set()  # slots of leaves whose .grad the call itself set
        self.grads_guarded = set()  # slots of leaves whose .grad a replay checks first
        self.reason = None
        self.delivering = False  # the walk is writing a .grad (its own statement replays that)
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
        k = self._new(t)
        where = "args" if isinstance(key, int) else "kwargs"
        self.src.emit(f"t{k} = {where}[{key!r}]", head=True)
        self.src.emit(f"x{k} = t{k}.data", head=True)
        self.vals[k] = Operand(f"x{k}", t.data)
        self.tensors[k] = f"t{k}"
        self.leaves.add(k)

    def slot(self, t):
        """The slot of a Tensor; one first seen here comes from outside the call (a parameter,
        a constant operand), read afresh at every replay unless it holds a Python number."""
        k = self.slots.get(id(t))
        if k is None:
            k = self._new(t)
            if isinstance(t.data, numbers.Number) and not t._requires_grad:
                self.vals[k] = self.src.const(t.data)
            else:
                name = self.src.bind(t, "e")
                self.src.emit(f"x{k} = {name}.data", head=True)
                self.vals[k] = Operand(f"x{k}", t.data)
                self.tensors[k] = name
                self.externals.append((k, t))
                self.leaves.add(k)
        return k

    def val(self, t):
        return self.vals[self.slot(t)]

    def const(self, value):
        k = self._new(_make(value))
        self.vals[k] = self.src.const(value)
        return k

    def is_const(self, k):
        return self.vals[k].const

    def release(self):
        """Drop what the trace held (every value of the call, the statements and their
        closures, which refer back to the tracer): memory back now, not at the next collection
        of reference cycles."""
        self.src.clear()
        self.slots = self.vals = self.tensors = self.derived = self.out_of = None
        self.keep = self.externals = self.generic = self.src = None

    def give_up(self, reason):
        if self.reason is None:
            self.reason = reason

    def program(self, result_text, result_refs):
        """The generated replay function; it first checks that the tensors read from outside
        still have their traced shapes, dtypes and requires_grad (else: Stale)."""
        if self.externals:
            seen = tuple(part for k, t in self.externals for part in _external_key(t))
            parts = "".join(f"x{k}.__class__, x{k}.shape, x{k}.dtype, "
                            f"{self.tensors[k]}._requires_grad, " if _plain(t)
                            else f"x{k}.__class__, {self.tensors[k]}._requires_grad, "
                            for k, t in self.externals)
            self.src.emit(f"if ({parts}) != {self.src.bind(seen, 'g')}:\n"
                          f"    raise {self.src.bind(Stale, 's')}", head=True)
        return self.src.build(result_text, result_refs)

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
        self._patch(Tensor, "_compare", _compare(Tensor.__dict__["_compare"]))
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


def _plain(t):
    return type(t.data) is np.ndarray


def _external_key(t):
    if _plain(t):
        return (np.ndarray, t.data.shape, t.data.dtype, t._requires_grad)
    return (t.data.__class__, t._requires_grad)


_apply = Op.__dict__["apply"].__func__
_walk = _bw._walk


# ---------------------------------------------------------------------- forward rows
def _traced_apply(cls, *inputs, **params):
    out = _apply(cls, *inputs, **params)
    tr = Tracer.active
    fresh = (trace_data.params(tr, cls, params)
             if any(trace_data.holds_array(v) for v in params.values()) else {})
    ins = [tr.val(t) for t in inputs]
    o = tr._new(out)
    op = out.grad_fn if out.grad_fn is not None and out.grad_fn.__class__ is cls else None
    if op is None and not fresh and all(v.const for v in ins):
        tr.vals[o] = tr.src.const(out.data)  # depends on constants only: computed once, here
        return out
    row = op if op is not None else (cls(**params) if params else cls())
    for name, value in (fresh or {}).items():  # the index arrays of this replay's data
        if getattr(row, name, None) is not params[name]:
            tr.give_up(f"{cls.__name__} keeps its {name} under another name")
        tr.src.emit(f"{tr.src.bind(row, 'r')}.{name} = {{0}}", (value,))
    tr.vals[o] = _forward(tr, row, ins, out.data, op is not None and row.saves_output)
    if op is not None:
        tr.out_of[op] = o
    return out


def _forward(tr, row, ins, value, saves_output):
    """The statements that redo a forward row: its replay form, or a call of its forward."""
    src = tr.src
    out = trace_rows.forward(src, row, ins, value)
    if out is None:
        src.calls_rows = True
        refs = ", ".join(f"{{{i}}}" for i in range(len(ins)))
        out = src.assign(f"{src.bind(row.forward, 'f')}({refs})", ins, value)
        src.emit(f"if {{0}}.__class__ is not {src.bind(np.ndarray, 'n')}:\n"
                 f"    {out.src} = {src.bind(np.asarray, 'f')}({{0}})", (out,))
    if saves_output:  # a backward run as a call reads the output from its row
        src.emit(lambda name: f"{src.bind(row, 'r')}.out_data = {name}"
                 if row in tr.generic else "pass", (out,))
    return out


def derived(value, fn, tensors, *args):
    """Declare that `value` (an index array, labels as class indices...) is
    fn(*[t.data for t in tensors], *args), computed in numpy outside the rows. Inside a
    compiled function, a replay recomputes it from the new data with fn; fn returns None for
    data that eager code would treat otherwise (it checks what that code checks), and that
    call then runs eagerly. Outside a trace this does nothing. Returns value."""
    if Tracer.active is not None:
        trace_data.declare(Tracer.active, value, fn, tensors, args)
    return value


def call_on_data(fn, *args):
    """fn(*args), each Tensor among args replaced by its array: numpy code on tensors' data
    with state of its own (an optimizer's update and its momentum). Inside a compiled function
    a replay calls fn again so, on the new arrays, and an in-place update may take its result
    (e.g. `p.sub_(call_on_data(opt._delta, i, p, p.grad))`). Returns fn's result."""
    value = fn(*[a.data if isinstance(a, Tensor) else a for a in args])
    if Tracer.active is not None:
        trace_data.call(Tracer.active, fn, args, value)
    return value


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
    what = "a comparison (<, ==...)" if name == "_compare" else f"Tensor.{name.strip('_')}()"

    def wrapper(self, *args, **kwargs):
        tr = Tracer.active
        if tr is not None and (tr.traced(self) or any(tr.traced(a) for a in args)):
            tr.give_up(f"{what} of a traced value: the rest of the call may depend on its data "
                       "(Python control flow)")
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
        if self.grad_fn is not None or any(isinstance(a, trace_data.RAW)
                                           and trace_data.unknown(tr, a) for a in args):
            tr.give_up(f"{method.__name__} with a graph or a raw numpy operand (its values are "
                       "invisible to the trace)")
            return out
        tk = tr.slot(self)
        if tr.is_const(tk):
            tr.give_up("an in-place change of a constant")
            return out
        spec = [tr.val(a) if isinstance(a, Tensor) else
                tr.derived[id(a)][1] if isinstance(a, trace_data.RAW) else a for a in args]
        _inplace_statements(tr, method, tk, spec, kwargs, self.data)
        return out
    return wrapper


def _inplace_statements(tr, method, tk, spec, kwargs, after):
    src, name = tr.src, method.__name__
    src.effects = True
    if name == "_inplace_ufunc" and not kwargs and len(spec) in (3, 4):
        ufunc, _, other = spec[:3]
        alpha = spec[3] if len(spec) == 4 else 1
        value = other if isinstance(other, Operand) else src.const(other)
        if alpha != 1:
            value = src.binop("*", value, src.const(alpha))
        data = _writable(tr, tk)
        src.emit(f"{src.bind(ufunc, 'f')}({data}, {{0}}, out={data})", (value,))
    elif name == "copy_" and not kwargs and len(spec) == 1:
        value = spec[0] if isinstance(spec[0], Operand) else src.const(spec[0])
        data = _writable(tr, tk)
        src.emit(f"{data}[...] = {{0}}", (value,))
    else:  # anything else: the method itself, on throwaway Tensors around the arrays
        src.calls_rows = True
        args = [a if isinstance(a, Operand) else src.const(a) for a in spec]
        refs = [tr.vals[tk], *args, src.const(kwargs)]
        targs = "".join(f"{src.bind(_make, 'f')}({{{i + 1}}}), " if isinstance(a, Operand)
                        else f"{{{i + 1}}}, " for i, a in enumerate(spec))
        tensor = tr.tensors.get(tk, "None")
        data = src.local()
        src.emit(f"{data} = {src.bind(_replay_inplace, 'f')}({src.bind(method, 'f')}, "
                 f"{tensor}, {{0}}, ({targs}), {{{len(refs) - 1}}})", refs)
    tr.vals[tk] = Operand(data, after)


def _writable(tr, tk):
    """Tensor._writable for a slot, as statements: the name of the array to write into."""
    src, data = tr.src, tr.src.local()
    tensor = tr.tensors.get(tk)
    if tensor is None:  # an intermediate value: its array
        src.emit(f"{data} = {{0}}\nif not {data}.flags.writeable:\n"
                 f"    {data} = {data}.copy()", (tr.vals[tk],))
    else:  # the Tensor's own method: its version counter is its business
        src.emit(f"{data} = {tensor}._writable()")
    return data


def _replay_inplace(method, t, data, args, kwargs):
    if t is None:  # an intermediate value: a throwaway Tensor around its array
        t = _make(data)
    method(t, *args, **kwargs)
    return t.data


# ---------------------------------------------------------------------- detach, random
def _detach(method):
    def wrapper(self):
        out = method(self)
        tr = Tracer.active
        if tr is not None and tr.traced(self):
            tr.vals[tr._new(out)] = tr.val(self)
        return out
    return wrapper


def _compare(method):
    """A comparison of traced values is a mask the replay computes afresh (e.g. huber's branch
    picked by ag.where); turned into Python (bool(), item()...) it still escapes the trace."""
    def wrapper(self, ufunc, other):
        out = method(self, ufunc, other)
        tr = Tracer.active
        if tr is None or not (tr.traced(self) or tr.traced(other)):
            return out
        if tr.src.effects:
            tr.give_up("a comparison after an update or a backward")
            return out
        b = tr.val(other) if isinstance(other, Tensor) else other
        operand = tr.src.call(ufunc, tr.val(self), b, fresh=False)
        if operand.value is None or not trace_rows.same(operand.value, out.data):
            tr.give_up("a comparison whose replay differs from eager")
            return out
        tr.vals[tr._new(out)] = operand
        tr.derived[id(out.data)] = (out.data, operand)  # also as ag.where's cond param
        tr.masks.add(id(out.data))
        return out
    return wrapper


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
        if tr is None or tr.delivering or id(g) in tr.slots or not tr.traced(t):
            return g
        lk = tr.slot(t)
        leaf = tr.tensors.get(lk)
        if leaf is None:
            if g is not None:
                tr.give_up("a .grad of an intermediate value inside the compiled function")
            return g
        _guard_grad(tr, lk, leaf, g is None)
        if g is None:
            return g
        gk = tr._new(g)
        src, name = tr.src, f"t{gk}"
        data = src.local()
        tr.tensors[gk] = name
        tr.vals[gk] = Operand(data, g.data)
        src.emit(f"{name} = {leaf}.grad\n{data} = None if {name} is None else {name}.data")
        return g

    def write(t, value):
        tr = Tracer.active
        if tr is not None and not tr.delivering and tr.traced(t):
            leaf = tr.tensors.get(tr.slot(t))
            if value is None and leaf is not None:
                tr.src.effects = True
                tr.grads_set.add(tr.slot(t))
                tr.src.emit(f"{leaf}.grad = None")
            else:
                tr.give_up("an assignment to .grad inside the compiled function")
        put(t, value)

    return property(read, write)


def _guard_grad(tr, lk, leaf, none):
    """A .grad the call did not set comes from before it: whether it is None steered the
    traced Python (an optimizer skips a parameter without one), so a replay first checks that
    it still is (or is not), and traces again otherwise (before changing anything)."""
    if lk in tr.grads_set or lk in tr.grads_guarded:
        return
    tr.grads_guarded.add(lk)
    test = "is not None" if none else "is None"
    tr.src.emit(f"if {leaf}.grad {test}:\n    raise {tr.src.bind(Stale, 's')}", head=True)
