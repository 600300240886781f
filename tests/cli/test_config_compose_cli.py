"""End-to-end through `autograd-train`: hostile YAML is one message in bounded memory and time, and
a config built with extends and ${...} runs, prints and saves resolved."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COMMAND = [sys.executable, "-m", "autogradcli.cli.train"]
MEMORY_LIMIT = 1536 * 2**20  # address space: the unbounded loader needed 3 to 5 GB for these


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args, cwd: Path, bounded: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False,
                          preexec_fn=_limit_memory if bounded else None)


def assert_one_error(done: subprocess.CompletedProcess, where: str, message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"error: {where}: "), first
    assert message in first


def alias_bomb() -> str:
    lines = ["name: bomb", "sweep:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "where", "message"), [
    (alias_bomb(), "c.yaml:8", "more than 100,000 values (counting what each alias"),
    ("name: x\nseed: " + "[" * 100 + "]" * 100 + "\n", "c.yaml:2",
     "values nested more than 64 levels deep"),
    ("name: x\nseed:\n" + "".join("  " * i + "-\n" for i in range(1, 200)), "c.yaml:66",
     "nested more than 64 levels deep"),
    ("name: x\nseed: " + "[" * 5000 + "]" * 5000 + "\n", "c.yaml:2", "nest"),
    ("name: x\nmodle: [" + ", ".join(["1"] * 3_000_000) + "]\n", "c.yaml:2: modle",
     "unknown key"),
    ("name: x\ndata:\n  kind: line\n  weigths:\n" + "    - 1\n" * 300_000, "c.yaml:4: data.weigths",
     "unknown key"),
    ("name: x\ndata: {kind: linear, weights: [" + ", ".join(["1"] * 300_000) + "]}\n",
     "c.yaml:2", "more than 100,000 values"),
], ids=["alias-bomb", "nested-100", "nested-block", "nested-5000", "unknown-flow-list",
        "unknown-block-list", "known-huge-list"])
def test_hostile_yaml_is_one_error_in_bounded_memory(tmp_path, text, where, message):
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    done = cli("c.yaml", "--check", cwd=tmp_path, bounded=True)
    assert_one_error(done, where, message)


def test_an_unknown_key_names_the_nearest_one(tmp_path):
    (tmp_path / "c.yaml").write_text("name: x\nmodle:\n  kind: linear\n", encoding="utf-8")
    done = cli("c.yaml", "--check", cwd=tmp_path)
    assert_one_error(done, "c.yaml:2: modle", "unknown key")
    assert "hint: did you mean 'model'?" in done.stderr


BASE = """\
name: base
seed: 3
data:
  kind: line
  n: 40
model:
  kind: linear
optimizer:
  kind: sgd
  lr: 0.02
training:
  epochs: 2
  batch_size: 10
output:
  dir: runs/${name}-${seed}
"""


def test_a_composed_config_runs_and_saves_itself_resolved(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "line.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        "extends: base/line.yaml\nname: child\ntraining:\n  epochs: ${env:W15_EPOCHS,3}\n",
        encoding="utf-8")
    check = cli("c.yaml", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    resolved = yaml.safe_load(check.stdout)
    assert resolved["training"] == {**resolved["training"], "epochs": 3, "batch_size": 10}
    assert resolved["output"]["dir"] == "runs/{name}-{seed}" and "extends" not in resolved
    done = cli("c.yaml", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "runs" / "child-3"
    printed = "".join(line for line in check.stdout.splitlines(keepends=True)
                      if not line.startswith("# checked:"))  # --check's closing comment
    assert (folder / "config.yaml").read_text(encoding="utf-8") == printed.rstrip("\n") + "\n"
    (tmp_path / "base" / "line.yaml").unlink()  # the run no longer needs its base
    again = cli(folder / "config.yaml", "--check", cwd=tmp_path)
    assert again.returncode == 0 and yaml.safe_load(again.stdout) == resolved


def test_an_error_through_a_base_names_both_places(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE.replace("lr: 0.02", "lr: -0.5"), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("extends: base.yaml\ntraining:\n  batch_size: "
                                     "${optimizer.lr}\n", encoding="utf-8")
    done = cli("c.yaml", "--check", "--set", "optimizer.lr=0.5", cwd=tmp_path)
    assert_one_error(done, "c.yaml:3: training.batch_size (value of ${optimizer.lr}, from --set "
                           "optimizer.lr=0.5)",
                     "expected a whole number, got 0.5")
