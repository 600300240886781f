"""Which figures apply to what, where they go, the checks on the options: what autograd-plot calls.

Imports the plotting modules, runs/ and errors: never typer, rich or the CLI. Raises UserErrors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from autogradcli.errors import UserError, did_you_mean
from autogradcli.plotting import compare
from autogradcli.plotting.confusion import confusion_applies, confusion_figure
from autogradcli.plotting.figure import save
from autogradcli.plotting.fit import fit_applies, fit_figure
from autogradcli.plotting.graph import write_graph
from autogradcli.plotting.images import filters_figure, images_apply, images_figure
from autogradcli.plotting.loss import loss_figure
from autogradcli.plotting.lr import lr_applies, lr_figure, lr_varies
from autogradcli.plotting.param_specs import parse_spec, spec_names
from autogradcli.plotting.params import params_figure
from autogradcli.plotting.surface import SURFACE_MODELS, surface_figure
from autogradcli.runs.reader import load_run

KINDS = ("surface", "fit", "params", "loss", "lr", "confusion", "filters", "images", "graph")
SWEEP_KINDS = ("loss", "sweep")
FORMATS = ("png", "svg", "pdf")
DPI_RANGE = (30, 600)


class PlotOptionError(UserError):
    """A --kind, --params, --format or --dpi that is unknown or does not apply to the run."""


@dataclass(frozen=True)
class Output:
    """One thing done: a file written, or a note for the user (e.g. Graphviz missing)."""

    path: Path | None = None
    note: str | None = None


def plot(paths: Iterable, kinds: Iterable[str] = (), fmt: str = "png", out=None, dpi: int = 100,
         params: str | None = None) -> Iterator[Output]:
    """Write the figures for one run, several runs (loss overlay) or a sweep folder, yielding
    each file as it is written (so files written before an error are kept and reported)."""
    kinds = list(dict.fromkeys(kinds))
    _check_options(kinds, fmt, dpi)
    paths = [Path(p) for p in paths]
    out = None if out is None else Path(out)
    if not paths:
        raise PlotOptionError("give at least one run folder")
    if len(paths) > 1:
        yield from _several(paths, kinds, fmt, out, dpi)
    elif compare.is_sweep(paths[0]):
        yield from _sweep(paths[0], kinds, fmt, out, dpi)
    elif "sweep" in kinds:
        raise PlotOptionError("{--kind} sweep is for sweep folders (they hold sweep.csv)",
                              where=str(paths[0]), hint=f"a run has: {', '.join(KINDS)}")
    else:
        yield from _single(paths[0], kinds, fmt, out, dpi, params)


NEED_DATA = ("surface", "fit", "graph", "images")  # figures drawn from the rows trained on


def applicable(run, specs) -> dict[str, str | None]:
    """kind -> None when the figure applies to this run, else the reason it does not."""
    reasons = dict.fromkeys(KINDS)
    if run.model_kind not in SURFACE_MODELS:
        reasons["surface"] = (f"the loss surface needs a model whose output is linear in its "
                              f"parameters ({', '.join(SURFACE_MODELS)}); this run's model is "
                              f"{run.model_kind}")
    elif specs is None and run.model_kind != "linear":
        reasons["surface"] = (f"this {run.model_kind} model has more than two parameters: choose "
                              f"two with {{--params}}, e.g. {{--params}} {_example(run)}")
    reasons["fit"] = fit_applies(run)
    reasons["filters"] = reasons["images"] = images_apply(run)
    reasons["confusion"] = confusion_applies(run)
    reasons["lr"] = lr_applies(run)
    return reasons


def _single(path, kinds, fmt, out, dpi, params) -> Iterator[Output]:
    run = load_run(path).plottable()
    for note in run.notes:
        yield Output(note=note)
    specs = None if params is None else parse_params(params, run)
    reasons = applicable(run, specs)
    _check_kinds(reasons, specs, kinds, path)
    chosen = kinds or [kind for kind in KINDS if reasons[kind] is None
                       and (kind != "lr" or lr_varies(run))]  # a constant rate says little
    chosen, note = _with_data(run, path, kinds, chosen)
    if note:
        yield Output(note=note)
    out = out if out is not None else path / "figures"
    for kind in chosen:
        if kind == "graph":
            files, note = write_graph(run, out, fmt)
            for file in files:
                yield Output(path=file)
            if note:
                yield Output(note=note)
            continue
        if kind == "surface":
            fig = surface_figure(run, specs or ("a", "b"))
        else:
            figures = {"fit": fit_figure, "params": params_figure, "loss": loss_figure,
                       "confusion": confusion_figure, "lr": lr_figure,
                       "filters": filters_figure, "images": images_figure}
            fig = figures[kind](run)
        yield Output(path=save(fig, out / f"{kind}.{fmt}", fmt, dpi))


def _check_kinds(reasons, specs, kinds, path) -> None:
    """PlotOptionError for a figure asked for (or --params) that does not apply to this run."""
    if specs is not None and reasons["surface"] is not None:
        raise PlotOptionError("{--params} chooses the surface's parameters, but "
                              + reasons["surface"], where=str(path))
    for kind in kinds:
        if reasons.get(kind) is not None:
            raise PlotOptionError(f"{{--kind}} {kind} does not apply: {reasons[kind]}",
                                  where=str(path), hint=_applicable_hint(reasons))


def _with_data(run, path, kinds, chosen) -> tuple[list[str], str | None]:
    """(the figures to draw, a note): of the default set, those needing the data trained on are
    left out, with a note, when it cannot be read (its CSV gone or changed)."""
    needing = [kind for kind in chosen if kind in NEED_DATA]
    problem = run.data_problem() if needing and not kinds else None
    if problem is None:  # asked for by name: the figure itself says what is wrong, in turn
        return chosen, None
    return ([kind for kind in chosen if kind not in NEED_DATA],
            f"left out {', '.join(needing)}: {problem}")


def _several(paths, kinds, fmt, out, dpi) -> Iterator[Output]:
    if set(kinds) - {"loss"}:
        raise PlotOptionError("with several run folders only {--kind} loss applies (their loss "
                              "curves in one figure)",
                              hint="plot each run's other figures with one folder at a time")
    runs = [load_run(path) for path in paths]
    fig = compare.loss_comparison_figure(runs)
    out = out if out is not None else Path.cwd()
    yield Output(path=save(fig, out / f"loss-comparison.{fmt}", fmt, dpi))


def _sweep(path, kinds, fmt, out, dpi) -> Iterator[Output]:
    unknown = [kind for kind in kinds if kind not in SWEEP_KINDS]
    if unknown:
        raise PlotOptionError(f"{{--kind}} {unknown[0]} does not apply to a sweep folder",
                              where=str(path),
                              hint=f"a sweep has: {', '.join(SWEEP_KINDS)}; for one run's "
                                   "figures give its sub-folder")
    sweep = compare.load_sweep(path)
    for note in sweep.skipped:
        yield Output(note=f"skipped run {note}")
    out = out if out is not None else path / "figures"
    for kind in kinds or SWEEP_KINDS:
        if kind == "loss":
            labels, legend_title = compare.sweep_labels(sweep)
            fig = compare.loss_comparison_figure(
                sweep.runs, title=f"Training loss of the {len(sweep.runs)} runs of the sweep",
                labels=labels, legend_title=legend_title)
            yield Output(path=save(fig, out / f"loss-comparison.{fmt}", fmt, dpi))
        else:
            fig = compare.sweep_figure(sweep)
            yield Output(path=save(fig, out / f"final-loss.{fmt}", fmt, dpi))


# --------------------------------------------------------------------------------- options


def _check_options(kinds, fmt, dpi) -> None:
    for kind in kinds:
        if kind not in KINDS + SWEEP_KINDS:
            raise PlotOptionError(f"unknown {{--kind}} {kind!r}", hint=did_you_mean(
                kind, KINDS + SWEEP_KINDS[1:], "Kinds (sweep: for sweep folders)"))
    if fmt not in FORMATS:
        raise PlotOptionError(f"unknown {{--format}} {fmt!r}",
                              hint=f"use one of {', '.join(FORMATS)}")
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise PlotOptionError(f"{{--dpi}} {dpi} is out of range",
                              hint=f"use {DPI_RANGE[0]}..{DPI_RANGE[1]} (default 100)")


def parse_params(text: str, run) -> tuple[str, str]:
    """'a,b' or 'w[0],b' -> two distinct scalar parameters of this run; PlotOptionError if not."""
    valid = spec_names(run.final_params)
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    specs = [part.strip() for part in text.split(",") if part.strip()]
    specs = _rejoin_indices(specs)
    if len(specs) != 2 or specs[0] == specs[1]:
        raise PlotOptionError(f"{{--params}} takes two different parameters, got {text!r}",
                              hint=f"e.g. {{--params}} {_example(run)}; this run has: {shown}")
    for spec in specs:
        try:
            name, index = parse_spec(spec)
        except ValueError as exc:
            raise PlotOptionError(f"{{--params}}: {exc}", hint=f"this run has: {shown}") from None
        canonical = name + (f"[{','.join(map(str, index))}]" if index else "")
        if canonical not in valid:
            raise PlotOptionError(f"{{--params}}: this run has no parameter {spec!r}",
                                  hint=did_you_mean(canonical, valid, "It has", limit=12))
    return tuple(specs)


def _rejoin_indices(parts: list[str]) -> list[str]:
    """'w[0', '1]' (split at the comma inside brackets) -> 'w[0,1]'."""
    joined = []
    for part in parts:
        if joined and joined[-1].count("[") > joined[-1].count("]"):
            joined[-1] += "," + part
        else:
            joined.append(part)
    return [part.replace(" ", "") for part in joined]


def _example(run) -> str:
    names = spec_names(run.final_params)
    return f"{names[0]},{names[-1]}" if len(names) > 1 else "a,b"


def _applicable_hint(reasons) -> str:
    ok = [kind for kind, reason in reasons.items() if reason is None]
    return f"kinds that apply to this run: {', '.join(ok)}"
