"""Naming one scalar of a run's parameters: `a`, `w[2]`, `w[0,1]` (the --params of figures)."""

from __future__ import annotations

import re

import numpy as np

_SPEC = re.compile(r"^([A-Za-z_][\w.]*)(?:\[(\d+(?:\s*,\s*\d+)*)\])?$")

def parse_spec(spec: str) -> tuple[str, tuple[int, ...]]:
    """'a' -> ('a', ()), 'w[2]' -> ('w', (2,)), 'w[0,1]' -> ('w', (0, 1)).

    ValueError if malformed.
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"not a parameter name: {spec!r} (write e.g. a, b, w[0], w[1,2])")
    index = tuple(int(i) for i in match.group(2).split(",")) if match.group(2) else ()
    return match.group(1), index


def spec_names(params: dict) -> list[str]:
    """Every scalar a parameter dict holds, as specs: 'a', 'b', 'w[0]', 'w[1]', ..."""
    names = []
    for name, value in params.items():
        value = np.asarray(value)
        if value.ndim == 0:
            names.append(name)
        else:
            names.extend(f"{name}[{','.join(map(str, i))}]" for i in np.ndindex(value.shape))
    return names


def spec_value(params: dict, spec: str) -> float:
    """The scalar `spec` names in a parameter dict (KeyError/IndexError if it does not exist)."""
    name, index = parse_spec(spec)
    value = np.asarray(params[name])
    if len(index) != value.ndim:
        raise IndexError(f"{name} has shape {value.shape}")
    return float(value[index])
