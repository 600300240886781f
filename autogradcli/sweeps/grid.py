"""The grid of a sweep: `KEY=V1,V2` options, expansion to points, folder names, validation.

Every key and value is checked before anything runs, so a message names the culprit.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from typing import Any

import yaml

from autogradcli.config import Config, config_with
from autogradcli.config.yaml_source import show
from autogradcli.errors import ConfigError
from autogradcli.sweeps.space import SETTINGS, Distribution, parse_distribution
from autogradcli.sweeps.table import value_cell

__all__ = ["expand_grid", "merge_grid", "parse_grid", "parse_sweep_args", "point_configs",
           "run_names", "sweep_configs", "validate_grid"]

_KEY = re.compile(r"^[A-Za-z_]\w*(\.\w+)*$")
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def parse_sweep_args(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`["optimizer.lr=0.005,0.02", "model.hidden=[8],[16,16]"]` -> {key: [values]};
    `optimizer.lr=loguniform(1e-4,1e-1)` -> {key: Distribution}.

    Values are YAML (numbers, true/false, null, strings, [lists]), separated by commas. A key given
    twice keeps both lists, in order. Raises ConfigError for a malformed item.
    """
    grid: dict[str, Any] = {}
    for text in items:
        key, _, values_text = text.partition("=")
        key = key.strip()
        if not _ or not _KEY.match(key):
            raise ConfigError("expected KEY.PATH=VALUE1,VALUE2,... or KEY.PATH=DISTRIBUTION",
                              where=f"{{--sweep}} {text}",
                              hint="e.g. {--sweep} optimizer.lr=0.005,0.02,0.1 or "
                                   "{--sweep} optimizer.lr=loguniform(1e-4,1e-1)")
        distribution = parse_distribution(values_text, f"{{--sweep}} {text}")
        if distribution is not None:
            grid[key] = distribution
            continue
        if isinstance(grid.get(key), Distribution):
            raise ConfigError("a key holds either values or one distribution, not both",
                              where=f"{{--sweep}} {text}", hint=f"give {key} once")
        try:
            values = yaml.safe_load(f"[{values_text}]")
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"the values are not valid YAML: {problem}",
                              where=f"{{--sweep}} {text}",
                              hint="separate values with commas; quote strings with commas in "
                                   "them, e.g. name='a,b'") from None
        grid.setdefault(key, []).extend(_number_or_text(v) for v in values)
    return grid


def _number_or_text(value: Any) -> Any:
    # YAML 1.1 reads 1e-3 (no dot) as a string; a learning rate is what was meant.
    if isinstance(value, str) and _FLOAT.match(value):
        return float(value)
    return value

parse_grid = parse_sweep_args


