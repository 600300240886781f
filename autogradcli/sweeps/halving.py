"""Successive halving: the rungs' budgets, each trial's state before a rung, and the ranking.

Every trial starts with a small budget of epochs; the best 1/eta by the objective at that budget
continue from their checkpoints with eta times the budget, until training.epochs. Ranking waits
for a whole rung and breaks ties by trial number, so the result does not depend on which run
finished first (jobs, executor). Imports runs/ and config; never the CLI.
"""

from __future__ import annotations

import math
from pathlib import Path

from autogradcli.config import Config
from autogradcli.errors import ConfigError, RunFolderError
from autogradcli.nn.specs import default_mode, monitor_columns
from autogradcli.runs.layout import EPOCHS, FINISHED
from autogradcli.runs.reader import read_numeric_csv, summary_or_none

__all__ = ["check_halving", "objective_at", "objective_column", "rank", "rungs", "trial_state"]


def rungs(trials: int, max_epochs: int, eta: int) -> list[tuple[int, int]]:
    """[(trials that run, epochs they reach)] per rung.

    s halvings, s the largest with eta**s <= trials and max_epochs // eta**s >= 1; rung k runs
    trials // eta**k trials (at least 1) to max_epochs // eta**(s - k) epochs, the last rung to
    max_epochs. E.g. 16 trials, 10 epochs, eta 3: (16, 1), (5, 3), (1, 10).
    """
    s = 0
    while eta ** (s + 1) <= trials and max_epochs // eta ** (s + 1) >= 1:
        s += 1
    plan = [(max(1, trials // eta**k), max_epochs // eta ** (s - k)) for k in range(s + 1)]
    merged: list[tuple[int, int]] = []
    for n, budget in plan:  # two rungs with one budget would train nothing new
        if merged and merged[-1][1] == budget:
            merged[-1] = (n, budget)
        else:
            merged.append((n, budget))
    return merged


def check_halving(base: Config, where: str) -> None:
    """ConfigError unless halving can continue this config's runs with more epochs."""
    if base.optimizer.schedule.kind == "cosine":
        raise ConfigError("halving continues runs with more epochs, but a cosine schedule spans "
                          "a run's epochs (every epoch's rate would change)", where=where,
                          hint="use a schedule that does not depend on training.epochs, or "
                               "strategy random")


def objective_column(base: Config, objective: str | None, where: str) -> str:
    """The epochs.csv column runs are ranked by: `objective`, else val_loss when there is a
    validation split, else train_loss. ConfigError for a column the runs will not have."""
    task = "classification" if base.data.is_classification() else "regression"
    with_val = base.data.val_fraction > 0
    columns = monitor_columns(task, base.training.metrics, with_val)
    chosen = objective or ("val_loss" if with_val else "train_loss")
    if chosen not in columns:
        why = ("there is no validation split (data.val_fraction is 0)"
               if chosen.startswith("val_") and f"train_{chosen[4:]}" in columns
               else "not a column of epochs.csv")
        raise ConfigError(f"cannot rank by {chosen!r}: {why}", where=where,
                          hint=f"choose one of {', '.join(columns)}")
    return chosen


def trial_state(folder: Path, budget: int) -> str:
    """What a trial's run folder needs before a rung: `done` (it reached the budget, or it cannot
    go on: diverged, stopped early), `extend` (completed with fewer epochs) or `train` (no
    finished run)."""
    summary = summary_or_none(folder)
    if summary is None or summary.get("status") not in FINISHED:
        return "train"
    if summary.get("status") == "diverged" or summary.get("stopped_early"):
        return "done"
    reached = summary.get("epochs_completed")
    if isinstance(reached, int) and reached >= budget:
        return "done"
    return "extend"


def objective_at(folder: Path, column: str, epoch: int) -> float | None:
    """The column's value in epochs.csv at `epoch` (or the last epoch before it, for a run that
    stopped early); None for a run that diverged, failed or has no such value."""
    summary = summary_or_none(folder)
    if summary is None or summary.get("status") != "completed":
        return None
    try:
        header, table = read_numeric_csv(folder / EPOCHS, allow_empty=True)
    except RunFolderError:
        return None
    if column not in header or len(table) == 0:
        return None
    rows = table[table[:, 0] <= epoch]
    if len(rows) == 0:
        return None
    value = float(rows[-1, header.index(column)])
    return value if math.isfinite(value) else None


def rank(scores: list[tuple[int, float | None]], column: str, keep: int) -> list[int]:
    """The `keep` best trial numbers among (trial, score), best first; ties and missing scores
    go by trial number."""
    sign = -1.0 if default_mode(column) == "max" else 1.0
    scored = sorted((sign * score, trial) for trial, score in scores if score is not None)
    unscored = sorted(trial for trial, score in scores if score is None)
    return [trial for _, trial in scored][:keep] + unscored[: max(0, keep - len(scored))]
