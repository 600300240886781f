"""ag.compile: a replayed trace is bit-identical to eager, on every row of the case tables."""

import numpy as np
import pytest
from cases import CASES

import autogradcli.engine as ag


def _step(case):
    """The case as a step: its outputs' sums differentiated, the outputs returned detached."""

    def step(*xs):
        outs = case.fn(*xs)
        outs = tuple(outs) if isinstance(outs, tuple) else (outs,)
        loss = None
        for o in outs:
            if o.requires_grad:
                loss = o.sum() if loss is None else loss + o.sum()
        if loss is not None:
            loss.backward()
        return tuple(o.detach() for o in outs)

    return step


def _same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


# Rows whose replay the tracer refuses, so the compiled function runs them eagerly (still exact):
# index or mask arrays computed outside the rows (labels given to the engine's losses directly,
# argmax along a dim, sort, a mask given as a constant), which a replay would repeat instead of
# recomputing; comparisons of traced values feeding where are recomputed. (max_pool2d and the
# training losses declare how their indices are derived.)
FALLBACKS = {
    "cross_entropy_1d", "cross_entropy_mean", "cross_entropy_nd", "cross_entropy_none",
    "cross_entropy_smoothing_mean", "cross_entropy_smoothing_none", "cross_entropy_smoothing_sum",
    "cross_entropy_sum", "cross_entropy_weight_ignore_mean", "cross_entropy_weight_ignore_none",
    "cross_entropy_weight_ignore_sum", "cummax", "cummax_fn", "cummin", "diagonal_neg_offset",
    "diagonal_offset", "embedding", "gather", "gather_dim0", "gather_empty_index",
    "gather_neg_dim", "gather_smaller_index", "index_bool_mask", "index_bool_rows",
    "index_bool_tensor",
    "index_int_ndarray_2d", "index_int_tensor", "index_select", "index_select_0d_index",
    "index_select_dim0", "kl_div_batchmean", "kl_div_mean", "kl_div_none", "kl_div_sum",
    "masked_fill", "masked_fill_broadcast", "masked_fill_tensor_value", "max_dim", "max_dim0",
    "max_dim_fn", "max_dim_keepdim", "max_dim_size1", "max_fn", "median_dim", "median_dim_keepdim",
    "min_dim", "min_dim_0d", "min_dim_fn", "min_dim_keepdim", "min_fn", "nll_loss_mean",
    "nll_loss_none", "nll_loss_sum", "pad_circular", "pad_circular_2d", "pad_reflect",
    "pad_reflect_2d", "pad_reflect_3d", "pad_replicate", "pad_replicate_2d", "repeat_interleave",
    "repeat_interleave_counts", "repeat_interleave_flat", "scatter", "scatter_add",
    "scatter_add_dim0", "scatter_dim0", "scatter_value", "sdpa_bool_mask", "sdpa_causal",
    "sdpa_gqa", "sort",
    "sort_0d", "sort_by_argsort", "sort_dim0_descending", "sort_fn", "sort_length1", "topk",
    "topk_all", "topk_smallest_dim0", "topk_zero", "tril", "tril_offset", "tril_single_row",
    "triu", "triu_batched", "where", "where_scalar", "where_scalar_first",
}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_replay_is_bit_identical_to_eager(case):
    compiled = ag.compile(_step(case))
    compiled(*case.inputs(seed=0))  # traces
    xs_c, xs_e = case.inputs(seed=1), case.inputs(seed=1)
    outs_c, outs_e = compiled(*xs_c), _step(case)(*xs_e)
    if case.name in FALLBACKS:
        assert compiled.fallback_reason
    else:
        assert compiled.fallback_reason is None and len(compiled.programs) == 1
    for oc, oe in zip(outs_c, outs_e):
        assert _same(oc.data, oe.data)
    for xc, xe in zip(xs_c, xs_e):
        assert (xc.grad is None) == (xe.grad is None)
        if xe.grad is not None:
            assert _same(xc.grad.data, xe.grad.data)


# ---------------------------------------------------------------------- whole steps
def _tutorial(compiled):
    a = ag.tensor(0.1, requires_grad=True)
    b = ag.tensor(-0.3, requires_grad=True)

    def step(xb, yb):
        loss = ((xb * a + b - yb) ** 2).mean()
        loss.backward()
        with ag.no_grad():
            a.sub_(0.02 * a.grad)
            b.sub_(0.02 * b.grad)
            a.grad.zero_()
            b.grad.zero_()
        return loss

    return (ag.compile(step) if compiled else step), a, b


def _batches(sizes=(10, 10, 10, 7)):
    rng = np.random.default_rng(0)
    return [(ag.tensor(rng.standard_normal(n).astype(np.float32)),
             ag.tensor(rng.standard_normal(n).astype(np.float32))) for n in sizes]


