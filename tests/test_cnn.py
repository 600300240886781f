"""The cnn model kind: its shapes and forward pass, its config section and checks, a tiny run on
the digits trained twice (byte-identical), rebuilt from model.npz, and its image figures."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
from helpers import CONFIGS, ROOT, TRAIN

import autogradcli.engine as ag
from autogradcli import api
from autogradcli.errors import ConfigError
from autogradcli.nn import models
from autogradcli.nn.specs import MODELS, ConvLayer, Sizes, feature_maps
from autogradcli.plotting.runner import applicable, plot
from autogradcli.runs.reader import load_run, run_dataset

CONV = [{"channels": 3, "kernel": 3, "padding": 1, "pool": 2},
        {"channels": 4, "kernel": 2, "stride": 1, "padding": 0, "pool": 1}]

TINY = f"""
name: tiny_cnn
seed: 3
data:
  kind: csv
  path: {ROOT / "data" / "digits.csv"}
  target: digit
  classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
  standardize: true
  val_fraction: 0.2
model:
  kind: cnn
  image: [1, 8, 8]
  conv:
    - {{channels: 4, kernel: 3, padding: same, pool: 2}}
  hidden: [16]
loss:
  kind: cross_entropy
optimizer:
  kind: adam
  lr: 0.01
training:
  epochs: 2
  batch_size: 64
