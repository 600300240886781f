"""The run folder: refusal to overwrite, deterministic rows, flushing, summary.json."""

import json

import numpy as np
import pytest
from helpers import cli_text

from autogradcli.data import Dataset
from autogradcli.errors import RunFolderError
from autogradcli.runs.data_file import read_data_source, write_data_source
from autogradcli.runs.layout import FILES, fmt, history_columns
from autogradcli.runs.writer import RunFolder


def _write_rows(folder):
    folder.start_history(["a", "b"])
    folder.add_step(1, 1, [0.1, -2.5], 3.0, 0.02)
    folder.add_step(1, 2, [1e-20, 2 / 3], float("inf"), 0.02)
    folder.add_epoch(1, 1.25, None, 0.02, 0.5)
    folder.close()


def test_creates_nested_folder(tmp_path):
    folder = RunFolder(tmp_path / "runs" / "one")
    assert folder.path.is_dir()


def test_an_empty_existing_folder_is_fine(tmp_path):
    RunFolder(tmp_path)


def test_refuses_an_existing_run_folder_and_names_overwrite(tmp_path):
    first = RunFolder(tmp_path / "run")
    first.write_config("name: x\n")
    first.release()
    with pytest.raises(RunFolderError) as info:
        RunFolder(tmp_path / "run")
    assert "overwrite=True" in info.value.hint
    assert "--overwrite" in cli_text(info.value, "hint")
    assert info.value.where == str(tmp_path / "run")
    assert "already exists" in str(info.value)


def test_overwrite_replaces_run_files_and_keeps_others(tmp_path):
    first = RunFolder(tmp_path)
    _write_rows(first)
    first.write_summary(status="completed")
    (tmp_path / "data.csv").write_text("x\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    first.release()
    RunFolder(tmp_path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "notes.txt"]


def test_overwrite_never_touches_a_folder_this_tool_did_not_write(tmp_path):
    (tmp_path / "config.yaml").write_text("# my own notes\n")
    (tmp_path / "data.csv").write_text("x,y\n1,2\n")
    with pytest.raises(RunFolderError, match="not a run folder written by autograd-train"):
        RunFolder(tmp_path, overwrite=True)
    assert (tmp_path / "config.yaml").read_text() == "# my own notes\n"
    assert (tmp_path / "data.csv").read_text() == "x,y\n1,2\n"
    assert not (tmp_path / ".lock").exists()


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path):
    first = RunFolder(tmp_path / "run")
    with pytest.raises(RunFolderError, match="in use by process") as info:
        RunFolder(tmp_path / "run", overwrite=True)
    assert str(__import__("os").getpid()) in info.value.message
    first.release()
    RunFolder(tmp_path / "run")  # free again (and empty but for the lock)


def test_a_stale_lock_is_taken_over(tmp_path):
    import json as _json
    import socket

    (tmp_path / ".lock").write_text(_json.dumps({"pid": 2**22 + 12345,
                                                 "host": socket.gethostname(), "since": 0}))
    RunFolder(tmp_path).release()


def test_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(RunFolderError, match="not a folder"):
        RunFolder(tmp_path / "f", overwrite=True)


def test_history_and_epochs_format(tmp_path):
    _write_rows(RunFolder(tmp_path))
    assert (tmp_path / "history.csv").read_text() == (
        "epoch,step,a,b,loss,lr\n"
        "1,1,0.1,-2.5,3.0,0.02\n"
        "1,2,1e-20,0.6666666666666666,inf,0.02\n"
    )
    assert (tmp_path / "epochs.csv").read_text() == (
        "epoch,train_loss,val_loss,lr,seconds\n1,1.25,,0.02,0.5\n")


def test_history_is_byte_identical_for_the_same_rows(tmp_path):
    _write_rows(RunFolder(tmp_path / "one"))
    _write_rows(RunFolder(tmp_path / "two"))
    one, two = tmp_path / "one/history.csv", tmp_path / "two/history.csv"
    assert one.read_bytes() == two.read_bytes()


