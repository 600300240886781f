"""runs/model_file.py: model.npz round-trips every field exactly, opens with plain numpy, is
replaced atomically, and every unreadable file is a RunFolderError saying what is wrong.
"""

import io

import numpy as np
import pytest

from autogradcli.errors import RunFolderError
from autogradcli.runs.layout import MODEL
from autogradcli.runs.model_file import FORMAT, ModelInfo, read_model, write_model

# Values chosen to catch a lossy write: -0.0, a subnormal, 1/3, huge and tiny exponents.
PARAMS = {
    "w2": np.array([[0.1, -0.0, 1 / 3], [5e-324, 1e300, -2.5]]),
    "b1": np.array(-7.25),  # a scalar keeps its shape ()
    "layer.0": np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7,
}
INITIAL = {"w2": np.full((2, 3), 0.5), "b1": np.array(0.0), "layer.0": np.zeros((2, 3, 4))}
EPOCH, STEP, VERSION = 12, 2**40 + 3, "0.2.0.dev1+g1234"
FIELDS = ("kind", "loss", "task", "feature_names", "target_name", "feature_mean",
          "feature_scale", "target_mean", "target_scale", "class_labels", "config_hash",
          "epoch", "step")


def _info(**changes) -> ModelInfo:
    values = {
        "kind": "mlp", "loss": "cross_entropy", "task": "classification",
        "feature_names": ["âge", "bmi (kg/m²)", "x 3"], "target_name": "species",
        "feature_mean": np.array([0.1, -2.0, 1 / 3]), "feature_scale": np.array([1.0, 7.5, 1e-9]),
        "target_mean": 1 / 3, "target_scale": 2.0**-30,
        "class_labels": ["setosa", "0", "virginica 2"],
        "options": {"hidden": "8,4", "activation": "tanh"}, "config_hash": "sha256:0f1e2d3c",
    }
    return ModelInfo(**{**values, **changes})


def _write(folder, info=None, params=PARAMS, initial=INITIAL, epoch=EPOCH, step=STEP):
    return write_model(folder, info or _info(), params, initial, epoch, step, VERSION)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and a.tobytes() == b.tobytes()


