"""ag.compile: run a function once eagerly while tracing it, then replay the trace.

The first call with a given guard (each Tensor argument's shape, dtype and requires_grad, the
other arguments' values, and grad mode) runs `fn` eagerly under a Tracer (trace.py), which records
every forward row, the backward walk in its order, in-place updates and `.grad` reads and resets,
as one generated Python function (codegen.py). Later calls with the same guard run it: the same
numpy work of the same rows on arrays, without building Tensors or graph nodes, so the results
are bit-identical to eager. Values that depend only on constants are computed once, at trace time.

A new guard traces again (up to CACHE_SIZE programs; beyond that, such calls run eagerly), and so
does a call whose parameters (tensors read from outside) changed shape, dtype or requires_grad,
or gained or lost a .grad the trace read (Stale; more than CACHE_SIZE times: eager for good). A
call the tracer cannot follow (a traced value turned into Python data, grad() inside, a raw
numpy array written in place...) makes the compiled function eager for good, with
`fallback_reason` saying why; data outside what a declared derivation covers (trace.derived:
labels that are not class indices) runs that one call eagerly (Eager).

What a trace cannot see is taken as constant: Python numbers and arrays captured by `fn`, and the
`.data` of tensors read directly, unless declared (trace.derived, trace.call_on_data). Pass
values that change as arguments (they join the guard).
Tracing swaps a few engine entry points process-wide while the first call runs, so, like grad
mode, it assumes one thread computes at a time (sweeps' runs sharing a process take turns).
"""

import functools
import math

import numpy as np

from . import grad_mode as _gm
from .codegen import Eager, Stale
from .tensor import Tensor, _make
from .trace import Tracer

CACHE_SIZE = 8


def compile(fn=None):
    """Compile fn (a function of Tensors and Python values); usable as @ag.compile too."""
    if fn is None:
        return compile
    return Compiled(fn)


class Compiled:
    """A compiled function: call it as fn. `fallback_reason` is None while it replays traces."""

    def __init__(self, fn):
        self.fn = fn
        self.fallback_reason = None
        self.programs = {}  # guard -> the generated replay function
        self.stale = 0  # traces thrown away: state read from outside had changed
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        if self.fallback_reason is not None or Tracer.active is not None:
            return self.fn(*args, **kwargs)  # eager, or inlined into the trace of a caller
        try:
            key = _guard(args, kwargs) if kwargs or len(args) != 2 else _guard2(*args)
        except TypeError as error:  # an unhashable argument
            self.fallback_reason = f"an argument cannot be guarded ({error})"
            return self.fn(*args, **kwargs)
        program = self.programs.get(key)
        if program is not None:
            try:
                return program(args, kwargs)
            except Stale:  # a parameter changed shape, dtype or requires_grad since the trace
                del self.programs[key]
                self.stale += 1
                if self.stale > CACHE_SIZE:  # it keeps changing: tracing every call costs more
                    self.fallback_reason = (
                        f"traced again {self.stale} times: tensors read from outside keep "
                        "changing shape, dtype, requires_grad or whether they have a .grad")
                    return self.fn(*args, **kwargs)
            except Eager:  # data the trace's path does not cover (labels out of range...)
                return self.fn(*args, **kwargs)
        if len(self.programs) >= CACHE_SIZE:
            return self.fn(*args, **kwargs)
        return self._trace(key, args, kwargs)

    def _trace(self, key, args, kwargs):
        tr = Tracer()
        try:
            with tr:
                for i, a in enumerate(args):
                    if isinstance(a, Tensor):
                        tr.add_input(a, i)
                for name, a in kwargs.items():
                    if isinstance(a, Tensor):
                        tr.add_input(a, name)
                out = self.fn(*args, **kwargs)
                shape = _output_shape(tr, out)
            if tr.reason is not None:
                self.fallback_reason = tr.reason
            else:
                self.programs[key] = _program(tr, shape)
        finally:
            tr.release()
        return out


def _guard(args, kwargs):
    parts = [_gm._enabled]
    for a in args:
        parts.append(_guard_one(a))
    for name in sorted(kwargs):
        parts.append((name, _guard_one(kwargs[name])))
    return tuple(parts)


def _guard_one(a):
    if isinstance(a, Tensor):
        return (a.data.shape, a.data.dtype, a._requires_grad)
    if isinstance(a, np.ndarray):
        raise TypeError("a numpy array: pass it as a Tensor")
    if isinstance(a, (tuple, list, dict, set)) and _holds_tensor(a):
        raise TypeError("Tensors inside a container: pass them as separate arguments")
    hash(a)
    if isinstance(a, float):  # 0.0 and -0.0 are equal keys but not the same constant
        return (float, a, math.copysign(1.0, a))
    return (type(a), a)


def _holds_tensor(items):
    values = items.values() if isinstance(items, dict) else items
    return any(isinstance(v, Tensor) or (isinstance(v, (tuple, list, dict, set))
                                         and _holds_tensor(v)) for v in values)


def _guard2(a, b):
    """_guard for the common call, two Tensors (a batch and its targets): the same key."""
    if a.__class__ is Tensor and b.__class__ is Tensor:
        da, db = a.data, b.data
        return (_gm._enabled, (da.shape, da.dtype, a._requires_grad),
                (db.shape, db.dtype, b._requires_grad))
    return _guard((a, b), {})


def _output_shape(tr, out):
    """How to rebuild fn's result from slots: a slot, None, or a tuple/list of those."""
    if out is None:
        return None
    if isinstance(out, Tensor):
        if out.grad_fn is not None and out.grad_fn.inputs is not None:
            tr.give_up("an output still needs its graph: call backward() inside the compiled "
                       "function (replayed outputs carry no graph)")
        return tr.slot(out)
    if isinstance(out, (tuple, list)):
        return type(out), [_output_shape(tr, o) for o in out]
    tr.give_up(f"the function returns a {type(out).__name__} (Tensors, tuples, lists or None "
               "can be replayed)")
    return None


def _program(tr, shape):
    """The replay function of a finished trace, returning fn's result rebuilt from its values:
    a Tensor passed in or read from outside is returned itself, any other value as a new
    Tensor (a constant one as a copy, so that changing it cannot change later replays)."""
    refs = []

    def text(shape):
        if shape is None:
            return "None"
        if shape.__class__ is int:
            if shape in tr.leaves:
                return tr.tensors[shape]
            refs.append(tr.vals[shape])
            i = len(refs) - 1
            make = tr.src.bind(_make, "f")
            if tr.vals[shape].const:
                return f"{make}({tr.src.bind(np.array, 'f')}({{{i}}}, copy=True))"
            return f"{make}({{{i}}})"
        kind, parts = shape
        items = "".join(text(p) + ", " for p in parts)
        if kind is tuple:
            return f"({items})"
        if kind is list:
            return f"[{items}]"
        return f"{tr.src.bind(kind, 'f')}(({items}))"

    return tr.program(text(shape), refs)
