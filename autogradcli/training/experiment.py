"""One experiment run: build it from a validated config, write its run folder, train, report.

Below the API (api.train and the sweep workers both call run_experiment). Imports config, build,
data, runs and the loop; never rich, typer or the CLI, and it never prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogradcli import config as _config
from autogradcli.config import Config
from autogradcli.data import make_rng
from autogradcli.runs.data_file import write_dataset_csv
from autogradcli.runs.layout import DATA, ENDINGS, SUMMARY
from autogradcli.runs.writer import RunFolder
from autogradcli.training.build import build, build_scorer, model_info
from autogradcli.training.loop import TrainingInterrupted, train_loop

__all__ = ["STATUSES", "RunInterrupted", "RunResult", "run_experiment"]

STATUSES = ENDINGS


@dataclass
class RunResult:
    """How one run ended.

    status: completed | diverged | interrupted | failed; `folder` the run folder; `summary` the
    contents of its summary.json; `message` one line for people; `config` the config as run (seed
    resolved); `error` the exception of a failed run.
    """

    status: str
    folder: Path
    summary: dict
    message: str
    config: Config | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "completed"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during train(): the run folder is flushed and marked `interrupted`.

    Still a KeyboardInterrupt, so scripts stop as usual; `.result` is the RunResult.
    """

    def __init__(self, result: RunResult):
        super().__init__(result.message)
        self.result = result


def run_experiment(config: Config, *, out=None, overwrite: bool = False, seed: int | None = None,
                   progress: Callable[[Any], None] | None = None) -> RunResult:
    """Train one experiment and write its run folder; api.train documents the arguments.

    Called by api.train and by the sweep workers (which must not import the API).
    """
    config = _config.resolve_seed(config, seed)
    experiment = build(config)
    path = Path(out) if out is not None else _config.output_dir(config)
    folder = RunFolder(path, overwrite=overwrite)
    config_text = _config.config_to_yaml(config, relative_to=path)
    folder.write_config(config_text)
    write_dataset_csv(experiment.dataset, path / DATA)
    folder.describe(name=config.name, seed=config.seed, true_params=experiment.dataset.true_params)
    data, training = experiment.dataset, config.training
    folder.describe_model(model_info(config, data, config_text))

    def result(status: str, message: str, error: BaseException | None = None) -> RunResult:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
        return RunResult(status, path, summary, message, config, error)

    try:
        outcome = train_loop(
            experiment.model, experiment.loss_fn, experiment.optimizer, data.x, data.y,
            data.x_val, data.y_val, epochs=training.epochs, batch_size=training.batch_size,
            shuffle=training.shuffle, rng=_shuffle_rng(config), run_folder=folder,
            progress=progress, scorer=build_scorer(config, data))
    except TrainingInterrupted as exc:
        raise RunInterrupted(result("interrupted", exc.result.message)) from None
    except Exception as exc:
        return result("failed", f"{type(exc).__name__}: {exc}", exc)
    return result(outcome.status, outcome.message)


def _shuffle_rng(config: Config):
    return make_rng(config.seed, "shuffle")