def test_a_compiled_training_step_with_its_update_matches_eager_bit_for_bit():
    step_c, a_c, b_c = _tutorial(True)
    step_e, a_e, b_e = _tutorial(False)
    for _ in range(3):
        for xb, yb in _batches():
            lc, le = step_c(xb, yb), step_e(xb, yb)
            assert _same(lc.data, le.data)
            assert _same(a_c.data, a_e.data) and _same(b_c.data, b_e.data)
            assert _same(a_c.grad.data, a_e.grad.data)
    assert step_c.fallback_reason is None
    assert len(step_c.programs) == 2  # batch 10, then the smaller last batch: a second trace


def test_gradients_set_to_none_are_none_after_a_replay():
    w = ag.tensor(np.ones(3), requires_grad=True)

    @ag.compile
    def step(x):
        loss = (w * x).sum()
        loss.backward()
        with ag.no_grad():
            w.sub_(0.5 * w.grad)
        w.grad = None
        return loss

    x = ag.tensor(np.arange(3.0))
    for _ in range(3):
        step(x)
        assert w.grad is None
    assert step.fallback_reason is None
    assert np.array_equal(w.data, np.ones(3) - 1.5 * np.arange(3.0))


@pytest.mark.parametrize(("body", "reason"), [
    (lambda x: x * 2 if x.sum().item() > 0 else x, "item"),
    (lambda x: x * ag.randn(3), "random"),
    (lambda x: x.max(0).values, "max(dim)"),
    (lambda x: x[x > 0], "mask array"),  # selecting by a mask: a shape that depends on data
    (lambda x: ag.tensor(x) * 2, "copies its data"),
])
def test_what_cannot_be_replayed_falls_back_to_eager_once_with_a_reason(body, reason):
    compiled = ag.compile(body)
    x = ag.tensor(np.array([1.0, -2.0, 3.0]))
    first = compiled(x)
    assert reason in compiled.fallback_reason
    again = compiled(-x)  # eager now: follows the data
    if reason != "random":
        assert _same(again.data, body(-x).data) and _same(first.data, body(x).data)
    assert not compiled.programs


def test_a_raw_numpy_update_falls_back():
    w = ag.tensor(np.ones(2), requires_grad=True)

    @ag.compile
    def step(x):
        (w * x).sum().backward()
        with ag.no_grad():
            w.sub_(w.grad.data * 0.1)  # an array the trace cannot see into
        w.grad = None

    step(ag.tensor(np.ones(2)))
    assert "raw numpy" in step.fallback_reason


def test_each_guard_traces_once_up_to_the_cache_size():
    compiled = ag.compile(lambda x: x * 2)
    for n in range(1, 12):
        out = compiled(ag.tensor(np.arange(float(n))))
        assert _same(out.data, np.arange(float(n)) * 2)
        assert _same(compiled(ag.tensor(np.ones(n))).data, np.ones(n) * 2)  # a replay
    assert len(compiled.programs) == 8  # beyond that, new shapes run eagerly
    assert compiled.fallback_reason is None


def test_indexing_outside_the_graph_is_replayed_on_the_new_data():
    compiled = ag.compile(lambda x: x[1:3] * 2)
    for values in ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]):
        out = compiled(ag.tensor(np.array(values)))
        assert _same(out.data, np.array(values)[1:3] * 2)
    assert compiled.fallback_reason is None and len(compiled.programs) == 1


def test_an_error_inside_a_trace_propagates_and_leaves_the_engine_as_it_was():
    from autogradcli.engine import backward, function
    originals = (ag.Tensor.item, ag.Tensor.__dict__["grad"], function.Op.__dict__["apply"],
                 backward._walk)

    @ag.compile
    def broken(x):
        (x * 2).sum().backward()
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        broken(ag.tensor(np.ones(2), requires_grad=True))
    assert (ag.Tensor.item, ag.Tensor.__dict__["grad"], function.Op.__dict__["apply"],
            backward._walk) == originals
    assert not broken.programs


def test_a_compiled_function_called_while_tracing_is_inlined():
    inner = ag.compile(lambda x: x * 3)
    outer = ag.compile(lambda x: inner(x) + 1)
    for values in ([1.0, 2.0], [4.0, 5.0], [7.0, 8.0]):
        assert _same(outer(ag.tensor(np.array(values))).data, np.array(values) * 3 + 1)
    assert outer.fallback_reason is None and len(outer.programs) == 1


