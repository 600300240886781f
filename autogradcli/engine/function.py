"""The node of the graph: what every row of the derivative table (ops/) inherits.

An Op runs its forward on numpy arrays, and, when grad mode is on and an input requires grad,
records itself as the output's grad_fn with the inputs it saved for its backward.
"""

import numpy as np

from . import grad_mode as _gm
from .errors import ShapeError
from .tensor import Tensor, _make


class Op:
    """One recorded operation.

    Subclasses define forward(*arrays) -> array and backward(g, *inputs) -> one gradient (or None)
    per input; backward receives arrays, or Tensors under create_graph (see ops/base.py).
    """

    saves_inputs = True  # backward reads its inputs' values, so in-place changes to them are errors
    saves_output = False  # backward reads the forward result (exp, tanh, sigmoid, softmax...)

    inputs = None  # the saved Tensors, released after backward unless retain_graph
    parents = ()  # per input: the Op that made it, the leaf Tensor itself, or None (no grad)
    retained = None  # weakref to the output Tensor when it called retain_grad()

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
        self.inputs = inputs
        # Per input, where its gradient goes: the node that made it, the leaf itself, or nowhere.
        # Tuples, not lists: a deep graph holds one per node, and the collector walks them all;
        # one and two inputs (nearly every node) without a temporary list.
        if len(inputs) == 2:
            a, b = inputs
            self.parents = (_parent(a), _parent(b))
            if self.saves_inputs:
                self.versions = (a._version[0], b._version[0])
        elif len(inputs) == 1:
            a = inputs[0]
            self.parents = (_parent(a),)
            if self.saves_inputs:
                self.versions = (a._version[0],)
        else:
            self.parents = tuple([_parent(t) for t in inputs])
            if self.saves_inputs:
                self.versions = tuple([t._version[0] for t in inputs])
        if self.saves_output:
            self.out_data = out.data
            self.out_version = (out._version, out._version[0])
        out._requires_grad = True
        out.grad_fn = self

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
        if self.inputs is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time ({self.name()} has already "
                "freed its saved values). Saved values are freed by backward() and grad(); pass "
                "retain_graph=True to the first call if you need to backward through the graph "
                "again, or recompute the forward pass."
            )
        if self.saves_inputs and _versions(self.inputs) != self.versions:
            for i, (t, seen) in enumerate(zip(self.inputs, self.versions)):
                if t._version[0] != seen:
                    _raise_modified(self, f"input {i}", t, seen)
        if self.saves_output:
            counter, seen = self.out_version
            if counter[0] != seen:
                _raise_modified(self, "output", np.shape(self.out_data), seen, counter[0])

    def release(self):
        """Free the saved values; the graph stays, so a second walk can explain why it fails."""
        self.inputs = None
        if self.saves_output:
            self.out_data = None


def _parent(t):
    """Where an input's gradient goes: the node that made it, the leaf itself, or nowhere."""
    fn = t.grad_fn
    if fn is not None:
        return fn
    return t if t._requires_grad else None


def _versions(inputs):
    if len(inputs) == 2:
        return (inputs[0]._version[0], inputs[1]._version[0])
    if len(inputs) == 1:
        return (inputs[0]._version[0],)
    return tuple([t._version[0] for t in inputs])


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
