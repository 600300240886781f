"""Reading config YAML with the line of every key, overrides, and pydantic errors as ConfigError.

Knows nothing of the config's sections (config.py passes them in). Must not import the engine, rich,
typer or matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autogradcli.config.yaml_bounds import UnknownKeys, compose, dotted
from autogradcli.errors import ConfigError, did_you_mean, path_problem

Path_ = tuple  # a key path: str keys and int list indices, e.g. ("model", "hidden", 1)

_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w]*(?:\.[\w]+)*)\s*=(.*)$", re.DOTALL)
_RANGES = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}
_TYPES = {
    "int_parsing": "expected an integer", "int_type": "expected an integer",
    "int_from_float": "expected a whole number", "float_parsing": "expected a number",
    "float_type": "expected a number", "bool_parsing": "expected true or false",
    "bool_type": "expected true or false", "string_type": "expected a string",
    "list_type": "expected a list", "tuple_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "finite_number": "expected a finite number",
}


class FieldProblem(ValueError):
    """Raised inside a validator to point at a key below the model being validated.

    `path` is relative to that model (a str for one key); `hint` goes to the ConfigError.
    """

    def __init__(self, path: str | tuple, message: str, hint: str | None = None):
        super().__init__(message)
        self.path = (path,) if isinstance(path, str) else tuple(path)
        self.message = message
        self.hint = hint


@dataclass
class Schema:
    """What is valid at one place of the config: its keys, and the kinds of sections with `kind`."""

    keys: list[str] | None
    kinds: list[str] | None = None
    kind: str | None = None
    keys_by_kind: dict[str, list[str]] | None = None


def show(value: Any) -> str:
    """A short YAML-like rendering of a value for messages."""
    if isinstance(value, str):
        text = repr(value)
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class YamlSource:
    """The raw data of a config file, the line of each key path, and the paths set by overrides."""

    file: str
    text: str | None
    data: Any
    lines: dict[Path_, int]
    overridden: dict[Path_, str] = field(default_factory=dict)
    # written in another file (a base the config extends): key path -> that file
    files: dict[Path_, str] = field(default_factory=dict)
    # filled in by an interpolation: key path -> (the reference "${data.n}", where that came from)
    via: dict[Path_, tuple[str, str]] = field(default_factory=dict)
    # set to null over a base's value: deleted before validation unless null is a value there
    nulled: set = field(default_factory=set)

    def apply_override(self, text: str) -> None:
        """Apply one `KEY.PATH=VALUE` (VALUE parsed as YAML) to the raw data."""
        path, value = parse_override(text)
        set_path(self.data, path, value, origin=f"{{--set}} {text}")
        self.overridden[tuple(path)] = text

    def where(self, path: Path_) -> str:
        """`file:line: key.path`, the line being that of the nearest key that has one."""
        for prefix, text in self.overridden.items():
            made_by_it = tuple(prefix[: len(path)]) == tuple(path) and tuple(path) not in self.lines
            if tuple(path[: len(prefix)]) == prefix or made_by_it:
                return f"{self.file}: {dotted(path)} (from {{--set}} {text.strip()})"
        head = self.file_line(path)
        text = f"{head}: {dotted(path)}" if path else head
        for depth in range(len(path), 0, -1):
            used = self.via.get(tuple(path[:depth]))
            if used is not None:
                return f"{text} (value of {used[0]}, {used[1]})"
        return text

    def origin(self, path: Path_) -> str:
        """Where the value at `path` came from, as a phrase: "written at FILE:LINE", "from
        {--set} KEY=VALUE"."""
        for prefix, text in self.overridden.items():
            if tuple(path[: len(prefix)]) == prefix:
                return f"from {{--set}} {text.strip()}"
        return f"written at {self.file_line(path)}"

    def line_of(self, path: Path_) -> int | None:
        return self._nearest(path)[1]

    def file_line(self, path: Path_) -> str:
        """`file:line` where the nearest key of `path` that has a line was written."""
        prefix, line = self._nearest(path)
        file = self.files.get(prefix, self.file) if prefix is not None else self.file
        return f"{file}:{line}" if line else file

    def _nearest(self, path: Path_) -> tuple[Path_ | None, int | None]:
        for depth in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:depth]))
            if line:
                return tuple(path[:depth]), line
        return None, None

    def to_config_error(self, exc, schema_at: Callable[[Path_, Any], Schema | None],
                        at: Path_ | None = None, data: Any = None) -> ConfigError:
        """The first error of a pydantic ValidationError as a ConfigError.

        `at`: report it at that key path of this file (a sweep value) instead of the error's own.
        `data`: what was validated, when it is not this file's data (a changed copy).
        """
        data = self.data if data is None else data
        err = exc.errors(include_url=False)[0]
        path, message, hint = _explain(err, data, schema_at)
        if at is None:
            return ConfigError(message, where=self.where(path), hint=hint)
        return ConfigError(f"{dotted(path)}: {message}", where=self.where(at), hint=hint)


