"""runs/npz.py: the archives it lays out are zips that zipfile checks clean and np.load reads
as the arrays np.savez would store, byte for byte the same each time."""

import io
import zipfile

import numpy as np
import pytest

from autogradcli.runs import npz

ARRAYS = {
    "format": np.int64(1), "name": np.str_("âge"), "labels": np.array(["a", "bb"]),
    "params/w": np.arange(12, dtype=np.float64).reshape(3, 4) / 7, "empty": np.zeros((0, 2)),
    "flag": np.bool_(True), "big": np.linspace(0, 1, 100_000),
}


def _read(data: bytes) -> dict:
    with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
        return {name: loaded[name] for name in loaded.files}


def _bytes(pieces) -> bytes:
    return b"".join(bytes(piece) for piece in pieces)


@pytest.mark.parametrize("write", [lambda e: _bytes(npz.archive(e)), npz._zip64],
                         ids=["zip", "zip64"])
def test_an_archive_holds_what_np_savez_stores(write):
    data = write(npz.entries(ARRAYS))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC and size checks out
        assert archive.namelist() == [f"{name}.npy" for name in ARRAYS]
    theirs = io.BytesIO()
    np.savez(theirs, **ARRAYS)
    expected = _read(theirs.getvalue())
    ours = _read(data)
    assert list(ours) == list(expected)
    for name, value in expected.items():
        assert ours[name].dtype == value.dtype and ours[name].shape == value.shape
        assert ours[name].tobytes() == value.tobytes()


def test_the_same_arrays_give_the_same_bytes_and_entries_can_be_reused():
    fixed = npz.entries({"a": np.ones(3)})
    first = _bytes(npz.archive([*fixed, *npz.entries({"epoch": np.int64(1)})]))
    assert first == _bytes(npz.archive(npz.entries({"a": np.ones(3), "epoch": np.int64(1)})))
    second = _bytes(npz.archive([*fixed, *npz.entries({"epoch": np.int64(2)})]))
    assert int(_read(second)["epoch"]) == 2 and _read(second)["a"].tolist() == [1.0, 1.0, 1.0]


def test_an_empty_archive_is_a_valid_npz():
    assert _read(_bytes(npz.archive([]))) == {}


def test_an_entry_is_a_view_of_its_array_and_a_strided_array_is_written_in_c_order():
    array = np.arange(12.0).reshape(3, 4)
    (entry,) = npz.entries({"a": array})
    assert entry.pieces[1].obj is array  # no copy of the data
    transposed = _read(_bytes(npz.archive(npz.entries({"t": array.T}))))["t"]
    assert transposed.tolist() == array.T.tolist()
