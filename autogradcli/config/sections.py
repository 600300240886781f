"""The config's sections, one pydantic model per kind.

The sections: data, model, loss, optimizer, training, output.

Their fields are the YAML keys, their descriptions the documentation (and the JSON Schema).
"""

from __future__ import annotations

import math
import operator
import string
from functools import reduce
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from autogradcli.config.fields import Bool, InitValue, Integer, Number, Range, Section
from autogradcli.config.yaml_source import FieldProblem
from autogradcli.errors import did_you_mean
from autogradcli.nn.specs import METRICS, ConvLayer, feature_maps
from autogradcli.nn.specs import MODELS as MODEL_SPECS

MetricName = Literal[tuple(METRICS)]  # the names nn/specs.py knows

# Each section's kinds, by the name its `kind:` key takes; a class joins with @kind(section).
KINDS: dict[str, dict[str, type[Section]]] = {"data": {}, "model": {}, "loss": {}, "optimizer": {}}


def kind(section: str):
    """Register a section class as one kind of `section`, named by its `kind` literal."""
    def register(cls: type[Section]) -> type[Section]:
        (name,) = get_args(cls.model_fields["kind"].annotation)
        KINDS[section][name] = cls
        return cls
    return register


def keys_in_order(cls: type[Section]) -> list[str]:
    """A kind's keys as people read them: kind, its own keys, then those every kind shares."""
    shared = [key for key in cls.__mro__[1].model_fields if key != "kind"]
    return [key for key in cls.model_fields if key not in shared] + shared


def kinds_of(section: str) -> Any:
    """The field type of a section: any of its registered kinds, told apart by `kind`."""
    return Annotated[reduce(operator.or_, KINDS[section].values()), Field(discriminator="kind")]


# --------------------------------------------------------------------------------------------- data


class _DataBase(Section):
    standardize: Bool = Field(
        False,
        description="Scale every feature to mean 0, sd 1 using the training rows' statistics.")
    standardize_target: Bool = Field(
        False, description="Also scale the regression target to mean 0, sd 1 (training rows).")
    val_fraction: Number = Field(
        0.0, ge=0.0, lt=1.0,
        description="Fraction of rows held out for validation (seeded shuffle); 0 means no split.")

    def is_classification(self) -> bool:
        """True when the target holds class labels (kind `classes`, or `csv` with `classes`)."""
        return False

    def n_features_known(self) -> int | None:
        """The number of features when the config alone fixes it, else None."""
        return None

    def n_classes_known(self) -> int | None:
        """The number of classes when the config fixes it (classification), else None."""
        return None

    def n_rows_known(self) -> int | None:
        """The number of rows before the split when the config alone fixes it, else None."""
        return getattr(self, "n", None)

    @model_validator(mode="after")
    def _target_scaling(self):
        if self.standardize_target and self.is_classification():
            raise FieldProblem("standardize_target", "cannot scale class labels",
                               hint="set standardize_target: false for classification data")
        return self


@kind("data")
class LineData(_DataBase):
    """The tutorial's data: y = a*x + b + Normal(0, noise), x uniform on x_range."""

    kind: Literal["line"] = Field(description="1-D line y = a*x + b plus Gaussian noise.")
    n: Integer = Field(100, ge=2, description="Number of points generated.")
    a: Number = Field(2.0, description="True slope.")
    b: Number = Field(1.0, description="True intercept.")
    noise: Number = Field(0.5, ge=0.0, description="Standard deviation of the Gaussian noise on y.")
    x_range: Range = Field((-2.0, 2.0), description="[low, high] of the uniform x values.")

    def n_features_known(self) -> int | None:
        return 1


@kind("data")
class LinearData(_DataBase):
    """y = x @ weights + bias + noise, x standard normal with n_features columns."""

    kind: Literal["linear"] = Field(description="Multivariate linear regression data.")
    n: Integer = Field(200, ge=2, description="Number of rows generated.")
    n_features: Integer = Field(3, ge=1, description="Number of feature columns x1..xd.")
    weights: list[Number] | None = Field(
        None, description="True weights (length n_features); null draws them from Normal(0, 1).")
    bias: Number = Field(0.0, description="True intercept.")
    noise: Number = Field(0.1, ge=0.0, description="Standard deviation of the Gaussian noise on y.")

    @model_validator(mode="after")
    def _weights_length(self):
        if self.weights is not None and len(self.weights) != self.n_features:
            raise FieldProblem("weights", f"expected {self.n_features} weights (n_features), "
                               f"got {len(self.weights)}")
        return self

    def n_features_known(self) -> int | None:
        return self.n_features


