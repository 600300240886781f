"""`autograd-predict`: a trained run's predictions for the rows of a CSV file. A thin shell over
api.predict; errors go through cli/common.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from autogradcli import api
from autogradcli.cli.common import VersionOption, exit_on_user_error, new_app, print_error, run_app

app = new_app("Predict new rows with the model a run trained (see docs/cli.md).")


@app.command()
def predict(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN_DIR", show_default=False,
                                            help="The run folder (holds model.npz).")],
    data: Annotated[Path, typer.Argument(metavar="DATA.csv", show_default=False,
                                         help="Rows with the run's feature columns.")],
    out: Annotated[str | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Where to write; - for stdout. Default: DATA.predictions.csv beside DATA "
             "(stdout with --json).")] = None,
    keep: Annotated[list[str] | None, typer.Option(
        "--keep", metavar="COL", help="Carry this input column through (repeatable).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON records instead of CSV.")] = False,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace the output file.")] = False,
    version: VersionOption = False,
) -> None:
    """Write the predictions of RUN_DIR's model for every row of DATA.csv."""
    with exit_on_user_error():
        path, columns = api.predict(run_dir, data, out=out, keep=keep or (), as_json=json_out,
                                    overwrite=overwrite)
    if path is not None:
        rows = len(next(iter(columns.values()), []))
        print_error(f"{rows} predictions -> {path}")


def main() -> None:
    """Console-script entry point."""
    run_app(app, "autograd-predict")


if __name__ == "__main__":
    main()
