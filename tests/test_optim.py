"""Optimizers: a few steps against torch.optim's update formulas written out by hand."""

import math

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli.nn.optim import SGD, Adam

GRADS = [0.5, -1.5, 2.0, 0.25]  # the gradient seen at each step, whatever the parameter


def _param(value=1.0):
    return ag.tensor(np.array(value, dtype=np.float64), requires_grad=True)


def _run(opt, p):
    values = []
    for g in GRADS:
        p.grad = ag.tensor(np.array(g))
        opt.step()
        opt.zero_grad()
        values.append(p.item())
    return values


def _torch_sgd(p, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    """torch.optim.SGD's documented algorithm, dampening 0, one scalar."""
    buf, out = None, []
    for g in GRADS:
        g = g + weight_decay * p
        if momentum:
            buf = g if buf is None else momentum * buf + g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return out


def _torch_adam(p, lr, b1, b2, eps, weight_decay=0.0):
    """torch.optim.Adam's documented algorithm (amsgrad off), one scalar."""
    m = v = 0.0
    out = []
    for t, g in enumerate(GRADS, start=1):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


@pytest.mark.parametrize(
    "options",
    [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}, {"weight_decay": 0.1},
     {"momentum": 0.5, "nesterov": True, "weight_decay": 0.01}],
    ids=["plain", "momentum", "nesterov", "weight_decay", "all"],
)
def test_sgd_matches_torch_formulas(options):
    p = _param()
    got = _run(SGD([p], lr=0.1, **options), p)
    np.testing.assert_allclose(got, _torch_sgd(1.0, 0.1, **options), rtol=1e-14)


def test_plain_sgd_is_the_tutorial_update():
    p = _param(2.0)
    p.grad = ag.tensor(np.array(3.0))
    SGD({"a": p}, lr=0.02).step()
    assert p.item() == 2.0 - 0.02 * 3.0


@pytest.mark.parametrize(
    "options",
    [{}, {"weight_decay": 0.1}, {"betas": (0.5, 0.9), "eps": 1e-3}],
    ids=["default", "weight_decay", "betas-eps"],
)
def test_adam_matches_torch_formulas(options):
    p = _param()
    got = _run(Adam([p], lr=0.01, **options), p)
    b1, b2 = options.get("betas", (0.9, 0.999))
    expected = _torch_adam(1.0, 0.01, b1, b2, options.get("eps", 1e-8),
                           options.get("weight_decay", 0.0))
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_adam_on_a_vector_moves_each_element_by_about_lr_first():
    p = ag.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([10.0, -0.1, 0.0]))
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [0.99, -1.99, 3.0], rtol=1e-6)


def test_step_keeps_parameters_as_leaves_and_bumps_version():
    p = _param()
    before = p._version_count
    p.grad = ag.tensor(np.array(1.0))
    SGD([p], lr=0.1).step()
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._version_count == before + 1


def test_zero_grad_sets_none_by_default_or_zeros():
    p, q = _param(), _param()
    p.grad = ag.tensor(np.array(1.0))
    q.grad = ag.tensor(np.array(1.0))
    opt = SGD([p, q], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert p.grad.item() == 0.0
    opt.zero_grad()
    assert p.grad is None and q.grad is None


def test_parameters_without_gradient_are_left_alone():
    p, q = _param(1.0), _param(5.0)
    p.grad = ag.tensor(np.array(1.0))
    Adam([p, q], lr=0.1).step()
    assert q.item() == 5.0 and p.item() != 1.0


def test_adam_minimises_a_quadratic():
    p = ag.tensor(np.array([3.0, -4.0]), requires_grad=True)
    opt = Adam([p], lr=0.1)
    for _ in range(300):
        ((p - 1.0) ** 2).sum().backward()
        opt.step()
        opt.zero_grad()
    np.testing.assert_allclose(p.data, [1.0, 1.0], atol=1e-2)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: SGD([p], lr=0), "learning rate must be > 0"),
        (lambda p: SGD([p], lr=0.1, nesterov=True), "nesterov momentum needs momentum > 0"),
        (lambda p: Adam([p], lr=0.1, betas=(1.0, 0.9)), r"betas must lie in \[0, 1\)"),
        (lambda p: SGD([], lr=0.1), "empty parameter list"),
        (lambda p: SGD([ag.tensor(1.0)], lr=0.1), "requires_grad=True"),
    ],
    ids=["lr", "nesterov", "betas", "empty", "no-grad"],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make(_param())
