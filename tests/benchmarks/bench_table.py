"""Issue 13's table, every row measured side by side in one run: our figure, the reference's, the
ratio and the goal.

Run on demand: `python tests/benchmarks/bench_table.py [--rows N] [--repeats N]`; never collected
by pytest. One thread each (numpy's BLAS and torch). The engine rows are bench_engine.py's
workloads (its compiled ones for the compiled rows), best of a few interleaved rounds; rows
against PyTorch say "torch not installed" without it. The full-batch row trains a linear model on
generated rows with the training loop itself (no run folder), shuffle `never`; one epoch is the
difference between 12 and 2 epochs, so set-up and the least-squares reference cancel out. The
CSV row is bench_csv.py's (a generated 1e6 x 10 file, each reader in a child process of its own,
so its peak memory is its own). The start-up rows are bench_cli.py's (whole processes, bytecode
caching on). The machine's load moves every figure; the ratios, measured side by side, much less.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # before numpy loads: BLAS reads it once

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402 -- after the thread variables, on purpose
import bench_csv  # noqa: E402
import bench_engine as engine  # noqa: E402
import numpy as np  # noqa: E402

import autogradcli.engine as ag  # noqa: E402

NO_TORCH = "torch not installed"


# ------------------------------------------------------------------ full batch
FULL_BATCH = """name: bench_full_batch
seed: 0
data: {{kind: linear, n: {rows}, n_features: 10, noise: 0.1, val_fraction: 0.0}}
model: {{kind: linear_multi}}
loss: {{kind: mse}}
optimizer: {{kind: sgd, lr: 0.1}}
training: {{epochs: 1, batch_size: null, shuffle: never}}
"""


def full_batch_ours(rows: int):
    """Seconds per epoch of the training loop, full batch (12 epochs minus 2)."""
    from autogradcli.config import load_config
    from autogradcli.training.build import build
    from autogradcli.training.loop import train_loop

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "full.yaml"
        path.write_text(FULL_BATCH.format(rows=rows), encoding="utf-8")
        config = load_config(path)

    def run(epochs):
        experiment = build(config)  # fresh parameters each time: the same work
        data = experiment.dataset
        began = time.perf_counter()
        train_loop(experiment.model, experiment.loss_fn, experiment.optimizer, data.x, data.y,
                   epochs=epochs, batch_size=None, shuffle="never")
        return time.perf_counter() - began

    def per_epoch():
        return (run(12) - run(2)) / 10

    return per_epoch, build(config).dataset


def full_batch_numpy(data):
    """The same epoch by hand: forward, the MSE, its gradient, the SGD update, the epoch's loss."""
    x, y = data.x, data.y
    w, b = np.zeros(x.shape[1]), np.zeros(())

    def epoch():
        r = x @ w + b - y
        float((r * r).mean())
        g = 2 * r / r.size
        w[...] -= 0.1 * (x.T @ g)
        b[...] -= 0.1 * g.sum()
        e = x @ w + b - y
        float((e * e).mean())  # the epoch's training loss, as the loop reports it

    def per_epoch():
        began = time.perf_counter()
        for _ in range(10):
            epoch()
        return (time.perf_counter() - began) / 10

    return per_epoch


