"""A run folder opened for use: its config, summary, history and trained model together."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from autogradcli.errors import RunFolderError
from autogradcli.inference.trained import TrainedModel
from autogradcli.runs import reader
from autogradcli.runs.data_file import data_source_path
from autogradcli.runs.layout import CONFIG, DATA, DATA_SOURCE, MODEL, SUMMARY
from autogradcli.runs.model_file import read_model


class LoadedRun:
    """`run.predict(x)`, `run.predict_proba(x)`, `run.evaluate(x, y)` with the run's model;
    `run.config` and `run.summary` as dicts, `run.history` the history and epoch arrays."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_dir():
            reader.check_is_run(self.path)  # the clear message for a missing folder or a file
        self.model = TrainedModel(read_model(self.path), where=str(self.path / MODEL))
        self.summary = reader.read_summary(self.path / SUMMARY)
        self.config = reader.read_config(self.path / CONFIG)

    @cached_property
    def history(self) -> reader.Run:
        """history.csv and epochs.csv as arrays (runs.reader.Run)."""
        return reader.load_run(self.path)

    def predict(self, x):
        """Predicted values (target units) or class labels for raw rows x (n, d)."""
        return self.model.predict(x)

    def predict_proba(self, x):
        """Class probabilities (n, k) for raw rows x; columns as model.class_labels."""
        return self.model.predict_proba(x)

    def evaluate(self, x, y) -> dict:
        """The task's metrics on raw rows x and their targets y (labels for a classifier)."""
        return self.model.evaluate(x, y)

    def evaluate_own(self) -> tuple[str, int, dict]:
        """("val" or "train", rows, metrics) on the run's own data (data.csv, or the CSV file
        data_source.json records): its validation rows, else its training rows, exactly as
        training scored them (summary.json's numbers)."""
        if not any((self.path / name).is_file() for name in (DATA, DATA_SOURCE)):
            raise RunFolderError(f"{DATA} and {DATA_SOURCE} are missing", where=str(self.path),
                                 hint="give labelled data to evaluate on (a CSV file)")
        data = reader.run_dataset(self.path)
        split, x, y = ("val", data.x_val, data.y_val) if data.n_val else ("train", data.x, data.y)
        return split, len(x), self.model.evaluate(x, y, scaled=True)

    def data_described(self) -> str:
        """What evaluate_own reads, for people: data.csv, or the CSV file the run recorded."""
        if (self.path / DATA).is_file() or not (self.path / DATA_SOURCE).is_file():
            return str(self.path / DATA)
        return str(data_source_path(self.path))


def load_run(path: str | Path) -> LoadedRun:
    """Open a run folder for prediction and evaluation; RunFolderError when it cannot be used."""
    return LoadedRun(path)
