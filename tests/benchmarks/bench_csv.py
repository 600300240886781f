"""CSV benchmark: reading a 1e6 x 10 numeric CSV with autogradcli's reader vs np.loadtxt, side by
side, and the peak memory of a whole training run on that file against the file's size.

Run: python tests/benchmarks/bench_csv.py [--rows N] [--repeat K] [--exact]. Generates the file in
a temporary folder; every measurement runs in a child process of its own, so its peak RSS
(VmHWM) is that reader's alone (its rise from the peak after the imports). Targets: time <= 1.5x and
peak <= 3x np.loadtxt's; a run's peak <= 3x the file size.
--exact also times the cell-by-cell reader (the fallback; slow). Never collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import peak_rss

COLUMNS = 10
TIME_TARGET, MEMORY_TARGET, RUN_TARGET = 1.5, 3.0, 3.0

# What each child does; it prints {"seconds": ..., "peak": bytes} on its last line: the peak
# RSS reached while reading, above the process's own peak before it (imports done).
CHILD = r"""
import json, sys, time
from pathlib import Path
from types import SimpleNamespace
import numpy as np
from autogradcli.data import csv_source
def peak():  # VmHWM: this process's own peak RSS in KiB (ru_maxrss carries the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = peak()
path, how = Path(sys.argv[1]), sys.argv[2]
cfg = SimpleNamespace(path=path.name, target="y", features=None, classes=None)
began = time.perf_counter()
# the result is held until measured: what a reader gives must be held, and Linux updates the
# peak RSS lazily, so memory freed at once may never show in it
if how == "loadtxt":
    result = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
elif how == "ours":
    result = csv_source.read_csv_data(cfg, path.parent)
elif how == "exact":
    result = csv_source._read_exact(path, cfg)
seconds = time.perf_counter() - began
after = peak()
print(json.dumps({"seconds": seconds, "peak": (after - before) * 1024}))
"""

CONFIG = """name: bench_csv
seed: 0
data: {kind: csv, path: big.csv, target: y, standardize: true, val_fraction: 0.1}
model: {kind: linear_multi}
optimizer: {kind: sgd, lr: 0.01}
training: {epochs: 1, batch_size: 10000}
"""


def make_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    header = ",".join([f"x{i}" for i in range(1, COLUMNS)] + ["y"])
    with path.open("w") as handle:
        handle.write(header + "\n")
        for start in range(0, rows, 100_000):
            block = rng.normal(size=(min(100_000, rows - start), COLUMNS))
            np.savetxt(handle, block, delimiter=",", fmt="%.17g")


def child(path: Path, how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), how], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_peak(folder: Path, config: Path) -> int:
    """Peak RSS of `autograd-train CONFIG` (a child of a fresh small process: see peak_rss)."""
    code, peak, stderr = peak_rss([sys.executable, "-m", "autogradcli.cli.train", str(config),
                                   "--out", str(folder / f"run-{config.stem}"), "--quiet",
                                   "--overwrite"])
    if code != 0:
        raise SystemExit(f"the run failed: {stderr}")
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1e6)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N, alternating (3)")
    parser.add_argument("--exact", action="store_true", help="also the cell-by-cell reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "big.csv"
        make_csv(path, args.rows)
        size = path.stat().st_size
        hows = ["loadtxt", "ours"] + (["exact"] if args.exact else [])
        runs = {how: [] for how in hows}
        for _ in range(args.repeat):  # alternate, so machine load hits both alike
            for how in hows:
                runs[how].append(child(path, how))
        result = {how: {"seconds": min(r["seconds"] for r in rs),
                        "peak": min(r["peak"] for r in rs)} for how, rs in runs.items()}
        (folder / "bench.yaml").write_text(CONFIG)
        (folder / "tiny.csv").write_text("x1,y\n1,2\n3,4\n5,6\n")
        (folder / "tiny.yaml").write_text(CONFIG.replace("big.csv", "tiny.csv")
                                          .replace("batch_size: 10000", "batch_size: 1"))
        run_base = run_peak(folder, folder / "tiny.yaml")
        run = run_peak(folder, folder / "bench.yaml") - run_base
    mib = 1 << 20
    print(f"{args.rows:,} x {COLUMNS} CSV, {size / mib:.0f} MiB; peak RSS while reading, above "
          f"the process's peak before it; best of {args.repeat}, alternating")
    print(f"{'reader':>10}  {'seconds':>8}  {'peak MiB':>9}")
    for how, r in result.items():
        print(f"{how:>10}  {r['seconds']:>8.2f}  {r['peak'] / mib:>9.0f}")
    time_ratio = result["ours"]["seconds"] / result["loadtxt"]["seconds"]
    memory_ratio = result["ours"]["peak"] / result["loadtxt"]["peak"]
    print(f"time ours / np.loadtxt: {time_ratio:.2f} (target <= {TIME_TARGET})")
    print(f"peak ours / np.loadtxt: {memory_ratio:.2f} (target <= {MEMORY_TARGET})")
    print(f"a training run on the file (1 epoch; it records the file, no copy): peak "
          f"{run / mib:.0f} MiB above a tiny run's = {run / size:.2f} x the file "
          f"(target <= {RUN_TARGET})")


if __name__ == "__main__":
    main()
