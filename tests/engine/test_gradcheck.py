"""First- and second-order gradient checks of every row of cases.py, in float64."""

import pytest
from cases import CASES

import autogradcli.engine as ag

SECOND_ORDER = [c for c in CASES if c.second_order]


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gradcheck(case):
    assert ag.gradcheck(case.fn, case.inputs(), eps=case.eps, atol=case.atol)


@pytest.mark.parametrize("case", SECOND_ORDER, ids=[c.id for c in SECOND_ORDER])
def test_gradgradcheck(case):
    assert ag.gradgradcheck(case.fn, case.inputs(), eps=case.eps, atol=case.atol)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_forward_keeps_float64(case):
    outs = case.fn(*case.inputs())
    outs = outs if isinstance(outs, tuple) else (outs,)
    expected = ag.float32 if "float32" in case.name else ag.float64
    assert outs[0].dtype == expected


def test_gradcheck_catches_a_wrong_gradient():
    """The checker is not vacuous: x * x.detach() has analytic gradient x, numerical 2x."""
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    message = r"input 0, element \(2,\): analytical 3 vs numerical 6"
    with pytest.raises(RuntimeError, match=message):
        ag.gradcheck(lambda t: t * t.detach(), [x])
    assert ag.gradcheck(lambda t: t * t.detach(), [x], raise_exception=False) is False
