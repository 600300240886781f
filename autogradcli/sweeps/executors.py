"""Where a sweep's runs execute: inline, local worker processes, or a Dask cluster.

Every executor runs the same picklable `run_task` and hands back a RunOutcome; sweeps.py writes the
results. Imports the standard library and the training API lazily; dask only in the dask path.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from autogradcli.errors import ConfigError, UserError

# The engine's grad mode is a process-wide flag, so runs sharing a process (a Dask worker with
# several threads) must take turns; separate processes run in parallel.
_TRAIN_LOCK = threading.Lock()
_CONNECT_TIMEOUT = 5
_WORKER_WAIT = 5  # seconds a scheduler without workers is given for one to join
TICK = 0.5  # seconds between reports of the runs in flight
_SCHEDULER_HINT = ("check the address (e.g. tcp://host:8786), that `dask scheduler` runs there "
                   "and that its port is open to this machine")


@dataclass
class RunTask:
    """One run: its folder name, its config (seed resolved) and where to train.

    `scratch`: the folder to train into (local executors: beside the final folder, so a CSV data
    path written relative to it stays right); None trains in a temporary folder and returns the
    files' contents (remote workers may not share our filesystem).
    """

    name: str
    config: Any
    scratch: str | None
    resume: bool = False  # continue the stopped run in scratch from its checkpoint
    epochs: int | None = None  # resume and extend the run to this many epochs (halving's rungs)
    files: dict[str, bytes] | None = None  # a remote run to continue: its files, written first


@dataclass
class RunOutcome:
    """What came back: `files` (name -> bytes) if trained remotely, else None (left in scratch)."""

    name: str
    status: str
    message: str
    seconds: float
    files: dict[str, bytes] | None = None


def run_task(task: RunTask, progress=None) -> RunOutcome:
    """Train one run quietly; a user error or crash becomes status `failed`, never an exception.

    KeyboardInterrupt propagates (the run folder says `interrupted`). progress(event): the
    training events (inline runs only: other processes cannot call back).
    """
    began = time.perf_counter()
    remote = task.scratch is None
    parent = Path(tempfile.mkdtemp(prefix="autogradcli-sweep-")) if remote else None
    folder = parent / task.name if remote else Path(task.scratch)
    try:
        if task.files:
            folder.mkdir(parents=True, exist_ok=True)
            for name, content in task.files.items():
                (folder / Path(name).name).write_bytes(content)
        status, message = _train(task.config, folder, task.resume, task.epochs, progress)
        files = _read_files(folder) if remote else None
        return RunOutcome(task.name, status, message, time.perf_counter() - began, files)
    finally:
        if parent is not None:
            shutil.rmtree(parent, ignore_errors=True)


def _train(config: Any, folder: Path, resume: bool = False, epochs: int | None = None,
           progress=None) -> tuple[str, str]:
    from autogradcli.training.experiment import resume_experiment, run_experiment

    overrides = [] if epochs is None else [f"training.epochs={epochs}"]
    with _TRAIN_LOCK:
        try:
            if resume:
                try:
                    result = resume_experiment(folder, overrides=overrides, progress=progress,
                                               track=False)
                    return result.status, result.message
                except UserError:
                    pass  # it cannot continue after all: train it afresh, the same run
            result = run_experiment(config, out=folder, overwrite=True, progress=progress,
                                    track=False)
        except UserError as exc:
            return "failed", exc.format(prefix="")
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            return "failed", f"{type(exc).__name__}: {exc}"
    return result.status, result.message


def _read_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------------------------- executors


def run_inline(tasks: list[RunTask], progress=None) -> Iterator[RunOutcome]:
    """jobs=1: one run after another in this process (no start-up cost); progress(name, event)
    gets each run's training events."""
    for task in tasks:
        yield run_task(task, None if progress is None else partial(progress, task.name))


