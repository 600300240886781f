"""Stop signals (Ctrl-C, SIGTERM, SIGHUP) take effect between steps, never inside one.

While a run trains, a stop signal only sets a flag; the loop checks it after each step and each
epoch, where the rows, counters and files agree, and ends the run `interrupted`. A second signal
while the run is being saved is ignored, so the summary is always written.
"""

from __future__ import annotations

import signal
import threading

ENABLED = True  # a sweep worker turns this off: its parent stops it, at once

STOP_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
                     if s is not None)


class Stopped(KeyboardInterrupt):
    """A run stopped by a signal; still a KeyboardInterrupt, so scripts stop as usual."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class DeferredStops:
    """`with DeferredStops() as stops:` ... `stops.check()` at safe points."""

    def __init__(self):
        self.pending: int | None = None
        self._previous: dict = {}

    def check(self) -> None:
        """Raise Stopped if a stop signal arrived since the run began."""
        if self.pending is not None:
            raise Stopped(self.pending)

    def _handler(self, signum, frame) -> None:
        if self.pending is None:
            self.pending = signum

    def __enter__(self) -> DeferredStops:
        if ENABLED and threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                if signal.getsignal(signum) is signal.SIG_IGN:
                    continue  # ignored on purpose (a sweep worker leaves Ctrl-C to its parent)
                self._previous[signum] = signal.signal(signum, self._handler)
        return self

    def __exit__(self, *exc) -> bool:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()
        return False
