"""One experiment run: build it from a validated config, write its run folder, train, report.

Below the API (api.train and the sweep workers both call run_experiment). Imports config, build,
data, runs and the loop; never rich, typer or the CLI, and it never prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogradcli import config as _config
from autogradcli.config import Config
from autogradcli.data import make_rng
from autogradcli.errors import ConfigError, RunFolderError
from autogradcli.runs.data_file import read_data_source, write_data_source, write_dataset_csv
from autogradcli.runs.layout import CONFIG, DATA, DATA_SOURCE, ENDINGS, EPOCHS, HISTORY, SUMMARY
from autogradcli.runs.model_file import read_checkpoint, read_model
from autogradcli.runs.reader import read_summary
from autogradcli.runs.writer import RunFolder
from autogradcli.training.build import build, build_controls, build_scorer, model_info
from autogradcli.training.interrupts import DeferredStops
from autogradcli.training.loop import TrainingInterrupted, train_loop

__all__ = ["STATUSES", "RunInterrupted", "RunResult", "resume_experiment", "run_experiment"]

STATUSES = ENDINGS


@dataclass
class RunResult:
    """How one run ended.

    status: completed | diverged | interrupted | failed; `folder` the run folder; `summary` the
    contents of its summary.json; `message` one line for people; `config` the config as run (seed
    resolved); `error` the exception of a failed run; `warnings` what went wrong beside the run
    (MLflow logging).
    """

    status: str
    folder: Path
    summary: dict
    message: str
    config: Config | None = None
    error: BaseException | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)  # e.g. the run could not be logged

    @property
    def ok(self) -> bool:
        return self.status == "completed"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during train(): the run folder is flushed and marked `interrupted`.

    Still a KeyboardInterrupt, so scripts stop as usual; `.result` is the RunResult.
    """

    def __init__(self, result: RunResult, signum: int = 2):
        super().__init__(result.message)
        self.result, self.signum = result, signum  # signum: SIGINT 2, SIGTERM 15, SIGHUP 1


def run_experiment(config: Config, *, out=None, overwrite: bool = False, seed: int | None = None,
                   progress: Callable[[Any], None] | None = None, track: bool = True
                   ) -> RunResult:
    """Train one experiment and write its run folder; api.train documents the arguments.

    Called by api.train and by the sweep workers (which must not import the API; they pass
    track=False: the sweep logs its runs to MLflow itself, as children of one parent run).
    """
    config = _config.resolve_seed(config, seed)
    experiment = build(config)
    path = Path(out) if out is not None else _config.output_dir(config)
    with DeferredStops() as stops:  # from here on, Ctrl-C ends the run cleanly, between steps
        folder = RunFolder(path, overwrite=overwrite)  # claims the folder (its lock)
        try:
            folder.describe(name=config.name, seed=config.seed,
                            true_params=experiment.dataset.true_params)
            try:
                folder.write_summary(status="running", message="starting")  # first: ours
                config_text = _config.config_to_yaml(config, relative_to=path)
                folder.write_config(config_text)
                _write_data(config, experiment.dataset, path)
            except OSError as exc:
                return _setup_failed(config, folder, exc)
            folder.describe_model(model_info(config, experiment.dataset, config_text))
            controls = build_controls(config)
            controls.stops = stops
            return _tracked(_train(config, experiment, folder, controls, progress), track)
        finally:
            folder.release()


def _write_data(config: Config, dataset, path: Path) -> None:
    """data_source.json for CSV data (the file stays where it is), data.csv for generated data."""
    if dataset.source_file is not None:
        write_data_source(dataset, config.data.path, path / DATA_SOURCE)
    else:
        write_dataset_csv(dataset, path / DATA)


def _tracked(result: RunResult, track: bool) -> RunResult:
    """The run logged to MLflow when its config asks (output.mlflow); a failure is a warning."""
    settings = result.config.output.mlflow if result.config is not None else None
    if not track or settings is None:
        return result
    from autogradcli.tracking import log_run  # only now: MLflow is slow to import

    logged = log_run(result.folder, settings.tracking_uri,
                     settings.experiment or result.config.name)
    with contextlib.suppress(RunFolderError):
        result.summary = read_summary(result.folder / SUMMARY)  # now with its "mlflow" entry
    if not logged.logged:
        result.warnings.append(f"{result.folder}: not logged to MLflow at "
                               f"{settings.tracking_uri}: {logged.reason}")
    return result


def _setup_failed(config: Config, folder: RunFolder, exc: OSError) -> RunResult:
    """A run whose files could not be written before training: `failed`, saying why."""
    message = (f"cannot write {getattr(exc, 'filename', None) or folder.path}: "
               f"{exc.strerror or exc}; free some space or write to another folder")
    summary = {"status": "failed", "message": message}
    with contextlib.suppress(OSError):
        folder.write_summary(status="failed", message=message)
        summary = read_summary(folder.path / SUMMARY)
    return RunResult("failed", folder.path, summary, message, config, exc)


def _train(config: Config, experiment, folder: RunFolder, controls, progress) -> RunResult:
    """The loop over a prepared run folder, its ending turned into a RunResult."""
    data, training, path = experiment.dataset, config.training, folder.path

    def result(status: str, message: str, error: BaseException | None = None) -> RunResult:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
        return RunResult(status, path, summary, message, config, error,
                         compile_warnings(training.compile, summary.get("compile")))

    try:
        outcome = train_loop(
            experiment.model, experiment.loss_fn, experiment.optimizer, data.x, data.y,
            data.x_val, data.y_val, epochs=training.epochs, batch_size=training.batch_size,
            shuffle=training.shuffle, rng=_shuffle_rng(config), run_folder=folder,
            progress=progress, scorer=build_scorer(config, data), controls=controls)
    except TrainingInterrupted as exc:
        raise RunInterrupted(result("interrupted", exc.result.message), exc.signum) from None
    except Exception as exc:
        return result("failed", f"{type(exc).__name__}: {exc}", exc)
    return result(outcome.status, outcome.message)


