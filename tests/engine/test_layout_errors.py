"""Mistakes with the shape, indexing, linear-algebra and loss functions raise the exception type
torch 2.13 raises (hard-coded from one run of torch), with a message naming the shapes or values.
"""

import numpy as np
import pytest

import autogradcli.engine as ag


def _env():
    x = ag.arange(24.0).reshape(2, 3, 4)
    return dict(lib=ag, nnf=ag.nn.functional, x=x, m=x[0] * 1.0, v=ag.arange(6.0))


# expression: the exception torch raises (None: torch accepts it)
TORCH = {
 'lib.tensor(2.0).narrow(0, 0, 1)': 'RuntimeError',
 'lib.tensor(2.0).split(1)': 'RuntimeError',
 'lib.tensor(2.0).roll(1, 0)': 'IndexError',
 'lib.tensor(2.0).roll(1)': None,'m.expand(2, 5)': 'RuntimeError',
 'm.expand(4)': 'RuntimeError',
 'm.repeat(2)': 'RuntimeError',
 'm.repeat_interleave(lib.tensor([1, 2]), dim=0)': 'RuntimeError',
 'm.flip(0, 0)': 'RuntimeError',
 'm.flip(2)': 'IndexError',
 'm.roll((1, 2), 0)': 'RuntimeError',
 'nnf.pad(m, (1,))': 'RuntimeError',
 'nnf.pad(m, (1, 1, 1, 1, 1, 1))': 'RuntimeError',
 "nnf.pad(x, (4, 0), mode='reflect')": 'RuntimeError',
 "nnf.pad(v, (1, 1), mode='reflect')": 'NotImplementedError',
 "nnf.pad(x, (1, 1), mode='bogus')": 'NotImplementedError',
 'm.split([1, 1])': 'RuntimeError',
 'm.chunk(0)': 'RuntimeError',
 'lib.tensor(1.0).unbind()': 'IndexError',
 'm.unbind(2)': 'IndexError',
 'm.narrow(1, 3, 2)': 'RuntimeError',
 'm.narrow(1, 5, 0)': 'IndexError',
 'm.narrow(2, 0, 1)': 'IndexError',
 'm.movedim((0, 1), (0,))': 'RuntimeError',
 'm.movedim((0, 0), (0, 1))': 'RuntimeError',
 'v.tril()': 'RuntimeError',
 'm.diagonal(0, 1, 1)': 'RuntimeError',
 'm.gather(1, lib.tensor([[4]]))': 'RuntimeError',
 'm.gather(1, lib.tensor([[-1]]))': 'RuntimeError',
 'm.gather(1, lib.tensor([0]))': 'RuntimeError',
 'm.gather(1, lib.tensor([[0.0]]))': 'RuntimeError',
 'm.gather(3, lib.tensor([[0]]))': 'IndexError',
 'm.gather(0, lib.zeros(4, 1, dtype=lib.int64))': None,
 'm.scatter(1, lib.tensor([[0]]), lib.ones(1, 1, dtype=lib.float64))': 'RuntimeError',
 'm.index_select(1, lib.tensor([4]))': 'RuntimeError',
 'm.index_select(1, lib.tensor([[0]]))': 'IndexError',
 'm.masked_fill(m, 1.0)': 'RuntimeError',
 'm.masked_fill(m > 0, lib.ones(2))': 'RuntimeError',
 'lib.where(m, m, m)': 'RuntimeError',
 'm.sort(2)': 'IndexError',
 'm.topk(5)': 'RuntimeError',
 'm.topk(-1)': 'RuntimeError',
 "lib.einsum('ij,jk', m, m)": 'RuntimeError',
 "lib.einsum('ij', v)": 'RuntimeError',
 "lib.einsum('ij,jk->ik', m)": 'RuntimeError',
 "lib.einsum('i->ii', v)": 'RuntimeError',
 "lib.einsum('ij->k', m)": 'RuntimeError',
 'lib.tensordot(m, m, 1)': 'RuntimeError',
 'lib.outer(m, v)': 'RuntimeError',
 'm.trace() if False else x.trace()': 'RuntimeError',
 'lib.cross(m, m, dim=1)': 'RuntimeError',
 'lib.cross(v, v)': 'RuntimeError',
 'lib.dot(v, v[:2])': 'RuntimeError',
 'lib.dot(m, m)': 'RuntimeError',
 'lib.mv(m, v)': 'RuntimeError',
 'lib.mv(v, v)': 'RuntimeError',
 'lib.bmm(m, m)': 'RuntimeError',
 'lib.bmm(x, x)': 'RuntimeError',
 'lib.mm(m, m)': 'RuntimeError',
 'nnf.cross_entropy(m, lib.tensor([0, 1, 5]))': 'IndexError',
 "nnf.mse_loss(m, m, reduction='avg')": 'ValueError',
 'nnf.binary_cross_entropy(m, m)': 'RuntimeError',
 'nnf.binary_cross_entropy(lib.sigmoid(m), lib.sigmoid(m).T)': 'ValueError',
 'nnf.binary_cross_entropy_with_logits(m, v)': 'ValueError',
 'nnf.cross_entropy(m, lib.tensor([0, 1]))': 'ValueError',
 'nnf.cross_entropy(m, m, label_smoothing=1.5)': 'RuntimeError',
 'nnf.huber_loss(m, m, delta=0.0)': 'RuntimeError',
 'nnf.cross_entropy(m, lib.tensor([0, 1, 2]), weight=lib.ones(3))': 'RuntimeError'}

