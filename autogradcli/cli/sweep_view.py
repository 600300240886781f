"""What autograd-train shows while a sweep runs: a bar over runs with an ETA, one line per run in
flight, the finished runs ranked by the objective; plain lines off a terminal.

Draws with rich (loaded only on a terminal); the sweep's events (sweeps.table.SweepStart, RunDone,
InFlight) arrive as arguments, so it imports nothing of the API.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from autogradcli.cli.progress import _num

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["SweepReporter"]

SHOWN = 8  # finished runs listed live (the whole table follows at the end)


class SweepReporter:
    """The `progress` callback of api.sweep; use it as a context manager around the sweep."""

    def __init__(self, console: Console):
        self.console = console
        self.live_view = console.is_terminal and not console.is_dumb_terminal
        self._live = None
        self._start = None
        self._began = time.perf_counter()
        self._ran = 0  # runs executed now (not kept from an earlier sweep): the ETA's pace
        self._done = 0
        self._flight: dict[str, tuple] = {}
        self._finished: list[Any] = []

    def __enter__(self) -> SweepReporter:
        self._began = time.perf_counter()
        return self

    def __exit__(self, *exc) -> bool:
        if self._live is not None:
            self._live.update(self._render(final=True))
            self._live.stop()
            self._live = None
        return False

    def __call__(self, event: Any) -> None:
        kind = type(event).__name__
        new_run = False
        if kind == "SweepStart":
            self._started(event)
        elif kind == "RunDone":
            self._run_done(event)
        elif kind == "InFlight":
            before = set(self._flight)
            self._flight = {name: tuple(rest) for name, *rest in event.runs}
            new_run = set(self._flight) != before
        if self._live is not None:
            # a run starting or ending draws a frame at once (the 4 Hz ticks could miss a short
            # run altogether); other updates wait for the next tick
            self._live.update(self._render(), refresh=kind != "InFlight" or new_run)

    # ----------------------------------------------------------------------------- events

    def _started(self, event: Any) -> None:
        self._start = event
        self._began = time.perf_counter()
        how = event.strategy
        if event.rungs:
            steps = ", ".join(f"{n} x {e} epochs" for n, e in event.rungs)
            how = f"halving: {steps}"
        self._header = f"sweep -> {event.folder}: {event.total} runs ({how}), ranked by " \
                       f"{event.objective}"
        if not self.live_view:
            self._line(self._header)
            return
        from rich.live import Live

        self._live = Live(self._render(), console=self.console, refresh_per_second=4,
                          transient=False)
        self._live.start(refresh=True)  # the first frame (0 runs done) at once, not a tick later

    def _run_done(self, event: Any) -> None:
        self._done = event.done
        self._flight.pop(event.name, None)
        if not event.skipped:
            self._ran += 1
        self._finished = [r for r in self._finished if r.name != event.name] + [event]
        if not self.live_view:
            self._line(self._plain(event))

    def _plain(self, event: Any) -> str:
        values = ", ".join(f"{k}={v}" for k, v in event.values.items())
        text = (f"[{event.done}/{event.total}] {event.status:<11} {values}"
                f"{_epochs(event)}  {self._objective()} {_num(event.objective)}")
        if event.skipped:
            text += "  (kept from an earlier sweep)"
        elif event.status != "completed":
            text += f"  ({event.message})"
        eta = self._eta()
        return text + (f"  eta {eta}" if eta and event.done < event.total else "")

    # ---------------------------------------------------------------------------- drawing

    def _objective(self) -> str:
        return self._start.objective if self._start is not None else "loss"

    def _eta(self) -> str:
        total = self._start.total if self._start is not None else 0
        if self._ran == 0 or total <= self._done:
            return ""
        pace = (time.perf_counter() - self._began) / self._ran
        return _duration(pace * (total - self._done))

    def _render(self, final: bool = False):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        total = self._start.total if self._start is not None else 0
        eta = self._eta()
        bar = Table.grid(padding=(0, 1))
        bar.add_row(ProgressBar(total=max(total, 1), completed=self._done, width=30),
                    Text(f"{self._done}/{total} runs"),
                    Text(f"eta {eta}" if eta and not final else
                         f"{_duration(time.perf_counter() - self._began)}"))
        parts = [Text(self._header, overflow="fold"), bar]
        if not final:
            for name, (values, epoch, epochs, loss) in self._flight.items():
                shown = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in values.items())
                where = f"epoch {epoch}/{epochs}" if epoch is not None else "starting"
                parts.append(Text(f"  running {shown}  {where}  loss {_num(loss)}  ({name})",
                                  overflow="ellipsis", no_wrap=True))
        if self._finished and not final:  # the whole table follows the sweep
            parts.append(self._table())
        return Group(*parts)

    def _table(self):
        from rich.table import Table

        ranked = _ranked(self._finished, self._start)
        table = Table(title=f"best so far by {self._objective()}", title_justify="left",
                      box=None, padding=(0, 1))
        keys = list(ranked[0].values)
        for key in keys:
            table.add_column(key.rsplit(".", 1)[-1], justify="right", no_wrap=True)
        for label in ("epochs", self._objective(), "status"):
            table.add_column(label, justify="right" if label != "status" else "left")
        for event in ranked[:SHOWN]:
            table.add_row(*(str(event.values.get(k)) for k in keys),
                          "" if event.epochs is None else str(event.epochs),
                          _num(event.objective), event.status)
        if len(ranked) > SHOWN:
            table.add_row(*[""] * len(keys), "", f"+{len(ranked) - SHOWN} more", "")
        return table

    def _line(self, text: str) -> None:
        self.console.file.write(text + "\n")
        self.console.file.flush()


def _ranked(events: list, start: Any) -> list:
    sign = -1.0 if start is not None and start.maximize else 1.0
    halving = start is not None and bool(start.rungs)
    scored = [e for e in events if e.objective is not None]
    # with halving, the runs that went furthest come first: their numbers are the comparable ones
    scored.sort(key=lambda e: (-(e.epochs or 0) if halving else 0, sign * e.objective))
    return scored + [e for e in events if e.objective is None]


def _epochs(event: Any) -> str:
    return "" if event.epochs is None else f"  epochs {event.epochs}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
