"""The op-case table: one row per op (and per interesting shape), read by test_gradcheck.py.

Adding an op to the engine means one row here, or in a cases_<family>.py file beside this one
(which imports Case from here and defines its own CASES list). Inputs are float64 and kept off
kinks and poles by their domain; kinks and ties are tested exactly, and separately, in
test_kinks.py.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autogradcli.engine as ag

# A grid of well-separated values (0.03 apart, never within 0.011 of 0, +-0.5 or any multiple of
# 0.03): "distinct" inputs draw from it without replacement, so max/min/maximum never tie and clamp
# bounds, relu and abs never sit on a kink.
_GRID = np.arange(-100, 100) * 0.03 + 0.011


def _real(rng, shape):
    return rng.standard_normal(shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


DOMAINS = {"real": _real, "positive": _positive, "nonzero": _nonzero}


def fmt_shape(shape):
    """(3, 1) -> "(3,1)", (4,) -> "(4,)", () -> "()"."""
    inner = ",".join(str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


@dataclass(frozen=True)
class Case:
    """One op under test: `fn` maps float64 tensors of `shapes` to a tensor (or tuple of them).

    domain: one name for every input, or a tuple of one per input: "real", "positive" (0.5..2),
    "nonzero" (|x| >= 0.2), "distinct" (all values of all distinct inputs differ by >= 0.03).
    second_order: whether gradgradcheck runs too. eps/atol: for rows that lose precision (float32).
    """

    name: str
    fn: Callable
    shapes: tuple
    domain: object = "real"
    second_order: bool = True
    eps: float = 1e-6
    atol: float = 1e-5

    @property
    def id(self) -> str:
        return f"{self.name}-" + "x".join(fmt_shape(s) for s in self.shapes)

    def arrays(self, seed=0):
        """The case's float64 input arrays, reproducible from seed."""
        rng = np.random.default_rng(seed)
        domains = self.domain
        if not isinstance(domains, tuple):
            domains = (domains,) * len(self.shapes)
        n_distinct = sum(int(np.prod(s)) for s, d in zip(self.shapes, domains) if d == "distinct")
        pool = iter(rng.permutation(_GRID)[:n_distinct])
        out = []
        for shape, domain in zip(self.shapes, domains):
            if domain == "distinct":
                values = [next(pool) for _ in range(int(np.prod(shape)))]
                out.append(np.array(values, dtype=np.float64).reshape(shape))
            else:
                out.append(DOMAINS[domain](rng, shape).astype(np.float64))
        return out

    def inputs(self, seed=0):
        """Leaf tensors requiring grad, one per shape."""
        return [ag.tensor(a, requires_grad=True) for a in self.arrays(seed)]


# ---------------------------------------------------------------- constants used by rows
_MASK_34 = np.arange(12).reshape(3, 4) % 3 == 0
_ROW = np.array([0.5, -1.5, 2.0, 0.25])
_BOOL_MASK = np.array([[True, False, True, False], [False, False, True, True],
                       [True, True, False, False]])

_BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((2, 3, 4), (3, 1)), ((), (3,)), ((4,), ())]


def _binary(name, fn, domain="real"):
    return [Case(name, fn, shapes, domain) for shapes in _BINARY_SHAPES]


