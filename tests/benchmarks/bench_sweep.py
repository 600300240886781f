"""Sweep benchmark: 16 tutorial-sized runs with jobs=1 (inline) vs jobs=2 (two worker processes).

Run: python tests/benchmarks/bench_sweep.py [--epochs N]. Prints both wall times and their ratio
(target: jobs=2 under 0.60 of jobs=1). Never collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from autogradcli.config import load_config
from autogradcli.sweeps.runner import sweep

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "seed_linear.yaml"
GRID = {"optimizer.lr": [0.005, 0.01, 0.02, 0.05], "training.batch_size": [5, 10, 20, 25]}
TARGET = 0.60


def timed(config, jobs: int, root: Path) -> float:
    out = root / f"jobs{jobs}"
    began = time.perf_counter()
    result = sweep(config, GRID, out=out, jobs=jobs)
    seconds = time.perf_counter() - began
    if result.counts() != {"completed": 16}:
        raise SystemExit(f"unexpected statuses: {result.counts()}")
    shutil.rmtree(out)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100,
                        help="epochs per run (the tutorial's 100 points, a and b; default 100)")
    parser.add_argument("--repeat", type=int, default=2, help="best of N (default 2)")
    args = parser.parse_args()
    config = load_config(CONFIG, [f"training.epochs={args.epochs}"])
    with tempfile.TemporaryDirectory() as tmp:
        one = min(timed(config, 1, Path(tmp)) for _ in range(args.repeat))
        two = min(timed(config, 2, Path(tmp)) for _ in range(args.repeat))
    ratio = two / one
    print(f"16 runs of configs/seed_linear.yaml with {args.epochs} epochs, {os.cpu_count()} CPUs")
    print(f"{'jobs':>6}  {'seconds':>8}")
    print(f"{1:>6}  {one:>8.2f}")
    print(f"{2:>6}  {two:>8.2f}")
    verdict = "ok" if ratio < TARGET else "above target"
    print(f"ratio jobs=2 / jobs=1: {ratio:.2f} (target < {TARGET:.2f}: {verdict})")


if __name__ == "__main__":
    main()