@kind("data")
class NonlinearData(_DataBase):
    """A smooth nonlinear regression: `sin` (1-D) or `sin_cos` (2-D), x uniform on x_range."""

    kind: Literal["nonlinear"] = Field(description="Nonlinear regression data for MLPs.")
    function: Literal["sin", "sin_cos"] = Field(
        "sin", description="sin: y = sin(x) (1 feature); sin_cos: y = sin(x1) * cos(x2) (2).")
    n: Integer = Field(200, ge=2, description="Number of points generated.")
    noise: Number = Field(0.1, ge=0.0, description="Standard deviation of the Gaussian noise on y.")
    x_range: Range = Field((-3.0, 3.0), description="[low, high] of the uniform x values.")

    def n_features_known(self) -> int | None:
        return 1 if self.function == "sin" else 2


@kind("data")
class ClassesData(_DataBase):
    """Two Gaussian blobs labelled 0 and 1, centres +-separation/2 along the diagonal."""

    kind: Literal["classes"] = Field(description="Two-class data for logistic regression.")
    n: Integer = Field(200, ge=2, description="Number of points generated (half in each class).")
    n_features: Integer = Field(2, ge=1, description="Dimension of each point.")
    separation: Number = Field(3.0, ge=0.0, description="Distance between the two blob centres.")
    spread: Number = Field(1.0, gt=0.0, description="Standard deviation of each blob.")

    def is_classification(self) -> bool:
        return True

    def n_classes_known(self) -> int | None:
        return 2

    def n_features_known(self) -> int | None:
        return self.n_features


@kind("data")
class CsvData(_DataBase):
    """A CSV file with a header row; path relative to the config file's folder."""

    kind: Literal["csv"] = Field(description="Load features and target from a CSV file.")
    path: str = Field(description="CSV file, relative to the folder of the config file.")
    target: str = Field(description="Name of the target column.")
    features: list[str] | None = Field(
        None, min_length=1, description="Feature columns, in order; null means every other column.")
    classes: list[str] | None = Field(
        None, min_length=2,
        description="Class labels as written in the target column, mapped to 0, 1, ... in this "
                    "order; rows with other labels are dropped. Null: a numeric target.")

    @field_validator("classes", mode="before")
    @classmethod
    def _labels_as_written(cls, value):
        # `classes: [0, 1]` names labels written 0 and 1: compare them as the text they are
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                    for v in value]
        return value

    @model_validator(mode="after")
    def _columns(self):
        if self.features is not None:
            for i, name in enumerate(self.features):
                if name == self.target:
                    raise FieldProblem(("features", i), f"'{name}' is also the target column")
                if name in self.features[:i]:
                    raise FieldProblem(("features", i), f"column '{name}' is listed twice")
        if self.classes is not None and len(set(self.classes)) != len(self.classes):
            raise FieldProblem("classes", "class labels must be distinct")
        return self

    def is_classification(self) -> bool:
        return self.classes is not None

    def n_features_known(self) -> int | None:
        return None if self.features is None else len(self.features)

    def n_classes_known(self) -> int | None:
        return None if self.classes is None else len(self.classes)


DataConfig = kinds_of("data")


# -------------------------------------------------------------------------------------------- model


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


# --------------------------------------------------------------------------------------------- loss


@kind("loss")
class MseLoss(Section):
    kind: Literal["mse"] = Field(description="Mean squared error (the tutorial's L2 loss).")


@kind("loss")
class MaeLoss(Section):
    kind: Literal["mae"] = Field(description="Mean absolute error.")


@kind("loss")
class HuberLoss(Section):
    kind: Literal["huber"] = Field(description="Quadratic below delta, linear above.")
    delta: Number = Field(1.0, gt=0.0, description="Where the loss turns from quadratic to linear.")


@kind("loss")
class BceLoss(Section):
    kind: Literal["bce"] = Field(
        description="Binary cross-entropy on the logit (two classes, one output).")


