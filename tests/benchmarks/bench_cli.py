"""Whole-process speed of autograd-train, start to exit, beside the floor: importing numpy.

Run on demand: `python tests/benchmarks/bench_cli.py [--repeats N]`. Prints a table; never
collected. Measures, in the same run and interleaved (so machine noise hits every row alike), the
medians of: the numpy floor (`python -c "import numpy"`), `autograd-train --help`,
`autograd-train configs/seed_linear.yaml --quiet`, the same tutorial run written in plain PyTorch
(when torch is installed), and floors of import-only and do-nothing commands.
- Each row gives the wall time and the CPU time (user + system) of the process: on a shared
  machine the wall time moves with the load of the other processes, the CPU time much less.
- Bytecode caching is ON, as users have it: PYTHONDONTWRITEBYTECODE is removed from the
  children's environment, and each command runs once untimed first, so its .pyc files exist and
  the file cache is warm.
- Every child runs numpy's BLAS on one thread, as the commands do by themselves (see child_env).
- Each child gets the parent's environment otherwise, plus COLUMNS=100.
- `--instructions` counts each command's user-space instructions under valgrind instead: a
  figure the load does not move, for telling whether a change helps, but blind to the kernel's
  share of the time.
Targets (issue 13): the tutorial run <= 2.8 x the floor, --help <= 1.5 x.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "seed_linear.yaml"
TRAIN = shutil.which("autograd-train") or "autograd-train"
FLOOR = 'python -c "import numpy"'
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
RUN = "autograd-train seed_linear.yaml --quiet"
PYDANTIC_FLOOR = ("import typer, rich, numpy, yaml\n"
                  "from pydantic import BaseModel\n"
                  "class One(BaseModel):\n    x: int = 0\n"
                  "One(x=1)\n")
# A command on the same libraries that does nothing: typer parses two options (typer 0.29 and later
# check each option's value with a pydantic TypeAdapter), yaml loads, one pydantic model is built.
COMMAND_FLOOR = ("import numpy, typer, yaml\n"
                 "from pydantic import BaseModel\n"
                 "class One(BaseModel):\n    x: int = 0\n"
                 "app = typer.Typer()\n"
                 "@app.command()\n"
                 "def main(x: int = 1, name: str = 'a'):\n    One(x=x)\n"
                 "app(['--x', '2'], standalone_mode=False)\n")

# The tutorial (seed_linear.yaml) in plain PyTorch: 100 points of y = 2x + 1 + N(0, 0.5), a and b
# from randn, MSE, SGD lr 0.02, indices permuted once into 10 fixed batches, 10 epochs; one CSV row
# per step, so it does the same work as our run folder's history.csv.
TORCH_TUTORIAL = r"""
import csv, sys, torch
torch.manual_seed(42)
x = torch.rand(100) * 4 - 2
y = 2 * x + 1 + 0.5 * torch.randn(100)
a = torch.randn(1, requires_grad=True)
b = torch.randn(1, requires_grad=True)
batches = torch.randperm(100).split(10)
opt = torch.optim.SGD([a, b], lr=0.02)
with open(sys.argv[1], "w", newline="") as handle:
    out = csv.writer(handle)
    out.writerow(["epoch", "step", "a", "b", "loss"])
    step = 0
    for epoch in range(1, 11):
        for idx in batches:
            loss = ((a * x[idx] + b - y[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            out.writerow([epoch, step, a.item(), b.item(), loss.item()])
print(f"a={a.item():.4f} b={b.item():.4f}")
"""


def commands(work: Path) -> dict[str, list[str]]:
    rows = {
        'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
        "autograd-train --help": [TRAIN, "--help"],
        "autograd-train seed_linear.yaml --quiet": [
            TRAIN, str(CONFIG), "--quiet", "--overwrite", "--out", str(work / "run")],
        "autograd-train seed_linear.yaml (table)": [
            TRAIN, str(CONFIG), "--overwrite", "--out", str(work / "run2")],
        "import typer, pydantic, rich, numpy, yaml": [
            sys.executable, "-c", "import typer, pydantic, rich, numpy, yaml"],
        # `import pydantic` alone loads almost nothing (its names load on first use): building
        # one model is what any pydantic CLI pays at least
        "the same, and one pydantic model built": [sys.executable, "-c", PYDANTIC_FLOOR],
        "a typer command that builds one model": [sys.executable, "-c", COMMAND_FLOOR],
    }
    if find_spec("torch") is not None:
        script = work / "torch_tutorial.py"
        script.write_text(TORCH_TUTORIAL, encoding="utf-8")
        rows["the tutorial in PyTorch"] = [sys.executable, str(script), str(work / "t.csv")]
        rows['python -c "import torch"'] = [sys.executable, "-c", "import torch"]
    return rows


def run_once(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `argv`: the CPU time (user + system, of the
    process and its children) moves less with the machine's load than the wall time does."""
    before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env=child_env())
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_env() -> dict[str, str]:
    """The parent's environment with bytecode caching on (PYTHONDONTWRITEBYTECODE unset) and one
    BLAS thread, as the commands set for themselves: otherwise the floor's `import numpy` starts
    a BLAS thread per core, whose cost grows with the machine's load and flatters every ratio."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    threads = {name: "1" for name in BLAS_THREADS}
    return {**env, **threads, "COLUMNS": "100"}


def ratios(repeats: int = 7) -> dict[str, tuple[float, float]]:
    """Each command's (wall, CPU) medians over the numpy floor's, measured side by side (see the
    docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        medians = measure(commands(Path(tmp)), repeats)
    wall, cpu = medians[FLOOR]
    return {label: (w / wall, c / cpu) for label, (w, c) in medians.items()}


def measure(rows: dict[str, list[str]], repeats: int) -> dict[str, tuple[float, float]]:
    """Each command's median (wall, CPU) seconds over interleaved rounds."""
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in rows}
    for argv in rows.values():  # warm the file cache once
        run_once(argv)
    for _ in range(repeats):
        for label, argv in rows.items():
            times[label].append(run_once(argv))
    return {label: (statistics.median(w for w, _ in values),
                    statistics.median(c for _, c in values)) for label, values in times.items()}


def instructions(argv: list[str]) -> int:
    """User-space instructions one run of `argv` executes, counted by valgrind (cachegrind):
    the same on a loaded machine as on an idle one, but blind to the kernel's share (finding and
    reading files, mapping memory), which is much of an import's time."""
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                           "--cachegrind-out-file=/dev/null", *argv], check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=child_env())
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return int(found.group(1).replace(",", ""))


