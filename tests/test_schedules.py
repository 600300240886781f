"""Learning-rate schedules: rates over ten-odd epochs worked out by hand, and the numbers PyTorch's
schedulers of the same names give (derived once with torch, kept here so torch is not needed)."""

import json
import math

import pytest

from autogradcli.nn.schedules import (
    SCHEDULES,
    CosineSchedule,
    ExponentialSchedule,
    PlateauSchedule,
    Schedule,
    StepSchedule,
)

SQRT3_2 = math.sqrt(3) / 2  # cos(pi / 6)

# CosineSchedule(1.0, epochs=6, min_lr=0.1): 0.1 + 0.9 * (1 + cos(pi * e / 6)) / 2, e = 0..6.
COSINE_BY_HAND = [1.0, 0.1 + 0.45 * (1 + SQRT3_2), 0.775, 0.55, 0.325, 0.1 + 0.45 * (1 - SQRT3_2),
                  0.1]
# torch CosineAnnealingLR(T_max=6, eta_min=0.1) on lr 1.0, closed form, epochs 0..6.
TORCH_COSINE = [1.0, 0.9397114317029974, 0.775, 0.55, 0.3250000000000001, 0.16028856829700258, 0.1]


def _rates(schedule, epochs):
    return [schedule.lr(e) for e in range(epochs)]


def _observe_all(schedule, values):
    """Observe each finished epoch's value; the rate of the epoch after each."""
    rates = []
    for value in values:
        schedule.observe(value)
        rates.append(schedule.lr(len(rates) + 1))
    return rates


def test_constant_schedule_gives_the_base_rate_whatever_the_epoch_or_observed_value():
    schedule = Schedule(0.05)
    for value in (1.0, 0.5, 2.0):
        schedule.observe(value)
    assert _rates(schedule, 10) == [0.05] * 10


def test_step_schedule_halves_the_rate_every_three_epochs_as_by_hand_and_torch_steplr():
    by_hand = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]
    torch_steplr = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]  # step_size 3
    rates = _rates(StepSchedule(0.1, 3, 0.5), 10)
    assert rates == pytest.approx(by_hand, rel=1e-12)
    assert rates == pytest.approx(torch_steplr, rel=1e-12)


def test_step_schedule_ignores_observed_values():
    schedule = StepSchedule(0.1, 3, 0.5)
    for value in (5.0, 5.0, 5.0, 5.0, 5.0):
        schedule.observe(value)
    assert schedule.lr(2) == 0.1 and schedule.lr(3) == pytest.approx(0.05, rel=1e-12)


def test_exponential_schedule_multiplies_by_gamma_each_epoch_as_by_hand_and_torch():
    by_hand = [0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721,
               0.0387420489]
    # torch ExponentialLR(gamma=0.9), closed form lr * gamma ** epoch.
    torch_exponential = [0.1, 0.09000000000000001, 0.08100000000000002, 0.0729, 0.06561,
                         0.05904900000000001, 0.05314410000000001, 0.04782969000000001,
                         0.04304672100000001, 0.03874204890000001]
    rates = _rates(ExponentialSchedule(0.1, 0.9), 10)
    assert rates == pytest.approx(by_hand, rel=1e-12)
    assert rates == pytest.approx(torch_exponential, rel=1e-12)


def test_cosine_schedule_anneals_from_lr_to_min_lr_as_by_hand_and_torch_cosineannealinglr():
    rates = _rates(CosineSchedule(1.0, epochs=6, min_lr=0.1), 7)
    assert rates == pytest.approx(COSINE_BY_HAND, rel=1e-12)
    assert rates == pytest.approx(TORCH_COSINE, rel=1e-12)


def test_cosine_schedule_reaches_min_lr_at_epoch_index_epochs_not_on_the_last_epoch_run():
    # The docstring's formula (and torch's T_max=epochs): t = T gives min_lr, i.e. lr(epochs);
    # the last epoch a run of `epochs` epochs runs is index epochs - 1, still above min_lr.
    schedule = CosineSchedule(1.0, epochs=6, min_lr=0.1)
    assert schedule.lr(6) == pytest.approx(0.1, rel=1e-12)
    assert schedule.lr(5) == pytest.approx(0.1 + 0.45 * (1 - SQRT3_2), rel=1e-12)
    assert schedule.lr(5) > 0.1


def test_cosine_schedule_with_warmup_rises_linearly_then_anneals_over_the_remaining_epochs():
    # W = 2: epochs 0 and 1 use lr * 1/3 and lr * 2/3 (torch LinearLR(start_factor=1/3,
    # total_iters=2) gives 0.3333333333333333, 0.6666666666666667); then T = 8 - 2 = 6.
    by_hand = [1 / 3, 2 / 3, *COSINE_BY_HAND]
    torch_linear_then_cosine = [0.3333333333333333, 0.6666666666666667, *TORCH_COSINE]
    rates = _rates(CosineSchedule(1.0, epochs=8, min_lr=0.1, warmup_epochs=2), 9)
    assert rates == pytest.approx(by_hand, rel=1e-12)
    assert rates == pytest.approx(torch_linear_then_cosine, rel=1e-12)
    assert rates[8] == pytest.approx(0.1, rel=1e-12)


