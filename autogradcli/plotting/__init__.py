"""Figures from run folders with matplotlib (Agg canvas, never pyplot): the only package using it.

`plot(...)` (runner.py) is what `autograd-plot` calls. Must not import typer, rich or the CLI.
"""

from autogradcli.plotting.runner import FORMATS, KINDS, PlotOptionError, plot

__all__ = ["FORMATS", "KINDS", "PlotOptionError", "plot"]
