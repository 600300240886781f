"""Every run at a glance: find run folders, read one record per run, the values that differ,
filter and sort. What autograd-runs lists; reads only summary.json and config.yaml of each run.

Speed matters (a thousand runs in well under a second): config.yaml, written by this tool in one
plain layout, is read by a small line parser, with PyYAML as the fallback for anything else.
Imports the standard library, yaml, nn.specs and runs/ only.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from autogradcli.errors import UserError, did_you_mean
from autogradcli.nn.specs import MAIN_METRIC, default_mode
from autogradcli.runs.layout import CONFIG, RUNNING, SUMMARY
from autogradcli.runs.lock import holder

__all__ = ["RunRecord", "differing_keys", "filter_records", "find_runs", "flatten", "read_record",
           "sort_records"]

MAX_DEPTH = 4  # runs/ -> a sweep -> its runs, with room for a folder of sweeps
RESULT_FIELDS = ("name", "status", "when", "epochs", "loss", "metric", "seconds")


@dataclass
class RunRecord:
    """One run folder as listed: `fields` holds everything --sort and --where can name (name,
    status, when, epochs, seconds, train_loss, val_loss, loss, train_/val_ metrics) and
    `config` the flattened config (optimizer.lr -> 0.02)."""

    path: Path
    fields: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        if key in self.fields:
            return self.fields[key]
        return self.config.get(key)

    def as_dict(self, keys: list[str]) -> dict[str, Any]:
        """The record for --json and --csv: its fields and the config values in `keys`."""
        return {**self.fields, "path": str(self.path), **{k: self.config.get(k) for k in keys}}


def find_runs(folders: list[Path]) -> list[Path]:
    """Every run folder (holding summary.json) in or under `folders`, sorted by path; a sweep's
    hidden `.partial-*` folders and other hidden folders are skipped. UserError for a folder that
    does not exist."""
    found: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise UserError("no such folder", where=str(folder),
                            hint="give folders holding run folders (default: runs/)")
        _walk(folder, 0, found)
    return sorted(dict.fromkeys(found))


def _walk(folder: Path, depth: int, found: list[Path]) -> None:
    if os.path.isfile(os.path.join(folder, SUMMARY)):
        found.append(Path(folder))
        return
    if depth >= MAX_DEPTH:
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir() and not entry.name.startswith("."):
            _walk(entry.path, depth + 1, found)


def read_record(path: Path, base: Path | None = None) -> RunRecord:
    """A run's record, named by its path under `base` (None: as given); a summary that cannot be
    read gives status `unreadable`."""
    name = str(path)
    if base is not None:
        name = str(path.relative_to(base)) if path != base else path.name
    try:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
        when = (path / SUMMARY).stat().st_mtime
    except (OSError, ValueError):
        summary, when = None, None
    if not isinstance(summary, dict):
        return RunRecord(path, {"name": name, "status": "unreadable"})
    config = read_flat_config(path / CONFIG)
    return RunRecord(path, _fields(name, path, summary, config, when), config)


def _fields(name: str, path: Path, summary: dict, config: dict, when: float | None) -> dict:
    status = str(summary.get("status", "unknown"))
    if status == RUNNING and holder(path) is None:
        status = "stopped"  # killed: no live process holds its folder
    train, val = _float(summary.get("final_train_loss")), _float(summary.get("final_val_loss"))
    fields = {"name": name, "status": status,
              "when": datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M") if when else None,
              "epochs": summary.get("epochs_completed"),
              "seconds": _float(summary.get("wall_seconds")),
              "train_loss": train, "val_loss": val, "loss": val if val is not None else train}
    for split, values in (summary.get("metrics") or {}).items():
        for metric, value in (values or {}).items():
            if _float(value) is not None:
                fields[f"{split}_{metric}"] = _float(value)
    task = ("classification" if config.get("loss.kind") in ("bce", "cross_entropy")
            else "regression")
    main = MAIN_METRIC[task]
    column = f"val_{main}" if f"val_{main}" in fields else f"train_{main}"
    fields["metric"] = fields.get(column)
    fields["metric_name"] = column if column in fields else None
    return fields


def _float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def flatten(mapping: Any, prefix: str = "") -> dict[str, Any]:
    """{"optimizer": {"lr": 0.02}} -> {"optimizer.lr": 0.02}."""
    flat: dict[str, Any] = {}
    for key, value in (mapping or {}).items() if isinstance(mapping, dict) else ():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def differing_keys(records: list[RunRecord]) -> list[str]:
    """Config keys whose values differ between the records (not name, seed-free output.*)."""
    keys = list(dict.fromkeys(k for r in records for k in r.config))
    skip = ("name", "output.")
    return [k for k in keys if not k.startswith(skip)
            and len({_comparable(r.config.get(k)) for r in records}) > 1]


def _comparable(value: Any) -> Any:
    # the type too: 1, 1.0 and true are different values in a config
    if isinstance(value, (str, int, float, bool)) or value is None:
        return type(value), value
    return json.dumps(value, sort_keys=True, default=str)


# ------------------------------------------------------------------------ filter and sort

_WHERE = re.compile(r"^\s*([\w.]+)\s*(<=|>=|!=|==|=|<|>)\s*(.*?)\s*$")


def filter_records(records: list[RunRecord], conditions: list[str]) -> list[RunRecord]:
    """Keep the records meeting every condition (`status=completed`, `optimizer.lr<0.1`).

    UserError for a malformed condition or a key no record has."""
    for text in conditions:
        match = _WHERE.match(text)
        if match is None:
            raise UserError("expected KEY=VALUE, KEY!=VALUE, KEY<VALUE, KEY<=VALUE, KEY>VALUE "
                            "or KEY>=VALUE", where=f"{{--where}} {text}",
                            hint="e.g. {--where} status=completed {--where} optimizer.lr<0.1")
        key, op, wanted = match.groups()
        _check_key(records, key, "--where")
        records = [r for r in records if _holds(r.get(key), op, wanted)]
    return records


def _check_key(records: list[RunRecord], key: str, flag: str) -> None:
    known = list(dict.fromkeys([*RESULT_FIELDS, *(k for r in records for k in r.fields),
                                *(k for r in records for k in r.config)]))
    if records and key not in known:
        raise UserError(f"no run has {key!r}", where=f"{{{flag}}} {key}",
                        hint=did_you_mean(key, known, "Keys"))


def _holds(value: Any, op: str, wanted: str) -> bool:
    number = _number(wanted)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and number is not None:
        left, right = float(value), number
    else:
        left, right = _text(value), _text(yaml.safe_load(wanted) if wanted else "")
        if op in ("<", "<=", ">", ">="):
            return False  # an order between texts would surprise more than it helps
    return {"=": left == right, "==": left == right, "!=": left != right, "<": left < right,
            "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sort_records(records: list[RunRecord], key: str | None) -> list[RunRecord]:
    """By `key` (best first for losses and metrics: lowest loss, highest accuracy; else
    ascending), records without a value last; None: by name."""
    if key is None:
        return sorted(records, key=lambda r: str(r.fields.get("name")))
    bare = key.lstrip("-")
    _check_key(records, bare, "--sort")
    if bare == "metric":
        names = {r.fields.get("metric_name") for r in records}
        bare_mode = default_mode(names.pop()) if len(names) == 1 and None not in names else "max"
    else:
        bare_mode = default_mode(bare) if bare.endswith(("loss", *_METRICS)) else "min"
    descending = (bare_mode == "max") != key.startswith("-")
    present = [r for r in records if r.get(bare) is not None]
    missing = [r for r in records if r.get(bare) is None]
    numeric = all(isinstance(r.get(bare), (int, float)) for r in present)
    present.sort(key=lambda r: r.get(bare) if numeric else _text(r.get(bare)), reverse=descending)
    return present + missing


_METRICS = ("accuracy", "precision", "recall", "f1", "r2", "rmse", "mae")


# --------------------------------------------------------------------- config.yaml, fast

_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")
_PLAIN_OK = re.compile(r"^[A-Za-z_/{}.][\w./{}-]*$")


def read_config_fast(path: Path) -> dict:
    """config.yaml as a dict: the tool's own layout by a line parser, anything else by PyYAML
    ({} when unreadable)."""
    text = _read_text(path)
    if text is None:
        return {}
    try:
        return _parse_plain(text)
    except ValueError:
        return _parse_yaml(text)


def read_flat_config(path: Path) -> dict[str, Any]:
    """config.yaml flattened to dotted keys (what the listing compares)."""
    text = _read_text(path)
    if text is None:
        return {}
    try:
        return _parse_plain(text, flat=True)
    except ValueError:
        return flatten(_parse_yaml(text))


def _read_text(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _parse_yaml(text: str) -> dict:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _parse_plain(text: str, flat: bool = False) -> dict:
    """Block mappings indented by two spaces, one `key: scalar` or `key: [flow list]` a line;
    ValueError for anything else (comments, multi-line values, anchors, odd scalars). `flat`:
    dotted keys, as flatten() gives."""
    root: dict = {}
    stack: list[tuple[int, dict, str]] = [(-1, root, "")]
    for line in text.splitlines():
        if not line.strip():
            continue
        indent, key, value, is_section = _line(line)
        while stack[-1][0] >= indent:
            stack.pop()
        _, parent, prefix = stack[-1]
        if flat:
            if is_section:
                stack.append((indent, root, f"{prefix}{key}."))
            else:
                root[prefix + key] = value
        elif is_section:
            child: dict = {}
            parent[key] = child
            stack.append((indent, child, ""))
        else:
            parent[key] = value
    if flat:  # `key:` with nothing under it is null in YAML
        for _, _, prefix in stack[1:]:
            if not any(k.startswith(prefix) for k in root):
                root[prefix[:-1]] = None
        return root
    return _empty_to_none(root)


def _empty_to_none(mapping: dict) -> dict:
    return {k: (_empty_to_none(v) or None) if isinstance(v, dict) else v
            for k, v in mapping.items()}


@functools.lru_cache(maxsize=8192)
def _line(line: str) -> tuple[int, str, Any, bool]:
    """(indent, key, value, opens a section) of one line; the same lines recur in every run's
    config, so each is parsed once. Values are shared between calls: never change them."""
    indent = len(line) - len(line.lstrip(" "))
    key, sep, rest = line.strip().partition(":")
    if not sep or indent % 2 or not _KEY.fullmatch(key) or (rest and rest[0] != " "):
        raise ValueError(line)
    rest = rest.strip()
    if rest == "":
        return indent, key, None, True
    return indent, key, _scalar(rest), False


_KEY = re.compile(r"[\w.]+")


def _scalar(text: str) -> Any:
    if text in ("null", "~"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) and ("." in text or "e" not in text.lower()):
        return float(text)  # YAML 1.1 reads 1e-3 (no dot) as text: leave those to PyYAML
    if text.startswith("[") and text.endswith("]") and not re.search(r"[\[\]'\"]", text[1:-1]):
        inner = text[1:-1].strip()
        return [_scalar(item.strip()) for item in inner.split(",")] if inner else []
    if text.startswith(("[", '"')):
        return json.loads(text)  # nested lists of numbers and double-quoted strings are JSON
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if _PLAIN_OK.match(text) and text.lower() not in ("yes", "no", "on", "off", ".inf", ".nan"):
        return text
    raise ValueError(text)
