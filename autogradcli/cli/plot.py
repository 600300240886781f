"""`autograd-plot`: figures from run folders. A thin typer shell over autogradcli.plotting.

Parses options, calls plotting.plot, prints each file written; errors go through cli/common.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from autogradcli import api
from autogradcli.cli.common import VersionOption, exit_on_user_error, new_app, print_error, run_app
from autogradcli.errors import UserError

app = new_app("Draw the figures of autograd-train run folders (see docs/plotting.md).")


@app.command()
def plot(
    run_dirs: Annotated[list[Path], typer.Argument(
        metavar="RUN_DIR", show_default=False,
        help="Run folder(s), or a sweep folder (has sweep.csv).")],
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", "-k", show_default=False,
        help="Figure to draw (repeatable): surface, fit, params, loss, graph; for a sweep: "
             "loss, sweep. Default: all that apply.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="png, svg or pdf.")] = "png",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", show_default=False,
        help="Output folder. Default: RUN_DIR/figures; for several runs, the current folder.")
    ] = None,
    dpi: Annotated[int, typer.Option(
        "--dpi", help="Resolution of png files (figures are 7x5 in).")] = 100,
    params: Annotated[str | None, typer.Option(
        "--params", show_default=False,
        help="Two parameters for the surface, e.g. w[0],b (others held at final values).")
    ] = None,
    report: Annotated[bool, typer.Option(
        "--report", help="Write RUN_DIR/report.html (or into --out): one self-contained page "
                         "with the config, results and every figure.")] = False,
    version: VersionOption = False,
) -> None:
    """Draw the figures of RUN_DIR (default: every figure that applies) and list the files."""
    with exit_on_user_error():
        if report:
            if len(run_dirs) != 1 or kind or params:
                raise UserError("--report takes one run or sweep folder, and no --kind or "
                                "--params", hint="autograd-plot RUN_DIR --report [--out DIR]")
            typer.echo(str(api.report(run_dirs[0], out)))
            return
        for output in api.plot(run_dirs, kind or (), fmt.lower(), out, dpi, params):
            if output.path is not None:
                typer.echo(str(output.path))
            if output.note:
                print_error(f"note: {output.note}")


def main() -> None:
    """Console-script entry point."""
    run_app(app, "autograd-plot")


if __name__ == "__main__":
    main()
