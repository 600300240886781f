"""Replacing a file all at once: a reader sees the old contents or the new, never half of them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: str | os.PathLike, content: str | bytes | Iterable) -> Path:
    """Write `content` to a temporary file beside `path`, then rename it over `path`.

    `content` is text, bytes, or pieces of bytes written one after another (views of arrays, so
    that a large archive is never copied whole into memory)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(content, str):
        tmp.write_text(content, encoding="utf-8", newline="")
    elif isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        with open(tmp, "wb") as handle:
            for piece in content:
                handle.write(piece)
    os.replace(tmp, path)
    return path
