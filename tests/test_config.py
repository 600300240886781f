"""Tests of autogradcli.config: loading, every error path's message, overrides, export, sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import cli_text
from pydantic import ValidationError

from autogradcli.config import (
    Config,
    config_schema,
    config_to_yaml,
    config_with,
    load_config,
    output_dir,
    resolve_seed,
)
from autogradcli.errors import ConfigError, UserError

CONFIGS = sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.yaml"))

BASE = """\
name: t
seed: 1
data:
  kind: line
  n: 100
model:
  kind: linear
optimizer:
  kind: sgd
  lr: 0.1
"""


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, overrides: tuple[str, ...] = ()) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, list(overrides))
    return info.value


# ------------------------------------------------------------------------------ shipped configs


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_config_validates_and_round_trips(path: Path, tmp_path: Path):
    config = load_config(path)
    assert config.source == path.resolve()
    saved = write(tmp_path, config_to_yaml(config, relative_to=tmp_path))
    again = load_config(saved)
    assert again.model_dump(exclude={"data": {"path"}}) == config.model_dump(
        exclude={"data": {"path"}})


def test_shipped_configs_exist():
    names = {p.stem for p in CONFIGS}
    assert {"seed_linear", "diabetes_linear", "iris_logistic", "mlp_nonlinear"} <= names
    assert any(name.startswith("adam_") for name in names)


def test_seed_linear_is_the_tutorial():
    config = load_config(CONFIGS[0].parent / "seed_linear.yaml")
    assert (config.data.kind, config.data.n) == ("line", 100)
    assert (config.model.kind, config.model.init) == ("linear", "random")
    assert config.loss.kind == "mse"
    optimizer = config.optimizer
    assert (optimizer.kind, optimizer.lr, optimizer.momentum) == ("sgd", 0.02, 0)
    training = config.training
    assert (training.epochs, training.batch_size, training.shuffle) == (10, 10, "once")


# ---------------------------------------------------------------------------------- error paths

ERRORS = {
    # id: (yaml text, overrides, where, message part, hint part or None)
    "unknown-key": (BASE.replace("lr:", "lrate:"), (), "c.yaml:10: optimizer.lrate",
                    "unknown key", "did you mean 'lr'? Valid keys: kind, lr, momentum"),
    "unknown-top-key": (BASE + "trainig: {epochs: 3}\n", (), "c.yaml:11: trainig", "unknown key",
                        "did you mean 'training'?"),
    "key-of-other-kind": (BASE.replace("kind: sgd", "kind: adam\n  momentum: 0.9"), (),
                          "c.yaml:10: optimizer.momentum", "unknown key",
                          "'momentum' is a key of kind 'sgd', not 'adam'"),
    "misspelled-kind": (BASE.replace("kind: sgd", "kind: sdg"), (), "c.yaml:9: optimizer.kind",
                        "unknown kind 'sdg'", "did you mean 'sgd'? Valid kinds: sgd, adam"),
    "missing-kind": (BASE.replace("  kind: sgd\n", ""), (), "c.yaml:8: optimizer",
                     "missing key 'kind'", "Valid kinds: sgd, adam"),
    "missing-name": (BASE.replace("name: t\n", ""), (), "c.yaml: name",
                     "missing required key 'name'", None),
    "missing-csv-path": (BASE.replace("kind: line\n  n: 100", "kind: csv\n  target: y"), (),
                         "c.yaml:3: data.path", "missing required key 'path' under data", None),
    "wrong-type": (BASE.replace("lr: 0.1", "lr: fast"), (), "c.yaml:10: optimizer.lr",
                   "expected a number, got 'fast'", None),
    "bool-for-int": (BASE.replace("n: 100", "n: true"), (), "c.yaml:5: data.n",
                     "expected a number, got true", None),
    "section-not-mapping": (BASE + "training: 5\n", (), "c.yaml:11: training",
                            "expected a mapping", None),
    "out-of-range": (BASE.replace("lr: 0.1", "lr: -0.1"), (), "c.yaml:10: optimizer.lr",
                     "out of range: got -0.1, wanted lr > 0", None),
    "momentum-range": (BASE + "  momentum: 1.0\n", (), "c.yaml:11: optimizer.momentum",
                       "wanted momentum < 1", None),
    "list-item-range": (BASE.replace("kind: linear", "kind: mlp\n  hidden: [4, 0]"), (),
                        "c.yaml:8: model.hidden[1]", "got 0, wanted value >= 1", None),
    "bad-literal": (BASE + "training:\n  shuffle: onse\n", (), "c.yaml:12: training.shuffle",
                    "invalid value 'onse'", "did you mean 'once'?"),
    "nesterov-needs-momentum": (BASE + "  nesterov: true\n", (), "c.yaml:11: optimizer.nesterov",
                                "needs momentum > 0", "set momentum"),
    "batch-larger-than-data": (BASE + "training:\n  batch_size: 101\n", (),
                               "c.yaml:12: training.batch_size", "larger than the 100 training",
                               "batch_size <= 100"),
    "linear-needs-one-feature": (BASE.replace("  kind: line\n", "  kind: linear\n", 1), (),
                                 "c.yaml:7: model.kind",
                                 "takes 1 feature; the data has 3", "linear_multi"),
    "bce-needs-classes": (BASE + "loss: {kind: bce}\n", (), "c.yaml:11: loss.kind",
                          "bce needs class labels", None),
    "init-unknown-parameter": (BASE.replace("kind: linear", "kind: linear\n  init: {a: 1, c: 2}"),
                               (), "c.yaml:8: model.init.c", "unknown parameter",
                               "Parameters: a, b"),
    "init-missing-parameter": (BASE.replace("kind: linear", "kind: linear\n  init: {a: 1}"), (),
                               "c.yaml:8: model.init", "missing value for b", None),
    "init-bad-word": (BASE.replace("kind: linear", "kind: linear\n  init: randn"), (),
                      "c.yaml:8: model.init", "init must be 'random'", None),
    "x-range-order": (BASE.replace("n: 100", "n: 100\n  x_range: [2, 1]"), (),
                      "c.yaml:6: data.x_range", "low < high", None),
    "placeholder": (BASE + "output: {dir: 'runs/{nmae}'}\n", (), "c.yaml:11: output.dir",
                    "unknown placeholder {nmae}", None),
    "csv-feature-is-target": (BASE.replace("kind: line\n  n: 100",
                                           "kind: csv\n  path: a.csv\n  target: y\n"
                                           "  features: [y]"),
                              (), "c.yaml:7: data.features[0]", "also the target", None),
    "sweep-unknown-key": (BASE + "sweep:\n  optimizer.lrate: [0.1]\n", (),
                          "c.yaml:12: sweep.optimizer.lrate", "not a key of this config",
                          "did you mean 'optimizer.lr'?"),
    "sweep-empty-list": (BASE + "sweep:\n  optimizer.lr: []\n", (), "c.yaml:12: sweep.optimizer.lr",
                         "at least 1 item", None),
    "sweep-bad-value": (BASE + "sweep:\n  optimizer.lr:\n    - 0.1\n    - -2\n", (),
                        "c.yaml:14: sweep.optimizer.lr[1]", "optimizer.lr: out of range", None),
    "override-out-of-range": (BASE, ("optimizer.lr=-1",), "(from --set optimizer.lr=-1)",
                              "out of range: got -1", None),
    "override-unknown-key": (BASE, ("optimizer.lrate=0.5",), "c.yaml: optimizer.lrate (from --set",
                             "unknown key", "did you mean 'lr'?"),
    "override-no-equals": (BASE, ("optimizer.lr",), "--set optimizer.lr", "expected KEY.PATH=VALUE",
                           "--set optimizer.lr=0.05"),
    "override-bad-key": (BASE, ("optimizer..lr=1",), "--set optimizer..lr=1",
                         "expected KEY.PATH=VALUE", None),
    "override-bad-yaml": (BASE, ("model.hidden=[16,",), "--set model.hidden=[16,",
                          "the value is not valid YAML", None),
    "override-into-scalar": (BASE, ("optimizer.lr.x=1",), "--set optimizer.lr.x=1",
                             "optimizer.lr is 0.1, not a mapping", None),
    "yaml-syntax": (BASE + "training:\n  epochs: [1, 2\n", (), "c.yaml:", "invalid YAML", None),
    "yaml-tab": (BASE.replace("  n: 100", "\tn: 100"), (), "c.yaml:5", "invalid YAML",
                 "tabs"),
    "duplicate-key": (BASE + "  lr: 0.2\n", (), "c.yaml:11: optimizer.lr", "duplicate key 'lr'",
                      "already set on line 10"),
    "top-level-list": ("- a\n- b\n", (), "c.yaml:1", "top level must be a mapping", None),
    "top-level-scalar": ("hello\n", (), "c.yaml:1", "top level must be a mapping", None),
    "empty-file": ("# nothing\n", (), "c.yaml", "the file is empty", "seed_linear.yaml"),
}


@pytest.mark.parametrize("case", ERRORS.values(), ids=ERRORS.keys())
def test_error_message(case, tmp_path: Path):
    text, overrides, where, message, hint = case
    error = error_of(tmp_path, text, overrides)
    assert where in cli_text(error, "where")
    assert message in error.message
    if hint is None:
        assert error.hint is None or isinstance(error.hint, str)
    else:
        assert hint in cli_text(error, "hint")
    assert "--set" not in str(error)  # the API speaks of overrides; the CLI says --set
    assert error.format().startswith(f"error: {error.where}: {error.message}")


def test_missing_file_suggests_nearby_config(tmp_path: Path):
    write(tmp_path, BASE, "seed_linear.yaml")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "seed_linaer.yaml")
    assert info.value.message == "config file not found"
    assert info.value.where.endswith("seed_linaer.yaml")
    assert "did you mean 'seed_linear.yaml'?" in info.value.hint


def test_yaml_syntax_error_names_its_line(tmp_path: Path):
    error = error_of(tmp_path, "name: t\ndata:\n  kind: line\n   n: 3\n")
    assert error.where.endswith("c.yaml:4")


def test_error_format_layout():
    error = ConfigError("unknown key", where="configs/a.yaml:14: optimizer.lrate",
                        hint="did you mean 'lr'?")
    assert error.format() == ("error: configs/a.yaml:14: optimizer.lrate: unknown key\n"
                              "  hint: did you mean 'lr'?")
    assert isinstance(error, UserError)
    assert UserError("boom").format() == "error: boom"


# ------------------------------------------------------------------------------------ overrides

OVERRIDES = [
    ("optimizer.lr=0.05", lambda c: c.optimizer.lr == 0.05),
    ("optimizer.lr = 0.05", lambda c: c.optimizer.lr == 0.05),
    ("optimizer.eps=1e-6", None),  # PyYAML reads 1e-6 as a string; sgd has no eps anyway
    ("training.batch_size=null", lambda c: c.training.batch_size is None),
    ("training.shuffle=never", lambda c: c.training.shuffle == "never"),
    ("optimizer.nesterov=true", None),
    ("name=other run", lambda c: c.name == "other run"),
    ("seed=7", lambda c: c.seed == 7),
    ("data.x_range=[-1, 1]", lambda c: c.data.x_range == (-1.0, 1.0)),
    ("model.init={a: 0.5, b: -1.0}", lambda c: c.model.init == {"a": 0.5, "b": -1.0}),
    ("optimizer.kind=adam", lambda c: c.optimizer.kind == "adam" and c.optimizer.betas[0] == 0.9),
    ("sweep.optimizer.lr=[0.01, 0.1]", lambda c: c.sweep == {"optimizer.lr": [0.01, 0.1]}),
]


@pytest.mark.parametrize("override,check", OVERRIDES, ids=[o for o, _ in OVERRIDES])
def test_override(override: str, check, tmp_path: Path):
    path = write(tmp_path, BASE)
    if check is None:
        with pytest.raises(ConfigError):
            load_config(path, [override])
    else:
        assert check(load_config(path, [override]))


def test_overrides_apply_in_order_and_can_change_kind(tmp_path: Path):
    path = write(tmp_path, BASE)
    config = load_config(path, ["model.kind=mlp", "model.hidden=[16,16]", "model.activation=relu"])
    assert config.model.hidden == [16, 16]
    assert config.model.parameter_names() == ["w1", "b1", "w2", "b2", "w3", "b3"]


def test_yaml_float_strings_are_numbers(tmp_path: Path):
    config = load_config(write(tmp_path, BASE.replace("kind: sgd", "kind: adam") + "  eps: 1e-6\n"))
    assert config.optimizer.eps == 1e-6


# ------------------------------------------------------------------------- seed, export, sweep


def test_resolve_seed(tmp_path: Path):
    config = load_config(write(tmp_path, BASE.replace("seed: 1", "seed: null")))
    assert config.seed is None
    picked = resolve_seed(config)
    assert isinstance(picked.seed, int) and picked.seed >= 0
    assert resolve_seed(config, 5).seed == 5
    assert resolve_seed(picked).seed == picked.seed
    assert picked.base_dir == tmp_path.resolve()
    assert f"seed: {picked.seed}\n" in config_to_yaml(picked)


def test_resolve_seed_refuses_a_negative_seed(tmp_path: Path):
    config = load_config(write(tmp_path, BASE))
    with pytest.raises(ConfigError, match="wanted seed >= 0") as info:
        resolve_seed(config, -5)
    assert info.value.where == "seed"
    assert cli_text(info.value, "where") == "--seed"


def test_config_to_yaml_is_stable_and_complete(tmp_path: Path):
    config = load_config(write(tmp_path, BASE))
    text = config_to_yaml(config)
    assert text == config_to_yaml(load_config(write(tmp_path, text, "again.yaml")))
    data = yaml.safe_load(text)
    assert list(data) == ["name", "seed", "data", "model", "loss", "optimizer", "training",
                          "output"]
    assert list(data["optimizer"]) == ["kind", "lr", "momentum", "nesterov", "weight_decay",
                                       "schedule", "clip_grad_norm", "clip_grad_value"]
    assert data["optimizer"]["schedule"] == {"kind": "constant"}
    assert data["training"] == {"epochs": 10, "batch_size": 32, "shuffle": "every_epoch",
                                "metrics": None, "early_stopping": None, "compile": "auto"}


def test_config_to_yaml_rewrites_csv_path(tmp_path: Path):
    config = load_config(CONFIGS[0].parent / "diabetes_linear.yaml")
    run = tmp_path / "runs" / "x"
    run.mkdir(parents=True)
    write(run, config_to_yaml(config, relative_to=run), "config.yaml")
    again = load_config(run / "config.yaml")
    assert (again.base_dir / again.data.path).resolve() == (config.base_dir /
                                                           config.data.path).resolve()


def test_output_dir(tmp_path: Path):
    path = write(tmp_path, BASE + "output: {dir: 'out/{name}-{seed}'}\n")
    config = resolve_seed(load_config(path))
    assert output_dir(config) == Path("out/t-1")


def test_config_with_changes_and_kind_switch(tmp_path: Path):
    config = load_config(write(tmp_path, BASE + "  momentum: 0.5\n"))
    adam = config_with(config, {"optimizer.kind": "adam", "optimizer.lr": 0.01})
    assert (adam.optimizer.kind, adam.optimizer.lr) == ("adam", 0.01)
    assert config.optimizer.kind == "sgd"
    assert adam.source == config.source
    with pytest.raises(ConfigError, match="out of range"):
        config_with(config, {"optimizer.lr": 0})


def test_sweep_values_validated_and_kept(tmp_path: Path):
    text = BASE + "sweep:\n  optimizer.lr: [0.01, 0.1]\n  training.batch_size: [10, null]\n"
    config = load_config(write(tmp_path, text))
    assert config.sweep == {"optimizer.lr": [0.01, 0.1], "training.batch_size": [10, None]}
    assert config_with(config, {"training.batch_size": None}).sweep is None


def test_schema_lists_every_section_and_kind():
    schema = config_schema()
    text = json.dumps(schema)
    for word in ("optimizer", "cross_entropy", "linear_multi", "every_epoch", "val_fraction"):
        assert word in text
    assert schema["additionalProperties"] is False


def test_every_field_has_a_description():
    from autogradcli.config.experiment import KINDS, PLAIN

    classes = [Config] + [cls for kinds in KINDS.values() for cls in kinds.values()]
    classes += list(PLAIN.values())
    for cls in classes:
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name}"


LAYER = ["config/sections.py", "config/model_sections.py", "config/yaml_source.py",
         "config/checks.py", "config/fields.py",
         "config/experiment.py", "config/loading.py", "config/export.py", "data/dataset.py",
         "data/csv_source.py", "errors.py"]


@pytest.mark.parametrize("module", LAYER)
def test_config_and_data_import_nothing_heavy(module: str):
    # autogradcli/__init__ may import the API (and so the engine); check these modules' own imports
    import ast

    source = (Path(__file__).resolve().parents[1] / "autogradcli" / module).read_text()
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    banned = ("autogradcli.engine", "rich", "typer", "matplotlib", "sklearn", "pandas")
    assert not [n for n in names if n.split(".")[0] in banned or n.startswith(banned)]


def test_a_validated_config_cannot_be_changed_into_an_invalid_one(tmp_path: Path):
    config = load_config(write(tmp_path, BASE))
    with pytest.raises(ValidationError, match="frozen"):
        config.training.epochs = -3
    with pytest.raises(ValidationError, match="frozen"):
        config.seed = 5
    assert config.training.epochs == load_config(write(tmp_path, BASE)).training.epochs
    with pytest.raises(ConfigError, match="out of range"):
        config_with(config, {"training.epochs": -3})  # the way to change one: validated
