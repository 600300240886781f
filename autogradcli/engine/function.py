"""The node of the graph: what every row of the derivative table (ops/) inherits.

An Op runs its forward on numpy arrays, and, when grad mode is on and an input requires grad,
records itself as the output's grad_fn with the inputs it saved for its backward.

A deep graph keeps every node alive until its output goes away, and Python's garbage collector
walks all of them on each full pass: so a node is one object. Its one or two inputs, their
parents and the versions it saw sit in slots (no tuple, list or dict per node); `inputs` and
`parents` build their tuples on demand. Three or more inputs (cat, einsum) keep tuples.
"""

import numpy as np

from . import grad_mode as _gm
from .errors import ShapeError
from .tensor import Tensor, _make


class Op:
    """One recorded operation.

    Subclasses define forward(*arrays) -> array and backward(g, *inputs) -> one gradient (or None)
    per input; backward receives arrays, or Tensors under create_graph (see ops/base.py).
    Subclasses may keep their params and forward's by-products as plain attributes (a subclass
    without __slots__ has a __dict__; in CPython it is not a separate object for the collector).
    """

    # arity: how many inputs;
    # x0, x1: the saved input Tensors (arity 1 or 2), or x0 the tuple of them (3 or more); x0
    #   is None once released;
    # p0, p1: per input, where its gradient goes: the node that made it, the leaf itself, or
    #   None (no grad); p0 a tuple for 3 or more inputs. Fixed when recorded, as torch's edges
    #   (an in-place op later rebases the input's grad_fn, not this node's edge);
    # v0, v1: the inputs' versions when recorded (saves_inputs), v0 a tuple for 3 or more;
    # retained: weakref to the output Tensor when it called retain_grad();
    # out_data, out_counter: the forward result and its version counter (saves_output).
    __slots__ = ("__weakref__", "arity", "out_counter", "out_data", "p0", "p1", "retained", "v0",
                 "v1", "x0", "x1")

    saves_inputs = True  # backward reads its inputs' values, so in-place changes to them are errors
    saves_output = False  # backward reads the forward result (exp, tanh, sigmoid, softmax...)

    @classmethod
    def apply(cls, *inputs, **params):
        op = cls(**params) if params else cls()
        if len(inputs) == 1:
            out = _make(op.forward(inputs[0].data))
        elif len(inputs) == 2:
            try:
                out = _make(op.forward(inputs[0].data, inputs[1].data))
            except ValueError as error:  # numpy's broadcast error, as torch's RuntimeError
                _raise_broadcast(inputs, error)
        else:
            out = _make(op.forward(*[t.data for t in inputs]))
        if _gm._enabled:
            for t in inputs:
                if t._requires_grad:
                    op._record(inputs, out)
                    break
        return out

    def _record(self, inputs, out):
        n = len(inputs)
        self.arity = n
        self.retained = None
        if n == 2:
            a, b = inputs
            self.x0, self.x1 = a, b
            fn = a.grad_fn
            self.p0 = fn if fn is not None else (a if a._requires_grad else None)
            fn = b.grad_fn
            self.p1 = fn if fn is not None else (b if b._requires_grad else None)
            if self.saves_inputs:
                c = a._vc  # None: never written in place, version 0 (tensor.py)
                self.v0 = 0 if c is None else c[0]
                c = b._vc
                self.v1 = 0 if c is None else c[0]
        elif n == 1:
            a = inputs[0]
            self.x0 = a
            self.x1 = self.p1 = None
            fn = a.grad_fn
            self.p0 = fn if fn is not None else (a if a._requires_grad else None)
            if self.saves_inputs:
                c = a._vc
                self.v0 = 0 if c is None else c[0]
        else:
            self.x0 = inputs
            self.x1 = self.p1 = None
            self.p0 = tuple([_parent(t) for t in inputs])
            if self.saves_inputs:
                self.v0 = tuple([t._version_count for t in inputs])
        if self.saves_output:
            self.out_data = out.data
            # The output is new (version 0); it gets its counter now, for this node to watch.
            self.out_counter = out._version
        out._requires_grad = True
        out.grad_fn = self

    @property
    def inputs(self):
        """The saved input Tensors, as a tuple; None once released (after backward)."""
        n = self.arity
        if self.x0 is None:
            return None
        if n == 1:
            return (self.x0,)
        if n == 2:
            return (self.x0, self.x1)
        return self.x0

    @property
    def parents(self):
        """Per input: the Op that made it, the leaf Tensor itself, or None (no grad)."""
        n = self.arity
        if n == 1:
            return (self.p0,)
        if n == 2:
            return (self.p0, self.p1)
        return self.p0

    @classmethod
    def name(cls) -> str:
        """The torch-style label of this node, as in the repr of grad_fn and in DOT graphs."""
        return cls.__dict__.get("torch_name", cls.__name__ + "Backward0")

    def __repr__(self):
        return f"<{self.name()}>"

    def output(self, row, **params):
        """The forward result, for a backward that needs it.

        Normally the saved array; under create_graph a Tensor recomputed from the inputs by `row`
        (this node's class, with its params), so that second derivatives flow through it without
        the node holding its own output (a cycle). A class and params, not a closure: no function
        object is made per node.
        """
        if _gm._enabled:
            return row.apply(*self.inputs, **params)
        return self.out_data

    def check_saved(self):
        """Refuse to differentiate through values changed in place since the forward pass."""
        x0 = self.x0
        if x0 is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time ({self.name()} has already "
                "freed its saved values). Saved values are freed by backward() and grad(); pass "
                "retain_graph=True to the first call if you need to backward through the graph "
                "again, or recompute the forward pass."
            )
        if self.saves_inputs:
            n = self.arity
            if n > 2:
                for i, (t, seen) in enumerate(zip(x0, self.v0)):
                    if t._version_count != seen:
                        _raise_modified(self, f"input {i}", t, seen)
            else:
                c = x0._vc  # None: never written in place since (versions only grow)
                if c is not None and c[0] != self.v0:
                    _raise_modified(self, "input 0", x0, self.v0)
                c = self.x1._vc if n == 2 else None
                if c is not None and c[0] != self.v1:
                    _raise_modified(self, "input 1", self.x1, self.v1)
        if self.saves_output and self.out_counter[0] != 0:
            _raise_modified(self, "output", np.shape(self.out_data), 0, self.out_counter[0])

    def release(self):
        """Free the saved values; the graph stays, so a second walk can explain why it fails."""
        self.x0 = self.x1 = None
        if self.saves_output:
            self.out_data = None


def _parent(t):
    """Where an input's gradient goes: the node that made it, the leaf itself, or nowhere."""
    fn = t.grad_fn
    if fn is not None:
        return fn
    return t if t._requires_grad else None


def _raise_broadcast(inputs, error):
    a, b = (np.shape(t.data) for t in inputs)
    for dim in range(1, max(len(a), len(b)) + 1):
        n, m = (a[-dim] if dim <= len(a) else 1), (b[-dim] if dim <= len(b) else 1)
        if n != m and 1 not in (n, m):
            raise ShapeError(
                f"The size of tensor a ({n}) must match the size of tensor b ({m}) at "
                f"non-singleton dimension {max(len(a), len(b)) - dim}"
            ) from None
    raise error


def _raise_modified(op, what, t_or_shape, seen, now=None):
    if isinstance(t_or_shape, Tensor):
        shape, now = t_or_shape.shape, t_or_shape._version[0]
    else:
        shape = t_or_shape
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an in-place "
        f"operation: the {what} of {op.name()} (shape {tuple(shape)}) is at version {now}; "
        f"expected version {seen} instead. Do in-place updates after backward() (under "
        "no_grad()), or use an out-of-place operation such as x = x + y."
    )
