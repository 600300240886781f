"""A trained model as a user holds it: raw rows in, predictions out, the training scaling applied.

Built from model.npz alone (runs/model_file.py), so it needs neither the config nor the data.
"""

from __future__ import annotations

import numpy as np

import autogradcli.engine as ag
from autogradcli.errors import DataError, RunFolderError
from autogradcli.nn import metrics, models
from autogradcli.nn.specs import METRICS
from autogradcli.runs.model_file import SavedModel


class TrainedModel:
    """predict, predict_proba and evaluate on rows in the units of the training data."""

    def __init__(self, saved: SavedModel, where: str = "model.npz"):
        self.saved, self.info = saved, saved.info
        if self.info.kind not in models.MODELS:
            raise RunFolderError(f"unknown model kind {self.info.kind!r}", where=where,
                                 hint="use the autogradcli version that trained it")
        try:
            self.model = models.from_parameters(self.info.kind, saved.params, **self.info.options)
        except (KeyError, ValueError, TypeError) as exc:
            raise RunFolderError(f"the saved parameters do not fit a {self.info.kind} model: "
                                 f"{exc}", where=where) from None

    @property
    def is_classifier(self) -> bool:
        return self.info.task == "classification"

    @property
    def feature_names(self) -> list[str]:
        return list(self.info.feature_names)

    @property
    def class_labels(self) -> list[str]:
        return list(self.info.class_labels)

    def outputs(self, x, scaled: bool = False) -> np.ndarray:
        """The model's raw outputs (values or logits); `scaled`: x is already standardised."""
        x = self._matrix(x)
        if not scaled:
            x = (x - self.info.feature_mean) / self.info.feature_scale
        with ag.no_grad(), np.errstate(over="ignore", invalid="ignore"):
            return self.model(x).data

    def predict(self, x) -> np.ndarray:
        """Predicted values in the target's units, or predicted class labels (strings)."""
        out = self.outputs(x)
        if self.is_classifier:
            return np.array(self.class_labels)[metrics.predicted_classes(out, self.info.loss)]
        return out.reshape(-1) * self.info.target_scale + self.info.target_mean

    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities (n, k), columns in the order of class_labels."""
        if not self.is_classifier:
            raise ValueError("predict_proba is for classifiers; this model does regression")
        return metrics.probabilities(self.outputs(x), self.info.loss)

    def evaluate(self, x, y, scaled: bool = False) -> dict:
        """Every metric of the task on (x, y); a classifier adds its per-class report.

        y: class labels (or their indices) for a classifier, target values otherwise. `scaled`:
        x and y are as trained on (a run's data.csv), which reproduces its summary exactly.
        """
        outputs = self.outputs(x, scaled)
        names = tuple(name for name, task in METRICS.items() if task == self.info.task)
        if self.is_classifier:
            index = self.class_indices(y)
            result = metrics.score(outputs, index, task="classification", loss=self.info.loss,
                                   names=names, n_classes=len(self.class_labels))
            predicted = metrics.predicted_classes(outputs, self.info.loss)
            result["report"] = metrics.classification_report(index, predicted, self.class_labels)
            return result
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        mean, scale = self.info.target_mean, self.info.target_scale
        if scaled:  # the targets as trained on: the very computation of the training loop
            return metrics.score(outputs, y, task="regression", loss=self.info.loss,
                                 names=names, target_mean=mean, target_scale=scale)
        return metrics.regression_metrics(y, outputs.reshape(-1) * scale + mean, names)

    def class_indices(self, y) -> np.ndarray:
        """Labels (as written in the data) or indices 0..k-1 as indices; DataError if unknown."""
        y = np.asarray(y).reshape(-1)
        if y.dtype.kind in "iuf":
            index = y.astype(np.int64)
            if len(index) and (index.min() < 0 or index.max() >= len(self.class_labels)
                               or not np.array_equal(index, y)):
                raise DataError(f"class indices must lie in 0..{len(self.class_labels) - 1}")
            return index
        lookup = {label: i for i, label in enumerate(self.class_labels)}
        unknown = [str(v) for v in y if str(v) not in lookup]
        if unknown:
            raise DataError(f"unknown class label {unknown[0]!r}",
                            hint=f"the model knows: {', '.join(self.class_labels)}")
        return np.array([lookup[str(v)] for v in y], dtype=np.int64)

    def _matrix(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        d = len(self.info.feature_names)
        if x.ndim == 1 and d == 1:
            x = x.reshape(-1, 1)
        elif x.ndim == 1 and x.shape[0] == d:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"expected rows of {d} features ({', '.join(self.feature_names)}), "
                             f"got an array of shape {x.shape}")
        return x
