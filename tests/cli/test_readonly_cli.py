"""Read-only places, as a user the permissions apply to: one `error:` naming the path, with a
hint, exit 2, nothing trained, nothing touched.

Tests often run as root (here and in CI), where permission bits do not bite. Then the commands
run as user 65534 when that user can start this interpreter, else as root without the two
capabilities that override permission bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that
mode 0555 on a folder means what it says. Folders the user must write get mode 0777."""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, PLOT, TRAIN

TUTORIAL = CONFIGS / "seed_linear.yaml"
_PR_CAPBSET_DROP = 24
_OVERRIDES = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _without_permission_override() -> None:  # runs in the child, before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _OVERRIDES:  # from the bounding set: exec then grants root everything else
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@functools.cache
def _unprivileged() -> dict:
    """subprocess keyword arguments that make permission bits apply to the command."""
    if os.geteuid() != 0:
        return {}
    probe = [sys.executable, "-c", "import autogradcli.cli.train"]
    as_nobody = {"user": 65534, "group": 65534, "extra_groups": [], "cwd": "/"}
    try:
        if subprocess.run(probe, capture_output=True, check=False, **as_nobody).returncode == 0:
            return {"user": 65534, "group": 65534, "extra_groups": []}
    except OSError:
        pass  # the interpreter lies where that user may not go (e.g. under /root)
    try:
        done = subprocess.run([*probe[:2], "open('/proc/self/status').read()"],
                              preexec_fn=_without_permission_override, capture_output=True,
                              check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"running as root, and neither user 65534 can start {sys.executable} nor "
                    f"can the permission-override capabilities be dropped ({exc})")
    if done.returncode != 0:
        pytest.skip("running as root and cannot drop the permission-override capabilities")
    return {"preexec_fn": _without_permission_override}


@pytest.fixture
def place():
    """A folder every user may enter and write (cleaned up as root afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="autogradcli-ro-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o777)
    shutil.rmtree(folder)


def run(command, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    env["HOME"] = str(cwd)  # matplotlib's cache, for a user without a home
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False, **_unprivileged())


def refused(done, *needles) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr, done.stderr
    assert "hint: " in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr
    return done.stderr


def make_run(folder: Path) -> dict[str, bytes]:
    """A finished run made by this (privileged) process; its files' bytes."""
    done = subprocess.run([*TRAIN, str(TUTORIAL), "--out", str(folder), "--quiet"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_read_only_out_folder(place):
    (place / "ro").mkdir(mode=0o555)
    refused(run(TRAIN, TUTORIAL, "--out", "ro", cwd=place),
            "ro: cannot lock the run folder: Permission denied")
    assert not any((place / "ro").iterdir())


def test_overwrite_on_a_read_only_run_folder_touches_nothing(place):
    files = make_run(place / "run")
    (place / "run").chmod(0o555)
    refused(run(TRAIN, TUTORIAL, "--out", "run", "--overwrite", "--set", "seed=5", cwd=place),
            "run: cannot lock the run folder: Permission denied")
    assert {p.name: p.read_bytes() for p in (place / "run").iterdir()} == files


def test_a_sweep_under_a_read_only_parent(place):
    (place / "ro").mkdir(mode=0o555)
    refused(run(TRAIN, TUTORIAL, "--sweep", "optimizer.lr=0.1,0.2", "--out", "ro/sweep",
                cwd=place), "ro: cannot create ro/sweep in this folder: permission denied",
            "nothing was trained")
    assert not any((place / "ro").iterdir())


def test_a_sweep_over_a_read_only_run_folder_refuses_before_training(place):
    done = subprocess.run([*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=0.1,0.2", "--out",
                           str(place / "sweep"), "--quiet"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    (place / "sweep").chmod(0o777)
    (place / "sweep" / "lr-0.2").chmod(0o555)
    before = (place / "sweep" / "sweep.csv").read_bytes()
    refused(run(TRAIN, TUTORIAL, "--sweep", "optimizer.lr=0.1,0.2", "--out", "sweep",
                "--overwrite", cwd=place),
            "sweep/lr-0.2: cannot write into this folder: permission denied")
    assert (place / "sweep" / "sweep.csv").read_bytes() == before
    assert not list((place / "sweep").glob(".partial-*"))


def test_the_default_output_folder_in_a_read_only_working_folder(place):
    (place / "ro").mkdir(mode=0o555)
    refused(run(TRAIN, TUTORIAL, cwd=place / "ro"),
            "runs/seed_linear: cannot create the run folder: Permission denied")


def test_figures_into_a_read_only_run_folder(place):
    make_run(place / "run")
    (place / "run").chmod(0o555)
    refused(run(PLOT, "run", cwd=place), "run/figures: cannot write here: Permission denied")


MID_SWEEP = """
import sys
from pathlib import Path
import autogradcli
config = autogradcli.load_config(sys.argv[1])
second = Path("sweep") / "lr-0.2"

def progress(event):  # the first run is done: the second's folder turns read-only
    if type(event).__name__ == "RunDone" and event.name == "lr-0.1":
        second.chmod(0o555)

result = autogradcli.sweep(config, {"optimizer.lr": [0.1, 0.2]}, out="sweep", overwrite=True,
                           progress=progress)
for row in result.runs:
    print(row.name, row.status, row.message)
"""


def test_a_run_folder_turning_read_only_mid_sweep_fails_that_run(place):
    done = subprocess.run([*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=0.1,0.2", "--out",
                           str(place / "sweep"), "--quiet"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    for folder in [place / "sweep", *(place / "sweep").iterdir()]:
        if folder.is_dir():
            folder.chmod(0o777)
    done = run([sys.executable, "-c", MID_SWEEP], TUTORIAL, cwd=place)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("lr-0.1 completed")
    assert second == ("lr-0.2 failed cannot move the run into sweep/lr-0.2: Permission denied; "
                      "make the folder writable, then rerun the sweep (this run trains again)")
    assert "\n2,0.2,failed," in (place / "sweep" / "sweep.csv").read_text()
