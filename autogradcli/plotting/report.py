"""report.html: one self-contained page for a run or a sweep, to look at and to send.

Figures are embedded as base64 PNG (no network, no files beside it); the page needs no JavaScript
(a few lines only make the results table sortable by a click) and its text comes before the
figures, one table row a line, so it also reads in a text viewer. Reads runs through runs/ and
sweep.csv through sweeps/table.py; never the CLI.
"""

from __future__ import annotations

import base64
import html
import math
import tempfile
from pathlib import Path
from typing import Any

import yaml

from autogradcli.errors import RunFolderError
from autogradcli.nn.specs import default_mode
from autogradcli.plotting.outdir import prepare_folder, unwritable
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import CONFIG
from autogradcli.runs.reader import check_is_run, read_summary, summary_or_none
from autogradcli.sweeps.table import SWEEP_CSV, SWEEP_YAML, read_sweep_csv

__all__ = ["REPORT", "write_report"]

REPORT = "report.html"
GENERATOR = '<meta name="generator" content="autogradcli report">'
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
       padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; white-space: nowrap; }
div.wide { overflow-x: auto; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
table.sortable td:nth-child(2), table.sortable th:nth-child(2) { text-align: left; }
tr.best td { background: #eaf6ea; font-weight: 600; }
th.sortable { cursor: pointer; } pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
figure { margin: 1em 0; } img { max-width: 100%; border: 1px solid #eee; }
summary { cursor: pointer; color: #335; }
.failed { color: #b00; } .note { color: #555; }
"""
# Optional: click a column heading to sort; the table is already ranked without it.
SORT_SCRIPT = """
<script>
document.querySelectorAll("table.sortable th").forEach(function (th, i) {
  th.classList.add("sortable");
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], up = th.dataset.up !== "1";
    var rows = Array.from(body.rows), num = function (r) {
      var t = r.cells[i].textContent, x = parseFloat(t); return isNaN(x) ? t : x; };
    rows.sort(function (a, b) { var x = num(a), y = num(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1); });
    th.dataset.up = up ? "1" : "0"; rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>
"""


def write_report(path: Path, out: Path | None = None) -> Path:
    """Write report.html for the run or sweep folder `path` (into `out`, default `path`) and
    return it. Raises RunFolderError (not a run, an unreadable file, a report.html this tool did
    not write)."""
    path = Path(path)
    is_sweep = (path / SWEEP_CSV).is_file()
    if not is_sweep:
        check_is_run(path)
    target = prepare_folder(Path(out) if out is not None else path) / REPORT
    _check_ours(target)
    page = _sweep_page(path) if is_sweep else _run_page(path)
    try:
        return write_atomic(target, page)
    except OSError as exc:
        raise unwritable(target, exc) from None


def _check_ours(target: Path) -> None:
    if target.exists():
        try:
            ours = GENERATOR in target.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            ours = False
        if not ours:
            raise RunFolderError("a report.html not written by autograd-plot is in the way",
                                 where=str(target),
                                 hint="move it, or write the report elsewhere with {--out} DIR")


# -------------------------------------------------------------------------------- pages


def _page(title: str, body: list[str]) -> str:
    head = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            GENERATOR, f"<title>{_e(title)}</title>", f"<style>{STYLE}</style>", "</head>",
            "<body>"]
    return "\n".join([*head, *body, SORT_SCRIPT.strip(), "</body>", "</html>", ""])


def _run_page(path: Path) -> str:
    summary = read_summary(path / "summary.json")
    name = path.resolve().name
    body = [f"<h1>Run {_e(name)}</h1>", *_run_sections(path, summary, level=2)]
    body += ["<h2>Figures</h2>", *_figures([path])]
    return _page(f"Run {name}", body)


def _run_sections(path: Path, summary: dict, level: int) -> list[str]:
    h = f"h{level}"
    status = str(summary.get("status", "unknown"))
    css = "" if status == "completed" else ' class="failed"'
    lines = [f"<p{css}><b>{_e(status)}</b>: {_e(summary.get('message', ''))}</p>",
             f"<{h}>Summary</{h}>"]
    facts = [("status", status), ("epochs", summary.get("epochs_completed")),
             ("steps", summary.get("steps")), ("seed", summary.get("seed")),
             ("final training loss", summary.get("final_train_loss")),
             ("final validation loss", summary.get("final_val_loss")),
             ("seconds", summary.get("wall_seconds")), ("folder", str(path))]
    lines += _table(["", "value"], [[k, _cell(v)] for k, v in facts])
    metrics = {split: {k: v for k, v in (values or {}).items() if k != "report"}
               for split, values in (summary.get("metrics") or {}).items()}
    if metrics:
        names = list(dict.fromkeys(n for values in metrics.values() for n in values))
        lines += [f"<{h}>Metrics</{h}>"]
        lines += _table(["split", *names], [[split, *(_cell(values.get(n)) for n in names)]
                                            for split, values in metrics.items()])
    params = _parameter_rows(summary)
    if params:
        lines += [f"<{h}>Parameters</{h}>"]
        lines += _table(["parameter", "initial", "final"], params)
    config = _read_text(path / CONFIG)
    lines += [f"<{h}>Config</{h}>", _details("config.yaml", config, open_=level == 2)]
    return lines


def _details(summary: str, text: str, open_: bool = False) -> str:
    """A block of text that folds away in a browser (no script needed) and reads as is."""
    return (f"<details{' open' if open_ else ''}><summary>{_e(summary)}</summary>"
            f"<pre>{_e(text)}</pre></details>")


def _parameter_rows(summary: dict) -> list[list[str]]:
    initial = summary.get("initial_params") or {}
    final = summary.get("final_params") or {}
    return [[name, _cell(initial.get(name)), _cell(final.get(name))] for name in initial
            if not isinstance(initial.get(name), list)]


def _sweep_page(path: Path) -> str:
    keys, rows = read_sweep_csv(path / SWEEP_CSV)
    settings = _sweep_settings(path)
    objective = settings.get("objective") or (
        "val_loss" if any(r.get("final_val_loss") for r in rows) else "train_loss")
    column = f"final_{objective}" if objective in ("train_loss", "val_loss") else objective
    ranked = _rank(rows, column, objective, settings.get("strategy") == "halving")
    name = path.resolve().name
    best = ranked[0] if ranked and _number(ranked[0].get(column)) is not None else None
    body = [f"<h1>Sweep {_e(name)}</h1>",
            f"<p>{len(rows)} runs, strategy {_e(settings.get('strategy', 'grid'))}, ranked by "
            f"{_e(objective)}" + (f"; best: <b>{_e(best['folder'])}</b> ({_e(objective)} "
                                  f"{_cell(_number(best.get(column)))})" if best else "")
            + "</p>", "<h2>Results</h2>",
            '<p class="note">Best first; click a heading to sort (the table reads without '
            "it).</p>"]
    body += _results_table(keys, rows, ranked, column, objective, best is not None)
    body += ["<h2>Search space</h2>",
             f"<pre>{_e(yaml.safe_dump(settings, sort_keys=False, width=100).strip())}</pre>"]
    best_path = path / best["folder"] if best is not None else None
    if best_path is not None:  # its text first: the figures' long lines come last
        summary = summary_or_none(best_path) or {}
        body += [f"<h2>Best run: {_e(best['folder'])}</h2>",
                 *_run_sections(best_path, summary, level=3)]
    body += ["<h2>Sweep config</h2>", _details("sweep.yaml", _read_text(path / SWEEP_YAML)),
             "<h2>Figures of the sweep</h2>", *_figures([path])]
    if best_path is not None:
        body += [f"<h2>Figures of the best run ({_e(best['folder'])})</h2>",
                 *_figures([best_path])]
    return _page(f"Sweep {name}", body)


def _results_table(keys, rows, ranked, column, objective, has_best) -> list[str]:
    """The runs ranked by the objective, with the losses and metrics sweep.csv holds (columns
    empty for every run left out)."""
    extra = [c for c in ("final_train_loss", "final_val_loss") if c != column]
    header_all = list(rows[0]) if rows else []
    extra += [c for c in header_all if c.startswith(("train_", "val_")) and c != column]
    extra = [c for c in extra if any(_number(r.get(c)) is not None for r in rows)]
    header = ["rank", "run", "trial", *keys, "status", "epochs", objective, *extra, "seconds"]
    table_rows = []
    for rank, row in enumerate(ranked, start=1):
        cells = [str(rank), row.get("folder", ""), row.get("trial", ""),
                 *(row.get(k, "") for k in keys), row.get("status", ""), row.get("epochs", ""),
                 _cell(_number(row.get(column)))]
        cells += [_cell(_number(row.get(c))) for c in extra]
        cells += [_cell(_number(row.get("seconds")))]
        table_rows.append(cells)
    return _table(header, table_rows, sortable=True, best_first=has_best)


def _sweep_settings(path: Path) -> dict:
    try:
        data = yaml.safe_load((path / SWEEP_YAML).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    sweep = data.get("sweep") if isinstance(data, dict) else None
    return sweep if isinstance(sweep, dict) else {}


def _rank(rows: list[dict], column: str, objective: str, halving: bool) -> list[dict]:
    sign = -1.0 if default_mode(objective) == "max" else 1.0

    def key(row: dict) -> tuple:
        epochs = _number(row.get("epochs")) or 0
        return (-epochs if halving else 0, sign * _number(row.get(column)))
    scored = sorted((r for r in rows if _number(r.get(column)) is not None), key=key)
    return scored + [r for r in rows if _number(r.get(column)) is None]


# ------------------------------------------------------------------------------ figures


def _figures(paths: list[Path]) -> list[str]:
    """Every figure autograd-plot draws for these folders, embedded; notes for what it could
    not draw."""
    from autogradcli.plotting.runner import plot

    lines = []
    with tempfile.TemporaryDirectory(prefix="autogradcli-report-") as tmp:
        try:
            outputs = list(plot(paths, (), "png", Path(tmp), 100, None))
        except RunFolderError as exc:
            return [f'<p class="note">No figures: {_e(exc.message)}</p>']
        for output in outputs:
            if output.path is not None and output.path.suffix == ".png":
                data = base64.b64encode(output.path.read_bytes()).decode("ascii")
                caption = output.path.stem.replace("-", " ")
                lines += ["<figure>", f"<figcaption>{_e(caption)}</figcaption>",
                          f'<img alt="{_e(caption)} figure" src="data:image/png;base64,{data}">',
                          "</figure>"]
    return lines


# ------------------------------------------------------------------------------ helpers


def _table(header: list[str], rows: list[list[str]], sortable: bool = False,
           best_first: bool = False) -> list[str]:
    lines = ['<div class="wide">', f'<table{" class=sortable" if sortable else ""}>',
             "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>",
             "<tbody>"]
    for i, row in enumerate(rows):
        css = ' class="best"' if best_first and i == 0 else ""
        lines.append(f"<tr{css}>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    return [*lines, "</tbody>", "</table>", "</div>"]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"(cannot read {path.name}: {exc.strerror or exc})"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
