"""Losses: values against numpy formulas, gradients by gradcheck in float64, the lookup."""

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli.nn.losses import LOSSES, bce, cross_entropy, get_loss, huber, mae, mse

RNG = np.random.default_rng(0)
PRED = RNG.normal(size=8)
TARGET = RNG.normal(size=8)
LOGITS = RNG.normal(size=(6, 3)) * 2
LABELS = np.array([0, 2, 1, 1, 0, 2])
BITS = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])


def _t(a, grad=False):
    return ag.tensor(np.array(a, dtype=np.float64), requires_grad=grad)


def _np_huber(d, delta):
    a = np.abs(d)
    return np.mean(np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta)))


@pytest.mark.parametrize(
    ("name", "fn", "expected"),
    [
        ("mse", mse, np.mean((PRED - TARGET) ** 2)),
        ("mae", mae, np.mean(np.abs(PRED - TARGET))),
        ("huber", huber, _np_huber(PRED - TARGET, 1.0)),
    ],
)
def test_regression_loss_values(name, fn, expected):
    assert fn(_t(PRED), _t(TARGET)).item() == pytest.approx(expected, rel=1e-14)


def test_huber_with_small_delta_uses_both_branches():
    d = PRED - TARGET
    assert (np.abs(d) < 0.3).any() and (np.abs(d) >= 0.3).any()
    assert huber(_t(PRED), _t(TARGET), 0.3).item() == pytest.approx(_np_huber(d, 0.3))


def test_bce_values_and_stability():
    z = np.array([-3.0, 0.0, 2.0, 0.5, -1.0, 4.0, 1e3, -1e3])
    p = 1 / (1 + np.exp(-z[:6]))
    y = BITS
    expected = -np.mean(y[:6] * np.log(p) + (1 - y[:6]) * np.log(1 - p))
    assert bce(_t(z[:6]), _t(y[:6])).item() == pytest.approx(expected, rel=1e-12)
    # huge logits: the loss of each row is 0 when right and |z| when wrong, never inf or nan
    big = bce(_t([1e3, -1e3, 1e3, -1e3]), _t([1.0, 0.0, 0.0, 1.0])).item()
    assert big == pytest.approx(500.0)


def test_bce_gradient_at_zero_logit_is_sigmoid_zero_minus_target():
    z = _t(np.zeros(4), grad=True)
    bce(z, _t([0.0, 1.0, 1.0, 0.0])).backward()
    np.testing.assert_array_equal(z.grad.data, (0.5 - np.array([0, 1, 1, 0])) / 4)


def test_cross_entropy_value_matches_log_sum_exp():
    m = LOGITS.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(LOGITS - m).sum(axis=1, keepdims=True)))[:, 0]
    expected = np.mean(lse - LOGITS[np.arange(6), LABELS])
    got = cross_entropy(_t(LOGITS), LABELS.astype(np.float64)).item()  # float labels accepted
    assert got == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(
    ("fn", "pred", "target"),
    [
        (mse, PRED, TARGET),
        (mae, PRED, TARGET),
        (huber, PRED, TARGET),
        (bce, PRED * 3, BITS),
        (cross_entropy, LOGITS, LABELS),
    ],
    ids=["mse", "mae", "huber", "bce", "cross_entropy"],
)
def test_gradcheck(fn, pred, target):
    target_t = ag.tensor(target)
    assert ag.gradcheck(lambda p: fn(p, target_t), [_t(pred, grad=True)])


def test_cross_entropy_rejects_bad_targets():
    with pytest.raises(ValueError, match=r"lie in 0..2"):
        cross_entropy(_t(LOGITS), np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match="class indices"):
        cross_entropy(_t(LOGITS), np.full(6, 0.5))
    with pytest.raises(ValueError, match=r"shape \(n, k\)"):
        cross_entropy(_t(PRED), LABELS)


def test_shape_mismatch_is_refused_not_broadcast():
    with pytest.raises(ValueError, match=r"mse: prediction shape \(8, 1\) differs"):
        mse(_t(PRED[:, None]), _t(TARGET))


def test_get_loss():
    assert set(LOSSES) == {"mse", "mae", "huber", "bce", "cross_entropy"}
    assert get_loss("mse") is mse
    half = get_loss("huber", delta=0.3)
    assert half(_t(PRED), _t(TARGET)).item() == pytest.approx(_np_huber(PRED - TARGET, 0.3))
    with pytest.raises(ValueError, match="did you mean 'mse'"):
        get_loss("mes")
    with pytest.raises(ValueError, match="takes no option 'delta'"):
        get_loss("mse", delta=1.0)