def test_cosine_schedule_without_min_lr_goes_to_zero_with_ten_epochs():
    rates = _rates(CosineSchedule(0.1, epochs=10), 11)
    by_hand = [0.05 * (1 + math.cos(math.pi * e / 10)) for e in range(11)]
    assert rates == pytest.approx(by_hand, rel=1e-12, abs=1e-15)
    assert rates[5] == pytest.approx(0.05, rel=1e-12)
    assert rates[10] == pytest.approx(0.0, abs=1e-15)


# PlateauSchedule(1.0, "min", factor 0.5, patience 2, min_lr 0.2, threshold 0.1): the rate of the
# epoch after each observed value. 9.5 and 9.2 are lower than 10 but not by 10% (< 9.0): bad.
# The third bad epoch (more than patience) halves the rate; 8.9 < 9.0 is a real improvement;
# 0.25 * 0.5 = 0.125 is floored at min_lr 0.2; then 0.2 -> max(0.1, 0.2) changes nothing.
PLATEAU_VALUES = [10.0, 9.5, 9.2, 9.1, 8.9, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0]
PLATEAU_BY_HAND = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]
# torch ReduceLROnPlateau(mode="min", factor=0.5, patience=2, min_lr=0.2, threshold=0.1) for the
# same values: the same rates, ending with best 8.9 and num_bad_epochs 0.
TORCH_PLATEAU = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]


def _plateau():
    return PlateauSchedule(1.0, mode="min", factor=0.5, patience=2, min_lr=0.2, threshold=0.1)


def test_plateau_schedule_reduces_after_patience_plus_one_bad_epochs_with_relative_threshold():
    schedule = _plateau()
    assert schedule.lr(0) == 1.0
    rates = _observe_all(schedule, PLATEAU_VALUES)
    assert rates == PLATEAU_BY_HAND
    assert rates == TORCH_PLATEAU
    assert schedule.state() == {"current": 0.2, "best": 8.9, "bad_epochs": 0}


def test_plateau_schedule_keeps_counting_bad_epochs_below_patience():
    schedule = _plateau()
    _observe_all(schedule, [10.0, 9.5, 9.2])
    assert schedule.state() == {"current": 1.0, "best": 10.0, "bad_epochs": 2}


def test_plateau_schedule_in_max_mode_needs_a_relative_rise():
    # 0.504 is not above 0.5 * 1.01 = 0.505; 0.51 is. Then two bad epochs (> patience 1) divide
    # by ten, twice; 0.6 is a new best. torch ReduceLROnPlateau(mode="max", factor=0.1,
    # patience=1, threshold=0.01) gives 1, 1, 1, 1, 0.1, 0.1, 0.010000000000000002 (twice).
    schedule = PlateauSchedule(1.0, mode="max", factor=0.1, patience=1, threshold=0.01)
    rates = _observe_all(schedule, [0.5, 0.504, 0.51, 0.5, 0.5, 0.5, 0.5, 0.6])
    assert rates == pytest.approx([1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.01, 0.01], rel=1e-12)
    assert rates[6:] == [0.010000000000000002] * 2
    assert schedule.state()["best"] == 0.6


def test_plateau_schedule_skips_a_reduction_smaller_than_torchs_eps():
    # 3e-8 -> 1.5e-8 changes by 1.5e-8 > 1e-8; 1.5e-8 -> 7.5e-9 would change by 7.5e-9: skipped.
    # torch ReduceLROnPlateau(factor=0.5, patience=0) gives 1.5e-08 three times as well.
    schedule = PlateauSchedule(3e-8, factor=0.5, patience=0)
    rates = _observe_all(schedule, [1.0, 1.0, 1.0, 1.0])
    assert rates == [3e-8, 1.5e-8, 1.5e-8, 1.5e-8]
    assert schedule.state()["bad_epochs"] == 0


def test_plateau_schedule_ignores_missing_and_non_finite_values():
    # Unlike torch (which counts NaN and inf as bad epochs: with patience 1 it would halve the rate
    # after nan, inf), these do not count at all; only 9.5 and 9.9 are bad.
    schedule = PlateauSchedule(1.0, mode="min", factor=0.5, patience=1, threshold=0.1)
    rates = _observe_all(schedule, [10.0, math.nan, math.inf, 9.5, None, -math.inf, 9.9])
    assert rates == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]
    assert schedule.state()["best"] == 10.0


@pytest.mark.parametrize("cut", [0, 2, 5, 9])
def test_plateau_schedule_restored_from_json_state_continues_identically(cut):
    first = _plateau()
    _observe_all(first, PLATEAU_VALUES[:cut])
    saved = json.loads(json.dumps(first.state()))
    resumed = _plateau()
    resumed.restore(saved)
    assert resumed.state() == first.state()
    rest = PLATEAU_VALUES[cut:]
    assert _observe_all(resumed, rest) == _observe_all(first, rest) == PLATEAU_BY_HAND[cut:]


def test_stateless_schedules_restore_to_the_same_rates():
    for schedule, fresh in [(StepSchedule(0.1, 3, 0.5), StepSchedule(0.1, 3, 0.5)),
                            (CosineSchedule(1.0, 8, 0.1, 2), CosineSchedule(1.0, 8, 0.1, 2))]:
        schedule.observe(1.0)
        fresh.restore(json.loads(json.dumps(schedule.state())))
        assert _rates(fresh, 9) == _rates(schedule, 9)


def test_schedule_names_map_to_their_classes():
    expected = {"constant": Schedule, "step": StepSchedule, "exponential": ExponentialSchedule,
                "cosine": CosineSchedule, "reduce_on_plateau": PlateauSchedule}
    assert expected == SCHEDULES
