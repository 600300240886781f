"""One run folder as an MLflow run: params, per-epoch metrics, summary, artifacts and tags.

Tracking never endangers a run: every failure (MLflow not installed, an unreachable server, a
refused write) becomes Logged(False, reason), recorded in summary.json under "mlflow", and the
caller shows it as a warning. `mlflow` is imported here only inside the functions that log.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import CONFIG, EPOCHS, HISTORY, MODEL, SUMMARY
from autogradcli.runs.listing import flatten

FIGURES = "figures"
ARTIFACTS = (CONFIG, SUMMARY, HISTORY, EPOCHS, MODEL)
_BATCH = 1000  # MLflow's limit of metrics in one log_batch call
_PARAM_TEXT = 500  # the shortest param value length any MLflow store accepts


@dataclass
class Logged:
    """Whether a run was logged: `run_id` if so, else `reason` (one line)."""

    logged: bool
    run_id: str | None = None
    reason: str | None = None

    def record(self, uri: str) -> dict:
        """The summary.json entry: where it went, or why it did not."""
        if self.logged:
            return {"logged": True, "tracking_uri": uri, "run_id": self.run_id}
        return {"logged": False, "tracking_uri": uri, "reason": self.reason}


def log_run(folder: Path, uri: str, experiment: str, parent: str | None = None) -> Logged:
    """Log the finished run in `folder` (a child of run `parent` if given); never raises.

    The outcome is also written into the folder's summary.json as "mlflow".
    """
    folder = Path(folder)
    try:
        with _quietly():
            run_id = _log(_client(uri), folder, experiment, parent)
        outcome = Logged(True, run_id=run_id)
    except Exception as exc:  # tracking must never end a run: every failure is a warning
        outcome = Logged(False, reason=_reason(exc))
    _record(folder, outcome.record(uri))
    return outcome


def log_figures(folder: Path, figures: list[Path]) -> Logged | None:
    """Add figures drawn later to the MLflow run the folder was logged as (None: it was not)."""
    try:
        entry = json.loads((Path(folder) / SUMMARY).read_text(encoding="utf-8")).get("mlflow")
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or not entry.get("logged") or not figures:
        return None
    try:
        with _quietly():
            client = _client(entry["tracking_uri"])
            for figure in figures:
                client.log_artifact(entry["run_id"], str(figure), FIGURES)
        return Logged(True, run_id=entry["run_id"])
    except Exception as exc:
        return Logged(False, run_id=entry.get("run_id"), reason=_reason(exc))


def record_not_logged(folder: Path, uri: str, reason: str | None) -> Logged:
    """Say in summary.json that the run was not logged, and why (without trying)."""
    outcome = Logged(False, reason=reason)
    _record(Path(folder), outcome.record(uri))
    return outcome


def start_parent(uri: str, experiment: str, name: str, config_text: str) -> Logged:
    """The parent run of a sweep (its children are logged with log_run(parent=run_id))."""
    try:
        with _quietly():
            client = _client(uri)
            run = client.create_run(_experiment_id(client, experiment), run_name=name,
                                    tags={"autogradcli.kind": "sweep"})
            _log_batch(client, run.info.run_id, params=_flat(yaml.safe_load(config_text)))
        return Logged(True, run_id=run.info.run_id)
    except Exception as exc:
        return Logged(False, reason=_reason(exc))


def end_parent(uri: str, run_id: str, statuses: list[str]) -> Logged:
    """Close a sweep's parent run: FINISHED when every child completed, else FAILED."""
    done = all(status == "completed" for status in statuses)
    try:
        with _quietly():
            client = _client(uri)
            client.set_tag(run_id, "status", "completed" if done else "not all completed")
            client.set_terminated(run_id, "FINISHED" if done else "FAILED")
        return Logged(True, run_id=run_id)
    except Exception as exc:
        return Logged(False, run_id=run_id, reason=_reason(exc))


