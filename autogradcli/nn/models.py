"""Models on engine Tensors with named parameters: Line (a, b), Linear, Logistic, MLP, CNN.

Their parameter shapes come from specs.py (the rules validation and plotting share); MODELS maps
each config `kind` to its class. Engine and numpy only: never config, data, training or the CLI.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from itertools import pairwise
from typing import ClassVar

import numpy as np

import autogradcli.engine as ag
from autogradcli.nn.specs import MODELS as SPECS
from autogradcli.nn.specs import ConvLayer, ModelSpec, Sizes

ACTIVATIONS = ("tanh", "relu", "sigmoid")


class Model:
    """Base class: an ordered dict of named leaf parameters and a forward pass.

    Subclasses name their `spec` (parameter shapes from `self.sizes`), declare
    `_random_values(rng, scale)`, implement `forward(x)` and `from_sizes`. `is_linear` says
    whether closed-form least squares applies.
    """

    spec: ClassVar[ModelSpec]
    options: ClassVar[tuple[str, ...]] = ()  # from_sizes' own keyword arguments, as in the config
    is_linear = False
    sizes: Sizes

    def __init__(self, init=None, rng=None, scale=1.0, dtype=ag.float64):
        shapes = self.shapes()
        if init is None:
            rng = np.random.default_rng() if rng is None else rng
            values = self._random_values(rng, float(scale))
        else:
            values = _values_from(init, shapes, type(self).__name__)
        self._params = {}
        for name, shape in shapes.items():
            data = np.array(values[name], dtype=dtype).reshape(shape)
            self._params[name] = ag.tensor(data, requires_grad=True)

    def shapes(self) -> dict[str, tuple]:
        """Parameter name -> shape, in order."""
        return self.spec.shapes(self.sizes)

    @classmethod
    def from_sizes(cls, sizes: Sizes, **kwargs) -> Model:
        """The model of these sizes; kwargs are init, rng, scale and the kind's own options."""
        raise NotImplementedError

    def _random_values(self, rng, scale) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError

    def parameters(self) -> dict[str, ag.Tensor]:
        """The parameters by name, in order: the same leaf Tensors the model computes with."""
        return dict(self._params)

    def parameter_values(self) -> dict[str, float | np.ndarray]:
        """A snapshot: Python floats for scalar parameters, array copies for the others."""
        return {name: _snapshot(p.data) for name, p in self._params.items()}

    def least_squares(self, x, y) -> dict[str, float | np.ndarray] | None:
        """Closed-form least-squares parameters for (x, y) by name, or None if not linear."""
        return None

    def __call__(self, x) -> ag.Tensor:
        if not isinstance(x, ag.Tensor):
            x = ag.tensor(np.asarray(x, dtype=np.float64))
        return self.forward(x)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}={tuple(p.shape)}" for n, p in self._params.items())
        return f"{type(self).__name__}({shapes})"


class Line(Model):
    """The tutorial's y_hat = a * x + b on a 1-D x, with scalar parameters a and b.

    Random init: a, b ~ Normal(0, scale), like the tutorial's torch_randn.
    """

    spec = SPECS["linear"]
    is_linear = True
    sizes = Sizes(1)

    @classmethod
    def from_sizes(cls, sizes, **kwargs):
        return cls(**kwargs)

    def _random_values(self, rng, scale):
        return {"a": rng.normal(0.0, scale), "b": rng.normal(0.0, scale)}

    def forward(self, x):
        if x.ndim == 2 and x.shape[1] == 1:
            x = x.reshape(-1)
        if x.ndim != 1:
            raise ValueError(f"Line takes a 1-D x (one feature), got shape {tuple(x.shape)}")
        return self._params["a"] * x + self._params["b"]

    def least_squares(self, x, y):
        coef = _lstsq(np.asarray(x, dtype=np.float64).reshape(-1, 1), y)
        return {"a": float(coef[0]), "b": float(coef[1])}


