"""Sweeps: expand a grid of config values, run every point (inline, local processes or Dask), resume.

Owns the sweep folder (sweep.yaml, sweep.csv, one run folder per point; docs/sweeps.md). Imports
config, runfolder and sweep_workers; never the CLI, rich or typer, and it never prints.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autogradcli.config import Config, config_to_yaml, config_with, output_dir, resolve_seed
from autogradcli.config.yaml_source import show
from autogradcli.errors import ConfigError, RunFolderError
from autogradcli.runs.writer import CONFIG, FILES, SUMMARY
from autogradcli.sweeps.executors import RunOutcome, RunTask, open_executor

__all__ = ["RunDone", "SweepResult", "SweepRow", "expand_grid", "parse_grid",
           "parse_sweep_args", "run_names", "sweep"]

SWEEP_CSV = "sweep.csv"
SWEEP_YAML = "sweep.yaml"
FINISHED = ("completed", "diverged")  # deterministic outcomes: kept on resume
EXECUTORS = ("local", "dask")
MAX_PARAM_COLUMNS = 4
_PARTIAL = ".partial-"
_KEY = re.compile(r"^[A-Za-z_]\w*(\.\w+)*$")
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


# ------------------------------------------------------------------------------ results, events


@dataclass(frozen=True)
class RunDone:
    """Sent per point as it finishes (and, first, for each point kept from an earlier sweep)."""

    done: int
    total: int
    name: str
    values: dict
    status: str
    final_train_loss: float | None
    final_val_loss: float | None
    seconds: float | None
    message: str
    skipped: bool
    folder: Path


@dataclass
class SweepRow:
    """One point of the grid and how its run ended (a row of sweep.csv)."""

    name: str
    values: dict
    status: str
    message: str
    final_train_loss: float | None
    final_val_loss: float | None
    final_params: dict | None
    seconds: float | None
    folder: Path
    skipped: bool = False

    @property
    def final_loss(self) -> float | None:
        """The validation loss when there is a split, else the training loss (None if not finite)."""
        loss = self.final_val_loss if self.final_val_loss is not None else self.final_train_loss
        return loss if loss is not None and math.isfinite(loss) else None


@dataclass
class SweepResult:
    """The sweep folder, the swept keys and one row per point in grid order."""

    folder: Path
    keys: list[str]
    rows: list[SweepRow] = field(default_factory=list)

    @property
    def runs(self) -> list[SweepRow]:
        """The rows (the name the CLI reads)."""
        return self.rows

    @property
    def csv_path(self) -> Path:
        return self.folder / SWEEP_CSV

    def sorted_by_loss(self) -> list[SweepRow]:
        """Rows by final loss (val if split, else train), best first; rows without one last."""
        ranked = sorted((r for r in self.rows if r.final_loss is not None), key=lambda r: r.final_loss)
        return ranked + [r for r in self.rows if r.final_loss is None]

    def counts(self) -> dict[str, int]:
        """status -> number of runs."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts


# ------------------------------------------------------------------------------------- the grid


def parse_sweep_args(items: list[str] | tuple[str, ...]) -> dict[str, list]:
    """`["optimizer.lr=0.005,0.02", "model.hidden=[8],[16,16]"]` -> {key: [values]}.

    Values are YAML (numbers, true/false, null, strings, [lists]), separated by commas. A key given
    twice keeps both lists, in order. Raises ConfigError for a malformed item.
    """
    grid: dict[str, list] = {}
    for text in items:
        key, _, values_text = text.partition("=")
        key = key.strip()
        if not _ or not _KEY.match(key):
            raise ConfigError("expected KEY.PATH=VALUE1,VALUE2,...", where=f"{{--sweep}} {text}",
                              hint="e.g. {--sweep} optimizer.lr=0.005,0.02,0.1")
        try:
            values = yaml.safe_load(f"[{values_text}]")
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"the values are not valid YAML: {problem}", where=f"{{--sweep}} {text}",
                              hint="separate values with commas; quote strings with commas in "
                                   "them, e.g. name='a,b'") from None
        grid.setdefault(key, []).extend(_number_or_text(v) for v in values)
    return grid


def _number_or_text(value: Any) -> Any:
    # YAML 1.1 reads 1e-3 (no dot) as a string; a learning rate is what was meant.
    if isinstance(value, str) and _FLOAT.match(value):
        return float(value)
    return value


parse_grid = parse_sweep_args


