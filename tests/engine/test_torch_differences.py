"""Regression tests for the nine places where the engine once differed from torch 2.x (issue 11).

Each expected value, shape, dtype and message was taken from torch 2.13 by hand; no test imports
torch.
"""

import numpy as np
import pytest

import autogradcli.engine as ag


# ------------------------------------------------------------ 1. dims out of range
@pytest.mark.parametrize("call, message", [
    (lambda: ag.ones(2, 3).sum(3), r"\[-2, 1\], but got 3\)"),
    (lambda: ag.ones(2, 3).squeeze(5), r"\[-2, 1\], but got 5\)"),
    (lambda: ag.stack([ag.ones(2)], dim=7), r"\[-2, 1\], but got 7\)"),
    (lambda: ag.cat([ag.ones(2, 3)] * 2, dim=-3), r"\[-2, 1\], but got -3\)"),
    (lambda: ag.ones(()).sum(1), r"\[-1, 0\], but got 1\)"),
    (lambda: ag.ones(2, 3).unsqueeze(3), r"\[-3, 2\], but got 3\)"),
    (lambda: ag.ones(2, 3).transpose(0, 2), r"\[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 3).softmax(2), r"\[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 3).max(2), r"\[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 3).argmax(-3), r"\[-2, 1\], but got -3\)"),
    (lambda: ag.ones(2, 3).mean((0, 2)), r"\[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 3).size(2), r"\[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 3).flatten(0, 4), r"\[-2, 1\], but got 4\)"),
])
def test_dim_out_of_range_is_index_error(call, message):
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         + message):
        call()


def test_dims_in_range_still_work():
    x = ag.ones(2, 3)
    assert x.sum(-2).shape == (3,)
    assert ag.stack([x, x], dim=-3).shape == (2, 2, 3)
    assert ag.ones(()).sum(-1).shape == ()


# ------------------------------------------------------------ 2. advanced indexing layout
@pytest.mark.parametrize("index, shape", [
    ((0, slice(None), [0, 1]), (3, 2, 5)),
    ((0, [0, 1], slice(None), [1, 2]), (2, 4)),
    ((slice(None), 0, slice(None), [1, 2]), (2, 4, 2)),
    (([0, 1], slice(None), 0), (2, 3, 5)),
    ((Ellipsis, 0, [1, 2]), (2, 3, 2)),
])
def test_int_index_is_a_plain_select(index, shape):
    assert ag.zeros(2, 3, 4, 5)[index].shape == shape


def test_int_and_array_index_values_and_gradient():
    data = np.arange(120.0).reshape(2, 3, 4, 5)
    x = ag.tensor(data, requires_grad=True)
    y = x[0, :, [0, 1]]
    np.testing.assert_array_equal(y.detach().numpy(), data[0][:, [0, 1]])
    (y * ag.tensor(np.arange(30.0).reshape(3, 2, 5))).sum().backward()
    expected = np.zeros_like(data)
    expected[0][:, [0, 1]] = np.arange(30.0).reshape(3, 2, 5)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


# ------------------------------------------------------------ 3. boolean mask length
@pytest.mark.parametrize("make, index, message", [
    (lambda: ag.ones(4, 3), [True, False],
     r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor "
     r"\[4, 3\] at index 0"),
    (lambda: ag.ones(2, 3, 4), ([True, False, True], [True, False, True, False]),
     r"mask \[3\] at index 0 does not match .* \[2, 3, 4\]"),
    (lambda: ag.ones(2, 3), (slice(None), np.array([True, False])), r"mask \[2\] at index 1"),
])
def test_wrong_length_mask_is_index_error(make, index, message):
    with pytest.raises(IndexError, match=message):
        make()[index]


def test_right_length_masks_still_work():
    assert ag.ones(2, 3, 4)[..., [True, False, True, True]].shape == (2, 3, 3)
    assert ag.ones(4, 3)[[True, False, True, True]].shape == (3, 3)


# ------------------------------------------------------------ 4. pow at base 0
def test_pow_gradients_at_base_zero_as_torch():
    x = ag.tensor([0.0, 0.0, 0.0], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([0.0, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    with np.errstate(all="ignore"):
        (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, -np.inf, 0.0])
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, -np.inf, 0.0])