@kind("loss")
class CrossEntropyLoss(Section):
    kind: Literal["cross_entropy"] = Field(
        description="Softmax cross-entropy on k logits against integer labels 0..k-1.")


LossConfig = kinds_of("loss")


# ---------------------------------------------------------------------------------------- optimizer


class ConstantSchedule(Section):
    kind: Literal["constant"] = Field(description="The same learning rate every epoch.")


class StepSchedule(Section):
    kind: Literal["step"] = Field(description="lr * gamma ** (epoch // step_size) (StepLR).")
    step_size: Integer = Field(ge=1, description="Epochs between two reductions.")
    gamma: Number = Field(0.1, gt=0.0, description="Factor applied at each reduction.")


class ExponentialSchedule(Section):
    kind: Literal["exponential"] = Field(description="lr * gamma ** epoch (ExponentialLR).")
    gamma: Number = Field(gt=0.0, description="Factor applied after every epoch.")


class CosineSchedule(Section):
    kind: Literal["cosine"] = Field(
        description="Cosine annealing from lr to min_lr over the run (CosineAnnealingLR), after "
                    "an optional linear warmup.")
    min_lr: Number = Field(
        0.0, ge=0.0, description="Where the cosine ends: the rate just after the last epoch "
                                 "(CosineAnnealingLR's eta_min with T_max = the epochs).")
    warmup_epochs: Integer = Field(
        0, ge=0, description="Epochs rising linearly to lr first: epoch k of W uses "
                             "lr * k / (W + 1).")


class PlateauSchedule(Section):
    kind: Literal["reduce_on_plateau"] = Field(
        description="Multiply lr by factor when the monitored value stops improving "
                    "(ReduceLROnPlateau).")
    monitor: str | None = Field(
        None, description="An epochs.csv column: val_loss (default with a validation split), "
                          "train_loss (default without), or train_/val_ and a metric.")
    mode: Literal["min", "max"] | None = Field(
        None, description="min: lower is better; max: higher. null: max for accuracy, "
                          "precision, recall, f1 and r2, else min.")
    factor: Number = Field(0.1, gt=0.0, lt=1.0, description="Multiplies lr at each reduction.")
    patience: Integer = Field(10, ge=0, description="Epochs without improvement tolerated.")
    min_lr: Number = Field(0.0, ge=0.0, description="lr never goes below this.")
    threshold: Number = Field(1e-4, ge=0.0, description="Relative improvement that counts.")


SCHEDULES = {"constant": ConstantSchedule, "step": StepSchedule,
             "exponential": ExponentialSchedule, "cosine": CosineSchedule,
             "reduce_on_plateau": PlateauSchedule}
ScheduleConfig = Annotated[reduce(operator.or_, SCHEDULES.values()), Field(discriminator="kind")]


class _OptimizerBase(Section):
    schedule: ScheduleConfig = Field(
        default_factory=lambda: ConstantSchedule(kind="constant"),
        description="How the learning rate changes from epoch to epoch.")
    clip_grad_norm: Number | None = Field(
        None, gt=0.0, description="Scale the gradients so that their total L2 norm is at most "
                                  "this (clip_grad_norm_), before each update.")
    clip_grad_value: Number | None = Field(
        None, gt=0.0, description="Clamp every gradient element to [-value, value] "
                                  "(clip_grad_value_), before each update.")

    def arguments(self) -> dict[str, Any]:
        """The optimizer class's own keyword arguments (lr, momentum, betas...)."""
        shared = set(_OptimizerBase.model_fields)
        return self.model_dump(exclude={"kind", *shared})


@kind("optimizer")
class SgdOptimizer(_OptimizerBase):
    """p -= lr * (g + weight_decay * p), with optional (Nesterov) momentum, as torch.optim.SGD."""

    kind: Literal["sgd"] = Field(description="Stochastic gradient descent.")
    lr: Number = Field(0.01, gt=0.0, description="Learning rate.")
    momentum: Number = Field(0.0, ge=0.0, lt=1.0, description="Momentum factor; 0 is plain SGD.")
    nesterov: Bool = Field(False, description="Nesterov momentum (needs momentum > 0).")
    weight_decay: Number = Field(0.0, ge=0.0, description="L2 penalty added to the gradient.")

    @model_validator(mode="after")
    def _nesterov(self):
        if self.nesterov and self.momentum == 0:
            raise FieldProblem("nesterov", "nesterov: true needs momentum > 0",
                               hint="set momentum (e.g. 0.9) or nesterov: false")
        return self


