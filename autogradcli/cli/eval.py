"""`autograd-eval`: a trained run's metrics on labelled rows, or on its own validation rows.
A thin shell over api.evaluate; errors go through cli/common.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from autogradcli import api
from autogradcli.cli.common import VersionOption, exit_on_user_error, new_app, run_app
from autogradcli.cli.progress import make_console, show_evaluation, write_line

app = new_app("Evaluate the model a run trained (see docs/cli.md).")


@app.command()
def evaluate(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN_DIR", show_default=False,
                                            help="The run folder (holds model.npz).")],
    data: Annotated[Path | None, typer.Argument(
        metavar="DATA.csv", show_default=False,
        help="Labelled rows (features and target). Default: the run's validation rows.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    version: VersionOption = False,
) -> None:
    """Print the metrics of RUN_DIR's model on DATA.csv (default: its own validation rows)."""
    with exit_on_user_error():
        result = api.evaluate(run_dir, data)
    if json_out:
        write_line(json.dumps(result, indent=2))
    else:
        show_evaluation(make_console(), result)


def main() -> None:
    """Console-script entry point."""
    run_app(app, "autograd-eval")


if __name__ == "__main__":
    main()
