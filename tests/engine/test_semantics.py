"""PyTorch's eager semantics: errors and their remedies, accumulation, grad modes, versions, dtypes,
operators, ag.grad, repr, DOT export and seeding, each checked by hand against torch."""

import numpy as np
import pytest

import autogradcli.engine as ag


def _leaf(values, dtype=ag.float64):
    return ag.tensor(values, dtype=dtype, requires_grad=True)


# ============================================================================ errors


def test_backward_of_non_scalar_needs_scalar():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2).backward()


def test_backward_of_non_scalar_accepts_gradient():
    x = _leaf([1.0, 2.0, 3.0])
    (x * 2).backward(gradient=ag.tensor([1.0, 0.0, 2.0], dtype=ag.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 4.0])


def test_backward_gradient_of_wrong_shape():
    x = _leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(gradient=ag.tensor([1.0, 1.0]))


@pytest.mark.parametrize("make", [
    pytest.param(lambda: ag.tensor([1.0, 2.0]).sum(), id="plain_tensor"),
    pytest.param(lambda: (lambda x: _no_grad_sum(x))(_leaf([1.0])), id="under_no_grad"),
])
def test_backward_of_tensor_not_requiring_grad(make):
    with pytest.raises(RuntimeError, match="does not require grad"):
        make().backward()


def _no_grad_sum(x):
    with ag.no_grad():
        return x.sum()


def test_second_backward_names_retain_graph():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_second_backward_with_retain_graph_accumulates():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


@pytest.mark.parametrize("method, args", [
    ("zero_", ()), ("fill_", (1.0,)), ("add_", (1.0,)), ("sub_", (1.0,)), ("mul_", (2.0,)),
    ("div_", (2.0,)), ("copy_", (ag.tensor([5.0, 6.0]),)),
])
def test_in_place_on_leaf_requiring_grad_is_refused(method, args):
    a = _leaf([1.0, 2.0], ag.float32)
    with pytest.raises(RuntimeError, match="in-place"):
        getattr(a, method)(*args)
    np.testing.assert_array_equal(a.detach().numpy(), [1.0, 2.0])


@pytest.mark.parametrize("method, args, expected", [
    ("zero_", (), [0.0, 0.0]), ("fill_", (3.0,), [3.0, 3.0]), ("add_", (1.0,), [2.0, 3.0]),
    ("sub_", (1.0,), [0.0, 1.0]), ("mul_", (2.0,), [2.0, 4.0]), ("div_", (2.0,), [0.5, 1.0]),
    ("copy_", (ag.tensor([5.0, 6.0]),), [5.0, 6.0]),
    ("add_", (ag.tensor([1.0, 1.0]),), [2.0, 3.0]),
    ("sub_", (np.array([1.0, 1.0]),), [0.0, 1.0]),
])
def test_in_place_under_no_grad_updates_leaf_and_returns_self(method, args, expected):
    a = _leaf([1.0, 2.0], ag.float32)
    with ag.no_grad():
        out = getattr(a, method)(*args)
    assert out is a
    np.testing.assert_array_equal(a.detach().numpy(), expected)
    assert a.is_leaf and a.requires_grad and a.grad_fn is None
    assert a.dtype == ag.float32


@pytest.mark.parametrize("method, args, expected", [
    ("add_", (ag.tensor([1.0, 1.0]),), [4.0, 5.0]),
    ("sub_", (ag.tensor([1.0, 1.0]),), [-2.0, -1.0]),
])
def test_in_place_alpha(method, args, expected):
    a = ag.tensor([1.0, 2.0])
    assert getattr(a, method)(*args, alpha=3) is a
    np.testing.assert_array_equal(a.numpy(), expected)


def test_tutorial_parameter_update_under_no_grad():
    a = _leaf([1.0])
    (a * 3).sum().backward()
    with ag.no_grad():
        a.sub_(0.1 * a.grad)
    a.grad.zero_()
    np.testing.assert_allclose(a.detach().numpy(), [0.7])
    np.testing.assert_array_equal(a.grad.numpy(), [0.0])


def test_modifying_a_saved_input_then_backward_mentions_in_place():
    a = _leaf([1.0, 2.0])
    b = ag.tensor([3.0, 4.0], dtype=ag.float64)
    y = (a * b).sum()
    b.mul_(2)
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_modifying_a_saved_output_then_backward_mentions_in_place():
    a = _leaf([1.0, 2.0])
    x = a.exp()
    y = x.sum()
    with ag.no_grad():
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_modifying_an_unsaved_tensor_is_fine():
    a = _leaf([1.0, 2.0])
    b = ag.tensor([3.0, 4.0], dtype=ag.float64)
    y = (a + b).sum()  # add saves nothing
    b.mul_(2)
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])


