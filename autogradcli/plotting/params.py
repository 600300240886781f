"""The params figure: each history.csv parameter column over the steps, with its reference value.

Imports numpy, matplotlib (through figure.py) and runs/: never the CLI.
"""

from __future__ import annotations

import numpy as np

from autogradcli.plotting.figure import new_figure, styled


@styled
def params_figure(run):
    """Each parameter (or, for tensors, its L2 norm) against the step, starting at step 0 with
    the initial values; dashed: the least-squares (or true) value in the same colour."""
    reference, ref_label = run.reference()
    initial = run.initial_params
    fig = new_figure()
    ax = fig.add_subplot()
    colours = [f"C{i}" for i in range(10)]
    any_norm = False
    for i, (column, values) in enumerate(run.columns.items()):
        colour = colours[i % 10]
        name, is_norm = (column[:-5], True) if column.endswith("_norm") else (column, False)
        any_norm = any_norm or is_norm
        steps, ys = run.step, values
        if name in initial:
            steps = np.concatenate([[0], run.step])
            ys = np.concatenate([[_scalar(initial[name], is_norm)], values])
        label = f"‖{name}‖" if is_norm else name
        ax.plot(steps, ys, color=colour, lw=1.6, label=label)
        if reference is not None and name in reference:
            level = _scalar(reference[name], is_norm)
            ax.axhline(level, color=colour, ls="--", lw=1.1, alpha=0.8,
                       label=f"{label}: {ref_label} {level:.3g}")
    ax.set_xlabel("step")
    ax.set_ylabel("value (L2 norm for tensors)" if any_norm else "parameter value")
    ax.set_title(f"Parameters over {run.step[-1]} steps: {run.name}")
    ax.legend(loc="best", ncol=2 if len(run.columns) > 4 else 1)
    return fig


def _scalar(value, is_norm: bool) -> float:
    value = np.asarray(value, dtype=np.float64)
    return float(np.sqrt(np.sum(value * value))) if is_norm else float(value)
