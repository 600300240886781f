"""Semantics of the kernels of ag.nn.functional that gradcheck cannot see: ties, padding_idx,
running statistics, dropout's mask, indices, shapes and the errors torch raises.

The expected values were taken from PyTorch 2.x eager (torch is never imported by a test).
"""

import numpy as np
import pytest

import autogradcli.engine as ag

F = ag.nn.functional


def test_conv2d_is_cross_correlation_with_zero_padding():
    x = ag.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    w = ag.tensor([[[[0.0, 1.0], [0.0, 0.0]]]])  # picks the top-right element of each window
    assert F.conv2d(x, w).tolist() == [[[[1.0, 2.0], [4.0, 5.0]]]]
    assert F.conv2d(x, w, padding=1)[0, 0, 0].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2))
    kw = {"stride": 2, "padding": 1, "dilation": (1, 2), "groups": 2}
    y = F.conv2d(ag.tensor(x), ag.tensor(w), **kw).numpy()
    g = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(ag.tensor(g), ag.tensor(w), output_padding=(0, 1), **kw).numpy()
    assert back.shape == x.shape
    assert np.isclose((y * g).sum(), (back * x).sum())


@pytest.mark.parametrize("shape, kw, out", [
    ((1, 2, 5, 5), {"padding": "same"}, (1, 3, 5, 5)),
    ((1, 2, 5, 5), {"padding": "valid"}, (1, 3, 3, 3)),
    ((2, 5, 5), {"stride": 2, "padding": 1}, (3, 3, 3)),
])
def test_conv2d_output_shapes(shape, kw, out):
    assert F.conv2d(ag.zeros(*shape), ag.zeros(3, 2, 3, 3), **kw).shape == out


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(ag.zeros(1, 3, 5, 5), ag.zeros(2, 2, 3, 3)), "to have 2 channels, but got 3"),
    (lambda: F.conv2d(ag.zeros(1, 2, 5, 5), ag.zeros(2, 2, 3, 3), stride=2, padding="same"),
     "not supported for strided"),
    (lambda: F.conv2d(ag.zeros(1, 2, 2, 2), ag.zeros(2, 2, 3, 3)), "too small"),
    (lambda: F.conv2d(ag.zeros(2, 2), ag.zeros(2, 2, 3, 3)), "expected a 3-D"),
    (lambda: F.conv2d(ag.zeros(1, 4, 5, 5), ag.zeros(3, 2, 3, 3), groups=2), "divisible by groups"),
    (lambda: F.conv_transpose2d(ag.zeros(1, 2, 3, 3), ag.zeros(2, 1, 3, 3), output_padding=1),
     "output_padding"),
    (lambda: F.max_pool2d(ag.zeros(1, 1, 4, 4), 2, padding=2), "at most half"),
])
def test_kernel_errors_are_runtime_errors_naming_the_problem(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_max_pool2d_gives_the_gradient_to_the_first_max_on_ties():
    x = ag.zeros(1, 1, 2, 4, dtype=ag.float64, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]


def test_max_pool2d_overlapping_windows_accumulate_on_a_shared_max():
    data = np.zeros((1, 1, 3, 3))
    data[0, 0, 1, 1] = 5.0
    x = ag.tensor(data, requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad[0, 0, 1, 1].item() == 4.0


def test_max_pool2d_return_indices_and_minus_inf_windows():
    x = ag.tensor(np.full((1, 1, 3, 3), -np.inf))
    out, idx = F.max_pool2d(x, 2, stride=1, padding=1, return_indices=True)
    assert idx.dtype == ag.int64
    assert idx.reshape(-1).tolist() == [0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8]
    assert np.isneginf(out.numpy()).all()


def test_avg_pool2d_count_include_pad():
    x = ag.ones(1, 1, 2, 2)
    assert F.avg_pool2d(x, 2, padding=1)[0, 0, 0, 0].item() == 0.25
    assert F.avg_pool2d(x, 2, padding=1, count_include_pad=False)[0, 0, 0, 0].item() == 1.0


def test_adaptive_avg_pool2d_uses_overlapping_windows_as_torch():
    x = ag.tensor(np.arange(5.0).reshape(1, 1, 1, 5))
    assert np.allclose(F.adaptive_avg_pool2d(x, (1, 3)).numpy().ravel(), [0.5, 2.0, 3.5])


def test_dropout_is_seeded_scaled_and_identity_in_eval():
    x = ag.ones(1000, dtype=ag.float64)
    ag.manual_seed(5)
    a = F.dropout(x, 0.25)
    ag.manual_seed(5)
    b = F.dropout(x, 0.25)
    assert a.tolist() == b.tolist()
    assert set(np.unique(a.numpy()).tolist()) == {0.0, 1.0 / 0.75}
    assert 0.2 < (a.numpy() == 0).mean() < 0.3
    assert F.dropout(x, 0.25, training=False) is x
    assert F.dropout(x, 1.0).sum().item() == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


def test_embedding_accumulates_repeats_and_skips_padding_idx():
    w = ag.ones(4, 2, dtype=ag.float64, requires_grad=True)
    F.embedding(ag.tensor([[1, 3, 1], [0, 3, 1]]), w, padding_idx=3).sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0], [3.0, 3.0], [0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(ag.tensor([4]), w)


def test_embedding_max_norm_renormalises_the_picked_rows_in_place():
    w = ag.tensor([[3.0, 4.0], [0.3, 0.4]], dtype=ag.float64)
    out = F.embedding(ag.tensor([0]), w, max_norm=1.0)
    assert np.allclose(out.numpy(), [[0.6, 0.8]])
    assert w.tolist()[1] == [0.3, 0.4]


def test_one_hot():
    assert F.one_hot(ag.tensor([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert F.one_hot(ag.tensor([1]), num_classes=4).dtype == ag.int64
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ag.tensor([3]), num_classes=3)
    with pytest.raises(RuntimeError, match="integer"):
        F.one_hot(ag.tensor([1.0]))


def test_batch_norm_updates_running_stats_with_the_unbiased_variance():
    x = ag.tensor([[1.0, 2.0], [3.0, 6.0]], dtype=ag.float64)
    mean, var = ag.zeros(2, dtype=ag.float64), ag.ones(2, dtype=ag.float64)
    F.batch_norm(x, mean, var, training=True, momentum=0.5)
    assert mean.tolist() == [1.0, 2.0]
    assert var.tolist() == [1.5, 4.5]  # 0.5 * 1 + 0.5 * unbiased var (2 and 8)
    out = F.batch_norm(x, mean, var, training=False, eps=0.0)
    assert np.allclose(out.numpy(), [[0.0, 0.0], [2 / np.sqrt(1.5), 4 / np.sqrt(4.5)]])
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(ag.ones(1, 2), None, None, training=True)


def test_layer_norm_checks_the_normalized_shape():
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 3\]"):
        F.layer_norm(ag.ones(2, 4), (3,))


def test_sdpa_causal_masks_the_future_and_refuses_an_extra_mask():
    q = k = ag.zeros(3, 2)
    v = ag.tensor([[1.0], [2.0], [3.0]])
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert np.allclose(out.numpy().ravel(), [1.0, 1.5, 2.0])
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 3), bool), is_causal=True)


def test_linear_matches_matmul_with_the_transposed_weight():
    x, w, b = ag.randn(2, 3), ag.randn(4, 3), ag.randn(4)
    assert np.allclose(F.linear(x, w, b).numpy(), x.numpy() @ w.numpy().T + b.numpy())


def test_conv_reuses_its_columns_and_frees_them_after_backward():
    x = ag.randn(2, 3, 5, 5, dtype=ag.float64)
    w = ag.randn(4, 3, 3, 3, dtype=ag.float64, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    y.sum().backward(retain_graph=True)
    first = w.grad.numpy().copy()
    assert y.grad_fn.cols is not None  # kept for the second walk
    w.grad = None
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), first)
    assert y.grad_fn.cols is None
