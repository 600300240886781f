"""The losses of ag.nn.functional against torch 2.13's values and gradients, hard-coded here
(computed once with torch in float64; no test imports torch), plus dtypes and error messages.

Inputs include the kinks on purpose: d == 0 for l1 (gradient 0), |d| == beta for smooth_l1,
probabilities of exactly 0 and 1 for binary_cross_entropy (logs clamped at -100, as torch), and
logits of +-800 for the logits form (no overflow).
"""

import warnings

import numpy as np
import pytest

import autogradcli.engine as ag

F = ag.nn.functional

X = [[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, -2.2], [-0.4, 0.9, 0.0, 1.1]]
Y = [[0.5, -1.0, 1.0, 0.1], [0.0, 0.3, -0.2, -1.0], [0.4, 2.9, 0.0, 1.3]]
P = [[0.2, 0.9, 0.5, 1e-3], [0.7, 0.0, 1.0, 0.35]]
T = [[0.0, 1.0, 0.3, 1.0], [1.0, 0.0, 1.0, 0.0]]
LOGITS = [[1.0, -2.0, 0.5, 3.0], [0.0, 0.2, -0.4, 0.8], [2.5, 1.5, -1.0, 0.0]]
CLS = [3, -100, 0]
W = [0.5, 2.0, 1.0, 1.5]
PR = [[0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]]
LP = np.log(np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])).tolist()
Q = [[0.1, 0.0, 0.9], [0.3, 0.3, 0.4]]


def _t(v):
    return ag.tensor(np.array(v, dtype=np.float64))


def _w(v):
    return ag.tensor(np.array(v, dtype=np.float64))


CASES = {
    "mse_none": (lambda x, y: F.mse_loss(x, y, reduction="none"), X, Y),
    "mse_mean": (lambda x, y: F.mse_loss(x, y), X, Y),
    "l1_sum": (lambda x, y: F.l1_loss(x, y, reduction="sum"), X, Y),
    "smooth_l1_beta_half": (lambda x, y: F.smooth_l1_loss(x, y, beta=0.5, reduction="none"), X, Y),
    "huber_delta_08": (lambda x, y: F.huber_loss(x, y, delta=0.8, reduction="none"), X, Y),
    "bce_none": (lambda p, t: F.binary_cross_entropy(p, t, reduction="none"), P, T),
    "bce_weight_mean": (
        lambda p, t: F.binary_cross_entropy(p, t, weight=_w([1.0, 2.0, 0.5, 1.0])), P, T),
    "bcel_pos_weight": (
        lambda z, t: F.binary_cross_entropy_with_logits(
            z, t, pos_weight=_w([1.0, 3.0, 0.5, 2.0]), reduction="none"),
        [[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, -2.2]], T),
    "bcel_extreme": (
        lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="none"),
        [[800.0, -800.0, 0.0, 30.0]], [[0.0, 1.0, 0.5, 1.0]]),
    "ce_mean": (lambda x: F.cross_entropy(x, ag.tensor([3, 1, 0])), LOGITS),
    "ce_weight_ignore_mean": (lambda x: F.cross_entropy(x, ag.tensor(CLS), weight=_w(W)), LOGITS),
    "ce_weight_ignore_smooth_mean": (
        lambda x: F.cross_entropy(x, ag.tensor(CLS), weight=_w(W), label_smoothing=0.2), LOGITS),
    "ce_ignore_smooth_none": (
        lambda x: F.cross_entropy(x, ag.tensor(CLS), label_smoothing=0.2, reduction="none"),
        LOGITS),
    "ce_ignore_smooth_mean": (
        lambda x: F.cross_entropy(x, ag.tensor(CLS), label_smoothing=0.2), LOGITS),
    "ce_probs_weight_smooth_mean": (
        lambda x: F.cross_entropy(x, _t(PR), weight=_w(W), label_smoothing=0.1), LOGITS),
    "nll_weight_sum": (
        lambda x: F.nll_loss(x, ag.tensor(CLS), weight=_w(W), reduction="sum"), LOGITS),
    "kl_batchmean": (lambda x, q: F.kl_div(x, q, reduction="batchmean"), LP, Q),
    "kl_log_target_none": (
        lambda x, q: F.kl_div(x, q, reduction="none", log_target=True), LP,
        np.log(np.array(Q) + 0.1).tolist()),
}

