"""nn/metrics.py against values worked out by hand in each test, and its documented edge cases.

These are the numbers users read in epochs.csv, summary.json and evaluate(), so each is pinned
to an exact fraction (the scikit-learn conventions the module docstring promises included).
"""

import json
import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from autogradcli.nn.metrics import (
    CLASSIFICATION,
    REGRESSION,
    accuracy,
    classification_metrics,
    classification_report,
    confusion_matrix,
    mae,
    per_class,
    predicted_classes,
    probabilities,
    r2,
    regression_metrics,
    rmse,
    score,
)

# A 3-class example worked by hand.
#   true 0: predicted 0, 0, 0, 1   -> row [3, 1, 0]
#   true 1: predicted 1, 2         -> row [0, 1, 1]
#   true 2: predicted 2, 0, 1      -> row [1, 1, 1]
# predicted per column: 4, 3, 2; present per row: 4, 2, 3; hits 3, 1, 1 (accuracy 5/9)
# precision 3/4, 1/3, 1/2; recall 3/4, 1/2, 1/3
# f1: 3/4; 2*(1/3)(1/2)/(1/3+1/2) = 2/5; the same 2/5 for class 2
Y_TRUE = [0, 0, 0, 0, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 0, 1, 1, 2, 2, 0, 1]
CONFUSION = [[3, 1, 0], [0, 1, 1], [1, 1, 1]]
PRECISION = [3 / 4, 1 / 3, 1 / 2]
RECALL = [3 / 4, 1 / 2, 1 / 3]
F1 = [3 / 4, 2 / 5, 2 / 5]

STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}  # underflow to 0 is fine


