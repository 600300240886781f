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

from autogradcli.config import Config, config_to_yaml, config_with
from autogradcli.config.yaml_source import show
from autogradcli.errors import ConfigError, RunFolderError
from autogradcli.nn.specs import default_mode
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import RUNNING
from autogradcli.runs.lock import FolderLock
from autogradcli.runs.reader import last_epoch, summary_or_none
from autogradcli.sweeps.executors import RunOutcome, RunTask, open_executor
from autogradcli.sweeps.grid import expand_grid, merge_grid, point_configs, run_names, validate_grid
from autogradcli.sweeps.halving import (
    check_halving,
    objective_at,
    objective_column,
    rank,
    rungs,
    trial_state,
)
from autogradcli.sweeps.resume import (
    PARTIAL,
    Point,
    can_continue,
    check_folder,
    clear_partials,
    copy_run,
    move_run,
    plan,
    refuse_conflicts,
    remove_sweep,
    resolve_base,
    resumable,
    run_files,
    unpack,
)
from autogradcli.sweeps.space import (
    SETTINGS,
    Distribution,
    Settings,
    draw_points,
    resolve_settings,
)
from autogradcli.sweeps.table import (
    SWEEP_CSV,
    SWEEP_YAML,
    InFlight,
    RunDone,
    SweepResult,
    SweepRow,
    SweepStart,
    summary_metrics,
    sweep_csv,
)
from autogradcli.sweeps.tracker import SweepTracker

__all__ = ["EXECUTORS", "sweep"]

EXECUTORS = ("local", "dask")


def sweep(config: Config, grid: dict[str, Any] | None = None, *, out=None, jobs: int = 1,
          executor: str = "local", scheduler: str | None = None, overwrite: bool = False,
          progress: Callable[[Any], None] | None = None, trials: int | None = None,
          strategy: str | None = None, eta: int | None = None,
          objective: str | None = None) -> SweepResult:
    """Run the points of a sweep: every combination of a grid, or `trials` drawn points (random
    search), or those trials by successive halving (strategy="halving").

    `grid` (key -> list of values or a space.Distribution) is merged over the config's `sweep:`
    section; trials, strategy, eta and objective over its settings (docs/sweeps.md). Each point
    trains into `<sweep folder>/<name>`; the sweep folder (`out`, default
    `output_dir(config)-sweep`) also gets sweep.yaml and sweep.csv. Finished runs with the same
    config are kept, so a rerun resumes. `jobs` local processes, or executor="dask" on the cluster
    at `scheduler`. `progress(event)` gets a SweepStart, then RunDone per finished run (kept runs
    with skipped=True) and InFlight while runs execute.
    Raises ConfigError (bad grid, jobs, executor or scheduler) and RunFolderError (a finished run
    would be overwritten) before anything starts; KeyboardInterrupt after stopping the workers.
    """
    _check_options(jobs, executor, scheduler)
    merged, given = merge_grid(config, grid)
    base, folder = resolve_base(config, out)
    where = _file(config)
    settings = resolve_settings(config.sweep, merged, where, trials=trials, strategy=strategy,
                                eta=eta, objective=objective)
    base = base.copied(sweep=None)
    validate_grid(base, merged, given)
    column = objective_column(base, settings.objective, _objective_origin(config, objective))
    halving = settings.strategy == "halving"
    if halving:
        check_halving(base, where)
    points = _points(base, folder, merged, settings)
    replacing = check_folder(folder, overwrite, list(merged))
    plan(points, overwrite, any_epochs=halving)
    refuse_conflicts(folder, points)
    refuse_unwritable(folder, points)
    n_tasks = len(points) if halving else sum(p.state == "run" for p in points)
    pool = open_executor(executor, jobs, scheduler, n_tasks)
    job = _Sweep(folder, merged, settings, column, base, points, progress, replacing)
    job.overwrite = overwrite
    return job.run(pool, executor == "dask")


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


def _points(base: Config, folder, space: dict[str, Any], settings: Settings) -> list[Point]:
    """The sweep's points, numbered: the grid's combinations, or `trials` draws."""
    if settings.trials is None:
        values = expand_grid(space)
        names = run_names(values)
    else:
        values = draw_points(space, settings.trials, base.seed)
        width = len(str(len(values)))
        names = [f"trial-{i:0{width}d}_{name}"[:100]
                 for i, name in enumerate(run_names(values), start=1)]
    configs = point_configs(base, values, names)
    return [Point(n, v, c, folder / n, trial=i)
            for i, (n, v, c) in enumerate(zip(names, values, configs), start=1)]