Beta = Annotated[Number, Field(ge=0.0, lt=1.0)]


@kind("optimizer")
class AdamOptimizer(_OptimizerBase):
    """Adam as torch.optim.Adam (L2 weight_decay added to the gradient)."""

    kind: Literal["adam"] = Field(description="Adam.")
    lr: Number = Field(0.001, gt=0.0, description="Learning rate.")
    betas: tuple[Beta, Beta] = Field(
        (0.9, 0.999), description="Decay rates of the first and second moment estimates.")
    eps: Number = Field(1e-8, gt=0.0, description="Added to the denominator for stability.")
    weight_decay: Number = Field(0.0, ge=0.0, description="L2 penalty added to the gradient.")


OptimizerConfig = kinds_of("optimizer")


# ------------------------------------------------------------------------------ training and output


class EarlyStoppingConfig(Section):
    monitor: str | None = Field(
        None, description="An epochs.csv column: val_loss (default with a validation split), "
                          "train_loss (default without), or train_/val_ and a metric, e.g. "
                          "val_accuracy.")
    mode: Literal["min", "max"] | None = Field(
        None, description="min: lower is better; max: higher. null: max for accuracy, "
                          "precision, recall, f1 and r2, else min.")
    patience: Integer = Field(5, ge=1, description="Epochs without improvement before stopping.")
    min_delta: Number = Field(0.0, ge=0.0, description="Smallest change that counts as better.")
    restore_best: Bool = Field(True, description="End with the best epoch's parameters.")


class TrainingConfig(Section):
    epochs: Integer = Field(10, ge=1, description="Passes over the training rows.")
    batch_size: Integer | None = Field(
        32, ge=1,
        description="Rows per step; null means full batch. The last batch may be smaller.")
    shuffle: Literal["once", "every_epoch", "never"] = Field(
        "every_epoch", description="once: permute once into fixed batches reused every epoch (the "
                                   "tutorial); every_epoch: new permutation each epoch; never: "
                                   "file order.")
    metrics: list[MetricName] | None = Field(
        None, description="Metrics computed every epoch on the training and validation rows "
                          "(epochs.csv, summary.json, the progress bar). null: accuracy and f1 "
                          "for classification, rmse, mae and r2 for regression. precision, "
                          "recall and f1 are macro averages.")
    early_stopping: EarlyStoppingConfig | None = Field(
        None, description="Stop when the monitored value stops improving (null: run every "
                          "epoch).")
    compile: Literal["auto"] | bool = Field(
        "auto", description="Run each step's forward, backward and update as compiled traces "
                            "(ag.compile), bit-identical to eager. auto: compile, running "
                            "eagerly what cannot be replayed (summary.json's compile says why); "
                            "true: the same, with a warning when a step runs eagerly; false: "
                            "always eager.")


class MlflowConfig(Section):
    tracking_uri: str = Field(
        min_length=1,
        description="Where MLflow keeps runs: a local store such as sqlite:///mlflow.db, or a "
                    "tracking server such as http://host:5000 (needs the [mlflow] extra).")
    experiment: str | None = Field(
        None, min_length=1,
        description="MLflow experiment the run joins (created if new); null: the config's name.")


class OutputConfig(Section):
    dir: str = Field(
        "runs/{name}", description="Run folder, relative to the working directory; {name} and "
                                   "{seed} are replaced by the experiment's name and seed.")
    mlflow: MlflowConfig | None = Field(
        None, description="Also log the finished run to MLflow (params, per-epoch metrics, "
                          "summary, files); null: no tracking. --mlflow URI sets it too.")

    @field_validator("dir")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
        except ValueError as exc:
            raise ValueError(f"bad placeholder in {value!r}: {exc}") from None
        for field in fields:
            if field not in ("name", "seed"):
                raise ValueError(f"unknown placeholder {{{field}}}; use {{name}} or {{seed}}")
        return value


