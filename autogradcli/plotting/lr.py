"""The lr figure: the learning rate of every step (history.csv's lr), with the schedule's name.

Imports numpy and matplotlib (through figure.py): never the CLI.
"""

from __future__ import annotations

import numpy as np

from autogradcli.plotting.figure import new_figure, styled


def lr_applies(run) -> str | None:
    """None when the run recorded its learning rate per step, else why not."""
    if run.lr is None:
        return "history.csv has no lr column (a run from before schedules)"
    return None


def lr_varies(run) -> bool:
    return run.lr is not None and len(np.unique(run.lr)) > 1


@styled
def lr_figure(run):
    """The learning rate against the step; a log axis when it spans a factor of 10 or more."""
    fig = new_figure()
    ax = fig.add_subplot()
    ax.step(run.step, run.lr, where="post", color="tab:green", lw=1.8, label="learning rate")
    lr = run.lr[np.isfinite(run.lr)]
    if lr.size and lr.min() > 0 and lr.max() / lr.min() >= 10:
        ax.set_yscale("log")
    schedule = run.config.get("optimizer", {}).get("schedule", {}) or {}
    kind = schedule.get("kind", "constant")
    ends = run.epoch_end_steps()
    for end in ends[np.isfinite(ends)][:-1] if len(ends) <= 50 else []:
        ax.axvline(end + 0.5, color="0.85", lw=0.6, zorder=0)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title(f"Learning rate ({kind} schedule): {run.name}")
    ax.legend(loc="best")
    return fig
