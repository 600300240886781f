"""The folder figures are written to: created on demand, and an OSError becomes a RunFolderError.

Imports the standard library and errors only (graph.py, which must not load matplotlib, uses it).
"""

from __future__ import annotations

from pathlib import Path

from autogradcli.errors import RunFolderError


def unwritable(path: Path, exc: OSError) -> RunFolderError:
    """The user's message for a figure or folder that cannot be written."""
    return RunFolderError(f"cannot write here: {exc.strerror or exc}", where=str(path),
                          hint="choose a folder you can write to with {--out} DIR")


def prepare_folder(folder: Path) -> Path:
    """Create `folder` (and its parents) for figures; raises RunFolderError if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(folder, exc) from None
    return folder
