"""Search spaces: distributions a sweep key can hold, the sweep's settings, seeded draws of trials.

`uniform(a, b)`, `loguniform(a, b)`, `int(a, b)` and `choice(x, y, ...)`, written the same way on
the command line and in the config's `sweep:` section. Draws use the standard library's Random
(its sequence is stable across Python versions), so one seed gives the same trials everywhere.
Imports the standard library, yaml and errors only.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Any

import yaml

from autogradcli.config.checks import SWEEP_SETTINGS
from autogradcli.errors import ConfigError

__all__ = ["KINDS", "SETTINGS", "STRATEGIES", "Distribution", "Settings", "draw_points",
           "parse_distribution"]

KINDS = ("uniform", "loguniform", "int", "choice")
STRATEGIES = ("grid", "random", "halving")
SETTINGS = SWEEP_SETTINGS
_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$", re.S)
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
SIGNIFICANT = 4  # drawn floats are rounded so folder names and sweep.csv stay readable


@dataclass(frozen=True)
class Distribution:
    """One key's distribution; `args` are (low, high) or the choices."""

    kind: str
    args: tuple

    def draw(self, rng: random.Random) -> Any:
        """One value: floats rounded to 4 significant digits; int(a, b) includes both ends."""
        if self.kind == "choice":
            return self.args[min(int(rng.random() * len(self.args)), len(self.args) - 1)]
        low, high = self.args
        u = rng.random()
        if self.kind == "int":
            return min(int(low + math.floor(u * (high - low + 1))), int(high))
        if self.kind == "loguniform":
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        else:
            value = low + u * (high - low)
        return float(f"{value:.{SIGNIFICANT}g}")

    def bounds(self) -> list:
        """Values that stand for the whole range when checking it against the config."""
        return list(self.args)

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(_text(a) for a in self.args)})"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip().removesuffix(
        "\n...").strip()


def parse_distribution(text: Any, where: str) -> Distribution | None:
    """`loguniform(1e-4, 1e-1)` -> Distribution; None when `text` is not a call; ConfigError when
    it is one but wrong (unknown kind, bounds)."""
    if not isinstance(text, str):
        return None
    match = _CALL.match(text)
    if match is None:
        return None
    kind, inner = match.group(1), match.group(2)
    example = "e.g. loguniform(1e-4, 1e-1), uniform(0, 1), int(8, 64), choice(sgd, adam)"
    if kind not in KINDS:
        raise ConfigError(f"unknown distribution {kind!r}", where=where,
                          hint=f"use one of {', '.join(KINDS)}: {example}")
    try:
        args = yaml.safe_load(f"[{inner}]") or []
    except yaml.YAMLError:
        raise ConfigError(f"cannot read the arguments of {kind}(...)", where=where,
                          hint=example) from None
    args = tuple(_number(a) for a in args)
    if kind == "choice":
        if not args:
            raise ConfigError("choice() needs at least one value", where=where, hint=example)
        return Distribution(kind, args)
    return Distribution(kind, _bounds(kind, args, where))


def _number(value: Any) -> Any:
    # YAML 1.1 reads 1e-3 (no dot) as a string; a number is what was meant.
    if isinstance(value, str) and _FLOAT.match(value):
        return float(value)
    return value


def _bounds(kind: str, args: tuple, where: str) -> tuple:
    numeric = all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args)
    if len(args) != 2 or not numeric or not all(math.isfinite(a) for a in args):
        raise ConfigError(f"{kind}() takes two finite numbers, low and high", where=where,
                          hint=f"e.g. {kind}(1e-4, 1e-1)" if kind != "int" else "e.g. int(8, 64)")
    low, high = args
    if kind == "int" and not all(float(a).is_integer() for a in args):
        raise ConfigError("int() takes two whole numbers", where=where, hint="e.g. int(8, 64)")
    if low >= high:
        raise ConfigError(f"{kind}({_text(low)}, {_text(high)}): low must be below high",
                          where=where, hint=f"e.g. {kind}({_text(high)}, {_text(low)})")
    if kind == "loguniform" and low <= 0:
        raise ConfigError("loguniform() needs 0 < low < high", where=where,
                          hint="e.g. loguniform(1e-4, 1e-1); for a range through 0 use uniform")
    if kind == "int":
        return int(low), int(high)
    return float(low), float(high)


@dataclass(frozen=True)
class Settings:
    """How a sweep searches: `strategy` grid | random | halving, `trials` to draw, halving's `eta`,
    and the `objective` ranked by (a summary column such as val_loss or val_accuracy; None: the
    validation loss when there is a split, else the training loss)."""

    strategy: str = "grid"
    trials: int | None = None
    eta: int = 3
    objective: str | None = None


def draw_points(space: dict[str, Any], trials: int, seed: int) -> list[dict[str, Any]]:
    """`trials` points: each key drawn in key order, trial after trial, from one Random(seed).

    A list of values is drawn from as choice(...)."""
    rng = random.Random(seed)
    as_dists = {k: v if isinstance(v, Distribution) else Distribution("choice", tuple(v))
                for k, v in space.items()}
    return [{k: d.draw(rng) for k, d in as_dists.items()} for _ in range(trials)]


def resolve_settings(config_sweep: dict | None, space: dict[str, Any], where: str,
                     **given: Any) -> Settings:
    """The sweep's Settings: keyword arguments (the CLI's flags, None when not given) over the
    config's `sweep:` settings. Raises ConfigError naming the flag or the config key."""
    chosen: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name in SETTINGS:
        if given.get(name) is not None:
            chosen[name], origins[name] = given[name], f"{{--{name}}}"
        elif config_sweep and config_sweep.get(name) is not None:
            chosen[name], origins[name] = config_sweep[name], f"{where}: sweep.{name}"
    trials = _whole(chosen.get("trials"), origins.get("trials"), 1, "16")
    eta = _whole(chosen.get("eta"), origins.get("eta"), 2, "3")
    drawn = any(isinstance(v, Distribution) for v in space.values())
    strategy = chosen.get("strategy") or ("random" if drawn or trials else "grid")
    if strategy not in STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}", where=origins.get("strategy"),
                          hint=f"use one of {', '.join(STRATEGIES)}")
    if drawn and trials is None:
        raise ConfigError("a distribution needs a number of trials to draw",
                          where=origins.get("strategy"),
                          hint="add {--trials} N (or trials: N in the sweep: section)")
    if strategy == "random" and trials is None:
        raise ConfigError("a random search needs a number of trials to draw",
                          where=origins.get("strategy"),
                          hint="add {--trials} N (or trials: N in the sweep: section)")
    if strategy == "grid" and (drawn or trials is not None):
        raise ConfigError("a grid runs every combination: it takes no distributions or trials",
                          where=origins.get("strategy"),
                          hint="use strategy random (or halving) to draw trials")
    objective = chosen.get("objective")
    if objective is not None and not isinstance(objective, str):
        raise ConfigError("expected a column name such as val_loss or val_accuracy",
                          where=origins.get("objective"))
    return Settings(strategy, trials, 3 if eta is None else eta, objective)


def _whole(value: Any, origin: str | None, least: int, example: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"expected a whole number >= {least}, got {value!r}", where=origin,
                          hint=f"e.g. {example}")
    return value