# --------------------------------------------------------------------------------------- logging


@contextlib.contextmanager
def _quietly():
    """MLflow's deprecation and future warnings are not the user's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _client(uri: str):
    # an unreachable server must fail in seconds, not after MLflow's minutes of retries
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise RuntimeError("MLflow is not installed (pip install 'autogradcli[mlflow]', or "
                           "pip install '.[mlflow]' in a checkout)") from exc
    # MLflow's and its database migrations' progress lines are not ours to print (--quiet)
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return MlflowClient(tracking_uri=uri)


def _experiment_id(client, name: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    return client.create_experiment(name)


def _log(client, folder: Path, experiment: str, parent: str | None) -> str:
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    config = yaml.safe_load((folder / CONFIG).read_text(encoding="utf-8"))
    tags = {"status": str(summary.get("status")), "seed": str(summary.get("seed")),
            "autogradcli.version": str((summary.get("versions") or {}).get("autogradcli")),
            "autogradcli.run_folder": str(folder.resolve())}
    if parent is not None:
        tags["mlflow.parentRunId"] = parent
    run = client.create_run(_experiment_id(client, experiment), run_name=str(config["name"]),
                            tags=tags)
    run_id = run.info.run_id
    try:
        _log_batch(client, run_id, params=_flat(config), metrics=_metrics(folder, summary))
        for name in ARTIFACTS:
            if (folder / name).is_file():
                client.log_artifact(run_id, str(folder / name))
        if (folder / FIGURES).is_dir():
            client.log_artifacts(run_id, str(folder / FIGURES), FIGURES)
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    ended = {"completed": "FINISHED", "interrupted": "KILLED"}.get(summary.get("status"), "FAILED")
    client.set_terminated(run_id, ended)
    return run_id


def _log_batch(client, run_id: str, params: dict | None = None, metrics: list | None = None
               ) -> None:
    from mlflow.entities import Metric, Param

    items = [Param(key, value) for key, value in (params or {}).items()]
    for start in range(0, len(items), 100):  # MLflow takes at most 100 params per batch
        client.log_batch(run_id, params=items[start:start + 100])
    values = [Metric(key, value, 0, step) for key, value, step in (metrics or [])]
    for start in range(0, len(values), _BATCH):
        client.log_batch(run_id, metrics=values[start:start + _BATCH])


def _metrics(folder: Path, summary: dict) -> list[tuple[str, float, int]]:
    """(name, value, step): every epochs.csv column per epoch, then the summary's finals."""
    found: list[tuple[str, float, int]] = []
    last = 0
    with (folder / EPOCHS).open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            epoch = int(row.pop("epoch"))
            last = epoch
            found += [(key, float(cell), epoch) for key, cell in row.items() if _finite(cell)]
    finals = {key: summary.get(key) for key in ("final_train_loss", "final_val_loss", "steps",
                                                "epochs_completed", "wall_seconds")}
    for split, values in (summary.get("metrics") or {}).items():
        for name, value in (values or {}).items():
            finals[f"final_{split}_{name}"] = value
    found += [(key, float(value), last) for key, value in finals.items() if _number(value)]
    return found


def _finite(cell: str | None) -> bool:
    try:
        return cell is not None and math.isfinite(float(cell))
    except ValueError:
        return False


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _flat(config: Any) -> dict[str, str]:
    """The config's dotted keys as params, each value as the YAML it was written as."""
    return {key: _yaml_text(value) for key, value in flatten(config).items()}


def _yaml_text(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()[:_PARAM_TEXT]


def _record(folder: Path, entry: dict) -> None:
    """Add the outcome to summary.json (atomically; a folder that refuses it keeps its own)."""
    path = folder / SUMMARY
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary["mlflow"] = entry
        write_atomic(path, json.dumps(summary, indent=2) + "\n")
    except (OSError, ValueError):
        pass


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first if len(first) <= 300 else first[:297] + "..."
