"""Engine speed and memory, side by side with PyTorch (when installed) and hand-written numpy.

Run on demand: `python tests/benchmarks/bench_engine.py`. Prints a table; never collected by pytest.
One thread each (numpy's BLAS and torch), measured side by side in the same process: the
contenders of a row run in interleaved rounds (ours, theirs, ours, theirs...), and each figure is
the median of its rounds, so that a loaded machine slows both sides alike. The ratios are the
figures to read (goals in the last column), not the absolute times.
"""

import gc
import os
import statistics
import subprocess
import sys
import time

# Before numpy (and torch) load: BLAS reads its thread count once, when it starts.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402 -- after the thread variables above, on purpose

import autogradcli.engine as ag  # noqa: E402 -- loads numpy; after the thread variables too

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the benchmark still reports our own figures
    torch = None


def best_of(fn, repeats=5, number=1):
    """Seconds per call of fn, the best of `repeats` rounds of `number` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


# ------------------------------------------------------------------ the tutorial's loop
def tutorial_data(dtype=np.float32):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 100).astype(dtype)
    y = (2 * x + 1 + rng.normal(0, 0.5, 100)).astype(dtype)
    batches = np.array_split(rng.permutation(100), 10)
    return x, y, batches


def tutorial(lib, steps_epochs=10):
    """The tutorial's loop, written once for any library with torch's API (ag or torch)."""
    x, y, batches = tutorial_data()
    xs = [lib.tensor(x[b]) for b in batches]
    ys = [lib.tensor(y[b]) for b in batches]
    a = lib.tensor(0.1, requires_grad=True)
    b = lib.tensor(-0.3, requires_grad=True)

    def run():
        for _ in range(steps_epochs):
            for xb, yb in zip(xs, ys):
                loss = ((xb * a + b - yb) ** 2).mean()
                loss.backward()
                with lib.no_grad():
                    a.sub_(0.02 * a.grad)
                    b.sub_(0.02 * b.grad)
                    a.grad.zero_()
                    b.grad.zero_()
                a.item(), b.item(), loss.item()

    return run


def tutorial_ours(steps_epochs=10):
    return tutorial(ag, steps_epochs)


def tutorial_compiled(steps_epochs=10):
    """The same loop, its step (forward, backward, update, zeroing) compiled by ag.compile."""
    x, y, batches = tutorial_data()
    xs = [ag.tensor(x[b]) for b in batches]
    ys = [ag.tensor(y[b]) for b in batches]
    a = ag.tensor(0.1, requires_grad=True)
    b = ag.tensor(-0.3, requires_grad=True)

    @ag.compile
    def step(xb, yb):
        loss = ((xb * a + b - yb) ** 2).mean()
        loss.backward()
        with ag.no_grad():
            a.sub_(0.02 * a.grad)
            b.sub_(0.02 * b.grad)
            a.grad.zero_()
            b.grad.zero_()
        return loss

    def run():
        for _ in range(steps_epochs):
            for xb, yb in zip(xs, ys):
                loss = step(xb, yb)
                a.item(), b.item(), loss.item()

    run()
    assert step.fallback_reason is None, step.fallback_reason
    return run


def tutorial_numpy(steps_epochs=10):
    x, y, batches = tutorial_data()
    xs = [x[b] for b in batches]
    ys = [y[b] for b in batches]
    p = {"a": np.float32(0.1), "b": np.float32(-0.3)}

    def run():
        for _ in range(steps_epochs):
            for xb, yb in zip(xs, ys):
                r = xb * p["a"] + p["b"] - yb
                loss = (r * r).mean()
                ga = 2 * (r * xb).mean()
                gb = 2 * r.mean()
                p["a"] -= 0.02 * ga
                p["b"] -= 0.02 * gb
                float(p["a"]), float(p["b"]), float(loss)

    return run


# ------------------------------------------------------------------ per-op overhead
def overhead(lib):
    if lib == "ours":
        x = ag.tensor(np.linspace(0, 1, 10), requires_grad=True)
        y = ag.tensor(np.linspace(1, 2, 10), requires_grad=True)
    else:
        x = torch.linspace(0, 1, 10, dtype=torch.float64, requires_grad=True)
        y = torch.linspace(1, 2, 10, dtype=torch.float64, requires_grad=True)

    def run():
        ((x * y + x) ** 2).sum().backward()

    return run


# ------------------------------------------------------------------ MLP step
def mlp_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 64)).astype(np.float32)
    y = rng.normal(size=(128, 1)).astype(np.float32)
    shapes = [(64, 256), (256,), (256, 256), (256,), (256, 1), (1,)]
    params = [(rng.normal(size=s) * 0.05).astype(np.float32) for s in shapes]
    return x, y, params


def mlp(lib, compiled=False):
    """One MLP step, written once for any library with torch's API (ag or torch)."""
    x, y, params = mlp_data()
    x, y = lib.tensor(x), lib.tensor(y)
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    w1, b1, w2, b2, w3, b3 = ps

    def run():
        h = (x @ w1 + b1).tanh()
        h = (h @ w2 + b2).tanh()
        loss = ((h @ w3 + b3 - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for p in ps:
                p.sub_(0.01 * p.grad)
                p.grad = None
        return loss

    if compiled:
        run = ag.compile(run)
        run()
        assert run.fallback_reason is None, run.fallback_reason
    return run


def mlp_numpy():
    x, y, ps = mlp_data()
    w1, b1, w2, b2, w3, b3 = ps

    def run():
        h1 = np.tanh(x @ w1 + b1)
        h2 = np.tanh(h1 @ w2 + b2)
        r = h2 @ w3 + b3 - y
        float((r * r).mean())
        g = 2 * r / r.size
        gw3, gb3 = h2.T @ g, g.sum(0)
        g2 = (g @ w3.T) * (1 - h2 * h2)
        gw2, gb2 = h1.T @ g2, g2.sum(0)
        g1 = (g2 @ w2.T) * (1 - h1 * h1)
        gw1, gb1 = x.T @ g1, g1.sum(0)
        for p, gp in zip(ps, (gw1, gb1, gw2, gb2, gw3, gb3)):
            p -= 0.01 * gp

    return run


# ------------------------------------------------------------------ deep chain
def chain(lib, n=100_000):
    def run():
        if lib == "ours":
            x = ag.tensor(1.0, requires_grad=True)
        else:
            x = torch.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * 1.0000001
        y.backward()

    return run


def tracked_per_op(lib, n=1000):
    """Objects for the garbage collector that each op of the chain leaves alive (its graph), as
    gc.get_objects() counts them: the full passes of the collector walk every one."""
    if lib == "ours":
        x = ag.tensor(1.0, requires_grad=True)
    else:
        x = torch.tensor(1.0, requires_grad=True)
    y = x * 1.0000001
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(n):
        y = y * 1.0000001
    gc.collect()
    return (len(gc.get_objects()) - before) / n


# ------------------------------------------------------------------ memory
MEMORY_SCRIPT = """
import sys
sys.modules["torch"] = None  # measure the engine alone
sys.path.insert(0, {path!r})
from bench_engine import tutorial_ours
run = tutorial_ours(steps_epochs={epochs})
run()
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")))
"""


def peak_rss_kib(epochs):
    code = MEMORY_SCRIPT.format(path=os.path.dirname(os.path.abspath(__file__)), epochs=epochs)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def side_by_side(contenders, rounds, number=1):
    """Median seconds per call of each contender (name -> fn), run in interleaved rounds."""
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            if fn is None:
                continue
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(t) if t else None for name, t in times.items()}


def ratio_row(name, ours, other, vs, goal, unit="us", scale=1e6):
    if ours is None or other is None:
        print(f"{name:<46} {ours * scale:>9.1f} {unit}   ({vs} absent)")
        return
    print(f"{name:<46} {ours * scale:>9.1f} {unit}  {vs:>6} {other * scale:>9.1f} {unit}   "
          f"ratio {ours / other:5.2f}  (goal <= {goal})", flush=True)


def main():
    has_torch = torch is not None
    collector = "on" if gc.isenabled() else "off"
    print(f"autogradcli engine benchmark (torch: {torch.__version__ if has_torch else 'absent'}; "
          f"interleaved medians, one thread; garbage collector {collector})")
    steps = 100
    t = side_by_side({"ours": tutorial_ours(), "torch": tutorial(torch) if has_torch else None,
                      "compiled": tutorial_compiled(), "numpy": tutorial_numpy()}, 15)
    t = {k: v / steps if v is not None else None for k, v in t.items()}
    ratio_row("tutorial step (batch 10), eager", t["ours"], t["torch"], "torch", 0.65)
    ratio_row("tutorial step (batch 10), compiled", t["compiled"], t["numpy"], "numpy", 1.3)
    o = side_by_side({"ours": overhead("ours"),
                      "torch": overhead("torch") if has_torch else None}, 15, 2000)
    ratio_row("((x*y+x)**2).sum() fwd+bwd, 10 elts", o["ours"], o["torch"], "torch", 0.60)
    m = side_by_side({"compiled": mlp(ag, compiled=True), "numpy": mlp_numpy(), "ours": mlp(ag),
                      "torch": mlp(torch) if has_torch else None}, 11, 10)
    ratio_row("MLP step 64-256-256-1 (batch 128), compiled", m["compiled"], m["numpy"], "numpy",
              1.05, "ms", 1e3)
    ratio_row("MLP step 64-256-256-1 (batch 128), eager", m["ours"], m["torch"], "torch", "-",
              "ms", 1e3)
    c = side_by_side({"ours": chain("ours"), "torch": chain("torch") if has_torch else None}, 5)
    ratio_row("100,000-op chain fwd+bwd, gc on", c["ours"], c["torch"], "torch", 0.8, "ms", 1e3)
    theirs = f"{tracked_per_op('torch'):.1f}" if has_torch else "-"
    print(f"{'objects for the collector, per chain op':<46} {tracked_per_op('ours'):>9.1f}      "
          f" torch {theirs:>9}")
    small, large = peak_rss_kib(100), peak_rss_kib(10_000)
    print(f"{'peak RSS after 1,000 / 100,000 steps':<46} {small / 1024:>9.1f} MiB / "
          f"{large / 1024:.1f} MiB   growth {100 * (large / small - 1):+.1f}%")


if __name__ == "__main__":
    main()
