"""Nothing lost, nothing unclear, through the installed commands: one writer per folder,
--overwrite never touches what the tool did not write, stops that leave consistent files,
failed writes that end cleanly, workers that die with their sweep, and impossible input refused.
Races use the AUTOGRADCLI_FAULT hooks (a step the test chooses), never sleeps."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import CONFIGS, PLOT, TRAIN

TUTORIAL = CONFIGS / "seed_linear.yaml"
MLP = CONFIGS / "mlp_nonlinear.yaml"


def env_with(fault: str | None = None) -> dict:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("AUTOGRADCLI_FAULT", None)
    if fault:
        env["AUTOGRADCLI_FAULT"] = fault
    return env


def train(*args, cwd: Path, fault: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*TRAIN, *map(str, args)], cwd=cwd, env=env_with(fault),
                          capture_output=True, text=True, timeout=120, check=False, **kwargs)


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def history_rows(folder: Path) -> list[str]:
    return (folder / "history.csv").read_text().splitlines()[1:]


def user_error(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: "), done.stderr
    return done.stderr


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the first run never reached its step"
        time.sleep(0.01)


def test_a_second_writer_is_refused_while_the_first_trains(tmp_path):
    gate = tmp_path / "gate"
    first = subprocess.Popen([*TRAIN, str(TUTORIAL), "--out", "run", "--quiet"], cwd=tmp_path,
                             env=env_with(f"wait:35:{gate}"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for(Path(str(gate) + ".reached"), first)
        for extra in ([], ["--overwrite"]):
            stderr = user_error(train(TUTORIAL, "--out", "run", *extra, cwd=tmp_path))
            assert f"in use by process {first.pid}" in stderr
        assert f"in use by process {first.pid}" in user_error(
            train("--resume", "run", cwd=tmp_path))
    finally:
        gate.touch()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    data = summary(tmp_path / "run")
    assert data["status"] == "completed" and data["steps"] == 100
    assert len(history_rows(tmp_path / "run")) == 100
    assert not (tmp_path / "run" / ".lock").exists()


def test_overwrite_never_replaces_files_the_tool_did_not_write(tmp_path):
    (tmp_path / "config.yaml").write_text("# my config, with comments\n")
    (tmp_path / "data.csv").write_text("x,y\n1,2\n")
    stderr = user_error(train(TUTORIAL, "--out", ".", "--overwrite", cwd=tmp_path))
    assert "not a run folder written by autograd-train" in stderr
    assert (tmp_path / "config.yaml").read_text() == "# my config, with comments\n"
    assert (tmp_path / "data.csv").read_text() == "x,y\n1,2\n"


@pytest.mark.parametrize("step", [1, 37, 50, 99])
def test_ctrl_c_at_any_step_leaves_rows_counters_and_summary_in_agreement(step, tmp_path):
    done = train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path, fault=f"int:{step}")
    assert done.returncode == 130, done.stderr
    data = summary(tmp_path / "run")
    rows = history_rows(tmp_path / "run")
    assert data["status"] == "interrupted" and data["steps"] == step == len(rows)
    assert rows[-1].startswith(f"{(step - 1) // 10 + 1},{step},")
    epochs = (tmp_path / "run" / "epochs.csv").read_text().splitlines()[1:]
    assert len(epochs) == data["epochs_completed"] == (step - 1) // 10  # an epoch ends after
    # its evaluation: stopped right after its last step, it is not counted
    assert not (tmp_path / "run" / ".lock").exists()


@pytest.mark.parametrize(("fault", "code", "word"), [("term", 143, "SIGTERM"),
                                                      ("hup", 129, "SIGHUP")])
def test_sigterm_and_sighup_stop_like_ctrl_c(fault, code, word, tmp_path):
    done = train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path, fault=f"{fault}:42")
    assert done.returncode == code, done.stderr
    assert word in done.stderr and "Traceback" not in done.stderr
    data = summary(tmp_path / "run")
    assert data["status"] == "interrupted" and data["steps"] == 42
    assert f"interrupted by {word}" in data["message"]


def test_a_killed_run_reads_as_stopped_not_running(tmp_path):
    done = train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path, fault="kill:42")
    assert done.returncode == -signal.SIGKILL
    assert summary(tmp_path / "run")["status"] == "running"
    code = ("from autogradcli.runs.reader import load_run; "
            f"print(load_run({str(tmp_path / 'run')!r}).status)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "stopped"


def test_a_failed_write_ends_the_run_failed_with_whole_rows(tmp_path):
    def small_files():  # "disk full" for this process: files may not grow past 40 KB
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    done = train(MLP, "--out", "run", "--quiet", cwd=tmp_path, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    data = summary(tmp_path / "run")
    assert data["status"] == "failed"
    assert "File too large" in data["message"] and "free some space" in data["message"]
    text = (tmp_path / "run" / "history.csv").read_text()
    assert text.endswith("\n")
    width = len(text.splitlines()[0].split(","))
    assert all(len(line.split(",")) == width for line in text.splitlines())


def test_sweep_workers_die_with_their_parent(tmp_path):
    sweep = subprocess.Popen([*TRAIN, str(MLP), "--sweep", "optimizer.lr=0.01,0.02,0.03,0.04",
                              "--jobs", "2", "--out", str(tmp_path / "sweep"), "--quiet"],
                             cwd=tmp_path, env=env_with(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "sweep").glob(".partial-*/history.csv")):
        assert time.monotonic() < deadline and sweep.poll() is None
        time.sleep(0.01)
    workers = [int(p) for p in subprocess.run(
        ["pgrep", "-P", str(sweep.pid)], capture_output=True, text=True).stdout.split()]
    assert workers
    sweep.kill()
    sweep.wait()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


def test_a_history_cut_inside_its_last_row_is_plotted_without_it(tmp_path):
    assert train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path).returncode == 0
    history = tmp_path / "run" / "history.csv"
    history.write_text(history.read_text()[:-9])
    done = subprocess.run([*PLOT, "run", "--kind", "loss"], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "last row was cut short" in done.stderr


def test_resume_checks_the_files_not_only_the_summary(tmp_path):
    train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path, fault="kill:42")
    (tmp_path / "run" / "history.csv").unlink()
    assert "history.csv missing" in user_error(train("--resume", "run", cwd=tmp_path))


@pytest.mark.parametrize(("override", "message"), [
    ("optimizer.lr=.inf", "optimizer.lr (from --set optimizer.lr=.inf): expected a finite"),
    ("data.x_range=[0,.inf]", "expected a finite number, got inf"),
    ("data.noise=1e400", "data.noise"),
    ("name=../../escaped", "a name is one folder name"),
    ("name=" + "n" * 300, "at most 100 characters"),
])
def test_impossible_values_are_refused_before_anything_runs(override, message, tmp_path):
    assert message in user_error(train(TUTORIAL, "--set", override, cwd=tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["train", "plot", "predict", "eval"])
def test_every_command_has_version_and_short_help(command):
    module = [sys.executable, "-m", f"autogradcli.cli.{command}"]
    version = subprocess.run([*module, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("autogradcli 0.")
    short = subprocess.run([*module, "-h"], capture_output=True, text=True, check=False,
                           env=env_with())
    assert short.returncode == 0 and "Usage:" in short.stdout


def test_a_second_sweep_into_a_busy_sweep_folder_is_refused(tmp_path):
    from autogradcli.runs.lock import FolderLock

    (tmp_path / "sweep").mkdir()
    with FolderLock(tmp_path / "sweep", "sweep"):  # as another sweep would hold it
        stderr = user_error(train(TUTORIAL, "--sweep", "optimizer.lr=0.01,0.02", "--out",
                                  "sweep", cwd=tmp_path))
    assert f"this sweep folder is in use by process {os.getpid()}" in stderr


@pytest.mark.parametrize(("config", "lr"), [(TUTORIAL, "50"), (MLP, "5")])
def test_a_diverged_run_still_plots_its_finite_part(config, lr, tmp_path):
    done = train(config, "--out", "run", "--quiet", "--set", f"optimizer.lr={lr}",
                 "--set", "training.epochs=30", cwd=tmp_path)
    assert done.returncode == 1 and summary(tmp_path / "run")["status"] == "diverged"
    plotted = subprocess.run([*PLOT, "run"], cwd=tmp_path, capture_output=True, text=True,
                             check=False)
    assert plotted.returncode == 0, plotted.stderr
    assert "Traceback" not in plotted.stderr
    assert (tmp_path / "run" / "figures" / "loss.png").is_file()
    code = ("from autogradcli.runs.reader import load_run; "
            "print(load_run('run').plottable().name)")
    name = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    assert "(diverged at step" in name


@pytest.mark.parametrize(("args", "needles"), [
    (["--jbos", "2"], ["error: no such option --jbos", "did you mean '--jobs'?"]),
    (["--jobs", "0"], ["error: invalid value for '--jobs'", "greater than or equal to 1"]),
])
def test_flag_mistakes_read_in_the_one_error_format(args, needles, tmp_path):
    stderr = user_error(train(TUTORIAL, *args, cwd=tmp_path))
    assert "╭" not in stderr and "│" not in stderr  # no boxes
    for needle in needles:
        assert needle in stderr


def test_two_configs_into_one_folder_are_refused_before_anything_trains(tmp_path):
    stderr = user_error(train(TUTORIAL, TUTORIAL, "--quiet", cwd=tmp_path))
    assert "would both write to runs/seed_linear" in stderr
    assert not (tmp_path / "runs").exists()


def test_sweep_flags_are_never_silently_ignored(tmp_path):
    stderr = user_error(train(TUTORIAL, "--sweep", "optimizer.lr=0.01,0.02", "--seed", "7",
                              cwd=tmp_path))
    assert "--seed applies to single runs" in stderr and "--set seed=7" in stderr
    done = train(TUTORIAL, "--sweep", "optimizer.lr=0.01,0.02", "--json", "--out", "s",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [run["status"] for run in result["runs"]] == ["completed", "completed"]
    assert result["keys"] == ["optimizer.lr"]


def test_impossible_paths_get_a_message_not_a_traceback(tmp_path):
    long = "x" * 300
    assert "File name too long" in user_error(
        train(TUTORIAL, "--out", long, "--quiet", cwd=tmp_path))
    assert "File name too long" in user_error(train(f"{long}.yaml", cwd=tmp_path))


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script (a tty)")
def test_a_dumb_terminal_gets_plain_lines_as_they_happen(tmp_path):
    script = ["script", "-qc", " ".join([*TRAIN, str(TUTORIAL), "--out", "run"]), "/dev/null"]
    done = subprocess.run(script, cwd=tmp_path, env={**env_with(), "TERM": "dumb"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "epoch 1/10  step 10/100" in done.stdout


def test_plot_refuses_odd_folders_with_one_message(tmp_path):
    assert train(TUTORIAL, "--out", "run", "--quiet", cwd=tmp_path).returncode == 0

    def plot(*args):
        return subprocess.run([*PLOT, *args], cwd=tmp_path, capture_output=True, text=True,
                              check=False)

    assert "--kind sweep is for sweep folders" in user_error(plot("run", "--kind", "sweep"))
    (tmp_path / "run" / "model.npz").unlink()
    summary_path = tmp_path / "run" / "summary.json"
    data = json.loads(summary_path.read_text())
    summary_path.write_text(json.dumps({**data, "final_params": {"a": "x", "b": "y"}}))
    assert "final_params holds something other than numbers" in user_error(plot("run"))
    summary_path.write_text("{}")
    assert "not a summary this tool wrote" in user_error(plot("run"))
