"""Tests of autogradcli.data and data_csv.

Generators, determinism, split, standardisation, CSV errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autogradcli.config import config_with, load_config
from autogradcli.data import Dataset, check_batch_size, load_data, make_rng, split, val_rows
from autogradcli.errors import DataError
from autogradcli.runs.data_file import read_dataset_csv, write_dataset_csv

ROOT = Path(__file__).resolve().parents[1]

GENERATED = {
    "line": {"kind": "line"},
    "linear": {"kind": "linear", "n_features": 4},
    "linear-given": {"kind": "linear", "n_features": 2, "weights": [1.5, -2.0], "bias": 0.5},
    "sin": {"kind": "nonlinear", "function": "sin"},
    "sin_cos": {"kind": "nonlinear", "function": "sin_cos"},
    "classes": {"kind": "classes", "n_features": 3},
}


def data_config(section: dict):
    """A validated `data:` section (built through Config so defaults and checks apply)."""
    base = load_config(ROOT / "configs" / "seed_linear.yaml")
    classify = section["kind"] == "classes" or "classes" in section
    changes = {"data": section, "model.kind": "logistic" if classify else "linear_multi",
               "loss.kind": "bce" if classify else "mse", "training.batch_size": 1}
    return config_with(base, changes).data


@pytest.mark.parametrize("section", GENERATED.values(), ids=GENERATED.keys())
def test_generated_shapes_and_dtypes(section):
    data = load_data(data_config(section), ROOT, seed=3)
    assert data.x.dtype == np.float64 and data.y.dtype == np.float64
    assert data.x.ndim == 2 and data.y.shape == (data.x.shape[0],)
    assert data.x.shape[1] == len(data.feature_names)
    assert data.x_val.shape == (0, data.n_features) and data.y_val.shape == (0,)
    assert data.generated and data.source.startswith("generated")


@pytest.mark.parametrize("section", GENERATED.values(), ids=GENERATED.keys())
def test_same_seed_same_data_other_seed_other_data(section):
    cfg = data_config(section)
    first, again, other = (load_data(cfg, ROOT, seed) for seed in (7, 7, 8))
    assert np.array_equal(first.x, again.x) and np.array_equal(first.y, again.y)
    assert not np.array_equal(first.x, other.x)


def test_line_matches_the_tutorial_line():
    data = load_data(data_config({"kind": "line", "a": 2.0, "b": 1.0, "noise": 0.1}), ROOT, seed=0)
    assert data.n_train == 100 and data.feature_names == ["x"]
    assert data.true_params == {"a": 2.0, "b": 1.0}
    assert data.x.min() >= -2.0 and data.x.max() <= 2.0
    slope, intercept = np.polyfit(data.x[:, 0], data.y, 1)
    assert abs(slope - 2.0) < 0.05 and abs(intercept - 1.0) < 0.05


def test_linear_true_weights_recorded():
    data = load_data(data_config(GENERATED["linear-given"]), ROOT, seed=0)
    assert data.true_params == {"w": [1.5, -2.0], "b": 0.5}
    drawn = load_data(data_config(GENERATED["linear"]), ROOT, seed=0)
    assert len(drawn.true_params["w"]) == 4


def test_classes_are_balanced_labels():
    data = load_data(data_config({"kind": "classes", "n": 100}), ROOT, seed=0)
    assert data.task == "classification" and data.class_names == ["0", "1"]
    assert sorted(np.unique(data.y)) == [0.0, 1.0] and data.y.sum() == 50


def test_split_is_seeded_and_keeps_row_order():
    cfg = data_config({"kind": "line", "val_fraction": 0.25})
    data = load_data(cfg, ROOT, seed=1)
    assert (data.n_train, data.n_val) == (75, 25)
    full = load_data(data_config({"kind": "line"}), ROOT, seed=1)
    # same generated rows, split only: train rows appear in the generated order
    rows = [int(np.flatnonzero(full.x[:, 0] == v)[0]) for v in data.x[:, 0]]
    assert rows == sorted(rows)
    assert np.array_equal(load_data(cfg, ROOT, seed=1).x_val, data.x_val)


def test_split_needs_training_rows():
    with pytest.raises(DataError, match="no training rows"):
        split(np.zeros((1, 1)), np.zeros(1), 0.5, seed=0)


@pytest.mark.parametrize("n,fraction,expected",
                         [(100, 0.2, 20), (5, 0.5, 3), (3, 0.1, 0), (10, 0, 0)])
def test_val_rows_rounds_half_up(n: int, fraction: float, expected: int):
    assert val_rows(n, fraction) == expected


def test_standardize_uses_training_statistics():
    cfg = data_config({"kind": "linear", "n_features": 3, "standardize": True,
                       "standardize_target": True, "val_fraction": 0.2})
    data = load_data(cfg, ROOT, seed=0)
    assert np.allclose(data.x.mean(axis=0), 0) and np.allclose(data.x.std(axis=0), 1)
    assert np.allclose(data.y.mean(), 0) and np.allclose(data.y.std(), 1)
    raw = load_data(data_config({"kind": "linear", "n_features": 3, "val_fraction": 0.2}), ROOT, 0)
    assert np.allclose(data.x_val * data.feature_scale + data.feature_mean, raw.x_val)
    assert np.allclose(data.y * data.target_scale + data.target_mean, raw.y)


def test_make_rng_streams_are_independent():
    assert make_rng(1, "init").random() == make_rng(1, "init").random()
    assert make_rng(1, "init").random() != make_rng(1, "shuffle").random()


def test_check_batch_size():
    data = load_data(data_config({"kind": "line", "n": 10}), ROOT, seed=0)
    check_batch_size(10, data)
    check_batch_size(None, data)
    with pytest.raises(DataError, match="larger than the 10 training rows"):
        check_batch_size(11, data)


# -------------------------------------------------------------------------------------- real CSV


@pytest.mark.parametrize("name,rows,features", [("diabetes_linear", 442, 10),
                                                ("iris_logistic", 150, 4),
                                                ("iris_binary_logistic", 100, 2)])
def test_shipped_csv_data(name: str, rows: int, features: int):
    config = load_config(ROOT / "configs" / f"{name}.yaml")
    data = load_data(config.data, config.base_dir, config.seed)
    assert data.n_train + data.n_val == rows and data.n_features == features
    assert not data.generated and data.true_params is None
    if data.task == "classification":
        assert set(np.unique(np.r_[data.y, data.y_val])) == set(range(data.n_classes))


# ------------------------------------------------------------------------------------ CSV errors

GOOD = "a,b,y\n1,2,3\n4,5,6\n7,8,9\n"


def csv_config(path: str = "d.csv", **extra):
    section = {"kind": "csv", "path": path, "target": "y", **extra}
    return data_config(section)


CSV_ERRORS = {
    # id: (file text or None for no file, config extras, where part, message part, hint part)
    "missing-file": (None, {}, "d.csv", "data file not found", "config file's folder"),
    "empty-file": ("", {}, "d.csv", "the file is empty", "name the columns"),
    "header-only": ("a,b,y\n", {}, "d.csv", "no data rows", None),
    "missing-column": (GOOD, {"features": ["a", "bb"]}, "d.csv: column 'bb'", "no column 'bb'",
                       "did you mean 'b'? Columns: a, b, y"),
    "missing-target": (GOOD.replace("y", "z"), {}, "d.csv: column 'y'", "no column 'y'",
                       "Columns: a, b, z"),
    "non-numeric": ("a,b,y\n1,2,3\n4,five,6\n", {}, "d.csv:3: column 'b'",
                    "non-numeric value 'five'", "fix the cell"),
    "non-numeric-target": ("a,b,y\n1,2,cat\n", {}, "d.csv:2: column 'y'", "non-numeric value 'cat'",
                           "data.classes"),
    "empty-cell": ("a,b,y\n1,,3\n", {}, "d.csv:2: column 'b'", "missing value", None),
    "nan-cell": ("a,b,y\n1,2,3\n1,NaN,3\n", {}, "d.csv:3: column 'b'", "missing value 'NaN'", None),
    "inf-cell": ("a,b,y\n1,inf,3\n", {}, "d.csv:2: column 'b'", "not a finite number", None),
    "ragged-row": ("a,b,y\n1,2,3\n1,2\n", {}, "d.csv:3", "expected 3 fields", "comma"),
    "duplicate-header": ("a,a,y\n1,2,3\n", {}, "d.csv:1", "appears twice", None),
    "unknown-class": ("a,y\n1,cat\n2,dog\n", {"classes": ["cat", "dgo"]}, "d.csv: column 'y'",
                      "class 'dgo' (from data.classes) never appears", "did you mean 'dog'?"),
}


@pytest.mark.parametrize("case", CSV_ERRORS.values(), ids=CSV_ERRORS.keys())
def test_csv_error(case, tmp_path: Path, monkeypatch):
    text, extra, where, message, hint = case
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(csv_config(**extra), tmp_path, seed=0)
    error = info.value
    assert where in error.where
    assert message in error.message
    if hint is not None:
        assert hint in error.hint


def test_missing_file_suggests_nearby_csv(tmp_path: Path):
    (tmp_path / "diabetes.csv").write_text(GOOD)
    with pytest.raises(DataError) as info:
        load_data(csv_config("diabets.csv"), tmp_path, seed=0)
    assert "did you mean 'diabetes.csv'?" in info.value.hint


def test_csv_features_default_to_all_but_target(tmp_path: Path):
    (tmp_path / "d.csv").write_text(" a , b ,y\n1,2,3\n4,5,6\n\n")
    data = load_data(csv_config(), tmp_path, seed=0)
    assert data.feature_names == ["a", "b"] and data.target_name == "y"
    assert np.array_equal(data.x, [[1, 2], [4, 5]]) and np.array_equal(data.y, [3, 6])


def test_csv_classes_map_labels_and_drop_other_rows(tmp_path: Path):
    (tmp_path / "d.csv").write_text("a,y\n1,cat\n2,dog\n3,cow\n4,cat\n")
    data = load_data(csv_config(classes=["dog", "cat"]), tmp_path, seed=0)
    assert np.array_equal(data.y, [1, 0, 1]) and np.array_equal(data.x[:, 0], [1, 2, 4])
    assert data.class_names == ["dog", "cat"] and data.task == "classification"


def test_csv_path_is_relative_to_base_dir(tmp_path: Path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text(GOOD)
    monkeypatch.chdir(ROOT)
    assert load_data(csv_config("d.csv"), tmp_path / "sub", seed=0).n_train == 3


# ------------------------------------------------------------------------------------- data.csv


@pytest.mark.parametrize("section", [GENERATED["linear"], GENERATED["classes"]],
                         ids=["regression", "classification"])
def test_dataset_csv_round_trip_is_exact(section, tmp_path: Path):
    cfg = data_config({**section, "val_fraction": 0.3, "standardize": True})
    data = load_data(cfg, ROOT, seed=5)
    write_dataset_csv(data, tmp_path / "data.csv")
    back = read_dataset_csv(tmp_path / "data.csv")
    for name in ("x", "y", "x_val", "y_val"):
        assert np.array_equal(getattr(back, name), getattr(data, name)), name
    assert back.feature_names == data.feature_names and back.target_name == data.target_name
    assert back.task == data.task
    write_dataset_csv(load_data(cfg, ROOT, seed=5), tmp_path / "again.csv")
    assert (tmp_path / "data.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()


def test_dataset_csv_header_and_split_column(tmp_path: Path):
    data = Dataset(x=np.array([[0.5], [1.0]]), y=np.array([1.0, 2.0]), x_val=np.array([[3.0]]),
                   y_val=np.array([4.0]), feature_names=["x"], target_name="y")
    write_dataset_csv(data, tmp_path / "data.csv")
    text = (tmp_path / "data.csv").read_text()
    assert text == "x,y,split\n0.5,1.0,train\n1.0,2.0,train\n3.0,4.0,val\n"


def test_read_dataset_csv_rejects_other_files(tmp_path: Path):
    (tmp_path / "data.csv").write_text(GOOD)
    with pytest.raises(DataError, match=r"not a data\.csv"):
        read_dataset_csv(tmp_path / "data.csv")
    (tmp_path / "data.csv").write_text("x,y,split\n1,2,test\n")
    with pytest.raises(DataError, match="split must be train or val"):
        read_dataset_csv(tmp_path / "data.csv")
