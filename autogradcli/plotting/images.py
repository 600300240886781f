"""The figures of an image model (cnn): its first layer's learned filters, and validation images
with the predicted and true labels, the misclassified ones marked.

Imports numpy, matplotlib (through figure.py), runs/ and rebuild: never the CLI.
"""

from __future__ import annotations

import math

import numpy as np

from autogradcli.nn import metrics
from autogradcli.plotting.figure import new_figure, styled
from autogradcli.plotting.rebuild import build_model, predict
from autogradcli.runs.layout import MODEL
from autogradcli.runs.model_file import read_model

MAX_IMAGES = 48
WRONG = "tab:red"


def images_apply(run) -> str | None:
    """None when the run's model reads images (a cnn), else why the image figures do not apply."""
    if run.model_kind != "cnn":
        return f"filters and images are for image models (cnn); this run's model is " \
               f"{run.model_kind}"
    return None


def _image_shape(run) -> tuple[int, int, int]:
    return tuple(int(n) for n in run.config["model"]["image"])


@styled
def filters_figure(run):
    """Each first-layer filter as a small image (one row per input channel), on one colour scale
    centred at 0: red weighs a pixel up, blue down."""
    weights = np.asarray(run.final_params["conv1_w"], dtype=np.float64)
    n_filters, n_in = weights.shape[:2]
    cols = min(n_filters, 8)
    rows = math.ceil(n_filters / cols) * n_in
    fig = new_figure(figsize=(1.3 * cols + 1.6, 1.3 * rows + 1.0))
    axes = fig.subplots(rows, cols, squeeze=False)
    limit = float(np.abs(weights).max()) or 1.0
    image = None
    for ax in axes.flat:
        ax.set_axis_off()
    for f in range(n_filters):
        for c in range(n_in):
            ax = axes[(f // cols) * n_in + c, f % cols]
            image = ax.imshow(weights[f, c], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(f"filter {f + 1}" + (f", in {c + 1}" if n_in > 1 else ""), fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    k = weights.shape[-1]
    fig.suptitle(f"The {n_filters} learned {k}x{k} filters of the first conv layer: {run.name}",
                 fontsize=11)
    return fig


def _raw_pixels(run, x):
    """Rows back in the data's own units (undoing standardize) when model.npz says how."""
    if not (run.path / MODEL).is_file():
        return x
    info = read_model(run.path).info
    return x * np.asarray(info.feature_scale) + np.asarray(info.feature_mean)


def _chosen(wrong, limit):
    """Up to `limit` row indices: the misclassified first (at most half), then the others, each
    in file order, so a glance shows both what works and what fails."""
    bad = np.flatnonzero(wrong)[: limit // 2]
    good = np.flatnonzero(~wrong)[: limit - len(bad)]
    return np.sort(np.concatenate([bad, good]))


@styled
def images_figure(run):
    """A grid of validation images (training images when there is no split), each titled with
    the predicted and the true label; misclassified ones in red, with a red frame."""
    data = run.dataset()
    split = "validation" if data.n_val else "training"
    x, y = (data.x_val, data.y_val) if data.n_val else (data.x, data.y)
    predicted = metrics.predicted_classes(predict(build_model(run), x), run.loss_kind)
    truth = y.astype(np.int64)
    wrong = predicted != truth
    rows_shown = _chosen(wrong, MAX_IMAGES)
    channels, height, width = _image_shape(run)
    pixels = _raw_pixels(run, x[rows_shown]).reshape(-1, channels, height, width)
    names = data.class_names or [str(i) for i in range(int(truth.max()) + 1)]
    cols = 8
    grid_rows = math.ceil(len(rows_shown) / cols)
    fig = new_figure(figsize=(1.25 * cols + 0.4, 1.45 * grid_rows + 0.9))
    axes = fig.subplots(grid_rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, img, row in zip(axes.flat, pixels, rows_shown):
        shown = img[0] if channels == 1 else np.clip(img.transpose(1, 2, 0), 0, None)
        if channels > 1:
            shown = shown / (shown.max() or 1.0)
        ax.imshow(shown, cmap="gray_r" if channels == 1 else None)
        colour = WRONG if wrong[row] else "black"
        ax.set_title(f"{names[predicted[row]]} (true {names[truth[row]]})", fontsize=8,
                     color=colour)
        if wrong[row]:
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color(WRONG)
                spine.set_linewidth(2.5)
    fig.suptitle(f"{split.capitalize()} images, predicted (true) label; {int(wrong.sum())} of "
                 f"{len(truth)} misclassified, in red ({len(rows_shown)} shown): {run.name}",
                 fontsize=10)
    return fig
