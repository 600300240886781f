"""torch's eager semantics for the ops of issue 11 part A: values, dtypes and index results of the
non-differentiable ops, argument forms, stability, and the factories. Expected values were taken
from torch 2.13 by hand; no test imports torch."""

import math

import numpy as np
import pytest

import autogradcli.engine as ag
import autogradcli.engine.nn.functional as F

t = ag.tensor


# ------------------------------------------------------------ integer division family
def test_floor_divide_remainder_fmod_on_integers():
    a, b = t([5, -5, 7]), t([3, 3, -2])
    assert (a % b).tolist() == [2, 1, -1]
    assert ag.fmod(a, b).tolist() == [2, -2, 1]
    assert (a // b).tolist() == [1, -2, -4]
    assert (a // b).dtype == ag.int64
    assert (7 // t([2])).tolist() == [3]
    assert (7 % t([-3])).tolist() == [-2]


def test_division_family_on_floats_and_promotion():
    assert (t([5.5, -5.5]) // 2).tolist() == [2.0, -3.0]
    assert ag.remainder(t([5.0, -5.0]), -3).tolist() == [-1.0, -2.0]
    assert (t([5, 7]) % 2.5).dtype == ag.float32


# ------------------------------------------------------------ rounding and sign
def test_rounding_values_and_dtypes():
    assert t([-2.5, -1.5, 0.5, 1.5, 2.5]).round().tolist() == [-2.0, -2.0, 0.0, 2.0, 2.0]
    assert t([1.234]).round(decimals=2).tolist() == pytest.approx([1.23])
    assert t([-1.25, 2.75]).frac().tolist() == [-0.25, 0.75]
    assert t([-1.5, 1.5]).trunc().tolist() == [-1.0, 1.0]
    assert t([-1.5, 1.2]).ceil().tolist() == [-1.0, 2.0]
    assert t([-2.0, 0.0, 3.0]).sign().tolist() == [-1.0, 0.0, 1.0]
    for op in ("floor", "ceil", "round", "trunc", "sign"):
        assert getattr(ag, op)(t([-2, 0, 3])).dtype == ag.int64, op
    assert ag.sign(t([-2, 0, 3])).tolist() == [-1, 0, 1]


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "atan", "sinh", "cosh", "asinh", "log2",
                                  "log10", "log1p", "exp2", "expm1", "erf", "reciprocal",
                                  "rsqrt"])
def test_float_functions_of_integers_give_float32(name):
    assert getattr(ag, name)(t([1, 2])).dtype == ag.float32


def test_square_of_integers_stays_integer():
    assert ag.square(t([3])).tolist() == [9]
    assert ag.square(t([3])).dtype == ag.int64


def test_erf_values_to_the_ulp():
    x = t([0.0, 0.5, -1.0, 3.0], dtype=ag.float64)
    expected = [0.0, 0.5204998778130465, -0.8427007929497149, 0.9999779095030014]
    assert ag.erf(x).tolist() == expected
    assert ag.erf(t([0.5])).dtype == ag.float32


def test_exp2_and_atan2_values():
    assert ag.exp2(t([3])).tolist() == [8.0]
    assert ag.atan2(t([1.0]), t([-1.0])).item() == pytest.approx(3 * math.pi / 4)


# ------------------------------------------------------------ predicates, logical, bitwise
def test_predicates():
    x = t([1.0, float("nan"), float("inf"), -float("inf")])
    assert x.isnan().tolist() == [False, True, False, False]
    assert x.isinf().tolist() == [False, False, True, True]
    assert ag.isfinite(x).tolist() == [True, False, False, False]
    assert x.isnan().dtype == ag.bool
    assert ag.isinf(t([1])).tolist() == [False]


def test_isclose_and_allclose():
    a = t([1.0, float("nan"), 1.0])
    b = t([1.0 + 1e-6, float("nan"), 1.1])
    assert ag.isclose(a, b).tolist() == [True, False, False]
    assert ag.isclose(a, b, equal_nan=True).tolist() == [True, True, False]
    assert ag.allclose(t([1.0]), t([1.1]), atol=0.2) is True
    assert t([1.0]).allclose(t([1.1])) is False


def test_logical_functions_take_any_dtype():
    assert ag.logical_and(t([1, 0, 2]), t([1.0, 1.0, 0.0])).tolist() == [True, False, False]
    assert ag.logical_not(t([0.0, 2.0])).tolist() == [True, False]
    assert ag.logical_or(t([0, 0]), t([0, 3])).tolist() == [False, True]
    assert t([1, 0]).logical_xor(t([1.0, 1.0])).tolist() == [False, True]


def test_bitwise_functions():
    a, b = t([6, 3]), t([3, 5])
    assert ag.bitwise_and(a, b).tolist() == [2, 1]
    assert a.bitwise_or(b).tolist() == [7, 7]
    assert ag.bitwise_xor(a, b).tolist() == [5, 6]
    assert ag.bitwise_not(a).tolist() == [-7, -4]


def test_any_all_with_dim():
    x = t([[0.0, 1.0], [0.0, 0.0]])
    assert x.any(1).tolist() == [True, False]
    assert ag.all(x, 0, keepdim=True).tolist() == [[False, False]]
    assert x.any().item() is True
    assert ag.ones(2, 3).any(dim=(0, 1)).item() is True
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.all(2)


def test_argmax_argmin():
    x = t([[1.0, 2.0], [3.0, 4.0]])
    assert x.argmax().item() == 3
    assert x.argmax(keepdim=True).tolist() == [[3]]
    assert ag.argmin(x, 1).tolist() == [0, 0]
    assert x.argmax(0, keepdim=True).tolist() == [[1, 1]]
    assert t([1, 2, 2]).argmax().item() == 1  # the first of ties
    assert x.argmax(1).dtype == ag.int64


# ------------------------------------------------------------ statistics
def test_var_std_arguments():
    x = t([1.0, 2.0, 4.0])
    assert x.var().item() == pytest.approx(2.3333333)
    assert x.var(correction=0).item() == pytest.approx(1.5555556)
    assert x.std(unbiased=False).item() == pytest.approx(1.2472191)
    assert t([1.0, 2.0, 3.0]).var(0, True).item() == pytest.approx(1.0)
    assert t([1.0, 2.0, 3.0]).var(0, False).item() == pytest.approx(0.6666667)
    assert ag.ones(2, 3).std(dim=1, keepdim=True).shape == (2, 1)
    var, mean = ag.var_mean(x)
    assert (var.item(), mean.item()) == (pytest.approx(2.3333333), pytest.approx(2.3333333))
    std, mean = ag.std_mean(x, 0, correction=0)
    assert std.item() == pytest.approx(1.2472191)


def test_var_of_one_element_is_nan_as_torch():
    with np.errstate(all="ignore"):
        assert math.isnan(t([1.0]).var().item())


def test_prod_cumsum_cumprod_dtypes():
    assert t([[1, 2], [3, 4]]).prod(1).tolist() == [2, 12]
    assert t([[1, 2], [3, 4]]).prod(1).dtype == ag.int64
    assert t([1, 2, 3]).cumprod(0).tolist() == [1, 2, 6]
    assert t([True, True, False]).cumsum(0).tolist() == [1, 2, 2]
    assert t([True, True, False]).cumsum(0).dtype == ag.int64
    assert ag.zeros(0).prod().item() == 1.0
    assert ag.zeros(2, 0).sum(1).tolist() == [0.0, 0.0]


def test_logsumexp_is_stable():
    assert ag.logsumexp(t([1000.0, 1000.0]), 0).item() == pytest.approx(1000.6931472)
    assert ag.logsumexp(t([-float("inf"), -float("inf")]), 0).item() == -float("inf")
    assert ag.logsumexp(t([[1.0, 2.0], [3.0, 4.0]]), dim=(0, 1)).item() == pytest.approx(4.4401897)
    assert ag.logsumexp(t([2, 3]), 0).dtype == ag.float32
    assert ag.ones(0).logsumexp(0).item() == -float("inf")


def test_softplus_and_logsigmoid_are_stable():
    assert F.softplus(t([100.0, -100.0])).tolist() == pytest.approx([100.0, 3.7835e-44], rel=1e-4)
    assert F.logsigmoid(t([-100.0, 100.0])).tolist() == pytest.approx([-100.0, -3.9236e-44],
                                                                       rel=1e-4)


def test_cummax_cummin_indices_take_the_later_tie():
    values, indices = t([1.0, 3.0, 3.0, 2.0, 3.0]).cummax(0)
    assert values.tolist() == [1.0, 3.0, 3.0, 3.0, 3.0]
    assert indices.tolist() == [0, 1, 2, 2, 4]
    values, indices = ag.cummin(t([3, 1, 1]), 0)
    assert (values.tolist(), indices.tolist()) == ([3, 1, 1], [0, 1, 2])


def test_median_values_and_indices():
    assert t([1.0, 2.0, 2.0, 3.0]).median().item() == 2.0
    assert t([[1.0, 2.0], [3.0, 4.0]]).median().item() == 2.0
    values, indices = t([[1.0, 5.0, 1.0, 1.0], [4.0, 4.0, 2.0, 4.0]]).median(1)
    assert values.tolist() == [1.0, 4.0]
    assert indices.tolist() == [2, 0]  # torch's choice among ties, on these rows
    assert t([[1, 2, 2, 1]]).median(1).indices.tolist() == [3]


def test_max_min_amax_amin_with_dim_and_keepdim():
    x = t([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    assert x.max(1, keepdim=True).values.shape == (2, 1)
    assert x.max(1).indices.tolist() == [1, 0]
    assert x.amax(1).tolist() == [5.0, 7.0]
    assert x.amin(0, keepdim=True).tolist() == [[1.0, 0.0, 2.0]]
    assert ag.amax(x).item() == 7.0
    assert ag.zeros(0, 3).amax(1).shape == (0,)
    with pytest.raises(IndexError, match=r"amin\(\): Expected reduction dim 0 to have non-zero"):
        ag.zeros(0, 3).amin(0)


def test_norm_forms():
    assert ag.ones(2, 3).norm(p="fro", dim=(0, 1)).item() == pytest.approx(2.4494897)
    assert t([3.0, 4.0]).norm(p=float("inf")).item() == 4.0
    assert t([3.0, 0.0, 4.0]).norm(0).item() == 2.0
    assert t([1.0, 2.0]).norm(dim=0, keepdim=True).tolist() == pytest.approx([2.2360680])
    with pytest.raises(RuntimeError, match="'nuc' is not supported"):
        ag.ones(2, 2).norm("nuc")


@pytest.mark.parametrize("call", [
    lambda x: x.var(2), lambda x: x.logsumexp(-3), lambda x: x.cumsum(2), lambda x: x.prod(2),
    lambda x: x.amax(5), lambda x: x.norm(dim=2), lambda x: x.median(2), lambda x: x.cummax(2),
])
def test_statistics_refuse_dims_out_of_range(call):
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\]"):
        call(ag.ones(2, 3))


# ------------------------------------------------------------ factories
def test_eye_arange_linspace():
    assert ag.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert ag.eye(2).dtype == ag.float32
    assert ag.arange(5).dtype == ag.int64
    assert ag.arange(1, 2.5, 0.5).tolist() == [1.0, 1.5, 2.0]
    assert ag.arange(0, 1, 0.25).dtype == ag.float32
    x = ag.linspace(0, 1, 3, requires_grad=True)
    assert x.tolist() == [0.0, 0.5, 1.0]
    assert x.requires_grad and x.dtype == ag.float32


def test_like_factories_keep_shape_and_dtype():
    base = t([[1, 2, 3]])
    assert ag.full_like(base, 2.5).tolist() == [[2, 2, 2]]  # base's int64, as torch
    assert ag.full_like(base, 2.5, dtype=ag.float64).dtype == ag.float64
    assert ag.zeros_like(t([1.0]), dtype=ag.int64).tolist() == [0]
    assert ag.ones_like(base).dtype == ag.int64
    assert ag.empty(2, 3).tolist() == [[0.0] * 3] * 2
    assert ag.empty_like(base).shape == (1, 3)
    r = ag.rand_like(ag.zeros(50, dtype=ag.float64))
    assert r.dtype == ag.float64 and r.min().item() >= 0 and r.max().item() < 1
    assert ag.randn_like(ag.zeros(2, 3)).shape == (2, 3)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.rand_like(base)


def test_randint_forms_are_seeded():
    ag.manual_seed(3)
    a = ag.randint(10, (50,))
    ag.manual_seed(3)
    assert ag.randint(10, (50,)).tolist() == a.tolist()
    assert a.dtype == ag.int64 and a.min().item() >= 0 and a.max().item() < 10
    b = ag.randint(2, 5, (3, 4))
    assert b.shape == (3, 4) and b.min().item() >= 2 and b.max().item() < 5


def test_tensor_of_tensors_is_refused_with_stack_advice():
    with pytest.raises(TypeError, match=r"ag\.stack"):
        ag.tensor([ag.ones(2), ag.ones(2)])
    with pytest.raises(TypeError, match=r"ag\.stack"):
        ag.tensor([[1.0, ag.tensor(2.0)]])


def test_nn_functional_names():
    for name in ("gelu", "silu", "leaky_relu", "elu", "celu", "selu", "softplus", "softsign",
                 "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish", "logsigmoid",
                 "tanhshrink", "relu", "softmax"):
        assert callable(getattr(F, name)), name
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ag.ones(2), approximate="fast")


def test_activation_values():
    x = t([-1.0, 0.0, 2.0], dtype=ag.float64)
    np.testing.assert_allclose(F.gelu(x).tolist(), [-0.15865525393145707, 0.0, 1.9544997361036416])
    np.testing.assert_allclose(F.gelu(x, approximate="tanh").tolist(),
                               [-0.15880800939172324, 0.0, 1.9545976940854862])
    np.testing.assert_allclose(F.selu(x).tolist(), [-1.1113307378125628, 0.0, 2.101401974710961])
    np.testing.assert_allclose(F.hardswish(x).tolist(), [-1 / 3, 0.0, 5 / 3])
    np.testing.assert_allclose(F.mish(x).tolist(), [-0.30340146137410895, 0.0, 1.9439589595339946])
    assert F.leaky_relu(t([-2.0]), 0.1).tolist() == [pytest.approx(-0.2)]
    assert F.relu6(t([7.0, -1.0, 3.0])).tolist() == [6.0, 0.0, 3.0]
    assert F.hardtanh(t([-1.0]), 0.0, 1.0).tolist() == [0.0]
    assert F.gelu(t([1.0])).dtype == ag.float32


@pytest.mark.parametrize("fn", [
    lambda x: x.sin(), lambda x: x.tan(), lambda x: (x * 0.3).asin(), lambda x: x.atan2(x + 2),
    lambda x: x.log1p(), lambda x: x.exp2(), lambda x: x.rsqrt(), lambda x: x.erf(),
    lambda x: x.floor(), lambda x: x.frac(), lambda x: x % 0.3, lambda x: ag.fmod(x, 0.3),
    lambda x: x.var(), lambda x: x.std(0), lambda x: x.prod(), lambda x: x.cumprod(0),
    lambda x: x.logsumexp(0), lambda x: x.cummax(0).values, lambda x: x.norm(),
    lambda x: x.norm(0.5), lambda x: x.norm(0), lambda x: x.norm(float("inf")),
    lambda x: x.amax(), lambda x: x.median(), lambda x: x.median(0).values,
    F.gelu, F.silu, F.leaky_relu, F.elu, F.selu, F.softplus, F.hardtanh, F.hardsigmoid,
    F.hardswish, F.mish, F.logsigmoid, F.softsign, F.tanhshrink,
])
def test_float32_inputs_get_float32_values_and_gradients(fn):
    x = ag.tensor([0.5, 0.25, 1.5], requires_grad=True)
    out = fn(x)
    out.sum().backward()
    assert out.dtype == ag.float32
    assert x.grad.dtype == ag.float32
