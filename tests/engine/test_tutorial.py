"""The tutorial's y_hat = a * x + b on 100 synthetic points in float64, trained with the engine."""

import numpy as np
import pytest

import autogradcli.engine as ag


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    x = rng.random(100)
    y = 1 + 2 * x + 0.1 * rng.standard_normal(100)
    design = np.stack([x, np.ones_like(x)], axis=1)
    (a_ols, b_ols), *_ = np.linalg.lstsq(design, y, rcond=None)
    return x, y, np.array([a_ols, b_ols])


def _params():
    ag.manual_seed(42)
    return (ag.randn(1, dtype=ag.float64, requires_grad=True),
            ag.randn(1, dtype=ag.float64, requires_grad=True))


def _step(a, b, x, y, lr):
    y_hat = a * x + b
    loss = ((y_hat - y) ** 2).mean()
    loss.backward()
    with ag.no_grad():
        a.sub_(lr * a.grad)
        b.sub_(lr * b.grad)
    a.grad.zero_()
    b.grad.zero_()
    return loss


def test_full_batch_gradient_descent_reaches_least_squares(data):
    x, y, ols = data
    a, b = _params()
    xt, yt = ag.tensor(x), ag.tensor(y)
    assert xt.dtype == ag.float64
    for _ in range(2000):
        _step(a, b, xt, yt, lr=0.1)
    np.testing.assert_allclose([a.item(), b.item()], ols, atol=1e-6, rtol=0)
    assert a.dtype == ag.float64 and a.is_leaf and a.grad_fn is None


def test_fixed_mini_batches_settle_near_least_squares(data):
    x, y, ols = data
    a, b = _params()
    batches = np.random.default_rng(0).permutation(100).reshape(10, 10)  # fixed, reused each epoch
    xs = [ag.tensor(x[idx]) for idx in batches]
    ys = [ag.tensor(y[idx]) for idx in batches]
    for _ in range(200):
        for xb, yb in zip(xs, ys):
            _step(a, b, xb, yb, lr=0.02)
    found = np.array([a.item(), b.item()])
    assert np.abs(found - ols).max() < 0.05
    assert np.abs(found - ols).max() > 1e-6  # SGD cycles: it does not converge exactly


def test_a_training_step_leaves_no_graph_behind(data):
    x, y, _ = data
    a, b = _params()
    loss = _step(a, b, ag.tensor(x), ag.tensor(y), lr=0.1)
    assert loss.grad_fn.inputs is None
    assert a.grad is not None and not a.grad.requires_grad
