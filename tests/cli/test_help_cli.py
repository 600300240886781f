"""Every console script's help says how to write each option (no `<bool>` after a flag, no
`<list[Path]>`), and its shell completion installs and completes."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

# Every console script this project installs, as `python -m module` (PATH does not matter).
SCRIPTS = {ep.name: [sys.executable, "-m", ep.value.split(":")[0]]
           for ep in entry_points(group="console_scripts")
           if ep.value.startswith("autogradcli.")}


def test_the_project_installs_its_console_scripts():
    assert {"autograd-train", "autograd-plot", "autograd-predict", "autograd-eval"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_help_shows_flags_without_a_value_and_arguments_by_name(name):
    done = subprocess.run([*SCRIPTS[name], "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"}, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for wrong in ("<bool>", "<list[", "<Path>"):
        assert wrong not in done.stdout, done.stdout
    assert "--install-completion" in done.stdout


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_completion_installs_for_bash_and_completes_flags(name, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    done = subprocess.run([*SCRIPTS[name], "--install-completion", "bash"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"_{name.replace('-', '_')}_completion" in (
        tmp_path / ".bash_completions" / f"{name}.sh").read_text()
    assert ".bash_completions" in (tmp_path / ".bashrc").read_text()
    # What bash asks when the user presses Tab after `name --vers`:
    variable = "_" + name.upper().replace("-", "_") + "_COMPLETE"
    ask = {**os.environ, variable: "complete_bash", "COMP_WORDS": f"{name} --vers",
           "COMP_CWORD": "1"}
    answer = subprocess.run(SCRIPTS[name], env=ask, capture_output=True, text=True, timeout=60,
                            check=False)
    assert answer.stdout.split() == ["--version"], answer.stdout + answer.stderr
