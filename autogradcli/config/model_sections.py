"""The model section's kinds: linear, linear_multi, logistic, mlp, cnn, each a pydantic model
registered with @kind("model"); the shapes they build are nn/specs.py's.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from autogradcli.config.fields import InitValue, Integer, Number, Section
from autogradcli.config.sections import kind, kinds_of
from autogradcli.config.yaml_source import FieldProblem
from autogradcli.errors import did_you_mean
from autogradcli.nn.specs import MODELS as MODEL_SPECS
from autogradcli.nn.specs import ConvLayer, feature_maps


class _ModelBase(Section):
    init: Literal["random"] | dict[str, InitValue] = Field(
        "random", description="'random' (seeded) or every parameter's value, e.g. {a: 0.5, b: -1}.")
    init_scale: Number = Field(
        1.0, gt=0.0, description="Scale of random init: sd of a, b for `linear`; for "
                                 "`linear_multi` and `logistic` weights are Normal(0, init_scale / "
                                 "sqrt(fan_in)); for `mlp` He (relu) or Xavier (tanh, sigmoid) "
                                 "normal times init_scale; biases 0.")

    @field_validator("init", mode="before")
    @classmethod
    def _init_shape(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value != "random":
                raise ValueError(f"init must be 'random' or a mapping of values, got {value!r}")
            return value
        if not isinstance(value, dict):
            raise FieldProblem((), f"init must be 'random' or a mapping name: value, got {value!r}")
        for name, item in value.items():
            if not _is_numeric_nest(item):
                raise FieldProblem(("init", str(name)),
                                   f"expected a number or a (nested) list of numbers, got {item!r}")
        return value

    def parameter_names(self) -> list[str]:
        """Names of the parameters, as used in `init`, history.csv and summary.json."""
        return MODEL_SPECS[self.kind].parameter_names(len(self.hidden_sizes()))

    def hidden_sizes(self) -> tuple[int, ...]:
        """The hidden layer sizes (none but for an MLP)."""
        return ()

    def options(self) -> dict[str, Any]:
        """The model's own arguments beyond its sizes and init (an MLP's activation)."""
        return {}

    def features_problem(self, n_features: int) -> tuple[str, str, str] | None:
        """(key, problem, hint) when this section cannot take rows of n_features, else None."""
        return None

    @model_validator(mode="after")
    def _init_names(self):
        if isinstance(self.init, dict):
            names = self.parameter_names()
            for key in self.init:
                if key not in names:
                    raise FieldProblem(("init", key), "unknown parameter",
                                       hint=did_you_mean(key, names, "Parameters"))
            missing = [name for name in names if name not in self.init]
            if missing:
                raise FieldProblem("init", f"missing value for {', '.join(missing)}",
                                   hint="give every parameter a value, or use init: random")
        return self


def _is_numeric_nest(item: Any) -> bool:
    if isinstance(item, bool):
        return False
    if isinstance(item, (int, float)):
        return True
    return isinstance(item, list) and bool(item) and all(_is_numeric_nest(v) for v in item)


@kind("model")
class LinearModel(_ModelBase):
    """The tutorial's model y_hat = a * x + b with two scalar parameters; one feature only."""

    kind: Literal["linear"] = Field(description="Scalar slope a and intercept b (1 feature).")

    @model_validator(mode="after")
    def _scalars(self):
        if isinstance(self.init, dict):
            for name, value in self.init.items():
                if isinstance(value, list):
                    raise FieldProblem(("init", name), f"'{name}' is a scalar, got a list")
        return self


@kind("model")
class LinearMultiModel(_ModelBase):
    """y_hat = x @ w + b: weight vector w (n_features,), scalar bias b."""

    kind: Literal["linear_multi"] = Field(description="Multivariate linear regression.")


@kind("model")
class LogisticModel(_ModelBase):
    """Binary (2 classes: w (d,), b scalar, sigmoid) or softmax (k > 2: w (d, k), b (k,))."""

    kind: Literal["logistic"] = Field(
        description="Logistic regression: binary with 2 classes, multinomial softmax with more.")


