"""End to end: runs of every shipped config used for prediction and evaluation through the
installed autograd-predict and autograd-eval, and every bad input a clear message with exit 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, ROOT, MadeOnFirstUse, make_run

import autogradcli
from autogradcli.runs.reader import run_dataset

PREDICT = [sys.executable, "-m", "autogradcli.cli.predict"]
EVAL = [sys.executable, "-m", "autogradcli.cli.eval"]
SHIPPED = sorted(p.name for p in CONFIGS.glob("*.yaml"))
IRIS_ROW = {"sepal_length": "5.1", "sepal_width": "3.5", "petal_length": "1.4",
            "petal_width": "0.2"}


def run(command, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}, check=False)


def assert_user_error(done, *needles):
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


# What these tests check (predictions and evaluations that reproduce a run) does not depend on
# how long a run trained: the CNN, the slowest of them at full length, trains two epochs here
# (tests/cli/test_train_cli.py trains every shipped config as shipped).
SHORTER = {"digits_cnn.yaml": ["training.epochs=2"]}


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """A run of each shipped config (read only: tests write into their own tmp_path)."""
    base = tmp_path_factory.mktemp("runs")
    return MadeOnFirstUse(lambda name: make_run(name, base / Path(name).stem,
                                                SHORTER.get(name, ())), SHIPPED)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("name", SHIPPED)
def test_evaluating_a_run_on_its_own_data_reproduces_its_summary_exactly(runs, name):
    folder = runs[name]
    done = run(EVAL, folder, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    summary = json.loads((folder / "summary.json").read_text())
    split = "val" if summary["final_val_loss"] is not None else "train"
    assert f"({split} rows)" in result["data"]
    stored = summary["metrics"][split]
    for key, value in stored.items():
        assert result["metrics"][key] == value, key  # exactly, report included


@pytest.mark.parametrize("name", SHIPPED)
def test_every_run_predicts_the_rows_it_was_trained_on(runs, name, tmp_path):
    folder = runs[name]
    model = autogradcli.load_run(folder)
    data = run_dataset(folder).x  # the training rows as the model saw them (standardised)
    raw = data * model.model.info.feature_scale + model.model.info.feature_mean
    rows = [{n: repr(float(v)) for n, v in zip(model.model.feature_names, row)} for row in raw[:5]]
    source = write_csv(tmp_path / "new.csv", rows)
    done = run(PREDICT, folder, source)
    assert done.returncode == 0, done.stderr
    written = list(csv.DictReader((tmp_path / "new.predictions.csv").open()))
    assert len(written) == 5
    target = model.model.info.target_name
    assert f"predicted_{target}" in written[0]
    if model.model.is_classifier:
        probabilities = [[float(row[f"p_{c}"]) for c in model.model.class_labels]
                         for row in written]
        np.testing.assert_allclose(np.sum(probabilities, axis=1), 1.0)


def test_the_iris_run_reports_its_validation_accuracy(runs):
    summary = json.loads((runs["iris_logistic.yaml"] / "summary.json").read_text())
    assert summary["metrics"]["val"]["accuracy"] >= 0.9
    header = (runs["iris_logistic.yaml"] / "epochs.csv").read_text().splitlines()[0]
    assert header.split(",")[5:] == ["train_accuracy", "train_f1", "val_accuracy", "val_f1"]


def test_a_raw_iris_row_gets_the_training_scaling(runs, tmp_path):
    source = write_csv(tmp_path / "one.csv", [{"id": "x", **IRIS_ROW, "extra": "9"}])
    done = run(PREDICT, runs["iris_logistic.yaml"], source, "--keep", "id", "--out", "-")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert rows[0]["id"] == "x"
    assert rows[0]["predicted_species"] == "setosa"
    assert "extra" not in rows[0]


def test_json_output_and_columns_in_any_order(runs, tmp_path):
    shuffled = dict(reversed(list(IRIS_ROW.items())))
    source = write_csv(tmp_path / "rev.csv", [shuffled])
    done = run(PREDICT, runs["iris_logistic.yaml"], source, "--json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert records[0]["predicted_species"] == "setosa"
    assert set(records[0]) == {"predicted_species", "p_setosa", "p_versicolor", "p_virginica"}


def test_predictions_never_overwrite_without_asking(runs, tmp_path):
    source = write_csv(tmp_path / "one.csv", [IRIS_ROW])
    target = tmp_path / "mine.csv"
    target.write_text("precious\n")
    assert_user_error(run(PREDICT, runs["iris_logistic.yaml"], source, "--out", target),
                      "the output file exists", "--overwrite")
    assert target.read_text() == "precious\n"
    done = run(PREDICT, runs["iris_logistic.yaml"], source, "--out", target, "--overwrite")
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("predicted_species,")


def test_evaluation_on_labelled_data_prints_a_table(runs, tmp_path):
    labelled = write_csv(tmp_path / "lab.csv", [{**IRIS_ROW, "species": "setosa"},
                                                 {**IRIS_ROW, "species": "virginica"}])
    done = run(EVAL, runs["iris_logistic.yaml"], labelled)
    assert done.returncode == 0, done.stderr
    assert "accuracy" in done.stdout and "0.5" in done.stdout
    assert "confusion matrix" in done.stdout
    assert "│" not in done.stdout  # plain off a terminal


def test_regression_evaluation_reads_in_the_targets_units(runs, tmp_path):
    folder = runs["diabetes_linear.yaml"]
    rows = list(csv.DictReader((ROOT / "data" / "diabetes.csv").open()))[:40]
    done = run(EVAL, folder, write_csv(tmp_path / "d.csv", rows), "--json")
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)["metrics"]
    assert set(metrics) == {"rmse", "mae", "r2"}
    assert 20 < metrics["rmse"] < 100  # disease progression units, not standardised ones


# ------------------------------------------------------------------------------ bad input


def test_a_missing_feature_column_suggests_the_nearest(runs, tmp_path):
    row = {**IRIS_ROW}
    row["petal_widht"] = row.pop("petal_width")
    source = write_csv(tmp_path / "typo.csv", [row])
    assert_user_error(run(PREDICT, runs["iris_logistic.yaml"], source),
                      "no column 'petal_width'", "did you mean 'petal_widht'?")


def test_a_non_numeric_cell_names_its_line_and_column(runs, tmp_path):
    source = write_csv(tmp_path / "bad.csv", [IRIS_ROW, {**IRIS_ROW, "sepal_width": "wide"}])
    assert_user_error(run(PREDICT, runs["iris_logistic.yaml"], source),
                      "bad.csv:3: column 'sepal_width'", "non-numeric value 'wide'")


def test_an_unknown_class_label_in_evaluation_data(runs, tmp_path):
    source = write_csv(tmp_path / "lab.csv", [{**IRIS_ROW, "species": "setosa"},
                                               {**IRIS_ROW, "species": "setossa"}])
    assert_user_error(run(EVAL, runs["iris_logistic.yaml"], source),
                      "lab.csv:3: column 'species'", "unknown class label 'setossa'",
                      "did you mean 'setosa'?")


def test_evaluation_data_without_the_target_column(runs, tmp_path):
    source = write_csv(tmp_path / "nolab.csv", [IRIS_ROW])
    assert_user_error(run(EVAL, runs["iris_logistic.yaml"], source), "no column 'species'")


def test_a_run_folder_without_a_model_file(runs, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in ("history.csv", "epochs.csv", "summary.json", "config.yaml", "data.csv"):
        (old / name).write_bytes((runs["seed_linear.yaml"] / name).read_bytes())
    source = write_csv(tmp_path / "x.csv", [{"x": "1.0"}])
    for done in (run(PREDICT, old, source), run(EVAL, old)):
        assert_user_error(done, "no model.npz in this run folder", "--overwrite")


def test_a_model_file_from_an_incompatible_version(runs, tmp_path):
    folder = tmp_path / "future"
    folder.mkdir()
    with np.load(runs["seed_linear.yaml"] / "model.npz") as data:
        arrays = {name: data[name] for name in data.files}
    np.savez(folder / "model.npz", **{**arrays, "format": np.int64(99)})
    assert_user_error(run(EVAL, folder, runs["seed_linear.yaml"] / "data.csv"),
                      "model.npz has format 99", "reads format 1")


def test_a_missing_run_folder_and_a_missing_data_file(runs, tmp_path):
    assert_user_error(run(EVAL, tmp_path / "nowhere"), "no such folder")
    assert_user_error(run(PREDICT, runs["seed_linear.yaml"], tmp_path / "none.csv"),
                      "data file not found")


def test_training_shows_the_main_metric_on_each_epoch_line_and_in_the_table(tmp_path):
    train = [sys.executable, "-m", "autogradcli.cli.train"]
    done = run(train, CONFIGS / "iris_logistic.yaml", "--set", "training.epochs=2", "--out",
               tmp_path / "r")
    assert done.returncode == 0, done.stderr
    epoch_lines = [line for line in done.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epoch_lines) == 2 and all("val_accuracy " in line for line in epoch_lines)
    assert "val accuracy" in done.stdout and "train f1" in done.stdout


def test_the_python_api_of_a_trained_run(runs):
    run_ = autogradcli.load_run(runs["iris_logistic.yaml"])
    x = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])
    assert list(run_.predict(x)) == ["setosa", "virginica"]
    assert run_.predict_proba(x).shape == (2, 3)
    assert run_.evaluate(x, ["setosa", "virginica"])["accuracy"] == 1.0
    assert run_.config["model"]["kind"] == "logistic"
    assert len(run_.history.loss) == run_.summary["steps"]
    regression = autogradcli.load_run(runs["diabetes_linear.yaml"])
    with pytest.raises(ValueError, match="for classifiers"):
        regression.predict_proba(np.zeros((1, 10)))
    assert autogradcli.evaluate(runs["iris_logistic.yaml"])["metrics"]["accuracy"] >= 0.9