EXCEPTIONS = {"RuntimeError": RuntimeError, "IndexError": IndexError, "ValueError": ValueError,
              "NotImplementedError": NotImplementedError}


@pytest.mark.parametrize("expr", list(TORCH))
def test_raises_what_torch_raises(expr):
    expected = TORCH[expr]
    if expected is None:
        eval(expr, _env())  # the expressions are this file's own literals
        return
    with pytest.raises(EXCEPTIONS[expected]) as caught:
        eval(expr, _env())
    assert type(caught.value) is EXCEPTIONS[expected] or expected == "RuntimeError"


@pytest.mark.parametrize(("expr", "words"), [
    ("m.expand(2, 5)", "Target sizes: [2, 5].  Tensor sizes: [3, 4]"),
    ("lib.mm(m, m)", "(3x4 and 3x4)"),
    ("lib.bmm(x, x)", "[2, 4] but got: [2, 3]"),
    ("lib.mv(m, v)", "mat (3x4), vec (6)"),
    ("lib.einsum('ij,jk', m, m)", "size 4 and 3"),
    ("lib.tensordot(m, m, 1)", "size 4 in dim 1 and second has size 3 in dim 0"),
    ("m.gather(1, lib.tensor([[4]]))", "index 4 is out of bounds for dimension 1 with size 4"),
    ("nnf.pad(x, (4, 0), mode='reflect')", "(4, 0) at dimension 2"),
    ("m.narrow(1, 3, 2)", "start (3) + length (2) exceeds dimension size (4)."),
    ("m.flip(2)", "expected to be in range of [-2, 1], but got 2"),
    ("nnf.cross_entropy(m, lib.tensor([0, 1]))", "expected target of shape (3,)"),
])
def test_messages_name_the_shapes(expr, words):
    with pytest.raises(Exception) as caught:
        eval(expr, _env())
    assert words in str(caught.value)


def test_gather_index_may_be_longer_along_its_own_dim():
    out = ag.arange(12.0).reshape(3, 4).gather(0, ag.tensor(np.array([[2], [0], [1], [2]])))
    assert out.tolist() == [[8.0], [0.0], [4.0], [8.0]]


def test_einsum_refuses_the_sublist_form_with_a_hint():
    x = ag.ones(2, 2)
    with pytest.raises(TypeError, match="the sublist form"):
        ag.einsum(x, [0, 1], x, [1, 2])


def test_scatter_needs_src_or_value():
    with pytest.raises(TypeError, match="one of src"):
        ag.ones(2, 2).scatter(1, ag.tensor([[0], [1]]))
