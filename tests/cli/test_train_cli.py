"""End-to-end: the installed `autograd-train` command, run as a subprocess in a temporary folder.

Terminal width pinned (COLUMNS=100); stdout is a pipe, so the plain (non-live) output is what we
see.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
TUTORIAL = ROOT / "configs" / "seed_linear.yaml"
RUN_FILES = ("history.csv", "epochs.csv", "summary.json", "config.yaml", "model.npz")
COMMAND = [sys.executable, "-m", "autogradcli.cli.train"]  # the installed package, PATH or not


def cli(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def assert_user_error(done: subprocess.CompletedProcess, *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith("error: ")
    for needle in needles:
        assert needle in done.stderr


# --------------------------------------------------------------------------- shipped configs


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_every_shipped_config_runs_and_writes_its_folder(config, tmp_path):
    done = cli(config, "--quiet", "--out", tmp_path / "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    for name in RUN_FILES:
        assert (tmp_path / "run" / name).is_file(), name
    # the data: a generated one copied, a CSV file recorded (path, size, hash, split)
    csv_data = "kind: csv" in (tmp_path / "run" / "config.yaml").read_text()
    data = "data_source.json" if csv_data else "data.csv"
    assert (tmp_path / "run" / data).is_file(), data
    assert summary(tmp_path / "run")["status"] == "completed"


def test_tutorial_gives_100_history_rows_and_a_summary_table(tmp_path):
    done = cli(TUTORIAL, "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert rows[0] == "epoch,step,a,b,loss,lr"
    assert len(rows) == 101
    assert "epoch 10/10" in done.stdout  # one plain line per epoch when stdout is not a terminal
    assert "\x1b[" not in done.stdout  # no cursor or colour codes in a pipe
    for word in ("parameter", "least squares", "final", "train loss", "completed"):
        assert word in done.stdout


def test_default_run_folder_comes_from_output_dir(tmp_path):
    done = cli(TUTORIAL, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "runs" / "seed_linear" / "history.csv").is_file()


def test_same_seed_gives_byte_identical_history(tmp_path):
    for out in ("one", "two"):
        assert cli(TUTORIAL, "--quiet", "--out", out, cwd=tmp_path).returncode == 0
    for name in ("history.csv", "data.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_seed_flag_changes_the_run_and_is_recorded(tmp_path):
    assert cli(TUTORIAL, "--quiet", "--seed", "7", "--out", "s7", cwd=tmp_path).returncode == 0
    assert cli(TUTORIAL, "--quiet", "--out", "s42", cwd=tmp_path).returncode == 0
    assert summary(tmp_path / "s7")["seed"] == 7
    assert "seed: 7" in (tmp_path / "s7" / "config.yaml").read_text()
    assert (tmp_path / "s7" / "history.csv").read_bytes() != (
        tmp_path / "s42" / "history.csv").read_bytes()


def test_refuses_to_overwrite_unless_asked(tmp_path):
    assert cli(TUTORIAL, "--quiet", "--out", "run", cwd=tmp_path).returncode == 0
    before = (tmp_path / "run" / "history.csv").read_bytes()
    refused = cli(TUTORIAL, "--quiet", "--out", "run", cwd=tmp_path)
    assert_user_error(refused, "run", "--overwrite")
    assert (tmp_path / "run" / "history.csv").read_bytes() == before
    again = cli(TUTORIAL, "--quiet", "--out", "run", "--overwrite", "--set", "optimizer.lr=0.05",
                cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert summary(tmp_path / "run")["status"] == "completed"
    assert (tmp_path / "run" / "history.csv").read_bytes() != before


def test_trained_longer_the_tutorial_reaches_least_squares(tmp_path):
    done = cli(TUTORIAL, "--quiet", "--out", "run", "--set", "training.epochs=300", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = summary(tmp_path / "run")
    for name in ("a", "b"):
        assert abs(result["final_params"][name] - result["least_squares"][name]) < 0.05


def test_several_configs_each_get_their_own_folder(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(TUTORIAL.read_text().replace("name: seed_linear", "name: other"))
    done = cli(TUTORIAL, other, "--quiet", "--out", "many", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("seed_linear", "other"):
        assert summary(tmp_path / "many" / name)["name"] == name


# ----------------------------------------------------------------------------- output modes


def test_json_prints_the_summary_on_stdout(tmp_path):
    done = cli(TUTORIAL, "--json", "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["status"] == "completed"
    assert printed["folder"] == "run"
    assert printed["final_params"] == summary(tmp_path / "run")["final_params"]


def test_check_prints_resolved_yaml_and_trains_nothing(tmp_path):
    done = cli(TUTORIAL, "--check", "--set", "optimizer.lr=0.05", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lr: 0.05" in done.stdout
    assert "momentum: 0.0" in done.stdout  # defaults filled in
    assert not (tmp_path / "runs").exists()


def test_schema_prints_the_json_schema(tmp_path):
    done = cli("--schema", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert {"data", "model", "optimizer", "training"} <= set(schema["properties"])


def test_help_lists_the_flags(tmp_path):
    done = cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    for flag in ("--set", "--out", "--overwrite", "--seed", "--quiet", "--json", "--check",
                 "--schema", "--sweep", "--jobs", "--executor", "--scheduler"):
        assert flag in done.stdout


# ------------------------------------------------------------------------------ user errors


BAD_CONFIGS = {
    # name: (edit of the tutorial's text, words the message must contain)
    "yaml-syntax": (("name: seed_linear", "name: [seed_linear"), ("bad.yaml:", "invalid YAML")),
    "misspelled-key": (("  lr: 0.02", "  lrate: 0.02"),
                       ("bad.yaml:24", "optimizer.lrate", "did you mean 'lr'")),
    "wrong-type": (("  epochs: 10", "  epochs: ten"), ("bad.yaml:27", "training.epochs")),
    "out-of-range": (("  lr: 0.02", "  lr: -1"), ("bad.yaml:24", "optimizer.lr", "lr > 0")),
    "batch-larger-than-data": (("  batch_size: 10", "  batch_size: 1000"),
                               ("bad.yaml:28", "training.batch_size", "100")),
}


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_config_mistakes_exit_2_with_file_line_and_key(case, tmp_path):
    (old, new), needles = BAD_CONFIGS[case]
    text = TUTORIAL.read_text()
    assert old in text
    (tmp_path / "bad.yaml").write_text(text.replace(old, new, 1))
    assert_user_error(cli("bad.yaml", "--out", "run", cwd=tmp_path), *needles)
    assert not (tmp_path / "run").exists()


CSV_CONFIG = """\
name: csv_case
seed: 1
data:
  kind: csv
  path: {path}
  target: {target}
