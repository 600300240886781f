"""User-facing error types (STYLE.md section 6): what was wrong, where, and what to do.

Imports only the standard library; every layer may import it. Only `cli/` prints these.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (bad config, missing file, ...); the CLI exits with code 2.

    `where` locates it: "configs/x.yaml:14: optimizer.lr", "data.csv:7: column 'bmi'", a folder.
    `hint` says what to do: the nearest valid key, the range wanted, the flag that allows it.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        return self.format(prefix="")

    def format(self, prefix: str = "error: ") -> str:
        """The one message layout: `error: WHERE: MESSAGE` and, if any, `  hint: HINT` below."""
        head = f"{self.where}: {self.message}" if self.where else self.message
        text = f"{prefix}{head}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, where={self.where!r}, hint={self.hint!r})"


class ConfigError(UserError):
    """The experiment config (YAML file or --set override) is missing, malformed or invalid."""


class DataError(UserError):
    """The data cannot be loaded or used: missing CSV, missing column, non-numeric cell, no rows."""


class RunFolderError(UserError):
    """The run folder cannot be written (exists without --overwrite) or read."""
