"""What a run folder holds: its file names, the statuses a run ends with, its CSV columns and cells.

The one owner of these names (docs/run-folder.md documents them); writer, reader, training,
sweeps and plotting import them from here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

HISTORY = "history.csv"
EPOCHS = "epochs.csv"
SUMMARY = "summary.json"
CONFIG = "config.yaml"
DATA = "data.csv"
DATA_SOURCE = "data_source.json"  # instead of data.csv for CSV data: where it is, its hash, split
MODEL = "model.npz"
CHECKPOINT = "checkpoint.npz"
FILES = (HISTORY, EPOCHS, MODEL, CHECKPOINT, SUMMARY, CONFIG, DATA, DATA_SOURCE)  # all a run writes
REQUIRED = (HISTORY, EPOCHS, SUMMARY, CONFIG)  # what a reader needs (data.csv can be remade)

RUNNING = "running"
ENDINGS = ("completed", "diverged", "interrupted", "failed")  # how a run can end
STATUSES = (RUNNING, *ENDINGS)
FINISHED = ("completed", "diverged")  # deterministic endings: a rerun would give the same

EPOCH_COLUMNS = ("epoch", "train_loss", "val_loss", "lr", "seconds")  # then train_/val_ metrics
HISTORY_TAIL = ("loss", "lr")  # after the parameter columns; then grad_norm when clipping
SMALL_PARAMS = 64  # summary.json lists parameter values up to this many numbers (model.npz has all)


def fmt(value) -> str:
    """One CSV cell: repr of a float (shortest round-trip, so reruns are byte-identical)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def history_columns(shapes: Mapping[str, tuple]) -> list[str]:
    """history.csv's parameter columns: the name of a scalar, `{name}_norm` for a tensor."""
    return [name if tuple(shape) == () else f"{name}_norm" for name, shape in shapes.items()]