class Linear(Model):
    """y_hat = x @ w + b: weights w of shape (n_features,), scalar bias b; output (n,).

    Random init: w ~ Normal(0, scale / sqrt(n_features)), b = 0.
    """

    spec = SPECS["linear_multi"]
    is_linear = True

    def __init__(self, n_features, init=None, rng=None, scale=1.0, dtype=ag.float64):
        self.n_features = _positive(n_features, "n_features")
        self.sizes = Sizes(self.n_features)
        super().__init__(init, rng, scale, dtype)

    @classmethod
    def from_sizes(cls, sizes, **kwargs):
        return cls(sizes.n_features, **kwargs)

    def _random_values(self, rng, scale):
        d = self.n_features
        return {"w": rng.normal(0.0, scale / np.sqrt(d), size=d), "b": 0.0}

    def forward(self, x):
        return _as_matrix(x, self.n_features, "Linear") @ self._params["w"] + self._params["b"]

    def least_squares(self, x, y):
        coef = _lstsq(np.asarray(x, dtype=np.float64).reshape(len(y), -1), y)
        return {"w": coef[:-1].copy(), "b": float(coef[-1])}


class Logistic(Model):
    """Logistic regression returning logits (feed them to bce or cross_entropy).

    n_classes == 2: w (n_features,), scalar b, logits (n,) for bce.
    n_classes > 2: w (n_features, n_classes), b (n_classes,), logits (n, n_classes) for
    cross_entropy.
    Random init: w ~ Normal(0, scale / sqrt(n_features)), b = 0.
    """

    spec = SPECS["logistic"]

    def __init__(self, n_features, n_classes=2, init=None, rng=None, scale=1.0,
                 dtype=ag.float64):
        self.n_features = _positive(n_features, "n_features")
        if int(n_classes) < 2:
            raise ValueError(f"Logistic needs n_classes >= 2, got {n_classes}")
        self.n_classes = int(n_classes)
        self.sizes = Sizes(self.n_features, 1 if self.n_classes == 2 else self.n_classes)
        super().__init__(init, rng, scale, dtype)

    @classmethod
    def from_sizes(cls, sizes, **kwargs):
        return cls(sizes.n_features, max(sizes.n_outputs, 2), **kwargs)

    def _random_values(self, rng, scale):
        shapes = self.shapes()
        w = rng.normal(0.0, scale / np.sqrt(self.n_features), size=shapes["w"])
        return {"w": w, "b": np.zeros(shapes["b"])}

    def forward(self, x):
        return _as_matrix(x, self.n_features, "Logistic") @ self._params["w"] + self._params["b"]

    def probabilities(self, x) -> np.ndarray:
        """P(class 1) of shape (n,) for two classes, else softmax rows (n, n_classes); no graph."""
        with ag.no_grad():
            logits = self(x)
            out = logits.sigmoid() if self.n_classes == 2 else logits.softmax(dim=1)
        return out.data


