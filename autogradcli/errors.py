"""User-facing errors: what was wrong, where, and what to do; and the one "did you mean" wording.

Imports only the standard library; every layer may import it. Only `cli/` prints these.

A message names a setting the user passed as `{--name}` (e.g. "pass {--overwrite} to replace it").
Formatting spells it as the caller knows it: the Python API's argument (`overwrite=True`) by
default, the command-line flag (`--overwrite`) when the CLI formats it. So the library never talks
of flags, and the CLI never rewrites the library's sentences.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

# How the Python API spells a setting a message names, where it is not the argument's own name.
API_SPELLING = {"overwrite": "overwrite=True", "set": "override", "sweep": "sweep option",
                "format": "fmt"}

_SETTING = re.compile(r"\{--([a-z][\w-]*)\}")


def spell(text: str | None, flags: bool = False) -> str | None:
    """`text` with every `{--name}` spelled for the API, or as a flag when `flags` is true.

    E.g. `{--overwrite}` -> `overwrite=True` for the API, `--overwrite` as a flag.
    """
    if text is None or "{--" not in text:
        return text
    return _SETTING.sub(lambda m: f"--{m[1]}" if flags else API_SPELLING.get(m[1], m[1]), text)


class UserError(Exception):
    """A mistake the user can fix (bad config, missing file, ...); the CLI exits with code 2.

    `where` locates it: "configs/x.yaml:14: optimizer.lr", "data.csv:7: column 'bmi'", a folder.
    `hint` says what to do: the nearest valid key, the range wanted, the setting that allows it.
    The three read in the API's words; `raw(part)` and `format(flags=True)` keep the `{--name}`s.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self._parts = {"message": message, "where": where, "hint": hint}

    @property
    def message(self) -> str:
        return spell(self._parts["message"])

    @property
    def where(self) -> str | None:
        return spell(self._parts["where"])

    @property
    def hint(self) -> str | None:
        return spell(self._parts["hint"])

    def raw(self, part: str) -> str | None:
        """"message", "where" or "hint" as written, with its `{--name}` settings unspelled."""
        return self._parts[part]

    def remade(self, **parts: str | None) -> UserError:
        """The same error with some parts replaced (given raw), e.g. a more precise `where`."""
        new = type(self)(**{**self._parts, **parts})
        new.__cause__, new.__context__ = self.__cause__, self.__context__
        return new

    def __str__(self) -> str:
        return self.format(prefix="")

    def format(self, prefix: str = "error: ", flags: bool = False) -> str:
        """The one message layout: `error: WHERE: MESSAGE` and, if any, `  hint: HINT` below.

        flags: name the settings as command-line flags (the CLI), not as API arguments.
        """
        message, where, hint = (spell(self._parts[k], flags) for k in ("message", "where", "hint"))
        head = f"{where}: {message}" if where else message
        text = f"{prefix}{head}"
        if hint:
            text += f"\n  hint: {hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, where={self.where!r}, hint={self.hint!r})"


class ConfigError(UserError):
    """The experiment config (YAML file or an override) is missing, malformed or invalid."""


class DataError(UserError):
    """The data cannot be loaded or used: missing CSV, missing column, non-numeric cell, no rows."""


class RunFolderError(UserError):
    """The run folder cannot be written (exists, and overwriting was not asked for) or read."""


# ------------------------------------------------------------------------------ did you mean


def nearest(word: Any, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (difflib), or one it abbreviates or extends (lr / lrate)."""
    word, choices = str(word), [str(c) for c in choices]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = word.lower()
    for choice in choices:
        short, long = sorted((lowered, choice.lower()), key=len)
        if len(short) >= 2 and long.startswith(short):
            return choice
    return None


def did_you_mean(word: Any, choices: Iterable[str], label: str = "Valid keys",
                 limit: int | None = None) -> str:
    """`did you mean 'lr'? Valid keys: kind, lr, ...`: the question only when something is near.

    The one wording for every suggestion: config keys and kinds, CSV columns and class labels,
    files, loss names, figure kinds and parameters. `limit` shortens a long listing.
    """
    choices = [str(c) for c in choices]
    shown = choices if limit is None else choices[:limit]
    listing = f"{label}: {', '.join(shown)}" + (", ..." if len(shown) < len(choices) else "")
    close = nearest(word, choices)
    return f"did you mean '{close}'? {listing}" if close else listing


# ------------------------------------------------------------------------------ odd paths


def path_problem(path: Any) -> str | None:
    """What stands where a file was expected but cannot be read as one, in words: a folder, a
    symbolic link that loops or points nowhere, another special file; None for a regular file
    or a plain missing path (the caller says "not found" and suggests names)."""
    import errno
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops (it points back to itself)"
        if os.path.islink(path):
            return f"is a symbolic link to '{os.readlink(path)}', which does not exist"
        if exc.errno == errno.ENOENT:
            return None
        return f"cannot be used: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a device, pipe or socket)"
    return None
