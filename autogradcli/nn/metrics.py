"""Metrics beside the losses: what a person reads (accuracy, R^2), not what is minimised.

Plain numpy on predictions already made (classes, or values in the target's own units), so the
same numbers come out of training, autograd-eval and a script. Edge cases follow scikit-learn:
a class never predicted has precision 0, never present recall 0 (and both then F1 0); R^2 of a
constant target is 1.0 for an exact fit, else 0.0.
"""

from __future__ import annotations

import math

import numpy as np

from autogradcli.nn.specs import DEFAULT_METRICS, MAIN_METRIC, METRICS

CLASSIFICATION = tuple(name for name, task in METRICS.items() if task == "classification")
REGRESSION = tuple(name for name, task in METRICS.items() if task == "regression")
DEFAULTS, MAIN = DEFAULT_METRICS, MAIN_METRIC


# --------------------------------------------------------------------------- classification


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """counts[i, j]: rows of true class i predicted as class j (classes 0..n_classes-1)."""
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def accuracy(y_true, y_pred) -> float:
    """The fraction of rows whose predicted class is the true one."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    return float(np.mean(y_true == y_pred)) if len(y_true) else math.nan


def per_class(counts: np.ndarray) -> dict[str, np.ndarray]:
    """precision, recall, f1 and support of each class from a confusion matrix."""
    counts = np.asarray(counts, dtype=np.float64)
    hits = np.diag(counts)
    predicted, present = counts.sum(axis=0), counts.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, present, out=np.zeros_like(hits), where=present > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)
    return {"precision": precision, "recall": recall, "f1": f1,
            "support": present.astype(np.int64)}


def classification_metrics(y_true, y_pred, n_classes: int, names=CLASSIFICATION) -> dict:
    """The chosen metrics; precision, recall and f1 are macro averages over the classes."""
    counts = confusion_matrix(y_true, y_pred, n_classes)
    scores = per_class(counts)
    values = {"accuracy": accuracy(y_true, y_pred)}
    for name in ("precision", "recall", "f1"):
        values[name] = float(np.mean(scores[name]))
    return {name: values[name] for name in names}


def classification_report(y_true, y_pred, labels: list[str]) -> dict:
    """Per-class precision, recall, F1 and support, and the confusion matrix, as plain lists."""
    counts = confusion_matrix(y_true, y_pred, len(labels))
    scores = per_class(counts)
    return {"labels": list(labels), **{k: v.tolist() for k, v in scores.items()},
            "confusion": counts.tolist()}


# ------------------------------------------------------------------------------- regression


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the target's units."""
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.sqrt(np.mean(diff * diff))) if diff.size else math.nan


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the target's units."""
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(np.abs(diff))) if diff.size else math.nan


def r2(y_true, y_pred) -> float:
    """1 - SS_res / SS_tot. A constant target gives 1.0 when fitted exactly, else 0.0."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if not y_true.size:
        return math.nan
    residual = float(np.sum((y_true - y_pred) ** 2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


def regression_metrics(y_true, y_pred, names=REGRESSION) -> dict:
    """The chosen regression metrics."""
    functions = {"rmse": rmse, "mae": mae, "r2": r2}
    return {name: functions[name](y_true, y_pred) for name in names}


# ------------------------------------------------------------------- outputs to predictions


def probabilities(outputs, loss: str) -> np.ndarray:
    """Class probabilities (n, k) from a classifier's logits: sigmoid for bce, softmax else."""
    z = np.asarray(outputs, dtype=np.float64)
    if loss == "bce":
        p = np.exp(-np.logaddexp(0.0, -z.reshape(-1)))  # sigmoid, without overflow
        return np.column_stack([1.0 - p, p])
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def predicted_classes(outputs, loss: str) -> np.ndarray:
    """Class indices from logits: logit > 0 for bce, the largest logit (first on ties) else."""
    z = np.asarray(outputs)
    if loss == "bce":
        return (z.reshape(-1) > 0).astype(np.int64)
    return np.argmax(z, axis=1).astype(np.int64)


def score(outputs, y, *, task: str, loss: str, names, n_classes: int | None = None,
          target_mean: float = 0.0, target_scale: float = 1.0) -> dict:
    """The metrics `names` of a model's outputs against targets y (as trained on).

    Regression values are put back in the target's units first (standardize_target), so RMSE
    and MAE read in the data's units.
    """
    if task == "classification":
        return classification_metrics(y, predicted_classes(outputs, loss), n_classes, names)
    with np.errstate(over="ignore", invalid="ignore"):  # a run on its way to diverging
        pred = np.asarray(outputs, dtype=np.float64).reshape(-1) * target_scale + target_mean
        true = np.asarray(y, dtype=np.float64).reshape(-1) * target_scale + target_mean
        return regression_metrics(true, pred, names)