def test_recorded_in_place_add_on_non_leaf():
    a = _leaf([1.0, 2.0])
    x = a * 2
    assert x.add_(a) is x
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("method", ["mul_", "div_"])
def test_recorded_in_place_mul_div_on_non_leaf(method):
    a = _leaf([1.0, 2.0])
    x = a * 2
    getattr(x, method)(4.0)
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [8.0, 8.0] if method == "mul_" else [0.5, 0.5])


def test_numpy_of_tensor_requiring_grad_points_to_detach():
    x = _leaf([1.0])
    with pytest.raises(RuntimeError, match=r"\.detach\(\)\.numpy\(\)"):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0])


@pytest.mark.parametrize("values", [[1.0, 2.0], [[1.0], [2.0]], []], ids=["two", "column", "empty"])
def test_item_needs_one_element(values):
    with pytest.raises(RuntimeError, match="one element"):
        ag.tensor(values).item()


@pytest.mark.parametrize("values", [2.5, [2.5], [[2.5]]], ids=["0d", "1d", "2d"])
def test_item_of_one_element(values):
    value = ag.tensor(values, dtype=ag.float64).item()
    assert value == 2.5 and isinstance(value, float)


@pytest.mark.parametrize("make", [
    pytest.param(lambda: ag.tensor([1, 2], requires_grad=True), id="tensor"),
    pytest.param(lambda: ag.tensor([1.0], dtype=ag.int64, requires_grad=True), id="dtype_int64"),
    pytest.param(lambda: ag.zeros(2, dtype=ag.int64, requires_grad=True), id="zeros"),
    pytest.param(lambda: ag.tensor([1, 2]).requires_grad_(), id="requires_grad_"),
])
def test_integer_tensor_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match="floating point"):
        make()


def test_requires_grad_settable_on_leaves_only():
    x = ag.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    y = _leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


# ============================================================================ .grad


def test_gradients_accumulate_across_backward_calls():
    x = _leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 7.0])


def test_grad_is_none_until_backward_then_a_tensor():
    x = _leaf([1.0, 2.0])
    assert x.grad is None
    (x * 2).sum().backward()
    assert isinstance(x.grad, ag.Tensor)
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype
    assert not x.grad.requires_grad


def test_non_leaf_grad_stays_none():
    x = _leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    assert y.grad is None
    assert not y.is_leaf and x.is_leaf and x.grad_fn is None and y.grad_fn is not None


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = _leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 16.0])


def test_broadcast_operand_gradient_is_reduced_to_its_shape():
    x = _leaf(np.ones((3, 1)))
    b = _leaf(np.ones(4))
    (x * b + b).sum().backward()
    assert x.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(4, 6.0))


def test_same_leaf_used_twice_gets_both_contributions():
    x = _leaf([3.0])
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0])


def test_detach_cuts_the_graph_and_shares_data():
    x = _leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0])


# ============================================================================ grad modes


def test_no_grad_stops_recording():
    x = _leaf([1.0])
    with ag.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_grad_mode_nesting():
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            with ag.set_grad_enabled(False):
                assert not ag.is_grad_enabled()
                with ag.no_grad():
                    assert not ag.is_grad_enabled()
                assert not ag.is_grad_enabled()
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_enable_grad_records_inside_no_grad():
    x = _leaf([1.0])
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError), ag.no_grad():
        raise ValueError
    assert ag.is_grad_enabled()


@pytest.mark.parametrize("make, inside", [
    pytest.param(ag.no_grad, False, id="no_grad"),
    pytest.param(ag.enable_grad, True, id="enable_grad"),
    pytest.param(lambda: ag.set_grad_enabled(False), False, id="set_grad_enabled_false"),
    pytest.param(lambda: ag.set_grad_enabled(True), True, id="set_grad_enabled_true"),
])
@pytest.mark.parametrize("outer", [True, False], ids=["outer_on", "outer_off"])
def test_grad_mode_decorators(make, inside, outer):
    @make()
    def probe(x):
        return ag.is_grad_enabled(), (x * 2).requires_grad

    x = _leaf([1.0])
    with ag.set_grad_enabled(outer):
        assert probe(x) == (inside, inside)
        assert ag.is_grad_enabled() is outer
    assert probe.__name__ == "probe"
    assert ag.is_grad_enabled()  # decorating did not change the mode


