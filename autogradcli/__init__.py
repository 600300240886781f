"""autogradcli: YAML-driven gradient-descent experiments on a small autograd engine over numpy.

The Python API (autogradcli.api: load_config, train, sweep, plot, ...) is re-exported here
lazily, so that `import autogradcli.engine` alone does not load pydantic and the config layer.
"""

from __future__ import annotations

import signal
import sys

# A console script (autograd-*, or python -m autogradcli.cli.*) owns the stop signals (Ctrl-C,
# SIGTERM, SIGHUP) from its first line: a signal can land between any two lines of start-up,
# even inside pydantic-core building a schema, which wraps the KeyboardInterrupt into a
# SchemaError. So the handler remembers every stop signal, and whatever exception then ends the
# process, it ends as "interrupted" with 128 + the signal (cli.common.run_app does the same for
# the command itself). A library user's own handlers and excepthook are left alone.


def _console_script(argv: list[str]) -> bool:
    """True for `python [options] -m autogradcli.cli.X` and for an autograd-* script."""
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-X", "-W"):  # interpreter options that take the next argument
            next(args, None)
        elif arg == "-m":
            return next(args, "").startswith("autogradcli.cli")
        elif arg == "-c" or not arg.startswith("-"):
            return arg.rsplit("/", 1)[-1].startswith("autograd-")
    return False


_CONSOLE = _console_script(getattr(sys, "orig_argv", sys.argv))
_STOPPED = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "terminated (SIGTERM)",
            signal.SIGHUP: "hung up (SIGHUP)"}
_stop_signals: list[int] = []  # the stop signals received, first first (cli.common reads it)


class _StopSignal(KeyboardInterrupt):
    """A stop signal arrived. A subclass on purpose: CPython notes an uncaught *exact*
    KeyboardInterrupt (one escaping any eval(), as pydantic evaluates annotations) and then
    ends the process by SIGINT whatever exit code the script chose."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_stop_signal(signum, frame):
    _stop_signals.append(signum)
    raise _StopSignal(signum)


def _quiet_stop(kind, value, traceback):  # pragma: no cover - runs as the process ends
    """An exception that no command handling caught: after a stop signal (or a plain Ctrl-C),
    one line and 128 + the signal, whatever the exception became on its way up."""
    if not (_stop_signals or issubclass(kind, KeyboardInterrupt)):
        return sys.__excepthook__(kind, value, traceback)
    import os

    signum = _stop_signals[0] if _stop_signals else getattr(value, "signum", signal.SIGINT)
    try:
        sys.stdout.flush()
        sys.stderr.write(_STOPPED.get(signum, "stopped") + "\n")
        sys.stderr.flush()
    finally:
        os._exit(128 + signum)  # files are closed by their owners on the way up


def _resend_stop(unraisable):  # pragma: no cover - runs in a subprocess
    """A stop signal that hit a __del__ or a weakref callback (importlib's module locks have
    them) would be printed as "Exception ignored" with a traceback, then lost: send it again so
    that it stops the script at its next line. From another thread, since a signal sent from
    here would be handled here again (CPython checks for signals right after any call)."""
    if isinstance(unraisable.exc_value, _StopSignal):
        import _thread
        import os

        return _thread.start_new_thread(os.kill, (os.getpid(), unraisable.exc_value.signum))
    return sys.__unraisablehook__(unraisable)


if _CONSOLE:
    for _signum in _STOPPED:  # SIGTERM (kill, timeout, schedulers), SIGHUP: stop as Ctrl-C does
        signal.signal(_signum, _on_stop_signal)
    sys.excepthook = _quiet_stop
    sys.unraisablehook = _resend_stop

    import atexit
    import os

    # Registered first, so it runs last: the exit code is final by then, and the interpreter is
    # about to reset the handlers to the defaults for its last steps, where a stop signal would
    # kill the process (exit -2) after its work was done.
    if hasattr(signal, "pthread_sigmask"):
        atexit.register(signal.pthread_sigmask, signal.SIG_BLOCK, tuple(_STOPPED))
    # For tests that send signals from outside: AUTOGRADCLI_FAULT=mark:FD writes a line to that
    # inherited file descriptor once the handler is in place (a signal sent after the test read
    # it is ours to handle; one sent before may still meet CPython's own start-up).
    if os.environ.get("AUTOGRADCLI_FAULT", "").startswith("mark:"):
        os.write(int(os.environ["AUTOGRADCLI_FAULT"][5:]), b"handled\n")

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

