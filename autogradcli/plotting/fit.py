"""The fit figure: data and fitted line per step (regression) or decision boundary (classifiers).

Imports numpy, matplotlib (through figure.py), runs/ and rebuild: never the CLI.
"""

from __future__ import annotations

import numpy as np

from autogradcli.plotting.figure import new_figure, styled
from autogradcli.plotting.rebuild import build_model, predict

MAX_LINES = 60
CLASS_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")


def fit_applies(run) -> str | None:
    """None when the fit figure applies to this run, else why not."""
    if run.model_kind == "cnn":
        return ("regions over two pixels say little of an image model; see the images and "
                "filters figures")
    if run.is_classifier and run.n_features < 2:
        return "a decision boundary needs at least two features"
    return None


@styled
def fit_figure(run):
    """Regression with one feature: data and fitted lines; more features: predicted vs observed;
    classifiers: decision regions over the first two features."""
    data = run.dataset()
    if run.is_classifier:
        return _boundary(run, data)
    if data.n_features == 1:
        return _lines(run, data)
    return _predicted(run, data)


def _scatter_data(ax, data, colour="0.2"):
    ax.scatter(data.x[:, 0], data.y, s=16, color=colour, alpha=0.75, zorder=3,
               label="training data")
    if data.n_val:
        ax.scatter(data.x_val[:, 0], data.y_val, s=18, facecolor="none", edgecolor=colour,
                   label="validation data")


def _lines(run, data):
    fig = new_figure()
    ax = fig.add_subplot()
    _scatter_data(ax, data)
    xs = np.linspace(data.x[:, 0].min(), data.x[:, 0].max(), 200)
    if run.model_kind == "linear" and {"a", "b"} <= set(run.columns):
        a, b = run.columns["a"], run.columns["b"]
        rows = np.unique(np.linspace(0, len(a) - 1, min(len(a), MAX_LINES)).astype(int))
        for i in rows:
            alpha = 0.06 + 0.94 * (i + 1) / len(a)
            label = "fitted line after each step (more opaque = later)" if i == rows[-1] else None
            ax.plot(xs, a[i] * xs + b[i], ls="--", color="red", lw=1.1, alpha=alpha, label=label)
        title = f"Fitted line over {len(a)} steps: {run.name}"
    else:
        start = predict(build_model(run, run.initial_params), xs[:, None])
        end = predict(build_model(run), xs[:, None])
        ax.plot(xs, start, ls=":", color="0.45", lw=1.4, label="model at the start")
        ax.plot(xs, end, ls="--", color="red", lw=1.8, label=f"model after step {run.step[-1]}")
        title = f"Fitted model: {run.name}"
    true = _true_line(run)
    if true is not None:
        ax.plot(xs, true[0] * xs + true[1], color="tab:blue", lw=2,
                label=f"true line y = {true[0]:.3g} x + {true[1]:.3g}")
    ax.set_xlabel(_label(run, data.feature_names[0]))
    ax.set_ylabel(data.target_name)
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def _true_line(run):
    true = run.summary.get("true_params") or {}
    if {"a", "b"} <= set(true) and not run.config.get("data", {}).get("standardize", False):
        return float(true["a"]), float(true["b"])
    return None


def _predicted(run, data):
    model = build_model(run)
    fig = new_figure()
    ax = fig.add_subplot()
    ax.scatter(data.y, predict(model, data.x), s=16, color="0.2", alpha=0.7,
               label="training rows")
    values = [data.y]
    if data.n_val:
        ax.scatter(data.y_val, predict(model, data.x_val), s=18, facecolor="none",
                   edgecolor="tab:red", label="validation rows")
        values.append(data.y_val)
    low, high = float(np.min(np.concatenate(values))), float(np.max(np.concatenate(values)))
    ax.plot([low, high], [low, high], color="tab:blue", lw=1.5, label="perfect fit (y = x)")
    ax.set_xlabel(f"observed {data.target_name}")
    ax.set_ylabel(f"predicted {data.target_name}")
    ax.set_title(f"Predicted vs observed after step {run.step[-1]}: {run.name}")
    ax.legend(loc="best")
    return fig


def _boundary(run, data):
    model = build_model(run)
    pair = _feature_pair(run, data)
    x_all = np.vstack([data.x, data.x_val])
    g1, g2 = (np.linspace(*_range(x_all[:, i]), 200) for i in pair)
    m1, m2 = np.meshgrid(g1, g2)
    grid = np.tile(data.x.mean(axis=0), (m1.size, 1))
    grid[:, pair[0]], grid[:, pair[1]] = m1.ravel(), m2.ravel()
    out = predict(model, grid)
    names = _class_names(run, data)
    fig = new_figure()
    ax = fig.add_subplot()
    if out.ndim == 1:
        prob = (1.0 / (1.0 + np.exp(-out))).reshape(m1.shape)
        filled = ax.contourf(g1, g2, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.45)
        fig.colorbar(filled, ax=ax, label=f"P(class {names[1]})")
        ax.contour(g1, g2, prob, levels=[0.5], colors="black", linewidths=1.5)
    else:
        classes = out.argmax(axis=1).reshape(m1.shape)
        k = out.shape[1]
        ax.contourf(g1, g2, classes, levels=np.arange(k + 1) - 0.5,
                    colors=[CLASS_COLOURS[i % 6] for i in range(k)], alpha=0.25)
        ax.contour(g1, g2, classes, levels=np.arange(k) + 0.5, colors="black", linewidths=1.2)
    _scatter_classes(ax, data, names, pair)
    ax.plot([], [], color="black", lw=1.5, label="decision boundary")
    ax.set_xlabel(_label(run, data.feature_names[pair[0]]))
    ax.set_ylabel(_label(run, data.feature_names[pair[1]]))
    title = f"Decision boundary after step {run.step[-1]}: {run.name}"
    if data.n_features > 2:
        title += "\nthe two features with the largest weights; others at their training mean"
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def _scatter_classes(ax, data, names, pair):
    f1, f2 = pair
    for i, name in enumerate(names):
        colour = CLASS_COLOURS[i % 6]
        train = data.y == i
        ax.scatter(data.x[train, f1], data.x[train, f2], s=18, color=colour, edgecolor="white",
                   linewidth=0.4, label=f"{name} (training)")
        val = data.y_val == i
        if val.any():
            ax.scatter(data.x_val[val, f1], data.x_val[val, f2], s=22, facecolor="none",
                       edgecolor=colour, label=f"{name} (validation)")


def _feature_pair(run, data) -> tuple[int, int]:
    """The two features whose first-layer weights are largest (the first two if the model has
    exactly two, or no weight matrix is found), in their column order."""
    d = data.n_features
    if d == 2:
        return 0, 1
    for value in run.final_params.values():
        if value.ndim >= 1 and value.shape[0] == d:
            score = np.sqrt((value.reshape(d, -1) ** 2).sum(axis=1))
            top = np.argsort(-score, kind="stable")[:2]
            return int(min(top)), int(max(top))
    return 0, 1


def _class_names(run, data) -> list[str]:
    names = run.config.get("data", {}).get("classes")
    k = int(max(np.max(data.y), np.max(data.y_val, initial=0))) + 1
    if isinstance(names, list) and len(names) >= k:
        return [str(n) for n in names]
    return [str(i) for i in range(max(k, 2))]


def _label(run, feature: str) -> str:
    standardized = run.config.get("data", {}).get("standardize", False)
    return f"{feature} (standardised)" if standardized else feature


def _range(values):
    low, high = float(values.min()), float(values.max())
    margin = 0.08 * (high - low) if high > low else 1.0
    return low - margin, high + margin
