"""The fast CSV path (numpy's bulk reader) gives exactly the arrays of the cell-by-cell reader,
or refuses the file so that reader reads it (and names any mistake with its line and column)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autogradcli.data.csv_fast import read_fast
from autogradcli.data.csv_source import _read_exact, read_csv_data
from autogradcli.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "data"


def section(target, features=None, classes=None):
    return SimpleNamespace(target=target, features=features, classes=classes)


def exact(path: Path, cfg):
    """(x, y) of the cell-by-cell reader, or the DataError it raises."""
    try:
        data = _read_exact(path, cfg)
    except DataError as exc:
        return exc
    return data.x, data.y


def assert_same(path: Path, cfg) -> bool:
    """The fast path equals the exact one bit for bit, or refuses; True when it took the file."""
    fast, slow = read_fast(path, cfg), exact(path, cfg)
    if fast is None:
        return False
    assert not isinstance(slow, DataError), f"fast path took a file the exact one refuses: {slow}"
    x, y, _ = fast
    assert x.dtype == slow[0].dtype == np.float64 and x.shape == slow[0].shape
    assert np.array_equal(x.view(np.int64), slow[0].view(np.int64))  # bits, not ==
    assert np.array_equal(y.view(np.int64), slow[1].view(np.int64))
    return True


def shipped_cases():
    for path in sorted(DATA.glob("*.csv")):
        header = path.read_text().splitlines()[0].split(",")
        for target in header:
            yield path, section(target)
        yield path, section(header[-1], features=header[:2][::-1])
    yield DATA / "iris.csv", section("species", classes=["setosa", "versicolor", "virginica"])
    yield DATA / "iris.csv", section("species", classes=["virginica", "versicolor"])
    yield DATA / "iris.csv", section("species", features=["petal_width"],
                                     classes=["setosa", "virginica"])


@pytest.mark.parametrize(("path", "cfg"), list(shipped_cases()))
def test_every_shipped_csv_reads_the_same_either_way(path, cfg):
    numeric = cfg.classes is not None or "species" not in (path.read_text().splitlines()[0])
    took = assert_same(path, cfg)
    assert took or not numeric  # the shipped numeric files do take the fast path


EDGES = {
    "plain": ("a,b,y\n1,2,3\n4,5,6\n", True),
    "crlf and blank lines": ("a,b,y\r\n1,2,3\r\n\r\n4,5,6\r\n", True),
    "spaces around cells": ("a , b ,y\n 1 , 2.5 ,3\n", True),
    "exponents and signs": ("a,b,y\n1e-3,-.5,+7\n1.,2E+2,-0\n", True),
    "byte order mark": ("\ufeffa,b,y\n1,2,3\n", True),
    "no newline at the end": ("a,b,y\n1,2,3", True),
    "a hash is not a comment": ("a,b,y\n#1,2,3\n", False),
    "missing cell": ("a,b,y\n1,,3\n", False),
    "nan": ("a,b,y\n1,nan,3\n", False),
    "inf": ("a,b,y\n1,inf,3\n", False),
    "overflow": ("a,b,y\n1,1e400,3\n", False),
    "underscores": ("a,b,y\n1_0,2,3\n", False),
    "quoted number": ('a,b,y\n"1",2,3\n', False),
    "quoted comma": ('a,b,y\n"1,5",2,3\n', False),
    "ragged long": ("a,b,y\n1,2,3,4\n", False),
    "ragged short": ("a,b,y\n1,2\n", False),
    "spaces-only line": ("a,b,y\n1,2,3\n   \n4,5,6\n", False),
    "commas-only line": ("a,b,y\n1,2,3\n,,\n4,5,6\n", False),
    "header only": ("a,b,y\n", False),
    "empty": ("", False),
    "duplicate column": ("a,a,y\n1,2,3\n", False),
    "multi-line header": ('a,"b\nc",y\n1,2,3\n', False),
    "text cell": ("a,b,y\n1,x,3\n", False),
    "latin-1 bytes": (b"a,b,y\n1,2,3\n\xe9,2,3\n", False),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_cases_are_read_identically_or_left_to_the_exact_reader(name, tmp_path):
    text, fast = EDGES[name]
    path = tmp_path / "d.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    assert assert_same(path, section("y")) is fast


@pytest.mark.parametrize(("features", "classes", "fast"), [
    (None, ["a", "b"], True),
    (["x1"], ["b", "a"], True),
    (["x1"], ["a", "c"], False),  # a listed class never appears: the exact reader names it
    (["x1"], ["a", "b", "c"], False),
    (["x2"], ["a", "b"], True),  # the unused text column is fine
    (None, ["a", "b"], True),
])
def test_labels_and_unused_text_columns(features, classes, fast, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x1,y,x2,id\n1,a,2,r1\n3, b ,4,r2\n5,zz,6,r3\n7,a,8,r4\n")
    cfg = section("y", features=features or ["x1", "x2"], classes=classes)
    assert assert_same(path, cfg) is fast


def test_an_unused_quoted_cell_still_goes_the_exact_way(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('x1,y,note\n1,2,"a, b"\n3,4,c\n')
    cfg = SimpleNamespace(**vars(section("y", features=["x1"])), path="d.csv")
    assert assert_same(path, cfg) is False
    assert read_csv_data(cfg, tmp_path).x.tolist() == [[1.0], [3.0]]


_CELLS = st.sampled_from(["0", "1", "-2.5", "1e3", ".5", "7.", " 3 ", "", "nan", "x", '"4"',
                          "1e999", "0x10", "1_0", "+0", "-0", "\u00a05"])


@given(st.lists(st.lists(_CELLS, min_size=2, max_size=4), min_size=1, max_size=6),
       st.booleans())
def test_random_files_read_identically_or_refused(rows, crlf):
    import tempfile

    end = "\r\n" if crlf else "\n"
    text = "a,b,y" + end + end.join(",".join(r) for r in rows) + end
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        path.write_text(text, newline="")
        assert_same(path, section("y"))