# name: (torch's output, torch's gradient of output.sum() with respect to the first input)
TORCH = {'mse_none': ([[0.04, 0.04, 1.0, 0.0], [2.25, 0.01, 0.25, 1.44], [0.64, 4.0, 0.0, 0.04]],
              [[-0.4, -0.4, 2.0, 0.0], [3.0, -0.2, -1.0, -2.4], [-1.6, -4.0, 0.0, -0.4]]),
 'mse_mean': (0.809166666667,
              [[-0.033333333333, -0.033333333333, 0.166666666667, 0.0],
               [0.25, -0.016666666667, -0.083333333333, -0.2],
               [-0.133333333333, -0.333333333333, 0.0, -0.033333333333]]),
 'l1_sum': (7.7, [[-1.0, -1.0, 1.0, 0.0], [1.0, -1.0, -1.0, -1.0], [-1.0, -1.0, 0.0, -1.0]]),
 'smooth_l1_beta_half': ([[0.04, 0.04, 0.75, 0.0],
                          [1.25, 0.01, 0.25, 0.95],
                          [0.55, 1.75, 0.0, 0.04]],
                         [[-0.4, -0.4, 1.0, 0.0],
                          [1.0, -0.2, -1.0, -1.0],
                          [-1.0, -1.0, 0.0, -0.4]]),
 'huber_delta_08': ([[0.02, 0.02, 0.48, 0.0],
                     [0.88, 0.005, 0.125, 0.64],
                     [0.32, 1.28, 0.0, 0.02]],
                    [[-0.2, -0.2, 0.8, 0.0], [0.8, -0.1, -0.5, -0.8], [-0.8, -0.8, 0.0, -0.2]]),
 'bce_none': ([[0.223143551314, 0.105360515658, 0.69314718056, 6.907755278982],
               [0.356674943939, 0.0, -0.0, 0.430782916092]],
              [[1.25, -1.111111111111, 0.8, -1000.0],
               [-1.428571428571, 0.0, 0.0, 1.538461538462]]),
 'bce_weight_mean': (1.05945641399,
                     [[0.15625, -0.277777777778, 0.05, -125.0],
                      [-0.178571428571, 0.0, 0.0, 0.192307692308]]),
 'bcel_pos_weight': ([[0.854355244469, 4.389847402014, 1.507888809387, 1.288793320147],
                      [0.201413277983, 0.798138869382, 0.551593024443, 0.105083319769]],
                     [[0.574442516812, -2.305574350497, 0.598677516281, -0.950041625042],
                      [-0.182425523806, 0.549833997312, -0.334093886084, 0.09975048912]]),
 'bcel_extreme': ([[800.0, 800.0, 0.69314718056, 0.0]], [[1.0, -1.0, 0.0, -0.0]]),
 'ce_mean': (0.675674912825,
             [[0.036851250121, 0.001834715709, 0.022351413047, -0.061037378877],
              [0.065138978709, -0.253772405074, 0.043663963207, 0.144969463158],
              [-0.108132731545, 0.082846671538, 0.006800468919, 0.018485591088]]),
 'ce_weight_ignore_mean': (0.249727941212,
                           [[0.082915312771, 0.004128110346, 0.050290679355, -0.137334102472],
                            [0.0, 0.0, 0.0, 0.0],
                            [-0.081099548658, 0.062135003653, 0.005100351689, 0.013864193316]]),
 'ce_weight_ignore_smooth_mean': (0.842832961656,
                                  [[0.067651469012,
                                    -0.046009493333,
                                    0.023614323377,
                                    -0.045256299057],
                                   [0.0, 0.0, 0.0, 0.0],
                                   [0.007070586744,
                                    0.030775504749,
                                    -0.018369542804,
                                    -0.019476548689]]),
 'ce_ignore_smooth_none': ([0.677253447679, 0.0, 0.742151421811],
                           [[0.060553750362, -0.044495852872, 0.017054239141, -0.03311213663],
                            [0.0, 0.0, 0.0, 0.0],
                            [-0.174398194634,
                             0.198540014613,
                             -0.029598593243,
                             0.005456773264]]),
 'ce_ignore_smooth_mean': (0.709702434745,
                           [[0.030276875181, -0.022247926436, 0.00852711957, -0.016556068315],
                            [0.0, 0.0, 0.0, 0.0],
                            [-0.087199097317,
                             0.099270007306,
                             -0.014799296621,
                             0.002728386632]]),
 'ce_probs_weight_smooth_mean': (2.294988440607,
                                 [[0.030214008495,
                                   -0.134208147616,
                                   -0.068382439851,
                                   0.172376578972],
                                  [-0.116711753909,
                                   0.029080867082,
                                   0.016773445511,
                                   0.070857441316],
                                  [0.239834085569,
                                   -0.063108327245,
                                   -0.074832747184,
                                   -0.10189301114]]),
 'nll_weight_sum': (-5.75,
                    [[0.0, 0.0, 0.0, -1.5], [0.0, 0.0, 0.0, 0.0], [-0.5, 0.0, 0.0, 0.0]]),
 'kl_batchmean': (0.348202820885, [[-0.05, -0.0, -0.45], [-0.15, -0.15, -0.2]]),
 'kl_log_target_none': ([[0.0, -0.109861228867, 0.69314718056],
                         [-0.162186043243, 0.554517744448, 0.255412811883]],
                        [[-0.2, -0.1, -1.0], [-0.4, -0.4, -0.5]])}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_torch(name):
    fn, first, *rest = CASES[name]
    x = ag.tensor(np.array(first, dtype=np.float64), requires_grad=True)
    out = fn(x, *(_t(r) for r in rest))
    out.sum().backward()
    value, grad = TORCH[name]
    np.testing.assert_allclose(out.detach().numpy(), value, rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_float32_stays_float32(name):
    x = ag.tensor([[0.5, -1.0]], requires_grad=True)
    out = getattr(F, name)(x, ag.tensor([[0.0, 0.0]]))
    out.backward()
    assert out.dtype == ag.float32 and x.grad.dtype == ag.float32


def test_cross_entropy_float32_and_nd_shapes():
    logits = ag.zeros(2, 3, 4, 5)
    target = ag.tensor(np.zeros((2, 4, 5), dtype=np.int64))
    assert F.cross_entropy(logits, target).dtype == ag.float32
    assert F.cross_entropy(logits, target, reduction="none").shape == (2, 4, 5)
    assert F.nll_loss(logits, target, reduction="none").shape == (2, 4, 5)


def test_cross_entropy_all_ignored_is_nan_as_torch():
    loss = F.cross_entropy(ag.zeros(2, 3), ag.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_cross_entropy_refuses_an_out_of_range_class():
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 3]))


