"""A sweep folder holds one sweep: a second sweep over other keys into the same (default) folder
is refused, or with --overwrite replaces the first one whole (no stale runs, table or figures)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, PLOT, TRAIN


def run(command, *args, cwd):
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=180, check=False)


def test_a_sweep_over_other_keys_never_mixes_with_the_first(tmp_path):
    config = tmp_path / "tutorial.yaml"
    shutil.copy(CONFIGS / "seed_linear.yaml", config)
    first = run(TRAIN, config, "--sweep", "optimizer.lr=0.05,0.1", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    folder = tmp_path / "runs" / "seed_linear-sweep"
    assert run(PLOT, folder, cwd=tmp_path).returncode == 0
    before = sorted(p.name for p in folder.iterdir())
    table = (folder / "sweep.csv").read_text()

    second = run(TRAIN, config, "--sweep", "training.batch_size=5,10", "--quiet", cwd=tmp_path)
    assert second.returncode == 2
    assert "holds a sweep over optimizer.lr; this one is over training.batch_size" in second.stderr
    assert "--overwrite" in second.stderr and "Traceback" not in second.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing touched
    assert (folder / "sweep.csv").read_text() == table

    (folder / "notes.txt").write_text("mine")  # the user's own file stays
    third = run(TRAIN, config, "--sweep", "training.batch_size=5,10", "--quiet", "--overwrite",
                cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    runs = sorted(p.name for p in folder.iterdir() if (p / "summary.json").exists())
    assert len(runs) == 2 and all("batch_size" in name for name in runs), runs
    assert "optimizer.lr" not in (folder / "sweep.csv").read_text()
    assert not (folder / "figures").exists()  # the first sweep's figures went with it
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_sweep_runs_beside_the_single_run_of_its_config(tmp_path):
    """The single run's folder (runs/seed_linear) is not the sweep's (runs/seed_linear-sweep)."""
    config = tmp_path / "tutorial.yaml"
    shutil.copy(CONFIGS / "seed_linear.yaml", config)
    assert run(TRAIN, config, "--quiet", cwd=tmp_path).returncode == 0
    swept = run(TRAIN, config, "--sweep", "optimizer.lr=0.05,0.1", "--quiet", cwd=tmp_path)
    assert swept.returncode == 0, swept.stderr
    assert (tmp_path / "runs" / "seed_linear-sweep" / "sweep.csv").is_file()


def test_a_finished_run_missing_a_file_is_trained_again(tmp_path):
    """Resume does not trust summary.json alone: a kept run must still hold its files."""
    config = tmp_path / "tutorial.yaml"
    shutil.copy(CONFIGS / "seed_linear.yaml", config)
    sweep = ("--sweep", "optimizer.lr=0.05,0.1")
    assert run(TRAIN, config, *sweep, "--quiet", cwd=tmp_path).returncode == 0
    folder = tmp_path / "runs" / "seed_linear-sweep"
    history = (folder / "lr-0.05" / "history.csv").read_bytes()
    (folder / "lr-0.05" / "history.csv").unlink()
    again = run(TRAIN, config, *sweep, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    kept = [line for line in again.stdout.splitlines() if "kept from an earlier sweep" in line]
    assert len(kept) == 1 and "optimizer.lr=0.1" in kept[0], again.stdout
    assert (folder / "lr-0.05" / "history.csv").read_bytes() == history  # the same run again
