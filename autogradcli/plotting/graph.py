"""The graph figure: the engine's DOT export of the model's loss on one batch, rendered by Graphviz.

Imports the engine, rebuild and the standard library: never matplotlib or the CLI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import autogradcli.engine as ag
from autogradcli.errors import RunFolderError
from autogradcli.plotting.outdir import prepare_folder, unwritable
from autogradcli.plotting.rebuild import build_loss, build_model

# cairo (Graphviz's PDF writer) stamps the time; a fixed date of the same length keeps the xref
# valid
_PDF_DATE = re.compile(rb"/CreationDate \(D:\d{14}([^)]*)\)")


def graph_dot(run) -> str:
    """DOT source of the loss on the run's first training batch, at the final parameters.

    For the tutorial's model the forward pass is written out as u = a * x, y_hat = u + b, so the
    figure shows a, b, u and the loss like the tutorial's."""
    data = run.dataset()
    size = run.config.get("training", {}).get("batch_size") or data.n_train
    x, y = ag.tensor(data.x[:size]), ag.tensor(data.y[:size])
    model, loss_fn = build_model(run), build_loss(run)
    names = dict(model.parameters())
    if run.model_kind == "linear":
        u = names["a"] * x.reshape(-1)
        y_hat = u + names["b"]
        names.update(u=u, y_hat=y_hat)
    else:
        y_hat = model(x)
    loss = loss_fn(y_hat, y)
    names["loss"] = loss
    return ag.to_dot(loss, params=names)


def write_graph(run, out_dir: Path, fmt: str) -> tuple[list[Path], str | None]:
    """Write graph.dot and, when Graphviz's `dot` is installed, graph.FMT.

    Returns (files written, note for the user or None). Raises RunFolderError if dot fails."""
    source = prepare_folder(out_dir) / "graph.dot"
    try:
        source.write_text(graph_dot(run), encoding="utf-8")
    except OSError as exc:
        raise unwritable(source, exc) from None
    dot = shutil.which("dot")
    target = out_dir / f"graph.{fmt}"
    if dot is None:
        note = (f"Graphviz's dot is not installed: wrote {source}; render it with "
                f"`dot -T{fmt} {source} -o {target}` (install: apt-get install graphviz)")
        return [source], note
    done = subprocess.run([dot, f"-T{fmt}", str(source), "-o", str(target)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RunFolderError(f"dot failed: {done.stderr.strip()}", where=str(source))
    if fmt == "pdf":
        data = target.read_bytes()
        target.write_bytes(_PDF_DATE.sub(_fixed_date, data))
    return [source, target], None


def _fixed_date(match: re.Match) -> bytes:
    return b"/CreationDate (D:19700101000000" + match.group(1) + b")"



