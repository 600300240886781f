"""autograd-runs benchmark: list 1,000 run folders (target: under one second).

Trains one tutorial run, copies it into N folders with different learning rates (only the files
the listing reads change), then times api.list_runs in this process and the installed command
side by side, with the PyYAML reader for comparison. Run: python tests/benchmarks/bench_runs.py
[--runs N]. Never collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from autogradcli import api
from autogradcli.runs import listing

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "seed_linear.yaml"
TARGET = 1.0


def make_runs(root: Path, n: int) -> Path:
    first = root / "seed"
    api.train(api.load_config(CONFIG), out=first)
    summary = json.loads((first / "summary.json").read_text())
    config = (first / "config.yaml").read_text()
    runs = root / "runs"
    for i in range(n):
        folder = runs / f"sweep-{i // 100}" / f"lr-{i}"
        folder.mkdir(parents=True)
        for name in ("history.csv", "epochs.csv"):
            shutil.copy(first / name, folder / name)
        (folder / "config.yaml").write_text(config.replace("lr: 0.02", f"lr: {0.001 * (i + 1)}"))
        (folder / "summary.json").write_text(json.dumps({**summary, "final_train_loss": i}))
    return runs


def best_of(repeat: int, call) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="run folders (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-runs-") as tmp:
        runs = make_runs(Path(tmp), args.runs)
        records, differ = api.list_runs([runs])
        assert len(records) == args.runs and differ == ["optimizer.lr"], (len(records), differ)
        in_process = best_of(args.repeat, lambda: api.list_runs([runs], sort="loss"))
        command = [sys.executable, "-m", "autogradcli.cli.runs", str(runs), "--sort", "loss"]
        whole = best_of(args.repeat, lambda: subprocess.run(command, capture_output=True,
                                                            check=True))
        paths = listing.find_runs([runs])
        slow = best_of(1, lambda: [yaml.safe_load((p / "config.yaml").read_text())
                                   for p in paths])
    load = os.getloadavg()[0]
    print(f"{args.runs} run folders (best of {args.repeat}; load average {load:.1f} on "
          f"{os.cpu_count()} cores: times scale with it)")
    print(f"  api.list_runs                      {in_process:7.3f} s")
    print(f"  autograd-runs (whole command)      {whole:7.3f} s   target < {TARGET:.1f} s: "
          f"{'met' if whole < TARGET else 'MISSED'}")
    print(f"  config.yaml by yaml.safe_load only {slow:7.3f} s   "
          f"(the fast reader is {slow / max(in_process, 1e-9):.1f}x quicker for the whole "
          "listing)")


if __name__ == "__main__":
    main()
