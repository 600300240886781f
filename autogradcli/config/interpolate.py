"""`${...}` in string values: another key of the config (typed), or an environment variable.

`${data.n}` alone is the referenced value itself (a number stays a number); inside a longer string
it is written out as text. `${env:VAR}` / `${env:VAR,default}` read the environment (alone, the
text is read as YAML, so `${env:EPOCHS,10}` is a number). `$${` is a literal `${`. Knows no
config keys: loading.py passes the keys' defaults and the placeholders it keeps for later.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from typing import Any

import yaml

from autogradcli.config.yaml_source import Path_, YamlSource, dotted, show
from autogradcli.errors import ConfigError, did_you_mean

_REF = re.compile(r"\$\$\{|\$\{([^{}]*)\}")
_MISSING = object()

# (key path) -> its default value, or _MISSING when the key has none / does not exist
Defaults = Callable[[Path_], Any]


def resolve(source: YamlSource, default_of: Defaults,
            kept: dict[Path_, set[str]] | None = None) -> None:
    """Replace every `${...}` in the string values of `source.data`, in place.

    kept: at these key paths, these references stay as `{name}` placeholders for later
    (output.dir's `${name}`, `${seed}`: the seed may be drawn when the run starts).
    """
    _Resolver(source, default_of, kept or {}).run()


def missing() -> Any:
    """The value default_of returns for a key without a default."""
    return _MISSING


class _Resolver:
    def __init__(self, source: YamlSource, default_of: Defaults, kept: dict[Path_, set[str]]):
        self.source, self.default_of, self.kept = source, default_of, kept
        self.active: list[Path_] = []  # being resolved: a reference back to one is a cycle
        self.done: set = set()

    def run(self) -> None:
        for path, _ in list(_strings(self.source.data, ())):
            self.value_at(path)

    def value_at(self, path: Path_) -> Any:
        """The value at `path` with its references resolved (resolving it in place first)."""
        node, found = _lookup(self.source.data, path)
        if not found or not isinstance(node, str) or path in self.done or "${" not in node:
            return node
        if path in self.active:
            chain = [*self.active[self.active.index(path):], path]
            raise ConfigError("interpolation cycle: " + " -> ".join(dotted(p) for p in chain),
                              where=self.source.where(path),
                              hint="a value cannot refer to itself, directly or through others")
        self.active.append(path)
        value = self._resolve_text(node, path)
        self.active.pop()
        _store(self.source.data, path, value)
        self.done.add(path)
        return value

    def _resolve_text(self, text: str, path: Path_) -> Any:
        whole = _REF.fullmatch(text)
        if whole is not None and whole.group(1) is not None:
            return self._reference(whole.group(1), path, typed=True)
        pieces, last = [], 0
        for match in _REF.finditer(text):
            pieces.append(text[last:match.start()])
            last = match.end()
            if match.group(1) is None:
                pieces.append("${")
            else:
                pieces.append(_as_text(self._reference(match.group(1), path, typed=False)))
        pieces.append(text[last:])
        result = "".join(pieces)
        if "${" in text.replace("$${", "") and not _REF.search(text.replace("$${", "")):
            raise self._error(path, text, "unclosed ${ (write $${ for a literal ${)")
        return result

    def _reference(self, ref: str, path: Path_, typed: bool) -> Any:
        body = ref.strip()
        if body in self.kept.get(path, ()):
            return _Placeholder(body)
        if body.startswith("env:"):
            return self._environment(body[4:], path, typed)
        target = _parse_path(body)
        if target is None:
            raise self._error(path, f"${{{ref}}}", "expected a dotted key such as data.n, or "
                                                   "env:VAR")
        value = self.value_at(target)
        found = _lookup(self.source.data, target)[1]
        if not found:
            value = self.default_of(target)
            if value is _MISSING:
                raise self._error(path, f"${{{ref}}}", f"no key '{dotted(target)}' in the "
                                  "config", hint=self._near(target))
        if value is None and not typed:
            raise self._error(path, f"${{{ref}}}", f"'{dotted(target)}' is null",
                              hint="set it in the config, or use the reference alone as a value")
        if typed:
            self.source.via[path] = (f"${{{ref}}}", self._written_at(target, found))
        return copy.deepcopy(value)

    def _environment(self, spec: str, path: Path_, typed: bool) -> Any:
        name, comma, default = spec.partition(",")
        name = name.strip()
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise self._error(path, f"${{env:{spec}}}", "expected an environment variable name",
                              hint="e.g. ${env:DATA_DIR} or ${env:EPOCHS,10}")
        text = os.environ.get(name)
        if text is None and not comma:
            raise self._error(path, f"${{env:{spec}}}",
                              f"the environment variable {name} is not set",
                              hint=f"set it, or give a default: ${{env:{name},VALUE}}")
        text = default.strip() if text is None else text
        if not typed:
            return text
        try:
            return yaml.safe_load(text) if text else ""
        except yaml.YAMLError:
            return text

    def _written_at(self, target: Path_, found: bool) -> str:
        return self.source.origin(target) if found else "its default"

    def _near(self, target: Path_) -> str | None:
        parent, found = _lookup(self.source.data, target[:-1])
        if found and isinstance(parent, dict):
            return did_you_mean(target[-1], [str(k) for k in parent],
                                f"Keys under {dotted(target[:-1]) or 'the top level'}")
        return "a reference names a key path of the config, e.g. ${data.n}"

    def _error(self, path: Path_, ref: str, problem: str, hint: str | None = None):
        return ConfigError(f"{ref}: {problem}", where=self.source.where(path), hint=hint)


class _Placeholder(str):
    """A reference kept for later, written back as `{name}`."""

    def __new__(cls, name: str):
        return super().__new__(cls, "{" + name + "}")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    text = show(value)
    return text


def _parse_path(text: str) -> Path_ | None:
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.\w+)*", text):
        return None
    return tuple(int(p) if p.isdigit() else p for p in text.split("."))


def _lookup(data: Any, path: Path_) -> tuple[Any, bool]:
    node = data
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return None, False
    return node, True


def _store(data: Any, path: Path_, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = str(value) if isinstance(value, _Placeholder) else value


def _strings(node: Any, path: Path_):
    """(path, text) of every string holding a reference, depth first."""
    if isinstance(node, str):
        if "${" in node:
            yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))
