"""The walk is iterative: a 100,000-op chain differentiates. Saved buffers are freed after backward
unless retain_graph, so a training loop's memory stays flat."""

import gc
import time
import weakref

import numpy as np
import pytest

import autogradcli.engine as ag

CHAIN = 100_000


def test_chain_of_100000_ops_differentiates():
    x = ag.tensor(1.0, dtype=ag.float64, requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(CHAIN // 2):
        y = y * 1.00001
        y = y + 0.0
    y.backward()
    elapsed = time.perf_counter() - start
    np.testing.assert_allclose(x.grad.item(), 1.00001 ** (CHAIN // 2), rtol=1e-9)
    del y  # freeing a deep graph must not recurse either
    gc.collect()
    assert elapsed < 20.0


def test_chain_of_100000_ops_with_grad():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = x
    for _ in range(CHAIN):
        y = y - 0.5
    (g,) = ag.grad(y.sum(), x)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(y.detach().numpy(), [1.0 - CHAIN / 2, 2.0 - CHAIN / 2])


def _graph():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    u = x * 2
    y = u.exp()
    ref = weakref.ref(u)
    del u  # from now on only the graph holds u (Exp saved it)
    return x, y, ref


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_saved_tensors_released_after_backward(how):
    x, y, ref = _graph()
    assert ref() is not None
    if how == "backward":
        y.sum().backward()
    else:
        ag.grad(y.sum(), x)
    gc.collect()
    assert ref() is None
    assert y.grad_fn.inputs is None


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_saved_tensors_kept_with_retain_graph(how):
    x, y, ref = _graph()
    if how == "backward":
        y.sum().backward(retain_graph=True)
    else:
        ag.grad(y.sum(), x, retain_graph=True)
    gc.collect()
    assert ref() is not None
    assert y.grad_fn.inputs is not None
    y.sum().backward()
    gc.collect()
    assert ref() is None


def test_graph_is_freed_when_the_output_goes_away():
    """No reference cycle keeps a finished graph alive (rows that use their output included)."""
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = (x * 2).exp().tanh().sigmoid().sqrt().softmax(0)
    loss = y.sum()
    ref = weakref.ref(y)
    node = weakref.ref(y.grad_fn)
    loss.backward()
    del y, loss
    assert ref() is None and node() is None  # without gc.collect(): plain reference counting


# ---------------------------------------------------------------- objects for the collector
def _tracked_per_op(step, n=1000):
    """GC-tracked objects that each of n recorded ops leaves alive (the graph held by y)."""
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = step(x)
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(n):
        y = step(y)
    gc.collect()
    return (len(gc.get_objects()) - before) / n


@pytest.mark.parametrize(("step", "bound"), [
    (lambda y: y * 1.0000001, 2.05),  # one input saved (and a shared constant)
    (lambda y: y.tanh(), 3.05),  # saves its output, and watches that output's version counter
])
def test_a_node_leaves_itself_and_its_saved_tensor_to_the_collector(step, bound):
    """A deep graph holds each node and the tensor it saved: 2 tracked objects per op (5 before:
    lists and tuples per node). The collector's full passes walk them all, so each extra object
    per node makes a long forward pass slower."""
    assert _tracked_per_op(step) <= bound


def test_a_two_input_node_keeps_no_container():
    w = ag.tensor([0.5, 0.25], dtype=ag.float64, requires_grad=True)
    assert _tracked_per_op(lambda y: y * w + y) <= 4.05  # two nodes, two tensors


def test_saved_versions_still_catch_an_in_place_change():
    """The counters are made on first use: a write after the forward pass is still seen."""
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    h = x * 1.0
    y = h * h
    with ag.no_grad():
        h.detach().add_(1.0)  # through an alias sharing the counter
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


# ---------------------------------------------------------------- a loss's spread gradient
def test_a_loss_gradient_is_a_read_only_view_of_one_number():
    """Sum and mean of every element hand back a view (strides 0), not n copies."""
    x = ag.tensor(np.arange(1e5), requires_grad=True)
    for loss in (x.sum(), x.mean()):
        (g,) = loss.grad_fn.backward(np.ones(()), x.data)
        assert g.shape == x.shape and g.strides == (0,) and not g.flags.writeable
        assert g[0] == (1.0 if loss.grad_fn.name() == "SumBackward0" else 1e-5)


def test_gradients_from_a_view_are_arrays_of_their_own():
    """.grad, retained grads and grad()'s results are writable copies: in place works on them."""
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    h = x + 0.0
    h.retain_grad()
    h.sum().backward()
    for t in (x.grad, h.grad):
        assert t.numpy().flags.writeable and t.numpy().strides == (8,)
    x.grad.mul_(3.0)
    x.grad[0] = 7.0
    np.testing.assert_array_equal(h.grad.numpy(), [1.0, 1.0, 1.0])
    x.mean().backward()  # accumulates into the edited .grad
    np.testing.assert_array_equal(x.grad.numpy(), [7.0 + 1 / 3, 3.0 + 1 / 3, 3.0 + 1 / 3])
    (g,) = ag.grad(x.sum(), x)
    g.numpy()[1] = 5.0
    np.testing.assert_array_equal(g.numpy(), [1.0, 5.0, 1.0])
