"""training.compile: every shipped config replays its steps, to byte-identical files."""

from pathlib import Path

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli import api
from autogradcli.nn.losses import cross_entropy
from autogradcli.nn.optim import SGD, Adam

CONFIGS = sorted((Path(__file__).parent.parent / "configs").glob("*.yaml"))
ARCHIVES = ("model.npz", "checkpoint.npz")


def _run(path, tmp_path, compile_value):
    # A short variant: few epochs, so that the last smaller batch (a second trace) still shows.
    config = api.load_config(path, [f"training.compile={compile_value}", "training.epochs=2"])
    out = tmp_path / f"compile-{compile_value}"
    result = api.train(config, out=out, seed=3)
    assert result.status == "completed", result.message
    if compile_value == "true":  # every shipped config's step replays: nothing runs eagerly
        assert result.summary["compile"] == {"setting": True, "used": True, "reason": None}
        assert not result.warnings
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


# ---------------------------------------------------------------------- labels, pooling
def _classifier_step(compiled):
    rng = np.random.default_rng(1)
    w = ag.tensor(rng.normal(size=(4, 3)), requires_grad=True)

    def step(xb, yb):
        loss = cross_entropy(xb @ w, yb)
        loss.backward()
        with ag.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad = None
        return loss

    return (ag.compile(step) if compiled else step), w


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_a_classification_step_replays_with_each_batch_s_own_labels(dtype):
    step_c, w_c = _classifier_step(True)
    step_e, w_e = _classifier_step(False)
    rng = np.random.default_rng(2)
    for _ in range(5):
        xb = ag.tensor(rng.normal(size=(6, 4)))
        yb = ag.tensor(rng.integers(0, 3, size=6).astype(dtype))
        assert step_c(xb, yb).data.tobytes() == step_e(xb, yb).data.tobytes()
        assert w_c.data.tobytes() == w_e.data.tobytes()
    assert step_c.fallback_reason is None and len(step_c.programs) == 1


@pytest.mark.parametrize(("labels", "message"), [
    ([0.0, 1.0, 3.0, 0.0, 1.0, 2.0], "must lie in 0..2"),
    ([0.0, 1.5, 2.0, 0.0, 1.0, 2.0], "fractions"),
])
def test_labels_a_replay_cannot_take_run_eagerly_and_fail_as_eager_does(labels, message):
    step, w = _classifier_step(True)
    xb = ag.tensor(np.ones((6, 4)))
    step(xb, ag.tensor(np.array([0.0, 1.0, 2.0, 0.0, 1.0, 2.0])))  # traces
    before = w.data.copy()
    with pytest.raises(ValueError, match=message):
        step(xb, ag.tensor(np.array(labels)))
    assert np.array_equal(w.data, before)  # refused before anything changed
    step(xb, ag.tensor(np.array([2.0, 1.0, 0.0, 0.0, 1.0, 2.0])))  # and replays again after
    assert step.fallback_reason is None and len(step.programs) == 1


# ---------------------------------------------------------------------- the optimizer's update
def _updates(make, compiled, lrs):
    """Steps of an optimizer on fixed gradients, its update compiled or not; the parameters."""
    rng = np.random.default_rng(4)
    params = [ag.tensor(rng.normal(size=(3, 2)).astype(np.float32), requires_grad=True),
              ag.tensor(np.float32(0.5), requires_grad=True)]
    optimizer = make(params)

    def update():
        optimizer.step()
        optimizer.zero_grad()

    run = ag.compile(update) if compiled else update
    for lr in lrs:
        optimizer.lr = lr  # a schedule's change: read afresh by every replay
        for p in params:
            p.grad = ag.tensor(rng.normal(size=p.shape).astype(np.float32))
        run()
    if compiled:
        assert run.fallback_reason is None and len(run.programs) == 1
    return [p.data.tobytes() for p in params] + [v.tobytes() for v in
                                                  optimizer.state().values()]


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
], ids=["sgd", "momentum", "nesterov", "adam"])
def test_a_compiled_update_is_bit_identical_to_the_optimizer_s_step(make):
    lrs = [0.1, 0.1, 0.05, 0.05, 0.025]
    assert _updates(make, True, lrs) == _updates(make, False, lrs)


def test_a_diverging_run_records_its_row_and_skips_the_update_compiled_or_not(tmp_path):
    def run(setting):
        config = api.load_config(CONFIGS[0].parent / "seed_linear.yaml",
                                 ["optimizer.lr=50", f"training.compile={setting}"])
        return api.train(config, out=tmp_path / setting, seed=3)

    compiled, eager = run("true"), run("false")
    assert compiled.status == eager.status == "diverged"
    assert compiled.summary["steps"] == eager.summary["steps"]
    assert compiled.summary["compile"]["used"] is True
    assert (tmp_path / "true" / "history.csv").read_bytes() == \
        (tmp_path / "false" / "history.csv").read_bytes()
    a, b = np.load(tmp_path / "true" / "model.npz"), np.load(tmp_path / "false" / "model.npz")
    assert all(a[k].tobytes() == b[k].tobytes() for k in a.files if k != "config_hash")


def test_a_parameter_without_a_gradient_is_skipped_as_eager_skips_it():
    def run(compiled):
        w = ag.tensor(np.ones(3), requires_grad=True)
        v = ag.tensor(np.ones(2), requires_grad=True)
        optimizer = SGD([w, v], lr=0.5, momentum=0.9)

        def update():
            optimizer.step()
            optimizer.zero_grad()

        step = ag.compile(update) if compiled else update
        for i in range(6):
            w.grad = ag.tensor(np.full(3, float(i)))
            if i % 3:  # v has a gradient in some steps only: a trace for each state
                v.grad = ag.tensor(np.full(2, -float(i)))
            step()
        if compiled:
            assert step.fallback_reason is None
        return w.data.tobytes(), v.data.tobytes()

    assert run(True) == run(False)


def test_state_that_keeps_changing_ends_in_eager_calls_with_a_reason():
    w = ag.tensor(np.ones(3), requires_grad=True)
    optimizer = SGD([w], lr=0.5)

    @ag.compile
    def update():
        optimizer.step()
        optimizer.zero_grad()

    for i in range(30):
        if i % 2:  # a gradient every other call: each call finds the other state
            w.grad = ag.tensor(np.full(3, float(i)))
        update()
    assert "traced again" in update.fallback_reason
    assert np.array_equal(w.data, 1 - 0.5 * sum(np.full(3, float(i)) for i in range(1, 30, 2)))
