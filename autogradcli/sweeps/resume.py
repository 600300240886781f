"""The sweep folder across reruns: which points are finished and kept, which conflict, and
moving a run's files into place so that a stopped sweep resumes where it was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autogradcli.config import Config, config_to_yaml, output_dir, resolve_seed
from autogradcli.config.checks import SWEEP_SETTINGS
from autogradcli.errors import RunFolderError
from autogradcli.runs.layout import CHECKPOINT, CONFIG, FILES, FINISHED, RUNNING, SUMMARY
from autogradcli.runs.lock import LOCK
from autogradcli.runs.reader import missing_files, summary_or_none
from autogradcli.runs.writer import is_run_folder
from autogradcli.sweeps.table import SWEEP_CSV, SWEEP_YAML

PARTIAL = ".partial-"  # a run in progress trains here, then moves to its folder


def default_folder(config: Config) -> Path:
    """`output_dir(config)` + `-sweep`: runs/{name} -> runs/{name}-sweep (seed resolved)."""
    path = output_dir(config)
    return path.with_name(path.name + "-sweep")


def resolve_base(config: Config, out) -> tuple[Config, Path]:
    """Fix the seed once for every run.

    A seedless config reuses the seed of the sweep it resumes.
    """
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
class Point:
    name: str
    values: dict
    config: Config
    folder: Path
    state: str = "run"  # run | skip | conflict
    summary: dict | None = None
    trial: int = 0  # 1, 2, ...: the point's number in grid or draw order


def plan(points: list[Point], overwrite: bool, any_epochs: bool = False) -> None:
    """Mark each point: skip (finished, same config), conflict (finished, other config) or run.

    any_epochs: training.epochs may differ (halving's runs grow rung by rung)."""
    for point in points:
        summary = summary_or_none(point.folder)
        if overwrite or summary is None or summary.get("status") not in FINISHED:
            continue
        if missing_files(point.folder, summary):  # a file deleted since: train it again
            continue
        if _same_config(point.folder, point.config, any_epochs):
            point.state, point.summary = "skip", summary
        else:
            point.state = "conflict"


def _same_config(folder: Path, config: Config, any_epochs: bool = False) -> bool:
    """Whether the run folder's config.yaml describes this point (ignoring output and sweep, and
    training.epochs if `any_epochs`)."""
    try:
        stored = yaml.safe_load((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    wanted = yaml.safe_load(config_to_yaml(config, relative_to=folder))
    return _comparable(stored, folder, any_epochs) == _comparable(wanted, folder, any_epochs)


def _comparable(data: Any, folder: Path, any_epochs: bool = False) -> Any:
    if not isinstance(data, dict):
        return data
    data = {k: v for k, v in data.items() if k not in ("output", "sweep")}
    if any_epochs and isinstance(data.get("training"), dict):
        data["training"] = {k: v for k, v in data["training"].items() if k != "epochs"}
    section = data.get("data")
    if isinstance(section, dict) and isinstance(section.get("path"), str):
        section = {**section, "path": str((folder / section["path"]).resolve())}
        data["data"] = section
    return data


def refuse_conflicts(folder: Path, points: list[Point]) -> None:
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


def check_folder(folder: Path, overwrite: bool, keys: list[str]) -> bool:
    """Refuse a folder this sweep cannot use; True when it holds another sweep (over other keys)
    that {--overwrite} replaces (see remove_sweep)."""
    foreign = folder.is_dir() and not (folder / SWEEP_YAML).exists() and any(
        p.name != LOCK for p in folder.iterdir())
    if foreign and not overwrite:
        raise RunFolderError("exists, is not empty and holds no sweep (no sweep.yaml)",
                             where=str(folder),
                             hint="choose another sweep folder ({--out} DIR), or pass "
                                  "{--overwrite} to use it anyway")
    stored = _stored_keys(folder)
    if stored is None or stored == sorted(keys):
        return False
    if not overwrite:
        raise RunFolderError(
            f"holds a sweep over {', '.join(stored) or 'no keys'}; this one is over "
            f"{', '.join(keys)}", where=str(folder),
            hint="choose another sweep folder ({--out} DIR), or pass {--overwrite} to replace "
                 "that sweep (its runs, sweep.csv and figures are removed)")
    return True


def _stored_keys(folder: Path) -> list[str] | None:
    """The swept keys recorded in a sweep folder's sweep.yaml (None: no readable sweep.yaml)."""
    try:
        data = yaml.safe_load((folder / SWEEP_YAML).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    grid = data.get("sweep") if isinstance(data, dict) else None
    if not isinstance(grid, dict):
        return None
    return sorted(key for key in grid if key not in SWEEP_SETTINGS)  # trials, strategy: no keys


def remove_sweep(folder: Path, keep: set[str]) -> None:
    """Remove what an earlier sweep over other keys left: its run folders (only those holding
    this tool's summary.json) but `keep`, sweep.csv, and the figure files of figures/."""
    for path in folder.iterdir():
        if path.is_dir() and path.name not in keep and is_run_folder(path):
            shutil.rmtree(path)
    (folder / SWEEP_CSV).unlink(missing_ok=True)
    figures = folder / "figures"
    if figures.is_dir():
        for path in figures.iterdir():
            if path.is_file() and path.suffix in (".png", ".svg", ".pdf"):
                path.unlink()
        if not any(figures.iterdir()):
            figures.rmdir()


def clear_partials(folder: Path, keep=None) -> None:
    """Remove the runs left in progress, but those `keep(path)` says can continue."""
    if folder.is_dir():
        for path in folder.glob(PARTIAL + "*"):
            if keep is None or not keep(path):
                shutil.rmtree(path, ignore_errors=True)


def can_continue(partial: Path) -> bool:
    """A run a stopped sweep left: interrupted or killed, with a checkpoint to continue from."""
    summary = summary_or_none(partial)
    return (summary is not None and summary.get("status") in ("interrupted", RUNNING)
            and (partial / CHECKPOINT).is_file())


def resumable(partial: Path, config: Config, any_epochs: bool = False) -> bool:
    """Whether this point's run can continue from what a stopped sweep left in `partial`."""
    return can_continue(partial) and _same_config(partial, config, any_epochs)


def copy_run(final: Path, partial: Path) -> None:
    """Copy a finished run's files into `partial`, to continue it there (halving's next rung)."""
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name in FILES:
        if (final / name).is_file():
            shutil.copy2(final / name, partial / name)


def run_files(final: Path) -> dict[str, bytes]:
    """A finished run's files, to continue it on a remote worker."""
    return {name: (final / name).read_bytes() for name in FILES if (final / name).is_file()}


def unpack(partial: Path, files: dict[str, bytes], config: Config) -> None:
    """Write a remote run's files here; config.yaml again if a CSV path must point from here."""
    partial.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (partial / Path(name).name).write_bytes(content)
    if config.data.kind == "csv" and CONFIG in files:
        (partial / CONFIG).write_text(config_to_yaml(config, relative_to=partial),
                                      encoding="utf-8", newline="")


def move_run(partial: Path, final: Path) -> None:
    """Replace the run files of `final` with those of `partial`, summary.json last."""
    final.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in partial.iterdir() if p.is_file()}
    for stale in FILES:
        if stale not in names:
            (final / stale).unlink(missing_ok=True)
    for name in [*sorted(names - {SUMMARY}), SUMMARY]:
        os.replace(partial / name, final / name)