def _objective_origin(config: Config, given: str | None) -> str:
    if given is not None:
        return "{--objective}"
    if (config.sweep or {}).get("objective") is not None:
        return f"{_file(config)}: sweep.objective"
    return _file(config)


def _file(config: Config) -> str:
    return os.path.relpath(config.source) if config.source is not None else "config"


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

    def __init__(self, folder, grid, settings, column, base, points, progress, replacing=False):
        self.folder, self.grid, self.base, self.points = folder, grid, base, points
        self.settings, self.column = settings, column
        self.replacing = replacing  # the folder holds a sweep over other keys: remove it first
        self.progress = progress
        self.overwrite = False
        self.rows: dict[str, SweepRow] = {}
        self.done = 0
        self.started = False
        self.tracker: SweepTracker | None = None
        self.eager: dict[str, list[str]] = {}  # compile warning -> the runs it concerns
        self.rungs = (rungs(len(points), base.training.epochs, settings.eta)
                      if settings.strategy == "halving" else [])
        self.total = (sum(n for n, _ in self.rungs) if self.rungs else len(points))
        self.running: dict[str, tuple[Point, int]] = {}  # partial folder name -> point, epochs

    def run(self, pool, remote: bool) -> SweepResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(self.folder, "sweep").acquire()  # one sweep per folder at a time
        try:
            with pool:
                self._start()
                if self.rungs:
                    self._halve(pool, remote)
                else:
                    self._execute(pool, [self._task(p, remote) for p in self.points
                                         if p.state == "run"])
        finally:
            # after the pool stopped its workers: nothing writes into .partial-* any more
            if self.started:
                self._write_csv()
                clear_partials(self.folder, keep=can_continue)  # a rerun continues them
            if self.tracker is not None:
                self.tracker.close()
            lock.release()
        warnings = list(self.tracker.warnings) if self.tracker is not None else []
        warnings += [f"{', '.join(names)}: {warning}" for warning, names in self.eager.items()]
        return SweepResult(self.folder, list(self.grid), self._ordered_rows(), warnings,
                           self.settings.objective, self.settings.strategy)

    def _start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started = True
        if self.replacing:
            remove_sweep(self.folder, keep={p.name for p in self.points})
        halving = bool(self.rungs)
        waiting = {f"{PARTIAL}{p.name}": p for p in self.points if p.state == "run" or halving}
        clear_partials(self.folder, keep=lambda path: path.name in waiting
                       and resumable(path, waiting[path.name].config, any_epochs=halving))
        swept = self._swept()
        write_atomic(self.folder / SWEEP_YAML, config_to_yaml(swept, relative_to=self.folder))
        self.tracker = SweepTracker(self.base, swept, self.folder)
        self._report(SweepStart(self.folder, list(self.grid), self.total,
                                self.settings.strategy, self.column, list(self.rungs),
                                default_mode(self.column) == "max"))
        for point in (p for p in self.points if p.state == "skip" and not halving):
            self.tracker.add(point.folder, kept=True)
            self._record(point, row_of(point, point.summary, None, skipped=True))

    def _swept(self) -> Config:
        """The resolved config with the whole space (distributions as written) and the settings
        that differ from the defaults, as `sweep:` (what sweep.yaml holds)."""
        space = {k: str(v) if isinstance(v, Distribution) else v for k, v in self.grid.items()}
        defaults = Settings()
        for name in SETTINGS:
            value = getattr(self.settings, name)
            if value != getattr(defaults, name):
                space[name] = value
        return self.base.copied(sweep=space)

    def _execute(self, pool, tasks: list[RunTask]) -> None:
        by_name = {p.name: p for p in self.points}
        for task in tasks:
            self.running[f"{PARTIAL}{task.name}"] = (by_name[task.name], task.epochs or 0)
        for outcome in pool.run(tasks, progress=self._inline_progress):
            if outcome is None:
                if self.progress is not None:  # reading the folders is for someone to show
                    self._report(InFlight(in_flight(self.folder, self.running)))
                continue
            self.running.pop(f"{PARTIAL}{outcome.name}", None)
            self._finish(by_name[outcome.name], outcome)

    def _inline_progress(self, name: str, event: Any) -> None:
        if type(event).__name__ != "EpochDone" or self.progress is None:
            return
        point = next(p for p in self.points if p.name == name)
        loss = event.val_loss if event.val_loss is not None else event.train_loss
        self._report(InFlight([(name, point.values, event.epoch, event.epochs, loss)]))

    def _halve(self, pool, remote: bool) -> None:
        """Each rung: run (or extend) the trials still in, then keep the best for the next."""
        alive = list(self.points)
        for k, (keep, budget) in enumerate(self.rungs):
            if k:
                alive = self._survivors(alive, keep, self.rungs[k - 1][1])
            tasks = []
            for point in alive:
                fresh = k == 0 and self.overwrite
                state = "train" if fresh else trial_state(point.folder, budget)
                if state == "done":
                    summary = summary_or_none(point.folder)
                    self._record(point, row_of(point, summary, None, skipped=True))
                else:
                    tasks.append(self._rung_task(point, state, budget, remote))
            self._execute(pool, tasks)

    def _survivors(self, alive: list[Point], keep: int, epoch: int) -> list[Point]:
        scores = [(p.trial, objective_at(p.folder, self.column, epoch)) for p in alive]
        best = set(rank(scores, self.column, keep))
        return [p for p in alive if p.trial in best]

    def _rung_task(self, point: Point, state: str, budget: int, remote: bool) -> RunTask:
        config = config_with(point.config, {"training.epochs": budget})
        if remote:
            files = run_files(point.folder) if state == "extend" else None
            return RunTask(point.name, config, None, resume=files is not None, epochs=budget,
                           files=files)
        scratch = self.folder / f"{PARTIAL}{point.name}"
        if not resumable(scratch, point.config, any_epochs=True):
            shutil.rmtree(scratch, ignore_errors=True)
            if state == "extend":
                copy_run(point.folder, scratch)
        return RunTask(point.name, config, str(scratch), resume=scratch.is_dir(), epochs=budget)

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
        if summary is not None:
            from autogradcli.training.experiment import compile_warnings

            for warning in compile_warnings(point.config.training.compile, summary.get("compile")):
                self.eager.setdefault(warning, []).append(point.name)
        self._record(point, row_of(point, summary, outcome, skipped=False))
        self._write_csv()

    def _record(self, point: Point, row: SweepRow) -> None:
        self.rows[point.name] = row
        self.done += 1
        self._report(RunDone(self.done, self.total, row.name, row.values, row.status,
                             row.final_train_loss, row.final_val_loss, row.seconds, row.message,
                             row.skipped, row.folder, row.trial, row.epochs,
                             row.value_of(self.settings.objective)))

    def _ordered_rows(self) -> list[SweepRow]:
        return [self.rows[p.name] for p in self.points if p.name in self.rows]

    def _write_csv(self) -> None:
        write_atomic(self.folder / SWEEP_CSV, sweep_csv(list(self.grid), self._ordered_rows()))

    def _report(self, event) -> None:
        if self.progress is not None:
            self.progress(event)


