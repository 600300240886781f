"""The docs are true: every ```bash block of README.md and docs/*.md runs, in order, in a fresh
copy of the repository, with the installed commands, and exits 0.

A block that cannot run here says why in a comment line just above it:
`<!-- docs-test: skip (needs a Dask cluster) -->`; one that shows a refusal says its exit code:
`<!-- docs-test: exit 2 -->`. Blocks of one file share their copy, so later blocks may use what
earlier ones made, and must not collide with it (a second run into the same folder).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- docs-test: (?P<note>[^>]*?) -->\n)?```bash\n(?P<code>.*?)```",
                   re.DOTALL)
_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", "*.egg-info",
                                   ".pytest_cache", ".ruff_cache")


def NOT_COPIED(folder, names):
    """What the copy leaves out: caches anywhere; the runs, builds and CI venv of the top folder
    only (autogradcli/runs is a package)."""
    top = {"runs", "build", ".ci"} if Path(folder) == ROOT else set()
    return set(_ANYWHERE(folder, names)) | (top & set(names))

pytestmark = pytest.mark.slow


def blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line, note, code) of every bash block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(text[: m.start("code")].count("\n") + 1, (m.group("note") or "").strip(),
             m.group("code")) for m in BLOCK.finditer(text)]


def test_every_doc_has_its_blocks_found():
    assert len(blocks(ROOT / "README.md")) >= 5
    assert all(note == "" or note.startswith(("skip (", "exit "))
               for doc in DOCS for _, note, _ in blocks(doc))


def test_no_runnable_block_installs_anything():
    """A block that runs pip would install the temporary copy over the tested installation."""
    runnable = [f"{doc.name}:{line}" for doc in DOCS for line, note, code in blocks(doc)
                if not note.startswith("skip") and re.search(r"\bpip\b|\bapt(-get)?\b", code)]
    assert runnable == [], "give these blocks a skip note: " + ", ".join(runnable)


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_shell_block_runs(doc, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "HOME": str(tmp_path),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    env.pop("AUTOGRADCLI_FAULT", None)
    ran = 0
    for line, note, code in blocks(doc):
        if note.startswith("skip") or re.search(r"\bpip\b|\bapt(-get)?\b", code):
            continue  # (the test above fails on an unmarked installing block)
        expected = int(note.split()[1]) if note.startswith("exit") else 0
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=copy, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        where = f"{doc.relative_to(ROOT)}:{line}"
        assert done.returncode == expected, (
            f"{where}: exit {done.returncode}, expected {expected}\n{code}\n"
            f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}")
        assert "Traceback" not in done.stderr, f"{where}\n{done.stderr}"
        ran += 1
    if ran == 0:
        pytest.skip("no runnable bash block")
