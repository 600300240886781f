"""The Python API: load_config, train, sweep, plot and the config helpers.

All of them are re-exported by the package (`from autogradcli import train`).

Imports config, experiment and sweeps inside the functions that use them (so `--help` stays fast);
RunResult and RunInterrupted (from experiment.py) load on first use. Never rich, typer or the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autogradcli.config import Config
    from autogradcli.training.experiment import RunInterrupted, RunResult

__all__ = ["RunInterrupted", "RunResult", "check", "compare_runs", "config_schema", "config_yaml",
           "evaluate", "list_runs", "load_config", "load_run", "parse_grid", "plot", "predict",
           "report", "resume", "sweep", "train"]


def __getattr__(name: str):
    if name in ("RunResult", "RunInterrupted"):
        from autogradcli.training import experiment

        return getattr(experiment, name)
    raise AttributeError(f"module 'autogradcli.api' has no attribute {name!r}")


def load_config(path, overrides=()) -> Config:
    """Read and validate a YAML experiment config; `overrides` are `KEY.PATH=VALUE` strings.

    Raises ConfigError naming the file, line and key path of the first problem.
    """
    from autogradcli import config as _config

    return _config.load_config(path, list(overrides))


def config_yaml(config: Config, seed: int | None = None) -> str:
    """The config as a run would use it (every default filled in, `seed` if given), as YAML."""
    from autogradcli import config as _config

    if seed is not None:
        config = _config.resolve_seed(config, seed)
    return _config.config_to_yaml(config)


def check(config: Config, grid: dict[str, list] | None = None, *, seed: int | None = None
          ) -> list[Config]:
    """Validate all that a run would, short of training: load the data, build the model, loss
    and optimizer on it (and check the memory they need). A config with a `sweep:` section, or
    with `grid`, is checked at every point of the sweep (each validated, then built).

    Returns the configs checked (one per point). Raises ConfigError or DataError (UserError).
    """
    from autogradcli import config as _config
    from autogradcli.training.build import build

    if grid or config.sweep:
        from autogradcli.sweeps.grid import sweep_configs

        configs = sweep_configs(config, grid)
    else:
        configs = [_config.resolve_seed(config, seed)]
    for point in configs:
        build(_config.resolve_seed(point))  # everything but the loop
    return configs


def config_schema() -> dict:
    """The JSON Schema of the config file, for editors' YAML completion."""
    from autogradcli import config as _config

    return _config.config_schema()


def train(config: Config, *, out=None, overwrite: bool = False, seed: int | None = None,
          progress: Callable[[Any], None] | None = None) -> RunResult:
    """Train one experiment and write its run folder; return how it ended.

    out: the run folder (default: the config's output.dir); overwrite: replace an existing run
    folder; seed: overrides config.seed (None keeps it, or draws one if the config has none);
    progress(event): gets training.TrainStart, StepDone and EpochDone events.
    A diverged run returns status 'diverged' (history kept); an unexpected error inside the loop
    returns 'failed'. Raises ConfigError, DataError or RunFolderError (UserError) for the user's
    mistakes, before anything is trained, and RunInterrupted (a KeyboardInterrupt) on Ctrl-C.
    """
    from autogradcli.training.experiment import run_experiment

    return run_experiment(config, out=out, overwrite=overwrite, seed=seed, progress=progress)


def resume(run_dir, overrides=(), *, progress: Callable[[Any], None] | None = None
           ) -> RunResult:
    """Continue a run that stopped (interrupted, or killed while `running`) from its last
    checkpoint, so that it ends exactly as if it had never stopped.

    overrides: only `training.epochs=N` (larger), which extends a completed run. A completed run
    without it returns at once with nothing changed. Raises ConfigError or RunFolderError when the
    result would not be the same run (another change, a diverged run, an edited config.yaml).
    """
    from autogradcli.training.experiment import resume_experiment

    return resume_experiment(run_dir, overrides=overrides, progress=progress)


