"""Gradcheck rows for the activations of issue 11 part A (ag.nn.functional), off their kinks (the
kinks are tested exactly in test_activation_kinks.py)."""

from cases import Case

import autogradcli.engine as ag
import autogradcli.engine.nn.functional as F

_SHAPES = [(3, 4), (), (1,), (0, 2)]


def _act(name, fn, domain="distinct"):
    return [Case(name, fn, (shape,), domain) for shape in _SHAPES]


CASES = [
    *_act("gelu", lambda x: F.gelu(x), "real"),
    *_act("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), "real"),
    *_act("silu", lambda x: F.silu(x), "real"),
    *_act("leaky_relu", lambda x: F.leaky_relu(x)),
    Case("leaky_relu_slope", lambda x: F.leaky_relu(x, 0.2), ((2, 3),), "distinct"),
    *_act("elu", lambda x: F.elu(x)),
    Case("elu_alpha", lambda x: F.elu(x * 3, alpha=0.5), ((2, 3),), "distinct"),
    *_act("celu", lambda x: F.celu(x, alpha=2.0)),
    Case("celu_fn", lambda x: ag.celu(x), ((2, 3),), "distinct"),
    *_act("selu", lambda x: F.selu(x)),
    Case("selu_fn", lambda x: ag.selu(x * 2), ((2, 3),), "distinct"),
    *_act("softplus", lambda x: F.softplus(x), "real"),
    Case("softplus_beta", lambda x: F.softplus(x * 3, beta=2, threshold=3), ((3, 4),), "distinct"),
    *_act("softsign", lambda x: F.softsign(x), "nonzero"),
    *_act("hardtanh", lambda x: F.hardtanh(x * 2)),
    Case("hardtanh_bounds", lambda x: F.hardtanh(x, -0.5, 0.25), ((3, 4),), "distinct"),
    *_act("relu6", lambda x: F.relu6(x * 5)),
    *_act("hardsigmoid", lambda x: F.hardsigmoid(x * 5)),
    *_act("hardswish", lambda x: F.hardswish(x * 5)),
    *_act("mish", lambda x: F.mish(x), "real"),
    *_act("logsigmoid", lambda x: F.logsigmoid(x * 3), "real"),
    *_act("tanhshrink", lambda x: F.tanhshrink(x), "real"),
]
