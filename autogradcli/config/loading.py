"""Loading a config: YAML with the line of every key, overrides, validation; changed copies.

Every mistake becomes a ConfigError naming the file, the line and the key path.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from autogradcli.config import yaml_source
from autogradcli.config.experiment import KINDS, PLAIN, Config
from autogradcli.config.sections import keys_in_order
from autogradcli.errors import ConfigError

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


def load_config(path: str | os.PathLike, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Read, override (`KEY.PATH=VALUE`, values parsed as YAML) and validate an experiment config.

    Raises ConfigError naming the file, YAML line and key path of the first problem.
    """
    source = yaml_source.read_yaml(Path(path))
    for text in overrides:
        source.apply_override(text)
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
        seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    elif int(seed) < 0:  # the same range as the `seed` field; model_copy does not validate
        raise ConfigError(f"out of range: got {seed}, wanted seed >= 0", where="{--seed}",
                          hint="give a non-negative integer, e.g. 1")
    return config.copied(seed=int(seed))


def output_dir(config: Config) -> Path:
    """The run folder `output.dir` with {name} and {seed} filled in (seed must be resolved)."""
    return Path(config.output.dir.format(name=config.name, seed=config.seed))


