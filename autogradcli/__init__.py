"""autogradcli: YAML-driven gradient-descent experiments on a small autograd engine over numpy.

The Python API (autogradcli.api: load_config, train, sweep, plot, ...) is re-exported here
lazily, so that `import autogradcli.engine` alone does not load pydantic and the config layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"

__all__ = [
    "RunInterrupted",
    "RunResult",
    "__version__",
    "compare_runs",
    "config_schema",
    "config_yaml",
    "evaluate",
    "list_runs",
    "load_config",
    "load_run",
    "parse_grid",
    "plot",
    "predict",
    "report",
    "resume",
    "sweep",
    "train",
]

# The names __getattr__ loads from autogradcli.api on first use.
_API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from autogradcli.api import (
        RunInterrupted,
        RunResult,
        compare_runs,
        config_schema,
        config_yaml,
        evaluate,
        list_runs,
        load_config,
        load_run,
        parse_grid,
        plot,
        predict,
        report,
        resume,
        sweep,
        train,
    )


def __getattr__(name: str):
    if name in _API:
        from autogradcli import api

        return getattr(api, name)
    raise AttributeError(f"module 'autogradcli' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))