CASES = [
    # ------------------------------------------------------------ arithmetic operators
    *_binary("add", lambda x, y: x + y),
    *_binary("sub", lambda x, y: x - y),
    *_binary("mul", lambda x, y: x * y),
    *_binary("div", lambda x, y: x / y, ("real", "nonzero")),
    *_binary("pow_tensor", lambda x, y: x**y, ("positive", "real")),
    Case("add_scalar", lambda x: x + 2.5, ((3, 4),)),
    Case("radd_scalar", lambda x: 2.5 + x, ((3, 4),)),
    Case("sub_scalar", lambda x: x - 2.5, ((3, 4),)),
    Case("rsub_scalar", lambda x: 2 - x, ((3, 4),)),
    Case("mul_scalar", lambda x: x * 1.5, ((3, 4),)),
    Case("rmul_scalar", lambda x: 1.5 * x, ((3, 4),)),
    Case("div_scalar", lambda x: x / 3.0, ((3, 4),)),
    Case("rdiv_scalar", lambda x: 1 / x, ((3, 4),), "nonzero"),
    Case("add_ndarray", lambda x: x + _ROW, ((3, 4),)),
    Case("radd_ndarray", lambda x: _ROW + x, ((3, 4),)),
    Case("rsub_ndarray", lambda x: _ROW - x, ((3, 1),)),
    Case("rmul_ndarray", lambda x: _ROW * x, ((3, 4),)),
    Case("rdiv_ndarray", lambda x: _ROW / x, ((3, 4),), "nonzero"),
    Case("neg", lambda x: -x, ((3, 4),)),
    Case("neg_method", lambda x: x.neg(), ((2, 3),)),
    Case("pow_int", lambda x: x**3, ((3, 4),)),
    Case("pow_two", lambda x: x**2, ((5,),)),
    Case("pow_zero", lambda x: x**0, ((3,),)),
    Case("pow_one", lambda x: x**1, ((3,),)),
    Case("pow_frac", lambda x: x**2.5, ((3, 4),), "positive"),
    Case("pow_negative", lambda x: x**-1.5, ((3, 4),), "positive"),
    Case("pow_fn", lambda x: ag.pow(x, 3), ((2, 3),)),
    Case("pow_fn_tensor", lambda x, y: ag.pow(x, y), ((3, 1), (4,)), ("positive", "real")),
    Case("rpow", lambda x: 2**x, ((3, 4),)),
    Case("rpow_float", lambda x: 0.5**x, ((3, 1),)),
    # ------------------------------------------------------------ unary
    Case("exp", lambda x: x.exp(), ((3, 4),)),
    Case("exp_fn", lambda x: ag.exp(x), ((2, 3, 2),)),
    Case("log", lambda x: x.log(), ((3, 4),), "positive"),
    Case("log_fn", lambda x: ag.log(x), ((5,),), "positive"),
    Case("sqrt", lambda x: x.sqrt(), ((3, 4),), "positive"),
    Case("sqrt_fn", lambda x: ag.sqrt(x), ((5,),), "positive"),
    Case("abs", lambda x: x.abs(), ((3, 4),), "nonzero"),
    Case("abs_builtin", lambda x: abs(x), ((5,),), "nonzero"),
    Case("abs_fn", lambda x: ag.abs(x), ((2, 3),), "nonzero"),
    Case("relu", lambda x: x.relu(), ((3, 4),), "nonzero"),
    Case("relu_fn", lambda x: ag.relu(x), ((2, 3),), "nonzero"),
    Case("sigmoid", lambda x: x.sigmoid(), ((3, 4),)),
    Case("sigmoid_fn", lambda x: ag.sigmoid(x * 4), ((5,),)),
    Case("tanh", lambda x: x.tanh(), ((3, 4),)),
    Case("tanh_fn", lambda x: ag.tanh(x), ((2, 3),)),
    Case("clamp", lambda x: x.clamp(-0.5, 0.5), ((3, 4),), "distinct"),
    Case("clamp_min", lambda x: x.clamp(min=0.0), ((3, 4),), "distinct"),
    Case("clamp_max", lambda x: x.clamp(max=0.5), ((3, 4),), "distinct"),
    Case("clamp_fn", lambda x: ag.clamp(x, -1.0, 1.0), ((6,),), "distinct"),
    Case("clone", lambda x: x.clone(), ((3, 4),)),
    Case("to_float64", lambda x: x.to("float64") * 1.0, ((3, 4),)),
    Case("double", lambda x: (x * 2).double(), ((3,),)),
    # float32 has ~7 digits: finite differences need a larger step and tolerance there.
    Case("to_float32", lambda x: x.to(ag.float32), ((3, 4),), second_order=False,
         eps=1e-3, atol=1e-3),
    Case("float_roundtrip", lambda x: x.float().to(np.float64) * 2, ((4,),),
         second_order=False, eps=1e-3, atol=1e-3),
    # ------------------------------------------------------------ binary functions
    Case("maximum", lambda x, y: ag.maximum(x, y), ((3, 4), (3, 4)), "distinct"),
    Case("maximum", lambda x, y: ag.maximum(x, y), ((3, 1), (4,)), "distinct"),
    Case("maximum_method", lambda x, y: x.maximum(y), ((2, 3), ()), "distinct"),
    Case("maximum_scalar", lambda x: ag.maximum(x, 0.3), ((3, 4),), "distinct"),
    Case("minimum", lambda x, y: ag.minimum(x, y), ((3, 4), (3, 4)), "distinct"),
    Case("minimum", lambda x, y: ag.minimum(x, y), ((3, 1), (4,)), "distinct"),
    Case("minimum_method", lambda x, y: x.minimum(y), ((2, 3), ()), "distinct"),
    Case("where", lambda x, y: ag.where(_MASK_34, x, y), ((3, 4), (3, 4))),
    Case("where", lambda x, y: ag.where(_MASK_34, x, y), ((3, 1), (4,))),
    Case("where_tensor_cond", lambda x, y: ag.where(x > y, x, y * 2), ((3, 4), (3, 4)), "distinct"),
    Case("where_scalar", lambda x: ag.where(_MASK_34, x, 0.0), ((3, 4),)),
    # ------------------------------------------------------------ reductions
    Case("sum", lambda x: x.sum(), ((3, 4),)),
    Case("sum_scalar_input", lambda x: x.sum(), ((),)),
    Case("sum_dim0", lambda x: x.sum(0), ((3, 4),)),
    Case("sum_dim_0d", lambda x: x.sum(-1), ((),)),
    Case("sum_keepdim_0d", lambda x: x.sum(0, keepdim=True), ((),)),
    Case("sum_dim_neg", lambda x: x.sum(dim=-1), ((2, 3, 4),)),
    Case("sum_dim_tuple", lambda x: x.sum(dim=(0, 2)), ((2, 3, 4),)),
    Case("sum_keepdim", lambda x: x.sum(1, keepdim=True), ((2, 3, 4),)),
    Case("sum_tuple_keepdim", lambda x: x.sum((0, 1), keepdim=True), ((2, 3, 4),)),
    Case("sum_fn", lambda x: ag.sum(x, 1), ((3, 4),)),
    Case("mean", lambda x: x.mean(), ((3, 4),)),
    Case("mean_dim", lambda x: x.mean(1), ((3, 4),)),
    Case("mean_dim_tuple", lambda x: x.mean((0, 2)), ((2, 3, 4),)),
    Case("mean_keepdim", lambda x: x.mean(-1, keepdim=True), ((2, 3, 4),)),
    Case("mean_fn", lambda x: ag.mean(x, dim=0, keepdim=True), ((3, 4),)),
    Case("max", lambda x: x.max(), ((3, 4),), "distinct"),
    Case("max_fn", lambda x: ag.max(x), ((2, 3, 2),), "distinct"),
    Case("min", lambda x: x.min(), ((3, 4),), "distinct"),
    Case("min_fn", lambda x: ag.min(x), ((5,),), "distinct"),
    Case("max_dim", lambda x: x.max(1).values, ((3, 4),), "distinct"),
    Case("max_dim0", lambda x: x.max(dim=0)[0], ((3, 4),), "distinct"),
    Case("max_dim_keepdim", lambda x: x.max(-1, keepdim=True).values, ((2, 3, 4),), "distinct"),
    Case("max_dim_fn", lambda x: ag.max(x, 1)[0], ((2, 3, 4),), "distinct"),
    Case("min_dim", lambda x: x.min(1).values, ((3, 4),), "distinct"),
    Case("min_dim_keepdim", lambda x: x.min(0, keepdim=True)[0], ((2, 3, 4),), "distinct"),
    Case("min_dim_fn", lambda x: ag.min(x, -1).values, ((3, 4),), "distinct"),
    Case("softmax", lambda x: x.softmax(-1), ((3, 4),)),
    Case("softmax_0d", lambda x: x.softmax(-1), ((),)),
    Case("log_softmax_0d", lambda x: x.log_softmax(0), ((),)),
    Case("softmax_dim0", lambda x: x.softmax(0), ((3, 4),)),
    Case("softmax_fn", lambda x: ag.softmax(x, dim=1), ((2, 3, 4),)),
    Case("log_softmax", lambda x: x.log_softmax(-1), ((3, 4),)),
    Case("log_softmax_dim0", lambda x: x.log_softmax(0), ((3, 4),)),
    Case("log_softmax_fn", lambda x: ag.log_softmax(x, dim=1), ((2, 3, 4),)),
    # ------------------------------------------------------------ shape
    Case("reshape", lambda x: x.reshape(2, 6), ((3, 4),)),
    Case("reshape_tuple", lambda x: x.reshape((4, -1)), ((3, 4),)),
    Case("reshape_flat", lambda x: x.reshape(-1), ((2, 3, 2),)),
    Case("reshape_fn", lambda x: ag.reshape(x, (6, 2)), ((3, 4),)),
    Case("view", lambda x: x.view(4, 3), ((3, 4),)),
    Case("view_fn", lambda x: ag.view(x, (2, 2, 3)), ((3, 4),)),
    Case("transpose", lambda x: x.transpose(0, 2), ((2, 3, 4),)),
    Case("transpose_neg", lambda x: x.transpose(-1, -2), ((2, 3, 4),)),
    Case("transpose_fn", lambda x: ag.transpose(x, 0, 1), ((3, 4),)),
    Case("t", lambda x: x.t(), ((3, 4),)),
    Case("t_1d", lambda x: x.t() * 1.0, ((4,),)),
    Case("t_fn", lambda x: ag.t(x), ((3, 4),)),
    Case("T", lambda x: x.T, ((3, 4),)),
    Case("T_3d", lambda x: x.T, ((2, 3, 4),)),
    Case("permute", lambda x: x.permute(2, 0, 1), ((2, 3, 4),)),
    Case("permute_tuple", lambda x: x.permute((1, 2, 0)), ((2, 3, 4),)),
    Case("permute_fn", lambda x: ag.permute(x, (1, 0, 2)), ((2, 3, 4),)),
    Case("unsqueeze", lambda x: x.unsqueeze(1), ((3, 4),)),
    Case("unsqueeze_neg", lambda x: x.unsqueeze(-1), ((3, 4),)),
    Case("unsqueeze_fn", lambda x: ag.unsqueeze(x, 0), ((3,),)),
    Case("squeeze", lambda x: x.squeeze(), ((3, 1, 4),)),
    Case("squeeze_dim", lambda x: x.squeeze(1), ((3, 1, 1),)),
    Case("squeeze_fn", lambda x: ag.squeeze(x, 0), ((1, 4),)),
    Case("flatten", lambda x: x.flatten(), ((2, 3, 4),)),
    Case("flatten_start", lambda x: x.flatten(1), ((2, 3, 4),)),
    Case("flatten_fn", lambda x: ag.flatten(x, 0, 1), ((2, 3, 4),)),
    # ------------------------------------------------------------ indexing
    Case("index_int", lambda x: x[1], ((3, 4),)),
    Case("index_neg_int", lambda x: x[-1, 2], ((3, 4),)),
    Case("index_slice", lambda x: x[1:3], ((4, 3),)),
    Case("index_step", lambda x: x[:, ::2], ((3, 5),)),
    Case("index_neg_step", lambda x: x[::-1, 1:], ((3, 4),)),
    Case("index_none", lambda x: x[None, :, 1], ((3, 4),)),
    Case("index_ellipsis", lambda x: x[..., 1], ((2, 3, 4),)),
    Case("index_int_array", lambda x: x[[0, 2, 0, 0]], ((3, 4),)),
    Case("index_int_ndarray_2d", lambda x: x[np.array([[0, 1], [1, 1]])], ((3, 2),)),
    Case("index_int_arrays_pair", lambda x: x[[0, 0, 2], [1, 1, 3]], ((3, 4),)),
    Case("index_slice_and_array", lambda x: x[1:, [3, 0, 3]], ((3, 4),)),
    Case("index_int_tensor", lambda x: x[ag.tensor([1, 1, 0])], ((3, 4),)),
    Case("index_bool_mask", lambda x: x[_BOOL_MASK], ((3, 4),)),
    Case("index_bool_rows", lambda x: x[np.array([True, False, True])], ((3, 4),)),
    Case("index_bool_tensor", lambda x: x[x > 0], ((3, 4),), "distinct"),
    # ------------------------------------------------------------ matmul
    Case("matmul", lambda x, y: x @ y, ((3,), (3,))),
    Case("matmul", lambda x, y: x @ y, ((3,), (3, 4))),
    Case("matmul", lambda x, y: x @ y, ((3, 4), (4,))),
    Case("matmul", lambda x, y: x @ y, ((3, 4), (4, 5))),
    Case("matmul", lambda x, y: x @ y, ((2, 3, 4), (4, 5))),
    Case("matmul", lambda x, y: x @ y, ((2, 3, 4), (2, 4, 5))),
    Case("matmul", lambda x, y: x @ y, ((2, 3, 4), (1, 4, 2))),
    Case("matmul", lambda x, y: x @ y, ((2, 1, 3, 4), (3, 4, 2))),
    Case("matmul", lambda x, y: x @ y, ((4,), (2, 4, 3))),
    Case("matmul", lambda x, y: x @ y, ((2, 3, 4), (4,))),
    Case("matmul_method", lambda x, y: x.matmul(y), ((3, 4), (4, 2))),
    Case("matmul_fn", lambda x, y: ag.matmul(x, y), ((2, 3, 4), (4, 2))),
    Case("rmatmul_ndarray", lambda x: np.ones((2, 3)) @ x, ((3, 4),)),
    # ------------------------------------------------------------ joining
    Case("stack", lambda x, y, z: ag.stack([x, y, z]), ((3, 4), (3, 4), (3, 4))),
    Case("stack_dim1", lambda x, y: ag.stack([x, y], dim=1), ((3, 4), (3, 4))),
    Case("stack_dim_neg", lambda x, y: ag.stack([x, y], dim=-1), ((2, 3), (2, 3))),
    Case("stack_0d", lambda x, y: ag.stack([x, y]), ((), ())),
    Case("cat", lambda x, y: ag.cat([x, y]), ((2, 4), (3, 4))),
    Case("cat_dim1", lambda x, y, z: ag.cat([x, y, z], dim=1), ((3, 2), (3, 1), (3, 4))),
    Case("cat_dim_neg", lambda x, y: ag.cat([x, y], dim=-1), ((2, 3, 1), (2, 3, 2))),
    Case("cat_same_twice", lambda x: ag.cat([x, x * 2]), ((2, 3),)),
    # ------------------------------------------------------------ compositions
    Case("mse", lambda a, b: ((a * _ROW + b - 1.0) ** 2).mean(), ((), ())),
    Case("mlp", lambda x, w, b: (x @ w + b).tanh().sum(1), ((5, 3), (3, 4), (4,))),
    Case("cross_entropy", lambda z: -z.log_softmax(1)[[0, 1, 2], [1, 0, 3]].mean(), ((3, 4),)),
    Case("reuse", lambda x: x * x.exp() + x, ((3,),)),
]


def _family_cases():
    """Rows kept in cases_<family>.py beside this file (each defines CASES), in name order."""
    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        yield from importlib.import_module(path.stem).CASES


CASES += list(_family_cases())


def find(case_id):
    """The case with this id (for tests that want one row)."""
    return next(c for c in CASES if c.id == case_id)