def expand_grid(grid: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination, the first key varying slowest: {key: value} per point, in grid order."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def run_names(points: list[dict[str, Any]]) -> list[str]:
    """A safe, unique folder name per point: `lr-0.02_batch_size-10`.

    A key is shortened to its last part unless two keys share it; characters outside
    [A-Za-z0-9._+-] become `_`; names that would clash, or be too long, get a short hash.
    """
    keys = list(points[0]) if points else []
    last = [k.rsplit(".", 1)[-1] for k in keys]
    labels = {k: (s if last.count(s) == 1 else k.replace(".", "-")) for k, s in zip(keys, last)}
    names = []
    for point in points:
        parts = [f"{labels[k]}-{_value_text(v)}" for k, v in point.items()]
        name = _UNSAFE.sub("_", "_".join(parts)).strip("._") or "run"
        names.append(name if len(name) <= 100 else f"{name[:90]}-{_digest(point)}")
    for name in {n for n in names if names.count(n) > 1}:
        names = [f"{n}-{_digest(p)}" if n == name else n for n, p in zip(names, points)]
    return names


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return _cell(value)
    if isinstance(value, list):
        return "x".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return "_".join(f"{k}{_value_text(v)}" for k, v in value.items())
    return _cell(value)


def _digest(point: dict) -> str:
    text = json.dumps(point, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def _cell(value: Any) -> str:
    """A swept value in sweep.csv and folder names: YAML-like (true, null, 0.02, [16, 16])."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return str(value)


def _merge_grid(config: Config, grid: dict | None) -> tuple[dict[str, list], set[str]]:
    """The config's `sweep:` section, then `grid` (which replaces a key's values); and which keys
    came from `grid` (for messages)."""
    merged = {k: list(v) for k, v in (config.sweep or {}).items()}
    given = set()
    for key, values in (grid or {}).items():
        if not isinstance(values, (list, tuple)):
            raise ConfigError(f"expected a list of values, got {show(values)}",
                              where=f"{{--sweep}} {key}", hint=f"e.g. {{--sweep}} {key}=V1,V2")
        merged[key] = list(values)
        given.add(key)
    if not merged:
        raise ConfigError("nothing to sweep: the grid is empty", where=_file(config),
                          hint="give {--sweep} KEY=V1,V2 (e.g. {--sweep} optimizer.lr=0.01,0.1) or a "
                               "`sweep:` section in the config")
    return merged, given


# ----------------------------------------------------------------------------------- validation


def _validate_grid(base: Config, grid: dict[str, list], given: set[str]) -> None:
    """Check every key and every value on its own, so the message names the culprit."""
    for key, values in grid.items():
        origin = f"{{--sweep}} {key}" if key in given else f"{_file(base)}: sweep.{key}"
        if not isinstance(key, str) or not _KEY.match(key):
            raise ConfigError("not a dotted key path", where=origin,
                              hint="e.g. optimizer.lr or training.batch_size")
        if key == "sweep" or key.startswith(("sweep.", "output.")) or key == "output":
            raise ConfigError(f"cannot sweep {key}", where=origin,
                              hint="the sweep chooses each run's folder; set the sweep folder "
                                   "with {--out} DIR")
        if not values:
            raise ConfigError("no values to sweep", where=origin,
                              hint=f"give at least one value, e.g. {{--sweep}} {key}=V1,V2")
        seen = []
        for value in values:
            if value in seen:
                raise ConfigError(f"the value {show(value)} is listed twice", where=origin,
                                  hint="each value gives one run; list it once")
            seen.append(value)
            try:
                config_with(base, {key: value})
            except ConfigError as exc:
                path = _error_path(exc, key)
                # a clash with another key (batch_size vs data.n) may be fixed by another swept
                # value: the combinations are checked next
                if path == key or path.startswith(key + ".") or key.startswith(path + "."):
                    message = exc.raw("message")
                    raise exc.remade(message=message if path == key else f"{path}: {message}",
                                     where=f"{origin}={_cell(value)}") from None


def _error_path(exc: ConfigError, key: str) -> str:
    """The key path a config_with error names (its `where` ends with it)."""
    return exc.where.rsplit(": ", 1)[-1] if exc.where and ": " in exc.where else key


def _point_configs(base: Config, points: list[dict], names: list[str]) -> list[Config]:
    configs = []
    for point, name in zip(points, names):
        try:
            configs.append(config_with(base, point))
        except ConfigError as exc:
            where = f"sweep point {name}: {_error_path(exc, '')}".rstrip(": ")
            raise exc.remade(where=where) from None
    return configs


def _file(config: Config) -> str:
    return os.path.relpath(config.source) if config.source is not None else "config"


# ------------------------------------------------------------------------ sweep folder, resume


def default_folder(config: Config) -> Path:
    """`output_dir(config)` + `-sweep`: runs/{name} -> runs/{name}-sweep (seed resolved)."""
    path = output_dir(config)
    return path.with_name(path.name + "-sweep")


def _resolve_base(config: Config, out) -> tuple[Config, Path]:
    """Fix the seed once for every run; a seedless config reuses the seed of the sweep it resumes."""
    if config.seed is not None:
        base = config
    else:
        guess = Path(out) if out is not None else None
        if guess is None and "{seed}" not in config.output.dir:
            guess = default_folder(config.model_copy(update={"seed": 0}))
        base = resolve_seed(config, _stored_seed(guess) if guess is not None else None)
    folder = Path(out) if out is not None else default_folder(base)
    return base, folder


def _stored_seed(folder: Path) -> int | None:
    try:
        data = yaml.safe_load((folder / SWEEP_YAML).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    seed = data.get("seed") if isinstance(data, dict) else None
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


@dataclass
class _Point:
    name: str
    values: dict
    config: Config
    folder: Path
    state: str = "run"  # run | skip | conflict
    summary: dict | None = None


def _plan(points: list[_Point], overwrite: bool) -> None:
    """Mark each point: kept (finished, same config), conflicting (finished, other config) or run."""
    for point in points:
        summary = _read_summary(point.folder)
        if overwrite or summary is None or summary.get("status") not in FINISHED:
            continue
        if _same_config(point.folder, point.config):
            point.state, point.summary = "skip", summary
        else:
            point.state = "conflict"


def _read_summary(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _same_config(folder: Path, config: Config) -> bool:
    """Whether the run folder's config.yaml describes this point (ignoring output and sweep)."""
    try:
        stored = yaml.safe_load((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    wanted = yaml.safe_load(config_to_yaml(config, relative_to=folder))
    return _comparable(stored, folder) == _comparable(wanted, folder)


def _comparable(data: Any, folder: Path) -> Any:
    if not isinstance(data, dict):
        return data
    data = {k: v for k, v in data.items() if k not in ("output", "sweep")}
    section = data.get("data")
    if isinstance(section, dict) and isinstance(section.get("path"), str):
        section = {**section, "path": str((folder / section["path"]).resolve())}
        data["data"] = section
    return data


def _refuse_conflicts(folder: Path, points: list[_Point]) -> None:
    clashing = [p.name for p in points if p.state == "conflict"]
    if clashing:
        listed = ", ".join(clashing[:3]) + (f" and {len(clashing) - 3} more" if len(clashing) > 3
                                            else "")
        raise RunFolderError(
            f"{len(clashing)} finished run(s) were made with a different config: {listed}",
            where=str(folder),
            hint="pass {--overwrite} to redo them, or choose another sweep folder ({--out} DIR)")
    if folder.is_file():
        raise RunFolderError("exists and is not a folder", where=str(folder),
                             hint="choose another sweep folder ({--out} DIR)")


def _check_folder(folder: Path, overwrite: bool) -> None:
    foreign = folder.is_dir() and not (folder / SWEEP_YAML).exists() and any(folder.iterdir())
    if foreign and not overwrite:
        raise RunFolderError("exists, is not empty and holds no sweep (no sweep.yaml)",
                             where=str(folder),
                             hint="choose another sweep folder ({--out} DIR), or pass {--overwrite} "
                                  "to use it anyway")


def _clear_partials(folder: Path) -> None:
    if folder.is_dir():
        for path in folder.glob(_PARTIAL + "*"):
            shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------------- the sweep


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
    merged, given = _merge_grid(config, grid)
    base, folder = _resolve_base(config, out)
    base = base.model_copy(update={"sweep": None})
    base._source = config.source
    _validate_grid(base, merged, given)
    values = expand_grid(merged)
    names = run_names(values)
    configs = _point_configs(base, values, names)
    points = [_Point(n, v, c, folder / n) for n, v, c in zip(names, values, configs)]
    _check_folder(folder, overwrite)
    _plan(points, overwrite)
    _refuse_conflicts(folder, points)
    pool = open_executor(executor, jobs, scheduler, sum(p.state == "run" for p in points))
    return _Sweep(folder, merged, base, points, progress).run(pool, executor == "dask")


def _check_options(jobs: Any, executor: str, scheduler: str | None) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs must be a whole number >= 1, got {show(jobs)}", where="{--jobs}",
                          hint=f"e.g. {{--jobs}} {os.cpu_count() or 2} (one per CPU core)")
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {show(executor)}", where="{--executor}",
                          hint=f"use one of {', '.join(EXECUTORS)}")
    if executor == "dask" and not scheduler:
        raise ConfigError("the dask executor needs a scheduler address", where="{--scheduler}",
                          hint="e.g. {--scheduler} tcp://host:8786 (start one with `dask scheduler`)")


class _Sweep:
    """One execution: writes sweep.yaml, stores each outcome, keeps sweep.csv current."""

    def __init__(self, folder, grid, base, points, progress):
        self.folder, self.grid, self.base, self.points = folder, grid, base, points
        self.progress = progress
        self.rows: dict[str, SweepRow] = {}
        self.done = 0
        self.started = False

    def run(self, pool, remote: bool) -> SweepResult:
        by_name = {p.name: p for p in self.points}
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
                _clear_partials(self.folder)
        return SweepResult(self.folder, list(self.grid), self._ordered_rows())

    def _start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started = True
        _clear_partials(self.folder)
        swept = self.base.model_copy(update={"sweep": self.grid})
        swept._source = self.base.source
        _write_atomic(self.folder / SWEEP_YAML, config_to_yaml(swept, relative_to=self.folder))
        for point in (p for p in self.points if p.state == "skip"):
            self._record(point, _row(point, point.summary, None, skipped=True))

    def _task(self, point: _Point, remote: bool) -> RunTask:
        scratch = None if remote else str(self.folder / f"{_PARTIAL}{point.name}")
        return RunTask(point.name, point.config, scratch)

    def _finish(self, point: _Point, outcome: RunOutcome) -> None:
        partial = self.folder / f"{_PARTIAL}{point.name}"
        if outcome.files is not None:
            _unpack(partial, outcome.files, point.config)
        summary = _read_summary(partial)
        if summary is not None:
            _move_run(partial, point.folder)
        shutil.rmtree(partial, ignore_errors=True)
        self._record(point, _row(point, summary, outcome, skipped=False))
        self._write_csv()

    def _record(self, point: _Point, row: SweepRow) -> None:
        self.rows[point.name] = row
        self.done += 1
        self._report(RunDone(self.done, len(self.points), row.name, row.values, row.status,
                             row.final_train_loss, row.final_val_loss, row.seconds, row.message,
                             row.skipped, row.folder))

    def _ordered_rows(self) -> list[SweepRow]:
        return [self.rows[p.name] for p in self.points if p.name in self.rows]

    def _write_csv(self) -> None:
        _write_atomic(self.folder / SWEEP_CSV, sweep_csv(list(self.grid), self._ordered_rows()))

    def _report(self, event) -> None:
        if self.progress is not None:
            self.progress(event)


def _unpack(partial: Path, files: dict[str, bytes], config: Config) -> None:
    """Write a remote run's files here; config.yaml again if a CSV path must point from here."""
    partial.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (partial / Path(name).name).write_bytes(content)
    if config.data.kind == "csv" and CONFIG in files:
        (partial / CONFIG).write_text(config_to_yaml(config, relative_to=partial),
                                      encoding="utf-8", newline="")


def _move_run(partial: Path, final: Path) -> None:
    """Replace the run files of `final` with those of `partial`, summary.json last."""
    final.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in partial.iterdir() if p.is_file()}
    for stale in FILES:
        if stale not in names:
            (final / stale).unlink(missing_ok=True)
    for name in sorted(names - {SUMMARY}) + [SUMMARY]:
        os.replace(partial / name, final / name)