def test_unknown_reduction_is_a_value_error():
    with pytest.raises(ValueError, match="elementwise is not a valid value for reduction"):
        F.mse_loss(ag.zeros(2), ag.zeros(2), reduction="elementwise")


def test_binary_cross_entropy_refuses_values_outside_0_1():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([0.5, 1.5]), ag.tensor([0.0, 1.0]))


def test_binary_cross_entropy_target_gradient_is_infinite_at_0_and_1_as_torch():
    p = ag.tensor([0.0, 1.0, 0.5], dtype=ag.float64)
    t = ag.tensor([1.0, 0.0, 0.3], dtype=ag.float64, requires_grad=True)
    F.binary_cross_entropy(p, t, reduction="sum").backward()
    assert t.grad.tolist() == [np.inf, -np.inf, 0.0]


def test_regression_losses_warn_when_shapes_broadcast():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = F.mse_loss(ag.zeros(3, 1), ag.ones(3))
    assert out.item() == 1.0
    assert "target size ((3,)) that is different to the input size ((3, 1))" in str(
        caught[0].message)


# torch's loss and gradient for (N, C, d) logits, class weights and an ignored target
_ND_LOGITS = (np.arange(2 * 4 * 3).reshape(2, 4, 3) % 5 - 2.0) * 0.7
_ND_TORCH = {
    0.0: (1.937155412389, [
        [[-0.080316695059, 0.021410510885, 0.0], [0.024634380712, 0.1748418698, 0.0],
         [0.006074763492, 0.043115474263, 0.0], [0.049607550855, -0.239367854948, 0.0]],
        [[0.044362403866, 0.044362403866, 0.184775360584],
         [0.010939634106, 0.010939634106, -0.287768290402],
         [-0.077331755772, -0.077331755772, 0.011236201249],
         [0.022029717801, 0.022029717801, 0.091756728569]]]),
    0.3: (1.919352139511, [
        [[-0.060209207836, 0.014089985341, 0.0], [0.010719852032, 0.14109977631, 0.0],
         [-0.003691592936, 0.02845970055, 0.0], [0.05318094874, -0.183649462201, 0.0]],
        [[0.041439584155, 0.041439584155, 0.157738132519],
         [-0.013239893336, -0.013239893336, -0.217894357732],
         [-0.033131637455, -0.033131637455, -0.002527871392],
         [0.004931946636, 0.004931946636, 0.062684096605]]]),
}


@pytest.mark.parametrize("smoothing", sorted(_ND_TORCH))
def test_cross_entropy_nd_with_weights_and_ignore_matches_torch(smoothing):
    x = ag.tensor(_ND_LOGITS, requires_grad=True)
    target = ag.tensor([[0, 3, -100], [2, 2, 1]])
    out = F.cross_entropy(x, target, weight=_w(W), label_smoothing=smoothing)
    out.backward()
    value, grad = _ND_TORCH[smoothing]
    np.testing.assert_allclose(out.item(), value, rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-9, atol=1e-11)
