"""Tests of MLflow tracking that need no MLflow: it stays off the normal path, and a machine
without it still trains, saying the run was not logged. (Logging itself: tests/cli/test_mlflow_cli.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import autogradcli

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "configs" / "seed_linear.yaml"


def test_an_untracked_run_imports_no_tracking(tmp_path):
    code = ("import sys, autogradcli\n"
            f"config = autogradcli.load_config({str(TUTORIAL)!r})\n"
            f"autogradcli.train(config, out={str(tmp_path)!r})\n"
            "print(sorted(m for m in sys.modules if m.startswith(('mlflow', "
            "'autogradcli.tracking'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "mlflow" not in json.loads((tmp_path / "summary.json").read_text())


def test_without_mlflow_the_run_completes_and_says_it_was_not_logged(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if not installed: import fails
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    config = autogradcli.load_config(TUTORIAL, ["output.mlflow.tracking_uri=sqlite:///m.db"])
    result = autogradcli.train(config, out=tmp_path / "run")
    assert result.status == "completed"
    assert result.summary["mlflow"] == {
        "logged": False, "tracking_uri": "sqlite:///m.db",
        "reason": "MLflow is not installed (pip install 'autogradcli[mlflow]', or pip install "
                  "'.[mlflow]' in a checkout)"}
    assert json.loads((tmp_path / "run" / "summary.json").read_text()) == result.summary
    assert result.warnings == [f"{tmp_path / 'run'}: not logged to MLflow at sqlite:///m.db: "
                               f"{result.summary['mlflow']['reason']}"]
    assert "mlflow:" in (tmp_path / "run" / "config.yaml").read_text()
