"""Running a sweep: every point of the grid (inline, local processes or Dask), with resume.

Owns the sweep folder (sweep.yaml, sweep.csv, one run folder per point; docs/sweeps.md). Never
imports the CLI, rich or typer, and it never prints.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autogradcli.config import Config, config_to_yaml
from autogradcli.config.yaml_source import show
from autogradcli.errors import ConfigError, RunFolderError
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.lock import FolderLock
from autogradcli.runs.reader import summary_or_none
from autogradcli.sweeps.executors import RunOutcome, RunTask, open_executor
from autogradcli.sweeps.grid import expand_grid, merge_grid, point_configs, run_names, validate_grid
from autogradcli.sweeps.resume import (
    PARTIAL,
    Point,
    can_continue,
    check_folder,
    clear_partials,
    move_run,
    plan,
    refuse_conflicts,
    remove_sweep,
    resolve_base,
    resumable,
    unpack,
)
from autogradcli.sweeps.table import (
    SWEEP_CSV,
    SWEEP_YAML,
    RunDone,
    SweepResult,
    SweepRow,
    sweep_csv,
)
from autogradcli.sweeps.tracker import SweepTracker

__all__ = ["EXECUTORS", "sweep"]

EXECUTORS = ("local", "dask")


def sweep(config: Config, grid: dict[str, list] | None = None, *, out=None, jobs: int = 1,
          executor: str = "local", scheduler: str | None = None, overwrite: bool = False,
          progress: Callable[[Any], None] | None = None) -> SweepResult:
    """Run every combination of `grid` (merged over the config's `sweep:` section).

    Each point trains into `<sweep folder>/<name>`; the sweep folder (`out`, default
    `output_dir(config)-sweep`) also gets sweep.yaml and sweep.csv. Finished runs (completed or
    diverged) with the same config are kept, so a rerun resumes. `jobs` local processes, or
    executor="dask" on the cluster at `scheduler`. `progress(event)` gets a RunDone per finished run
    (kept runs first, with skipped=True).
    Raises ConfigError (bad grid, jobs, executor or scheduler) and RunFolderError (a finished run
    would be overwritten) before anything starts; KeyboardInterrupt after stopping the workers.
    """
    _check_options(jobs, executor, scheduler)
    merged, given = merge_grid(config, grid)
    base, folder = resolve_base(config, out)
    base = base.copied(sweep=None)
    validate_grid(base, merged, given)
    values = expand_grid(merged)
    names = run_names(values)
    configs = point_configs(base, values, names)
    points = [Point(n, v, c, folder / n) for n, v, c in zip(names, values, configs)]
    replacing = check_folder(folder, overwrite, list(merged))
    plan(points, overwrite)
    refuse_conflicts(folder, points)
    refuse_unwritable(folder, points)
    pool = open_executor(executor, jobs, scheduler, sum(p.state == "run" for p in points))
    return _Sweep(folder, merged, base, points, progress, replacing).run(pool, executor == "dask")


def refuse_unwritable(folder: Path, points: list[Point]) -> None:
    """Before anything trains: this user must be able to write the sweep folder and every run
    folder the sweep will (re)write (or create them), else RunFolderError naming the first."""
    for path in [folder, *(p.folder for p in points if p.state == "run")]:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            doing = "write into" if existing == path else f"create {path} in"
            raise RunFolderError(f"cannot {doing} this folder: permission denied",
                                 where=str(existing),
                                 hint="make it writable (chmod u+w), or sweep into another folder "
                                      "({--out} DIR); nothing was trained")


def _check_options(jobs: Any, executor: str, scheduler: str | None) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs must be a whole number >= 1, got {show(jobs)}", where="{--jobs}",
                          hint=f"e.g. {{--jobs}} {os.cpu_count() or 2} (one per CPU core)")
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {show(executor)}", where="{--executor}",
                          hint=f"use one of {', '.join(EXECUTORS)}")
    if executor == "dask" and not scheduler:
        raise ConfigError("the dask executor needs a scheduler address", where="{--scheduler}",
                          hint="e.g. {--scheduler} tcp://host:8786 "
                               "(start one with `dask scheduler`)")


class _Sweep:
    """One execution: writes sweep.yaml, stores each outcome, keeps sweep.csv current."""

    def __init__(self, folder, grid, base, points, progress, replacing=False):
        self.folder, self.grid, self.base, self.points = folder, grid, base, points
        self.replacing = replacing  # the folder holds a sweep over other keys: remove it first
        self.progress = progress
        self.rows: dict[str, SweepRow] = {}
        self.done = 0
        self.started = False
        self.tracker: SweepTracker | None = None

    def run(self, pool, remote: bool) -> SweepResult:
        by_name = {p.name: p for p in self.points}
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(self.folder, "sweep").acquire()  # one sweep per folder at a time
        try:
            with pool:
                self._start()
                tasks = [self._task(p, remote) for p in self.points if p.state == "run"]
                for outcome in pool.run(tasks):
                    self._finish(by_name[outcome.name], outcome)
        finally:
            # after the pool stopped its workers: nothing writes into .partial-* any more
            if self.started:
                self._write_csv()
                clear_partials(self.folder, keep=can_continue)  # a rerun continues them
            if self.tracker is not None:
                self.tracker.close()
            lock.release()
        warnings = self.tracker.warnings if self.tracker is not None else []
        return SweepResult(self.folder, list(self.grid), self._ordered_rows(), warnings)

    def _start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started = True
        if self.replacing:
            remove_sweep(self.folder, keep={p.name for p in self.points})
        waiting = {f"{PARTIAL}{p.name}": p for p in self.points if p.state == "run"}
        clear_partials(self.folder, keep=lambda path: path.name in waiting
                       and resumable(path, waiting[path.name].config))
        swept = self.base.copied(sweep=self.grid)
        write_atomic(self.folder / SWEEP_YAML, config_to_yaml(swept, relative_to=self.folder))
        self.tracker = SweepTracker(self.base, swept, self.folder)
        for point in (p for p in self.points if p.state == "skip"):
            self.tracker.add(point.folder, kept=True)
            self._record(point, row_of(point, point.summary, None, skipped=True))

    def _task(self, point: Point, remote: bool) -> RunTask:
        if remote:
            return RunTask(point.name, point.config, None)
        scratch = self.folder / f"{PARTIAL}{point.name}"
        return RunTask(point.name, point.config, str(scratch), resume=scratch.is_dir())

    def _finish(self, point: Point, outcome: RunOutcome) -> None:
        partial = self.folder / f"{PARTIAL}{point.name}"
        if outcome.files is not None:
            unpack(partial, outcome.files, point.config)
        summary = summary_or_none(partial)
        if summary is not None:
            try:
                move_run(partial, point.folder)
            except OSError as exc:  # its folder turned unwritable since the sweep began
                summary = None
                outcome = RunOutcome(point.name, "failed", (
                    f"cannot move the run into {point.folder}: {exc.strerror or exc}; make "
                    "the folder writable, then rerun the sweep (this run trains again)"),
                    outcome.seconds)
                self._record(point, row_of(point, summary, outcome, skipped=False))
                self._write_csv()
                return
            self.tracker.add(point.folder)
        shutil.rmtree(partial, ignore_errors=True)
        self._record(point, row_of(point, summary, outcome, skipped=False))
        self._write_csv()

    def _record(self, point: Point, row: SweepRow) -> None:
        self.rows[point.name] = row
        self.done += 1
        self._report(RunDone(self.done, len(self.points), row.name, row.values, row.status,
                             row.final_train_loss, row.final_val_loss, row.seconds, row.message,
                             row.skipped, row.folder))

    def _ordered_rows(self) -> list[SweepRow]:
        return [self.rows[p.name] for p in self.points if p.name in self.rows]

    def _write_csv(self) -> None:
        write_atomic(self.folder / SWEEP_CSV, sweep_csv(list(self.grid), self._ordered_rows()))

    def _report(self, event) -> None:
        if self.progress is not None:
            self.progress(event)


def row_of(point: Point, summary: dict | None, outcome: RunOutcome | None,
           skipped: bool) -> SweepRow:
    if summary is None:
        return SweepRow(point.name, point.values, outcome.status, outcome.message, None, None, None,
                        outcome.seconds, point.folder, skipped)
    seconds = summary.get("wall_seconds")
    if seconds is None and outcome is not None:
        seconds = outcome.seconds
    return SweepRow(point.name, point.values, summary.get("status", "failed"),
                    summary.get("message", ""), _number(summary.get("final_train_loss")),
                    _number(summary.get("final_val_loss")), summary.get("final_params"),
                    _number(seconds), point.folder, skipped)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None
