"""Loading a config: YAML with the line of every key, overrides, validation; changed copies.

Every mistake becomes a ConfigError naming the file, the line and the key path.
"""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from autogradcli.config import interpolate, yaml_source
from autogradcli.config.compose import EXTENDS, read_composed
from autogradcli.config.experiment import KINDS, PLAIN, Config
from autogradcli.config.sections import keys_in_order
from autogradcli.errors import ConfigError, did_you_mean

__all__ = ["config_with", "load_config", "output_dir", "resolve_seed"]


def _schema_at(path: tuple, raw: Any) -> yaml_source.Schema | None:
    """Which keys are valid at `path` of the raw YAML data (and the kinds, for sections)."""
    if not path:
        return yaml_source.Schema(list(Config.model_fields))
    if len(path) != 1:
        return None
    section = path[0]
    if section in PLAIN:
        return yaml_source.Schema(list(PLAIN[section].model_fields))
    if section not in KINDS:
        return None
    kinds = KINDS[section]
    kind = raw.get(section, {}).get("kind") if isinstance(raw.get(section), dict) else None
    others = {k: keys_in_order(cls) for k, cls in kinds.items()}
    keys = others.get(kind) if isinstance(kind, str) else None
    return yaml_source.Schema(keys, kinds=list(kinds), kind=kind, keys_by_kind=others)


def _unknown_subtree(path: tuple) -> str | None:
    """The hint for a key no config may have (checked while parsing), else None."""
    if len(path) == 1:
        keys = [*Config.model_fields, EXTENDS]
    elif len(path) == 2 and path[0] in PLAIN:
        keys = list(PLAIN[path[0]].model_fields)
    elif len(path) == 2 and path[0] in KINDS:
        keys = list(dict.fromkeys(k for cls in KINDS[path[0]].values() for k in cls.model_fields))
    else:
        return None
    return None if path[-1] in keys else did_you_mean(path[-1], keys)


def _field_at(path: tuple, data: Any):
    """The pydantic field a key path of the raw data names (kinds told apart by `kind`), or
    None for a key no section has."""
    model: Any = Config
    node = data
    for depth, key in enumerate(path):
        fields = model.model_fields if model is not None else {}
        if not isinstance(key, str) or key not in fields:
            return None
        if depth == len(path) - 1:
            return fields[key]
        node = node.get(key) if isinstance(node, dict) else None
        model = _model_of(fields[key].annotation, node)
    return None


