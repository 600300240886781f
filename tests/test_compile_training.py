"""training.compile: every shipped config trains to byte-identical files compiled or eager."""

from pathlib import Path

import numpy as np
import pytest

from autogradcli import api

CONFIGS = sorted((Path(__file__).parent.parent / "configs").glob("*.yaml"))
ARCHIVES = ("model.npz", "checkpoint.npz")


def _run(path, tmp_path, compile_value):
    # A short variant: few epochs, so that the last smaller batch (a second trace) still shows.
    config = api.load_config(path, [f"training.compile={compile_value}", "training.epochs=2"])
    out = tmp_path / f"compile-{compile_value}"
    result = api.train(config, out=out, seed=3)
    assert result.status == "completed", result.message
    return out


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_config_trains_to_the_same_bytes_compiled_or_eager(path, tmp_path):
    compiled, eager = _run(path, tmp_path, "true"), _run(path, tmp_path, "false")
    for name in ("history.csv",):  # epochs.csv has wall-clock seconds
        assert (compiled / name).read_bytes() == (eager / name).read_bytes(), name
    for name in ARCHIVES:  # the arrays' bytes; config_hash differs, as the configs do
        a, b = np.load(compiled / name), np.load(eager / name)
        assert a.files == b.files
        for key in a.files:
            if key != "config_hash":
                assert a[key].tobytes() == b[key].tobytes() and a[key].dtype == b[key].dtype, key


def test_compile_defaults_to_auto_and_false_turns_it_off():
    config = api.load_config(CONFIGS[0])
    assert config.training.compile == "auto"
    assert api.load_config(CONFIGS[0], ["training.compile=false"]).training.compile is False
