"""Comparing runs: loss curves of several runs in one figure, a sweep's final loss per swept value.

Reads a sweep folder through sweeps/table.py, which owns sweep.csv. Imports numpy, matplotlib
(through figure.py) and runs/: never the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from matplotlib.lines import Line2D

from autogradcli.errors import RunFolderError
from autogradcli.nn.specs import default_mode
from autogradcli.plotting.figure import loss_title, new_figure, styled
from autogradcli.plotting.loss import wants_log_scale
from autogradcli.runs.listing import flatten
from autogradcli.runs.reader import load_run
from autogradcli.sweeps.table import SWEEP_CSV, SWEEP_YAML, read_sweep_csv


@dataclass
class Sweep:
    """A sweep folder: its runs (loaded), their swept values by key, their trial numbers and the
    epochs each reached (halving), and runs it could not read."""

    path: Path
    runs: list
    values: dict[str, list]
    skipped: list[str]
    trials: list[int] = field(default_factory=list)
    epochs: list[int | None] = field(default_factory=list)
    objective: str | None = None  # sweep.yaml's `objective`; None: the final loss


# ------------------------------------------------------------------------------ several runs


@styled
def loss_comparison_figure(runs, title: str | None = None, labels=None, legend_title=None):
    """Every run's per-epoch training loss (solid) over its batch losses (faint), x in epochs so
    that runs with different batch sizes line up; the legend, outside the axes, names each run by
    the values that differ between the runs (or by `labels`)."""
    if labels is None:
        labels, legend_title = run_labels(runs)
    longest = max((len(label) for label in labels), default=10)
    columns = 1 if len(runs) <= 18 else 2
    width = 7.0 + min(5.0, 0.075 * longest * columns + 0.6)  # room for the legend on the right
    fig = new_figure(figsize=(width, 5.0))
    ax = fig.add_subplot()
    arrays = []
    for i, run in enumerate(runs):
        colour = f"C{i % 10}"
        style = ("-", "--", ":")[(i // 10) % 3]  # past ten colours, the line style tells apart
        per_epoch = max(1, int(np.max(np.bincount(run.epoch))))
        ax.plot(run.step / per_epoch, run.loss, color=colour, lw=0.6, alpha=0.25)
        train = run.epochs["train_loss"]
        ax.plot(run.epochs["epoch"], train, color=colour, lw=2, ls=style, label=labels[i])
        arrays += [run.loss, train]
    if wants_log_scale(*arrays):
        ax.set_yscale("log")
    kinds = {run.loss_kind for run in runs}
    name = loss_title(kinds.pop(), "loss") if len(kinds) == 1 else "loss"
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training {name}")
    ax.set_title(title or f"Training loss of {len(runs)} runs (faint: batch loss per step)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, ncol=columns,
              title=legend_title, fontsize=8 if len(runs) > 10 else 9)
    return fig


def run_labels(runs) -> tuple[list[str], str]:
    """(a short label per run, the legend's title): only the config values that differ between
    the runs (at most three, keys shortened to their last part, e.g. `lr=0.1`), else the folder
    name; a run that did not complete says how it ended."""
    flat = [flatten(run.config) for run in runs]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    differ = [k for k in keys if not k.startswith(("output.", "name"))
              and len({repr(f.get(k)) for f in flat}) > 1][:3]
    short = {k: k.rsplit(".", 1)[-1] for k in differ}
    if len(set(short.values())) < len(short):
        short = {k: k for k in differ}
    labels = []
    for run, values in zip(runs, flat):
        if differ and len(runs) > 1:
            label = ", ".join(f"{short[k]}={_short_value(values.get(k))}" for k in differ)
        else:
            label = run.name
        status = run.summary.get("status", "completed")
        labels.append(label if status == "completed" else f"{label} [{status}]")
    title = ", ".join(differ) if differ and len(runs) > 1 else "run"
    return labels, title


def _short_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# ------------------------------------------------------------------------------ sweeps


def is_sweep(path: Path) -> bool:
    return (path / SWEEP_CSV).is_file()


def load_sweep(path: Path) -> Sweep:
    """Read sweep.csv and the runs it lists; runs that cannot be read are listed in `skipped`."""
    keys, rows = read_sweep_csv(path / SWEEP_CSV)
    runs, values, skipped, trials, epochs = [], {k: [] for k in keys}, [], [], []
    for number, row in enumerate(rows, start=1):
        try:
            run = load_run(path / row["folder"])
        except RunFolderError as exc:
            skipped.append(f"{row['folder']}: {exc.message}")
            continue
        runs.append(run)
        for key in keys:
            values[key].append(_number_or_text(row.get(key, "")))
        trial = _number_or_text(row.get("trial", ""))
        trials.append(int(trial) if isinstance(trial, float) else number)
        reached = run.summary.get("epochs_completed")
        epochs.append(reached if isinstance(reached, int) else None)
    if not runs:
        raise RunFolderError("no readable runs in this sweep", where=str(path),
                             hint="; ".join(skipped[:3]) or "sweep.csv lists no runs")
    return Sweep(path, runs, values, skipped, trials, epochs, _objective(path))


def _objective(path: Path) -> str | None:
    try:
        data = yaml.safe_load((path / SWEEP_YAML).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    section = data.get("sweep") if isinstance(data, dict) else None
    chosen = section.get("objective") if isinstance(section, dict) else None
    return chosen if isinstance(chosen, str) else None


def objective_value(run, objective: str | None) -> float:
    """The run's final value of the objective (an epochs.csv column such as val_accuracy), or
    its final loss when None; NaN when it has none."""
    if objective is None:
        return final_loss(run)
    if objective in ("train_loss", "val_loss"):
        value = run.summary.get(f"final_{objective}")
    else:
        split, _, name = objective.partition("_")
        value = ((run.summary.get("metrics") or {}).get(split) or {}).get(name)
    return float("nan") if not isinstance(value, (int, float)) else float(value)


def _number_or_text(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def final_loss(run) -> float:
    """The validation loss when the run has a split, else the training loss (NaN if none)."""
    value = run.summary.get("final_val_loss")
    if value is None:
        value = run.summary.get("final_train_loss")
    if value is None and len(run.epochs["train_loss"]):
        value = run.epochs["train_loss"][-1]
    return float("nan") if value is None else float(value)


def _loss_label(sweep: Sweep) -> str:
    with_val = any(run.summary.get("final_val_loss") is not None for run in sweep.runs)
    return "final validation loss" if with_val else "final training loss"


@styled
def sweep_figure(sweep: Sweep):
    """Final loss against each swept value, one panel per key; every point is labelled with its
    trial number (the table of sweep.csv and of the report says which run it is), the best run
    is ringed, and with halving the colour says how many epochs a run reached."""
    keys = list(sweep.values) or ["run"]
    fig = new_figure(figsize=(max(7.0, 4.6 * len(keys)), 4.8))
    losses = np.array([objective_value(run, sweep.objective) for run in sweep.runs])
    budgets = sorted({e for e in sweep.epochs if e is not None})
    colours = {e: f"C{i % 10}" for i, e in enumerate(budgets)}
    finite = np.isfinite(losses)
    maximize = sweep.objective is not None and default_mode(sweep.objective) == "max"
    sign = -1.0 if maximize else 1.0
    best = int(np.nanargmin(np.where(finite, sign * losses, np.nan))) if finite.any() else None
    for i, key in enumerate(keys):
        ax = fig.add_subplot(1, len(keys), i + 1)
        xs = sweep.values.get(key) or [run.name for run in sweep.runs]
        numeric = all(isinstance(v, float) for v in xs)
        labels = sorted(set(map(str, xs))) if not numeric else []
        positions = np.array(xs) if numeric else np.array([labels.index(str(v)) for v in xs])
        ring = _scatter(ax, positions, losses, sweep, colours if len(budgets) > 1 else None,
                        best)
        if numeric and min(xs) > 0 and max(xs) / min(xs) >= 10:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        if wants_log_scale(losses) and not maximize:
            ax.set_yscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(_loss_label(sweep) if sweep.objective is None else
                      f"final {sweep.objective}")
        what = "loss" if sweep.objective is None else sweep.objective
        ax.set_title(f"final {what} vs {key} (numbers: trials)")
    handles = [Line2D([], [], ls="", marker="o", color=colours[e], label=f"{e} epochs")
               for e in budgets] if len(budgets) > 1 else []
    handles += [ring] if ring is not None else []
    if len(budgets) > 1:
        fig.axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                            borderaxespad=0.0, title="epochs reached", fontsize=8)
    elif handles:
        fig.axes[-1].legend(handles=handles, loc="best", fontsize=8)
    fig.suptitle(f"Sweep {sweep.path.resolve().name}: {len(sweep.runs)} runs")
    return fig


def _scatter(ax, positions, losses, sweep: Sweep, colours, best) -> None:
    point_colours = ["tab:blue" if colours is None else colours.get(e, "tab:gray")
                     for e in sweep.epochs]
    ax.scatter(positions, losses, c=point_colours, zorder=3, s=28)
    order = np.argsort(positions, kind="stable")
    for rank, index in enumerate(order):  # neighbours' numbers alternate above and below
        x, y, trial = positions[index], losses[index], sweep.trials[index]
        if np.isfinite(y):
            ax.annotate(str(trial), (x, y), textcoords="offset points", fontsize=8,
                        xytext=(4, 4) if rank % 2 == 0 else (4, -11), color="0.25")
    if best is None:
        return None
    return ax.scatter([positions[best]], [losses[best]], s=160, facecolors="none",
                      edgecolors="tab:red", linewidths=1.5, zorder=4,
                      label=f"best: trial {sweep.trials[best]}")


def sweep_labels(sweep: Sweep) -> tuple[list[str], str]:
    """(`#trial key=value, ...` per run, the legend's title) from the swept values."""
    keys = list(sweep.values)
    short = {k: k.rsplit(".", 1)[-1] for k in keys}
    if len(set(short.values())) < len(short):
        short = {k: k for k in keys}
    labels = []
    for i, (run, trial) in enumerate(zip(sweep.runs, sweep.trials)):
        values = ", ".join(f"{short[k]}={_short_value(sweep.values[k][i])}" for k in keys)
        status = run.summary.get("status", "completed")
        label = f"#{trial} {values}"
        labels.append(label if status == "completed" else f"{label} [{status}]")
    return labels, "trial, " + ", ".join(keys)