def read_yaml(path: Path, unknown: UnknownKeys | None = None) -> YamlSource:
    """Parse a config file, recording the line of each key; ConfigError for every problem.

    unknown(key path) -> None if the key may be there, else a hint: an unknown key with a list or
    mapping under it is refused before that is built (see yaml_bounds).
    """
    file = str(path)
    try:
        is_file = path.is_file()
    except OSError as exc:
        raise ConfigError(f"cannot use this path: {exc.strerror or exc}", where=file[:80],
                          hint="check the file name") from None
    if not is_file:
        problem = path_problem(path)
        if problem and not path.is_dir():
            hint = "give the path of the YAML file itself, e.g. configs/seed_linear.yaml"
        else:
            hint = _nearby_yaml(path / "x" if problem else path)
        raise ConfigError(f"the config path {problem}" if problem else "config file not found",
                          where=file, hint=hint)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", where=file) from None
    try:
        node, data = compose(text, file, unknown)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, file, text) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", where=file) from None
    if node is None:
        raise ConfigError("the file is empty", where=file,
                          hint="a config needs at least name, data, model and optimizer; "
                               "see configs/seed_linear.yaml")
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        got = {yaml.SequenceNode: "a list"}.get(type(node), f"the value {show(data)}")
        raise ConfigError(f"the top level must be a mapping of sections, got {got}",
                          where=f"{file}:{node.start_mark.line + 1}",
                          hint="start with lines like 'name: my_run', 'data:', 'model:'")
    lines: dict[Path_, int] = {}
    _walk(node, (), lines, file)
    return YamlSource(file, text, data, lines)


def _nearby_yaml(path: Path) -> str:
    folder = path.parent if path.parent.is_dir() else None
    if folder is None:
        return f"the folder '{path.parent}' does not exist either"
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    if not names:
        return f"no .yaml files in '{folder}'"
    return did_you_mean(path.name, names, f"Configs in '{folder}'")


def _yaml_error(exc: yaml.MarkedYAMLError, file: str, text: str) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    where = f"{file}:{mark.line + 1}" if mark else file
    hint = None
    if exc.context and exc.context_mark is not None:
        hint = f"{exc.context} on line {exc.context_mark.line + 1}"
    if mark is not None and "\t" in text.splitlines()[min(mark.line, len(text.splitlines()) - 1)]:
        hint = "YAML does not allow tabs for indentation; use spaces"
    return ConfigError(f"invalid YAML: {exc.problem or exc}", where=where, hint=hint)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                raise ConfigError(f"duplicate key '{key}'", where=f"{file}:{line}: "
                                  f"{dotted(child)}",
                                  hint=f"it is already set on line {seen[key]}; keep one")
            seen[key] = line
            lines[child] = line
            _walk(value_node, child, lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, file)


# ------------------------------------------------------------------------------------ overrides


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """`optimizer.lr=0.05` -> (("optimizer", "lr"), 0.05); the value is parsed as YAML."""
    shown = text if len(text) <= 80 else text[:77] + "..."  # a message, not an echo of the input
    match = _OVERRIDE.match(text)
    if match is None:
        raise ConfigError("expected KEY.PATH=VALUE", where=f"{{--set}} {shown}",
                          hint="e.g. {--set} optimizer.lr=0.05 or {--set} model.hidden=[16,16]")
    key, value_text = match.group(1), match.group(2).strip()
    try:
        value = compose(value_text, f"{{--set}} {shown}")[1] if value_text else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"the value is not valid YAML: {problem}", where=f"{{--set}} {shown}",
                          hint="quote strings with special characters, e.g. name='a: b'") from None
    return tuple(key.split(".")), value


