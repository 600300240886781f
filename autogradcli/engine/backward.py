"""The graph walk: backward() and grad().

Iterative (dependency counts and a ready list, no recursion), so a 100,000-op chain differentiates.
Without create_graph the rows run on plain arrays (fast); with it, on Tensors under grad mode, so
the gradients are themselves differentiable. Each node's gradient is dropped once consumed, and its
saved values are released unless retain_graph.
"""

import numpy as np

from . import grad_mode as _gm
from .function import Op
from .tensor import Tensor, _bump, _make


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensor)/d(leaf) into each reachable leaf's .grad (see Tensor.backward)."""
    if not tensor._requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: nothing to "
            "differentiate. Create the parameters with requires_grad=True, and do not compute the "
            "loss under no_grad()."
        )
    g = _seed_gradient(tensor, gradient, "backward()", create_graph)
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
        seeds.append(_seed_gradient(out, g, "grad()", create_graph))
    keys = [id(t.grad_fn) if t.grad_fn is not None else id(t) for t in inputs]
    capture = dict.fromkeys(keys)
    retain = create_graph if retain_graph is None else retain_graph
    _walk(list(outputs), seeds, retain, create_graph, capture)
    results = []
    for i, key in enumerate(keys):
        g = capture[key]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"input {i} of grad() was not used to compute the outputs. Pass "
                "allow_unused=True to get None for it instead."
            )
        if g.__class__ is np.ndarray and not g.flags.writeable:
            g = g.copy()  # a read-only view (a loss's spread gradient): a result of its own
        results.append(g if g is None or isinstance(g, Tensor) else _make(g))
    return tuple(results)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _seed_gradient(tensor, gradient, where, as_tensor):
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"{where} needs a scalar output, but this tensor has shape "
                f"{tuple(tensor.shape)}: grad can be implicitly created only for scalar outputs. "
                "Reduce it first (e.g. loss.mean()), or pass gradient= with the same shape."
            )
        g = np.ones_like(tensor.data)
    elif isinstance(gradient, Tensor):
        g = gradient if as_tensor else gradient.data
    else:
        g = np.asarray(gradient, dtype=tensor.dtype)
    if np.shape(_data(g)) != tensor.shape:
        raise RuntimeError(
            f"the gradient passed to {where} has shape {np.shape(_data(g))} but the output has "
            f"shape {tuple(tensor.shape)}; they must match."
        )
    return _make(g) if as_tensor and not isinstance(g, Tensor) else g


def _data(g):
    return g.data if isinstance(g, Tensor) else g


def _seed_nodes(roots, seeds, create_graph, capture):
    """The seeds, summed per node that made a root; a root that is a leaf gets its seed at once."""
    pending = {}
    for t, g in zip(roots, seeds):
        if t.grad_fn is None:
            _deliver(t, g, create_graph, capture)
        else:
            node = t.grad_fn
            pending[node] = pending[node] + g if node in pending else g
    return pending


def _walk(roots, seeds, retain_graph, create_graph, capture):
    prev = _gm._enabled
    _gm._set(create_graph)
    try:
        pending = _seed_nodes(roots, seeds, create_graph, capture)
        deps = _count_dependencies(list(pending))
        ready = [n for n in pending if n not in deps]
        while ready:
            node = ready.pop()
            g = pending.pop(node)
            node.check_saved()
            if node.retained is not None:
                _retain(node.retained(), g, create_graph)
            if capture is not None and id(node) in capture:
                capture[id(node)] = g
            inputs, parents, grads = _run_row(node, g, create_graph)
            for parent, gi, x in zip(parents, grads, inputs):
                if parent is None or gi is None:
                    continue
                if gi.shape != x.shape or gi.dtype != x.dtype:
                    gi = _match(gi, x)
                if parent.__class__ is Tensor:
                    _deliver(parent, gi, create_graph, capture)
                    continue
                pending[parent] = pending[parent] + gi if parent in pending else gi
                left = deps[parent] - 1
                deps[parent] = left
                if left == 0:
                    ready.append(parent)
            if not retain_graph:
                node.release()
    finally:
        _gm._set(prev)


def _run_row(node, g, create_graph):
    """The node's backward on its saved inputs (arrays, or Tensors under create_graph), read
    from its slots (function.py): the inputs, the parents and the gradients, as tuples."""
    n = node.arity
    if n == 1:
        a = node.x0
        if not create_graph:
            a = a.data
        return (a,), (node.p0,), node.backward(g, a)
    if n == 2:
        a, b = node.x0, node.x1
        if not create_graph:
            a, b = a.data, b.data
        return (a, b), (node.p0, node.p1), node.backward(g, a, b)
    inputs = node.x0 if create_graph else tuple([t.data for t in node.x0])
    return inputs, node.p0, node.backward(g, *inputs)


def _count_dependencies(starts):
    """For each node reachable from starts, how many reachable nodes feed it a gradient."""
    deps = {}
    stack = list(starts)
    while stack:
        node = stack.pop()
        n = node.arity
        for parent in (node.p0, node.p1) if n <= 2 else node.p0:
            if parent is None or parent.__class__ is Tensor:
                continue
            if parent in deps:
                deps[parent] += 1
            else:
                deps[parent] = 1
                stack.append(parent)
    return deps


_ALL_DIMS = [tuple(range(n)) for n in range(33)]


def _match(g, x):
    """Reduce a gradient to its input's shape (sum over broadcast dims) and dtype.

    g and x are both arrays, or both Tensors (create_graph)."""
    gshape, shape = g.shape, x.shape
    if not shape and gshape and g.__class__ is np.ndarray and len(gshape) < len(_ALL_DIMS):
        # A scalar (a parameter such as the tutorial's a, b): the general rule's very calls.
        g = g.sum(_ALL_DIMS[len(gshape)], keepdims=True).reshape(())
        return g if g.dtype == x.dtype else g.astype(x.dtype)
    if gshape != shape:
        lead = len(gshape) - len(shape)
        dims = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
        )
        if dims:
            g = g.sum(dims, keepdim=True) if isinstance(g, Tensor) else g.sum(dims, keepdims=True)
        if g.shape != shape:
            g = g.reshape(shape)
    if g.dtype != x.dtype:
        g = g.to(x.dtype) if isinstance(g, Tensor) else g.astype(x.dtype)
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
        # Copy: one gradient array may reach several leaves (x + x), or be a read-only view.
        t.grad = g if create_graph else _make(np.array(g, copy=True))
    elif create_graph or isinstance(t.grad.grad_fn, Op):
        t.grad = t.grad + (g if isinstance(g, Tensor) else _make(g))
    else:
        if not t.grad.data.flags.writeable:
            t.grad.data = t.grad.data.copy()
        np.add(t.grad.data, _data(g), out=t.grad.data, casting="unsafe")
        _bump(t.grad)