"""


def test_feature_maps_follow_conv_and_pool_arithmetic():
    layers = [ConvLayer(**c) for c in CONV]
    assert feature_maps((1, 8, 8), layers) == [(3, 4, 4), (4, 3, 3)]
    assert ConvLayer(2, kernel=3, stride=2, padding=1).output_hw(7, 8) == (4, 4)
    with pytest.raises(ValueError, match="conv layer 2 leaves no pixels"):
        feature_maps((1, 4, 4), [ConvLayer(2, kernel=1, pool=4), ConvLayer(2, kernel=3)])


def test_cnn_parameters_and_forward_shapes():
    model = models.CNN([1, 8, 8], CONV, [5], 10, rng=np.random.default_rng(0))
    assert {n: p.shape for n, p in model.parameters().items()} == {
        "conv1_w": (3, 1, 3, 3), "conv1_b": (3,), "conv2_w": (4, 3, 2, 2), "conv2_b": (4,),
        "w1": (36, 5), "b1": (5,), "w2": (5, 10), "b2": (10,)}
    assert model(np.zeros((7, 64))).shape == (7, 10)
    assert [m.shape for m in model.feature_maps(ag.zeros(2, 64))] == [(2, 3, 4, 4), (2, 4, 3, 3)]
    with pytest.raises(ValueError, match=r"\(n, 64\)"):
        model(np.zeros((2, 63)))


def test_cnn_gradients_are_exact():
    model = models.CNN([2, 5, 4], [{"channels": 2, "kernel": 2, "stride": 2, "padding": 1,
                                    "pool": 1}], [], 3, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((2, 40))
    params = list(model.parameters().values())
    assert ag.gradcheck(lambda *_: model(x), params)


def test_a_cnn_is_rebuilt_from_its_saved_parameters_and_text_options():
    model = models.CNN([1, 8, 8], CONV, [5], 10, rng=np.random.default_rng(0))
    saved = {name: str(value) for name, value in
             {"image": [1, 8, 8], "conv": CONV, "activation": "relu"}.items()}  # as in model.npz
    again = models.from_parameters("cnn", model.parameter_values(), **saved)
    x = np.random.default_rng(0).standard_normal((3, 64))
    np.testing.assert_array_equal(again(x).detach().numpy(), model(x).detach().numpy())
    sizes = MODELS["cnn"].sizes_of({n: p.shape for n, p in model.parameters().items()})
    assert sizes == Sizes(36, 10, (5,), (1,), (ConvLayer(3, 3), ConvLayer(4, 2)))


@pytest.mark.parametrize("edit, key, words", [
    ("image: [1, 8, 8]", "model.image", "holds 63 values; the data has 64 features"),
    ("padding: same, pool: 2", "model.conv[0].padding", "needs stride 1"),
    ("pool: 2}", "model.conv", "leaves no pixels"),
])
def test_cnn_config_mistakes_name_the_key(tmp_path, edit, key, words):
    text = TINY.replace("  target: digit", "  target: digit\n  features: [" + ", ".join(
        f"pixel_{r}_{c}" for r in range(8) for c in range(8)) + "]")
    replacement = {"image: [1, 8, 8]": "image: [1, 7, 9]",
                   "padding: same, pool: 2": "padding: same, stride: 2, pool: 2",
                   "pool: 2}": "pool: 16}"}[edit]
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(edit, replacement))
    with pytest.raises(ConfigError) as info:
        api.load_config(path)
    assert key in str(info.value.raw("where")) and words in str(info.value)


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("cnn")
    (base / "tiny.yaml").write_text(TINY)
    config = api.load_config(base / "tiny.yaml")
    return [api.train(config, out=base / f"run{i}") and base / f"run{i}" for i in (1, 2)]


def test_a_cnn_run_is_reproducible_byte_for_byte(tiny_runs):
    first, second = tiny_runs
    for name in ("history.csv", "data_source.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # epochs.csv: everything but its wall-clock `seconds` column
    epochs = [np.genfromtxt(run / "epochs.csv", delimiter=",", names=True) for run in tiny_runs]
    for column in epochs[0].dtype.names:
        if column != "seconds":
            assert epochs[0][column].tobytes() == epochs[1][column].tobytes(), column
    params = [np.load(run / "model.npz") for run in tiny_runs]
    assert all(params[0][k].tobytes() == params[1][k].tobytes() for k in params[0].files
               if k.startswith("params/"))
    summary = json.loads((first / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["metrics"]["val"]["accuracy"] > 0.5  # two epochs of a 4-filter net


def test_a_cnn_run_predicts_its_validation_rows_as_it_scored_them(tiny_runs):
    trained = api.load_run(tiny_runs[0])
    data = run_dataset(tiny_runs[0])  # the CSV again, split as data_source.json records
    info = trained.model.info
    predicted = trained.predict(data.x_val * info.feature_scale + info.feature_mean)
    labels = np.array(data.class_names)[data.y_val.astype(int)]
    accuracy = np.mean(np.asarray(predicted).astype(str) == labels)
    summary = json.loads((tiny_runs[0] / "summary.json").read_text())
    assert accuracy == pytest.approx(summary["metrics"]["val"]["accuracy"])


def test_cnn_figures_filters_and_images(tiny_runs, tmp_path):
    run = load_run(tiny_runs[0])
    reasons = applicable(run, None)
    assert reasons["filters"] is None and reasons["images"] is None
    assert "image model" in reasons["fit"]
    written = [o.path for o in plot([tiny_runs[0]], ["filters", "images"], out=tmp_path)]
    assert [p.name for p in written] == ["filters.png", "images.png"]
    assert all(p.stat().st_size > 5000 for p in written)


def test_image_figures_do_not_apply_to_other_models(tmp_path):
    from helpers import make_run

    run = load_run(make_run("iris_logistic.yaml", tmp_path / "iris",
                            overrides=["training.epochs=1"]))
    assert "cnn" in applicable(run, None)["images"]


def test_the_shipped_digits_config_validates_and_counts_its_parameters():
    config = api.load_config(ROOT / "configs" / "digits_cnn.yaml")
    assert config.model.kind == "cnn"
    maps = feature_maps(config.model.image, config.model.layers())
    assert math.prod(maps[-1]) > 0


def test_an_image_that_does_not_fit_the_csv_columns_is_one_message_exit_2(tmp_path):
    import subprocess

    from helpers import TRAIN

    path = tmp_path / "bad.yaml"
    path.write_text(TINY.replace("image: [1, 8, 8]", "image: [1, 8, 9]"))
    done = subprocess.run([*TRAIN, str(path), "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}:") and "model.image" in done.stderr
    assert "holds 72 values; the data has 64 features" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "run").exists()


@pytest.mark.parametrize("given, expected", [(None, "1"), ("2", "2")])
def test_the_commands_use_one_blas_thread_unless_told_otherwise(given, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import os, autogradcli.cli; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == expected



def test_a_cnn_too_big_for_memory_is_refused_naming_its_layers(tmp_path):
    """The memory estimate knows a cnn's conv layers: the key it blames is the one to change."""
    done = subprocess.run([*TRAIN, str(CONFIGS / "digits_cnn.yaml"), "--check", "--set",
                           "model.conv=[{channels: 2000000}]"], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    assert done.returncode == 2, done.stderr
    assert "model.conv (from --set" in done.stderr and "of memory" in done.stderr
    assert "Traceback" not in done.stderr
