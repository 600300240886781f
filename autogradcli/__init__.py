"""autogradcli: YAML-driven gradient-descent experiments on a small autograd engine over numpy.

The Python API (autogradcli.api: load_config, train, sweep, plot, ...) is re-exported here
lazily, so that `import autogradcli.engine` alone does not load pydantic and the config layer.
"""

from __future__ import annotations

import sys


def _quiet_interrupt(kind, value, traceback):  # pragma: no cover - runs as the process ends
    """A Ctrl-C before a console script's own handling is entered: one line, exit 130."""
    if not issubclass(kind, KeyboardInterrupt):
        return sys.__excepthook__(kind, value, traceback)
    import os

    try:
        sys.stderr.write("interrupted (Ctrl-C)\n")
        sys.stderr.flush()
    finally:
        os._exit(130)  # nothing was written yet: nothing to flush or clean up


# Installed first thing (a signal can land between any two lines), then kept only when a
# console script is starting (autograd-*, or python -m autogradcli.cli.*): a library user's own
# excepthook is left in place.
_previous, sys.excepthook = sys.excepthook, _quiet_interrupt
if not any(arg.startswith("autogradcli.cli") or arg.rsplit("/", 1)[-1].startswith("autograd-")
           for arg in getattr(sys, "orig_argv", sys.argv)[1:3]):
    sys.excepthook = _previous
del _previous

from typing import TYPE_CHECKING  # noqa: E402

__version__ = "0.2.0"

__all__ = [
    "RunInterrupted",
    "RunResult",
    "__version__",
    "check",
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
        check,
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

