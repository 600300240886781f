"""What every console script shares: the mapping of errors to one message and an exit code.

Exit codes: 0 done, 1 a diverged or failed run, 2 a user's mistake, 128 + the signal that
stopped it (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import signal
import sys
from typing import Annotated, NoReturn

import typer

from autogradcli import _STOPPED, _stop_signals
from autogradcli.cli.fast_start import import_help_without_unused_modules
from autogradcli.errors import UserError, did_you_mean

EXIT_FAILED = 1
EXIT_USER = 2

_KEPT = "; files written so far are kept"
_reported: list[int] = []  # the exit code of the stop already reported (at most one line)


def report_stop(signum: int | None = None, detail: str = "") -> int:
    """Say once on stderr that a signal stopped the command; its exit code, 128 + the signal.

    `signum`: the signal an exception carries; else the first one received, else Ctrl-C."""
    if not _reported:
        signum = signum or (_stop_signals[0] if _stop_signals else signal.SIGINT)
        _reported.append(128 + int(signum))
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            print_error(f"{_STOPPED.get(signum, 'stopped')}{detail}")
    return _reported[0]


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
        if _stop_signals:  # an interrupted read or check, worded as what it met on the way up
            raise typer.Exit(report_stop(detail=_KEPT)) from None
        print_error(exc.format(flags=True))
        raise typer.Exit(EXIT_USER) from None
    except KeyboardInterrupt as exc:
        raise typer.Exit(report_stop(getattr(exc, "signum", None), _KEPT)) from None


def new_app(help: str) -> typer.Typer:
    """A console script's typer app: -h and --help, usage when called bare, no tracebacks."""
    return typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]}, help=help)


def _show_version(value: bool) -> None:
    if value:
        from autogradcli import __version__

        sys.stdout.write(f"autogradcli {__version__}\n")
        raise typer.Exit()


VersionOption = Annotated[bool, typer.Option(
    "--version", callback=_show_version, is_eager=True, help="Print the version and exit.")]


def run_app(app: typer.Typer, prog_name: str) -> NoReturn:
    """Run a console script so that every mistake, typer's own included (a misspelt flag, a
    value out of range), reads in the one `error:` / `hint:` format with exit code 2, and a
    stop signal, wherever it lands, ends it with one line and 128 + the signal."""
    try:
        code = _run(app, prog_name)
    except SystemExit as exc:  # the bare command's help, typer's own exits
        code = exc.code
    except BaseException:
        if not _stop_signals:
            raise
        code = None
    if _stop_signals:  # whatever the interruption became: typer's silent exit 130, an error
        code = report_stop()
    elif code is not None and not isinstance(code, int):  # sys.exit("text"), as Python shows it
        print_error(str(code))
        code = EXIT_FAILED
    _exit(code or 0)


def _run(app: typer.Typer, prog_name: str) -> int:
    try:  # typer carries its own copy of click in recent versions
        from typer._click import exceptions as clicks
    except ImportError:
        from click import exceptions as clicks

    import_help_without_unused_modules(sys.argv)  # markdown_it, pygments, attrs: about 60 ms
    command = _plain_metavars(typer.main.get_command(app))
    if len(sys.argv) == 1:  # bare command: its help, as before
        command.main(prog_name=prog_name, args=["--help"])
    try:
        return command.main(prog_name=prog_name, standalone_mode=False) or 0
    except clicks.NoSuchOption as exc:
        choices = sorted(exc.possibilities or ()) or _flags_of(exc.ctx)
        print_error(UserError(f"no such option {exc.option_name}",
                              hint=did_you_mean(exc.option_name, choices, "Options")
                              + f"; see {prog_name} -h").format())
        return EXIT_USER
    except clicks.UsageError as exc:
        message = exc.format_message().replace("Input should be", "it should be")
        print_error(UserError(message[:1].lower() + message[1:],
                              hint=f"see {prog_name} -h").format())
        return EXIT_USER
    except (getattr(clicks, "Abort", KeyboardInterrupt), KeyboardInterrupt) as exc:
        return report_stop(getattr(exc, "signum", None))
    except OSError as exc:  # the filesystem refused a path the user gave (too long, no access)
        where = exc.filename if isinstance(exc.filename, str) else None
        if where and len(where) > 80:
            where = where[:38] + "..." + where[-38:]
        print_error(UserError(exc.strerror or str(exc), where=where,
                              hint=_OS_HINTS.get(exc.errno, "check the path")).format())
        return EXIT_USER


def _exit(code: int) -> NoReturn:
    """Exit with the command's outcome, now final: a stop signal from here on ends the process
    at once with that code (an atexit callback or a thread being joined would otherwise show a
    KeyboardInterrupt traceback; autogradcli/__init__ blocks them for the very last steps)."""
    def exit_now(signum, frame):
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)

    for signum in _STOPPED:
        signal.signal(signum, exit_now)
    gc.freeze()  # the interpreter's final collection then skips every object: a faster exit
    sys.exit(code)


def _plain_metavars(command):
    """Help that shows how to write each option: flags with no value (typer's `<bool>` makes
    users try `--overwrite true`), arguments by their name alone (not `<list[Path]>`)."""
    for param in command.params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif getattr(param, "multiple", False) and param.metavar is None:
            param.metavar = param.name.upper()  # --kind KIND (repeatable), not <list[str]>
        elif param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None
    make_help_option = command.get_help_option

    def get_help_option(ctx):
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option
    return command


_OS_HINTS = {
    errno.EACCES: "this user may not use that place: make it writable (chmod u+w), or choose "
                  "another folder (--out DIR)",
    errno.EROFS: "the file system is read-only: choose another folder (--out DIR)",
    errno.ENAMETOOLONG: "choose a shorter path",
    errno.ENOSPC: "free some space, or choose a folder on another disk (--out DIR)",
}
_OS_HINTS[errno.EPERM] = _OS_HINTS[errno.EACCES]


def _flags_of(ctx) -> list[str]:
    if ctx is None:
        return []
    return sorted(opt for param in ctx.command.params for opt in getattr(param, "opts", [])
                  if opt.startswith("--"))
