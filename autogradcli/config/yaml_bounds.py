"""Parsing config YAML within bounds: nesting depth, values after alias expansion, unknown keys.

A hostile or broken file (an alias bomb, thousands of nested lists, a huge list under a misspelt
key) becomes one ConfigError at the line where the bound was crossed, in bounded time and memory:
the composer counts as it goes and stops there, before anything larger is built. Knows no config
keys: the caller says which key paths are unknown. Imports yaml and errors only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, ScalarNode
from yaml.resolver import Resolver

from autogradcli.errors import ConfigError

# Far beyond any real config (the deepest is a sweep of lists, about 4 levels; the largest a
# feature list of a few thousand columns), far below what exhausts Python's stack or memory.
MAX_DEPTH = 64
MAX_VALUES = 100_000

# (key path) -> None when the key may be there, else the hint for "unknown key".
UnknownKeys = Callable[[tuple], "str | None"]


def compose(text: str, file: str, unknown: UnknownKeys | None = None) -> tuple[Any, Any]:
    """(node tree, Python data) of a one-document YAML text; ConfigError past a bound."""
    loader = _LOADER(text)
    loader.setup(file, unknown)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def dotted(path: tuple) -> str:
    """("model", "hidden", 1) -> "model.hidden[1]"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _BoundedComposer(Composer):
    """PyYAML's composer, counting depth and values (an alias counts as all it stands for) and
    refusing unknown subtrees; the constructor still shares aliased values, as PyYAML's does."""

    def setup(self, file: str, unknown: UnknownKeys | None) -> None:
        self._file, self._unknown = file, unknown
        self._depth, self._values = 0, 0
        self._sizes: dict[str, int] = {}  # anchor -> values under it, aliases expanded
        self._path: list = []

    def _line(self, mark) -> str:
        return f"{self._file}:{mark.line + 1}"

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._count(self._sizes.get(event.anchor, 1), event.start_mark, alias=True)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ConfigError(f"values nested more than {MAX_DEPTH} levels deep",
                              where=self._line(event.start_mark),
                              hint="a config is a few levels of sections and lists; "
                                   "is this the right file?")
        before = self._values
        self._count(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._sizes[anchor] = self._values - before
        return node

    def _count(self, n: int, mark, alias: bool = False) -> None:
        self._values += n
        if self._values > MAX_VALUES:
            how = " (counting what each alias (*name) repeats)" if alias or self._sizes else ""
            raise ConfigError(f"more than {MAX_VALUES:,} values{how}: too large for a config",
                              where=self._line(mark),
                              hint="a config describes an experiment; put data in a CSV file "
                                   "(data.kind: csv)")

    def compose_sequence_node(self, anchor):
        # PyYAML's, with the index of each item on the key path
        start = self.get_event()
        tag = start.tag if start.tag not in (None, "!") else self.resolve(
            yaml.SequenceNode, None, start.implicit)
        node = yaml.SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        index = 0
        while not self.check_event(yaml.SequenceEndEvent):
            self._path.append(index)
            node.value.append(self.compose_node(node, index))
            self._path.pop()
            index += 1
        node.end_mark = self.get_event().end_mark
        return node

    def compose_mapping_node(self, anchor):
        # PyYAML's, refusing an unknown key before composing a subtree under it
        start = self.get_event()
        tag = start.tag if start.tag not in (None, "!") else self.resolve(
            MappingNode, None, start.implicit)
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        while not self.check_event(MappingEndEvent):
            key = self.compose_node(node, None)
            self._refuse_unknown_subtree(key)
            self._path.append(key.value if isinstance(key, ScalarNode) else None)
            value = self.compose_node(node, key)
            self._path.pop()
            node.value.append((key, value))
        node.end_mark = self.get_event().end_mark
        return node

    def _refuse_unknown_subtree(self, key) -> None:
        """An unknown key with a list or mapping under it: the message now, the subtree never.

        (An unknown key with a plain value goes on to validation, which says more about it.)
        """
        if self._unknown is None or not isinstance(key, ScalarNode) or key.value == "<<":
            return  # "<<" is YAML's merge key: the constructor merges what it names
        if not self.check_event(MappingStartEvent, SequenceStartEvent):
            return
        path = (*self._path, key.value)
        hint = self._unknown(path)
        if hint is not None:
            raise ConfigError("unknown key", where=f"{self._line(key.start_mark)}: "
                                                   f"{dotted(path)}", hint=hint or None)


class _PyLoader(_BoundedComposer, yaml.SafeLoader):
    """On PyYAML's own (pure Python) parser."""


def _c_loader() -> type | None:
    """On libyaml's parser, when PyYAML was built with it: about 10x faster on a large file."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    class _CLoader(_BoundedComposer, CParser, SafeConstructor, Resolver):
        def __init__(self, text: str):
            CParser.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    return _CLoader


_LOADER = _c_loader() or _PyLoader
