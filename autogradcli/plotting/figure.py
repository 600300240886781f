"""Creating and saving figures the same way everywhere: fixed size, style and metadata.

Uses matplotlib's object API on an Agg canvas (no pyplot, no global backend switch), so the training
path and other users of matplotlib are never affected. Must not import typer, rich or the CLI.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autogradcli.nn.specs import LOSSES
from autogradcli.plotting.outdir import prepare_folder, unwritable

FIGSIZE = (7.0, 5.0)
STYLE = {
    "svg.hashsalt": "autogradcli",  # stable ids in SVG output
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.framealpha": 0.85,
}
# Fixed metadata per format: no dates, no version strings, so a rerun gives identical bytes.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Software": None, "CreationDate": None, "Creator": None, "Producer": None},
}


def loss_title(kind: str, default: str | None = None) -> str:
    """How figures name a loss ("binary cross-entropy"); `default` (else the kind) if unknown."""
    spec = LOSSES.get(kind)
    return spec.title if spec else (default or kind)


def new_figure(figsize=FIGSIZE) -> Figure:
    """A figure on its own Agg canvas, with constrained layout so labels never overlap."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path, fmt: str, dpi: int) -> Path:
    """Write `fig` to `path` in `fmt` with fixed metadata; returns the path."""
    prepare_folder(path.parent)
    try:
        with matplotlib.rc_context(STYLE):
            fig.savefig(path, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    except OSError as exc:
        raise unwritable(path, exc) from None
    return path


def styled(function):
    """Decorator: draw under the package's rc style (fonts, grid) without touching global state."""

    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper
