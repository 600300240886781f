"""The Python API used from a script.

load_config, train, config_schema, parse_grid, lazy imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import autogradcli
from autogradcli import api
from autogradcli.errors import ConfigError, DataError, RunFolderError

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "configs" / "seed_linear.yaml"


def test_train_returns_a_completed_result_and_writes_the_folder(tmp_path):
    config = autogradcli.load_config(TUTORIAL)
    result = autogradcli.train(config, out=tmp_path / "run")
    assert result.status == "completed" and result.ok
    assert result.folder == tmp_path / "run"
    assert result.summary == json.loads((tmp_path / "run" / "summary.json").read_text())
    assert result.summary["steps"] == 100
    assert result.config.seed == config.seed is not None
    assert "10 epochs" in result.message


def test_overrides_and_seed_reach_the_run(tmp_path):
    config = autogradcli.load_config(TUTORIAL, ["optimizer.lr=0.05", "training.epochs=2"])
    result = autogradcli.train(config, out=tmp_path / "run", seed=3)
    assert result.summary["seed"] == 3 and result.summary["steps"] == 20
    assert "lr: 0.05" in (tmp_path / "run" / "config.yaml").read_text()


def test_divergence_is_returned_not_raised(tmp_path):
    config = autogradcli.load_config(TUTORIAL, ["optimizer.lr=1e6"])
    result = autogradcli.train(config, out=tmp_path / "run")
    assert result.status == "diverged" and not result.ok
    assert "diverged at step" in result.message and "smaller learning rate" in result.message


def test_user_mistakes_raise_user_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown key"):
        autogradcli.load_config(TUTORIAL, ["optimizer.lrate=1"])
    config = autogradcli.load_config(TUTORIAL)
    autogradcli.train(config, out=tmp_path / "run")
    with pytest.raises(RunFolderError) as refused:
        autogradcli.train(config, out=tmp_path / "run")
    assert "overwrite=True" in refused.value.hint  # the API's words, not the CLI's flag
    assert "--" not in str(refused.value)
    assert autogradcli.train(config, out=tmp_path / "run", overwrite=True).ok


def test_missing_csv_raises_data_error(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "name: c\ndata: {kind: csv, path: gone.csv, target: y}\nmodel: {kind: linear}\n"
        "optimizer: {kind: sgd, lr: 0.1}\n")
    with pytest.raises(DataError, match="not found"):
        autogradcli.train(autogradcli.load_config(tmp_path / "c.yaml"), out=tmp_path / "run")


def test_mlp_init_from_values_uses_the_config_names(tmp_path):
    config = autogradcli.load_config(ROOT / "configs" / "mlp_nonlinear.yaml", [
        "model.hidden=[2]", "training.epochs=1",
        "model.init={w1: [[0.1, 0.2]], b1: [0, 0], w2: [[0.3], [0.4]], b2: [0]}"])
    result = autogradcli.train(config, out=tmp_path / "run")
    assert result.summary["initial_params"]["w1"] == [[0.1, 0.2]]


def test_init_of_the_wrong_shape_is_a_config_error(tmp_path):
    config = autogradcli.load_config(ROOT / "configs" / "diabetes_linear.yaml",
                                     ["model.init={w: [1, 2], b: 0}"])
    with pytest.raises(ConfigError, match="shape") as error:
        autogradcli.train(config, out=tmp_path / "run")
    assert "model.init" in error.value.where


def test_config_schema_describes_every_section():
    schema = autogradcli.config_schema()
    assert {"name", "data", "model", "loss", "optimizer", "training", "output"} <= set(
        schema["properties"])


def test_parse_grid_reads_yaml_values():
    grid = api.parse_grid(["optimizer.lr=0.01,0.1", "optimizer.kind=sgd,adam"])
    assert grid == {"optimizer.lr": [0.01, 0.1], "optimizer.kind": ["sgd", "adam"]}
    with pytest.raises(ConfigError):
        api.parse_grid(["optimizer.lr"])


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_startup_stays_light():
    # --help must not pay for pydantic or numpy; training never loads sweep, plotting or dask
    heavy = run_python("import sys, autogradcli.cli.train; "
                       "print([m for m in ('pydantic', 'numpy', 'autogradcli.config') "
                       "if m in sys.modules])")
    assert heavy == "[]"
    loaded = run_python(
        "import sys, tempfile, autogradcli as a\n"
        f"a.train(a.load_config({str(TUTORIAL)!r}), out=tempfile.mkdtemp() + '/r')\n"
        "print([m for m in ('matplotlib', 'dask', 'autogradcli.sweeps', 'autogradcli.plotting') "
        "if m in sys.modules])")
    assert loaded == "[]"


def test_the_package_sweep_is_the_api_function_beside_the_sweeps_module():
    import autogradcli.sweeps.runner

    assert autogradcli.sweep is api.sweep
    # the implementation, not the API
    assert autogradcli.sweeps.runner.sweep is not autogradcli.sweep
