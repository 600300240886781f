"""Exact gradients at kinks, ties and zeros for the ops of issue 11 part A, with PyTorch's
conventions. Expected values were taken from torch 2.13 by hand; no test imports torch."""

import numpy as np
import pytest

import autogradcli.engine as ag
import autogradcli.engine.nn.functional as F


def _grads(fn, *values):
    xs = [ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in values]
    with np.errstate(all="ignore"):
        fn(*xs).sum().backward()
    return [x.grad.numpy() for x in xs]


def _hessian(fn, values):
    """d2 fn / dx2 by ag.grad twice (create_graph), row by row."""
    x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
    (g,) = ag.grad(fn(x), x, create_graph=True)
    rows = []
    for i in range(len(values)):
        (h,) = ag.grad(g[i], x, retain_graph=True, allow_unused=True)
        rows.append(np.zeros(len(values)) if h is None else h.detach().numpy())
    return np.array(rows)


@pytest.mark.parametrize("fn, x, expected", [
    pytest.param(F.relu6, [0.0, 6.0, 3.0, -1.0, 7.0], [0, 0, 1, 0, 0], id="relu6-bounds"),
    pytest.param(F.hardtanh, [-1.0, 1.0, 0.0, 2.0], [0, 0, 1, 0], id="hardtanh-bounds"),
    pytest.param(F.hardsigmoid, [-3.0, 3.0, 0.0, 4.0], [0, 0, 1 / 6, 0], id="hardsigmoid-bounds"),
    pytest.param(F.hardswish, [-3.0, 3.0, 0.0, 4.0], [0, 1, 0.5, 1], id="hardswish-bounds"),
    pytest.param(F.leaky_relu, [0.0, -1.0, 1.0], [0.01, 0.01, 1], id="leaky_relu-zero"),
    pytest.param(F.elu, [0.0, -1.0, 1.0], [1.0, np.exp(-1), 1], id="elu-zero"),
    pytest.param(lambda x: F.celu(x, 2.0), [0.0, -1.0, 1.0], [1.0, np.exp(-0.5), 1],
                 id="celu-zero"),
    pytest.param(F.selu, [0.0, -1.0, 1.0],
                 [1.7580993408473766, 0.646768603034814, 1.0507009873554805], id="selu-zero"),
    pytest.param(lambda x: F.softplus(x, beta=2, threshold=3), [1.5, 1.0, 2.0, 0.0],
                 [0.9525741268224333, 0.8807970779778824, 1.0, 0.5], id="softplus-threshold"),
    pytest.param(F.softsign, [0.0], [1.0], id="softsign-zero"),
    pytest.param(F.logsigmoid, [-800.0, 0.0, 800.0], [1.0, 0.5, 0.0], id="logsigmoid-extremes"),
    pytest.param(F.mish, [30.0], [1.0], id="mish-large"),
    pytest.param(lambda x: x.sign(), [1.0, 0.0], [0, 0], id="sign-zero_grad"),
    pytest.param(lambda x: x.round(), [1.5, 0.0], [0, 0], id="round-zero_grad"),
    pytest.param(lambda x: x.frac(), [1.5, -1.5], [1, 1], id="frac-passes"),
    pytest.param(lambda x: x.prod(), [2.0, 0.0, 3.0], [0, 6, 0], id="prod-one_zero"),
    pytest.param(lambda x: x.prod(), [2.0, 0.0, 0.0], [0, 0, 0], id="prod-two_zeros"),
    pytest.param(lambda x: x.prod(1), [[2.0, 0.0, 3.0], [1.0, 2.0, 0.0]],
                 [[0, 6, 0], [0, 0, 2]], id="prod_dim-zeros"),
    pytest.param(lambda x: x.prod(0), [[2.0, 0.0, 3.0], [0.0, 2.0, 0.0]],
                 [[0, 2, 0], [2, 0, 3]], id="prod_dim0-zeros"),
    pytest.param(lambda x: x.cumprod(0), [2.0, 0.0, 3.0, 0.0, 5.0], [1, 8, 0, 0, 0],
                 id="cumprod-zeros"),
    pytest.param(lambda x: x.cummax(0).values, [1.0, 3.0, 3.0, 2.0, 3.0], [1, 1, 2, 0, 1],
                 id="cummax-ties_later_index"),
    pytest.param(lambda x: x.cummin(0).values, [3.0, 1.0, 1.0, 2.0, 1.0], [1, 1, 2, 0, 1],
                 id="cummin-ties_later_index"),
    pytest.param(lambda x: x.amax(1), [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]],
                 [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], id="amax-ties_share"),
    pytest.param(lambda x: x.amin(1), [[1.0, 1.0, 3.0], [2.0, 2.0, 2.0]],
                 [[0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], id="amin-ties_share"),
    pytest.param(lambda x: x.median(), [5.0, 3.0, 1.0, 3.0, 3.0, 0.0],
                 [0, 1 / 3, 0, 1 / 3, 1 / 3, 0], id="median-ties_share"),
    pytest.param(lambda x: x.median(), [1.0, 3.0, 2.0, 2.0], [0, 0, 0.5, 0.5],
                 id="median-lower_of_even"),
    pytest.param(lambda x: x.norm(), [0.0, 0.0], [0, 0], id="norm-at_zero"),
    pytest.param(lambda x: x.norm(dim=1), [[0.0, 0.0], [3.0, 4.0]], [[0, 0], [0.6, 0.8]],
                 id="norm_dim-zero_row"),
    pytest.param(lambda x: x.norm(1), [0.0, -2.0], [0, -1], id="norm_p1-zero"),
    pytest.param(lambda x: x.norm(1.5), [0.0, 0.0], [0, 0], id="norm_p1_5-at_zero"),
    pytest.param(lambda x: x.norm(0.5), [0.0, 1.0], [0, 1], id="norm_p0_5-zero_element"),
    pytest.param(lambda x: x.norm(float("inf")), [3.0, -3.0, 1.0], [0.5, -0.5, 0],
                 id="norm_inf-ties"),
    pytest.param(lambda x: x.norm(-float("inf"), dim=1), [[1.0, -3.0, 3.0], [2.0, 2.0, -1.0]],
                 [[1, 0, 0], [0, 0, -1]], id="norm_neg_inf-dim"),
    pytest.param(lambda x: x.norm(0), [3.0, -3.0, 0.0], [0, 0, 0], id="norm_p0-zero_grad"),
    pytest.param(lambda x: x.std(), [1.0, 1.0], [0, 0], id="std-constant"),
    pytest.param(lambda x: x.std(1), [[1.0, 1.0], [3.0, 4.0]],
                 [[0, 0], [-0.7071067811865475, 0.7071067811865475]], id="std_dim-constant_row"),
])
def test_unary_kinks(fn, x, expected):
    (g,) = _grads(fn, x)
    np.testing.assert_allclose(g, np.array(expected, dtype=float), rtol=1e-12, atol=0)


