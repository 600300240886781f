"""The confusion figure of a classifier: counts of true against predicted class, row percents.

Drawn from summary.json's per-class report (the validation rows when there is a split), so it
shows exactly what autograd-eval prints. Imports numpy and matplotlib (through figure.py).
"""

from __future__ import annotations

import numpy as np

from autogradcli.plotting.figure import new_figure, styled


def confusion_applies(run) -> str | None:
    """None when the run has a confusion matrix to draw, else why not."""
    if not run.is_classifier:
        return "the confusion matrix is for classifiers; this run does regression"
    if _report(run) is None:
        return "summary.json holds no per-class report (a run from before metrics, or unfinished)"
    return None


def _report(run) -> tuple[str, dict] | None:
    metrics = run.summary.get("metrics") or {}
    for split in ("val", "train"):
        report = (metrics.get(split) or {}).get("report")
        if report:
            return split, report
    return None


@styled
def confusion_figure(run):
    """Rows: the true class; columns: the predicted class. Each cell: count and row percent."""
    split, report = _report(run)
    labels, counts = report["labels"], np.asarray(report["confusion"], dtype=np.int64)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    k = len(labels)
    fig = new_figure() if k <= 5 else new_figure(figsize=(1.2 * k + 3.0, k + 2.2))
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.grid(False)
    for (i, j), n in np.ndenumerate(counts):
        colour = "white" if share[i, j] > 0.6 else "black"
        ax.text(j, i, f"{n}\n{share[i, j]:.0%}", ha="center", va="center", color=colour)
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 3 else 0, ha="right"
                  if len(labels) > 3 else "center")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    which = "validation" if split == "val" else "training"
    ax.set_title(f"Confusion matrix, {which} rows ({counts.sum()}, accuracy {accuracy:.1%}): "
                 f"{run.name}", fontsize=10)
    fig.colorbar(image, ax=ax, label="share of the true class's rows")
    return fig