def in_flight(folder, running: dict) -> list[tuple]:
    """(name, values, epoch, epochs, loss) of each run training in a partial folder now: its last
    epochs.csv row (val_loss if any, else train_loss)."""
    found = []
    for partial_name, (point, epochs) in running.items():
        summary = summary_or_none(folder / partial_name)
        if summary is None or summary.get("status") != RUNNING:
            continue
        epoch, loss = last_epoch(folder / partial_name)
        found.append((point.name, point.values, epoch, epochs or point.config.training.epochs,
                      loss))
    return found


def row_of(point: Point, summary: dict | None, outcome: RunOutcome | None,
           skipped: bool) -> SweepRow:
    if summary is None:
        return SweepRow(point.name, point.values, outcome.status, outcome.message, None, None, None,
                        outcome.seconds, point.folder, skipped, point.trial)
    seconds = summary.get("wall_seconds")
    if seconds is None and outcome is not None:
        seconds = outcome.seconds
    epochs = summary.get("epochs_completed")
    return SweepRow(point.name, point.values, summary.get("status", "failed"),
                    summary.get("message", ""), _number(summary.get("final_train_loss")),
                    _number(summary.get("final_val_loss")), summary.get("final_params"),
                    _number(seconds), point.folder, skipped, point.trial,
                    epochs if isinstance(epochs, int) else None, summary_metrics(summary))


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None