def set_path(data: dict, path: tuple, value: Any, origin: str = "") -> None:
    """Set a dotted key path in raw config data; `sweep.` keys stay one dotted key."""
    if path and path[0] == "sweep" and len(path) > 1:
        path = ("sweep", ".".join(path[1:]))
    node: Any = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
        elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            parent = dotted(path[:depth]) or "the top level"
            raise ConfigError(f"cannot set '{'.'.join(map(str, path))}': {parent} is "
                              f"{show(node)}, not a mapping", where=origin or None,
                              hint="set the whole value instead, e.g. "
                                   f"{{--set}} {'.'.join(map(str, path[:depth]))}=...")


# ------------------------------------------------------------------------- pydantic -> message


def _clean_loc(loc: tuple, data: Any, keep_last: bool) -> Path_:
    """Drop the union tags pydantic puts in a location.

    ("optimizer", "sgd", "lr") -> ("optimizer", "lr"), shown as optimizer.lr.
    """
    path: list = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif keep_last and i == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _explain(err: dict, data: Any, schema_at) -> tuple[Path_, str, str | None]:
    """(key path, message, hint) for one pydantic error dict."""
    kind, ctx = err["type"], err.get("ctx") or {}
    problem = ctx.get("error")
    if isinstance(problem, FieldProblem):
        return _explain_field_problem(err, data, problem)
    path = _clean_loc(err["loc"], data, keep_last=True)
    if kind == "extra_forbidden":
        return path, "unknown key", _unknown_key_hint(path, data, schema_at)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _explain_kind(kind, ctx, path, data, schema_at)
    return _explain_value(err, kind, ctx, path)


def _explain_field_problem(err: dict, data: Any,
                           problem: FieldProblem) -> tuple[Path_, str, str | None]:
    """A FieldProblem raised by a validator: its path continues the model's location."""
    path = _clean_loc(err["loc"], data, keep_last=False)
    extra = problem.path
    if path and extra and path[-1] == extra[0]:
        extra = extra[1:]
    return path + extra, problem.message, problem.hint


def _explain_kind(kind: str, ctx: dict, path: Path_, data: Any,
                  schema_at) -> tuple[Path_, str, str | None]:
    """A missing or unknown `kind` of a section with kinds."""
    schema = schema_at(path, data)
    kinds = schema.kinds if schema and schema.kinds else []
    if kind == "union_tag_not_found":
        return path, "missing key 'kind'", f"Valid kinds: {', '.join(kinds)}"
    return (*path, "kind"), f"unknown kind {show(ctx.get('tag'))}", did_you_mean(
        ctx.get("tag"), kinds, "Valid kinds")


def _explain_value(err: dict, kind: str, ctx: dict, path: Path_) -> tuple[Path_, str, str | None]:
    """A missing key or a value of the wrong type, range or length."""
    value = err.get("input")
    if kind == "missing" and path and isinstance(path[-1], int):
        return path, f"item [{path[-1]}] is missing", None
    if kind == "missing":
        section = f"under {dotted(path[:-1])}" if len(path) > 1 else "at the top level"
        return path, f"missing required key '{path[-1]}' {section}", None
    if kind in _RANGES:
        bound = next(iter(ctx.values()))
        name = path[-1] if path and isinstance(path[-1], str) else "value"
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        return path, f"out of range: got {show(value)}, wanted {name} {_RANGES[kind]} {bound}", None
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return path, f"invalid value {show(value)}", did_you_mean(value, options, "Valid values")
    if kind in ("too_short", "too_long"):
        size = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return path, f"expected {word} {size} item(s), got {show(value)}", None
    if kind in _TYPES:
        return path, f"{_TYPES[kind]}, got {show(value)}", None
    message = err["msg"].removeprefix("Value error, ")
    return path, message[:1].lower() + message[1:], None


def _unknown_key_hint(path: Path_, data: Any, schema_at) -> str | None:
    key = path[-1]
    schema = schema_at(path[:-1], data)
    if schema is None or schema.keys is None:
        return None
    for other, keys in (schema.keys_by_kind or {}).items():
        if other != schema.kind and key in keys and key not in schema.keys:
            return (f"'{key}' is a key of kind '{other}', not '{schema.kind}'. "
                    f"Valid keys: {', '.join(schema.keys)}")
    return did_you_mean(key, schema.keys)
