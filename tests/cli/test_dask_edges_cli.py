"""Dask edges through the installed command, on loopback only: an address Dask cannot use, a
port where something else listens, a scheduler without workers, workers that all die. Each
ends with one message naming the address (no late "Exception ignored" traceback)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, TRAIN

pytest.importorskip("dask.distributed")

TUTORIAL = CONFIGS / "seed_linear.yaml"
SCHEDULER = """
import asyncio
from distributed import Scheduler
async def main():
    async with Scheduler(host="127.0.0.1", port=0, dashboard=False) as scheduler:
        print(scheduler.address, flush=True)
        await asyncio.sleep(600)
asyncio.run(main())
"""


def sweep(scheduler: str, cwd: Path, *extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    # the old behaviour hung for minutes: the timeout fails the test instead
    return subprocess.run([*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=0.1,0.2",
                           "--executor", "dask", "--scheduler", scheduler, "--out", "sweep",
                           *extra], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def refused(done, *needles) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: --scheduler "), done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


@pytest.mark.parametrize(("address", "needle"), [
    ("http://127.0.0.1:8786", "Dask schedulers are not reached over http://"),
    ("udp://127.0.0.1:8786", "Dask schedulers are not reached over udp://"),
    ("127.0.0.1", "the scheduler address has no port"),
    ("tcp://127.0.0.1", "hint: add the scheduler's port, e.g. tcp://127.0.0.1:8786"),
    ("tls://127.0.0.1:8786", "tls:// needs certificates, and Dask's configuration names none"),
])
def test_an_address_dask_cannot_use_is_one_message(address, needle, tmp_path):
    refused(sweep(address, tmp_path), needle)
    assert not (tmp_path / "sweep").exists()


@pytest.fixture
def silent_port():
    """A TCP server on loopback that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    held, stop = [], threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_an_open_port_that_is_not_a_scheduler_times_out_with_the_address(silent_port,
                                                                          tmp_path):
    address = f"tcp://127.0.0.1:{silent_port}"
    refused(sweep(address, tmp_path),
            f"cannot use {address}: nothing answered as a Dask scheduler within 5 s")


@pytest.fixture
def scheduler():
    """A Dask scheduler with no workers, in a process of its own."""
    process = subprocess.Popen([sys.executable, "-c", SCHEDULER], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    address = process.stdout.readline().strip()
    assert address.startswith("tcp://127.0.0.1:"), address
    yield address
    process.terminate()
    process.wait(timeout=30)


def test_a_scheduler_without_workers_says_so(scheduler, tmp_path):
    refused(sweep(scheduler, tmp_path), f"the Dask scheduler at {scheduler} has no workers",
            f"hint: start some: dask worker {scheduler}")


@pytest.mark.filterwarnings("ignore")
def test_workers_that_all_die_end_the_sweep_with_a_message(scheduler, tmp_path):
    from dask.distributed import Client

    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
                               "--no-nanny", "--nthreads", "1"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADCLI_FAULT"}
    run = subprocess.Popen([*TRAIN, str(TUTORIAL), "--sweep", "optimizer.lr=0.1,0.2",
                            "--set", "training.epochs=100000", "--executor", "dask",
                            "--scheduler", scheduler, "--out", "sweep", "--quiet"],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        with Client(scheduler, set_as_default=False) as client:
            deadline = time.monotonic() + 60
            while not any(client.processing().values()):  # a run is on the worker
                assert run.poll() is None, run.communicate()
                assert time.monotonic() < deadline, "no run ever started on the worker"
                time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        out, err = run.communicate(timeout=60)
    finally:
        worker.kill()
        run.kill()
    assert run.returncode == 1, out + err
    assert "Traceback" not in err
    rows = (tmp_path / "sweep" / "sweep.csv").read_text()
    assert rows.count("failed") == 2 and f"no Dask worker left alive at {scheduler}" in rows
