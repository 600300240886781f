"""`autograd-runs`: list run folders (`autograd-runs [DIR ...]`) and compare runs side by side
(`autograd-runs compare RUN RUN ...`). A thin typer shell over api.list_runs and api.compare_runs.

Tables are rich on a terminal and plain aligned columns elsewhere; --json and --csv for scripts.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from autogradcli import api
from autogradcli.cli.common import VersionOption, exit_on_user_error, new_app, print_error, run_app
from autogradcli.cli.progress import _num, make_console, write_line
from autogradcli.errors import UserError

app = new_app("List the run folders under DIR (default runs/); `autograd-runs compare RUN RUN`"
              " compares runs side by side (see docs/cli.md).")
compare_app = new_app("Compare run folders side by side: their configs (differences marked) "
                      "and results; --plot overlays their loss curves.")
SHOWN_KEYS = 6  # differing config values shown as columns (all of them in --json and --csv)


@app.command()
def runs(
    dirs: Annotated[list[Path] | None, typer.Argument(
        metavar="DIR", show_default=False,
        help="Folders holding run folders (searched 4 levels deep). Default: runs/.")] = None,
    sort: Annotated[str | None, typer.Option(
        metavar="KEY", help="Sort by a column or config key, best first for losses and metrics "
                            "(loss, val_loss, seconds, when, optimizer.lr...); -KEY reverses.")
    ] = None,
    where: Annotated[list[str] | None, typer.Option(
        metavar="KEY=VALUE", help="Keep runs where KEY=, !=, <, <=, > or >= VALUE "
                                  "(repeatable), e.g. status=completed, optimizer.lr<0.1.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the runs as CSV.")] = False,
    version: VersionOption = False,
) -> None:
    """List the run folders under DIR: name, status, when, epochs, loss, main metric, seconds
    and the config values that differ between them. `autograd-runs compare RUN RUN ...` puts
    runs side by side (see its -h)."""
    with exit_on_user_error():
        records, differ = api.list_runs(dirs or [Path("runs")], where=where or (), sort=sort)
    if json_out:
        write_line(json.dumps([r.as_dict(differ) for r in records], indent=2, default=str))
    elif csv_out:
        sys.stdout.write(_csv([r.as_dict(differ) for r in records]))
    elif not records:
        print_error("no run folders found" + (" matching --where" if where else ""))
    else:
        _show_list(records, differ)


def _show_list(records, differ: list[str]) -> None:
    shown = differ[:SHOWN_KEYS]
    names = {r.fields.get("metric_name") for r in records} - {None}
    common = names.pop() if len(names) == 1 else None  # then the header names the metric
    results = ["name", "status", "when", "epochs", "loss", common or "metric", "seconds"]
    header = [*results, *(k.rsplit(".", 1)[-1] if _unique_last(k, shown, results) else k
                          for k in shown)]
    rows = []
    for record in records:
        fields = record.fields
        metric = fields.get("metric")
        metric_text = "-" if metric is None else (
            _num(metric) if common else f"{fields['metric_name']} {_num(metric)}")
        rows.append([str(fields.get("name")), str(fields.get("status")),
                     str(fields.get("when") or "-"), str(fields.get("epochs") or "-"),
                     _num(fields.get("loss")), metric_text, _seconds(fields.get("seconds")),
                     *(_cell(record.config.get(k)) for k in shown)])
    title = f"{len(records)} runs"
    if len(differ) > SHOWN_KEYS:
        title += f" ({len(differ) - SHOWN_KEYS} more differing keys in --json)"
    _table(title, header, rows, marked=None)


def _unique_last(key: str, keys: list[str], taken: list[str]) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last not in taken and sum(k.rsplit(".", 1)[-1] == last for k in keys) == 1


@compare_app.command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(
        metavar="RUN", show_default=False, help="Two or more run folders.")],
    all_keys: Annotated[bool, typer.Option(
        "--all", help="Show every config key, not only those that differ.")] = False,
    plot: Annotated[bool, typer.Option(
        "--plot", help="Also draw their loss curves in one figure (loss-comparison.png).")
    ] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", show_default=False,
        help="Folder for --plot's figure (default: the current folder).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")
    ] = False,
    version: VersionOption = False,
) -> None:
    """Compare runs side by side: config values (differences marked) and results."""
    with exit_on_user_error():
        if len(run_dirs) < 2:
            raise UserError("compare takes two or more run folders",
                            hint="e.g. autograd-runs compare runs/a runs/b")
        records, differ = api.compare_runs(run_dirs)
        if plot:
            for output in api.plot(run_dirs, ["loss"], "png", out or Path.cwd()):
                if output.path is not None:
                    print_error(f"wrote {output.path}")
    keys = [k for k in dict.fromkeys(k for r in records for k in r.config)
            if all_keys or k in differ]
    if json_out:
        write_line(json.dumps({"differ": differ, "runs": [
            {**r.fields, "path": str(r.path), "config": r.config} for r in records]},
            indent=2, default=str))
        return
    header = ["", *(str(r.fields.get("name")) for r in records)]
    rows = [[key, *(_cell(r.config.get(key)) for r in records)] for key in keys]
    marked = {i for i, key in enumerate(keys) if key in differ}
    results = ["status", "epochs", "seconds", "train_loss", "val_loss",
               *dict.fromkeys(k for r in records for k in r.fields
                              if k.startswith(("train_", "val_")) and k not in
                              ("train_loss", "val_loss"))]
    rows += [[name, *(_result(r.fields.get(name)) for r in records)] for name in results]
    title = (f"{len(differ)} config values differ" if differ else "the configs are the same")
    _table(title + ("" if all_keys else " (--all shows every key)"), header, rows, marked,
           section=len(keys))


def _result(value: Any) -> str:
    if isinstance(value, float):
        return _num(value)
    return "-" if value is None else str(value)


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _seconds(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(title: str, header: list[str], rows: list[list[str]], marked: set[int] | None,
           section: int | None = None) -> None:
    """Rich on a terminal (differing rows in bold yellow); plain columns elsewhere, differing
    rows marked with `*`."""
    console = make_console()
    if console.is_terminal and not console.is_dumb_terminal:
        from rich import box
        from rich.table import Table

        # light rules: a wide listing keeps its columns whole at 100-120 columns
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                      pad_edge=False, collapse_padding=True)
        for i, column in enumerate(header):  # only the first column folds: numbers stay whole
            table.add_column(column, justify="left" if i == 0 else "right", overflow="fold",
                             no_wrap=i > 0)
        for i, row in enumerate(rows):
            style = "bold yellow" if marked is not None and i in marked else None
            table.add_row(*row, style=style, end_section=section is not None and i == section - 1)
        console.print(table)
        return
    lines = [title]
    if marked is not None:
        header = ["", *header]
        rows = [["*" if i in marked else " ", *row] for i, row in enumerate(rows)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(c.ljust(w) if i <= (marked is not None) else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    write_line("\n".join(lines))


def _csv(items: list[dict]) -> str:
    columns = list(dict.fromkeys(k for item in items for k in item))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow({k: "" if v is None else v for k, v in item.items()})
    return out.getvalue()


def main() -> None:
    """Console-script entry point: `compare` goes to its own command, anything else lists."""
    if sys.argv[1:2] == ["compare"]:
        sys.argv = [f"{sys.argv[0]} compare", *sys.argv[2:]]
        run_app(compare_app, "autograd-runs compare")
    if len(sys.argv) == 1:
        sys.argv.append("runs")  # bare: list runs/ (not the help)
    run_app(app, "autograd-runs")


if __name__ == "__main__":
    main()
