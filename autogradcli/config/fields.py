"""The value types of config fields: numbers that refuse true/false, strict booleans, ranges.

Shared by every section, so a type's check (and its message) is written once.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict

from autogradcli.config.yaml_source import FieldProblem

__all__ = ["Bool", "InitValue", "Integer", "Number", "Pair", "Range", "Section"]


class Section(BaseModel):
    """A config section: unknown keys refused, defaults checked, read-only once validated.

    Change a config with config_with(config, {"training.epochs": 5}), which validates the result.
    """

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)


def _no_bool(value: Any) -> Any:
    # YAML's true/false would pass as 1/0 in pydantic's lax mode; lax mode stays for "1e-3" strings
    if isinstance(value, bool):
        raise FieldProblem((), f"expected a number, got {'true' if value else 'false'}")
    return value


def _finite(value: float) -> float:
    # inf and nan (YAML .inf, .nan, 1e400) would only surface later as a diverged run
    if not math.isfinite(value):
        raise FieldProblem((), f"expected a finite number, got {value}")
    return value


Number = Annotated[float, BeforeValidator(_no_bool), AfterValidator(_finite)]
Integer = Annotated[int, BeforeValidator(_no_bool)]
Bool = Annotated[bool, Strict()]
Pair = tuple[Number, Number]
InitValue = float | list[float] | list[list[float]]


def _check_range(value: Pair) -> Pair:
    if not value[0] < value[1]:
        raise ValueError(f"x_range must be [low, high] with low < high, got {list(value)}")
    return value


Range = Annotated[Pair, AfterValidator(_check_range)]  # [low, high] with low < high