@pytest.mark.parametrize("fn, x, y, gx, gy", [
    pytest.param(ag.remainder, [3.5, -3.5, 3.5], [2.0, 2.0, -2.0], [1, 1, 1], [-1, 2, 2],
                 id="remainder-floor"),
    pytest.param(ag.fmod, [3.5, -3.5, 3.5], [2.0, 2.0, -2.0], [1, 1, 1], [-1, 1, 1],
                 id="fmod-trunc"),
    pytest.param(ag.atan2, [0.0], [0.0], [0.0], [0.0], id="atan2-origin"),
    pytest.param(lambda a, b: ag.lerp(a, b, 0.25), [1.0], [3.0], [0.75], [0.25], id="lerp"),
])
def test_binary_kinks(fn, x, y, gx, gy):
    got_x, got_y = _grads(fn, x, y)
    np.testing.assert_allclose(got_x, gx, rtol=1e-12)
    np.testing.assert_allclose(got_y, gy, rtol=1e-12)


def test_floor_divide_has_no_derivative_as_torch():
    x = ag.tensor([3.5], dtype=ag.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for floor_divide is not implemented"):
        (x // 2).sum().backward()


@pytest.mark.parametrize("fn, x, expected", [
    pytest.param(lambda x: x.prod(), [2.0, 0.0, 3.0], [[0, 3, 0], [3, 0, 2], [0, 2, 0]],
                 id="prod-one_zero"),
    pytest.param(lambda x: x.prod(), [2.0, 0.0, 0.0], [[0, 0, 0], [0, 0, 2], [0, 2, 0]],
                 id="prod-two_zeros"),
    pytest.param(lambda x: (x.cumprod(0) * ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64))
                 .sum(), [2.0, 0.0, 3.0, 5.0],
                 [[0, 71, 0, 0], [71, 0, 46, 24], [0, 46, 0, 0], [0, 24, 0, 0]],
                 id="cumprod-zero"),
])
def test_second_derivatives_with_zeros(fn, x, expected):
    np.testing.assert_allclose(_hessian(fn, x), np.array(expected, dtype=float), rtol=1e-12)