@kind("model")
class MlpModel(_ModelBase):
    """Fully connected layers; layer i (1-based) has weights w{i} (fan_in, fan_out), bias b{i}."""

    kind: Literal["mlp"] = Field(description="Multi-layer perceptron.")
    hidden: list[Annotated[Integer, Field(ge=1)]] = Field(
        [16], min_length=1, description="Sizes of the hidden layers, e.g. [16, 16].")
    activation: Literal["tanh", "relu", "sigmoid"] = Field(
        "tanh", description="Activation after every hidden layer (none after the output).")
    output_size: Integer | None = Field(
        None, ge=1, description="Outputs; null infers it: 1 for regression and two classes, "
                                "k for k > 2 classes.")

    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(self.hidden)

    def options(self) -> dict[str, Any]:
        return {"activation": self.activation}


class ConvLayerConfig(Section):
    """One conv layer of a cnn: convolution, the activation, then optional max pooling."""

    channels: Integer = Field(ge=1, description="Number of filters (output channels).")
    kernel: Integer = Field(3, ge=1, description="Filter size: kernel x kernel pixels.")
    stride: Integer = Field(1, ge=1, description="Step between filter positions.")
    padding: Annotated[Integer, Field(ge=0)] | Literal["same"] = Field(
        0, description="Zero pixels added on each side, or 'same' (output size = input size; "
                       "stride 1 only).")
    pool: Integer = Field(1, ge=1, description="Max pooling over pool x pool windows after the "
                                               "activation; 1 for none.")

    @model_validator(mode="after")
    def _same_needs_stride_one(self):
        if self.padding == "same" and self.stride != 1:
            raise FieldProblem("padding", "padding 'same' needs stride 1",
                               hint="use a number for padding, or stride: 1")
        return self


@kind("model")
class CnnModel(_ModelBase):
    """Conv layers conv{i}_w (channels, in, k, k) and conv{i}_b, then dense layers w{j}, b{j}."""

    kind: Literal["cnn"] = Field(description="Convolutional network on image rows.")
    image: list[Annotated[Integer, Field(ge=1)]] = Field(
        min_length=3, max_length=3,
        description="[channels, height, width] of each row's image; its features, in row-major "
                    "order, must number channels * height * width.")
    conv: list[ConvLayerConfig] = Field(min_length=1, description="The conv layers, in order.")
    hidden: list[Annotated[Integer, Field(ge=1)]] = Field(
        [], description="Sizes of the hidden dense layers after the conv layers, e.g. [64].")
    activation: Literal["relu", "tanh", "sigmoid"] = Field(
        "relu", description="Activation after every conv and hidden dense layer.")
    output_size: Integer | None = Field(
        None, ge=1, description="Outputs; null infers it: 1 for regression and two classes, "
                                "k for k > 2 classes.")

    @model_validator(mode="after")
    def _fits_the_image(self):
        try:
            feature_maps(self.image, self.layers())
        except ValueError as exc:
            raise FieldProblem("conv", str(exc), hint="use fewer layers, smaller kernels or "
                                                      "pools, or padding") from None
        return self

    def layers(self) -> tuple[ConvLayer, ...]:
        return tuple(ConvLayer(**layer.model_dump()) for layer in self.conv)

    def parameter_names(self) -> list[str]:
        return MODEL_SPECS["cnn"].names(len(self.conv), len(self.hidden))

    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(self.hidden)

    def options(self) -> dict[str, Any]:
        return {"image": list(self.image), "conv": [layer.model_dump() for layer in self.conv],
                "activation": self.activation}

    def features_problem(self, n_features: int) -> tuple[str, str, str] | None:
        pixels = math.prod(self.image)
        if pixels == n_features:
            return None
        return ("image", f"an image of {list(self.image)} holds {pixels} values; the data has "
                         f"{n_features} features",
                "give the data's features, in row-major order, as [channels, height, width]")


ModelConfig = kinds_of("model")
