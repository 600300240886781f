"""What the training loop tells the world: progress events, how a run ended, Ctrl-C.

Plain dataclasses, so a progress callback (the CLI's reporter, a script) needs no training code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TrainStart:
    """Sent once before the first step."""

    epochs: int
    steps_per_epoch: int
    total_steps: int
    main_metric: str | None = None  # e.g. "accuracy": EpochDone.metrics has train_/val_ of it


@dataclass(frozen=True, slots=True)
class StepDone:
    """Sent after every optimizer step; `loss` is the batch's loss before the update."""

    epoch: int
    step: int
    loss: float


@dataclass(frozen=True, slots=True)
class EpochDone:
    """Sent after every epoch with the losses on the whole training (and validation) set."""

    epoch: int
    epochs: int
    step: int
    train_loss: float
    val_loss: float | None
    seconds: float
    metrics: dict = field(default_factory=dict)  # train_accuracy, val_accuracy, ...


@dataclass
class TrainResult:
    """What a run ended with. status: completed | diverged | interrupted | failed."""

    status: str
    message: str
    steps: int
    epochs_completed: int
    initial_params: dict
    final_params: dict
    final_train_loss: float | None
    final_val_loss: float | None
    least_squares: dict | None
    metrics: dict | None = None
    early_stopping: dict | None = None
    train_losses: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    seconds: float = 0.0
    folder: Path | None = None


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training, after the run folder was flushed and marked `interrupted`.

    Still a KeyboardInterrupt (scripts stop as usual); `.result` holds the TrainResult.
    """

    def __init__(self, result: TrainResult, signum: int = 2):
        super().__init__(result.message)
        self.result, self.signum = result, signum
