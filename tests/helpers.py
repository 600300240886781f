"""What several test files share: the installed commands, run folders made by them, error texts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from autogradcli.errors import UserError, spell

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
# The installed console scripts, run by this interpreter so that PATH does not matter.
TRAIN = [sys.executable, "-m", "autogradcli.cli.train"]
PLOT = [sys.executable, "-m", "autogradcli.cli.plot"]


def make_run(config: str, out: Path, overrides=()) -> Path:
    """Train configs/CONFIG into `out` with autograd-train and return `out`."""
    sets = [arg for item in overrides for arg in ("--set", item)]
    done = subprocess.run([*TRAIN, str(CONFIGS / config), "--out", str(out), "--quiet", *sets],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out


class MadeOnFirstUse(Mapping):
    """A mapping whose values are made when first asked for, each once. Run folders that many
    tests share come from a session-scoped fixture holding one: a test process (an xdist worker)
    trains only the runs its tests use, and once, although the tests of one module may reach it
    in several turns (a module-scoped fixture is torn down and made again at each turn)."""

    def __init__(self, make: Callable[[str], Path], keys: Iterable[str]):
        self._make, self._keys, self._made = make, list(keys), {}

    def __getitem__(self, key: str) -> Path:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._made:
            self._made[key] = self._make(key)
        return self._made[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def cli_text(error: UserError, part: str) -> str | None:
    """A part of an error ("message", "where", "hint") as the command line shows it (flags)."""
    return spell(error.raw(part), flags=True)


# Runs a command as the child of a fresh small process and prints its exit code and peak RSS.
# Linux carries a process's peak RSS over fork and exec, so a command started straight from a
# big process (pytest, a benchmark that made a large file) would report that process's peak.
_LAUNCHER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.write(f"\n{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}\n")
"""


def peak_rss(command: list[str], **kwargs) -> tuple[int, int, str]:
    """(exit code, peak RSS in bytes, stderr) of `command` (its stdout is discarded)."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], capture_output=True,
                          text=True, check=False, **kwargs)
    code, peak = done.stdout.strip().splitlines()[-1].split()
    return int(code), int(peak), done.stderr