def _arrays(path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def _error(folder) -> RunFolderError:
    with pytest.raises(RunFolderError) as caught:
        read_model(folder)
    return caught.value


# ------------------------------------------------------------------------------- round trip


def test_write_model_returns_the_model_file_of_the_folder(tmp_path):
    assert _write(tmp_path) == tmp_path / MODEL == tmp_path / "model.npz"
    assert (tmp_path / "model.npz").is_file()


def test_read_model_gives_back_every_field_exactly(tmp_path):
    _write(tmp_path)
    saved = read_model(tmp_path)
    info = saved.info
    assert (info.kind, info.loss, info.task) == ("mlp", "cross_entropy", "classification")
    assert info.feature_names == ["âge", "bmi (kg/m²)", "x 3"]
    assert info.target_name == "species"
    assert _same_bits(info.feature_mean, np.array([0.1, -2.0, 1 / 3]))
    assert _same_bits(info.feature_scale, np.array([1.0, 7.5, 1e-9]))
    assert info.target_mean == 1 / 3 and type(info.target_mean) is float
    assert info.target_scale == 2.0**-30 and type(info.target_scale) is float
    assert info.class_labels == ["setosa", "0", "virginica 2"]
    assert info.options == {"hidden": "8,4", "activation": "tanh"}
    assert info.config_hash == "sha256:0f1e2d3c"
    assert (saved.epoch, saved.step, saved.version) == (EPOCH, STEP, VERSION)
    assert type(saved.epoch) is int and type(saved.step) is int
    assert all(type(n) is str for n in info.feature_names + info.class_labels)
    assert all(type(v) is str for v in info.options.values())


def test_parameters_and_initial_ones_come_back_bit_for_bit_in_their_order(tmp_path):
    _write(tmp_path)
    saved = read_model(tmp_path)
    assert list(saved.params) == ["w2", "b1", "layer.0"]
    assert list(saved.initial) == ["w2", "b1", "layer.0"]
    for name in PARAMS:
        assert _same_bits(saved.params[name], PARAMS[name]), name
        assert _same_bits(saved.initial[name], INITIAL[name]), name
    assert saved.params["b1"].shape == ()
    assert np.signbit(saved.params["w2"][0, 1])  # -0.0 stays negative


def test_parameters_given_as_python_numbers_are_stored_as_float64(tmp_path):
    _write(tmp_path, params={"w": [1, 2, 3], "b": 0}, initial={"w": [0, 0, 0], "b": 0})
    saved = read_model(tmp_path)
    assert _same_bits(saved.params["w"], np.array([1.0, 2.0, 3.0]))
    assert _same_bits(saved.params["b"], np.array(0.0))
    assert _same_bits(saved.initial["w"], np.zeros(3))


def test_a_regression_model_without_labels_options_or_hash_round_trips(tmp_path):
    info = ModelInfo(kind="linear", loss="mse", task="regression", feature_names=["x"],
                     target_name="y", feature_mean=np.array([0.0]),
                     feature_scale=np.array([1.0]))
    _write(tmp_path, info=info, initial={})
    saved = read_model(tmp_path)
    assert saved.info.class_labels == [] and saved.info.options == {}
    assert saved.info.config_hash == ""
    assert (saved.info.target_mean, saved.info.target_scale) == (0.0, 1.0)
    assert saved.initial == {}
    assert list(saved.params) == list(PARAMS)


# ----------------------------------------------------------------------- readable by numpy


def test_the_file_opens_with_plain_numpy_and_no_pickle(tmp_path):
    _write(tmp_path)
    with np.load(tmp_path / "model.npz", allow_pickle=False) as data:
        files = list(data.files)
        assert {"format", "kind", "autogradcli_version", *FIELDS} <= set(files)
        assert {"params/w2", "params/b1", "params/layer.0"} <= set(files)
        assert {"initial/w2", "initial/b1", "initial/layer.0"} <= set(files)
        assert {"options/hidden", "options/activation"} <= set(files)
        assert int(data["format"]) == FORMAT == 1
        assert str(data["kind"]) == "mlp"
        assert data["feature_names"].tolist() == ["âge", "bmi (kg/m²)", "x 3"]
        np.testing.assert_array_equal(data["params/w2"], PARAMS["w2"])
        kinds = {name: data[name].dtype.kind for name in files}
    assert set(kinds.values()) <= {"f", "i", "U"}, kinds  # numbers and strings only


# ---------------------------------------------------------------------------- atomic write


def test_the_write_leaves_no_temporary_file(tmp_path):
    _write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_writing_again_replaces_the_whole_file(tmp_path):
    _write(tmp_path)
    _write(tmp_path, params={"v": np.ones(2)}, initial={"v": np.zeros(2)}, epoch=13, step=99)
    saved = read_model(tmp_path)
    assert list(saved.params) == ["v"] and list(saved.initial) == ["v"]  # nothing of the old
    assert _same_bits(saved.params["v"], np.ones(2))
    assert (saved.epoch, saved.step) == (13, 99)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_a_stale_temporary_file_from_a_crash_is_replaced(tmp_path):
    (tmp_path / "model.npz.tmp").write_bytes(b"half a file")
    _write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    assert read_model(tmp_path).epoch == EPOCH


# -------------------------------------------------------------------------- errors: missing


def test_a_run_folder_without_model_npz_says_so_and_how_to_get_one(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    error = _error(tmp_path)
    assert "no model.npz" in error.message
    assert error.where == str(tmp_path)
    assert "train the config again" in error.hint
    assert "overwrite=True" in error.hint  # the API's spelling of {--overwrite}
    assert "--overwrite" in error.format(flags=True)


def test_a_folder_that_does_not_exist_is_told_to_be_one_autograd_train_wrote(tmp_path):
    error = _error(str(tmp_path / "nowhere"))
    assert "no model.npz" in error.message
    assert error.hint == "give a folder autograd-train wrote"


# ---------------------------------------------------------------------- errors: bad content


def test_another_format_is_refused_naming_both_formats(tmp_path):
    np.savez(tmp_path / "model.npz", format=np.int64(99), autogradcli_version=np.str_("9.9"))
    error = _error(tmp_path)
    assert "format 99" in error.message
    assert f"format {FORMAT}" in error.message
    assert "9.9" in error.message  # the version that wrote it
    assert error.where == str(tmp_path / "model.npz")
    assert error.hint


def test_a_file_without_a_format_is_refused_as_another_format(tmp_path):
    arrays = _arrays(_write(tmp_path))
    del arrays["format"]
    np.savez(tmp_path / "model.npz", **arrays)
    error = _error(tmp_path)
    assert "format None" in error.message and f"format {FORMAT}" in error.message


def test_a_file_without_its_version_still_reads(tmp_path):
    arrays = _arrays(_write(tmp_path))
    del arrays["autogradcli_version"]
    np.savez(tmp_path / "model.npz", **arrays)
    assert read_model(tmp_path).version == "unknown"


@pytest.mark.parametrize("field", FIELDS)
def test_a_file_missing_a_field_is_refused_naming_it(tmp_path, field):
    arrays = _arrays(_write(tmp_path))
    del arrays[field]
    np.savez(tmp_path / "model.npz", **arrays)
    error = _error(tmp_path)
    assert f"lacks the field '{field}'" in error.message
    assert error.where == str(tmp_path / "model.npz")


def _model_bytes(tmp_path) -> bytes:
    return _write(tmp_path).read_bytes()


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.5, -22, -1])
def test_a_truncated_file_is_a_run_folder_error(tmp_path, keep):
    content = _model_bytes(tmp_path)
    cut = int(len(content) * keep) if isinstance(keep, float) else keep  # < 0: from the end
    (tmp_path / "model.npz").write_bytes(content[:cut])
    error = _error(tmp_path)
    assert "cannot read model.npz" in error.message
    assert "damaged" in error.hint


