"""How a run is judged besides its loss: the metrics the config chose, for its task and loss.

The loop calls it on the outputs it has already computed for the epoch's losses, so metrics cost
no second forward pass. The formulas are nn/metrics.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from autogradcli.nn import metrics


@dataclass(frozen=True)
class Scorer:
    """metrics `names` for a `task` ("classification"/"regression") trained with `loss`.

    labels: the class labels (classification); target_mean/scale undo standardize_target so that
    regression metrics read in the data's units.
    """

    task: str
    loss: str
    names: tuple[str, ...]
    labels: tuple[str, ...] = ()
    target_mean: float = 0.0
    target_scale: float = 1.0

    @property
    def main(self) -> str | None:
        """The metric a progress bar shows: accuracy or R^2 when chosen, else the first."""
        wanted = metrics.MAIN[self.task]
        return wanted if wanted in self.names else (self.names[0] if self.names else None)

    def columns(self, with_val: bool) -> list[str]:
        """epochs.csv's metric columns: train_<name> for each, then val_<name> with a split."""
        splits = ("train", "val") if with_val else ("train",)
        return [f"{split}_{name}" for split in splits for name in self.names]

    def score(self, outputs, y) -> dict[str, float]:
        """name -> value on one set."""
        return metrics.score(outputs, y, task=self.task, loss=self.loss, names=self.names,
                             n_classes=len(self.labels), target_mean=self.target_mean,
                             target_scale=self.target_scale)

    def report(self, outputs, y) -> dict | None:
        """Per-class precision, recall, F1, support and the confusion matrix (classifiers)."""
        if self.task != "classification":
            return None
        return metrics.classification_report(
            y, metrics.predicted_classes(outputs, self.loss), list(self.labels))