@contextmanager
def no_warnings():
    """Any warning inside the block is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------------- confusion matrix


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    counts = confusion_matrix(Y_TRUE, Y_PRED, 3)
    assert counts.dtype == np.int64
    assert counts.tolist() == CONFUSION


def test_confusion_matrix_accepts_column_vectors_and_keeps_unseen_classes_as_zero_rows():
    counts = confusion_matrix(np.array([[0], [1]]), np.array([[1], [1]]), 4)
    assert counts.tolist() == [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_confusion_matrix_of_no_rows_is_all_zero():
    assert confusion_matrix([], [], 2).tolist() == [[0, 0], [0, 0]]


# --------------------------------------------------------------------------------- accuracy


def test_accuracy_is_the_fraction_of_rows_predicted_right():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(5 / 9, rel=1e-15)
    assert accuracy(np.array([[1], [0], [1], [1]]), np.array([1, 1, 1, 1])) == 0.75


def test_accuracy_of_no_rows_is_nan():
    assert math.isnan(accuracy([], []))


# -------------------------------------------------------------------------------- per class


def test_per_class_gives_the_hand_worked_precision_recall_f1_and_support():
    scores = per_class(np.array(CONFUSION))
    assert scores["precision"] == pytest.approx(PRECISION, rel=1e-15)
    assert scores["recall"] == pytest.approx(RECALL, rel=1e-15)
    assert scores["f1"] == pytest.approx(F1, rel=1e-15)
    assert scores["support"].dtype == np.int64
    assert scores["support"].tolist() == [4, 2, 3]


def test_a_class_absent_from_y_true_but_predicted_has_precision_recall_f1_and_support_zero():
    # class 2 is predicted once (wrongly) and never true: precision 0/1, recall 0/0 -> 0
    # class 0: precision 1/1, recall 1/2, f1 2/3; class 1: all 1
    scores = per_class(confusion_matrix([0, 0, 1, 1], [0, 2, 1, 1], 3))
    assert scores["precision"].tolist() == [1.0, 1.0, 0.0]
    assert scores["recall"].tolist() == [0.5, 1.0, 0.0]
    assert scores["f1"] == pytest.approx([2 / 3, 1.0, 0.0], rel=1e-15)
    assert scores["support"].tolist() == [2, 2, 0]


def test_a_class_neither_present_nor_predicted_scores_zero_and_still_counts_in_the_macro():
    # scikit-learn with labels=[0, 1, 2] and zero_division=0 gives the same: (1 + 1 + 0) / 3
    scores = per_class(confusion_matrix([0, 1], [0, 1], 3))
    assert scores["precision"].tolist() == [1.0, 1.0, 0.0]
    assert scores["recall"].tolist() == [1.0, 1.0, 0.0]
    assert scores["f1"].tolist() == [1.0, 1.0, 0.0]
    assert scores["support"].tolist() == [1, 1, 0]
    macro = classification_metrics([0, 1], [0, 1], 3)
    assert macro["accuracy"] == 1.0
    assert macro["precision"] == macro["recall"] == macro["f1"] == pytest.approx(2 / 3)


def test_a_class_never_predicted_has_precision_zero():
    # class 2 (one true row) is never predicted: precision 0, recall 0/1, f1 0
    # class 1: precision 2/3, recall 2/2, f1 2*(2/3)/(5/3) = 4/5
    scores = per_class(confusion_matrix([0, 1, 1, 2], [0, 1, 1, 1], 3))
    assert scores["precision"] == pytest.approx([1.0, 2 / 3, 0.0], rel=1e-15)
    assert scores["recall"].tolist() == [1.0, 1.0, 0.0]
    assert scores["f1"] == pytest.approx([1.0, 4 / 5, 0.0], rel=1e-15)
    assert scores["support"].tolist() == [1, 2, 1]


def test_per_class_of_an_all_zero_matrix_is_zero_without_warnings():
    with no_warnings():
        scores = per_class(np.zeros((2, 2), dtype=np.int64))
    for name in ("precision", "recall", "f1", "support"):
        assert scores[name].tolist() == [0, 0]


# ------------------------------------------------------------------ classification metrics


def test_classification_metrics_are_accuracy_and_macro_averages_worked_by_hand():
    # macro precision = macro recall = (3/4 + 1/3 + 1/2) / 3 = 19/36; macro f1 = (3/4+4/5)/3
    values = classification_metrics(Y_TRUE, Y_PRED, 3)
    assert list(values) == ["accuracy", "precision", "recall", "f1"] == list(CLASSIFICATION)
    assert values["accuracy"] == pytest.approx(5 / 9, rel=1e-15)
    assert values["precision"] == pytest.approx(19 / 36, rel=1e-15)
    assert values["recall"] == pytest.approx(19 / 36, rel=1e-15)
    assert values["f1"] == pytest.approx(31 / 60, rel=1e-15)
    assert all(type(v) is float for v in values.values())


def test_classification_metrics_of_an_absent_class_example_worked_by_hand():
    # per class (see above): precision 1, 1, 0; recall 1/2, 1, 0; f1 2/3, 1, 0
    values = classification_metrics([0, 0, 1, 1], [0, 2, 1, 1], 3)
    assert values["accuracy"] == 0.75
    assert values["precision"] == pytest.approx(2 / 3, rel=1e-15)
    assert values["recall"] == pytest.approx(1 / 2, rel=1e-15)
    assert values["f1"] == pytest.approx(5 / 9, rel=1e-15)


def test_classification_metrics_return_only_the_names_asked_in_their_order():
    values = classification_metrics(Y_TRUE, Y_PRED, 3, names=("f1", "accuracy"))
    assert list(values) == ["f1", "accuracy"]
    assert values["f1"] == pytest.approx(31 / 60, rel=1e-15)


def test_all_correct_predictions_score_one_everywhere():
    y = [2, 0, 1, 1, 2]
    assert classification_metrics(y, y, 3) == {"accuracy": 1.0, "precision": 1.0,
                                               "recall": 1.0, "f1": 1.0}
    assert confusion_matrix(y, y, 3).tolist() == [[1, 0, 0], [0, 2, 0], [0, 0, 2]]


def test_all_wrong_predictions_score_zero_everywhere():
    assert classification_metrics([0, 1, 2], [1, 2, 0], 3) == {
        "accuracy": 0.0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert confusion_matrix([0, 1, 2], [1, 2, 0], 3).tolist() == [[0, 1, 0], [0, 0, 1],
                                                                  [1, 0, 0]]


def test_classification_metrics_of_no_rows_give_nan_accuracy():
    assert math.isnan(classification_metrics([], [], 2)["accuracy"])


# ---------------------------------------------------------------------- classification report


def test_classification_report_lists_labels_scores_support_and_confusion_as_plain_lists():
    report = classification_report(Y_TRUE, Y_PRED, ["cat", "dog", "emu"])
    assert set(report) == {"labels", "precision", "recall", "f1", "support", "confusion"}
    assert report["labels"] == ["cat", "dog", "emu"]
    assert report["precision"] == pytest.approx(PRECISION, rel=1e-15)
    assert report["recall"] == pytest.approx(RECALL, rel=1e-15)
    assert report["f1"] == pytest.approx(F1, rel=1e-15)
    assert report["support"] == [4, 2, 3]
    assert report["confusion"] == CONFUSION
    assert all(type(v) is float for v in report["precision"])
    assert all(type(v) is int for v in report["support"])
    assert json.loads(json.dumps(report)) == report  # summary.json takes it as it is


def test_classification_report_keeps_a_label_no_row_has():
    report = classification_report([0, 0], [0, 1], ("a", "b", "c"))
    assert report["labels"] == ["a", "b", "c"]
    assert report["support"] == [2, 0, 0]
    assert report["precision"] == [1.0, 0.0, 0.0]
    assert report["recall"] == [0.5, 0.0, 0.0]
    assert report["confusion"] == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]


# ------------------------------------------------------------------------------- regression

# y = 1, 2, 3, 4 (mean 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5)
Y = [1.0, 2.0, 3.0, 4.0]


def test_rmse_mae_r2_of_a_small_miss_worked_by_hand():
    pred = [1.0, 2.0, 2.0, 4.0]  # one miss of 1: SS_res = 1
    assert rmse(Y, pred) == pytest.approx(1 / 2, rel=1e-15)  # sqrt(1/4)
    assert mae(Y, pred) == pytest.approx(1 / 4, rel=1e-15)
    assert r2(Y, pred) == pytest.approx(4 / 5, rel=1e-15)  # 1 - 1/5


def test_rmse_and_mae_weigh_errors_differently():
    pred = [2.0, 2.0, 1.0, 4.0]  # errors 1, 0, -2, 0
    assert rmse(Y, pred) == pytest.approx(math.sqrt(5) / 2, rel=1e-15)  # sqrt(5/4)
    assert mae(Y, pred) == pytest.approx(3 / 4, rel=1e-15)


def test_r2_of_a_perfect_fit_is_one_and_of_the_mean_is_zero():
    assert r2(Y, Y) == 1.0
    assert r2(Y, [2.5] * 4) == 0.0
    assert rmse(Y, Y) == 0.0 and mae(Y, Y) == 0.0


def test_r2_is_negative_when_worse_than_the_mean():
    assert r2(Y, [4.0, 3.0, 2.0, 1.0]) == pytest.approx(-3.0, rel=1e-15)  # 1 - 20/5


def test_r2_of_a_constant_target_is_one_for_an_exact_fit_and_zero_otherwise():
    with no_warnings():
        exact = r2([3.0, 3.0, 3.0], [3.0, 3.0, 3.0])
        near = r2([3.0, 3.0, 3.0], [3.0, 3.0, 3.0 + 1e-12])
        far = r2([3.0, 3.0, 3.0], [0.0, 10.0, -5.0])
    assert (exact, near, far) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("function", [rmse, mae, r2])
def test_a_regression_metric_of_no_rows_is_nan(function):
    assert math.isnan(function([], []))


def test_regression_metrics_of_no_rows_are_all_nan():
    values = regression_metrics([], [])
    assert list(values) == list(REGRESSION) == ["rmse", "mae", "r2"]
    assert all(math.isnan(v) for v in values.values())


def test_regression_metrics_return_the_names_asked_in_their_order_as_floats():
    values = regression_metrics(np.array(Y), np.array([1.0, 2.0, 2.0, 4.0]), names=("r2", "mae"))
    assert values == {"r2": pytest.approx(4 / 5, rel=1e-15), "mae": 0.25}
    assert list(values) == ["r2", "mae"]
    assert all(type(v) is float for v in values.values())


# ---------------------------------------------------------------------------- probabilities


def test_bce_probabilities_are_one_minus_sigmoid_then_sigmoid():
    # sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4
    p = probabilities(np.array([[0.0], [math.log(3)], [-math.log(3)]]), "bce")
    assert p.shape == (3, 2)
    assert p == pytest.approx(np.array([[1 / 2, 1 / 2], [1 / 4, 3 / 4], [3 / 4, 1 / 4]]),
                              rel=1e-14)


def test_cross_entropy_probabilities_are_the_row_softmax():
    # exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5 -> divided by 8; a row of equal logits is uniform
    logits = np.array([[0.0, math.log(2), math.log(5)], [7.0, 7.0, 7.0]])
    p = probabilities(logits, "cross_entropy")
    assert p == pytest.approx(np.array([[1 / 8, 1 / 4, 5 / 8], [1 / 3, 1 / 3, 1 / 3]]),
                              rel=1e-14)


def test_softmax_does_not_change_when_a_constant_is_added_to_a_row():
    logits = np.array([[0.3, -1.2, 2.0, 0.0]])
    assert probabilities(logits + 500.0, "cross_entropy") == pytest.approx(
        probabilities(logits, "cross_entropy"), rel=1e-12)


@pytest.mark.parametrize(("logits", "expected"), [
    ([-1000.0, 1000.0, 800.0, -800.0], [[1, 0], [0, 1], [0, 1], [1, 0]]),
    ([-1e308, 1e308], [[1, 0], [0, 1]]),
])
def test_bce_probabilities_of_huge_logits_do_not_overflow(logits, expected):
    with np.errstate(**STRICT):
        p = probabilities(np.array(logits), "bce")
    assert np.isfinite(p).all()
    assert p.tolist() == expected


@pytest.mark.parametrize(("logits", "expected"), [
    ([[1000.0, 1000.0, -1000.0]], [[0.5, 0.5, 0.0]]),
    ([[-1e300, 1e300], [1e300, 1e300]], [[0.0, 1.0], [0.5, 0.5]]),
])
def test_softmax_of_huge_logits_does_not_overflow(logits, expected):
    with np.errstate(**STRICT):
        p = probabilities(np.array(logits), "cross_entropy")
    assert np.isfinite(p).all()
    assert p.tolist() == expected


def test_huge_logits_raise_no_warning_under_numpys_default_error_handling():
    with no_warnings():
        probabilities(np.array([-1e4, 1e4]), "bce")
        probabilities(np.array([[1e4, -1e4, 0.0]]), "cross_entropy")


@pytest.mark.parametrize(("loss", "shape"), [("bce", (40, 1)), ("cross_entropy", (40, 5))])
def test_probability_rows_sum_to_one_and_lie_in_zero_one(loss, shape):
    logits = np.random.default_rng(7).normal(size=shape) * 30
    p = probabilities(logits, loss)
    assert p.shape == (40, 2 if loss == "bce" else 5)
    assert np.all((p >= 0) & (p <= 1))
    assert p.sum(axis=1) == pytest.approx(np.ones(40), abs=1e-12)


# ------------------------------------------------------------------------ predicted classes


def test_bce_predicts_class_one_only_for_a_positive_logit():
    classes = predicted_classes(np.array([[-2.0], [0.0], [-0.0], [1e-300], [3.0]]), "bce")
    assert classes.dtype == np.int64
    assert classes.tolist() == [0, 0, 0, 1, 1]


def test_cross_entropy_predicts_the_largest_logit_and_the_first_on_ties():
    logits = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, -1.0, 5.0], [0.0, 0.0, 0.1]])
    classes = predicted_classes(logits, "cross_entropy")
    assert classes.dtype == np.int64
    assert classes.tolist() == [1, 0, 0, 2]


@pytest.mark.parametrize(("loss", "shape"), [("bce", (30,)), ("cross_entropy", (30, 4))])
def test_predicted_classes_are_the_most_probable_ones(loss, shape):
    logits = np.random.default_rng(3).normal(size=shape)
    expected = np.argmax(probabilities(logits, loss), axis=1)
    assert predicted_classes(logits, loss).tolist() == expected.tolist()


# ---------------------------------------------------------------------------------- score


def test_score_of_a_classifier_compares_predicted_classes_with_the_labels():
    # the logits' argmax is Y_PRED, so the scores are the hand-worked ones
    logits = np.eye(3)[Y_PRED] * 2.0 - 1.0
    values = score(logits, Y_TRUE, task="classification", loss="cross_entropy",
                   names=("accuracy", "precision"), n_classes=3)
    assert values == {"accuracy": pytest.approx(5 / 9), "precision": pytest.approx(19 / 36)}


def test_score_of_a_bce_classifier_thresholds_the_logits_at_zero():
    # predicted 1, 0, 1, 0 against 1, 1, 0, 0: accuracy 1/2
    values = score(np.array([[2.0], [-1.0], [0.5], [0.0]]), np.array([1, 1, 0, 0]),
                   task="classification", loss="bce", names=("accuracy",), n_classes=2)
    assert values == {"accuracy": 0.5}


def test_score_puts_regression_outputs_and_targets_back_in_the_targets_units():
    # scale 2, mean 10: outputs 0, 1, -1, .5 -> 10, 12, 8, 11; targets 0, 1, 1, 0 -> 10, 12, 12, 10
    # errors 0, 0, -4, 1: RMSE sqrt(17/4), MAE 5/4; SS_tot around 11 is 4, so R^2 = 1 - 17/4
    outputs, y = np.array([[0.0], [1.0], [-1.0], [0.5]]), np.array([0.0, 1.0, 1.0, 0.0])
    values = score(outputs, y, task="regression", loss="mse", names=("rmse", "mae", "r2"),
                   target_mean=10.0, target_scale=2.0)
    assert values["rmse"] == pytest.approx(math.sqrt(17) / 2, rel=1e-15)
    assert values["mae"] == pytest.approx(5 / 4, rel=1e-15)
    assert values["r2"] == pytest.approx(-13 / 4, rel=1e-15)
    unscaled = score(outputs, y, task="regression", loss="mse", names=("rmse", "mae", "r2"))
    assert unscaled["rmse"] == pytest.approx(values["rmse"] / 2, rel=1e-15)
    assert unscaled["mae"] == pytest.approx(values["mae"] / 2, rel=1e-15)
    assert unscaled["r2"] == pytest.approx(values["r2"], rel=1e-15)  # R^2 has no units


def test_score_of_a_diverged_regression_is_infinite_without_warnings():
    with no_warnings():
        values = score(np.array([1e308, 0.0]), np.array([0.0, 1.0]), task="regression",
                       loss="mse", names=("rmse", "mae", "r2"), target_scale=10.0)
    assert values["rmse"] == math.inf and values["mae"] == math.inf
    assert values["r2"] == -math.inf