def _model_of(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The section class an annotation allows for this raw value (by its `kind`)."""
    models = [t for t in _flat(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    if len(models) <= 1:
        return models[0] if models else None
    kind = node.get("kind") if isinstance(node, dict) else None
    for cls in models:
        if kind in typing.get_args(cls.model_fields["kind"].annotation):
            return cls
    return None


def _flat(annotation: Any) -> list:
    """The types of a union / Optional / Annotated, flattened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flat(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _flat(arg)]
    return [annotation]


def _default_of(data: Any, path: tuple) -> Any:
    """The default of a key the config does not write (for `${...}`), or interpolate.missing()."""
    field = _field_at(path, data)
    if field is None or field.default is PydanticUndefined:
        return interpolate.missing()
    return field.default


def _apply_nulls(source: yaml_source.YamlSource) -> None:
    """`key: null` over a base's value: null stays where null is a value (batch_size: null is a
    full batch); elsewhere the key is deleted, so it takes its default or leaves the new kind."""
    for path in sorted(source.nulled, key=len, reverse=True):
        parent = source.data
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or parent.get(path[-1], 0) is not None:
            continue
        field = _field_at(path, source.data)
        if field is None or type(None) not in _flat(field.annotation):
            del parent[path[-1]]


def _rebase_data_path(source: yaml_source.YamlSource, config_file: Path) -> None:
    """A relative data.path written in a base file is relative to that file; the config keeps
    paths relative to its own folder, so it is rewritten from there."""
    key = ("data", "path")
    written = source.files.get(key)
    data = source.data.get("data")
    value = data.get("path") if isinstance(data, dict) else None
    if written is None or key in source.overridden or not isinstance(value, str):
        return
    if value and not Path(value).is_absolute():
        moved = os.path.relpath(Path(written).parent / value, config_file.parent)
        data["path"] = Path(moved).as_posix()


def load_config(path: str | os.PathLike, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Read, override (`KEY.PATH=VALUE`, values parsed as YAML) and validate an experiment config.

    Raises ConfigError naming the file, YAML line and key path of the first problem.
    """
    source = read_composed(Path(path), _unknown_subtree)
    for text in overrides:
        source.apply_override(text)
    # output.dir keeps ${name} and ${seed} as {name} and {seed}: the seed may be drawn at run time
    interpolate.resolve(source, lambda key: _default_of(source.data, key),
                        kept={("output", "dir"): {"name", "seed"}})
    _apply_nulls(source)
    _rebase_data_path(source, Path(path))
    config = _validate(source.data, source)
    config._source, config._yaml = Path(path).resolve(), source
    for key, values in (config.sweep or {}).items():
        # a distribution or a setting (trials: 16) is checked by the sweep itself
        for i, value in enumerate(values if isinstance(values, list) else ()):
            _validate_change(config, {key: value}, source, ("sweep", key, i))
    return config


def _validate(data: Any, source: yaml_source.YamlSource) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise source.to_config_error(exc, _schema_at) from None


def _validate_change(config: Config, changes: dict[str, Any], source, at) -> Config:
    data = config.model_dump(exclude_unset=True)
    data.pop("sweep", None)
    for key, value in changes.items():
        path = tuple(key.split("."))
        yaml_source.set_path(data, path, value, origin=f"change {key}={value!r}")
        if len(path) == 2 and path[0] in KINDS and path[1] == "kind":
            _drop_foreign_keys(data, path[0])
    try:
        new = Config.model_validate(data)
    except ValidationError as exc:
        raise source.to_config_error(exc, _schema_at, at=at, data=data) from None
    new.from_file_of(config)
    return new


def _drop_foreign_keys(data: dict, section: str) -> None:
    """After a kind change, forget the old kind's own keys (momentum when sgd becomes adam)."""
    cls = KINDS[section].get(data[section].get("kind"))
    if cls is not None:
        data[section] = {k: v for k, v in data[section].items() if k in cls.model_fields}


def config_with(config: Config, changes: dict[str, Any]) -> Config:
    """A copy of `config` with dotted key paths set (one point of a sweep); the sweep is dropped.

    Keys the user never set take their defaults. Setting `SECTION.kind` drops the keys the new kind
    does not have, so {"optimizer.kind": "adam"} works on an sgd config with momentum.
    Raises ConfigError if the result is invalid.
    """
    where = str(config.source) if config.source else "config"
    source = yaml_source.YamlSource(where, None, {}, {})
    return _validate_change(config, changes, source, None)


def resolve_seed(config: Config, seed: int | None = None) -> Config:
    """The config with its seed fixed: `seed` if given, else config.seed, else a random one."""
    if seed is None:
        seed = config.seed if config.seed is not None else _fresh_seed()
    elif int(seed) < 0:  # the same range as the `seed` field; model_copy does not validate
        raise ConfigError(f"out of range: got {seed}, wanted seed >= 0", where="{--seed}",
                          hint="give a non-negative integer, e.g. 1")
    return config.copied(seed=int(seed))


def output_dir(config: Config) -> Path:
    """The run folder `output.dir` with {name} and {seed} filled in (seed must be resolved)."""
    return Path(config.output.dir.format(name=config.name, seed=config.seed))




def _fresh_seed() -> int:
    import secrets  # only for a seedless config: not on every command's start-up

    return secrets.randbelow(2**31)
