"""What autograd-train shows on a real terminal (a pseudo-terminal read by a terminal emulator,
pyte) and off one: the live bar fits the width, carries the numbers, and ends once."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, TRAIN

pyte = pytest.importorskip("pyte", reason="the terminal tests read the screen with pyte")

MLP = CONFIGS / "mlp_cosine_early_stopping.yaml"  # 1,500 steps, validation loss and a metric


def on_terminal(args, cwd, columns, interrupt_at=None, rows=60):
    """Run a command on a pseudo-terminal `columns` wide; with `interrupt_at` (a step), hold the
    run after that step (AUTOGRADCLI_FAULT's gate) and press Ctrl-C there, so that it lands
    mid-run however fast the machine. Returns the exit code and the screen's non-empty lines."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    gate = Path(cwd) / "gate"
    if interrupt_at:
        env["AUTOGRADCLI_FAULT"] = f"wait:{interrupt_at}:{gate}"

    def controlling_terminal():  # so that ^C on the terminal reaches the command as SIGINT
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, preexec_fn=controlling_terminal)
    os.close(slave)
    output, pressed = b"", False
    while True:
        if interrupt_at and not pressed and Path(f"{gate}.reached").exists():
            os.write(master, b"\x03")
            time.sleep(0.2)  # the stop is honoured at the next step: open the gate to it
            gate.touch()
            pressed = True
        if not select.select([master], [], [], 0.05)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    code = proc.wait(timeout=120)
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(output)
    return code, [line.rstrip() for line in screen.display if line.strip()]


def bar_lines(lines):
    return [line for line in lines if "/1500" in line]


@pytest.mark.parametrize("columns", [40, 80, 160])
def test_the_bar_fits_the_terminal_and_ends_once_after_ctrl_c(tmp_path, columns):
    code, lines = on_terminal([*TRAIN, str(MLP), "--out", "run"], tmp_path, columns,
                              interrupt_at=200)
    assert code == 130, "\n".join(lines)
    bars = bar_lines(lines)
    assert len(bars) == 1, "\n".join(lines)  # one final bar line: not printed twice, not folded
    bar = bars[0]
    assert "loss " in bar
    assert any(ch.isdigit() for ch in bar.rsplit(" ", 1)[-1])  # the ETA closes the line
    if columns >= 80:
        assert "val " in bar and "epoch " in bar
    if columns >= 160:
        assert "val_r2 " in bar and "steps/s" in bar and "━" in bar
    if columns <= 40:
        assert "━" not in bar  # the bar goes before the numbers do
    assert any(line.startswith("interrupted (Ctrl-C)") for line in lines), "\n".join(lines)


def test_off_a_terminal_the_tables_are_ascii_without_trailing_spaces(tmp_path):
    done = subprocess.run([*TRAIN, str(CONFIGS / "iris_logistic.yaml"), "--out", "run"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()
    assert [line for line in done.stdout.splitlines() if line != line.rstrip()] == []
    assert "| val accuracy" in done.stdout
    assert "run: completed" in done.stdout
