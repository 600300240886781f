"""What several test files share: the installed commands, run folders made by them, error texts."""

from __future__ import annotations

import subprocess
import sys
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


def cli_text(error: UserError, part: str) -> str | None:
    """A part of an error ("message", "where", "hint") as the command line shows it (flags)."""
    return spell(error.raw(part), flags=True)
