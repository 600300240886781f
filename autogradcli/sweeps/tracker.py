"""A sweep in MLflow: one parent run for the sweep, one child run per point, logged by the sweep
process from each finished run folder (so Dask workers and local processes need no MLflow).

Does nothing, and imports nothing of MLflow, when the config has no output.mlflow.
"""

from __future__ import annotations

from pathlib import Path

from autogradcli.config import Config, config_to_yaml
from autogradcli.runs.reader import summary_or_none


class SweepTracker:
    """Logs a sweep's runs under one parent run; `warnings` says what could not be logged."""

    def __init__(self, base: Config, swept: Config, folder: Path):
        settings = base.output.mlflow
        self.enabled = settings is not None
        self.warnings: list[str] = []
        self.statuses: list[str] = []
        self.parent: str | None = None
        self.reason: str | None = None
        if not self.enabled:
            return
        from autogradcli import tracking  # only now: MLflow is slow to import

        self._tracking = tracking
        self.uri = settings.tracking_uri
        self.experiment = settings.experiment or base.name
        started = tracking.start_parent(self.uri, self.experiment, folder.name,
                                        config_to_yaml(swept, relative_to=folder))
        self.parent, self.reason = started.run_id, started.reason
        if not started.logged:
            self.warnings.append(f"{folder}: the sweep is not logged to MLflow at {self.uri}: "
                                 f"{started.reason}")

    def add(self, run_folder: Path, kept: bool = False) -> None:
        """Log one finished point (a kept one only if no earlier sweep logged it)."""
        summary = summary_or_none(run_folder) if self.enabled else None
        if summary is None:
            return
        self.statuses.append(str(summary.get("status")))
        if kept and (summary.get("mlflow") or {}).get("logged"):
            return
        if self.parent is None:
            self._tracking.record_not_logged(run_folder, self.uri, self.reason)
            return
        logged = self._tracking.log_run(run_folder, self.uri, self.experiment, self.parent)
        if not logged.logged:
            self.warnings.append(f"{run_folder}: not logged to MLflow: {logged.reason}")

    def close(self) -> None:
        if self.parent is None:
            return
        ended = self._tracking.end_parent(self.uri, self.parent, self.statuses)
        if not ended.logged:
            self.warnings.append(f"the MLflow parent run {self.parent} was not closed: "
                                 f"{ended.reason}")
