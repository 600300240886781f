"""`autograd-train`: parse flags, call autogradcli.api, render, map outcomes to exit codes.

Imports typer, the API and cli/ only. Exit codes: 0 done, 1 diverged/failed, 2 user mistake,
130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from autogradcli import api
from autogradcli.cli.common import (
    EXIT_FAILED,
    VersionOption,
    exit_on_user_error,
    print_error,
    run_app,
)
from autogradcli.cli.progress import (
    TrainReporter,
    make_console,
    show_summary,
    show_sweep,
    write_line,
)
from autogradcli.cli.sweep_view import SweepReporter
from autogradcli.errors import UserError

app = typer.Typer(add_completion=True, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


class Executor(str, Enum):
    local = "local"
    dask = "dask"


class Strategy(str, Enum):
    grid = "grid"
    random = "random"
    halving = "halving"


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
        "--check", help="Validate all a run would (config, data, model, every sweep point), "
                    "train nothing; print the resolved YAML.")] = False,
    schema: Annotated[bool, typer.Option(
        "--schema", help="Print the config's JSON Schema.")] = False,
    sweep: Annotated[list[str] | None, typer.Option(
        metavar="KEY=V1,V2,...", help="Sweep a key over values (repeatable: the grid).")] = None,
    trials: Annotated[int | None, typer.Option(
        min=1, metavar="N", help="Draw N points from the sweep's distributions (random search).")
    ] = None,
    strategy: Annotated[Strategy | None, typer.Option(
        help="grid (every combination), random (N draws) or halving (successive halving).")
    ] = None,
    eta: Annotated[int | None, typer.Option(
        min=2, metavar="N", help="Halving: keep the best 1/N of the runs at each rung (3).")
    ] = None,
    objective: Annotated[str | None, typer.Option(
        metavar="COLUMN", help="What sweeps rank by: val_loss (default with a split, else "
                               "train_loss) or an epochs.csv column such as val_accuracy.")
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Sweep worker processes.")] = 1,
    executor: Annotated[Executor, typer.Option(help="Where sweep runs execute.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        metavar="ADDRESS", help="Dask scheduler address (with --executor dask).")] = None,
    mlflow: Annotated[str | None, typer.Option(
        "--mlflow", metavar="URI", show_default=False,
        help="Also log the run(s) to MLflow at URI, e.g. sqlite:///mlflow.db (sets "
             "output.mlflow.tracking_uri; needs the [mlflow] extra).")] = None,
    resume: Annotated[Path | None, typer.Option(
        metavar="RUN_DIR", show_default=False,
        help="Continue a stopped run from its last checkpoint (or extend a completed one with "
             "--set training.epochs=N).")] = None,
    version: VersionOption = False,
) -> None:
    """Train the experiment(s) described by CONFIG and write a run folder for each."""
    with exit_on_user_error():
        if resume is not None:
            _refuse_with_resume(configs, out, overwrite, seed, sweep, check, schema, mlflow)
            result = _run_one(lambda progress: api.resume(resume, set_ or (), progress=progress),
                              resume.name, quiet, json_out)
            if json_out:
                _show_json([result])
            if not result.ok:
                raise typer.Exit(EXIT_FAILED)
            return
        if schema:
            write_line(json.dumps(api.config_schema(), indent=2))
            return
        overrides = [*(set_ or ()), *_mlflow_override(mlflow)]
        loaded = [api.load_config(path, overrides) for path in _require(configs)]
        grid = api.parse_grid(sweep) if sweep else {}
        executor = Executor(executor).value
        search = {"trials": trials, "strategy": strategy and Strategy(strategy).value,
                  "eta": eta, "objective": objective}
        _check_sweep_flags(loaded, grid, jobs, executor, scheduler, seed, search)
        if not check:
            _check_destinations(loaded, configs, out, overwrite, bool(grid))
        if check:
            _show_check(loaded, grid, seed)
            return
        sweeping = (jobs, executor, scheduler, search)
        failed = _run_all(loaded, grid, out, overwrite, seed, quiet, json_out, sweeping)
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _mlflow_override(uri: str | None) -> list[str]:
    """--mlflow URI as the override it stands for (JSON quoting is YAML: any URI stays text)."""
    return [] if uri is None else [f"output.mlflow.tracking_uri={json.dumps(uri)}"]


def _require(configs: list[Path] | None) -> list[Path]:
    if not configs:
        raise UserError("missing CONFIG", hint="give one or more experiment YAML files, e.g. "
                                               "autograd-train configs/seed_linear.yaml")
    return configs


def _check_sweep_flags(loaded, grid, jobs, executor, scheduler, seed, search) -> None:
    swept = bool(grid) or any(config.sweep for config in loaded)
    if swept and seed is not None:
        raise UserError("--seed applies to single runs; a sweep takes its seed from the config",
                        where="--seed", hint=f"use --set seed={seed}")
    searching = any(value is not None for value in search.values())
    if not swept and (jobs != 1 or executor != "local" or scheduler or searching):
        raise UserError("--jobs, --executor, --scheduler, --trials, --strategy, --eta and "
                        "--objective apply to sweeps only",
                        hint="add --sweep KEY=V1,V2 or a sweep: section to the config")
    if scheduler and executor != "dask":
        raise UserError("--scheduler needs --executor dask", where="--scheduler")


def _show_check(loaded, grid, seed) -> None:
    """Check each config as a run would (data, model, every sweep point), then print it."""
    checked = [api.check(config, grid, seed=seed) for config in loaded]
    for i, (config, points) in enumerate(zip(loaded, checked)):
        swept = f", {len(points)} sweep points" if grid or config.sweep else ""
        write_line(("---\n" if i else "") + api.config_yaml(config, seed).rstrip("\n")
                   + f"\n# checked: the data loads and the model builds{swept}\n")


def _run_all(loaded, grid, out, overwrite, seed, quiet, json_out, sweeping) -> bool:
    """Every config in turn (a run or a sweep); True when any of them did not complete."""
    failed = False
    results = []
    for config in loaded:
        target = out / config.name if out is not None and len(loaded) > 1 else out
        if grid or config.sweep:
            ok = _run_sweep(config, grid, target, overwrite, sweeping, quiet, json_out)
        else:
            result = _run_one(lambda progress, c=config, t=target: api.train(
                c, out=t, overwrite=overwrite, seed=seed, progress=progress),
                config.name, quiet, json_out)
            results.append(result)
            ok = result.ok
        failed = failed or not ok
    if json_out and results:
        _show_json(results)
    return failed


def _refuse_with_resume(configs, out, overwrite, seed, sweep, check, schema, mlflow) -> None:
    given = [flag for flag, value in (("CONFIG", configs), ("--out", out),
                                      ("--overwrite", overwrite), ("--seed", seed),
                                      ("--sweep", sweep), ("--check", check),
                                      ("--schema", schema), ("--mlflow", mlflow)) if value]
    if given:
        raise UserError(f"--resume continues a run as it was; it takes no {', '.join(given)}",
                        where="--resume",
                        hint="autograd-train --resume RUN_DIR [--set training.epochs=N]")


def _run_one(call, name, quiet, json_out) -> api.RunResult:
    """One training run with its live progress, then its summary (and any error) rendered."""
    console = None if quiet or json_out else make_console()
    reporter = None if console is None else TrainReporter(console, name)
    try:
        with reporter or contextlib.nullcontext():
            result = call(_with_fault(reporter))
    except api.RunInterrupted as exc:
        if console is not None:
            show_summary(console, exc.result)
        raise
    if console is not None:
        show_summary(console, result)
    if not result.ok:
        print_error(f"error: {result.folder}: {result.message}")
    for warning in result.warnings:
        print_error(f"warning: {warning}")
    return result


def _run_sweep(config, grid, out, overwrite, sweeping, quiet, json_out) -> bool:
    """A sweep via api.sweep with its live progress, then the table ranked by the objective
    (or, with --json, the results as JSON)."""
    jobs, executor, scheduler, search = sweeping
    console = None if quiet or json_out else make_console()
    reporter = None if console is None else SweepReporter(console)
    with reporter or contextlib.nullcontext():
        result = api.sweep(config, grid or None, out=out, jobs=jobs, executor=executor,
                           scheduler=scheduler, overwrite=overwrite, progress=reporter,
                           **search)
    if console is not None:
        show_sweep(console, result)
    for warning in result.warnings:
        print_error(f"warning: {warning}")
    if json_out:
        write_line(json.dumps({
            "folder": str(result.folder), "keys": result.keys, "strategy": result.strategy,
            "objective": result.objective_name,
            "runs": [{"trial": r.trial, "name": r.name, "values": r.values, "status": r.status,
                      "epochs": r.epochs, "final_train_loss": r.final_train_loss,
                      "final_val_loss": r.final_val_loss, "metrics": r.metrics,
                      "folder": str(r.folder), "message": r.message} for r in result.runs]},
            indent=2))
    return all(run.status == "completed" for run in result.runs)


def _check_destinations(loaded, paths, out, overwrite, swept) -> None:
    """Before anything trains: no two configs into one folder, and no folder in the way (a
    sweep checks its own folder: a rerun resumes it)."""
    seen: dict[str, Path] = {}
    for config, path in zip(loaded, paths):
        if config.sweep or swept:
            continue
        if out is not None:
            target = out / config.name if len(loaded) > 1 else out
        elif "{seed}" in config.output.dir and config.seed is None:
            continue  # a fresh seed each run: a fresh folder
        else:
            target = Path(config.output.dir.format(name=config.name, seed=config.seed))
        key = str(target.resolve())
        if key in seen:
            raise UserError(f"{seen[key]} and {path} would both write to {target}",
                            hint="give them different names, or different output.dir")
        seen[key] = path
        claimed = (target / ".lock").exists()  # in use (or killed): the run says which
        if not overwrite and not claimed and target.is_dir() and any(target.iterdir()):
            raise UserError("run folder already exists and is not empty", where=str(target),
                            hint="pass --overwrite to replace it, or choose another folder "
                                 "(--out DIR); nothing was trained")


def _show_json(results: list[api.RunResult]) -> None:
    items = [{**r.summary, "status": r.status, "folder": str(r.folder)} for r in results]
    write_line(json.dumps(items[0] if len(items) == 1 else items, indent=2))


def _with_fault(progress):
    """For tests of stopping, resuming and locking, at a moment the test chooses (not a timer):
    AUTOGRADCLI_FAULT="kill:37" sends this process SIGKILL after step 37 (term, int, hup: SIGTERM,
    SIGINT, SIGHUP); "wait:37:GATE" creates GATE.reached after step 37 and waits for GATE."""
    fault = os.environ.get("AUTOGRADCLI_FAULT")
    if not fault:
        return progress
    how, _, rest = fault.partition(":")
    step, _, gate = rest.partition(":")
    signals = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "int": signal.SIGINT,
               "hup": signal.SIGHUP}

    def faulty(event):
        if progress is not None:
            progress(event)
        if type(event).__name__ != "StepDone" or event.step != int(step):
            return
        if how == "wait":
            Path(gate + ".reached").touch()
            deadline = time.monotonic() + 120
            while not Path(gate).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            os.kill(os.getpid(), signals[how])
    return faulty


def main() -> None:
    """Console-script entry point."""
    run_app(app, "autograd-train")


if __name__ == "__main__":
    main()
