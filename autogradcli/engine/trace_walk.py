"""The graph walk of a traced call: backward.py's walk, run for real and recorded as statements.

The same order, the same sums, the same fitting of each gradient to its input's shape and dtype,
the same accumulation into .grad. The decisions the walker takes per call (which dims to sum,
whether to cast) are taken once, since the guard fixes every shape and dtype; a node whose
backward reads only a constant gradient (the seed, through a mean) is computed once; hot rows
replay as inline expressions (trace_rows.py), the others as calls of their backward.
"""

import numpy as np

from . import backward as _bw
from . import trace_rows
from .tensor import Tensor, _make


class Walk:
    """backward.py's walk, run for real and recorded step by step (same order, same sums)."""

    def __init__(self, tracer):
        self.tr = tracer
        self.pending = {}  # node -> (gradient array, Operand)

    def run(self, roots, seeds, retain_graph):
        tr, pending = self.tr, self.pending
        for t, g in zip(roots, seeds):
            seed = tr.src.const(g)
            if t.grad_fn is None:  # a root that is a leaf gets its seed at once
                self.deliver(t, g, seed)
            else:
                self.add(t.grad_fn, g, seed)
        deps = _bw._count_dependencies(list(pending))
        ready = [n for n in pending if n not in deps]
        while ready:
            node = ready.pop()
            g, gv = pending.pop(node)
            self.node(node, g, gv, deps, ready, retain_graph)

    def node(self, node, g, gv, deps, ready, retain_graph):
        tr = self.tr
        node.check_saved()
        if node.retained is not None:
            tr.give_up("retain_grad() on a value inside the compiled function")
            _bw._retain(node.retained(), g, False)
        ins = [tr.val(t) for t in node.inputs]
        arrays = [t.data for t in node.inputs]
        grads = node.backward(g, *arrays)
        replayed = self.replay(node, gv, ins, grads)
        for parent, gi, x, gr in zip(node.parents, grads, arrays, replayed):
            if parent is None or gi is None:
                continue
            if gi.shape != x.shape or gi.dtype != x.dtype:
                mark = tr.src.mark()
                gr = _fit(tr.src, gr, gi, x)
                gi = _bw._match(gi, x)
                tr.src.settle(mark, [gr], [gi])
            if parent.__class__ is Tensor:
                self.deliver(parent, gi, gr)
                continue
            self.add(parent, gi, gr)
            deps[parent] -= 1
            if deps[parent] == 0:
                ready.append(parent)
        if not retain_graph:
            node.release()

    def replay(self, node, gv, ins, grads):
        """The Operands of the node's gradients: constants when they depend on a constant
        gradient only, a replay form, or the items of a call of the row's backward."""
        src = self.tr.src
        if gv.const and node.__class__ in trace_rows.PURE_BACKWARD:
            return [None if gi is None else src.const(gi) for gi in grads]
        out = self.tr.vals.get(self.tr.out_of.get(node))
        result = trace_rows.backward(src, node, gv, ins, out, grads)
        if result is not None:
            return result
        src.calls_rows = True
        self.tr.generic.add(node)
        refs = ", ".join(f"{{{i}}}" for i in range(len(ins) + 1))
        call = src.assign(f"{src.bind(node.backward, 'b')}({refs})", [gv, *ins], grads)
        return [None if gi is None else src.assign(f"{{0}}[{j}]", (call,), gi)
                for j, gi in enumerate(grads)]

    def add(self, node, g, gv):
        """Sum a gradient into the node's pending one (the statement that does it at replay)."""
        if node in self.pending:
            old, ov = self.pending[node]
            src, total = self.tr.src, old + g
            mark = src.mark()
            tv = src.binop("+", ov, gv)
            src.settle(mark, [tv], [total])
            self.pending[node] = (total, tv)
        else:
            self.pending[node] = (g, gv)

    def deliver(self, leaf, g, gv):
        tr = self.tr
        tensor = tr.tensors.get(tr.slot(leaf))
        tr.grads_set.add(tr.slot(leaf))
        if tensor is None:
            tr.give_up("a gradient for a tensor the trace cannot name")
        tr.delivering = True
        try:
            _bw._accumulate(leaf, g, False)
        finally:
            tr.delivering = False
        src = tr.src
        src.effects = True
        names = [src.bind(f, "f") for f in (_make, np.array, np.add, _bw._accumulate)]
        src.emit(lambda g_name: _accumulate_text(tensor, g_name, gv.owned(), *names), (gv,))


def _accumulate_text(t, g, owned, make, array, add, accumulate):
    """backward._accumulate without create_graph, its cases as statements. A gradient that is
    a new array nothing else holds becomes the .grad itself (eager copies it, as it may be
    shared; the copy of a C-contiguous array is the same values in the same layout)."""
    first = f"{make}({array}({g}, copy=True))"
    if owned:
        first = f"{make}({g}) if {g}.flags.c_contiguous else {first}"
    return (f"gr = {t}.grad\n"
            f"if gr is None:\n"
            f"    {t}.grad = {first}\n"
            f"elif gr.grad_fn is None:\n"
            f"    gd = gr._writable()\n"
            f"    {add}(gd, {g}, out=gd, casting='unsafe')\n"
            f"else:\n"
            f"    {accumulate}({t}, {g}, False)")


def _fit(src, gv, g, x):
    """backward._match for these shapes and dtypes, its decisions taken once: the same calls."""
    gshape, shape, dtype = g.shape, x.shape, x.dtype
    if gshape != shape:
        lead = len(gshape) - len(shape)
        dims = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
        if dims:
            gv = src.method(gv, "sum", dims, keepdims=True)
        if np.shape(gv.value) != shape:
            gv = src.method(gv, "reshape", shape, view=True)
    if gv.value.dtype != dtype:
        gv = src.method(gv, "astype", dtype)
    return gv