def parse_grid(options: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`KEY.PATH=V1,V2,...` or `KEY.PATH=loguniform(A,B)` strings (the CLI's --sweep) as
    {key: [values] or a Distribution}.

    Values are YAML (numbers, true/false, null, strings, [lists]). Raises ConfigError.
    """
    from autogradcli.sweeps.grid import parse_sweep_args

    return parse_sweep_args(list(options))


def sweep(config: Config, grid: dict[str, Any] | None = None, *, out=None, jobs: int = 1,
          executor: str = "local", scheduler: str | None = None, overwrite: bool = False,
          progress: Callable[[Any], None] | None = None, trials: int | None = None,
          strategy: str | None = None, eta: int | None = None, objective: str | None = None):
    """Run a sweep: every combination of `grid` (dotted key -> values; None: the config's
    `sweep:`), or `trials` points drawn from its distributions (strategy "random"), or those
    trials by successive halving (strategy "halving", keeping 1/eta per rung by `objective`).

    Implemented in autogradcli.sweeps, imported here only when called so that train() and the
    CLI's startup never load it. progress(event) gets a sweeps.table.SweepStart, a RunDone per
    finished run and InFlight while runs execute; returns a sweeps.table.SweepResult (folder,
    keys, rows/runs, sorted_by_objective()). Raises ConfigError or RunFolderError before anything
    starts, KeyboardInterrupt after stopping the workers.
    """
    from autogradcli.sweeps.runner import sweep as run_sweep

    return run_sweep(config, grid, out=out, jobs=jobs, executor=executor, scheduler=scheduler,
                     overwrite=overwrite, progress=progress, trials=trials, strategy=strategy,
                     eta=eta, objective=objective)


def plot(run_dirs, kinds=(), fmt: str = "png", out=None, dpi: int = 100,
         params: str | None = None):
    """Draw the figures of run folders (one run, several overlaid, or a sweep folder).

    kinds: figure names (default: every one that applies); params: two parameters for the loss
    surface, e.g. "w[0],b". Yields plotting.Output items (a file written, or a note) as it goes,
    so files written before an error are kept. A run logged to MLflow gets the figures drawn for
    it as artifacts too (a note says so). Raises UserError (PlotOptionError, RunFolderError).
    matplotlib loads only here.
    """
    from autogradcli import plotting
    from autogradcli.plotting.runner import Output

    written = []
    for output in plotting.plot(run_dirs, kinds, fmt, out, dpi, params):
        if output.path is not None:
            written.append(output.path)
        yield output
    note = _figures_to_mlflow(run_dirs, written)
    if note is not None:
        yield Output(note=note)


def _figures_to_mlflow(run_dirs, written) -> str | None:
    """Figures of one run that was logged to MLflow join its MLflow run; a note says how it went."""
    from pathlib import Path

    folders = [run_dirs] if isinstance(run_dirs, (str, Path)) else list(run_dirs)
    if len(folders) != 1 or not written:
        return None
    from autogradcli.tracking import log_figures

    logged = log_figures(Path(folders[0]), written)
    if logged is None:
        return None
    if logged.logged:
        return f"added {len(written)} figure(s) to MLflow run {logged.run_id}"
    return f"figures not added to MLflow run {logged.run_id}: {logged.reason}"


def report(run_dir, out=None):
    """Write report.html for a run or sweep folder (into `out`, default the folder itself): one
    self-contained page with the config, summary, metrics and every figure, and for a sweep the
    ranked results, the objective against the values and the best run. Returns its path.
    Raises RunFolderError. matplotlib loads only here."""
    from autogradcli.plotting.report import write_report

    return write_report(run_dir, out)


def list_runs(folders=("runs",), *, where=(), sort: str | None = None):
    """The run folders in or under `folders`, as (records, differing config keys).

    Each record (runs.listing.RunRecord) has `path`, `fields` (name, status, when, epochs, loss,
    metric, seconds, train_loss, val_loss and the metric columns) and `config` (flattened).
    where: conditions such as "status=completed", "optimizer.lr<0.1"; sort: a field or config
    key, best first for losses and metrics ("-KEY" reverses). Raises UserError.
    """
    from pathlib import Path

    from autogradcli.runs import listing

    bases = [Path(folder) for folder in folders]
    records = []
    for base in bases:
        records += [listing.read_record(path, base) for path in listing.find_runs([base])]
    records = listing.sort_records(listing.filter_records(records, list(where)), sort)
    return records, listing.differing_keys(records)


def compare_runs(run_dirs):
    """(records, differing config keys) of the given run folders, in the order given.

    Raises RunFolderError for a folder that is not a run."""
    from pathlib import Path

    from autogradcli.runs import listing
    from autogradcli.runs.reader import check_is_run

    records = []
    for path in map(Path, run_dirs):
        check_is_run(path)
        records.append(listing.read_record(path))
    return records, listing.differing_keys(records)


def load_run(path):
    """Open a run folder for use: `.predict(x)`, `.predict_proba(x)`, `.evaluate(x, y)`,
    `.config`, `.summary`, `.history`. Raises RunFolderError (no model.npz, ...)."""
    from autogradcli.inference.run import load_run as _load_run

    return _load_run(path)


def predict(run_dir, data, *, out=None, keep=(), as_json: bool = False,
            overwrite: bool = False):
    """Predict every row of the CSV file `data` with the run's model; write and return them.

    Features are found by name (any order); `keep` columns are carried through. out: a file, "-"
    for stdout, or None for DATA.predictions.csv beside the input (never overwritten unless
    `overwrite`). Returns (the file written or None, column -> values). Raises UserError.
    """
    from autogradcli.inference import tables

    run = load_run(run_dir)
    table = tables.read_table(data, run.model, keep=tuple(keep))
    columns = tables.predictions(run.model, table)
    if out is None:
        out = "-" if as_json else tables.default_output(data)
    path = tables.write_predictions(columns, out, as_json=as_json, overwrite=overwrite)
    return path, columns


def evaluate(run_dir, data=None) -> dict:
    """Metrics of the run's model on the labelled CSV `data`, or on its own validation rows
    (training rows without a split) when None, reproducing summary.json's numbers exactly.

    Returns {"data": what was evaluated, "rows": n, "task": ..., "metrics": {...}} (a
    classifier's metrics hold a per-class "report" with the confusion matrix).
    """
    from autogradcli.inference import tables

    run = load_run(run_dir)
    if data is None:
        split, n, values = run.evaluate_own()
        described = f"{run.data_described()} ({split} rows)"
    else:
        table = tables.read_table(data, run.model, with_target=True)
        values = run.model.evaluate(table.x, tables.target_values(table, run.model))
        described, n = str(data), len(table.x)
    return {"data": described, "rows": n, "task": run.model.info.task, "metrics": values}
