"""Values a traced call computes in numpy outside the rows, from traced data: what a replay
must compute afresh rather than repeat.

Two kinds are declared by the code that computes them (trace.derived, trace.call_on_data): an
index array derived from tensors' data (labels as class indices, max-pool's window maxima),
recomputed by its function at every replay; and a call on tensors' data with state of its own (an
optimizer's update), called again at every replay. A row's index params are rebuilt from these
(positions 0..n-1 being constants of the shape); any other array there makes the trace give up.
"""

import numpy as np

from . import trace_rows
from .codegen import Eager
from .tensor import Tensor

RAW = (np.ndarray, np.generic)  # numpy values: their origin is invisible unless declared


def params(tr, cls, params):
    """The params holding arrays, as Operands rebuilt at every replay: arrays derived from
    traced data (see derived()) are recomputed, positions 0..n-1 are constants. Anything else
    (an index or mask the trace cannot see the origin of) makes the trace give up."""
    fresh = {}
    for name, value in params.items():
        if cls.__name__ != "Where" and _selects(tr, value):
            tr.give_up(f"{cls.__name__} selects elements by a comparison: the result's shape "
                       "depends on the data")
            return {}
        if holds_array(value):
            operand = _param(tr, value)
            if operand is None:
                tr.give_up(f"{cls.__name__} takes an index or mask array computed outside the "
                           "rows (e.g. from labels or argmax), which a replay would repeat")
                return {}
            fresh[name] = operand
    return fresh


def _selects(tr, value):
    """Whether value holds a comparison's result (where's cond keeps shapes; indexing by it
    does not)."""
    if isinstance(value, np.ndarray):
        return id(value) in tr.masks
    return isinstance(value, (tuple, list)) and any(_selects(tr, v) for v in value)


def holds_array(value):
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    if isinstance(value, (tuple, list)):
        return any(holds_array(v) for v in value)
    return False


def _param(tr, value):
    if isinstance(value, np.ndarray):
        if not unknown(tr, value):
            return tr.derived[id(value)][1]
        if value.ndim == 0 or _positions(value):
            return tr.src.const(value)
        return None
    if not isinstance(value, (tuple, list)):
        return tr.src.const(value)
    parts = [_param(tr, v) for v in value]
    if any(p is None for p in parts):
        return None
    if all(p.const for p in parts):
        return tr.src.const(value)
    text = "".join(f"{{{i}}}, " for i in range(len(parts)))
    text = f"({text})" if isinstance(value, tuple) else f"[{text}]"
    return tr.src.assign(text, parts, type(value)(p.value for p in parts))


def _positions(a):
    """0, 1, ..., n-1: positions along a dim, which only the (guarded) shape decides."""
    return (a.ndim == 1 and a.dtype.kind in "iu"
            and np.array_equal(a, np.arange(a.size, dtype=a.dtype)))


def unknown(tr, value):
    """Whether a numpy value's origin is not declared to the trace."""
    entry = tr.derived.get(id(value))
    return entry is None or entry[0] is not value


def declare(tr, value, fn, tensors, args):
    """trace.derived under a trace: the statements recomputing value at every replay."""
    if not any(tr.traced(t) for t in tensors):
        return
    src = tr.src
    if src.effects:
        tr.give_up("an index computed from data after an update or a backward")
        return
    operand = src.call(fn, *[tr.val(t) for t in tensors], *args, fresh=False)
    if operand.value is None or not trace_rows.same(operand.value, value):
        tr.give_up(f"{getattr(fn, '__name__', fn)} does not give the value it was declared for")
        return
    if not operand.const:
        src.emit(f"if {{0}} is None:\n    raise {src.bind(Eager, 's')}", (operand,))
    tr.derived[id(value)] = (value, operand)


def call(tr, fn, args, value):
    """trace.call_on_data under a trace: the statement calling fn again at every replay."""
    src = tr.src
    src.calls_rows = src.effects = True
    operands = [tr.val(a) if isinstance(a, Tensor) else src.const(a) for a in args]
    text = ", ".join(f"{{{i}}}" for i in range(len(operands)))
    operand = src.assign(f"{src.bind(fn, 'f')}({text})", operands, value)
    if isinstance(value, RAW):
        tr.derived[id(value)] = (value, operand)
