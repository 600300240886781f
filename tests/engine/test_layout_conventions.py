"""Conventions of the indexing ops where the gradient is a choice, as torch makes it: scatter's
overwrite, sort's ties and NaNs, and where copies are summed (pad, repeat_interleave, einsum)."""

import numpy as np

import autogradcli.engine as ag


def test_scatter_gradient_as_torch_with_repeated_indices():
    """torch.scatter: self's gradient is zero where written; every src element gets g at its index,
    even the one whose write was overwritten (values and gradients below are torch's)."""
    x = ag.zeros(2, 3, requires_grad=True)
    src = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = x.scatter(1, ag.tensor([[0, 0, 2]]), src)
    assert out.tolist() == [[2.0, 0.0, 3.0], [0.0, 0.0, 0.0]]
    out.backward(ag.tensor([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]))
    assert x.grad.tolist() == [[0.0, 20.0, 0.0], [40.0, 50.0, 60.0]]
    assert src.grad.tolist() == [[10.0, 10.0, 30.0]]


def test_scatter_add_and_gather_accumulate_repeats():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.gather(0, ag.tensor([2, 2, 0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 2.0]
    src = ag.ones(4, requires_grad=True)
    out = ag.zeros(3).scatter_add(0, ag.tensor([0, 2, 0, 0]), src)
    assert out.tolist() == [3.0, 0.0, 1.0]


def test_sort_keeps_ties_in_order_and_puts_nan_last_or_first():
    s = ag.tensor([3.0, 1.0, 3.0, np.nan, 1.0])
    assert s.sort().indices.tolist() == [1, 4, 0, 2, 3]
    assert s.sort(descending=True).indices.tolist() == [3, 0, 2, 1, 4]


def test_sort_values_carry_the_gradient_to_their_positions():
    x = ag.tensor([0.3, -1.0, 2.0], requires_grad=True)
    values, indices = x.sort(descending=True)
    (values * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert indices.dtype == ag.int64 and x.grad.tolist() == [10.0, 100.0, 1.0]


def test_topk_ties_go_to_the_earlier_index():
    values, indices = ag.tensor([1.0, 3.0, 3.0, 2.0, 3.0]).topk(2)
    assert values.tolist() == [3.0, 3.0] and indices.tolist() == [1, 2]


def test_reflect_pad_sums_the_gradient_of_mirrored_copies():
    x = ag.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)
    y = ag.nn.functional.pad(x, (2, 1), mode="reflect")
    assert y.tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[1.0, 3.0, 2.0]]]


def test_einsum_trace_gradient_is_the_identity():
    x = ag.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    ag.einsum("ii", x).backward()
    assert x.grad.tolist() == np.eye(3).tolist()


def test_contiguous_is_the_same_tensor():
    x = ag.ones(2, 3)
    assert x.contiguous() is x


def test_split_pieces_are_independent_copies_with_gradients():
    x = ag.arange(5.0).requires_grad_()
    a, b = x.split([2, 3])
    (a.sum() * 2 + b.sum() * 3).backward()
    assert x.grad.tolist() == [2.0, 2.0, 3.0, 3.0, 3.0]