def compile_warnings(setting, compiled) -> list[str]:
    """training.compile: true asks for a compiled step: say so when it had to run eagerly
    (`auto` says nothing; summary.json records why either way)."""
    if setting is True and compiled is not None and not compiled["used"]:
        return [f"training.compile is true, but the steps ran eagerly: {compiled['reason']}"]
    return []


def resume_experiment(path, *, overrides=(), progress: Callable[[Any], None] | None = None,
                      track: bool = True) -> RunResult:
    """Continue a stopped run from its checkpoint; api.resume documents it."""
    path = Path(path)
    summary = read_summary(path / SUMMARY) if (path / SUMMARY).is_file() else None
    if summary is None:
        raise RunFolderError("not a run folder (no summary.json)", where=str(path),
                             hint="give the folder of the run to continue")
    missing = [name for name in (CONFIG, HISTORY, EPOCHS) if not (path / name).is_file()]
    if missing:
        raise RunFolderError(f"the run folder is incomplete: {', '.join(missing)} missing",
                             where=str(path), hint="it cannot be continued; train the config "
                                                   "again into a new folder")
    stored = _config.load_config(path / CONFIG)
    config = _config.load_config(path / CONFIG, list(overrides)) if overrides else stored
    extended = _check_resumable(path, summary, stored, config)
    if extended is None:
        status = summary["status"]
        return RunResult(status, path, summary, "already completed: nothing to do", stored)
    checkpoint = read_checkpoint(path)
    saved = read_model(path)
    with DeferredStops() as stops:
        folder = RunFolder(path, resume=True)  # claims the folder: one writer at a time
        try:
            result = _continue(path, config, extended, saved, checkpoint, folder, stops,
                               progress)
            return _tracked(result, track)
        finally:
            folder.release()


def _continue(path, config, extended, saved, checkpoint, folder, stops, progress) -> RunResult:
    """resume_experiment's second half, with the folder claimed."""
    config_text = (path / CONFIG).read_text(encoding="utf-8")
    if extended:
        config_text = _config.config_to_yaml(config, relative_to=path)
        folder.write_config(config_text)
    elif hashlib.sha256(config_text.encode("utf-8")).hexdigest() != saved.info.config_hash:
        raise RunFolderError("config.yaml was changed after the run started", where=str(path),
                             hint="resuming would not continue the same run; train the "
                                  "changed config into a new folder")
    source = None
    if (path / DATA_SOURCE).is_file():  # the CSV must still be the one the run started on
        source = read_data_source(path, config.data.path)
        config = config.model_copy(update={"data": config.data.model_copy(
            update={"path": str(source.found)})})
    experiment = build(config, None if source is None else source.val_indices)
    data = experiment.dataset
    folder.describe(name=config.name, seed=config.seed, true_params=data.true_params)
    folder.describe_model(model_info(config, data, config_text))
    folder.set_initial(saved.initial)
    controls = build_controls(config)
    controls.resume, controls.stops = checkpoint, stops
    return _train(config, experiment, folder, controls, progress)


def _check_resumable(path: Path, summary: dict, stored: Config, config: Config) -> bool | None:
    """Whether resuming extends a completed run (True), continues a stopped one (False) or has
    nothing to do (None); RunFolderError when resuming could not give the same run."""
    changed = _changed_keys(stored, config)
    if set(changed) - {"training.epochs"}:
        raise ConfigError(f"only training.epochs can change when resuming, not "
                          f"{', '.join(k for k in changed if k != 'training.epochs')}",
                          where=str(path / CONFIG),
                          hint="a resumed run must be the same run; train a changed config "
                               "into a new folder")
    status = summary.get("status")
    more = config.training.epochs > stored.training.epochs
    if config.training.epochs < stored.training.epochs:
        raise ConfigError(f"training.epochs can only grow when resuming (it is "
                          f"{stored.training.epochs})", where=str(path / CONFIG))
    if status in ("diverged", "failed"):
        raise RunFolderError(f"the run ended {status}: {summary.get('message', '')}",
                             where=str(path),
                             hint="resuming would repeat it; train again with other settings")
    if status == "completed":
        if not more:
            return None
        if summary.get("stopped_early"):
            raise RunFolderError("the run stopped early; more epochs would not change that",
                                 where=str(path), hint="train a config without early stopping")
        if config.optimizer.schedule.kind == "cosine":
            raise ConfigError("a cosine schedule spans the run's epochs; extending it would "
                              "change every epoch's learning rate", where=str(path / CONFIG),
                              hint="train the longer run into a new folder")
        return True
    if more:
        raise ConfigError("finish the run before extending it", where=str(path / CONFIG),
                          hint="resume it without changing training.epochs first")
    return False


def _changed_keys(old: Config, new: Config) -> list[str]:
    a, b = _flat(old.model_dump(mode="json")), _flat(new.model_dump(mode="json"))
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def _flat(data: Any, prefix: str = "") -> dict:
    if not isinstance(data, dict):
        return {prefix: data}
    out = {}
    for key, value in data.items():
        out.update(_flat(value, f"{prefix}.{key}" if prefix else key))
    return out


def _shuffle_rng(config: Config):
    return make_rng(config.seed, "shuffle")