def test_rows_are_buffered_until_the_epoch_ends_then_on_disk(tmp_path):
    folder = RunFolder(tmp_path)
    folder.start_history(["a"])
    folder.add_step(1, 1, [1.0], 2.0, 0.5)
    assert (tmp_path / "history.csv").read_text() == "epoch,step,a,loss,lr\n"  # header at once
    folder.add_epoch(1, 2.0, 3.0, 0.5, 0.1)  # the file is still open: rows must be on disk
    assert (tmp_path / "history.csv").read_text().splitlines()[1] == "1,1,1.0,2.0,0.5"
    assert (tmp_path / "epochs.csv").read_text().splitlines()[1] == "1,2.0,3.0,0.5,0.1"
    folder.add_step(2, 2, [1.5], 1.0, 0.25)
    folder.close()  # a partial epoch is kept by close()
    assert (tmp_path / "history.csv").read_text().splitlines()[-1] == "2,2,1.5,1.0,0.25"


def test_summary_json(tmp_path):
    folder = RunFolder(tmp_path)
    folder.describe(name="demo", seed=3, true_params={"a": 2.0})
    folder.write_summary(
        status="diverged", message="boom", steps=4, epochs_completed=0,
        initial_params={"a": 1.0, "w": np.array([[1.0, 2.0]])},
        final_params={"a": float("nan"), "w": np.array([[np.inf, 2.0]])},
        final_train_loss=float("inf"), least_squares={"a": np.float64(1.5)}, wall_seconds=0.25,
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "diverged" and summary["name"] == "demo" and summary["seed"] == 3
    assert summary["initial_params"] == {"a": 1.0, "w": [[1.0, 2.0]]}
    assert summary["final_params"] == {"a": None, "w": [[None, 2.0]]}
    assert summary["final_train_loss"] is None and summary["final_val_loss"] is None
    assert summary["least_squares"] == {"a": 1.5} and summary["true_params"] == {"a": 2.0}
    assert set(summary["versions"]) == {"python", "numpy", "autogradcli"}
    assert list(summary)[:3] == ["status", "message", "name"]


def test_summary_status_is_checked(tmp_path):
    with pytest.raises(ValueError, match="unknown status"):
        RunFolder(tmp_path).write_summary(status="done")


def test_history_columns_and_fmt():
    assert history_columns({"a": (), "b": (), "w": (3,)}) == ["a", "b", "w_norm"]
    assert history_columns({"w1": (2, 4)}) == ["w1_norm"]
    assert [fmt(v) for v in (None, 3, np.int64(2), 0.1, np.float64(1e300), "s")] == [
        "", "3", "2", "0.1", "1e+300", "s"]


def test_files_constant_lists_the_run_files():
    assert FILES == ("history.csv", "epochs.csv", "model.npz", "checkpoint.npz", "summary.json",
                     "config.yaml", "data.csv", "data_source.json")


def test_a_data_source_record_is_checked_before_use(tmp_path):
    """data_source.json (a run on a CSV file): found by config path or resolved path, its size
    and hash checked, a hand-edited split refused with a RunFolderError, never an IndexError."""
    source = tmp_path / "rows.csv"
    source.write_text("x,y\n1,2\n3,4\n5,6\n")
    data = Dataset(x=np.zeros((2, 1)), y=np.zeros(2), x_val=np.zeros((1, 1)), y_val=np.zeros(1),
                   feature_names=["x"], target_name="y", source_file=str(source),
                   val_indices=np.array([1]))
    run = tmp_path / "run"
    run.mkdir()
    write_data_source(data, "rows.csv", run / "data_source.json")
    found = read_data_source(run, "../rows.csv")
    assert found.found == source and found.val_indices.tolist() == [1]
    assert read_data_source(run, "../elsewhere.csv").found == source  # the resolved path
    record = json.loads((run / "data_source.json").read_text())
    record["val"] = [7]
    (run / "data_source.json").write_text(json.dumps(record))
    with pytest.raises(RunFolderError, match="row indices"):
        read_data_source(run, "../rows.csv")
    record["val"] = [1]
    (run / "data_source.json").write_text(json.dumps(record))
    source.write_text("x,y\n1,2\n3,4\n5,7\n")  # same size, other contents
    with pytest.raises(RunFolderError, match="same size, other contents"):
        read_data_source(run, "../rows.csv")
