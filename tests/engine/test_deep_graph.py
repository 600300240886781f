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
