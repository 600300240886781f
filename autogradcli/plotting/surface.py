"""The loss surface over two parameters, with the path.

Computed on a grid in one vectorised numpy pass.

For models whose output is linear in their parameters (linear, linear_multi, logistic). Imports
numpy, matplotlib (through figure.py) and runs/: never the engine's graph or the CLI.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patheffects import withStroke
from matplotlib.ticker import MaxNLocator

from autogradcli.plotting.figure import loss_title, new_figure, styled
from autogradcli.plotting.param_specs import parse_spec, spec_names, spec_value

SURFACE_MODELS = ("linear", "linear_multi", "logistic")
GRID = 101


# ------------------------------------------------------------------------------- the numbers


def predict_linear(kind: str, x: np.ndarray, params: dict) -> np.ndarray:
    """The model's output in numpy: a * x + b for `linear`, x @ w + b otherwise."""
    if kind == "linear":
        return params["a"] * x[:, 0] + params["b"]
    return x @ params["w"] + params["b"]


def direction(kind: str, x: np.ndarray, params: dict, spec: str) -> np.ndarray:
    """d(output)/d(spec): the output is linear in each parameter, so this is all a grid needs."""
    name, index = parse_spec(spec)
    n = len(x)
    if kind == "linear":
        return x[:, 0].copy() if name == "a" else np.ones(n)
    value = np.asarray(params[name])
    if name == "w" and value.ndim == 1:
        return x[:, index[0]].copy()
    if name == "b" and value.ndim == 0:
        return np.ones(n)
    out = np.zeros((n, np.asarray(params["b"]).size))
    if name == "w":
        out[:, index[1]] = x[:, index[0]]
    else:
        out[:, index[0]] = 1.0
    return out


def batch_loss(kind: str, pred: np.ndarray, y: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """The loss of predictions with any leading grid axes: pred (..., n) or (..., n, k) -> (...)."""
    if kind == "cross_entropy":
        labels = y.astype(np.int64)
        top = pred.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(pred - top).sum(axis=-1)) + top[..., 0]
        index = np.broadcast_to(labels[:, None], (*pred.shape[:-1], 1))
        picked = np.take_along_axis(pred, index, axis=-1)[..., 0]
        return (lse - picked).mean(axis=-1)
    diff = pred - y
    if kind == "mse":
        return (diff * diff).mean(axis=-1)
    if kind == "mae":
        return np.abs(diff).mean(axis=-1)
    if kind == "huber":
        size = np.abs(diff)
        return np.where(size < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta)).mean(axis=-1)
    if kind == "bce":
        return (np.logaddexp(0.0, pred) - y * pred).mean(axis=-1)
    raise ValueError(f"unknown loss {kind!r}")


def loss_grid(kind, loss_kind, x, y, params, specs, axes, delta=1.0) -> np.ndarray:
    """The loss at every point of the grid axes[1] x axes[0] (shape (len(axes[1]), len(axes[0]))),
    the other parameters held at `params`, in one broadcast pass over grid and rows."""
    base = predict_linear(kind, x, params)
    g1, g2 = np.meshgrid(axes[0], axes[1])
    extra = (None,) * base.ndim
    pred = base[(None, None)]
    for grid, spec in zip((g1, g2), specs):
        step = grid - spec_value(params, spec)
        pred = pred + step[(..., *extra)] * direction(kind, x, params, spec)
    return batch_loss(loss_kind, pred, y, delta)


# ------------------------------------------------------------------------------- the figure