# ------------------------------------------------------------------ the table
def interleaved(fns, repeats):
    """The best of `repeats` rounds of each zero-argument timer, rounds interleaved."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], fn())
    return best


def timer(make, number=1, per=1):
    """A zero-argument timer: seconds per call (over `per` steps) of a fresh make()."""
    def seconds():
        return engine.best_of(make(), 3, number) / per
    return seconds


def side_by_side(timers: dict, repeats: int) -> dict:
    return dict(zip(timers, interleaved(list(timers.values()), repeats)))


def engine_rows(repeats: int) -> list[tuple]:
    torch = engine.torch
    rows = []
    timers = {"ours": timer(engine.tutorial_ours, per=100),
              "numpy": timer(engine.tutorial_numpy, per=100),
              "compiled": timer(engine.tutorial_compiled, per=100)}
    if torch is not None:
        timers["torch"] = timer(partial(engine.tutorial, torch), per=100)
    t = side_by_side(timers, repeats)
    rows.append(("tutorial step (batch 10), eager, vs torch eager", t["ours"], t.get("torch"),
                 "us", "<= 0.65", None if torch else NO_TORCH))
    rows.append(("the same, compiled step, vs hand-written numpy", t["compiled"], t["numpy"],
                 "us", "<= 1.3", None))
    timers = {"ours": timer(partial(engine.overhead, "ours"), 2000)}
    if torch is not None:
        timers["torch"] = timer(partial(engine.overhead, "torch"), 2000)
    t = side_by_side(timers, repeats)
    rows.append(("`((x*y+x)**2).sum()` fwd+bwd, vs torch", t["ours"], t.get("torch"), "us",
                 "<= 0.60", None if torch else NO_TORCH))
    t = side_by_side({"ours": timer(partial(engine.mlp, ag, compiled=True), 10),
                      "numpy": timer(engine.mlp_numpy, 10)}, repeats)
    rows.append(("MLP 64-256-256-1 step, vs hand-written numpy", t["ours"], t["numpy"], "ms",
                 "<= 1.05 (compiled)", None))
    gc.enable()  # the collector ON, as in a user's process
    timers = {"ours": timer(partial(engine.chain, "ours"))}
    if torch is not None:
        timers["torch"] = timer(partial(engine.chain, "torch"))
    t = side_by_side(timers, max(2, repeats - 1))
    rows.append(("100,000-op chain fwd+bwd, gc ON, vs torch", t["ours"], t.get("torch"), "ms",
                 "<= 0.8", None if torch else NO_TORCH))
    return rows


def data_rows(rows_n: int, repeats: int) -> list[tuple]:
    out = []
    ours, data = full_batch_ours(rows_n)
    numpy_ = full_batch_numpy(data)
    f = interleaved([ours, numpy_], repeats)
    del data
    out.append((f"linear model, {rows_n:,} rows, full batch, per epoch, vs a numpy loop",
                f[0], f[1], "ms", "<= 1.5", None))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        bench_csv.make_csv(path, rows_n)
        runs = {"loadtxt": [], "ours": []}
        for _ in range(repeats):
            for how in runs:
                runs[how].append(bench_csv.child(path, how))
    best = {how: (min(r["seconds"] for r in rs), min(r["peak"] for r in rs))
            for how, rs in runs.items()}
    out.append((f"reading a {rows_n:,} x 10 CSV, vs numpy.loadtxt: time", best["ours"][0],
                best["loadtxt"][0], "s", "<= 1.5", None))
    out.append(("  the same: peak memory", best["ours"][1] / 2**20, best["loadtxt"][1] / 2**20,
                "MiB", "<= 3", None))
    return out


def cli_rows(repeats: int) -> list[tuple]:
    ratios = bench_cli.ratios(repeats)
    run, help_ = ratios[bench_cli.RUN], ratios["autograd-train --help"]
    return [("`autograd-train configs/seed_linear.yaml --quiet`, vs `python -c \"import numpy\"`",
             run[0], 1.0, "x", "<= 2.8", f"CPU time {run[1]:.2f}"),
            ("`autograd-train --help`, vs the same", help_[0], 1.0, "x", "<= 1.5",
             f"CPU time {help_[1]:.2f}")]


def show(rows: list[tuple]) -> None:
    print("| workload | ours | reference | ratio | goal |\n|---|---:|---:|---:|---|")
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0, "MiB": 1.0, "x": 1.0}
    for name, ours, ref, unit, goal, note in rows:
        if note is not None and (ours is None or ref is None):
            print(f"| {name} | {_cell(ours, unit, scale)} | | {note} | {goal} |", flush=True)
            continue
        ratio = ours / ref
        extra = f" ({note})" if note else ""
        print(f"| {name} | {_cell(ours, unit, scale)} | {_cell(ref, unit, scale)} | "
              f"{ratio:.2f}{extra} | {goal} |", flush=True)


def _cell(value, unit, scale) -> str:
    if value is None:
        return ""
    if unit == "x":
        return f"{value:.2f} x"
    return f"{value * scale[unit]:.1f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows of the full-batch and CSV rows (default 1e6)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds (3)")
    args = parser.parse_args()
    torch_version = engine.torch.__version__ if engine.torch is not None else "not installed"
    print(f"issue 13's table; torch {torch_version}; numpy {np.__version__}; one thread; best "
          f"of {args.repeats} interleaved rounds (start-up: medians of {2 * args.repeats + 1})\n")
    rows = engine_rows(args.repeats)
    rows += data_rows(args.rows, args.repeats)
    rows += cli_rows(2 * args.repeats + 1)
    show(rows)


if __name__ == "__main__":
    main()
