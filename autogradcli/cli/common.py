"""What every console script shares: the mapping of errors to one message and an exit code.

Exit codes: 0 done, 1 a diverged or failed run, 2 a user's mistake, 130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import sys

import typer

from autogradcli.errors import UserError

EXIT_FAILED = 1
EXIT_USER = 2
EXIT_INTERRUPTED = 130


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
        print_error("interrupted (Ctrl-C); files written so far are kept")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def new_app(help: str) -> typer.Typer:
    """A console script's typer app: -h and --help, usage when called bare, no tracebacks."""
    return typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]}, help=help)