def _quiet_worker() -> None:
    # Ctrl-C and a closed terminal reach the whole process group; the parent alone decides how
    # to stop. The pool stops a worker with SIGTERM: it ends at once, without a word (a forked
    # worker inherits the console script's handler, which made an idle worker print a
    # KeyboardInterrupt traceback under the parent's one-line message).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from autogradcli.training import interrupts

    interrupts.ENABLED = False  # the loop leaves SIGTERM alone too
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when its parent dies (even by SIGKILL), so no worker goes on
    training queued runs for nobody; its run folder is left resumable. Elsewhere the pool's own
    shutdown has to do."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl: go now
            os.kill(os.getpid(), signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _start_method() -> str:
    # fork starts a worker in milliseconds (nothing to import again), which decides the speed-up
    # of short runs; it is safe only on Linux and in a process without other threads (a Dask
    # client, a test harness). spawn everywhere else.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


class LocalPool:
    """`jobs` worker processes that ignore Ctrl-C (the parent stops them)."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        context = multiprocessing.get_context(_start_method())
        self._pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_quiet_worker)
        return self

    def run(self, tasks: list[RunTask], progress=None) -> Iterator[RunOutcome | None]:
        """Outcomes in completion order, and None every half second while runs execute (the
        sweep then reports the runs in flight)."""
        pending = {self._pool.submit(run_task, task): task for task in tasks}
        while pending:
            done, _ = wait(pending, timeout=TICK, return_when=FIRST_COMPLETED)
            if not done:
                yield None
            for future in sorted(done, key=lambda f: tasks.index(pending[f])):
                task = pending.pop(future)
                yield _outcome_of(future, task)

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is None:
            self._pool.shutdown(wait=True)
        else:
            self._stop()
        return False

    def _stop(self) -> None:
        """Cancel what has not started and end the workers now (runs in flight are redone later)."""
        # No public way to end busy workers before Python 3.14's terminate_workers(); shutdown()
        # forgets them, so take the list first.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)


def _outcome_of(future, task: RunTask) -> RunOutcome:
    try:
        return future.result()
    except Exception as exc:
        return RunOutcome(task.name, "failed", f"worker lost: {type(exc).__name__}: {exc}", 0.0)


class DaskPool:
    """The runs as tasks on a Dask distributed cluster; files come back with the results."""

    def __init__(self, scheduler: str | None):
        self.scheduler = scheduler
        self._client = None
        self._futures: list = []

    def connect(self) -> None:
        """Import dask and reach the scheduler, or raise a UserError saying what to do."""
        where = f"{{--scheduler}} {self.scheduler}"
        try:
            from dask.distributed import Client
        except ImportError:
            raise UserError("the dask executor needs dask.distributed, which is not installed",
                            hint="pip install 'autogradcli[distributed]'") from None
        address = _check_address(self.scheduler, where)
        _probe(address, where)
        workers = _identify(address, where)
        try:
            self._client = Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler: {_first_line(exc)}", where=where,
                              hint=_SCHEDULER_HINT) from None
        if workers == 0:
            self._wait_for_a_worker(address, where)

    def _wait_for_a_worker(self, address: str, where: str) -> None:
        """A scheduler without workers would hold the tasks forever: give workers a moment to
        join, then say so."""
        try:
            self._client.wait_for_workers(1, timeout=_WORKER_WAIT)
        except (TimeoutError, OSError):
            self._client.close()
            raise ConfigError(f"the Dask scheduler at {address} has no workers (none joined "
                              f"within {_WORKER_WAIT} s)", where=where,
                              hint=f"start some: dask worker {address} --nthreads 1") from None

    def __enter__(self):
        if self._client is None:
            self.connect()
        return self

    def run(self, tasks: list[RunTask], progress=None) -> Iterator[RunOutcome]:
        """Runs on the cluster report only when they finish (progress is not sent back)."""
        # pure=False: a rerun must train again, not reuse a cached result. Dask returns the
        # result it holds for a key it knows, so every submission needs a key never used before:
        # `id(task)` was reused by the next halving rung's task of the same trial while the old
        # futures were still held, and the rung silently got the previous rung's run back.
        self._futures = self._client.map(run_task, tasks, pure=False,
                                         key=[_task_key(t) for t in tasks])
        by_key = {future.key: task for future, task in zip(self._futures, tasks)}
        finished: queue.Queue = queue.Queue()
        for future in self._futures:
            future.add_done_callback(finished.put)
        pending, alone_since = {f.key: f for f in self._futures}, None
        while pending:
            try:
                future = finished.get(timeout=1)
            except queue.Empty:  # a second without news: is any worker left?
                alone_since = self._no_workers_since(alone_since)
            else:
                alone_since = None
                if pending.pop(future.key, None) is not None:
                    yield _outcome_of(future, by_key[future.key])
                continue
            if alone_since is not None and time.monotonic() - alone_since > _WORKER_WAIT:
                self._client.cancel(list(pending.values()))
                message = (f"no Dask worker left alive at {self.scheduler} (none for "
                           f"{_WORKER_WAIT} s): start workers, then rerun the sweep")
                for key in pending:
                    yield RunOutcome(by_key[key].name, "failed", message, 0.0)
                return
        self._futures = []  # all came back: the cluster may forget them (and their files)

    def _no_workers_since(self, since: float | None) -> float | None:
        """When the cluster was last seen without workers began (None while it has some)."""
        try:
            alive = bool(self._client.nthreads())
        except (OSError, TimeoutError):
            alive = False
        if alive:
            return None
        return since if since is not None else time.monotonic()

    def __exit__(self, kind, exc, tb) -> bool:
        try:
            if kind is not None and self._futures:
                self._client.cancel(self._futures)
        finally:
            self._client.close()
        return False


def _task_key(task: RunTask) -> str:
    """A Dask key unique to this submission, readable on the dashboard: the run's name, the
    epochs it trains to (halving's rung) and a random part."""
    rung = f"-e{task.epochs}" if task.epochs is not None else ""
    return f"autogradcli-{task.name}{rung}-{uuid.uuid4().hex}"


_SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


def _check_address(address: str, where: str) -> str:
    """The address as Dask takes it (tcp:// added), or ConfigError for a protocol Dask does not
    speak or a missing port, before any client exists (a failed Client lingers for 10 s)."""
    text = (address or "").strip()
    scheme, _, rest = text.rpartition("://") if "://" in text else ("tcp", "", text)
    if scheme not in _SCHEMES:
        raise ConfigError(f"Dask schedulers are not reached over {scheme}://", where=where,
                          hint=f"use tcp://HOST:PORT (or tls:// with certificates), e.g. "
                               f"tcp://{rest.split(':')[0] or 'host'}:8786")
    if scheme != "inproc" and not re.search(r":\d+/?$", rest):
        raise ConfigError("the scheduler address has no port", where=where,
                          hint=f"add the scheduler's port, e.g. {scheme}://{rest.rstrip('/')}:8786")
    return f"{scheme}://{rest}"


def _identify(address: str, where: str) -> int | None:
    """Ask what listens there (Dask's identity call, {_CONNECT_TIMEOUT} s in all): the number of
    its workers, or ConfigError when no Dask scheduler answers in time."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def identity():
        kwargs = Security().get_connection_args("client")
        comm = await connect(address, timeout=_CONNECT_TIMEOUT, **kwargs)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded():
        return await asyncio.wait_for(identity(), _CONNECT_TIMEOUT)

    try:
        reply = asyncio.run(bounded())
    except (TimeoutError, asyncio.TimeoutError):
        reply = None
        problem = f"nothing answered as a Dask scheduler within {_CONNECT_TIMEOUT} s"
    except Exception as exc:  # Dask raises many kinds; each is one message
        reply, problem = None, _first_line(exc)
    else:
        problem = "the program listening there is not a Dask scheduler"
    hint = _SCHEDULER_HINT
    if "ssl_context" in problem:
        problem = "tls:// needs certificates, and Dask's configuration names none"
        hint = ("set distributed.comm.tls.ca-file, .client.cert and .client.key in Dask's "
                "configuration (e.g. ~/.config/dask/distributed.yaml), or use tcp://")
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ConfigError(f"cannot use {address}: {problem}", where=where, hint=hint)
    workers = reply.get("n_workers", reply.get("workers"))
    return workers if isinstance(workers, int) else None


def _probe(address: str, where: str) -> None:
    """Fail in milliseconds on a refused tcp:// address (Dask itself retries until its timeout)."""
    match = re.match(r"^(?:tcp://)?\[?([^\]/]+?)\]?:(\d+)/?$", address.strip())
    if match is None or ("://" in address and not address.startswith("tcp://")):
        return  # tls://, inproc://, a scheduler file...: leave it to Dask
    host, port = match.group(1), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, (TimeoutError, socket.timeout)):
            reason = f"no answer within {_CONNECT_TIMEOUT} s"
        raise ConfigError(f"cannot reach the Dask scheduler at {host}:{port}: {reason}",
                          where=where, hint=_SCHEDULER_HINT) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def open_executor(executor: str, jobs: int, scheduler: str | None, n_tasks: int):
    """A context manager with .run(tasks) -> iterator of RunOutcome, in completion order.

    Dask connects here, so an unreachable scheduler fails before anything is written.
    """
    if executor == "dask":
        pool = DaskPool(scheduler)
        pool.connect()
        return pool
    if jobs == 1 or n_tasks <= 1:
        return _Inline()
    return LocalPool(min(jobs, n_tasks))


class _Inline:
    def __enter__(self):
        return self

    def run(self, tasks: list[RunTask], progress=None) -> Iterator[RunOutcome]:
        return run_inline(tasks, progress)

    def __exit__(self, *exc) -> bool:
        return False

