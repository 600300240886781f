"""The graph walk of a traced call: backward.py's walk, run for real and recorded step by step.

The same order, the same sums, the same fitting of each gradient to its input's shape and dtype,
the same accumulation into .grad; each node becomes one replay step over the slot lists of
trace.py (`step(s, ts)`), with the decisions the walker takes per call (which dims to sum, whether
to cast) taken once, since the guard fixes every shape and dtype.
"""

import numpy as np

from . import backward as _bw
from .tensor import Tensor, _make


class Walk:
    """backward.py's walk, run for real and recorded step by step (same order, same sums)."""

    def __init__(self, tracer):
        self.tr = tracer
        self.pending = {}  # node -> (gradient array, slot)

    def run(self, roots, seeds, retain_graph):
        tr, pending = self.tr, self.pending
        for t, g in zip(roots, seeds):
            k = tr.const(g)
            if t.grad_fn is None:  # a root that is a leaf gets its seed at once
                lk = self.deliver(t, g, k)[1]
                tr.steps.append(_deliver_step(lk, k))
            else:
                self.add(t.grad_fn, g, k)
        deps = _bw._count_dependencies(list(pending))
        ready = [n for n in pending if n not in deps]
        while ready:
            node = ready.pop()
            g, gk = pending.pop(node)
            self.node(node, g, gk, deps, ready, retain_graph)

    def node(self, node, g, gk, deps, ready, retain_graph):
        tr = self.tr
        node.check_saved()
        if node.retained is not None:
            tr.give_up("retain_grad() on a value inside the compiled function")
            _bw._retain(node.retained(), g, False)
        ins = [tr.slot(t) for t in node.inputs]
        arrays = [t.data for t in node.inputs]
        grads = node.backward(g, *arrays)
        plan = []
        for j, (parent, gi, x) in enumerate(zip(node.parents, grads, arrays)):
            if parent is None or gi is None:
                continue
            fit = None
            if gi.shape != x.shape or gi.dtype != x.dtype:
                fit = _fitter(gi, x)
                gi = _bw._match(gi, x)
            k = tr._new(_make(gi))
            plan.append((_MATCH, j, k, fit))
            if parent.__class__ is Tensor:
                plan.append(self.deliver(parent, gi, k))
                continue
            summed = self.add(parent, gi, k)
            if summed is not None:
                plan.append(summed)
            deps[parent] -= 1
            if deps[parent] == 0:
                ready.append(parent)
        tr.steps.append(_backward_step(node, gk, tuple(ins), tuple(plan)))
        if not retain_graph:
            node.release()

    def add(self, node, g, k):
        """Sum a gradient into the node's pending one; the action that does it at replay."""
        if node in self.pending:
            old, ok = self.pending[node]
            total = old + g
            nk = self.tr._new(_make(total))
            self.pending[node] = (total, nk)
            return (_ADD, nk, ok, k)
        self.pending[node] = (g, k)
        return None

    def deliver(self, leaf, g, k):
        tr = self.tr
        lk = tr.slot(leaf)
        tr.delivering = True
        try:
            _bw._accumulate(leaf, g, False)
        finally:
            tr.delivering = False
        return (_DELIVER, lk, k, None)


_MATCH, _ADD, _DELIVER = 0, 1, 2


def _deliver_step(lk, k):
    def step(s, ts):
        _accumulate(ts[lk], s[k])
    return step


def _fitter(g, x):
    """backward._match for these shapes and dtypes, its decisions taken once: the same calls."""
    gshape, shape, dtype = g.shape, x.shape, x.dtype
    dims, reshape = (), False
    if gshape != shape:
        lead = len(gshape) - len(shape)
        dims = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
        kept = list(gshape)
        for d in dims:
            kept[d] = 1
        reshape = tuple(kept) != shape
    cast = (g.sum(dims, keepdims=True) if dims else g).dtype != dtype

    def fit(g):
        if dims:
            g = g.sum(dims, keepdims=True)
        if reshape:
            g = g.reshape(shape)
        if cast:
            g = g.astype(dtype)
        return g
    return fit


def _backward_step(node, gk, ins, plan):
    """One node's backward at replay: the row on arrays, each gradient fitted to its input's
    shape and dtype (as the walker does), then summed into a pending slot or accumulated into a
    leaf's .grad."""
    grads_of, accumulate = _row_backward(node.backward, gk, ins), _accumulate

    def step(s, ts):
        grads = grads_of(s)
        for kind, p, q, r in plan:
            if kind == _MATCH:
                s[q] = grads[p] if r is None else r(grads[p])
            elif kind == _ADD:
                s[p] = s[q] + s[r]
            else:
                accumulate(ts[p], s[q])
    return step


def _accumulate(t, g):
    """backward._accumulate without create_graph, its common case (adding into a plain
    writable .grad) taken first: the same numpy call."""
    old = t.grad
    if old is not None and old.grad_fn is None:
        data = old.data
        if data.flags.writeable:
            np.add(data, g, out=data, casting="unsafe")
            old._version[0] += 1
            return
    _bw._accumulate(t, g, False)


def _row_backward(backward, gk, ins):
    if len(ins) == 1:
        (a,) = ins

        def grads_of(s):
            return backward(s[gk], s[a])
    elif len(ins) == 2:
        a, b = ins

        def grads_of(s):
            return backward(s[gk], s[a], s[b])
    else:
        def grads_of(s):
            return backward(s[gk], *[s[k] for k in ins])
    return grads_of
