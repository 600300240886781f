"""gradcheck: analytic Jacobians (from the graph) against central finite differences, in float64.

The tutorial's point, "exact versus numerical", made a tool.
"""

import numpy as np

from . import grad_mode as _gm
from .backward import grad
from .tensor import Tensor, _make


class GradcheckError(RuntimeError):
    """The analytic and numerical Jacobians disagree; the message names where and by how much."""


def _float64_leaves(inputs):
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    leaves = []
    for x in inputs:
        if isinstance(x, Tensor) and x.requires_grad:
            leaves.append(_make(np.array(x.data, dtype=np.float64), requires_grad=True))
        else:
            leaves.append(x)
    return leaves


def _outputs(fn, inputs):
    out = fn(*inputs)
    outs = (out,) if isinstance(out, Tensor) else tuple(out)
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _analytic(fn, inputs, wrt):
    """Rows of the Jacobian: one grad() call per output element, graph retained."""
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((o.data.size, x.data.size)) for x in wrt] for o in outs]
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for j in range(out.data.size):
            seed = np.zeros(out.data.size)
            seed[j] = 1.0
            seed = _make(seed.reshape(out.shape).astype(out.dtype))
            grads = grad(out, wrt, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[k][i][j] = g.data.reshape(-1)
    return jac


def _numerical(fn, inputs, wrt, eps):
    """Columns of the Jacobian: perturb each element of each input by +-eps."""
    with _gm.no_grad():
        outs = _outputs(fn, inputs)
        jac = [[np.zeros((o.data.size, x.data.size)) for x in wrt] for o in outs]
        for i, x in enumerate(wrt):
            flat = x.data.reshape(-1)  # a view: writing it perturbs x
            for e in range(flat.size):
                orig = flat[e]
                flat[e] = orig + eps
                plus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[e] = orig - eps
                minus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[e] = orig
                for k in range(len(outs)):
                    jac[k][i][:, e] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check fn's gradients w.r.t. every input that requires grad, in float64.

    Returns True, or raises GradcheckError naming the output, input, element and both values of
    the worst mismatch (returns False instead when raise_exception=False).
    """
    inputs = _float64_leaves(inputs)
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck needs at least one input with requires_grad=True")
    analytic = _analytic(fn, inputs, wrt)
    numerical = _numerical(fn, inputs, wrt, eps)
    worst = None
    for k, (rows_a, rows_n) in enumerate(zip(analytic, numerical)):
        for i, (a, n) in enumerate(zip(rows_a, rows_n)):
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
            if excess.size and (np.nanmax(excess) > 0 or np.isnan(excess).any()):
                flat = int(np.nanargmax(np.where(np.isnan(excess), np.inf, excess)))
                row, col = np.unravel_index(flat, a.shape)
                if worst is None or excess.flat[flat] > worst[0]:
                    worst = (excess.flat[flat], k, i, row, col, a[row, col], n[row, col])
    if worst is None:
        return True
    _, k, i, row, col, a, n = worst
    element = np.unravel_index(col, wrt[i].shape) if wrt[i].ndim else ()
    message = (
        f"Jacobian mismatch for output {k} (element {int(row)}) with respect to input {i}, "
        f"element {tuple(int(e) for e in element)}: analytical {a:.8g} vs numerical {n:.8g} "
        f"(atol={atol}, rtol={rtol})"
    )
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """Check second derivatives: gradcheck of the vector-Jacobian product of fn (create_graph)."""
    inputs = _float64_leaves(inputs)
    n_in = len(inputs)
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [_make(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    else:
        grad_outputs = _float64_leaves(grad_outputs)

    def vjp(*args):
        xs, gs = args[:n_in], args[n_in:]
        wrt = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        with _gm.enable_grad():  # the numerical pass calls this under no_grad
            grads = grad(_outputs(fn, xs), wrt, list(gs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, list(inputs) + list(grad_outputs), eps, atol, rtol, raise_exception)
