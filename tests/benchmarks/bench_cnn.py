"""Time per epoch of the digits CNN (configs/digits_cnn.yaml's network), engine against PyTorch.

Run on demand: `python tests/benchmarks/bench_cnn.py`. Prints a table; never collected by pytest.
One thread each (numpy's BLAS and torch), the same network, data, batches and Adam, in float64
(what autograd-train uses) and float32 (torch's default); best of a few epochs, in turns. Without
torch, only the engine's rows are printed. Also forward + backward of single conv2d / max_pool2d.
"""

import os
import time
from pathlib import Path

# Before numpy (and torch) load: BLAS reads its thread count once, when it starts.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402 -- after the thread variables above, on purpose

import autogradcli.engine as ag  # noqa: E402
from autogradcli.nn import losses, optim  # noqa: E402
from autogradcli.nn.models import CNN  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the benchmark still reports our own figures
    torch = None

DIGITS = Path(__file__).resolve().parents[2] / "data" / "digits.csv"
CONV = [{"channels": 16, "kernel": 3, "padding": 1, "pool": 2},
        {"channels": 32, "kernel": 3, "padding": 1, "pool": 2}]
HIDDEN, BATCH = [32], 64


def digits():
    """Standardised pixels (n, 64) and labels of the first 80% of the rows (a training split)."""
    table = np.loadtxt(DIGITS, delimiter=",", skiprows=1)
    x, y = table[:, :-1], table[:, -1].astype(np.int64)
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0)
    n = int(len(x) * 0.8)
    return x[:n], y[:n]


def batches(n):
    order = np.random.default_rng(0).permutation(n)
    return [order[i : i + BATCH] for i in range(0, n, BATCH)]


def engine_epoch(dtype):
    """One epoch of the project's CNN, cross_entropy and Adam, as autograd-train runs them."""
    x, y = digits()
    model = CNN([1, 8, 8], CONV, HIDDEN, 10, rng=np.random.default_rng(0), dtype=dtype)
    opt = optim.Adam(model.parameters(), lr=0.01)
    data = [(ag.tensor(x[b], dtype=dtype), ag.tensor(y[b])) for b in batches(len(x))]

    def run():
        for xb, yb in data:
            opt.zero_grad()
            loss = losses.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()

    return run


def torch_epoch(dtype):
    """The same network in PyTorch eager: conv-relu-maxpool twice, then dense layers."""
    nn = torch.nn
    torch.manual_seed(0)
    layers, channels, size = [], 1, 8
    for spec in CONV:
        layers += [nn.Conv2d(channels, spec["channels"], spec["kernel"], padding=spec["padding"]),
                   nn.ReLU(), nn.MaxPool2d(spec["pool"])]
        channels, size = spec["channels"], size // spec["pool"]
    fan_in = channels * size * size
    for width in HIDDEN:
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    net = nn.Sequential(*layers[:6], nn.Flatten(), *layers[6:], nn.Linear(fan_in, 10)).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    x, y = digits()
    data = [(torch.tensor(x[b], dtype=dtype).reshape(-1, 1, 8, 8), torch.tensor(y[b]))
            for b in batches(len(x))]

    def run():
        for xb, yb in data:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            loss.item()

    return run


def kernel(lib, name, dtype):
    """Forward and backward of one kernel call on a (32, 8, 8, 8) batch."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 8, 8, 8)), dtype=dtype, requires_grad=True)
    w = lib.tensor(rng.standard_normal((16, 8, 3, 3)), dtype=dtype, requires_grad=True)
    f = lib.nn.functional

    def run():
        out = f.conv2d(x, w, padding=1) if name == "conv2d" else f.max_pool2d(x, 2)
        out.sum().backward()

    return run


def side_by_side(ours, theirs, repeats=5):
    """Best seconds per call of each, the two measured in turns (so a busy moment of a shared
    machine hits both); theirs is None without torch."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for k, fn in enumerate((ours, theirs)):
            if fn is None:
                continue
            start = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return best[0], (best[1] if theirs is not None else None)


def row(name, ours, other, unit, scale):
    text = f"{name:<40} {ours * scale:>9.2f} {unit}"
    if other is not None:
        text += f"   torch {other * scale:>9.2f} {unit}   ratio {ours / other:5.2f}"
    print(text, flush=True)


def main():
    print(f"digits CNN benchmark, one thread (torch: {torch.__version__ if torch else 'absent'})")
    for label, ours_dtype, torch_dtype in (("float64", ag.float64, "float64"),
                                           ("float32", ag.float32, "float32")):
        t_dtype = getattr(torch, torch_dtype) if torch else None
        theirs = torch_epoch(t_dtype) if torch else None
        ours, theirs = side_by_side(engine_epoch(ours_dtype), theirs, 5)
        row(f"epoch, 1,437 images / batch 64, {label}", ours, theirs, "ms", 1e3)
        for name in ("conv2d", "max_pool2d"):
            theirs = kernel(torch, name, t_dtype) if torch else None
            ours, theirs = side_by_side(kernel(ag, name, ours_dtype), theirs, 20)
            row(f"{name} fwd+bwd (32, 8, 8, 8), {label}", ours, theirs, "us", 1e6)


if __name__ == "__main__":
    main()
