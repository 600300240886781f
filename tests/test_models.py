"""Models: named float64 leaf parameters, forward passes against numpy, init, least squares."""

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli.nn.models import MLP, Line, Linear, Logistic


def _np_act(name, h):
    if name == "tanh":
        return np.tanh(h)
    if name == "relu":
        return np.maximum(h, 0)
    return 1 / (1 + np.exp(-h))


def test_line_parameters_are_named_float64_scalar_leaves():
    model = Line(rng=np.random.default_rng(0))
    params = model.parameters()
    assert list(params) == ["a", "b"]
    for p in params.values():
        assert p.shape == () and p.dtype == ag.float64 and p.requires_grad and p.is_leaf


def test_line_forward_is_a_times_x_plus_b():
    model = Line(init={"a": 2.0, "b": -1.0})
    x = np.array([0.0, 1.0, 2.5])
    np.testing.assert_array_equal(model(x).data, 2.0 * x - 1.0)
    np.testing.assert_array_equal(model(x[:, None]).data, 2.0 * x - 1.0)  # (n, 1) accepted


def test_line_gradients_are_x_and_one():
    model = Line(init={"a": 0.5, "b": 0.0})
    x = np.array([1.0, 2.0, 3.0])
    model(x).sum().backward()
    assert model.parameters()["a"].grad.item() == 6.0
    assert model.parameters()["b"].grad.item() == 3.0


def test_random_init_is_seeded_and_scaled():
    first = Line(rng=np.random.default_rng(7), scale=2.0).parameter_values()
    again = Line(rng=np.random.default_rng(7), scale=2.0).parameter_values()
    draws = np.random.default_rng(7).normal(0.0, 2.0, size=2)
    assert first == again == {"a": draws[0], "b": draws[1]}


def test_line_rejects_two_features():
    with pytest.raises(ValueError, match="1-D x"):
        Line(init={"a": 1, "b": 0})(np.ones((4, 2)))


@pytest.mark.parametrize(
    ("init", "message"),
    [
        ({"a": 1.0, "c": 2.0}, "unknown parameter 'c' for Line; its parameters are: a, b"),
        ({"a": 1.0}, "missing b"),
        ({"a": [1.0, 2.0], "b": 0.0}, "'a' must be a number, got shape"),
        ({"a": "x", "b": 0.0}, "number or a"),
    ],
    ids=["unknown", "missing", "shape", "not-a-number"],
)
def test_init_values_are_checked(init, message):
    with pytest.raises(ValueError, match=message):
        Line(init=init)


def test_linear_init_shape_error_names_the_shape():
    with pytest.raises(ValueError, match=r"'w' must be shape \(3,\), got shape \(2,\)"):
        Linear(3, init={"w": [1, 2], "b": 0})
    with pytest.raises(ValueError, match="number or a"):
        Linear(2, init={"w": [[1, 2], [3]], "b": 0})  # ragged


def test_linear_forward_and_least_squares_recover_exact_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 3.0
    model = Linear(3, rng=rng)
    w, b = model.parameters()["w"].data, model.parameters()["b"].data
    np.testing.assert_allclose(model(x).data, x @ w + b)
    assert model.is_linear
    ls = model.least_squares(x, y)
    np.testing.assert_allclose(ls["w"], [1.0, -2.0, 0.5], atol=1e-12)
    assert ls["b"] == pytest.approx(3.0, abs=1e-12)


def test_line_least_squares_matches_the_normal_equations():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, 50)
    y = 2 * x + 1 + rng.normal(0, 0.3, 50)
    ls = Line(rng=rng).least_squares(x[:, None], y)
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    assert ls["a"] == pytest.approx(slope, rel=1e-12)
    assert ls["b"] == pytest.approx(y.mean() - slope * x.mean(), rel=1e-12)


def test_linear_random_init_has_zero_bias_and_scaled_weights():
    model = Linear(400, rng=np.random.default_rng(3), scale=2.0)
    assert model.parameter_values()["b"] == 0.0
    assert np.std(model.parameters()["w"].data) == pytest.approx(2.0 / 20.0, rel=0.15)


def test_logistic_binary_gives_one_logit_per_row():
    model = Logistic(2, init={"w": [1.0, -1.0], "b": 0.5})
    x = np.array([[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(model(x).data, [-0.5, 0.5])
    np.testing.assert_allclose(model.probabilities(x), 1 / (1 + np.exp([0.5, -0.5])))
    assert not model.is_linear and model.least_squares(x, np.zeros(2)) is None


def test_logistic_multiclass_gives_logits_per_class():
    model = Logistic(3, n_classes=4, rng=np.random.default_rng(4))
    assert {n: p.shape for n, p in model.parameters().items()} == {"w": (3, 4), "b": (4,)}
    x = np.random.default_rng(5).normal(size=(6, 3))
    assert model(x).shape == (6, 4)
    np.testing.assert_allclose(model.probabilities(x).sum(axis=1), 1.0)


def test_logistic_needs_two_classes():
    with pytest.raises(ValueError, match="n_classes >= 2"):
        Logistic(2, n_classes=1)


def test_mlp_parameter_names_and_shapes():
    model = MLP(3, [5, 4], output_size=2, rng=np.random.default_rng(0))
    shapes = {n: p.shape for n, p in model.parameters().items()}
    assert shapes == {
        "w1": (3, 5), "b1": (5,),
        "w2": (5, 4), "b2": (4,),
        "w3": (4, 2), "b3": (2,),
    }
    assert not model.is_linear


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_mlp_forward_matches_numpy(activation):
    model = MLP(2, [6, 3], activation=activation, rng=np.random.default_rng(1))
    p = {n: t.data for n, t in model.parameters().items()}
    x = np.random.default_rng(2).normal(size=(5, 2))
    h = _np_act(activation, x @ p["w1"] + p["b1"])
    h = _np_act(activation, h @ p["w2"] + p["b2"])
    expected = (h @ p["w3"] + p["b3"]).reshape(-1)
    out = model(x)
    assert out.shape == (5,)  # one output comes back 1-D, like the regression target
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_mlp_gradients_reach_every_parameter():
    model = MLP(1, [4], rng=np.random.default_rng(3))
    model(np.linspace(-1, 1, 7)).pow(2).mean().backward()
    for name, p in model.parameters().items():
        assert p.grad is not None and p.grad.shape == p.shape, name


@pytest.mark.parametrize(("activation", "std"), [("relu", np.sqrt(2 / 300)),
                                                  ("tanh", np.sqrt(2 / 600))])
def test_mlp_init_is_he_for_relu_and_xavier_otherwise(activation, std):
    model = MLP(300, [300], activation=activation, rng=np.random.default_rng(4))
    assert np.std(model.parameters()["w1"].data) == pytest.approx(std, rel=0.05)
    assert not model.parameters()["b1"].data.any()


def test_mlp_rejects_unknown_activation_and_wrong_input():
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP(2, [3], activation="gelu")
    with pytest.raises(ValueError, match=r"expects x of shape \(n, 2\)"):
        MLP(2, [3], rng=np.random.default_rng(0))(np.ones((4, 3)))


def test_init_from_values_for_mlp():
    init = {"w1": [[1.0, 2.0]], "b1": [0.0, 1.0],
            "w2": [[1.0], [1.0]], "b2": [0.5]}
    model = MLP(1, [2], activation="relu", init=init)
    np.testing.assert_allclose(model(np.array([1.0, -1.0])).data, [1.0 + 3.0 + 0.5, 0.5])