def test_one_set_grad_enabled_object_decorates_two_functions():
    off = ag.set_grad_enabled(False)

    @off
    def first():
        return ag.is_grad_enabled()

    @off
    def second():
        return ag.is_grad_enabled()

    assert ag.is_grad_enabled()
    assert first() is False and second() is False
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_a_function():
    ag.set_grad_enabled(False)
    assert not ag.is_grad_enabled()
    ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


# ============================================================================ versions


def test_version_counter_counts_in_place_changes():
    x = ag.tensor([1.0, 2.0])
    assert x._version_count == 0
    x.add_(1)
    x.mul_(2)
    x[0] = 3.0
    assert x._version_count == 3
    y = x * 1
    assert y._version_count == 0


def test_detach_shares_the_version_counter():
    x = ag.tensor([1.0, 2.0])
    d = x.detach()
    d.zero_()
    assert x._version_count == 1
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.0])


# ============================================================================ dtypes


@pytest.mark.parametrize("data, dtype", [
    pytest.param(1.5, ag.float32, id="python_float"),
    pytest.param([1.0, 2.0], ag.float32, id="float_list"),
    pytest.param([[1, 2.5]], ag.float32, id="mixed_list"),
    pytest.param(3, ag.int64, id="python_int"),
    pytest.param([1, 2], ag.int64, id="int_list"),
    pytest.param(np.array([1.0, 2.0]), ag.float64, id="ndarray_float64"),
    pytest.param(np.array([1.0], dtype=np.float32), ag.float32, id="ndarray_float32"),
    pytest.param(np.array([1, 2], dtype=np.int32), ag.int64, id="ndarray_int32"),
    pytest.param([True, False], ag.bool, id="bool_list"),
])
def test_dtype_rules(data, dtype):
    assert ag.tensor(data).dtype == dtype
    assert ag.Tensor(data).dtype == dtype


@pytest.mark.parametrize("dtype", ["float64", ag.float64, np.float64, np.dtype("float64")],
                         ids=["str", "ag", "np_type", "np_dtype"])
@pytest.mark.parametrize("data", [[1, 2], [1.0, 2.0], np.array([1.0], dtype=np.float32)],
                         ids=["ints", "floats", "f32_array"])
def test_dtype_argument(dtype, data):
    assert ag.tensor(data, dtype=dtype).dtype == ag.float64


@pytest.mark.parametrize("factory", [ag.zeros, ag.ones, ag.randn, ag.rand])
def test_factories(factory):
    t = factory(2, 3)
    assert t.shape == (2, 3) and t.dtype == ag.float32 and not t.requires_grad
    assert factory((2, 3)).shape == (2, 3)
    t = factory(4, dtype="float64", requires_grad=True)
    assert t.dtype == ag.float64 and t.requires_grad and t.is_leaf


def test_tensor_copies_its_data():
    data = np.array([1.0, 2.0])
    t = ag.tensor(data)
    data[0] = 9.0
    assert t.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("target", [ag.float32, "float64", np.float64])
def test_to_changes_dtype_and_gradient_comes_back_in_the_leaf_dtype(target):
    x = _leaf([1.0, 2.0], ag.float32)
    y = x.to(target)
    assert y.dtype == np.dtype(target)
    (y * 3).sum().backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_float32_stays_float32_with_python_scalars():
    x = ag.tensor([1.0, 2.0])
    for y in (x * 2.0, 2.0 * x, x / 3, 1 / x, x**2, 2**x, x - 1.5, 1.5 - x, x + 1):
        assert y.dtype == ag.float32


# ============================================================================ operators


