"""`autograd-train`: parse flags, call autogradcli.api, render, map outcomes to exit codes.

Imports typer, the API and cli/ only. Exit codes: 0 done, 1 diverged/failed, 2 user mistake,
130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from autogradcli import api
from autogradcli.cli.common import EXIT_FAILED, exit_on_user_error, print_error
from autogradcli.cli.progress import (
    TrainReporter,
    make_console,
    show_summary,
    show_sweep,
    sweep_line,
    write_line,
)
from autogradcli.errors import UserError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


class Executor(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def train(
    configs: Annotated[list[Path] | None, typer.Argument(
        metavar="CONFIG", show_default=False, help="Experiment YAML file(s).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY.PATH=VALUE", help="Override a config key (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Run folder (default: output.dir). With several configs: DIR/<name>.")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace an existing run folder.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed, instead of the config's.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Validate; print the resolved YAML.")] = False,
    schema: Annotated[bool, typer.Option(
        "--schema", help="Print the config's JSON Schema.")] = False,
    sweep: Annotated[list[str] | None, typer.Option(
        metavar="KEY=V1,V2,...", help="Sweep a key over values (repeatable: the grid).")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Sweep worker processes.")] = 1,
    executor: Annotated[Executor, typer.Option(help="Where sweep runs execute.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        metavar="ADDRESS", help="Dask scheduler address (with --executor dask).")] = None,
) -> None:
    """Train the experiment(s) described by CONFIG and write a run folder for each."""
    with exit_on_user_error():
        if schema:
            write_line(json.dumps(api.config_schema(), indent=2))
            return
        loaded = [api.load_config(path, set_ or ()) for path in _require(configs)]
        grid = api.parse_grid(sweep) if sweep else {}
        executor = Executor(executor).value
        _check_sweep_flags(loaded, grid, jobs, executor, scheduler)
        if check:
            _show_check(loaded, seed)
            return
        failed = False
        results = []
        for config in loaded:
            target = out / config.name if out is not None and len(loaded) > 1 else out
            if grid or config.sweep:
                ok = _run_sweep(config, grid, target, overwrite, jobs, executor, scheduler,
                                quiet or json_out)
            else:
                result = _run_one(config, target, overwrite, seed, quiet, json_out)
                results.append(result)
                ok = result.ok
            failed = failed or not ok
        if json_out and results:
            _show_json(results)
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _require(configs: list[Path] | None) -> list[Path]:
    if not configs:
        raise UserError("missing CONFIG", hint="give one or more experiment YAML files, e.g. "
                                               "autograd-train configs/seed_linear.yaml")
    return configs


def _check_sweep_flags(loaded, grid, jobs, executor, scheduler) -> None:
    swept = bool(grid) or any(config.sweep for config in loaded)
    if not swept and (jobs != 1 or executor != "local" or scheduler):
        raise UserError("--jobs, --executor and --scheduler apply to sweeps only",
                        hint="add --sweep KEY=V1,V2 or a sweep: section to the config")
    if scheduler and executor != "dask":
        raise UserError("--scheduler needs --executor dask", where="--scheduler")


def _show_check(loaded, seed) -> None:
    for i, config in enumerate(loaded):
        write_line(("---\n" if i else "") + api.config_yaml(config, seed))


def _run_one(config, out, overwrite, seed, quiet, json_out) -> api.RunResult:
    """One training run with its live progress, then its summary (and any error) rendered."""
    console = None if quiet or json_out else make_console()
    reporter = None if console is None else TrainReporter(console, config.name)
    try:
        with reporter or contextlib.nullcontext():
            result = api.train(config, out=out, overwrite=overwrite, seed=seed, progress=reporter)
    except api.RunInterrupted as exc:
        if console is not None:
            show_summary(console, exc.result)
        raise
    if console is not None:
        show_summary(console, result)
    if not result.ok:
        print_error(f"error: {result.folder}: {result.message}")
    return result


def _run_sweep(config, grid, out, overwrite, jobs, executor, scheduler, silent) -> bool:
    """A sweep via api.sweep: one line per finished run, then the table sorted by final loss."""
    console = None if silent else make_console()
    result = api.sweep(config, grid or None, out=out, jobs=jobs, executor=executor,
                       scheduler=scheduler, overwrite=overwrite,
                       progress=None if console is None else partial(sweep_line, console))
    if console is not None:
        show_sweep(console, result)
    return all(run.status == "completed" for run in result.runs)


def _show_json(results: list[api.RunResult]) -> None:
    items = [{**r.summary, "status": r.status, "folder": str(r.folder)} for r in results]
    write_line(json.dumps(items[0] if len(items) == 1 else items, indent=2))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="autograd-train")


if __name__ == "__main__":
    main()
