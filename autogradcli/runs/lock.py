"""One writer per run (or sweep) folder: an exclusive lock file held for the life of the run.

`.lock` is created with O_EXCL (atomic on every local filesystem) and holds the holder's PID,
host and start time. A lock whose process is gone (same host, no such PID) is stale and taken
over; a live one refuses the second writer, naming the holder. Readers use `holder()` to tell a
run that is still going from one that was killed (its summary still says `running`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from autogradcli.errors import RunFolderError

LOCK = ".lock"


def holder(folder: Path) -> dict | None:
    """Who holds the folder's lock, if a live process does; None when free or stale."""
    info = _read(Path(folder) / LOCK)
    return info if info is not None and _alive(info) else None


class FolderLock:
    """`with FolderLock(folder, what="run"):` claims the folder or raises RunFolderError."""

    def __init__(self, folder: Path, what: str = "run"):
        self.path = Path(folder) / LOCK
        self.what = what
        self.held = False

    def acquire(self) -> FolderLock:
        info = {"pid": os.getpid(), "host": _host(), "since": time.time()}
        for _ in range(2):  # a second try after clearing a stale lock
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = _read(self.path)
                if other is not None and _alive(other):
                    raise RunFolderError(
                        f"this {self.what} folder is in use by process {other.get('pid')} on "
                        f"{other.get('host')} (since {_when(other)})", where=str(self.path.parent),
                        hint="wait for it to finish, or write to another folder ({--out})"
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()  # stale: its process is gone
                continue
            except OSError as exc:
                raise RunFolderError(f"cannot lock the {self.what} folder: "
                                     f"{exc.strerror or exc}", where=str(self.path.parent),
                                     hint="write to a folder you can write to ({--out})") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
            self.held = True
            return self
        raise RunFolderError(f"cannot claim the {self.what} folder: another process keeps "
                             "claiming it", where=str(self.path.parent))

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.held = False

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> bool:
        self.release()
        return False


def _read(path: Path) -> dict | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None if not path.exists() else {}  # unreadable: treated as stale
    return info if isinstance(info, dict) else {}


def _alive(info: dict) -> bool:
    """Whether the lock's process still runs (only knowable on this host: elsewhere, assume so)."""
    pid = info.get("pid")
    if not isinstance(pid, int):
        return False
    if info.get("host") != _host():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _when(info: dict) -> str:
    since = info.get("since")
    if not isinstance(since, (int, float)):
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))


def _host() -> str:
    """This machine's name: os.uname()'s, which is what socket.gethostname() returns on POSIX
    (without importing socket on every command's start-up)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()