def _row(point: _Point, summary: dict | None, outcome: RunOutcome | None, skipped: bool) -> SweepRow:
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


# -------------------------------------------------------------------------------------- sweep.csv


def sweep_csv(keys: list[str], rows: list[SweepRow]) -> str:
    """sweep.csv's text: swept values, status, final losses, few scalar parameters, seconds,
    folder, message; one row per run in grid order."""
    params = _param_columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*keys, "status", "final_train_loss", "final_val_loss", *params, "seconds",
                     "folder", "message"])
    for row in rows:
        finals = row.final_params or {}
        writer.writerow([
            *(_cell(row.values[k]) for k in keys), row.status, _float_cell(row.final_train_loss),
            _float_cell(row.final_val_loss), *(_float_cell(finals.get(p)) for p in params),
            _float_cell(row.seconds), row.folder.name, row.message,
        ])
    return out.getvalue()


def _param_columns(rows: list[SweepRow]) -> list[str]:
    """The final parameters' names when every one is a scalar and there are at most four."""
    names: list[str] = []
    for row in rows:
        for name, value in (row.final_params or {}).items():
            if isinstance(value, (list, dict)):
                return []
            if name not in names:
                names.append(name)
    return names if len(names) <= MAX_PARAM_COLUMNS else []


def _float_cell(value: Any) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return repr(float(value))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)