@styled
def surface_figure(run, specs: tuple[str, str]):
    """The tutorial's contour of the loss over two parameters, the path, start and minimum."""
    data = run.dataset()
    kind, loss_kind = run.model_kind, run.loss_kind
    final, initial = run.final_params, run.initial_params
    path = _path(run, specs, initial)
    minimum, min_label = _minimum(run, specs)
    points = [p for p in (path, minimum) if p is not None]
    axes = _axes(np.vstack(points))
    delta = float(run.config.get("loss", {}).get("delta", 1.0))
    grid = loss_grid(kind, loss_kind, data.x, data.y, final, specs, axes, delta)
    if minimum is None:
        row, col = np.unravel_index(np.argmin(grid), grid.shape)
        minimum, min_label = np.array([[axes[0][col], axes[1][row]]]), "lowest loss on the grid"

    fig = new_figure(figsize=(7.0, 6.0))
    ax = fig.add_subplot()
    levels, norm = _levels(grid)
    filled = ax.contourf(axes[0], axes[1], grid, levels=levels, norm=norm, cmap="viridis")
    ax.grid(False)
    ax.contour(axes[0], axes[1], grid, levels=levels[::2], colors="white", linewidths=0.4,
               alpha=0.35)
    name = loss_title(loss_kind)
    bar = fig.colorbar(filled, ax=ax, label=f"{name} on the training data (lighter = higher)")
    if norm is not None:
        bar.set_ticks(_log_ticks(levels[0], levels[-1]))
        bar.set_ticklabels([f"{t:.3g}" for t in _log_ticks(levels[0], levels[-1])])
    recorded = len(path) > 2
    label = f"path over {len(path) - 1} steps" if recorded else "start to end (path not recorded)"
    ax.plot(path[:, 0], path[:, 1], color="white", lw=1.2, ls="-" if recorded else ":",
            marker="o" if recorded else None, ms=2.5, label=label,
            path_effects=[withStroke(linewidth=2.6, foreground="black")])
    ax.scatter(*path[0], s=90, color="tab:blue", edgecolor="white", zorder=5,
               label=f"start ({_pair(specs, path[0])})")
    ax.scatter(*path[-1], s=70, marker="X", color="white", edgecolor="black", zorder=5,
               label=f"after the last step ({_pair(specs, path[-1])})")
    ax.scatter(*minimum[0], s=110, marker="*", color="red", edgecolor="white", zorder=6,
               label=f"{min_label} ({_pair(specs, minimum[0])})")
    ax.set_xlabel(f"parameter {specs[0]}")
    ax.set_ylabel(f"parameter {specs[1]}")
    title = f"{name} over ({specs[0]}, {specs[1]}): {run.name}"
    if len(spec_names(final)) > 2:
        title += "\nother parameters held at their final values"
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncol=2)
    return fig


def _path(run, specs, initial) -> np.ndarray:
    """(steps + 1, 2): start then every step's values when history.csv has both columns,
    else just start and end."""
    start = [spec_value(initial, s) for s in specs] if initial else None
    if all(s in run.columns for s in specs):
        rows = np.column_stack([run.columns[s] for s in specs])
        return rows if start is None else np.vstack([start, rows])
    end = [spec_value(run.final_params, s) for s in specs]
    return np.array([start if start is not None else end, end], dtype=float)


def _minimum(run, specs):
    reference, label = run.reference()
    if reference is None or label != "least squares" or run.loss_kind != "mse":
        return None, None
    try:
        point = [spec_value(reference, s) for s in specs]
    except (KeyError, IndexError):
        return None, None
    return np.array([point]), "minimum (least squares)"


def _axes(points: np.ndarray) -> list[np.ndarray]:
    """Grid axes around every point, with the same span on both axes so the bowl keeps its shape
    (a span of a few hundredths in one parameter would flatten the contours into stripes)."""
    low, high = points.min(axis=0), points.max(axis=0)
    span = float(np.max(high - low))
    half = 0.6 * span if span > 1e-9 else max(0.5 * float(np.max(np.abs(low))), 1.0)
    centre = (low + high) / 2
    return [np.linspace(c - half, c + half, GRID) for c in centre]


def _levels(grid: np.ndarray):
    """Round-numbered levels; log-spaced when the loss spans more than ~1.5 decades, so the
    contours near the minimum stay visible."""
    low, high = float(np.nanmin(grid)), float(np.nanmax(grid))
    if low > 0 and high / low > 30:
        levels = np.geomspace(low, high, 25)
        return levels, LogNorm(levels[0], levels[-1])
    return MaxNLocator(20).tick_values(low, high), None


def _pair(specs, point) -> str:
    return ", ".join(f"{s}={v:.3g}" for s, v in zip(specs, point))


def _log_ticks(low: float, high: float) -> np.ndarray:
    """1-2-5 ticks between low and high."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [m * 10.0**e for e in decades for m in (1, 2, 5)]
    return np.array([t for t in ticks if low <= t <= high])