class MLP(Model):
    """Fully connected layers, x @ weight + bias, activation after every hidden layer.

    Parameters `w{i}` (fan_in, fan_out) and `b{i}` (fan_out,), i from 1.
    Output (n,) when output_size == 1, else (n, output_size). Random init: biases 0; hidden
    weights He normal (relu) or Xavier normal (tanh, sigmoid), the output layer Xavier; times scale.
    """

    spec = SPECS["mlp"]
    options = ("activation",)

    def __init__(self, n_inputs, hidden, output_size=1, activation="tanh", init=None, rng=None,
                 scale=1.0, dtype=ag.float64):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; "
                             f"use one of {', '.join(ACTIVATIONS)}")
        self.n_inputs = _positive(n_inputs, "n_inputs")
        self.hidden = [_positive(h, "hidden size") for h in hidden]
        self.output_size = _positive(output_size, "output_size")
        self.activation = activation
        self.sizes = Sizes(self.n_inputs, self.output_size, tuple(self.hidden))
        super().__init__(init, rng, scale, dtype)
        self._layers = [
            (self._params[f"w{i}"], self._params[f"b{i}"])
            for i in range(1, len(self.hidden) + 2)
        ]

    @classmethod
    def from_sizes(cls, sizes, activation="tanh", **kwargs):
        return cls(sizes.n_features, sizes.hidden, sizes.n_outputs, activation, **kwargs)

    def _random_values(self, rng, scale):
        layers = [self.n_inputs, *self.hidden, self.output_size]
        last = len(layers) - 1
        values = {}
        for i, (fan_in, fan_out) in enumerate(pairwise(layers), start=1):
            if self.activation == "relu" and i < last:
                std = np.sqrt(2.0 / fan_in)  # He: keeps the variance through relu
            else:
                std = np.sqrt(2.0 / (fan_in + fan_out))  # Xavier
            values[f"w{i}"] = rng.normal(0.0, scale * std, size=(fan_in, fan_out))
            values[f"b{i}"] = np.zeros(fan_out)
        return values

    def forward(self, x):
        h = _as_matrix(x, self.n_inputs, "MLP")
        last = len(self._layers) - 1
        for i, (weight, bias) in enumerate(self._layers):
            h = h @ weight + bias
            if i < last:
                h = getattr(h, self.activation)()
        return h.reshape(-1) if self.output_size == 1 else h


class CNN(Model):
    """Conv layers (conv2d, activation, max_pool2d) on x reshaped to `image`, then dense layers
    as an MLP's on the flattened feature maps.

    Parameters conv{i}_w (channels, in_channels, k, k), conv{i}_b, then w{j}, b{j} (see
    specs.CnnSpec). x: (n, C*H*W), each row an image in row-major (C, H, W) order. Random init:
    biases 0; weights He normal (relu) or Xavier normal, fans counted per output pixel; times scale.
    """

    spec = SPECS["cnn"]
    options = ("image", "conv", "activation")

    def __init__(self, image, conv, hidden=(), output_size=1, activation="relu", init=None,
                 rng=None, scale=1.0, dtype=ag.float64):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; "
                             f"use one of {', '.join(ACTIVATIONS)}")
        self.image = tuple(_positive(n, "image size") for n in _option(image))
        if len(self.image) != 3:
            raise ValueError(f"image must be [channels, height, width], got {list(self.image)}")
        self.conv = tuple(_conv_layer(layer) for layer in _option(conv))
        self.activation = activation
        self.output_size = _positive(output_size, "output_size")
        self.sizes = Sizes(math.prod(self.image), self.output_size,
                           tuple(_positive(h, "hidden size") for h in hidden), self.image,
                           self.conv)
        super().__init__(init, rng, scale, dtype)

    @classmethod
    def from_sizes(cls, sizes, image=None, conv=None, activation="relu", **kwargs):
        return cls(image if image is not None else sizes.image,
                   conv if conv is not None else sizes.conv, sizes.hidden, sizes.n_outputs,
                   activation, **kwargs)

    def _random_values(self, rng, scale):
        values = {}
        for name, shape in self.shapes().items():
            if len(shape) == 1:
                values[name] = np.zeros(shape)
                continue
            fan_in = math.prod(shape[1:]) if len(shape) == 4 else shape[0]
            fan_out = shape[0] * math.prod(shape[2:]) if len(shape) == 4 else shape[1]
            last = name == f"w{len(self.sizes.hidden) + 1}"
            if self.activation == "relu" and not last:
                std = np.sqrt(2.0 / fan_in)
            else:
                std = np.sqrt(2.0 / (fan_in + fan_out))
            values[name] = rng.normal(0.0, scale * std, size=shape)
        return values

    def feature_maps(self, x, layers=None) -> list[ag.Tensor]:
        """The output of each conv layer (after activation and pooling) for rows x."""
        f = ag.nn.functional
        h = _as_matrix(x, self.sizes.n_features, "CNN").reshape(-1, *self.image)
        maps = []
        for i, layer in enumerate(self.conv[:layers], start=1):
            w, b = self._params[f"conv{i}_w"], self._params[f"conv{i}_b"]
            h = getattr(f.conv2d(h, w, b, layer.stride, layer.padding), self.activation)()
            if layer.pool > 1:
                h = f.max_pool2d(h, layer.pool)
            maps.append(h)
        return maps

    def forward(self, x):
        h = self.feature_maps(x)[-1]
        h = h.reshape(h.shape[0], -1)
        last = len(self.sizes.hidden)
        for j in range(1, last + 2):
            h = h @ self._params[f"w{j}"] + self._params[f"b{j}"]
            if j <= last:
                h = getattr(h, self.activation)()
        return h.reshape(-1) if self.output_size == 1 else h