@pytest.mark.parametrize("garbage", [b"not a zip file at all\n" * 20, bytes(range(256)) * 4,
                                     b"PK\x03\x04" + b"\x00" * 100])
def test_garbage_bytes_are_a_run_folder_error(tmp_path, garbage):
    (tmp_path / "model.npz").write_bytes(garbage)
    assert "cannot read model.npz" in _error(tmp_path).message


def test_a_member_whose_bytes_were_overwritten_is_a_run_folder_error(tmp_path):
    content = bytearray(_model_bytes(tmp_path))
    start = content.index(b"\x93NUMPY")  # the first member's .npy header
    content[start:start + 64] = b"\xff" * 64
    (tmp_path / "model.npz").write_bytes(bytes(content))
    assert "cannot read model.npz" in _error(tmp_path).message


# Damaged in ways np.load and zipfile report with other exception types.


def test_a_plain_npy_array_saved_as_model_npz_is_a_run_folder_error(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.arange(3.0))
    (tmp_path / "model.npz").write_bytes(buffer.getvalue())
    _error(tmp_path)


def test_a_format_that_is_not_a_number_is_a_run_folder_error(tmp_path):
    np.savez(tmp_path / "model.npz", format=np.str_("one"))
    _error(tmp_path)


@pytest.mark.parametrize(("offset", "value"), [(10, 99), (8, 1)],
                         ids=["unknown-compression", "encrypted-flag"])
def test_a_damaged_zip_directory_entry_is_a_run_folder_error(tmp_path, offset, value):
    content = bytearray(_model_bytes(tmp_path))
    entry = content.index(b"PK\x01\x02")  # the first central directory entry
    content[entry + offset:entry + offset + 2] = value.to_bytes(2, "little")
    (tmp_path / "model.npz").write_bytes(bytes(content))
    _error(tmp_path)


# ------------------------------------------------------------------- the run's repeated saves


def test_saving_again_gives_the_same_bytes_and_a_later_save_holds_its_own_parameters(tmp_path):
    from autogradcli.runs.model_file import ModelFile

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    model = ModelFile(first, _info(), INITIAL, VERSION)
    model.save(INITIAL, 0, 0)
    model.save(PARAMS, EPOCH, STEP)
    _write(second)
    assert (first / MODEL).read_bytes() == (second / MODEL).read_bytes()  # no timestamps inside
    saved = read_model(first)
    assert (saved.epoch, saved.step) == (EPOCH, STEP)
    assert all(_same_bits(saved.params[k], PARAMS[k]) for k in PARAMS)
    assert all(_same_bits(saved.initial[k], INITIAL[k]) for k in INITIAL)


def test_the_archive_is_what_np_savez_writes_for_the_same_arrays(tmp_path):
    path = _write(tmp_path)
    ours = _arrays(path)
    buffer = io.BytesIO()
    np.savez(buffer, **ours)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as theirs:
        assert list(theirs.files) == list(ours)
        for name in ours:
            assert theirs[name].dtype == ours[name].dtype
            assert theirs[name].tobytes() == ours[name].tobytes()
