"""Learning-rate schedules, stepped once per epoch, with PyTorch's formulas of the same names.

Each schedule answers `lr(epoch)` for the epoch about to run (0-based) and is told each finished
epoch's monitored value (only reduce_on_plateau listens). Their state is plain numbers, so a
checkpoint stores it as JSON and a resumed run continues with exactly the same rates.
"""

from __future__ import annotations

import math


class Schedule:
    """Constant: every epoch uses the base learning rate."""

    def __init__(self, lr: float):
        self.base = float(lr)

    def lr(self, epoch: int) -> float:
        return self.base

    def observe(self, value: float | None) -> None:
        """A finished epoch's monitored value (reduce_on_plateau's input; others ignore it)."""

    def state(self) -> dict:
        return {}

    def restore(self, state: dict) -> None:
        pass


class StepSchedule(Schedule):
    """lr * gamma ** (epoch // step_size), as torch.optim.lr_scheduler.StepLR."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        super().__init__(lr)
        self.step_size, self.gamma = int(step_size), float(gamma)

    def lr(self, epoch):
        return self.base * self.gamma ** (epoch // self.step_size)


class ExponentialSchedule(Schedule):
    """lr * gamma ** epoch, as torch.optim.lr_scheduler.ExponentialLR."""

    def __init__(self, lr: float, gamma: float):
        super().__init__(lr)
        self.gamma = float(gamma)

    def lr(self, epoch):
        return self.base * self.gamma ** epoch


class CosineSchedule(Schedule):
    """Optional linear warmup, then cosine annealing from lr to min_lr.

    Warmup epoch e (0-based, e < W): lr * (e + 1) / (W + 1). Then, with t = epoch - W and
    T = epochs - W: min_lr + (lr - min_lr) * (1 + cos(pi * t / T)) / 2, the closed form of
    torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=min_lr).
    """

    def __init__(self, lr: float, epochs: int, min_lr: float = 0.0, warmup_epochs: int = 0):
        super().__init__(lr)
        self.epochs, self.min_lr, self.warmup = int(epochs), float(min_lr), int(warmup_epochs)

    def lr(self, epoch):
        if epoch < self.warmup:
            return self.base * (epoch + 1) / (self.warmup + 1)
        t, total = epoch - self.warmup, max(self.epochs - self.warmup, 1)
        return self.min_lr + (self.base - self.min_lr) * (1 + math.cos(math.pi * t / total)) / 2


class PlateauSchedule(Schedule):
    """torch.optim.lr_scheduler.ReduceLROnPlateau (threshold_mode "rel", cooldown 0): when the
    monitored value has not improved on the best by more than `threshold` (relative) for more
    than `patience` epochs, lr becomes max(lr * factor, min_lr)."""

    def __init__(self, lr: float, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 min_lr: float = 0.0, threshold: float = 1e-4):
        super().__init__(lr)
        self.mode, self.factor, self.patience = mode, float(factor), int(patience)
        self.min_lr, self.threshold = float(min_lr), float(threshold)
        self.current = self.base
        self.best = math.inf if mode == "min" else -math.inf
        self.bad_epochs = 0

    def lr(self, epoch):
        return self.current

    def observe(self, value):
        if value is None or not math.isfinite(value):
            return
        if self._better(value):
            self.best, self.bad_epochs = value, 0
        else:
            self.bad_epochs += 1
        if self.bad_epochs > self.patience:
            reduced = max(self.current * self.factor, self.min_lr)
            if self.current - reduced > 1e-8:  # torch's eps: no change below it
                self.current = reduced
            self.bad_epochs = 0

    def _better(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best * (1 - self.threshold)
        return value > self.best * (1 + self.threshold)

    def state(self):
        return {"current": self.current, "best": self.best, "bad_epochs": self.bad_epochs}

    def restore(self, state):
        self.current, self.best = float(state["current"]), float(state["best"])
        self.bad_epochs = int(state["bad_epochs"])


SCHEDULES = {"constant": Schedule, "step": StepSchedule, "exponential": ExponentialSchedule,
             "cosine": CosineSchedule, "reduce_on_plateau": PlateauSchedule}
