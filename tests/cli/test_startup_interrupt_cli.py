"""Ctrl-C while a console script is still starting up: exit 130, one line, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, TRAIN

PACKAGE = str(Path(__file__).resolve().parents[2] / "autogradcli") + os.sep
COMMANDS = {"train": TRAIN, "plot": [sys.executable, "-m", "autogradcli.cli.plot"],
            "predict": [sys.executable, "-m", "autogradcli.cli.predict"],
            "eval": [sys.executable, "-m", "autogradcli.cli.eval"]}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_ctrl_c_during_start_up_is_quiet_with_exit_130(command, tmp_path):
    # the hook sends SIGINT as the package's first module is imported, before run_app
    env = {**os.environ, "AUTOGRADCLI_FAULT": "int:start"}
    done = subprocess.run([*COMMANDS[command], "--version"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted (Ctrl-C)\n"
    assert done.stdout == ""


def test_ctrl_c_at_any_moment_of_start_up_never_shows_our_traceback(tmp_path):
    """A real SIGINT sent ever later after spawn, until the command is well inside run_app.

    Before the interpreter installs its handler the process just dies of the signal; a signal
    inside CPython's own start-up (its site import, runpy finding the package) is the
    interpreter's to report, before any line of the package runs."""
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    ours = 0
    for attempt in range(80):
        process = subprocess.Popen([*TRAIN, str(CONFIGS / "seed_linear.yaml"), "--check"],
                                   cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(attempt * 0.002)  # the moment of the signal, not a wait for a state
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        if process.returncode == 0:
            break  # finished before the signal: later attempts would too
        # no frame of ours, ever: a traceback can only come from the interpreter's own
        # start-up (site, runpy, the import system) before the package's first line runs
        assert PACKAGE not in err, err
        if "Traceback" not in err and "Fatal Python error" not in err:  # (CPython's own start-up)
            assert process.returncode in (130, -signal.SIGINT), (process.returncode, err)
            assert err in ("", "interrupted (Ctrl-C)\n") or err.startswith("interrupted"), err
            ours += process.returncode == 130
    assert ours > 0, "no attempt landed inside the command's start-up"