model:
  kind: linear
optimizer:
  kind: sgd
  lr: 0.1
training:
  batch_size: 2
"""

BAD_DATA = {
    # name: (CSV text or None for no file, target column, words the message must contain)
    "missing-csv": (None, "y", ("points.csv", "not found", "config.yaml:5", "data.path")),
    "missing-column": ("x,y\n1,2\n2,3\n", "z", ("points.csv", "'z'", "Columns: x, y")),
    "non-numeric-cell": ("x,y\n1,2\n2,abc\n", "y", ("points.csv:3", "column 'y'", "'abc'")),
    "empty-data": ("x,y\n", "y", ("points.csv", "no data rows")),
    "batch-larger-than-csv": ("x,y\n1,2\n", "y", ("config.yaml:13", "training.batch_size")),
}


@pytest.mark.parametrize("case", BAD_DATA, ids=list(BAD_DATA))
def test_data_mistakes_exit_2_naming_file_and_column(case, tmp_path):
    csv_text, target, needles = BAD_DATA[case]
    if csv_text is not None:
        (tmp_path / "points.csv").write_text(csv_text)
    (tmp_path / "config.yaml").write_text(CSV_CONFIG.format(path="points.csv", target=target))
    assert_user_error(cli("config.yaml", "--out", "run", cwd=tmp_path), *needles)


@pytest.mark.parametrize("override, needles", [
    ("optimizer.lrr=3", ("optimizer.lrr", "--set", "did you mean 'lr'")),
    ("optimizer.lr=abc", ("optimizer.lr", "--set")),
    ("no-equals-sign", ("--set", "KEY.PATH=VALUE")),
], ids=["unknown-key", "wrong-type", "no-equals"])
def test_bad_set_exits_2(override, needles, tmp_path):
    assert_user_error(cli(TUTORIAL, "--set", override, cwd=tmp_path), *needles)


def test_missing_config_file_exits_2(tmp_path):
    assert_user_error(cli("nope.yaml", cwd=tmp_path), "nope.yaml", "not found")


@pytest.mark.parametrize("args, needles", [
    (("--sweep", "optimizer.lr"), ("--sweep", "KEY.PATH=VALUE1,VALUE2")),
    (("--jobs", "2"), ("--jobs", "sweep")),
], ids=["sweep-syntax", "jobs-without-sweep"])
def test_bad_sweep_flags_exit_2(args, needles, tmp_path):
    assert_user_error(cli(TUTORIAL, *args, cwd=tmp_path), *needles)


# ------------------------------------------------------------------- divergence and Ctrl-C


def test_divergence_exits_1_and_keeps_the_history(tmp_path):
    done = cli(TUTORIAL, "--out", "run", "--set", "optimizer.lr=1e6", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "diverged at step" in done.stderr and "smaller learning rate" in done.stderr
    result = summary(tmp_path / "run")
    assert result["status"] == "diverged"
    rows = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert len(rows) - 1 == result["steps"] + 1  # every step made, plus the non-finite one


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_exits_130_and_marks_the_summary_interrupted(tmp_path):
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.Popen(
        [*COMMAND, TUTORIAL, "--out", "run", "--set", "training.epochs=1000000"], cwd=tmp_path,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("epoch "):
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    assert "interrupted" in err
    assert "interrupted" in out  # the summary table is still shown
    result = summary(tmp_path / "run")
    assert result["status"] == "interrupted"
    rows = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert len(rows) - 1 >= 10  # at least the first epoch's steps were kept


def test_sweep_prints_a_line_per_run_then_a_table(tmp_path):
    done = cli(TUTORIAL, "--sweep", "optimizer.lr=0.02,1e6", "--out", "sw", cwd=tmp_path)
    assert done.returncode == 1  # one run diverged; the other still completed
    assert "Traceback" not in done.stdout + done.stderr
    assert "[1/2]" in done.stdout and "[2/2]" in done.stdout
    assert "diverged" in done.stdout and "completed" in done.stdout
    assert (tmp_path / "sw" / "sweep.csv").is_file()
    table = done.stdout[done.stdout.index("sweep -> sw"):]
    assert table.index("0.02") < table.index("1000000.0")  # sorted by final loss
