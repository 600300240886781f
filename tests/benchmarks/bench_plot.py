"""Wall time of autograd-plot on the tutorial's run (configs/seed_linear.yaml): every figure, PNG.

A script that prints a table, not a test: python tests/benchmarks/bench_plot.py [--repeat N]
The issue's target: all figures of the tutorial's run in under two seconds of wall time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "seed_linear"
        subprocess.run(["autograd-train", str(ROOT / "configs" / "seed_linear.yaml"), "--out",
                        str(run), "--quiet"], check=True)
        rows = [("autograd-plot RUN (command, all figures)", _command(run, args.repeat))]
        rows += _in_process(run, args.repeat)
    print(f"{'what':<48} {'best s':>8} {'median s':>9}")
    for name, times in rows:
        times = sorted(times)
        print(f"{name:<48} {times[0]:>8.3f} {times[len(times) // 2]:>9.3f}")
    print(f"(graphviz dot: {'installed' if shutil.which('dot') else 'missing, graph.dot only'})")


def _command(run: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(["autograd-plot", str(run)], check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return times


def _in_process(run: Path, repeat: int) -> list[tuple[str, list[float]]]:
    began = time.perf_counter()
    from autogradcli.plotting import KINDS, plot

    rows = [("import autogradcli.plotting (matplotlib)", [time.perf_counter() - began])]
    for kind in KINDS:
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            list(plot([run], [kind], out=run / "bench"))
            times.append(time.perf_counter() - began)
        rows.append((f"  {kind}", times))
    return rows


if __name__ == "__main__":
    sys.exit(main())
