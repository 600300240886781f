"""Whole-process speed of autograd-train, start to exit, beside the floor: importing numpy.

Run on demand: `python tests/benchmarks/bench_cli.py [--repeats N]`. Prints a table; never
collected. Measures, in the same run and interleaved (so machine noise hits every row alike), the
median wall time of: the numpy floor (`python -c "import numpy"`), `autograd-train --help`,
`autograd-train configs/seed_linear.yaml --quiet`, the same tutorial run written in plain PyTorch
(when torch is installed), and import-only rows.
Bytecode caching is ON, as users have it: PYTHONDONTWRITEBYTECODE is removed from the children's
environment (and each command runs once untimed first, so its .pyc files exist and the file cache
is warm); each child gets the parent's environment otherwise, plus COLUMNS=100.
Targets (issue 13): the tutorial run <= 2.8 x the floor, --help <= 1.5 x.
"""

from __future__ import annotations

import argparse
import os
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
PYDANTIC_FLOOR = ("import typer, rich, numpy, yaml\n"
                  "from pydantic import BaseModel\n"
                  "class One(BaseModel):\n    x: int = 0\n"
                  "One(x=1)\n")

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
    }
    if find_spec("torch") is not None:
        script = work / "torch_tutorial.py"
        script.write_text(TORCH_TUTORIAL, encoding="utf-8")
        rows["the tutorial in PyTorch"] = [sys.executable, str(script), str(work / "t.csv")]
        rows['python -c "import torch"'] = [sys.executable, "-c", "import torch"]
    return rows


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env=child_env())
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def child_env() -> dict[str, str]:
    """The parent's environment with bytecode caching on (PYTHONDONTWRITEBYTECODE unset)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "COLUMNS": "100"}


def ratios(repeats: int = 7) -> dict[str, float]:
    """Each command's median over the numpy floor's, measured side by side (see the docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        medians = measure(commands(Path(tmp)), repeats)
    floor = medians['python -c "import numpy"']
    return {label: seconds / floor for label, seconds in medians.items()}


def measure(rows: dict[str, list[str]], repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {label: [] for label in rows}
    for argv in rows.values():  # warm the file cache once
        run_once(argv)
    for _ in range(repeats):
        for label, argv in rows.items():
            times[label].append(run_once(argv))
    return {label: statistics.median(values) for label, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as tmp:
        medians = measure(commands(Path(tmp)), repeats)
    floor = medians['python -c "import numpy"']
    print(f"whole processes, median of {repeats} (interleaved), ratio to the numpy floor\n")
    print(f"{'command':<45} {'seconds':>8} {'x numpy':>8}")
    for label, seconds in medians.items():
        print(f"{label:<45} {seconds:>8.3f} {seconds / floor:>8.2f}")
    run = medians["autograd-train seed_linear.yaml --quiet"] / floor
    help_ = medians["autograd-train --help"] / floor
    print(f"\ntutorial run {run:.2f} x numpy (target <= 2.8): {'ok' if run <= 2.8 else 'OVER'}")
    print(f"--help       {help_:.2f} x numpy (target <= 1.5): {'ok' if help_ <= 1.5 else 'OVER'}")
    torch_time = medians.get("the tutorial in PyTorch")
    if torch_time is not None:
        ours = medians["autograd-train seed_linear.yaml --quiet"]
        print(f"the PyTorch tutorial takes {torch_time / ours:.2f} x our whole run")


if __name__ == "__main__":
    main()
