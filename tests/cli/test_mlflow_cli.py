"""End-to-end: `autograd-train --mlflow` / output.mlflow, read back through MLflow's own client and
compared with the run folder. Only loopback services; skipped when MLflow is not installed."""

from __future__ import annotations

import csv
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

mlflow = pytest.importorskip("mlflow")
from mlflow.tracking import MlflowClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
COMMAND = [sys.executable, "-m", "autogradcli.cli.train"]
PLOT = [sys.executable, "-m", "autogradcli.cli.plot"]


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> str:
    """One local sqlite store for the module (creating one runs MLflow's migrations: slow)."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


def flat(data, prefix=""):
    if isinstance(data, dict) and data:
        out = {}
        for key, value in data.items():
            out.update(flat(value, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: data}


def test_a_run_is_logged_as_its_folder_says(tmp_path, store):
    done = cli(CONFIGS / "iris_logistic.yaml", "--out", tmp_path / "run", "--mlflow", store,
               "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    folder = tmp_path / "run"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["mlflow"]["logged"] is True and summary["mlflow"]["tracking_uri"] == store
    client = MlflowClient(tracking_uri=store)
    run = client.get_run(summary["mlflow"]["run_id"])
    assert client.get_experiment(run.info.experiment_id).name == "iris_logistic"
    assert run.info.status == "FINISHED" and run.info.run_name == "iris_logistic"

    # every resolved config key, dotted, as the YAML of its value
    config = flat(yaml.safe_load((folder / "config.yaml").read_text()))
    assert set(run.data.params) == set(config)
    assert {k: yaml.safe_load(v) for k, v in run.data.params.items()} == config
    assert run.data.params["optimizer.lr"] == "0.1"

    # per-epoch metrics with their step, as epochs.csv has them
    rows = list(csv.DictReader((folder / "epochs.csv").open()))
    for column in ("train_loss", "val_loss", "lr", "train_accuracy", "val_f1"):
        history = client.get_metric_history(run.info.run_id, column)
        assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == \
               [(int(r["epoch"]), float(r[column])) for r in rows]
    assert run.data.metrics["final_val_loss"] == summary["final_val_loss"]
    assert run.data.metrics["final_val_accuracy"] == summary["metrics"]["val"]["accuracy"]
    assert run.data.metrics["steps"] == summary["steps"]

    tags = run.data.tags
    assert (tags["status"], tags["seed"]) == ("completed", "0")
    assert tags["autogradcli.version"] == summary["versions"]["autogradcli"]

    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"history.csv", "epochs.csv", "model.npz", "config.yaml", "summary.json"} <= names
    copy = Path(client.download_artifacts(run.info.run_id, "history.csv", str(tmp_path)))
    assert copy.read_bytes() == (folder / "history.csv").read_bytes()


def test_figures_drawn_later_join_the_logged_run(tmp_path, store):
    done = cli(CONFIGS / "seed_linear.yaml", "--out", tmp_path / "run", "--mlflow", store,
               "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    drawn = subprocess.run([*PLOT, tmp_path / "run", "--kind", "loss", "--kind", "params"],
                           capture_output=True, text=True, check=False, timeout=300)
    assert drawn.returncode == 0, drawn.stderr
    run_id = json.loads((tmp_path / "run" / "summary.json").read_text())["mlflow"]["run_id"]
    assert f"note: added 2 figure(s) to MLflow run {run_id}" in drawn.stderr
    client = MlflowClient(tracking_uri=store)
    names = {Path(a.path).name for a in client.list_artifacts(run_id, "figures")}
    assert names == {"loss.png", "params.png"}
    copy = Path(client.download_artifacts(run_id, "figures/loss.png", str(tmp_path)))
    assert copy.read_bytes() == (tmp_path / "run" / "figures" / "loss.png").read_bytes()


def test_output_mlflow_in_the_config_names_the_experiment(tmp_path, store):
    (tmp_path / "c.yaml").write_text(
        f"extends: {CONFIGS / 'seed_linear.yaml'}\noutput:\n  mlflow:\n"
        f"    tracking_uri: {store}\n    experiment: tutorial\n", encoding="utf-8")
    done = cli("c.yaml", "--out", "run", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run_id = json.loads((tmp_path / "run" / "summary.json").read_text())["mlflow"]["run_id"]
    client = MlflowClient(tracking_uri=store)
    run = client.get_run(run_id)
    assert client.get_experiment(run.info.experiment_id).name == "tutorial"
    assert run.data.params["output.mlflow.experiment"] == "tutorial"
    assert run.data.params["data.kind"] == "line" and run.data.tags["seed"] == "1"


def test_a_sweep_is_a_parent_run_with_a_child_per_point(tmp_path, store):
    done = cli(CONFIGS / "seed_linear.yaml", "--sweep", "optimizer.lr=0.01,0.02", "--out",
               tmp_path / "sweep", "--mlflow", store, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    client = MlflowClient(tracking_uri=store)
    children = {}
    for folder in sorted((tmp_path / "sweep").iterdir()):
        if (folder / "summary.json").is_file():
            summary = json.loads((folder / "summary.json").read_text())
            children[folder.name] = client.get_run(summary["mlflow"]["run_id"])
    assert len(children) == 2
    parents = {run.data.tags["mlflow.parentRunId"] for run in children.values()}
    assert len(parents) == 1
    parent = client.get_run(parents.pop())
    assert parent.info.status == "FINISHED" and parent.data.tags["autogradcli.kind"] == "sweep"
    assert yaml.safe_load(parent.data.params["sweep.optimizer.lr"]) == [0.01, 0.02]
    assert sorted(r.data.params["optimizer.lr"] for r in children.values()) == ["0.01", "0.02"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Failing(http.server.BaseHTTPRequestHandler):
    """A tracking server on loopback that answers every request with an error."""

    def _fail(self):
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error_code": "INTERNAL_ERROR", "message": "disk full"}')

    do_GET = do_POST = _fail

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("where", ["closed-port", "failing-server"])
def test_tracking_that_fails_is_a_warning_and_the_run_is_whole(tmp_path, where, request):
    uri = (f"http://127.0.0.1:{free_port()}" if where == "closed-port"
           else request.getfixturevalue("failing_server"))
    done = cli(CONFIGS / "seed_linear.yaml", "--out", tmp_path / "run", "--mlflow", uri,
               "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"warning: {tmp_path / 'run'}: not logged to MLflow at {uri}: ")
    assert "Traceback" not in done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["mlflow"]["logged"] is False and summary["mlflow"]["reason"]
    history = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert len(history) == 1 + summary["steps"]
    for name in ("epochs.csv", "model.npz", "config.yaml", "data.csv"):
        assert (tmp_path / "run" / name).is_file()


def test_a_sweep_that_cannot_be_logged_still_runs_every_point(tmp_path):
    uri = f"http://127.0.0.1:{free_port()}"
    done = cli(CONFIGS / "seed_linear.yaml", "--sweep", "optimizer.lr=0.01,0.02", "--out",
               tmp_path / "sweep", "--mlflow", uri, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"warning: {tmp_path / 'sweep'}: the sweep is not logged to "
                               f"MLflow at {uri}: ")
    assert "Traceback" not in done.stderr
    for name in ("lr-0.01", "lr-0.02"):
        summary = json.loads((tmp_path / "sweep" / name / "summary.json").read_text())
        assert summary["status"] == "completed"
        assert summary["mlflow"]["logged"] is False and summary["mlflow"]["reason"]
