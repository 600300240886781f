"""Each rule has one owner, so the places that use it cannot drift apart.

What validation accepts, building builds and training runs; what a model saves, plotting rebuilds;
every suggestion has one wording; the API's errors speak of arguments, never of flags.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import CONFIGS, TRAIN

import autogradcli
from autogradcli.config import config_with, load_config, resolve_seed
from autogradcli.config.experiment import KINDS
from autogradcli.errors import ConfigError, DataError, UserError
from autogradcli.nn import models
from autogradcli.nn.specs import LOSSES, MODELS
from autogradcli.plotting.runner import PlotOptionError, _check_options
from autogradcli.training.build import build

TUTORIAL = CONFIGS / "seed_linear.yaml"
IRIS = CONFIGS / "iris_logistic.yaml"

DATA = {
    "line": {"kind": "line", "n": 30},
    "linear": {"kind": "linear", "n": 30, "n_features": 3},
    "classes": {"kind": "classes", "n": 30},
    "iris-3": {"kind": "csv", "path": "../data/iris.csv", "target": "species",
               "classes": ["setosa", "versicolor", "virginica"]},
}


def test_the_registries_agree():
    assert set(MODELS) == set(models.MODELS) == set(KINDS["model"])
    assert set(LOSSES) == set(KINDS["loss"])
    assert set(LOSSES) == set(autogradcli.nn.losses.LOSSES)


@pytest.mark.parametrize(("data", "model", "loss"), list(itertools.product(
    DATA, KINDS["model"], KINDS["loss"])))
def test_what_validation_accepts_builds_and_trains(data, model, loss):
    """Every combination is a ConfigError before training (when validated, or when built for
    what only the data tells, such as a CSV's number of features), or it trains a step."""
    base = load_config(TUTORIAL, ["training.batch_size=null"])
    try:
        config = config_with(base, {"data": DATA[data], "model.kind": model, "loss.kind": loss})
        experiment = build(resolve_seed(config))
    except ConfigError as exc:
        assert exc.where and exc.message
        return
    x, y = experiment.dataset.x, experiment.dataset.y
    loss_value = experiment.loss_fn(experiment.model(x), y)
    loss_value.backward()
    experiment.optimizer.step()
    assert np.isfinite(loss_value.item())


def test_two_classes_with_cross_entropy_is_a_config_error_before_anything_runs(tmp_path):
    done = subprocess.run([*TRAIN, str(CONFIGS / "iris_binary_logistic.yaml"), "--set",
                           "loss.kind=cross_entropy", "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")
    where = "iris_binary_logistic.yaml: loss.kind (from --set loss.kind=cross_entropy)"
    assert where in done.stderr
    assert "cross_entropy is for 3 or more classes; the data has 2" in done.stderr
    assert "use bce" in done.stderr
    assert not (tmp_path / "run").exists()


def test_an_output_size_that_disagrees_with_the_loss_is_a_config_error():
    with pytest.raises(ConfigError, match="mse takes 1 output per row, not 3") as info:
        load_config(CONFIGS / "mlp_nonlinear.yaml", ["model.output_size=3"])
    assert info.value.where.endswith("model.output_size (from override model.output_size=3)")


def test_a_linear_model_on_many_csv_features_is_a_config_error_before_training():
    with pytest.raises(ConfigError, match="takes 1 feature; the data has 10") as info:
        load_config(CONFIGS / "diabetes_linear.yaml", ["model.kind=linear"])  # features listed
    assert info.value.where.endswith(
        "diabetes_linear.yaml: model.kind (from override model.kind=linear)")
    config = resolve_seed(load_config(CONFIGS / "diabetes_linear.yaml"))
    every_column = config_with(config, {"data.features": None, "model.kind": "linear"})
    with pytest.raises(ConfigError, match="takes 1 feature; the data has 10") as info:
        build(every_column)  # only the CSV knows how many columns there are
    assert info.value.where.endswith("model.kind")


@pytest.mark.parametrize("config", ["seed_linear.yaml", "diabetes_linear.yaml",
                                    "iris_logistic.yaml", "iris_binary_logistic.yaml",
                                    "mlp_nonlinear.yaml", "adam_mlp_classes.yaml"])
def test_a_saved_model_is_rebuilt_from_its_parameters_alone(config):
    loaded = resolve_seed(load_config(CONFIGS / config))
    experiment = build(loaded)
    model = experiment.model
    options = {key: getattr(loaded.model, key) for key in type(model).options}
    again = models.from_parameters(loaded.model.kind, model.parameter_values(), **options)
    x = experiment.dataset.x[:5]
    np.testing.assert_array_equal(again(x).data, model(x).data)
    assert again.shapes() == model.shapes()


def test_parameters_of_another_kind_are_refused():
    with pytest.raises(ValueError, match="expected 1 dimension"):
        models.from_parameters("linear_multi", {"w": np.ones((2, 3)), "b": 0.0})


def _message(call) -> UserError:
    with pytest.raises((UserError, ValueError)) as info:
        call()
    return info.value


def test_every_suggestion_has_one_wording(tmp_path):
    csv_config = tmp_path / "c.yaml"
    csv_config.write_text(f"extends: {CONFIGS / 'iris_logistic.yaml'}\n"
                          "data:\n  target: specis\n")
    hints = [
        _message(lambda: load_config(TUTORIAL, ["optimizer.lrate=1"])).hint,
        _message(lambda: load_config(TUTORIAL, ["loss.kind=mes"])).hint,
        _message(lambda: build(resolve_seed(load_config(csv_config)))).hint,
        _message(lambda: _check_options(["surfce"], "png", 100)).hint,
        str(_message(lambda: autogradcli.nn.losses.get_loss("mes"))),
    ]
    for hint, near in zip(hints, ["lr", "mse", "species", "surface", "mse"]):
        assert f"did you mean '{near}'? " in hint, hint


def test_the_api_speaks_of_arguments_and_the_cli_of_flags(tmp_path):
    config = autogradcli.load_config(TUTORIAL)
    autogradcli.train(config, out=tmp_path / "run")
    errors = [
        _message(lambda: autogradcli.load_config(TUTORIAL, ["optimizer.lr=-1"])),
        _message(lambda: autogradcli.load_config(TUTORIAL, ["optimizer.lr"])),
        _message(lambda: autogradcli.train(config, out=tmp_path / "run")),
        _message(lambda: autogradcli.train(config, out=tmp_path / "x", seed=-1)),
        _message(lambda: autogradcli.parse_grid(["optimizer.lr"])),
        _message(lambda: autogradcli.sweep(config, {"output.dir": ["a"]}, out=tmp_path / "s")),
        _message(lambda: autogradcli.sweep(config, {"optimizer.lr": [1]}, jobs=0)),
        _message(lambda: list(autogradcli.plot([tmp_path / "run"], ["surfce"]))),
    ]
    for error in errors:
        assert isinstance(error, (ConfigError, DataError, UserError))
        assert "--" not in str(error), str(error)
        assert "{--" not in repr(error)
    assert "overwrite=True" in str(errors[2])
    assert "--overwrite" in errors[2].format(flags=True)
    assert "from override optimizer.lr=-1" in str(errors[0])
    assert "from --set optimizer.lr=-1" in errors[0].format(flags=True)


def test_a_missing_list_item_is_named_as_one(tmp_path: Path):
    path = tmp_path / "c.yaml"
    text = TUTORIAL.read_text()
    line = next(row for row in text.splitlines() if row.strip().startswith("x_range:"))
    path.write_text(text.replace(line, "  x_range: [1]"))
    with pytest.raises(ConfigError, match=r"item \[1\] is missing"):
        load_config(path)


def test_plot_option_errors_are_user_errors():
    assert issubclass(PlotOptionError, UserError)