def test_tensors_inside_a_container_argument_fall_back():
    compiled = ag.compile(lambda pair: pair[0] + pair[1])
    x = ag.tensor(np.ones(2))
    assert _same(compiled((x, x)).data, np.full(2, 2.0))
    assert "container" in compiled.fallback_reason
    assert _same(compiled((x, x * 3)).data, np.full(2, 4.0))


def test_a_parameter_that_changes_dtype_or_shape_is_traced_again():
    w = ag.tensor(np.ones(3, dtype=np.float32), requires_grad=True)

    @ag.compile
    def step(x):
        loss = (w * x).sum()
        loss.backward()
        return loss

    x = ag.tensor(np.arange(3.0, dtype=np.float32))
    step(x)
    step(x)
    w.data = np.ones(3, dtype=np.float64)  # what a replay read as float32 is float64 now
    w.grad = None
    out = step(x)
    assert out.dtype == np.float64 and w.grad.dtype == np.float64
    assert _same(w.grad.data, np.arange(3.0))
    w.data = np.ones(4)
    w.grad = None
    assert _same(step(ag.tensor(np.arange(4.0))).data, np.array(6.0))
    assert step.fallback_reason is None


def test_one_gradient_reaching_two_leaves_is_two_arrays_after_a_replay():
    a = ag.tensor(np.ones(3), requires_grad=True)
    b = ag.tensor(np.ones(3), requires_grad=True)

    @ag.compile
    def step(x):
        a.grad = b.grad = None
        (a + b + x).sum().backward()  # Add's backward hands the same gradient to both

    for _ in range(3):
        step(ag.tensor(np.arange(3.0)))
        assert not np.shares_memory(a.grad.data, b.grad.data)
        a.grad.data += 1
        assert _same(b.grad.data, np.ones(3))


def test_a_replay_is_one_generated_function_without_row_calls_for_the_tutorial():
    step, _, _ = _tutorial(True)
    xb, yb = _batches((10,))[0]
    step(xb, yb)
    (program,) = step.programs.values()
    assert "prev = " not in program.source  # every row inline: grad mode is not even touched


def test_a_row_whose_replay_form_gives_other_bits_is_replayed_by_calling_it(monkeypatch):
    from autogradcli.engine.ops.binary import Mul

    def forward(self, x, y):  # not what the inline form `x * y` computes
        return np.nextafter(x * y, np.inf)

    monkeypatch.setattr(Mul, "forward", forward)
    x = ag.tensor(np.array([1.0, 2.0, 3.0]))
    compiled = ag.compile(lambda a: a * x)
    for values in ([1.0, 1.0, 1.0], [0.5, 2.0, 3.0]):
        out = compiled(ag.tensor(np.array(values)))
        assert _same(out.data, np.nextafter(np.array(values) * x.data, np.inf))
    (program,) = compiled.programs.values()
    assert " * " not in program.source  # the row's own forward, called


def test_in_place_updates_of_every_kind_replay_as_eager_runs_them():
    def make():
        w = ag.tensor(np.array([0.5, -2.0, 3.0]), requires_grad=True)

        def step(x):
            loss = (w * x).sum()
            loss.backward()
            with ag.no_grad():
                w.add_(w.grad, alpha=-0.25)  # a ufunc with alpha
                w.clamp_(-1.0, 1.0)  # any other in-place method: called at replay
                w.mul_(1.5)
                w.grad.copy_(w.grad * 0.5)
            return loss

        return w, step

    (w_c, step_c), (w_e, step_e) = make(), make()
    step_c = ag.compile(step_c)
    for values in ([1.0, 2.0, 3.0], [-1.0, 0.5, 4.0], [2.0, 2.0, -3.0]):
        x = ag.tensor(np.array(values))
        assert _same(step_c(x).data, step_e(x).data)
        assert _same(w_c.data, w_e.data) and _same(w_c.grad.data, w_e.grad.data)
    assert step_c.fallback_reason is None and len(step_c.programs) == 1


def test_a_comparison_feeding_where_is_recomputed_at_every_replay():
    w = ag.tensor(np.array([1.0, -1.0]), requires_grad=True)

    def step(x):
        y = x * w
        loss = ag.where(y > 0, y * y, -y).sum()
        loss.backward()
        return loss

    compiled = ag.compile(step)
    xs = [np.array([[1.0, 2.0]]), np.array([[-1.0, 2.0]]), np.array([[3.0, -4.0]])]
    for x in xs:  # each batch takes the other branch somewhere
        w.grad = None
        got = compiled(ag.tensor(x)).data, w.grad.data.copy()
        w.grad = None
        want = step(ag.tensor(x)).data, w.grad.data.copy()
        assert _same(got[0], want[0]) and _same(got[1], want[1])
    assert compiled.fallback_reason is None and len(compiled.programs) == 1
