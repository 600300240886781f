"""Early stopping: when a run stops, which epoch counts as best, and what a resumed run decides,
for hand-worked sequences of monitored values in both modes."""

import json
import math

import numpy as np
import pytest

from autogradcli.training.early_stopping import EarlyStopping

PARAMS = {"w": np.array([1.0, 2.0])}


def _decisions(stopper, values, first_epoch=1, params=None):
    """update() for epochs first_epoch, first_epoch + 1, ...; the list of its answers."""
    return [stopper.update(first_epoch + i, value, PARAMS if params is None else params)
            for i, value in enumerate(values)]


def test_mode_min_stops_exactly_on_the_patience_th_epoch_without_improvement():
    stopper = EarlyStopping("val_loss", mode="min", patience=3)
    assert _decisions(stopper, [1.0, 0.8, 0.9, 0.85, 0.81]) == [False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (0.8, 2, 3)


def test_an_improvement_resets_the_count_of_bad_epochs():
    stopper = EarlyStopping("val_loss", mode="min", patience=3)
    decisions = _decisions(stopper, [1.0, 1.1, 1.2, 0.9, 1.0, 1.0, 1.0])
    assert decisions == [False] * 6 + [True]
    assert (stopper.best, stopper.best_epoch) == (0.9, 4)


def test_an_equal_value_is_not_an_improvement():
    stopper = EarlyStopping("val_loss", mode="min", patience=2)
    assert _decisions(stopper, [0.5, 0.5, 0.5]) == [False, False, True]
    assert stopper.best_epoch == 1


def test_mode_max_wants_higher_values():
    stopper = EarlyStopping("val_accuracy", mode="max", patience=2)
    decisions = _decisions(stopper, [0.5, 0.6, 0.55, 0.7, 0.65, 0.69])
    assert decisions == [False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch) == (0.7, 4)


def test_min_delta_in_mode_min_needs_a_drop_larger_than_it():
    # best 1.0: 0.75 is exactly min_delta lower (not larger): bad; 0.7 is an improvement.
    stopper = EarlyStopping("val_loss", mode="min", patience=3, min_delta=0.25)
    assert _decisions(stopper, [1.0, 0.75, 0.7]) == [False, False, False]
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (0.7, 3, 0)
    # Now anything not below 0.7 - 0.25 = 0.45 is bad, even 0.5.
    assert _decisions(stopper, [0.5, 0.45, 0.46], first_epoch=4) == [False, False, True]
    assert (stopper.best, stopper.best_epoch) == (0.7, 3)


def test_min_delta_in_mode_max_needs_a_rise_larger_than_it():
    stopper = EarlyStopping("val_accuracy", mode="max", patience=2, min_delta=0.125)
    # 0.625 and 0.875 rise by exactly min_delta: bad; 0.75 is an improvement.
    decisions = _decisions(stopper, [0.5, 0.625, 0.75, 0.875, 0.8])
    assert decisions == [False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch) == (0.75, 3)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_missing_and_non_finite_values_count_as_not_improving(mode):
    stopper = EarlyStopping("val_loss", mode=mode, patience=4)
    assert _decisions(stopper, [1.0, math.nan, math.inf, None, -math.inf]) == [False] * 4 + [True]
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (1.0, 1, 4)


def test_a_non_finite_first_value_leaves_no_best():
    stopper = EarlyStopping("val_loss", mode="min", patience=2)
    assert _decisions(stopper, [math.nan]) == [False]
    assert (stopper.best, stopper.best_epoch, stopper.best_params) == (math.inf, 0, None)


def test_restore_best_keeps_a_copy_of_the_best_epochs_parameters():
    params = {"w": np.array([1.0, 2.0]), "b": np.array([3], dtype=np.int64)}
    stopper = EarlyStopping("val_loss", mode="min", patience=5, restore_best=True)
    stopper.update(1, 1.0, params)
    params["w"][0] = 99.0  # the training loop updates arrays in place
    params["b"][0] = 7
    np.testing.assert_array_equal(stopper.best_params["w"], [1.0, 2.0])
    np.testing.assert_array_equal(stopper.best_params["b"], [3.0])
    assert stopper.best_params["b"].dtype == np.float64
    stopper.update(2, 1.5, params)  # worse: the copy is not replaced
    np.testing.assert_array_equal(stopper.best_params["w"], [1.0, 2.0])
    stopper.update(3, 0.5, params)  # better: the current values are copied
    np.testing.assert_array_equal(stopper.best_params["w"], [99.0, 2.0])
    assert stopper.best_params["w"] is not params["w"]


def test_without_restore_best_no_parameters_are_kept():
    stopper = EarlyStopping("val_loss", mode="min", patience=5, restore_best=False)
    _decisions(stopper, [1.0, 0.5])
    assert stopper.best_params is None
    assert (stopper.best, stopper.best_epoch) == (0.5, 2)


# patience 3, min_delta 0.01: bests at epochs 1, 2, 4 and 7 (0.65); 0.645 and 0.641 are lower but
# not by more than 0.01, so epochs 8, 9 and 10 are bad and epoch 10 stops.
VALUES = [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.65, 0.645, 0.66, 0.641]
ANSWERS = [False] * 9 + [True]


def _stopper():
    return EarlyStopping("val_loss", mode="min", patience=3, min_delta=0.01, restore_best=True)


def test_the_reference_sequence_stops_on_its_last_epoch():
    stopper = _stopper()
    assert _decisions(stopper, VALUES) == ANSWERS
    assert (stopper.best, stopper.best_epoch) == (0.65, 7)


@pytest.mark.parametrize("cut", [0, 1, 3, 5, 8])
def test_restored_from_json_state_and_best_params_it_continues_identically(cut):
    first = _stopper()
    weights = [{"w": np.array([float(i)])} for i in range(len(VALUES))]
    for i in range(cut):
        first.update(i + 1, VALUES[i], weights[i])
    resumed = _stopper()
    resumed.restore(json.loads(json.dumps(first.state())), first.best_params)
    assert resumed.state() == first.state()
    for i in range(cut, len(VALUES)):
        answer = resumed.update(i + 1, VALUES[i], weights[i])
        assert answer == first.update(i + 1, VALUES[i], weights[i]) == ANSWERS[i]
    assert resumed.state() == first.state()
    np.testing.assert_array_equal(resumed.best_params["w"], [6.0])  # epoch 7's weights


def test_restore_with_empty_best_params_keeps_none():
    stopper = _stopper()
    stopper.restore({"best": 0.5, "best_epoch": 3, "bad_epochs": 1}, {})
    assert stopper.best_params is None
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (0.5, 3, 1)
    assert _decisions(stopper, [0.6, 0.6], first_epoch=4) == [False, True]
