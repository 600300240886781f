"""The config's sections, one pydantic model per kind, and the registry of kinds.

The sections: data, loss, optimizer, training, output (the model's kinds: model_sections.py).

Their fields are the YAML keys, their descriptions the documentation (and the JSON Schema).
"""

from __future__ import annotations

import operator
import string
from functools import reduce
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from autogradcli.config.fields import Bool, Integer, Number, Range, Section
from autogradcli.config.yaml_source import FieldProblem
from autogradcli.nn.specs import METRICS

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
    save_every: Number = Field(
        1.0, ge=0.0,
        description="Seconds between writes of model.npz and checkpoint.npz while training: "
                    "after the first epoch to end this long after the last write, and always "
                    "when the run ends or stops; 0 writes them after every epoch. A run killed "
                    "outright resumes from the last checkpoint written.")

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


