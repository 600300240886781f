"""The graph walk: backward() and grad().

Iterative (dependency counts and a ready list, no recursion), so a 100,000-op chain differentiates.
Rows run under no_grad unless create_graph; each node's gradient is dropped once consumed, and its
saved values are released unless retain_graph.
"""

import numpy as np

from . import grad_mode as _gm
from .function import Op
from .tensor import Tensor, _make


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensor)/d(leaf) into each reachable leaf's .grad (see Tensor.backward)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: nothing to "
            "differentiate. Create the parameters with requires_grad=True, and do not compute the "
            "loss under no_grad()."
        )
    g = _seed_gradient(tensor, gradient, "backward()")
    retain = create_graph if retain_graph is None else retain_graph
    _walk([tensor], [g], retain, create_graph, capture=None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any .grad (torch.autograd.grad).

    With create_graph=True the results are part of a graph, so they can be differentiated again.
    Raises RuntimeError when an input was not used to compute the outputs (unless allow_unused).
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad_outputs has {len(grad_outputs)} entries but there are {len(outputs)} outputs"
        )
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"input {i} of grad() does not require grad; nothing to return")
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError(
                "an output of grad() does not require grad and does not have a grad_fn; "
                "was it computed under no_grad(), or from inputs that do not require grad?"
            )
        seeds.append(_seed_gradient(out, g, "grad()"))
    capture = {id(t.grad_fn) if t.grad_fn is not None else id(t): None for t in inputs}
    retain = create_graph if retain_graph is None else retain_graph
    _walk(list(outputs), seeds, retain, create_graph, capture)
    results = []
    for i, t in enumerate(inputs):
        g = capture[id(t.grad_fn) if t.grad_fn is not None else id(t)]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"input {i} of grad() was not used to compute the outputs. Pass "
                "allow_unused=True to get None for it instead."
            )
        results.append(g)
    return tuple(results)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _seed_gradient(tensor, gradient, where):
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"{where} needs a scalar output, but this tensor has shape "
                f"{tuple(tensor.shape)}: grad can be implicitly created only for scalar outputs. "
                "Reduce it first (e.g. loss.mean()), or pass gradient= with the same shape."
            )
        return _make(np.ones_like(tensor.data))
    g = gradient if isinstance(gradient, Tensor) else _make(np.asarray(gradient, tensor.dtype))
    if g.shape != tensor.shape:
        raise RuntimeError(
            f"the gradient passed to {where} has shape {tuple(g.shape)} but the output has shape "
            f"{tuple(tensor.shape)}; they must match."
        )
    return g


def _walk(roots, seeds, retain_graph, create_graph, capture):
    with _gm.set_grad_enabled(create_graph):
        pending = {}
        for t, g in zip(roots, seeds):
            if t.grad_fn is None:
                _deliver(t, g, create_graph, capture)
            else:
                node = t.grad_fn
                pending[node] = pending[node] + g if node in pending else g
        deps = _count_dependencies(list(pending))
        ready = [n for n in pending if deps.get(n, 0) == 0]
        while ready:
            node = ready.pop()
            g = pending.pop(node)
            node.check_saved()
            if node.retained is not None:
                _retain(node.retained(), g, create_graph)
            if capture is not None and id(node) in capture:
                capture[id(node)] = g
            grads = node.backward(g)
            for parent, gi, x in zip(node.parents, grads, node.inputs):
                if parent is None or gi is None:
                    continue
                gi = _match(gi, x)
                if isinstance(parent, Tensor):
                    _deliver(parent, gi, create_graph, capture)
                    continue
                pending[parent] = pending[parent] + gi if parent in pending else gi
                deps[parent] -= 1
                if deps[parent] == 0:
                    ready.append(parent)
            if not retain_graph:
                node.release()


def _count_dependencies(starts):
    """For each node reachable from starts, how many reachable nodes feed it a gradient."""
    deps = {}
    stack = list(starts)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if isinstance(parent, Op):
                deps[parent] = deps.get(parent, 0) + 1
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
    return deps


def _match(g, x):
    """Reduce a gradient to its input's shape (sum over broadcast dims) and dtype."""
    gshape, shape = g.data.shape, x.data.shape
    if gshape != shape:
        lead = len(gshape) - len(shape)
        dims = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
        )
        if dims:
            g = g.sum(dim=dims, keepdim=True)
        if g.data.shape != shape:
            g = g.reshape(shape)
    if g.data.dtype != x.data.dtype:
        g = g.to(x.data.dtype)
    return g


def _deliver(leaf, g, create_graph, capture):
    if capture is not None:
        if id(leaf) in capture:
            capture[id(leaf)] = g if capture[id(leaf)] is None else capture[id(leaf)] + g
        return
    _accumulate(leaf, g, create_graph)


def _retain(tensor, g, create_graph):
    if tensor is not None:
        _accumulate(tensor, g, create_graph)


def _accumulate(t, g, create_graph):
    if t.grad is None:
        # Copy: the same gradient array may reach several leaves (x + x) or be a read-only view.
        t.grad = g if create_graph else _make(np.array(g.data, copy=True))
    elif create_graph:
        t.grad = t.grad + g
    else:
        if not t.grad.data.flags.writeable:
            t.grad.data = t.grad.data.copy()
        np.add(t.grad.data, g.data, out=t.grad.data, casting="unsafe")
        t.grad._version[0] += 1