def test_scalar_base_zero_and_exponent_zero():
    x = ag.tensor([0.0, 0.0, 0.0], dtype=ag.float64, requires_grad=True)
    (0**x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    x = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    (x**0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


# ------------------------------------------------------------ 5. integer -> default float
@pytest.mark.parametrize("make, dtype", [
    (lambda: ag.tensor([1, 2]) / 2, ag.float32),
    (lambda: ag.tensor(1) + 0.5, ag.float32),
    (lambda: ag.tensor(2).exp(), ag.float32),
    (lambda: ag.tensor([1, 2]) ** 0.5, ag.float32),
    (lambda: ag.maximum(ag.tensor([1]), ag.tensor([1.5])), ag.float32),
    (lambda: ag.maximum(ag.tensor([1]), ag.tensor([1.5], dtype=ag.float64)), ag.float64),
    (lambda: ag.tensor([1, 2]) * ag.tensor([1.0, 2.0]), ag.float32),
    (lambda: ag.tensor([1, 2]) * 2, ag.int64),
    (lambda: ag.tensor([4]).sqrt(), ag.float32),
    (lambda: ag.where(ag.tensor([True]), ag.tensor([1]), 0.5), ag.float32),
])
def test_integer_promotion_gives_float32(make, dtype):
    assert make().dtype == dtype


# ------------------------------------------------------------ 6. bitwise on integers
def test_bitwise_operators_on_integers():
    a, b = ag.tensor([6, 3]), ag.tensor([3, 5])
    assert (a & b).tolist() == [2, 1]
    assert (a | b).tolist() == [7, 7]
    assert (a ^ b).tolist() == [5, 6]
    assert (~a).tolist() == [-7, -4]
    assert (a & 3).tolist() == [2, 3]
    assert (3 | a).tolist() == [7, 3]


def test_bitwise_operators_on_bools_stay_logical():
    a, b = ag.tensor([True, True, False]), ag.tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False]
    assert (a | b).tolist() == [True, True, False]
    assert (a ^ b).tolist() == [False, True, False]
    assert (~a).dtype == ag.bool


# ------------------------------------------------------------ 7. full infers its dtype
@pytest.mark.parametrize("value, dtype", [(4, ag.int64), (4.0, ag.float32), (True, ag.bool)])
def test_full_dtype_from_fill_value(value, dtype):
    assert ag.full((2,), value).dtype == dtype


def test_full_with_explicit_dtype():
    assert ag.full((2,), 4, dtype=ag.float64).dtype == ag.float64


# ------------------------------------------------------------ 8. integer casts never require grad
def test_cast_to_integer_does_not_require_grad():
    x = ag.ones(2, requires_grad=True)
    assert x.to(ag.int64).requires_grad is False
    assert x.to(ag.bool).requires_grad is False
    assert x.to(ag.float64).requires_grad is True


# ------------------------------------------------------------ 9. shape errors
@pytest.mark.parametrize("call, message", [
    (lambda: ag.ones(2, 3) @ ag.ones(4, 5),
     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    (lambda: ag.ones(3) @ ag.ones(4, 5),
     r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x5\)"),
    (lambda: ag.ones(2, 3, 4) @ ag.ones(2, 5, 6),
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: "
     r"\[2, 5\]\."),
    (lambda: ag.ones(3) @ ag.ones(4), r"inconsistent tensor size, expected tensor \[3\] and "
     r"src \[4\] to have the same number of elements, but got 3 and 4 elements respectively"),
    (lambda: ag.ones(2, 3) @ ag.ones(4), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (lambda: ag.ones(2, 3).permute(0, 0), r"permute\(\): duplicate dims are not allowed\."),
    (lambda: ag.ones(2, 3).reshape(-1, -1), r"only one dimension can be inferred"),
    (lambda: ag.ones(2, 3).reshape(4, 5), r"shape '\[4, 5\]' is invalid for input of size 6"),
    (lambda: ag.ones(2, 3).view(4, -1), r"shape '\[4, -1\]' is invalid for input of size 6"),
])
def test_shape_errors_are_the_engines_runtime_error(call, message):
    with pytest.raises(ag.ShapeError, match=message) as caught:
        call()
    assert isinstance(caught.value, RuntimeError)


def test_fitting_shapes_still_work():
    assert (ag.ones(2, 3, 4) @ ag.ones(4, 5)).shape == (2, 3, 5)
    assert (ag.ones(2, 4) @ ag.ones(3, 4, 5)).shape == (3, 2, 5)
    assert ag.ones(2, 3).reshape(3, -1).shape == (3, 2)


# ------------------------------------------------------------ beside the nine
def test_broadcast_mismatch_is_a_shape_error_as_torch():
    with pytest.raises(ag.ShapeError, match=r"The size of tensor a \(3\) must match the size of "
                                            r"tensor b \(4\) at non-singleton dimension 0"):
        ag.ones(3) + ag.ones(4)
    with pytest.raises(RuntimeError, match=r"tensor a \(2\) .* tensor b \(5\) at non-singleton "
                                           r"dimension 1"):
        ag.ones(3, 2) * ag.ones(5)


def test_index_assignment_uses_torch_layout_too():
    x = ag.zeros(2, 3, 4)
    x[0, :, [0, 1]] = ag.ones(3, 2)
    assert x.sum().item() == 6.0
    assert x[0, :, :2].tolist() == [[1.0, 1.0]] * 3
