"""`extends:`: a config built on base files, deep-merged, each key remembering where it was written.

Mappings merge key by key, anything else (lists, scalars, null) replaces. Knows no config keys
(loading.py decides what a null means); imports yaml_source and errors only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autogradcli.config.yaml_bounds import UnknownKeys
from autogradcli.config.yaml_source import Path_, YamlSource, read_yaml, show
from autogradcli.errors import ConfigError

EXTENDS = "extends"


# Files read for one config, counting a base each time it is reached: bounds a diamond of bases
# that extend the same files again and again (2**depth reads) as the value bound does aliases.
MAX_READS = 100


def read_composed(path: Path, unknown: UnknownKeys | None = None) -> YamlSource:
    """The config file at `path` with every base it extends merged under it (bases first)."""
    return _read(path, (), unknown, [0])


def _read(path: Path, chain: tuple[Path, ...], unknown: UnknownKeys | None,
          reads: list[int]) -> YamlSource:
    source = read_yaml(path, unknown)
    merged: YamlSource | None = None
    for base_path, line in _bases(source, path):
        here = f"{source.file}:{line}: {EXTENDS}"
        reads[0] += 1
        if reads[0] > MAX_READS:
            raise ConfigError(f"more than {MAX_READS} base files to read", where=here,
                              hint="bases that extend the same files over and over; "
                                   "simplify the extends chain")
        key = base_path.resolve()
        if key in (*chain, path.resolve()):
            names = [_shown(p) for p in (*chain, path.resolve(), key)]
            first = names.index(_shown(key))
            raise ConfigError(f"a cycle: {' -> '.join(names[first:])}", where=here,
                              hint="a file cannot extend itself, directly or through its bases")
        if not base_path.is_file():
            what = "not a file" if base_path.exists() else "base file not found"
            raise ConfigError(f"{what}: {base_path}", where=here,
                              hint="the path is relative to the folder of the file that "
                                   "extends it")
        base = _read(base_path, (*chain, path.resolve()), unknown, reads)
        merged = base if merged is None else merge(merged, base)
    return source if merged is None else merge(merged, source)


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _bases(source: YamlSource, path: Path) -> list[tuple[Path, int]]:
    """The files `extends:` names (removed from the data), each with the line naming it."""
    if EXTENDS not in source.data:
        return []
    value = source.data.pop(EXTENDS)
    line = source.lines.pop((EXTENDS,), None)
    items = value if isinstance(value, list) else [value]
    bases = []
    for i, item in enumerate(items):
        at = source.lines.pop((EXTENDS, i), line) if isinstance(value, list) else line
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"expected a file name or a list of them, got {show(item)}",
                              where=f"{source.file}:{at}: {EXTENDS}",
                              hint="e.g. extends: base/iris.yaml")
        bases.append((path.parent / item, at))
    return bases


def merge(base: YamlSource, over: YamlSource) -> YamlSource:
    """`over` deep-merged onto `base`: the result is `over`'s file, with `base`'s lines kept for
    the keys only `base` wrote."""
    replaced: set = set()
    nulled: set = set()
    data = _merge(base.data, over.data, (), replaced, nulled)
    lines: dict[Path_, int] = {}
    files: dict[Path_, str] = {}
    for path, line in base.lines.items():
        if not any(path[:depth] in replaced for depth in range(1, len(path))):
            lines[path] = line
            files[path] = base.files.get(path, base.file)
    for path, line in over.lines.items():
        lines[path] = line
        files.pop(path, None)
        if path in over.files:
            files[path] = over.files[path]
    kept_nulls = {p for p in base.nulled if p not in replaced} | over.nulled | nulled
    return YamlSource(over.file, over.text, data, lines, files=files, nulled=kept_nulls)


def _merge(base: Any, over: Any, path: Path_, replaced: set, nulled: set) -> Any:
    if not (isinstance(base, dict) and isinstance(over, dict)):
        replaced.add(path)
        return over
    out = dict(base)
    for key, value in over.items():
        child = (*path, key)
        if key in out:
            out[key] = _merge(out[key], value, child, replaced, nulled)
            if value is None:
                nulled.add(child)
        else:
            out[key] = value
    return out