def expand_grid(grid: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination, the first key varying slowest: {key: value} per point, in grid order."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def run_names(points: list[dict[str, Any]]) -> list[str]:
    """A safe, unique folder name per point: `lr-0.02_batch_size-10`.

    A key is shortened to its last part unless two keys share it; characters outside
    [A-Za-z0-9._+-] become `_`; names that would clash, or be too long, get a short hash.
    """
    keys = list(points[0]) if points else []
    last = [k.rsplit(".", 1)[-1] for k in keys]
    labels = {k: (s if last.count(s) == 1 else k.replace(".", "-")) for k, s in zip(keys, last)}
    names = []
    for point in points:
        parts = [f"{labels[k]}-{_value_text(v)}" for k, v in point.items()]
        name = _UNSAFE.sub("_", "_".join(parts)).strip("._") or "run"
        names.append(name if len(name) <= 100 else f"{name[:90]}-{_digest(point)}")
    for name in {n for n in names if names.count(n) > 1}:
        names = [f"{n}-{_digest(p)}" if n == name else n for n, p in zip(names, points)]
    return names


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return value_cell(value)
    if isinstance(value, list):
        return "x".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return "_".join(f"{k}{_value_text(v)}" for k, v in value.items())
    return value_cell(value)


def _digest(point: dict) -> str:
    text = json.dumps(point, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def merge_grid(config: Config, grid: dict | None) -> tuple[dict[str, Any], set[str]]:
    """The config's `sweep:` section (its settings left out), then `grid` (which replaces a key's
    values); and which keys came from `grid` (for messages). A value is a list or a
    Distribution."""
    merged: dict[str, Any] = {}
    for key, values in (config.sweep or {}).items():
        if key not in SETTINGS:
            merged[key] = _config_values(config, key, values)
    given = set()
    for key, values in (grid or {}).items():
        if not isinstance(values, (list, tuple, Distribution)):
            raise ConfigError(f"expected a list of values, got {show(values)}",
                              where=f"{{--sweep}} {key}", hint=f"e.g. {{--sweep}} {key}=V1,V2")
        merged[key] = values if isinstance(values, Distribution) else list(values)
        given.add(key)
    if not merged:
        raise ConfigError("nothing to sweep: the grid is empty", where=_file(config),
                          hint="give {--sweep} KEY=V1,V2 (e.g. {--sweep} optimizer.lr=0.01,0.1) "
                               "or a `sweep:` section in the config")
    return merged, given


def _config_values(config: Config, key: str, values: Any) -> Any:
    where = f"{_file(config)}: sweep.{key}"
    if isinstance(values, list):
        return list(values)
    distribution = parse_distribution(values, where)
    if distribution is None:
        raise ConfigError(f"expected a list of values or a distribution, got {show(values)}",
                          where=where, hint=f"e.g. {key}: [0.01, 0.1] or "
                                            f"{key}: loguniform(1e-4, 1e-1)")
    return distribution


def validate_grid(base: Config, grid: dict[str, list], given: set[str]) -> None:
    """Check every key and every value on its own, so the message names the culprit."""
    for key, values in grid.items():
        origin = f"{{--sweep}} {key}" if key in given else f"{_file(base)}: sweep.{key}"
        if not isinstance(key, str) or not _KEY.match(key):
            raise ConfigError("not a dotted key path", where=origin,
                              hint="e.g. optimizer.lr or training.batch_size")
        if key == "sweep" or key.startswith(("sweep.", "output.")) or key == "output":
            raise ConfigError(f"cannot sweep {key}", where=origin,
                              hint="the sweep chooses each run's folder; set the sweep folder "
                                   "with {--out} DIR")
        if isinstance(values, Distribution):
            _validate_values(base, key, values.bounds(), f"{origin}={values}", unique=False)
            continue
        if not values:
            raise ConfigError("no values to sweep", where=origin,
                              hint=f"give at least one value, e.g. {{--sweep}} {key}=V1,V2")
        _validate_values(base, key, values, origin, unique=True)


def _validate_values(base: Config, key: str, values: list, origin: str, unique: bool) -> None:
    seen: list = []
    for value in values:
        if unique:
            if value in seen:
                raise ConfigError(f"the value {show(value)} is listed twice", where=origin,
                                  hint="each value gives one run; list it once")
            seen.append(value)
        try:
            config_with(base, {key: value})
        except ConfigError as exc:
            path = _error_path(exc, key)
            # a clash with another key (batch_size vs data.n) may be fixed by another swept
            # value: the combinations are checked next
            if path == key or path.startswith(key + ".") or key.startswith(path + "."):
                message = exc.raw("message")
                at = origin if not unique else f"{origin}={value_cell(value)}"
                raise exc.remade(message=message if path == key else f"{path}: {message}",
                                 where=at) from None


def _error_path(exc: ConfigError, key: str) -> str:
    """The key path a config_with error names (its `where` ends with it)."""
    return exc.where.rsplit(": ", 1)[-1] if exc.where and ": " in exc.where else key


def point_configs(base: Config, points: list[dict], names: list[str]) -> list[Config]:
    configs = []
    for point, name in zip(points, names):
        try:
            configs.append(config_with(base, point))
        except ConfigError as exc:
            where = f"sweep point {name}: {_error_path(exc, '')}".rstrip(": ")
            raise exc.remade(where=where) from None
    return configs


def _file(config: Config) -> str:
    return os.path.relpath(config.source) if config.source is not None else "config"


def sweep_configs(config: Config, grid: dict[str, list] | None = None) -> list[Config]:
    """The config of every point of a sweep of `config` (its `sweep:` section merged with `grid`),
    each key and value validated; what `--check` builds, one point at a time."""
    merged, given = merge_grid(config, grid)
    base = config.copied(sweep=None)
    validate_grid(base, merged, given)
    values = expand_grid(merged)
    return point_configs(base, values, run_names(values))