@pytest.mark.parametrize("op, expected", [
    pytest.param(lambda t: t + 2, [3.0, 4.0, 6.0], id="add"),
    pytest.param(lambda t: 2 + t, [3.0, 4.0, 6.0], id="radd"),
    pytest.param(lambda t: t - 2, [-1.0, 0.0, 2.0], id="sub"),
    pytest.param(lambda t: 2 - t, [1.0, 0.0, -2.0], id="rsub"),
    pytest.param(lambda t: t * 2, [2.0, 4.0, 8.0], id="mul"),
    pytest.param(lambda t: 2 * t, [2.0, 4.0, 8.0], id="rmul"),
    pytest.param(lambda t: t / 2, [0.5, 1.0, 2.0], id="div"),
    pytest.param(lambda t: 1 / t, [1.0, 0.5, 0.25], id="rdiv"),
    pytest.param(lambda t: t**2, [1.0, 4.0, 16.0], id="pow"),
    pytest.param(lambda t: 2**t, [2.0, 4.0, 16.0], id="rpow"),
    pytest.param(lambda t: -t, [-1.0, -2.0, -4.0], id="neg"),
    pytest.param(lambda t: t + np.array([1.0, 1.0, 1.0]), [2.0, 3.0, 5.0], id="add_ndarray"),
    pytest.param(lambda t: np.array([1.0, 1.0, 1.0]) - t, [0.0, -1.0, -3.0], id="rsub_ndarray"),
    pytest.param(lambda t: np.array([2.0, 2.0, 2.0]) * t, [2.0, 4.0, 8.0], id="rmul_ndarray"),
    pytest.param(lambda t: np.array([4.0, 4.0, 4.0]) / t, [4.0, 2.0, 1.0], id="rdiv_ndarray"),
    pytest.param(lambda t: np.array([2.0, 2.0, 2.0]) ** t, [2.0, 4.0, 16.0], id="rpow_ndarray"),
    pytest.param(lambda t: t @ np.array([1.0, 1.0, 1.0]), 7.0, id="matmul_ndarray"),
    pytest.param(lambda t: np.array([1.0, 0.0, 1.0]) @ t, 5.0, id="rmatmul_ndarray"),
])
def test_operators_with_scalars_and_arrays(op, expected):
    x = _leaf([1.0, 2.0, 4.0])
    y = op(x)
    assert isinstance(y, ag.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.detach().numpy(), expected)
    y.sum().backward()
    assert x.grad.shape == (3,)


@pytest.mark.parametrize("op, expected", [
    pytest.param(lambda a, b: a < b, [True, False, False], id="lt"),
    pytest.param(lambda a, b: a <= b, [True, True, False], id="le"),
    pytest.param(lambda a, b: a > b, [False, False, True], id="gt"),
    pytest.param(lambda a, b: a >= b, [False, True, True], id="ge"),
    pytest.param(lambda a, b: a == b, [False, True, False], id="eq"),
    pytest.param(lambda a, b: a != b, [True, False, True], id="ne"),
    pytest.param(lambda a, b: a > 1.5, [False, True, True], id="gt_scalar"),
    pytest.param(lambda a, b: a == np.array([1.0, 0.0, 3.0]), [True, False, True], id="eq_ndarray"),
])
def test_comparisons_give_untracked_bool_tensors(op, expected):
    a = _leaf([1.0, 2.0, 3.0])
    b = _leaf([2.0, 2.0, 2.0])
    r = op(a, b)
    assert isinstance(r, ag.Tensor) and r.dtype == ag.bool
    assert not r.requires_grad and r.grad_fn is None
    assert r.tolist() == expected


def test_matmul_of_mismatched_vectors_is_an_error():
    with pytest.raises((RuntimeError, ValueError)):
        ag.tensor([1.0, 2.0, 3.0]) @ ag.tensor([1.0])


# ============================================================================ ag.grad


def test_grad_create_graph_second_derivative_of_cube():
    x = _leaf([2.0, -1.0, 0.5])
    (g,) = ag.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([2.0, -1.0, 0.5]) ** 2)
    assert g.requires_grad
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * np.array([2.0, -1.0, 0.5]))


def test_backward_create_graph_makes_grad_differentiable():
    x = _leaf([2.0])
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [12.0])


def test_grad_does_not_touch_dot_grad():
    x = _leaf([1.0, 2.0])
    (g,) = ag.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])
    assert x.grad is None


def test_grad_unused_input_is_an_error_unless_allowed():
    x, unused = _leaf([1.0]), _leaf([1.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), [x, unused])
    gx, gu = ag.grad((x * 2).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx.numpy(), [2.0])
    assert gu is None


def test_grad_outputs_weight_a_non_scalar_output():
    x = _leaf([1.0, 2.0, 3.0])
    (g,) = ag.grad(x * x, x, grad_outputs=ag.tensor([1.0, 0.0, 2.0], dtype=ag.float64))
    np.testing.assert_array_equal(g.numpy(), [2.0, 0.0, 12.0])
    with pytest.raises(RuntimeError, match="scalar"):
        ag.grad(x * x, x)


def test_grad_of_several_outputs_sums_them():
    x = _leaf([1.0, 2.0])
    (g,) = ag.grad([(x * 2).sum(), (x * x).sum()], [x])
    np.testing.assert_array_equal(g.numpy(), [4.0, 6.0])


def test_grad_retain_graph():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    (g1,) = ag.grad(y, x, retain_graph=True)
    (g2,) = ag.grad(y, x)
    np.testing.assert_array_equal(g1.numpy(), g2.numpy())
    with pytest.raises(RuntimeError, match="retain_graph"):
        ag.grad(y, x)


