"""A run on a CSV file records the file (data_source.json) instead of copying it: the installed
commands read the data from there, and say clearly when it changed or is gone since the run."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import PLOT, ROOT, TRAIN, make_run

EVAL = [sys.executable, "-m", "autogradcli.cli.eval"]


def run(command, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"}, check=False)


def _own_csv_run(tmp_path: Path, epochs: int = 3) -> tuple[Path, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "iris.csv"
    shutil.copyfile(ROOT / "data" / "iris.csv", data)
    folder = make_run("iris_logistic.yaml", tmp_path / "run",
                      [f"data.path={data}", f"training.epochs={epochs}"])
    return folder, data


def test_a_csv_run_records_its_file_and_split(tmp_path):
    folder = make_run("iris_logistic.yaml", tmp_path / "iris")
    assert not (folder / "data.csv").exists()
    record = json.loads((folder / "data_source.json").read_text())
    source = ROOT / "data" / "iris.csv"
    assert record["path"] == "../data/iris.csv"  # as configs/iris_logistic.yaml wrote it
    assert Path(record["resolved"]) == source.resolve()
    assert record["size"] == source.stat().st_size
    assert record["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record["rows"] == 150 and record["train_rows"] + record["val_rows"] == 150
    assert len(record["val"]) == record["val_rows"] == 30
    assert record["val"] == sorted(set(record["val"]))
    # the same data read back: eval reproduces the run's own validation metrics exactly
    done = run(EVAL, folder, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads((folder / "summary.json").read_text())
    metrics = json.loads(done.stdout)["metrics"]
    assert metrics["accuracy"] == summary["metrics"]["val"]["accuracy"]
    assert str(source.resolve()) in json.loads(done.stdout)["data"]
    # the run folder given relative to the working folder: the data still found
    for command in ([*EVAL, "iris", "--json"], [*PLOT, "iris", "--kind", "fit"]):
        done = run(command, cwd=tmp_path)
        assert done.returncode == 0, done.stderr


def test_generated_data_still_gets_data_csv(tmp_path):
    folder = make_run("seed_linear.yaml", tmp_path / "seed")
    assert (folder / "data.csv").is_file() and not (folder / "data_source.json").exists()


def test_a_changed_source_is_a_clear_error_for_eval_resume_and_data_figures(tmp_path):
    folder, data = _own_csv_run(tmp_path)
    with data.open("a") as handle:
        handle.write("5.0,3.0,1.0,0.2,setosa\n")
    for command in ([*EVAL, folder], [*TRAIN, "--resume", folder, "--set", "training.epochs=4"],
                    [*PLOT, folder, "--kind", "loss", "--kind", "fit"]):
        done = run(command)
        assert done.returncode == 2, done.stderr
        assert "the run's data file changed since the run" in done.stderr
        assert "bytes now" in done.stderr and "hint: put back the file" in done.stderr
        assert "Traceback" not in done.stderr
    assert done.stdout.split() == [str(folder / "figures" / "loss.png")]  # drawn before fit
    # figures from the run's own files are still drawn, saying what was left out
    done = run(PLOT, folder)
    assert done.returncode == 0, done.stderr
    assert "left out fit, graph" in done.stderr
    assert str(folder / "figures" / "params.png") in done.stdout.split()
    assert not (folder / "figures" / "fit.png").exists()


def test_a_source_gone_is_a_clear_error_and_a_moved_run_still_finds_it(tmp_path):
    folder, data = _own_csv_run(tmp_path)
    moved = tmp_path / "elsewhere" / "deeper" / "run"
    shutil.move(folder, moved)  # config.yaml's relative path breaks; the resolved one holds
    done = run(EVAL, moved)
    assert done.returncode == 0, done.stderr
    data.unlink()
    done = run(EVAL, moved)
    assert done.returncode == 2
    assert "the run's data file is gone" in done.stderr and str(data) in done.stderr
    assert "hint: put the CSV file the run trained on back there" in done.stderr


def test_resume_of_a_csv_run_is_byte_identical(tmp_path):
    whole, _ = _own_csv_run(tmp_path / "a", epochs=6)
    part, _ = _own_csv_run(tmp_path / "b", epochs=3)
    done = run(TRAIN, "--resume", part, "--set", "training.epochs=6")
    assert done.returncode == 0, done.stderr
    assert (part / "history.csv").read_bytes() == (whole / "history.csv").read_bytes()
