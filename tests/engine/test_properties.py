"""Property tests: random compositions of smooth ops on random broadcast-compatible shapes, with
gradients from the engine compared to central finite differences computed independently here."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autogradcli.engine as ag

# Smooth unary steps (no kinks, no poles on any real input), each keeping the shape broadcastable.
UNARY = {
    "tanh": lambda z: z.tanh(),
    "sigmoid": lambda z: z.sigmoid(),
    "exp_tanh": lambda z: z.tanh().exp(),
    "square": lambda z: z * z,
    "cube": lambda z: z**3,
    "log1p_sq": lambda z: (1 + z * z).log(),
    "sqrt1p_sq": lambda z: (1 + z * z).sqrt(),
    "neg": lambda z: -z,
    "rsub": lambda z: 1.5 - z,
    "recip": lambda z: 1 / (2 + z.tanh()),
    "softmax": lambda z: z.softmax(-1),
    "log_softmax": lambda z: z.log_softmax(-1),
    "sum_keepdim": lambda z: z.sum(-1, keepdim=True),
    "mean_keepdim": lambda z: z.mean(0, keepdim=True) if z.ndim else z,  # 0-d: see semantics
    "flip_reshape": lambda z: z.reshape(-1)[::-1].reshape(z.shape),
    "transpose_back": lambda z: z.T.T * 2,
    "cat_halves": lambda z: ag.cat([z, z * 0.5], dim=-1)[..., : z.shape[-1]] if z.ndim else z,
}

# Smooth binary steps with the second operand y, broadcasting.
BINARY = {
    "add": lambda z, y: z + y,
    "sub": lambda z, y: z - y,
    "mul": lambda z, y: z * y,
    "div": lambda z, y: z / (1 + y * y),
    "pow": lambda z, y: (1 + z * z) ** y.tanh(),
    "where": lambda z, y: ag.where(_checkerboard(z, y), z, y),
    "stack_sum": lambda z, y: ag.stack([z * y, z + y]).sum(0),  # same (broadcast) shape
}

# ---------------------------------------------------------------- shape, indexing, linear algebra
UNARY.update({
    "roll_flip": lambda z: z.roll(1).flip(-1),
    "repeat_narrow": lambda z: z.repeat(2, *(1,) * (z.ndim - 1)).narrow(0, 1, z.shape[0])
    if z.ndim else z,
    "pad_crop": lambda z: ag.nn.functional.pad(z, (1, 2))[..., 1:-2] * 1.5 if z.ndim else z,
    "gather_rev": lambda z: z.gather(-1, ag.tensor(
        np.broadcast_to(np.arange(z.shape[-1])[::-1], z.shape).copy())) if z.ndim else z,
    "einsum_square": lambda z: ag.einsum("...,...->...", z, z.tanh()),
})
BINARY.update({
    "einsum_mul": lambda z, y: ag.einsum("...,...->...", z, y),
    "masked_fill_where": lambda z, y: ag.where(_checkerboard(z, y), 0.5, z * y),
})



def _checkerboard(z, y):
    """A fixed condition (not computed from the values, which would put kinks under the test)."""
    shape = np.broadcast_shapes(z.shape, y.shape)
    return np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0


STEPS = [("u", name) for name in UNARY] + [("b", name) for name in BINARY]


def _run(chain, x, y):
    z = x * y + x
    for kind, name in chain:
        z = UNARY[name](z) if kind == "u" else BINARY[name](z, y)
    return z


def _loss(chain, x, y, weights):
    z = _run(chain, x, y)
    return (z * weights[: z.data.size].reshape(z.shape)).sum()


def _numerical(chain, arrays, weights, eps=1e-6):
    grads = []
    with ag.no_grad():
        for i, a in enumerate(arrays):
            g = np.zeros_like(a)
            for e in range(a.size):
                values = []
                for step in (eps, -eps):
                    moved = [b.copy() for b in arrays]
                    moved[i].reshape(-1)[e] += step
                    loss = _loss(chain, *(ag.tensor(m) for m in moved), weights)
                    values.append(loss.item())
                g.reshape(-1)[e] = (values[0] - values[1]) / (2 * eps)
            grads.append(g)
    return grads


_elements = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)


@st.composite
def problems(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    max_side=3))
    x = draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=_elements))
    y = draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=_elements))
    chain = draw(st.lists(st.sampled_from(STEPS), min_size=1, max_size=4))
    return x, y, chain


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(0, 2**32 - 1))
def test_random_chains_match_finite_differences(problem, seed):
    x_data, y_data, chain = problem
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, 64)
    x = ag.tensor(x_data, requires_grad=True)
    y = ag.tensor(y_data, requires_grad=True)
    loss = _loss(chain, x, y, weights)
    loss.backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    gx, gy = _numerical(chain, [x_data, y_data], weights)
    # central differences lose |loss| * 2**-52 / eps to rounding: a large term elsewhere in the
    # sum (x**27 of a 2) blurs a small element's estimate by that much
    atol = 1e-6 + 1e-8 * abs(loss.item())
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-4, atol=atol)
    np.testing.assert_allclose(y.grad.numpy(), gy, rtol=1e-4, atol=atol)


@settings(max_examples=50, deadline=None)
@given(problems())
def test_grad_agrees_with_backward_and_second_order_with_gradcheck(problem):
    x_data, y_data, chain = problem
    x = ag.tensor(x_data, requires_grad=True)
    y = ag.tensor(y_data, requires_grad=True)
    z = _run(chain, x, y)
    gx, gy = ag.grad(z.sum(), [x, y], retain_graph=True)
    z.sum().backward()
    np.testing.assert_allclose(gx.numpy(), x.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gy.numpy(), y.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert ag.gradgradcheck(lambda a, b: _run(chain, a, b).sum(), [x, y], atol=1e-4)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_reductions_over_random_dims(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x_data = data.draw(hnp.arrays(np.float64, shape, elements=_elements))
    dims = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape),
                              unique=True))
    keepdim = data.draw(st.booleans())
    reduce = data.draw(st.sampled_from(["sum", "mean"]))
    x = ag.tensor(x_data, requires_grad=True)
    out = getattr(x, reduce)(tuple(dims), keepdim=keepdim)
    expected = getattr(np, reduce)(x_data, axis=tuple(dims), keepdims=keepdim)
    np.testing.assert_allclose(out.detach().numpy(), expected)
    (out * out).sum().backward()
    count = 1 if reduce == "sum" else int(np.prod([shape[d] for d in dims]))
    kept = getattr(np, reduce)(x_data, axis=tuple(dims), keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(2 * kept / count, shape))