def test_grad_with_respect_to_an_intermediate():
    x = _leaf([1.0, 2.0])
    u = x * 3
    (g,) = ag.grad((u * u).sum(), u)
    np.testing.assert_array_equal(g.numpy(), [6.0, 12.0])


# ============================================================================ plain data


@pytest.mark.parametrize("make, text", [
    pytest.param(lambda: ag.tensor([1.0, 2.0]), "tensor([1., 2.])", id="float32"),
    pytest.param(lambda: ag.tensor([1, 2]), "tensor([1, 2])", id="int64"),
    pytest.param(lambda: ag.tensor(3.0), "tensor(3.)", id="scalar"),
    pytest.param(lambda: ag.tensor([1.0, 2.0], requires_grad=True),
                 "tensor([1., 2.], requires_grad=True)", id="requires_grad"),
    pytest.param(lambda: ag.tensor([1.0, 2.0], requires_grad=True) * 2,
                 "tensor([2., 4.], grad_fn=<MulBackward0>)", id="grad_fn"),
    pytest.param(lambda: ag.tensor([1.0], requires_grad=True) + 1,
                 "tensor([2.], grad_fn=<AddBackward0>)", id="add_grad_fn"),
])
def test_repr(make, text):
    assert repr(make()) == text


def test_repr_names_a_non_default_dtype():
    assert "float64" in repr(ag.tensor([1.0], dtype=ag.float64))


def test_shape_ndim_len_T_tolist():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert x.shape == (2, 3) and isinstance(x.shape, tuple) and x.ndim == 2
    assert len(x) == 2
    assert x.T.shape == (3, 2)
    assert x.T.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert ag.tensor(2.5).tolist() == 2.5
    with pytest.raises(TypeError):
        len(ag.tensor(1.0))


def test_T_is_differentiable():
    x = _leaf(np.arange(6.0).reshape(2, 3))
    (x.T * ag.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_max_over_dim_returns_values_and_indices():
    x = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = ag.min(x, dim=0)
    assert result.values.tolist() == [1.0, 0.0, 2.0] and result.indices.tolist() == [0, 1, 0]


@pytest.mark.parametrize("reduce", [
    "sum",
    "mean",
])
@pytest.mark.parametrize("dim", [0, -1])
def test_reducing_a_0d_tensor_over_its_dim(reduce, dim):
    """torch accepts dim 0 / -1 on a 0-d tensor and returns it unchanged."""
    x = _leaf(3.0)
    y = getattr(x, reduce)(dim)
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert x.grad.item() == 1.0


def test_repeated_indices_accumulate():
    x = _leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])


def test_softmax_is_numerically_stable():
    x = ag.tensor([1000.0, 0.0, -1000.0], dtype=ag.float64)
    assert np.isfinite(x.softmax(0).numpy()).all()
    assert np.isfinite(x.log_softmax(0).numpy()).all()
    np.testing.assert_allclose(x.softmax(0).numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(x.log_softmax(0).numpy()[0], 0.0)


def test_sigmoid_does_not_overflow():
    x = ag.tensor([-1000.0, 0.0, 1000.0], dtype=ag.float64, requires_grad=True)
    y = x.sigmoid()
    np.testing.assert_allclose(y.detach().numpy(), [0.0, 0.5, 1.0])
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


# ============================================================================ DOT and seeding


def test_to_dot_of_the_tutorial_graph():
    a, b = _leaf(1.0), _leaf(2.0)
    x = ag.tensor(np.linspace(0, 1, 5))
    u = a * x
    y_hat = u + b
    dot = ag.to_dot(y_hat, params={"a": a, "b": b, "u": u})
    assert dot.startswith("digraph")
    for word in ("MulBackward0", "AddBackward0", '"a', '"b', '"u'):
        assert word in dot
    assert dot.count("->") >= 4


def test_to_dot_of_the_tutorial_loss():
    a, b = _leaf(1.0), _leaf(2.0)
    x, y = ag.tensor(np.linspace(0, 1, 5)), ag.tensor(np.ones(5))
    loss = ((a * x + b - y) ** 2).mean()
    dot = ag.to_dot(loss, params={"a": a, "b": b})
    for word in ("PowBackward0", "SubBackward0", "MeanBackward0", "MulBackward0", "AddBackward0"):
        assert word in dot


@pytest.mark.parametrize("factory", [ag.randn, ag.rand])
def test_manual_seed_reproducibility(factory):
    ag.manual_seed(123)
    first = factory(5).numpy()
    ag.manual_seed(123)
    again = factory(5).numpy()
    ag.manual_seed(124)
    other = factory(5).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