MODELS: dict[str, type[Model]] = {cls.spec.kind: cls for cls in (Line, Linear, Logistic, MLP,
                                                                 CNN)}


def create(kind: str, sizes: Sizes, **kwargs) -> Model:
    """The model of config kind `kind` with these sizes (kwargs: init, rng, scale, options)."""
    return MODELS[kind].from_sizes(sizes, **kwargs)


def from_parameters(kind: str, params: Mapping[str, np.ndarray], **options) -> Model:
    """A model of `kind` holding saved parameter values, its sizes read off their shapes.

    ValueError (or KeyError) when the values are not this kind's parameters.
    """
    shapes = {name: np.shape(value) for name, value in params.items()}
    return create(kind, SPECS[kind].sizes_of(shapes), init=dict(params), **options)


# ------------------------------------------------------------------------------------- helpers


def _positive(n, what) -> int:
    if int(n) != n or int(n) < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def _as_matrix(x, n_features, model):
    if x.ndim == 1 and n_features == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(
            f"{model} expects x of shape (n, {n_features}), got shape {tuple(x.shape)}"
        )
    return x


def _option(value):
    """A cnn option as given (a list) or as saved in model.npz (its text, a Python literal)."""
    return ast.literal_eval(value) if isinstance(value, str) else value


def _conv_layer(layer) -> ConvLayer:
    if isinstance(layer, ConvLayer):
        return layer
    if not isinstance(layer, Mapping) or "channels" not in layer:
        raise ValueError(f"a conv layer is a mapping with at least channels, got {layer!r}")
    return ConvLayer(**layer)


def _lstsq(x2d, y):
    """Coefficients of y ~ x2d @ coef[:-1] + coef[-1] by numpy.linalg.lstsq (intercept last)."""
    design = np.column_stack([x2d, np.ones(len(x2d))])
    coef, *_ = np.linalg.lstsq(design, np.asarray(y, dtype=np.float64).reshape(-1), rcond=None)
    return coef


def _snapshot(data):
    return float(data) if data.ndim == 0 else data.copy()


def _values_from(init, shapes, model) -> dict[str, np.ndarray]:
    """Check a name -> number or nested list mapping against the model's parameter shapes."""
    if not isinstance(init, Mapping):
        raise TypeError(f"init for {model} must be a mapping name -> value, got {init!r}")
    names = ", ".join(shapes)
    unknown = [name for name in init if name not in shapes]
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} for {model}; "
                         f"its parameters are: {names}")
    missing = [name for name in shapes if name not in init]
    if missing:
        raise ValueError(f"init for {model} is missing {', '.join(missing)}; give all of: {names}")
    values = {}
    for name, shape in shapes.items():
        try:
            value = np.array(init[name], dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"init value of {name!r} must be a number or a (nested) list of numbers of shape "
                f"{shape}, got {init[name]!r}"
            ) from None
        if value.shape != shape:
            want = "a number" if shape == () else f"shape {shape}"
            raise ValueError(f"init value of {name!r} must be {want}, got shape {value.shape}")
        values[name] = value
    return values
