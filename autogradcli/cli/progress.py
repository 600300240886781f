"""What autograd-train shows: the progress reporter, the run summary, the sweep's final table.

With cli/sweep_view.py (a sweep's live view), the modules that draw with rich. On a terminal: a
live bar; otherwise plain lines, flushed, with no cursor codes. Imports rich and the standard
library; the API's objects arrive as arguments.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich loads only when something is drawn: --quiet and --json never pay for it
    from rich.console import Console

__all__ = ["TrainReporter", "make_console", "show_summary", "show_sweep"]


def make_console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr): colours and cursor codes only on a terminal."""
    import os

    from rich.console import Console

    plain = "NO_COLOR" in os.environ  # no colour, and no bold or italics either
    return Console(stderr=stderr, highlight=False, soft_wrap=False,
                   color_system=None if plain else "auto")


class TrainReporter:
    """The `progress` callback of api.train: a rich bar over steps, or one plain line per epoch.

    Use it as a context manager around the run, so the live display always stops.
    """

    def __init__(self, console: Console, name: str):
        self.console = console
        self.name = name
        self.live = console.is_terminal and not console.is_dumb_terminal  # TERM=dumb: a pipe
        self._progress = None
        self._task = None
        self._started = time.perf_counter()
        self._total = 0
        self._metric = None

    def __enter__(self) -> TrainReporter:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> bool:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        return False

    def __call__(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "StepDone":
            self._step(event)
        elif kind == "EpochDone":
            self._epoch(event)
        elif kind == "TrainStart":
            self._start(event)

    def _start(self, event: Any) -> None:
        self._total = event.total_steps
        self._metric = event.main_metric
        self._epochs = event.epochs
        if not self.live:
            self._line(f"{self.name}: {event.epochs} epochs x {event.steps_per_epoch} steps")
            return
        from rich.progress import Progress

        columns = _bar_columns(self.console.width, self.name, self._total, self._epochs,
                               f"val_{self._metric}" if self._metric else None)
        self._progress = Progress(*columns, console=self.console,
                                  transient=False, redirect_stdout=False, redirect_stderr=False)
        self._task = self._progress.add_task(
            self.name, total=self._total, epoch=f"1/{event.epochs}", loss="-", val="",
            metric="", speed="-")
        self._progress.start()

    def _step(self, event: Any) -> None:
        if self._progress is None:
            return
        speed = event.step / max(time.perf_counter() - self._started, 1e-9)
        self._progress.update(self._task, completed=event.step, loss=_num(event.loss),
                              epoch=f"{event.epoch}/{self._epochs}", speed=f"{speed:,.0f}")

    def _epoch(self, event: Any) -> None:
        metric = self._main_metric(event)
        if self._progress is not None:
            val = "" if event.val_loss is None else f"val {_num(event.val_loss)}"
            self._progress.update(self._task, metric=metric, val=val)
            return
        val = "" if event.val_loss is None else f"  val_loss {_num(event.val_loss)}"
        metric = f"  {metric}" if metric else ""
        self._line(f"epoch {event.epoch}/{event.epochs}  step {event.step}/{self._total}  "
                   f"train_loss {_num(event.train_loss)}{val}{metric}  {event.seconds:.3f}s")

    def _main_metric(self, event: Any) -> str:
        """`val_accuracy 0.93` (the validation value when there is a split, else training's)."""
        name = self._metric
        if not name:
            return ""
        for split in ("val", "train"):
            value = event.metrics.get(f"{split}_{name}")
            if value is not None:
                return f"{split}_{name} {_num(value)}"
        return ""

    def _line(self, text: str) -> None:
        self.console.file.write(text + "\n")
        self.console.file.flush()


def _bar_columns(width: int, name: str, total: int, epochs: int, metric: str | None) -> list:
    """The live bar's columns that fit a terminal this wide, on one line: the numbers stay; the
    elapsed time, the speed, the bar and the name go first, in that order."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    def text(template: str, size: int, style: str = "") -> TextColumn:
        return TextColumn(template, style=style, table_column=Column(
            no_wrap=True, overflow="ellipsis", min_width=size if size < 20 else None,
            max_width=size))

    number = 10  # most _num values: 0.00685397, -0.0364966 (wider ones are cut with ...)
    name_width = min(len(name), 16 if width < 120 else 24)
    digits = len(str(total))
    # (kept while it fits, in this order of importance; the column; its width)
    wanted = [
        (1, MofNCompleteColumn(table_column=Column(no_wrap=True)), 2 * digits + 1),
        (2, text("loss {task.fields[loss]}", 5 + number), 5 + number),
        (3, TimeRemainingColumn(), 7),
        (4, text("{task.fields[val]}", 4 + number), 4 + number),
        (6, text("{task.fields[metric]}", 1 + len(metric or "") + number),
         1 + len(metric or "") + number if metric else 0),
        (5, text("epoch {task.fields[epoch]}", 7 + 2 * len(str(epochs))),
         7 + 2 * len(str(epochs))),
        (7, text("{task.description}", name_width, "bold"), name_width),
        (8, BarColumn(bar_width=20), 20),
        (9, text("{task.fields[speed]} steps/s", 16), 16),
        (10, TimeElapsedColumn(), 7),
    ]
    kept = [w for w in wanted if w[2]]
    while kept and sum(w[2] + 1 for w in kept) > width - 1:
        kept.remove(max(kept, key=lambda w: w[0]))
    order = [7, 8, 1, 5, 2, 4, 6, 9, 10, 3]  # how they read, left to right
    return [w[1] for rank in order for w in kept if w[0] == rank]


# ------------------------------------------------------------------------------------- summary


def show_summary(console: Console, result: Any) -> None:
    """The run's outcome: status line, then a table of parameters and losses."""
    from rich.table import Table

    summary = result.summary
    style = {"completed": "green", "diverged": "red", "failed": "red"}.get(result.status, "yellow")
    console.print(f"{summary.get('name')} -> {result.folder}: [{style}]{result.status}[/]",
                  soft_wrap=True, highlight=False)
    table = Table()
    table.add_column("parameter")
    table.add_column("initial", justify="right")
    table.add_column("final", justify="right")
    columns = [key for key in ("least_squares", "true_params") if summary.get(key)]
    for key in columns:
        table.add_column("least squares" if key == "least_squares" else "true", justify="right")
    final = summary.get("final_params") or {}
    initial = summary.get("initial_params") or {}
    shapes = summary.get("parameters") or {}
    for name in initial or shapes:
        if name in initial:
            cells = [name, _value(initial.get(name)), _value(final.get(name))]
        else:  # a large model: its values are in model.npz only
            shape = "x".join(map(str, shapes[name])) or "scalar"
            cells = [name, shape, "in model.npz"]
        cells.extend(_value((summary.get(key) or {}).get(name)) for key in columns)
        table.add_row(*cells)
    table.add_section()
    losses = [("train loss", summary.get("final_train_loss")),
              ("val loss", summary.get("final_val_loss"))]
    for label, value in losses:
        if value is not None or label == "train loss":
            table.add_row(label, "", _num(value), *[""] * len(columns))
    for split, values in (summary.get("metrics") or {}).items():
        for name, value in values.items():
            if name != "report":
                table.add_row(f"{split} {name}", "", _num(value), *[""] * len(columns))
    print_table(console, table)
    seconds = summary.get("wall_seconds")
    steps = summary.get("steps")
    console.print(f"{result.message}; {steps} steps in {seconds or 0:.2f} s, seed "
                  f"{summary.get('seed')}", soft_wrap=True)


def print_table(console: Console, table: Any) -> None:
    """A rich table: drawn with box characters on a terminal; off one (a file, a pipe, TERM=dumb)
    in ASCII with no trailing spaces, so logs diff and grep cleanly."""
    if console.is_terminal and not console.is_dumb_terminal:
        console.print(table)
        return
    from rich import box

    table.box = box.ASCII
    with console.capture() as captured:
        console.print(table)
    lines = [line.rstrip() for line in captured.get().splitlines()]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()


def _value(value: Any) -> str:
    """A parameter for a table cell: a number, a short list, or the norm and shape of a tensor."""
    if value is None:
        return "-"
    if not isinstance(value, list):
        return _num(value)
    flat = list(_flatten(value))
    if len(flat) <= 4:
        return "[" + ", ".join(_num(v) for v in flat) + "]"
    norm = math.sqrt(sum(v * v for v in flat if v is not None))
    return f"|{_num(norm)}| {'x'.join(str(n) for n in _shape(value))}"


def _flatten(value: Any):
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _shape(value: Any) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{float(value):.6g}"


# -------------------------------------------------------------------------------------- sweeps


def show_sweep(console: Console, result: Any) -> None:
    """The table of a finished sweep (a sweeps.table.SweepResult), best objective first."""
    from rich.table import Table

    objective = result.objective_name
    console.print(f"sweep -> {result.folder}", soft_wrap=True, highlight=False)
    table = Table()
    table.add_column("trial", justify="right", no_wrap=True)
    for key in result.keys:
        table.add_column(key.rsplit(".", 1)[-1], justify="right", no_wrap=True)
    losses = [objective] if objective in ("train_loss", "val_loss") else ["train_loss", objective]
    # No seconds column (they are in sweep.csv): the run names then fit 80 columns unfolded.
    labels = ["epochs", *losses, "status", "run"]
    for label in labels:
        table.add_column(label.replace("_", " "),
                         justify="left" if label in ("status", "run") else "right",
                         no_wrap=label != "run", overflow="fold")
    for row in result.sorted_by_objective():
        cells = [str(row.trial), *(str(row.values.get(key)) for key in result.keys)]
        cells.append("" if row.epochs is None else str(row.epochs))
        cells += [_num(row.value_of(name)) for name in losses]
        cells += [row.status, row.name]
        table.add_row(*cells)
    print_table(console, table)
    counts = ", ".join(f"{n} {status}" for status, n in result.counts().items())
    console.print(f"{len(result.runs)} runs ({counts}), ranked by {objective}; sweep.csv in "
                  f"{result.folder}", soft_wrap=True)


def write_line(text: str) -> None:
    """A plain line on stdout, flushed (for --check, --schema and --json output)."""
    sys.stdout.write(text.rstrip("\n") + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------- evaluation


def show_evaluation(console: Console, result: dict) -> None:
    """The metrics of an evaluation, then a classifier's per-class report and confusion matrix:
    rich tables on a terminal, plain aligned lines off it."""
    metrics = dict(result["metrics"])
    report = metrics.pop("report", None)
    sections = [(f"{result['data']}: {result['rows']} rows", ["metric", "value"],
                 [[name, _num(value)] for name, value in metrics.items()])]
    if report:
        labels = report["labels"]
        sections.append(("per class", ["class", "precision", "recall", "f1", "support"],
                         [[label, *(_num(report[k][i]) for k in ("precision", "recall", "f1")),
                           str(report["support"][i])] for i, label in enumerate(labels)]))
        sections.append(("confusion matrix (rows: true class, columns: predicted)",
                         ["true \\ predicted", *labels],
                         [[label, *map(str, row)] for label, row in
                          zip(labels, report["confusion"])]))
    for title, header, rows in sections:
        console.print(title, soft_wrap=True, markup=False)
        _table(console, header, rows)


def _table(console: Console, header: list[str], rows: list[list[str]]) -> None:
    if console.is_terminal:
        from rich.table import Table

        table = Table()
        for i, column in enumerate(header):
            table.add_column(column, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        console.file.write("  ".join(cells).rstrip() + "\n")
    console.file.write("\n")
    console.file.flush()
