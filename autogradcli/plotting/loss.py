"""The loss figure: batch loss per step and per-epoch training/validation loss of one run.

Imports numpy, matplotlib (through figure.py) and runs/: never the CLI.
"""

from __future__ import annotations

import numpy as np

from autogradcli.plotting.figure import loss_title, new_figure, styled


def wants_log_scale(*arrays) -> bool:
    """True when every finite value is positive and they span more than ~1.5 decades."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() / values.min() > 30


@styled
def loss_figure(run):
    """Batch loss at every step (thin), per-epoch losses on the whole sets at each epoch's end."""
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot(run.step, run.loss, color="tab:blue", lw=0.8, alpha=0.45, label="batch loss (per step)")
    ends = run.epoch_end_steps()
    train, val = run.epochs["train_loss"], run.epochs["val_loss"]
    marker = "o" if len(ends) <= 40 else None
    ax.plot(ends, train, color="tab:blue", lw=2, marker=marker, ms=4,
            label="training loss (per epoch, whole set)")
    if np.isfinite(val).any():
        ax.plot(ends, val, color="tab:orange", lw=2, marker=marker, ms=4,
                label="validation loss (per epoch)")
    if wants_log_scale(run.loss, train, val):
        ax.set_yscale("log")
    name = loss_title(run.loss_kind)
    ax.set_xlabel("step")
    ax.set_ylabel(name)
    status = run.status
    note = f" ({status})" if status and status != "completed" and not run.title_note else ""
    ax.set_title(f"{name} during training: {run.name}{note}")
    ax.legend(loc="best")
    return fig
