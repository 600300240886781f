"""Early stopping: end a run when its monitored value has stopped improving.

As Keras' and Lightning's: an epoch improves when it beats the best by more than min_delta (lower
for mode "min", higher for "max"); after `patience` epochs without improvement the run stops.
With restore_best the parameters of the best epoch are put back. Its state is plain numbers
and the best parameters, so a checkpoint can hold it and a resumed run decides the same way.
"""

from __future__ import annotations

import math

import numpy as np


class EarlyStopping:
    """Watches `monitor` (an epochs.csv column such as val_loss or val_accuracy)."""

    def __init__(self, monitor: str, mode: str = "min", patience: int = 5,
                 min_delta: float = 0.0, restore_best: bool = True):
        self.monitor, self.mode, self.patience = monitor, mode, int(patience)
        self.min_delta, self.restore_best = float(min_delta), bool(restore_best)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.bad_epochs = 0
        self.best_params: dict[str, np.ndarray] | None = None

    def update(self, epoch: int, value: float | None, params: dict) -> bool:
        """Record a finished epoch; True when the run should stop now."""
        if value is not None and math.isfinite(value) and self._improves(value):
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
            if self.restore_best:
                self.best_params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def _improves(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def state(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch, "bad_epochs": self.bad_epochs}

    def restore(self, state: dict, best_params: dict | None) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])
        self.bad_epochs = int(state["bad_epochs"])
        self.best_params = best_params or None