def show_instructions() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        rows = commands(Path(tmp))
        counts = {}
        for label, argv in rows.items():
            run_once(argv)  # .pyc files written, run folder in place: every count alike
            counts[label] = instructions(argv)
    print("whole processes, user-space instructions (valgrind), ratio to the numpy floor\n")
    print(f"{'command':<45} {'millions':>9} {'x numpy':>8}")
    for label, count in counts.items():
        print(f"{label:<45} {count / 1e6:>9.1f} {count / counts[FLOOR]:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind instead of timing")
    args = parser.parse_args()
    if args.instructions:
        return show_instructions()
    repeats = args.repeats
    with tempfile.TemporaryDirectory() as tmp:
        medians = measure(commands(Path(tmp)), repeats)
    wall0, cpu0 = medians[FLOOR]
    print(f"whole processes, median of {repeats} (interleaved), ratio to the numpy floor; "
          "wall time, and CPU time (user + system)\n")
    print(f"{'command':<45} {'wall s':>7} {'x numpy':>8} {'CPU s':>7} {'x numpy':>8}")
    for label, (wall, cpu) in medians.items():
        print(f"{label:<45} {wall:>7.3f} {wall / wall0:>8.2f} {cpu:>7.3f} {cpu / cpu0:>8.2f}")
    print()
    for label, name, goal in ((RUN, "tutorial run", 2.8), ("autograd-train --help", "--help", 1.5)):
        wall, cpu = medians[label][0] / wall0, medians[label][1] / cpu0
        verdict = "ok" if max(wall, cpu) <= goal else "OVER"
        print(f"{name:<12} {wall:.2f} x numpy wall, {cpu:.2f} x CPU (target <= {goal}): {verdict}")
    torch_time = medians.get("the tutorial in PyTorch")
    if torch_time is not None:
        print(f"the PyTorch tutorial takes {torch_time[0] / medians[RUN][0]:.2f} x our whole run")


if __name__ == "__main__":
    main()
