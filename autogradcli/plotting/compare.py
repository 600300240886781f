"""Comparing runs: loss curves of several runs in one figure, a sweep's final loss per swept value.

Reads a sweep folder through sweeps/table.py, which owns sweep.csv. Imports numpy, matplotlib
(through figure.py) and runs/: never the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autogradcli.errors import RunFolderError
from autogradcli.plotting.figure import loss_title, new_figure, styled
from autogradcli.plotting.loss import wants_log_scale
from autogradcli.runs.reader import load_run
from autogradcli.sweeps.table import SWEEP_CSV, read_sweep_csv


@dataclass
class Sweep:
    """A sweep folder: its runs (loaded), their swept values by key, and runs it could not read."""

    path: Path
    runs: list
    values: dict[str, list]
    skipped: list[str]


# ------------------------------------------------------------------------------ several runs


@styled
def loss_comparison_figure(runs, title: str | None = None):
    """Every run's per-epoch training loss (solid) over its batch losses (faint), x in epochs so
    that runs with different batch sizes line up; the legend names the runs."""
    fig = new_figure()
    ax = fig.add_subplot()
    arrays = []
    labels = run_labels(runs)
    for i, run in enumerate(runs):
        colour = f"C{i % 10}"
        per_epoch = max(1, int(np.max(np.bincount(run.epoch))))
        ax.plot(run.step / per_epoch, run.loss, color=colour, lw=0.6, alpha=0.25)
        train = run.epochs["train_loss"]
        ax.plot(run.epochs["epoch"], train, color=colour, lw=2, label=labels[i])
        arrays += [run.loss, train]
    if wants_log_scale(*arrays):
        ax.set_yscale("log")
    kinds = {run.loss_kind for run in runs}
    name = loss_title(kinds.pop(), "loss") if len(kinds) == 1 else "loss"
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training {name}")
    ax.set_title(title or f"Training loss of {len(runs)} runs (faint: batch loss per step)")
    ax.legend(loc="best", ncol=2 if len(runs) > 6 else 1, title="run")
    return fig


def run_labels(runs) -> list[str]:
    """Each run's folder name, with the config values that differ between the runs (at most
    three, e.g. `optimizer.lr=0.1`) and its status when it did not complete."""
    flat = [_flatten(run.config) for run in runs]
    keys = sorted({k for f in flat for k in f})
    differ = [k for k in keys if not k.startswith(("output.", "name"))
              and len({repr(f.get(k)) for f in flat}) > 1][:3]
    labels = []
    for run, values in zip(runs, flat):
        label = run.name
        if differ and len(runs) > 1:
            label += " (" + ", ".join(f"{k}={values.get(k)}" for k in differ) + ")"
        status = run.summary.get("status", "completed")
        labels.append(label if status == "completed" else f"{label} [{status}]")
    return labels


def _flatten(mapping, prefix="") -> dict:
    flat = {}
    for key, value in (mapping or {}).items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# ------------------------------------------------------------------------------ sweeps


def is_sweep(path: Path) -> bool:
    return (path / SWEEP_CSV).is_file()


def load_sweep(path: Path) -> Sweep:
    """Read sweep.csv and the runs it lists; runs that cannot be read are listed in `skipped`."""
    keys, rows = read_sweep_csv(path / SWEEP_CSV)
    runs, values, skipped = [], {k: [] for k in keys}, []
    for row in rows:
        try:
            run = load_run(path / row["folder"])
        except RunFolderError as exc:
            skipped.append(f"{row['folder']}: {exc.message}")
            continue
        runs.append(run)
        for key in keys:
            values[key].append(_number_or_text(row.get(key, "")))
    if not runs:
        raise RunFolderError("no readable runs in this sweep", where=str(path),
                             hint="; ".join(skipped[:3]) or "sweep.csv lists no runs")
    return Sweep(path, runs, values, skipped)


def _number_or_text(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def final_loss(run) -> float:
    value = run.summary.get("final_train_loss")
    if value is None and len(run.epochs["train_loss"]):
        value = run.epochs["train_loss"][-1]
    return float("nan") if value is None else float(value)


@styled
def sweep_figure(sweep: Sweep):
    """Final training loss against each swept value: one panel per key."""
    keys = list(sweep.values) or ["run"]
    fig = new_figure(figsize=(max(7.0, 4.2 * len(keys)), 4.5))
    losses = np.array([final_loss(run) for run in sweep.runs])
    for i, key in enumerate(keys):
        ax = fig.add_subplot(1, len(keys), i + 1)
        xs = sweep.values.get(key) or [run.name for run in sweep.runs]
        numeric = all(isinstance(v, float) for v in xs)
        positions = np.array(xs) if numeric else np.arange(len(xs))
        if len(set(xs)) == len(xs):
            order = np.argsort(positions, kind="stable")
            ax.plot(positions[order], losses[order], color="tab:blue", lw=1, alpha=0.5)
        ax.scatter(positions, losses, color="tab:blue", zorder=3, label="one run")
        if numeric and min(xs) > 0 and max(xs) / min(xs) >= 10:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(positions, [str(v) for v in xs], rotation=30, ha="right")
        if wants_log_scale(losses):
            ax.set_yscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel("final training loss")
        ax.set_title(f"final loss vs {key}")
    fig.suptitle(f"Sweep {sweep.path.resolve().name}: {len(sweep.runs)} runs")
    return fig
