"""What every console script shares: the mapping of errors to one message and an exit code.

Exit codes: 0 done, 1 a diverged or failed run, 2 a user's mistake, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import sys

import typer

from autogradcli.errors import UserError

EXIT_FAILED = 1
EXIT_USER = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, what shells report for a job stopped politely
_terminated = False


def stop_on_sigterm() -> None:
    """Handle SIGTERM (batch schedulers, `kill`) as Ctrl-C: the run stops cleanly, its files
    flushed and marked interrupted, and the process exits with 143."""
    def handler(signum, frame):
        global _terminated
        _terminated = True
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def print_error(text: str) -> None:
    """One message on stderr, no markup, so logs and pipes read it as written."""
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


@contextlib.contextmanager
def exit_on_user_error():
    """Turn a UserError into its message and exit code 2, and Ctrl-C into exit code 130."""
    try:
        yield
    except UserError as exc:
        print_error(exc.format(flags=True))
        raise typer.Exit(EXIT_USER) from None
    except KeyboardInterrupt:
        what = "terminated (SIGTERM)" if _terminated else "interrupted (Ctrl-C)"
        print_error(f"{what}; files written so far are kept")
        raise typer.Exit(EXIT_TERMINATED if _terminated else EXIT_INTERRUPTED) from None


def new_app(help: str) -> typer.Typer:
    """A console script's typer app: -h and --help, usage when called bare, no tracebacks."""
    return typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]}, help=help)
