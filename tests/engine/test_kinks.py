"""Exact gradients at kinks and ties, with PyTorch's conventions.

Expected values were checked by hand against torch 2.x; no test imports torch.
"""

import numpy as np
import pytest

import autogradcli.engine as ag


def _grads(fn, *values):
    xs = [ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in values]
    out = fn(*xs)
    out.sum().backward()
    return [x.grad.numpy() for x in xs]


@pytest.mark.parametrize(
    "fn, x, expected",
    [
        pytest.param(lambda x: x.relu(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0], id="relu-zero"),
        pytest.param(lambda x: ag.relu(x), [0.0], [0.0], id="relu_fn-zero"),
        pytest.param(lambda x: x.abs(), [-2.0, 0.0, 3.0], [-1.0, 0.0, 1.0], id="abs-zero"),
        pytest.param(lambda x: abs(x), [0.0, -0.0], [0.0, 0.0], id="abs_builtin-signed_zero"),
        pytest.param(lambda x: x.clamp(0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0],
                     [0.0, 1.0, 1.0, 1.0, 0.0], id="clamp-both_bounds"),
        pytest.param(lambda x: x.clamp(min=0.0), [-1.0, 0.0, 1.0], [0.0, 1.0, 1.0],
                     id="clamp-min_bound"),
        pytest.param(lambda x: x.clamp(max=0.0), [-1.0, 0.0, 1.0], [1.0, 1.0, 0.0],
                     id="clamp-max_bound"),
        pytest.param(lambda x: x.clamp(1.0, 1.0), [0.0, 1.0, 2.0], [0.0, 1.0, 0.0],
                     id="clamp-equal_bounds"),
        pytest.param(lambda x: x.max(), [3.0, 1.0, 3.0, 3.0], [1 / 3, 0.0, 1 / 3, 1 / 3],
                     id="max-three_way_tie"),
        pytest.param(lambda x: x.min(), [[1.0, 5.0], [1.0, 2.0]], [[0.5, 0.0], [0.5, 0.0]],
                     id="min-2d_tie"),
        pytest.param(lambda x: ag.max(x), [2.0, 2.0], [0.5, 0.5], id="max_fn-tie"),
        pytest.param(lambda x: x.max(), [7.0], [1.0], id="max-single"),
        pytest.param(lambda x: x.max() * 4, [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0],
                     id="max-all_equal_scaled"),
    ],
)
def test_unary_kinks(fn, x, expected):
    (g,) = _grads(fn, x)
    np.testing.assert_array_equal(g, np.array(expected))


@pytest.mark.parametrize(
    "fn, x, y, gx, gy",
    [
        pytest.param(ag.maximum, [1.0, 2.0, 3.0], [1.0, 0.0, 3.0], [0.5, 1.0, 0.5],
                     [0.5, 0.0, 0.5], id="maximum-ties"),
        pytest.param(ag.minimum, [1.0, 2.0, 3.0], [1.0, 0.0, 3.0], [0.5, 0.0, 0.5],
                     [0.5, 1.0, 0.5], id="minimum-ties"),
        pytest.param(ag.maximum, [1.0, 1.0, 0.0], 1.0, [0.5, 0.5, 0.0], 2.0,
                     id="maximum-broadcast_ties"),
        pytest.param(ag.minimum, [[1.0], [2.0]], [1.0, 2.0], [[1.5], [0.5]], [1.5, 0.5],
                     id="minimum-broadcast_ties"),
        pytest.param(lambda x, y: x.maximum(y), [0.0], [0.0], [0.5], [0.5],
                     id="maximum_method-tie"),
    ],
)
def test_binary_ties(fn, x, y, gx, gy):
    got_x, got_y = _grads(fn, x, y)
    np.testing.assert_array_equal(got_x, np.array(gx))
    np.testing.assert_array_equal(got_y, np.array(gy))


def test_maximum_with_python_scalar_tie_passes_half():
    x = ag.tensor([0.0, 1.0, -1.0], dtype=ag.float64, requires_grad=True)
    ag.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.5, 1.0, 0.0])


@pytest.mark.parametrize("which", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True], ids=["dropdim", "keepdim"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_extreme_along_dim_sends_gradient_to_returned_index(which, dim, keepdim):
    data = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 1.0], [1.0, 1.0, 1.0]])
    x = ag.tensor(data, requires_grad=True)
    values, indices = getattr(x, which)(dim, keepdim=keepdim)
    assert indices.dtype == ag.int64
    assert not indices.requires_grad
    values.sum().backward()
    expected = np.zeros_like(data)
    np.put_along_axis(expected, indices.numpy().reshape(values.shape) if keepdim
                      else np.expand_dims(indices.numpy(), dim), 1.0, axis=dim)
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    # One element per slice gets the whole gradient, and it is an extreme one.
    assert (x.grad.numpy().sum(axis=dim) == 1).all()
    reduce = np.max if which == "max" else np.min
    np.testing.assert_array_equal(
        np.take_along_axis(data, np.expand_dims(indices.numpy(), dim) if not keepdim
                           else indices.numpy(), axis=dim).squeeze(dim),
        reduce(data, axis=dim),
    )


def test_max_dim_tie_picks_first_index_like_torch_cpu():
    x = ag.tensor([[3.0, 1.0, 3.0]], dtype=ag.float64, requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0]])


def test_pow_tensor_exponent_gradient_is_zero_at_zero_base():
    """d(x^y)/dy = x^y log x is taken as 0 where x == 0 (torch), not nan."""
    gx, gy = _grads(lambda x, y: x**y, [0.0, 2.0], [2.0, 0.0])
    np.testing.assert_array_equal(gx, [0.0, 0.0])
    np.testing.assert_allclose(gy, [0.0, np.log(2.0)])


def test_relu_second_derivative_is_zero_at_the_kink():
    """d2/dx2 of x * relu(x) is 2 where x > 0 and 0 elsewhere, including x == 0."""
    x = ag.tensor([-1.0, 0.0, 2.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.grad((x * x.relu()).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), [0.0, 0.0, 4.0])
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_array_equal(gg.numpy(), [0.0, 0.0, 2.0])
