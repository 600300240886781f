"""Hostile or impossible input through the installed commands: one `error:` message naming what
is wrong and where, exit 2, no traceback, nothing trained."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, ROOT, TRAIN, peak_rss

TUTORIAL = CONFIGS / "seed_linear.yaml"
IRIS = CONFIGS / "iris_logistic.yaml"


def train(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    return subprocess.run([*TRAIN, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def user_error(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: "), done.stderr
    return done.stderr


def test_a_set_too_deep_is_blamed_on_the_set(tmp_path):
    stderr = user_error(train(TUTORIAL, "--set", "a.b.c.d=1", "--check", cwd=tmp_path))
    assert "a (from --set a.b.c.d=1): unknown key" in stderr


def test_a_symlink_loop_as_the_config_says_so(tmp_path):
    (tmp_path / "one.yaml").symlink_to("two.yaml")
    (tmp_path / "two.yaml").symlink_to("one.yaml")
    stderr = user_error(train("one.yaml", cwd=tmp_path))
    assert "one.yaml: the config path is a symbolic link that loops" in stderr
    assert "did you mean" not in stderr


def test_a_dangling_symlink_and_a_folder_as_the_config_say_so(tmp_path):
    (tmp_path / "gone.yaml").symlink_to("missing.yaml")
    assert "a symbolic link to 'missing.yaml', which does not exist" in user_error(
        train("gone.yaml", cwd=tmp_path))
    stderr = user_error(train(CONFIGS, cwd=tmp_path))
    assert "the config path is a folder, not a file" in stderr
    assert "seed_linear.yaml" in stderr  # the configs in it


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_a_folder_as_the_data_path_says_so_and_names_its_csv_files(check, tmp_path):
    stderr = user_error(train(IRIS, "--set", f"data.path={ROOT / 'data'}", "--out", "run",
                              *check, cwd=tmp_path))
    assert "the data path is a folder, not a file" in stderr
    assert "iris.csv" in stderr and "did you mean" not in stderr
    assert not (tmp_path / "run").exists()


def test_a_symlink_loop_as_the_data_path_says_so(tmp_path):
    (tmp_path / "loop.csv").symlink_to("loop.csv")
    stderr = user_error(train(IRIS, "--set", f"data.path={tmp_path / 'loop.csv'}", "--out",
                              "run", cwd=tmp_path))
    assert "the data path is a symbolic link that loops" in stderr


def test_check_loads_the_data_and_builds_the_model(tmp_path):
    done = train(IRIS, "--check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("# checked: the data loads and the model builds")
    stderr = user_error(train(IRIS, "--set", "data.path=missing.csv", "--check", cwd=tmp_path))
    assert "data file not found" in stderr
    stderr = user_error(train(IRIS, "--set", "data.target=speciess", "--check", cwd=tmp_path))
    assert "no column 'speciess'" in stderr and "did you mean 'species'?" in stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_check_with_a_sweep_checks_every_point(tmp_path):
    stderr = user_error(train(TUTORIAL, "--sweep", "optimizer.lrr=0.1,0.2", "--check",
                              cwd=tmp_path))
    assert "--sweep optimizer.lrr=0.1: unknown key" in stderr and "did you mean 'lr'?" in stderr
    stderr = user_error(train(TUTORIAL, "--sweep", "training.batch_size=10,1000", "--check",
                              cwd=tmp_path))
    assert "batch size 1000 is larger than the 100 training rows" in stderr
    done = train(TUTORIAL, "--sweep", "optimizer.lr=0.1,0.2", "--sweep",
                 "training.batch_size=10,20,null", "--check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("the model builds, 6 sweep points")
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------------------------ memory

MLP = CONFIGS / "mlp_nonlinear.yaml"


@pytest.mark.parametrize(("override", "key", "unit"), [
    ("model.hidden=[1000000,1000000]", "model.hidden", "TiB"),
    ("data.n=10000000000", "data.n", "TiB"),
])
def test_a_run_too_big_for_the_machine_is_refused_before_allocating(override, key, unit,
                                                                      tmp_path):
    for check in ([], ["--check"]):
        stderr = user_error(train(MLP, "--set", override, "--out", "run", *check, cwd=tmp_path))
        assert f"{key} (from --set {override}): this run needs about" in stderr
        assert f" {unit} of memory (data " in stderr and "is available (" in stderr
        assert "MemoryError" not in stderr
    assert not (tmp_path / "run").exists()


def _limit_address_space(size: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return apply


def test_the_address_space_limit_is_the_machine_limit_when_tighter(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    done = subprocess.run([*TRAIN, str(TUTORIAL), "--set", "data.n=30000000", "--out", "run"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False, preexec_fn=_limit_address_space(2 << 30))
    stderr = user_error(done)
    assert "is available (ulimit -v, less what this process already uses)" in stderr
    assert "hint: generate fewer rows (data.n)" in stderr


@pytest.mark.parametrize("overrides", [
    ["model.hidden=[1000,1000]", "training.epochs=1"],  # parameters dominate
    ["data.n=50000", "training.batch_size=5000", "model.hidden=[64,64]",
     "training.epochs=1"],  # data and activations dominate
])
def test_the_estimate_covers_what_a_run_really_uses(overrides, tmp_path):
    from autogradcli import load_config
    from autogradcli.training.memory import estimate

    def peak(*args) -> int:
        code, size, stderr = peak_rss([*TRAIN, str(MLP), *args, "-q"], cwd=tmp_path)
        assert code == 0, stderr
        return size

    sets = [arg for item in overrides for arg in ("--set", item)]
    baseline = peak("--schema")  # the interpreter and the libraries
    used = peak(*sets, "--out", "run") - baseline
    assert used > 20 << 20  # measured, not the launcher's peak
    config = load_config(MLP, overrides)
    assert used <= sum(estimate(config, config.data.n, 1, 1).values())


@pytest.mark.parametrize(("args", "where"), [
    (["--set", "data.a=1e300"], "seed_linear.yaml:6: data: values too large to train on"),
    (["--set", "data.a=1e308", "--set", "data.standardize_target=true"],
     "data: values too large to train on: column 'y' reaches inf"),
])
def test_huge_generated_values_are_the_datas_problem_not_the_learning_rate(args, where,
                                                                          tmp_path):
    stderr = user_error(train(TUTORIAL, *args, "--out", "run", cwd=tmp_path))
    assert where in stderr and "learning rate" not in stderr and "Warning" not in stderr
    assert not (tmp_path / "run").exists()


def test_huge_values_in_a_csv_name_the_column(tmp_path):
    (tmp_path / "big.csv").write_text("x,y\n1,2\n3,-1e200\n4,5\n")
    config = tmp_path / "big.yaml"
    config.write_text("name: big\ndata: {kind: csv, path: big.csv, target: y}\n"
                      "model: {kind: linear}\noptimizer: {kind: sgd, lr: 0.01}\n")
    stderr = user_error(train(config, "--out", "run", cwd=tmp_path))
    assert "big.csv: values too large to train on: column 'y' reaches 1e+200" in stderr


# --------------------------------------------------------------------- integer class labels


def _iris_with_integer_labels(folder: Path, label=lambda i: str(i)) -> Path:
    names = {"setosa": 0, "versicolor": 1, "virginica": 2}
    lines = (ROOT / "data" / "iris.csv").read_text().splitlines()
    rows = [line.rsplit(",", 1) for line in lines[1:] if line.strip()]
    text = "\n".join([lines[0], *(f"{x},{label(names[y])}" for x, y in rows)]) + "\n"
    (folder / "iris_int.csv").write_text(text)
    return folder / "iris_int.csv"


def test_integer_class_labels_train_as_class_indices(tmp_path):
    path = _iris_with_integer_labels(tmp_path)
    named = train(IRIS, "--out", "named", "--json", cwd=tmp_path)
    for classes in ("null", "[0,1,2]"):
        done = train(IRIS, "--set", f"data.path={path}", "--set", f"data.classes={classes}",
                     "--out", f"run-{len(classes)}", "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["status"] == "completed"
        assert result["metrics"]["val"]["accuracy"] >= 0.9
        # the same rows with their names: the same run, number for number
        assert result["final_train_loss"] == json.loads(named.stdout)["final_train_loss"]


@pytest.mark.parametrize(("label", "message"), [
    (lambda i: f"{i}.5", "the target column 'species' holds 0.5, not a class index"),
    (lambda i: str(-i), "the target column 'species' holds -1, not a class index"),
    (lambda i: str(1000 * i), "reaches 2000 with only 150 rows: these are not class indices"),
])
def test_a_target_that_is_not_class_indices_is_refused_with_a_hint(label, message, tmp_path):
    path = _iris_with_integer_labels(tmp_path, label)
    stderr = user_error(train(IRIS, "--set", f"data.path={path}", "--set", "data.classes=null",
                              "--out", "run", cwd=tmp_path))
    assert message in stderr
    assert "hint: without data.classes, class labels must be the integers 0, 1, ..." in stderr


def test_integer_labels_follow_the_losses_class_rules(tmp_path):
    path = _iris_with_integer_labels(tmp_path)
    stderr = user_error(train(IRIS, "--set", f"data.path={path}", "--set", "data.classes=null",
                              "--set", "loss.kind=bce", "--out", "run", cwd=tmp_path))
    assert "loss.kind (from --set loss.kind=bce): bce needs 2 classes; the data has 3" in stderr
    stderr = user_error(train(IRIS, "--set", f"data.path={path}", "--set", "data.classes=null",
                              "--set", "data.standardize_target=true", "--out", "run",
                              cwd=tmp_path))
    assert "data.standardize_target" in stderr and "cannot scale class labels" in stderr
