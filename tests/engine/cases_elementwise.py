"""Gradcheck rows for the elementwise ops of issue 11 part A: trigonometric, hyperbolic, logs and
exponentials, powers, erf, lerp, rounding (zero gradient) and the integer-division family.

Shapes: broadcast pairs, 0-d, size 1, empty. Inputs outside a function's domain are mapped into it
inside the row (e.g. asin of 0.4 x for positive x in 0.5..2).
"""

from cases import Case

import autogradcli.engine as ag

_UNARY_SHAPES = [(3, 4), (), (1,), (0, 3)]


def _unary(name, fn, domain="real"):
    return [Case(name, fn, (shape,), domain) for shape in _UNARY_SHAPES]


CASES = [
    *_unary("sin", lambda x: x.sin()),
    *_unary("cos", lambda x: x.cos()),
    Case("tan", lambda x: x.tan(), ((3, 4),), "real"),
    Case("tan_fn", lambda x: ag.tan(x * 0.5), ((),)),
    *_unary("asin", lambda x: (x * 0.4).asin(), "positive"),
    Case("asin_negative", lambda x: ag.asin(x * -0.4), ((2, 3),), "positive"),
    *_unary("acos", lambda x: (x * 0.4 - 0.3).acos(), "positive"),
    *_unary("atan", lambda x: x.atan()),
    Case("atan2", lambda y, x: y.atan2(x), ((3, 4), (3, 4)), "nonzero"),
    Case("atan2", lambda y, x: ag.atan2(y, x), ((3, 1), (4,)), "nonzero"),
    Case("atan2_0d", lambda y, x: ag.atan2(y, x), ((), (3,)), "nonzero"),
    *_unary("sinh", lambda x: x.sinh()),
    *_unary("cosh", lambda x: x.cosh()),
    *_unary("asinh", lambda x: x.asinh()),
    *_unary("acosh", lambda x: (x + 1).acosh(), "positive"),
    *_unary("atanh", lambda x: (x * 0.4).atanh(), "positive"),
    Case("sin_fn", lambda x: ag.sin(x), ((2, 3),)),
    Case("cosh_fn", lambda x: ag.cosh(x), ((2, 3),)),
    *_unary("log2", lambda x: x.log2(), "positive"),
    *_unary("log10", lambda x: x.log10(), "positive"),
    *_unary("log1p", lambda x: x.log1p(), "positive"),
    Case("log1p_small", lambda x: ag.log1p(x * 1e-3), ((3,),)),
    *_unary("exp2", lambda x: x.exp2()),
    *_unary("expm1", lambda x: x.expm1()),
    Case("expm1_fn", lambda x: ag.expm1(x * 1e-3), ((3,),)),
    *_unary("reciprocal", lambda x: x.reciprocal(), "nonzero"),
    *_unary("rsqrt", lambda x: x.rsqrt(), "positive"),
    *_unary("square", lambda x: x.square()),
    Case("square_fn", lambda x: ag.square(x), ((2, 3),)),
    *_unary("erf", lambda x: x.erf()),
    Case("erf_fn", lambda x: ag.erf(x * 3), ((5,),)),
    Case("lerp", lambda a, b, w: a.lerp(b, w), ((3, 4), (3, 4), (3, 4))),
    Case("lerp", lambda a, b, w: ag.lerp(a, b, w), ((3, 1), (4,), ())),
    Case("lerp_scalar_weight", lambda a, b: a.lerp(b, 0.3), ((2, 3), (3,))),
    # rounding: zero gradient (as torch); frac passes it through
    *_unary("floor", lambda x: x.floor() + x, "distinct"),
    Case("ceil", lambda x: x.ceil() * x, ((3, 4),), "distinct"),
    Case("round", lambda x: x.round() + x * 2, ((3, 4),), "distinct"),
    Case("round_decimals", lambda x: ag.round(x, decimals=1) + x, ((3, 4),), "distinct"),
    Case("trunc", lambda x: ag.trunc(x) * x, ((3, 4),), "distinct"),
    Case("sign", lambda x: x.sign() * x, ((3, 4),), "nonzero"),
    *_unary("frac", lambda x: x.frac(), "distinct"),
    Case("frac_fn", lambda x: ag.frac(x * 3), ((3, 4),), "distinct"),
    # x % y and fmod: a kink wherever x / y is whole; the distinct grid stays off those
    Case("remainder", lambda x, y: x % y, ((3, 4), (3, 4)), ("distinct", "positive")),
    Case("remainder", lambda x, y: ag.remainder(x, y), ((3, 1), (4,)), ("distinct", "positive")),
    Case("remainder_scalar", lambda x: x % 0.7, ((3, 4),), "distinct"),
    Case("rmod", lambda x: 2.5 % x, ((3, 4),), "positive"),
    Case("fmod", lambda x, y: x.fmod(y), ((3, 4), (3, 4)), ("distinct", "positive")),
    Case("fmod", lambda x, y: ag.fmod(x, -y), ((2, 3), ()), ("distinct", "positive")),
]
