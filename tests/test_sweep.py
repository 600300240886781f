"""Sweeps: grid parsing and naming, validation before anything starts, local and Dask executors,
identical sweep.csv across executors, resume, failed and diverged runs, Ctrl-C."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import TRAIN, cli_text

from autogradcli.config import load_config
from autogradcli.errors import ConfigError, RunFolderError, UserError
from autogradcli.inference.run import load_run
from autogradcli.runs.reader import run_dataset
from autogradcli.sweeps import executors as sweep_workers
from autogradcli.sweeps.grid import expand_grid, parse_sweep_args, run_names
from autogradcli.sweeps.runner import sweep
from autogradcli.sweeps.table import SweepResult, SweepRow

REPO = Path(__file__).resolve().parents[1]
TUTORIAL = REPO / "configs" / "seed_linear.yaml"
GRID = {"optimizer.lr": [0.005, 0.02], "training.batch_size": [10, 20]}
NAMES = ["lr-0.005_batch_size-10", "lr-0.005_batch_size-20", "lr-0.02_batch_size-10",
         "lr-0.02_batch_size-20"]


def _tutorial(*overrides):
    return load_config(TUTORIAL, ["training.epochs=5", *overrides])


def _rows(path):
    """sweep.csv without its timing column."""
    text = Path(path).read_text(encoding="utf-8")
    return [{k: v for k, v in row.items() if k != "seconds"}
            for row in csv.DictReader(io.StringIO(text))]


def _done(events):
    """The RunDone events (a sweep also sends SweepStart and InFlight)."""
    return [e for e in events if type(e).__name__ == "RunDone"]


def _mtimes(folder):
    return {p.parent.name: p.stat().st_mtime_ns for p in Path(folder).glob("*/summary.json")}


@pytest.fixture(scope="session")
def local_sweep(tmp_path_factory):
    """The reference: 4 tutorial runs, jobs=1."""
    folder = tmp_path_factory.mktemp("local") / "sweep"
    events = []
    result = sweep(_tutorial(), GRID, out=folder, jobs=1, progress=events.append)
    return result, events


# ------------------------------------------------------------------------------ grid and names


def test_parse_sweep_args_reads_yaml_values():
    grid = parse_sweep_args(["optimizer.lr=0.005,0.02,1e-1", "model.hidden=[8],[16, 16]",
                             "training.shuffle=once,never", "training.batch_size=null,10",
                             "optimizer.lr=0.5"])
    assert grid == {"optimizer.lr": [0.005, 0.02, 0.1, 0.5], "model.hidden": [[8], [16, 16]],
                    "training.shuffle": ["once", "never"], "training.batch_size": [None, 10]}


@pytest.mark.parametrize("text", ["optimizer.lr", "=0.1", "optimizer lr=1", "optimizer.lr=[0.1"])
def test_parse_sweep_args_refuses_malformed_items(text):
    with pytest.raises(ConfigError) as info:
        parse_sweep_args([text])
    assert cli_text(info.value, "where") == f"--sweep {text}"
    assert info.value.where == f"sweep option {text}"


def test_expand_grid_varies_the_last_key_fastest():
    points = expand_grid(GRID)
    assert points == [{"optimizer.lr": 0.005, "training.batch_size": 10},
                      {"optimizer.lr": 0.005, "training.batch_size": 20},
                      {"optimizer.lr": 0.02, "training.batch_size": 10},
                      {"optimizer.lr": 0.02, "training.batch_size": 20}]
    assert run_names(points) == NAMES


def test_run_names_are_safe_and_unique():
    assert run_names(expand_grid({"model.kind": ["linear"], "optimizer.kind": ["sgd"]})) == [
        "model-kind-linear_optimizer-kind-sgd"]
    points = expand_grid({"model.hidden": [[16, 16]], "name": ["a/b c"],
                          "training.batch_size": [None], "data.standardize": [True]})
    assert run_names(points) == ["hidden-16x16_name-a_b_c_batch_size-null_standardize-true"]
    clashing = run_names([{"name": "a b"}, {"name": "a_b"}])
    assert len(set(clashing)) == 2
    assert all(name.startswith("name-a_b-") for name in clashing)


# ---------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("grid", "where", "message", "hint"), [
    ({"optimizer.lrate": [0.1]}, "--sweep optimizer.lrate=0.1", "unknown key",
     "did you mean 'lr'?"),
    ({"optimiser.lr": [0.1]}, "--sweep optimiser.lr=0.1", "optimiser: unknown key",
     "did you mean 'optimizer'?"),
    ({"optimizer.lr": [0.1, "fast"]}, "--sweep optimizer.lr=fast", "expected a number", None),
    ({"optimizer.lr": [0.1, -1]}, "--sweep optimizer.lr=-1", "out of range", None),
    ({"training.batch_size": [10, 1000]}, "--sweep training.batch_size=1000",
     "larger than the 100 training rows", "batch_size <= 100"),
    ({"optimizer.lr": []}, "--sweep optimizer.lr", "no values", None),
    ({"optimizer.lr": [0.1, 0.1]}, "--sweep optimizer.lr", "listed twice", None),
    ({"output.dir": ["a", "b"]}, "--sweep output.dir", "cannot sweep", "--out"),
    ({}, "seed_linear.yaml", "the grid is empty", "--sweep KEY=V1,V2"),
])
def test_bad_grid_is_refused_before_anything_starts(tmp_path, grid, where, message, hint):
    with pytest.raises(ConfigError) as info:
        sweep(_tutorial(), grid, out=tmp_path / "sweep")
    error = info.value
    assert cli_text(error, "where").endswith(where)
    assert message in error.message
    if hint:
        assert hint in cli_text(error, "hint")
    assert "--" not in str(error)
    assert list(tmp_path.iterdir()) == []


def test_a_combination_that_does_not_fit_is_refused_with_its_name(tmp_path):
    grid = {"data.n": [100, 8], "training.batch_size": [5, 10]}
    with pytest.raises(ConfigError) as info:
        sweep(_tutorial(), grid, out=tmp_path / "sweep")
    assert info.value.where == "sweep point n-8_batch_size-10: training.batch_size"
    assert info.value.message == "batch size 10 is larger than the 8 training rows"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("options", "where"), [
    ({"jobs": 0}, "--jobs"), ({"executor": "slurm"}, "--executor"),
    ({"executor": "dask"}, "--scheduler"),
])
def test_bad_options_are_refused(tmp_path, options, where):
    with pytest.raises(ConfigError) as info:
        sweep(_tutorial(), GRID, out=tmp_path / "sweep", **options)
    assert cli_text(info.value, "where") == where
    assert info.value.where == where.removeprefix("--")
    assert list(tmp_path.iterdir()) == []


def test_the_config_sweep_section_is_merged_under_the_grid(tmp_path):
    config = _tutorial("sweep.optimizer.lr=[0.005, 0.02]", "sweep.training.batch_size=[5]")
    result = sweep(config, {"training.batch_size": [10, 20]}, out=tmp_path / "sweep")
    assert [row.name for row in result.rows] == NAMES
    saved = load_config(tmp_path / "sweep" / "sweep.yaml")
    assert saved.sweep == GRID
    assert saved.seed == 1


# ---------------------------------------------------------------------------- local executor


def test_a_sweep_writes_runs_sweep_csv_and_its_config(local_sweep):
    result, events = local_sweep
    folder = result.folder
    assert sorted(p.name for p in folder.iterdir()) == sorted([*NAMES, "sweep.csv", "sweep.yaml"])
    for name in NAMES:
        summary = json.loads((folder / name / "summary.json").read_text())
        assert summary["status"] == "completed"
        assert (folder / name / "history.csv").exists()
    rows = _rows(result.csv_path)
    assert list(rows[0]) == ["trial", "optimizer.lr", "training.batch_size", "status", "epochs",
                             "final_train_loss", "final_val_loss", "train_rmse", "train_mae",
                             "train_r2", "a", "b", "folder", "message"]
    assert [r["trial"] for r in rows] == ["1", "2", "3", "4"]
    assert all(r["epochs"] == "5" for r in rows)
    assert [(r["optimizer.lr"], r["training.batch_size"], r["folder"]) for r in rows] == [
        ("0.005", "10", NAMES[0]), ("0.005", "20", NAMES[1]), ("0.02", "10", NAMES[2]),
        ("0.02", "20", NAMES[3])]
    first = json.loads((folder / NAMES[0] / "summary.json").read_text())
    assert float(rows[0]["final_train_loss"]) == first["final_train_loss"]
    assert float(rows[0]["a"]) == first["final_params"]["a"]
    done = [e for e in events if type(e).__name__ == "RunDone"]
    assert type(events[0]).__name__ == "SweepStart" and events[0].total == 4
    assert sorted(e.name for e in done) == NAMES
    assert all(e.status == "completed" and not e.skipped and e.seconds > 0 for e in done)
    assert float(rows[0]["train_r2"]) == first["metrics"]["train"]["r2"]


@pytest.mark.parametrize("start", ["default", "spawn"])
def test_two_jobs_give_the_same_sweep_csv(local_sweep, tmp_path, monkeypatch, start):
    if start == "spawn":
        monkeypatch.setattr(sweep_workers, "_start_method", lambda: "spawn")
    result = sweep(_tutorial(), GRID, out=tmp_path / "sweep", jobs=2)
    assert _rows(result.csv_path) == _rows(local_sweep[0].csv_path)
    for name in NAMES:
        history = (tmp_path / "sweep" / name / "history.csv").read_bytes()
        assert history == (local_sweep[0].folder / name / "history.csv").read_bytes()
    assert not list((tmp_path / "sweep").glob(".partial-*"))


def test_rows_sort_by_final_loss(local_sweep):
    result = local_sweep[0]
    ranked = result.sorted_by_loss()
    losses = [row.final_loss for row in ranked]
    assert losses == sorted(losses)
    assert result.runs is result.rows
    assert result.counts() == {"completed": 4}


def test_rows_without_a_loss_sort_last():
    def row(name, loss, status="completed"):
        return SweepRow(name, {}, status, "", loss, None, None, 1.0, Path(name))

    result = SweepResult(Path("s"), [], [row("a", None, "diverged"), row("b", 2.0), row("c", 1.0)])
    assert [r.name for r in result.sorted_by_loss()] == ["c", "b", "a"]


# ------------------------------------------------------------------------------------- resume


def test_rerun_skips_finished_runs_and_redoes_the_rest(tmp_path):
    folder = tmp_path / "sweep"
    sweep(_tutorial(), GRID, out=folder)
    first_csv = _rows(folder / "sweep.csv")
    before = _mtimes(folder)
    interrupted = folder / NAMES[1] / "summary.json"
    interrupted.write_text(interrupted.read_text().replace('"completed"', '"interrupted"'))
    (folder / NAMES[2] / "summary.json").unlink()
    time.sleep(0.01)
    events = []
    sweep(_tutorial(), GRID, out=folder, progress=events.append)
    after = _mtimes(folder)
    events = _done(events)
    assert [e.name for e in events if e.skipped] == [NAMES[0], NAMES[3]]
    assert sorted(e.name for e in events if not e.skipped) == [NAMES[1], NAMES[2]]
    assert after[NAMES[0]] == before[NAMES[0]] and after[NAMES[3]] == before[NAMES[3]]
    assert after[NAMES[1]] != before[NAMES[1]]
    assert _rows(folder / "sweep.csv") == first_csv


def test_a_grown_grid_runs_only_the_new_points(tmp_path):
    folder = tmp_path / "sweep"
    sweep(_tutorial(), {"optimizer.lr": [0.005, 0.02]}, out=folder)
    events = []
    result = sweep(_tutorial(), {"optimizer.lr": [0.005, 0.02, 0.1]}, out=folder,
                   progress=events.append)
    assert [(e.name, e.skipped) for e in _done(events)] == [
        ("lr-0.005", True), ("lr-0.02", True), ("lr-0.1", False)]
    assert [r["folder"] for r in _rows(result.csv_path)] == ["lr-0.005", "lr-0.02", "lr-0.1"]


def test_a_changed_config_refuses_to_replace_finished_runs(tmp_path):
    folder = tmp_path / "sweep"
    sweep(_tutorial(), GRID, out=folder)
    before = _mtimes(folder)
    with pytest.raises(RunFolderError) as info:
        sweep(_tutorial("data.noise=0.3"), GRID, out=folder)
    assert "4 finished run(s) were made with a different config" in info.value.message
    assert "overwrite=True" in info.value.hint
    assert _mtimes(folder) == before
    result = sweep(_tutorial("data.noise=0.3"), GRID, out=folder, overwrite=True)
    assert result.counts() == {"completed": 4}
    assert all(_mtimes(folder)[name] != before[name] for name in NAMES)


def test_a_folder_that_holds_no_sweep_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="holds no sweep"):
        sweep(_tutorial(), GRID, out=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# ------------------------------------------------------------------------ failures, Ctrl-C


def test_failed_and_diverged_runs_do_not_stop_the_others(tmp_path):
    (tmp_path / "points.csv").write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(20)))
    config_file = tmp_path / "csv.yaml"
    config_file.write_text(
        "name: csvline\nseed: 1\ndata: {kind: csv, path: points.csv, target: y}\n"
        "model: {kind: linear}\noptimizer: {kind: sgd, lr: 0.001}\n"
        "training: {epochs: 10, batch_size: 5}\n")
    grid = {"data.path": ["points.csv", "missing.csv"], "optimizer.lr": [0.001, 1000.0]}
    result = sweep(load_config(config_file), grid, out=tmp_path / "sweep", jobs=2)
    statuses = {row.name: row.status for row in result.rows}
    assert statuses == {"path-points.csv_lr-0.001": "completed",
                        "path-points.csv_lr-1000.0": "diverged",
                        "path-missing.csv_lr-0.001": "failed",
                        "path-missing.csv_lr-1000.0": "failed"}
    rows = {r["folder"]: r for r in _rows(result.csv_path)}
    assert "missing.csv" in rows["path-missing.csv_lr-0.001"]["message"]
    assert "diverged at step" in rows["path-points.csv_lr-1000.0"]["message"]
    saved = load_config(tmp_path / "sweep" / "path-points.csv_lr-0.001" / "config.yaml")
    assert saved.data.path == "../../points.csv"
    again = []
    sweep(load_config(config_file), grid, out=tmp_path / "sweep", progress=again.append)
    assert sorted(e.name for e in _done(again) if not e.skipped) == [
        "path-missing.csv_lr-0.001", "path-missing.csv_lr-1000.0"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_keeps_finished_runs_and_reraises(tmp_path, jobs):
    def stop(event):
        if type(event).__name__ == "RunDone":
            raise KeyboardInterrupt

    folder = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweep(_tutorial(), GRID, out=folder, jobs=jobs, progress=stop)
    rows = _rows(folder / "sweep.csv")
    assert len(rows) == 1 and rows[0]["status"] == "completed"
    assert json.loads((folder / rows[0]["folder"] / "summary.json").read_text())["status"] == (
        "completed")
    for partial in folder.glob(".partial-*"):  # runs in flight, kept to be continued
        assert json.loads((partial / "summary.json").read_text())["status"] in (
            "interrupted", "running")  # a worker process stopped with the pool is killed
        assert (partial / "checkpoint.npz").is_file()
    again = sweep(_tutorial(), GRID, out=folder, jobs=jobs)
    assert [row.status for row in again.rows] == ["completed"] * 4
    assert not list(folder.glob(".partial-*"))
    sweep(_tutorial(), GRID, out=tmp_path / "fresh")
    for row in again.rows:  # the continued runs are the runs that were never stopped
        for name in ("history.csv", "model.npz"):
            assert (row.folder / name).read_bytes() == (
                tmp_path / "fresh" / row.name / name).read_bytes(), (row.name, name)


# --------------------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None) as local:
        yield local


def test_dask_gives_the_same_sweep_csv_as_local(cluster, local_sweep, tmp_path):
    events = []
    result = sweep(_tutorial(), GRID, out=tmp_path / "sweep", executor="dask",
                   scheduler=cluster.scheduler_address, progress=events.append)
    assert _rows(result.csv_path) == _rows(local_sweep[0].csv_path)
    assert sorted(e.name for e in _done(events)) == NAMES
    for name in NAMES:
        for file in ("history.csv", "data.csv", "config.yaml"):
            ours = (tmp_path / "sweep" / name / file).read_bytes()
            assert ours == (local_sweep[0].folder / name / file).read_bytes()


def test_dask_runs_on_a_csv_file_record_it_and_read_it_back(cluster, tmp_path):
    """The run folders shipped back from workers hold data_source.json (no copy of the CSV),
    and reading a run finds the file from its new place and gives the same numbers."""
    config = load_config(TUTORIAL.parent / "iris_logistic.yaml", ["training.epochs=2"])
    result = sweep(config, {"optimizer.lr": [0.05, 0.1]}, out=tmp_path / "sweep",
                   executor="dask", scheduler=cluster.scheduler_address)
    assert all(row.status == "completed" for row in result.rows)
    for row in result.rows:
        assert not (row.folder / "data.csv").exists()
        record = json.loads((row.folder / "data_source.json").read_text())
        assert record["path"] == "../data/iris.csv" and record["val_rows"] == 30
        data = run_dataset(row.folder)
        assert (data.n_train, data.n_val) == (120, 30)
        own = load_run(row.folder).evaluate_own()
        summary = json.loads((row.folder / "summary.json").read_text())
        assert own[2]["accuracy"] == summary["metrics"]["val"]["accuracy"]


def test_a_task_sent_to_dask_again_trains_again(cluster):
    """The cause of a halving sweep on Dask that once ranked by a stale run: a task object whose
    id() a rung's task reused got the earlier rung's result back from the cluster (same key)."""
    pool = sweep_workers.DaskPool(cluster.scheduler_address)
    task = sweep_workers.RunTask("again", _tutorial("training.epochs=1"), None)
    reached = []
    with pool:
        for epochs in (1, 2):  # the same object: the same id(), while the first is still held
            task.config = _tutorial(f"training.epochs={epochs}")
            (outcome,) = list(pool.run([task]))
            reached.append(json.loads(outcome.files["summary.json"])["epochs_completed"])
    assert reached == [1, 2]


def test_an_unreachable_scheduler_is_refused_quickly(tmp_path):
    pytest.importorskip("dask.distributed")
    began = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        sweep(_tutorial(), GRID, out=tmp_path / "sweep", executor="dask",
              scheduler="tcp://127.0.0.1:1")
    assert time.perf_counter() - began < 10
    assert cli_text(info.value, "where") == "--scheduler tcp://127.0.0.1:1"
    assert "cannot reach the Dask scheduler" in info.value.message
    assert "dask scheduler" in info.value.hint
    assert list(tmp_path.iterdir()) == []


def test_missing_dask_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(UserError) as info:
        sweep(_tutorial(), GRID, out=tmp_path / "sweep", executor="dask",
              scheduler="tcp://127.0.0.1:8786")
    assert "pip install 'autogradcli[distributed]'" in info.value.hint
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- search, end to end


def _search(folder, *flags):
    """The issue's example: 16 loguniform trials by halving on the tutorial config, through the
    installed command."""
    command = [*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=loguniform(1e-4,1e-1)",
               "--trials", "16", "--strategy", "halving", "--out", str(folder), *flags]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_halving_search_gives_one_sweep_csv_with_jobs_and_on_dask(cluster, tmp_path):
    plain = _search(tmp_path / "jobs", "--jobs", "2").stdout
    _search(tmp_path / "dask", "--executor", "dask", "--scheduler", cluster.scheduler_address)
    rows = _rows(tmp_path / "jobs" / "sweep.csv")
    assert _rows(tmp_path / "dask" / "sweep.csv") == rows
    assert [r["trial"] for r in rows] == [str(i) for i in range(1, 17)]
    assert sorted(int(r["epochs"]) for r in rows) == [1] * 11 + [3] * 4 + [10]
    # off a terminal: where it goes first, then a line per run with its ETA, then the table
    lines = plain.splitlines()
    assert lines[0].startswith(f"sweep -> {tmp_path / 'jobs'}: 22 runs (halving: 16 x 1 epochs, "
                               "5 x 3 epochs, 1 x 10 epochs), ranked by train_loss")
    assert lines[1].startswith("[1/22] completed   optimizer.lr=")
    assert "  eta " in lines[1] and "  eta " not in lines[22]
    again = _search(tmp_path / "jobs", "--jobs", "2").stdout
    assert again.count("(kept from an earlier sweep)") == 22


def test_ctrl_c_on_a_jobs_sweep_is_one_line_and_leaves_no_worker(tmp_path):
    """Ctrl-C from a terminal reaches the whole process group: the parent says one line and
    stops its workers; they die quietly (no traceback of theirs under the parent's message)."""
    command = [*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=0.001,0.002,0.003,0.004",
               "--set", "training.epochs=5000", "--jobs", "2", "--out", str(tmp_path / "s"),
               "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("s/.partial-*/history.csv"))) < 2:  # both workers training
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (130, "interrupted (Ctrl-C); files written so far are "
                                              "kept\n")
    with pytest.raises(ProcessLookupError):  # nobody left in the group
        os.killpg(process.pid, 0)
