"""Gradient clipping on engine tensors' gradients, against hand-computed numbers and the results
torch.nn.utils.clip_grad_norm_ / clip_grad_value_ give for the same gradients (kept here)."""

import math

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli.nn.clip import GradientClipper, clip_grad_norm_, clip_grad_value_, total_norm


def _param_with_grad(grad, value=None):
    """A leaf whose gradient, after a backward of sum(p * grad), is exactly `grad`."""
    grad = np.array(grad, dtype=np.float64)
    value = np.ones_like(grad) if value is None else np.array(value, dtype=np.float64)
    p = ag.tensor(value, requires_grad=True)
    (p * ag.tensor(grad)).sum().backward()
    return p


def _params():
    """Gradients [3, 4] and [12] (norms 5 and 12, together 13) and a parameter with no gradient."""
    return [_param_with_grad([3.0, 4.0]), _param_with_grad([12.0]),
            ag.tensor(np.array([7.0]), requires_grad=True)]


def _grads(params):
    return [None if p.grad is None else p.grad.data.copy() for p in params]


def test_params_get_the_gradients_the_tests_rely_on():
    a, b, c = _params()
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])
    np.testing.assert_array_equal(b.grad.data, [12.0])
    assert c.grad is None


def test_total_norm_is_the_norm_of_the_per_parameter_norms():
    assert total_norm(_params()) == 13.0


def test_total_norm_flattens_a_matrix_gradient():
    # [[1, 2], [2, 4]] has Frobenius norm 5; with [12]: sqrt(25 + 144) = 13.
    params = [_param_with_grad([[1.0, 2.0], [2.0, 4.0]]), _param_with_grad([12.0])]
    assert total_norm(params) == pytest.approx(13.0, rel=1e-15)


def test_total_norm_without_any_gradient_is_zero():
    assert total_norm([ag.tensor(np.array([1.0]), requires_grad=True)]) == 0.0
    assert total_norm([]) == 0.0


def test_clip_grad_norm_scales_by_max_norm_over_total_plus_eps_and_returns_the_total_before():
    params = _params()
    assert clip_grad_norm_(params, 6.5) == 13.0
    coef = 6.5 / (13.0 + 1e-6)  # 0.49999996153846454
    np.testing.assert_allclose(params[0].grad.data, [3.0 * coef, 4.0 * coef], rtol=1e-14)
    np.testing.assert_allclose(params[1].grad.data, [12.0 * coef], rtol=1e-14)
    # torch.nn.utils.clip_grad_norm_(max_norm=6.5) on the same float64 gradients:
    np.testing.assert_allclose(params[0].grad.data, [1.4999998846153937, 1.9999998461538582],
                               rtol=1e-14)
    np.testing.assert_allclose(params[1].grad.data, [5.999999538461575], rtol=1e-14)
    assert params[2].grad is None
    assert total_norm(params) < 6.5


def test_clip_grad_norm_leaves_a_gradient_below_max_norm_exactly_unchanged():
    params = _params()
    before = _grads(params)
    assert clip_grad_norm_(params, 14.0) == 13.0  # 14 / (13 + 1e-6) > 1: coefficient 1
    for got, want in zip(_grads(params), before):
        if want is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, want)


def test_clip_grad_norm_at_exactly_max_norm_still_scales_by_the_eps_as_torch():
    # 13 / (13 + 1e-6) < 1; torch gives [2.9999997692307874, 3.9999996923077163], [11.999999...].
    params = _params()
    clip_grad_norm_(params, 13.0)
    np.testing.assert_allclose(params[0].grad.data, [2.9999997692307874, 3.9999996923077163],
                               rtol=1e-14)
    assert params[1].grad.data[0] < 12.0


def test_clip_grad_norm_uses_the_given_eps():
    params = _params()
    clip_grad_norm_(params, 6.5, eps=0.0)
    np.testing.assert_allclose(params[0].grad.data, [1.5, 2.0], rtol=1e-15)
    np.testing.assert_allclose(params[1].grad.data, [6.0], rtol=1e-15)


def test_clip_grad_value_clamps_each_element_and_skips_params_without_grad():
    params = [_param_with_grad([3.0, -4.0, 0.5, -1.0]), _param_with_grad([[-0.25, 12.0]]),
              ag.tensor(np.array([7.0]), requires_grad=True)]
    assert clip_grad_value_(params, 1.0) is None
    np.testing.assert_array_equal(params[0].grad.data, [1.0, -1.0, 0.5, -1.0])
    np.testing.assert_array_equal(params[1].grad.data, [[-0.25, 1.0]])
    assert params[2].grad is None


def test_gradient_clipper_with_both_clamps_values_first_then_the_norm_and_returns_the_norm_before():
    # Values first: [3, 3.5] and [3.5], norm sqrt(9 + 12.25 + 12.25) = sqrt(33.5); then scaled by
    # 2 / (sqrt(33.5) + 1e-6). (Norm first would give 2/13 * [3, 4, 12], untouched by the clamp.)
    params = _params()
    assert GradientClipper(max_norm=2.0, max_value=3.5)(params) == 13.0
    coef = 2.0 / (math.sqrt(33.5) + 1e-6)
    np.testing.assert_allclose(params[0].grad.data, [3.0 * coef, 3.5 * coef], rtol=1e-14)
    np.testing.assert_allclose(params[1].grad.data, [3.5 * coef], rtol=1e-14)
    # torch: clip_grad_value_(3.5) then clip_grad_norm_(2.0) gives the same numbers.
    np.testing.assert_allclose(params[0].grad.data, [1.0366419315931854, 1.2094155868587162],
                               rtol=1e-14)
    np.testing.assert_allclose(params[1].grad.data, [1.2094155868587162], rtol=1e-14)
    assert params[2].grad is None


def test_gradient_clipper_with_only_a_value_limit_clamps_and_returns_the_norm_before():
    params = _params()
    assert GradientClipper(max_value=3.5)(params) == 13.0
    np.testing.assert_array_equal(params[0].grad.data, [3.0, 3.5])
    np.testing.assert_array_equal(params[1].grad.data, [3.5])


def test_gradient_clipper_with_only_a_norm_limit_scales_and_returns_the_norm_before():
    params = _params()
    assert GradientClipper(max_norm=6.5)(iter(params)) == 13.0
    np.testing.assert_allclose(params[1].grad.data, [5.999999538461575], rtol=1e-14)


def test_gradient_clipper_without_limits_only_measures_the_norm():
    params = _params()
    before = _grads(params)
    assert GradientClipper()(params) == 13.0
    np.testing.assert_array_equal(params[0].grad.data, before[0])
    np.testing.assert_array_equal(params[1].grad.data, before[1])
