"""What each model kind and loss needs, without the engine: parameter shapes, outputs, tasks.

The one owner of these rules. Config validation asks here before anything runs, building a model
asks here, and so does rebuilding one from a run folder for a figure; models.py builds on it.
Imports only the standard library, so validating a config never loads the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

# ------------------------------------------------------------------------------------ losses


@dataclass(frozen=True)
class LossSpec:
    """A loss by name: the title figures give it, whether it needs class labels, its options."""

    name: str
    title: str
    classification: bool = False
    options: tuple[str, ...] = ()

    def n_outputs(self, n_classes: int | None) -> int:
        """Model outputs it takes: one logit per class for cross_entropy, else one value."""
        return int(n_classes) if self.name == "cross_entropy" and n_classes else 1

    def classes_problem(self, n_classes: int) -> tuple[str, str] | None:
        """(problem, hint) when this loss cannot train on `n_classes` classes, else None."""
        if self.name == "bce" and n_classes != 2:
            return (f"bce needs 2 classes; the data has {n_classes}",
                    "use cross_entropy for more than two classes")
        if self.name == "cross_entropy" and n_classes < 3:
            return (f"cross_entropy is for 3 or more classes; the data has {n_classes}",
                    "use bce for two classes (one logit, as logistic regression)")
        return None


LOSSES = {spec.name: spec for spec in (
    LossSpec("mse", "MSE"),
    LossSpec("mae", "MAE"),
    LossSpec("huber", "Huber loss", options=("delta",)),
    LossSpec("bce", "binary cross-entropy", classification=True),
    LossSpec("cross_entropy", "cross-entropy", classification=True),
)}


# ----------------------------------------------------------------------------------- metrics

METRICS = {"accuracy": "classification", "precision": "classification",
           "recall": "classification", "f1": "classification",
           "rmse": "regression", "mae": "regression", "r2": "regression"}  # name -> its task
DEFAULT_METRICS = {"classification": ("accuracy", "f1"), "regression": ("rmse", "mae", "r2")}
MAIN_METRIC = {"classification": "accuracy", "regression": "r2"}  # what a progress bar shows
HIGHER_IS_BETTER = {"accuracy", "precision", "recall", "f1", "r2"}


def monitor_columns(task: str, metrics, with_val: bool) -> list[str]:
    """The epochs.csv columns early stopping or a plateau schedule can watch."""
    names = ["loss", *(metrics or DEFAULT_METRICS[task])]
    splits = ("train", "val") if with_val else ("train",)
    return [f"{split}_{name}" for split in splits for name in names]


def default_mode(column: str) -> str:
    """"max" for a column where higher is better (val_accuracy), else "min" (val_loss)."""
    return "max" if column.split("_", 1)[-1] in HIGHER_IS_BETTER else "min"


# ------------------------------------------------------------------------------------ models


@dataclass(frozen=True)
class Sizes:
    """The numbers that fix a model's parameter shapes."""

    n_features: int
    n_outputs: int = 1
    hidden: tuple[int, ...] = ()


class ModelSpec:
    """A model kind: its parameters' names and shapes, and what data and losses it fits.

    `features`/`outputs`: the only number of features (outputs) the kind takes, None for any;
    `classification`: it only makes sense on class labels (its outputs are logits).
    """

    kind = ""
    features: int | None = None
    outputs: int | None = 1
    classification = False

    def shapes(self, sizes: Sizes) -> dict[str, tuple[int, ...]]:
        """Parameter name -> shape, in the model's order."""
        raise NotImplementedError

    def sizes_of(self, shapes: dict[str, tuple[int, ...]]) -> Sizes:
        """The sizes that give these parameter shapes (a saved model read back). KeyError,
        ValueError when the shapes are not this kind's."""
        raise NotImplementedError

    def parameter_names(self, n_hidden: int = 0) -> list[str]:
        """The names `init` must give, which do not depend on the data."""
        return list(self.shapes(Sizes(1, 1, (1,) * n_hidden)))

    def problem(self, n_features: int | None, n_outputs: int) -> str | None:
        """Why this kind cannot have these sizes, or None."""
        if self.features is not None and n_features is not None and n_features != self.features:
            return (f"model '{self.kind}' takes {_count(self.features, 'feature')}; "
                    f"the data has {n_features}")
        if self.outputs is not None and n_outputs != self.outputs:
            return (f"model '{self.kind}' gives {_count(self.outputs, 'output')}; "
                    f"the loss needs {n_outputs}")
        return None


class LineSpec(ModelSpec):
    """The tutorial's y_hat = a * x + b: scalars a and b, one feature."""

    kind = "linear"
    features = 1

    def shapes(self, sizes):
        return {"a": (), "b": ()}

    def sizes_of(self, shapes):
        _expect(shapes, self.shapes(Sizes(1)))
        return Sizes(1)


class LinearSpec(ModelSpec):
    """y_hat = x @ w + b: w (n_features,), scalar b."""

    kind = "linear_multi"

    def shapes(self, sizes):
        return {"w": (sizes.n_features,), "b": ()}

    def sizes_of(self, shapes):
        sizes = Sizes(_dim(shapes, "w", 1)[0])
        _expect(shapes, self.shapes(sizes))
        return sizes


class LogisticSpec(ModelSpec):
    """Logits x @ w + b: w (n_features,) and scalar b for one logit (bce), else (d, k) and (k,)."""

    kind = "logistic"
    outputs = None
    classification = True

    def shapes(self, sizes):
        d, k = sizes.n_features, sizes.n_outputs
        return {"w": (d,), "b": ()} if k == 1 else {"w": (d, k), "b": (k,)}

    def sizes_of(self, shapes):
        w = shapes.get("w", ())
        sizes = Sizes(w[0], 1) if len(w) == 1 else Sizes(*_dim(shapes, "w", 2))
        _expect(shapes, self.shapes(sizes))
        return sizes


class MlpSpec(ModelSpec):
    """Fully connected layers i = 1..L+1: weights w{i} (fan_in, fan_out), biases b{i} (fan_out,)."""

    kind = "mlp"
    outputs = None

    def shapes(self, sizes):
        layers = [sizes.n_features, *sizes.hidden, sizes.n_outputs]
        shapes = {}
        for i, (fan_in, fan_out) in enumerate(pairwise(layers), start=1):
            shapes[f"w{i}"], shapes[f"b{i}"] = (fan_in, fan_out), (fan_out,)
        return shapes

    def sizes_of(self, shapes):
        n_layers = len(shapes) // 2
        weights = [_dim(shapes, f"w{i}", 2) for i in range(1, n_layers + 1)]
        if not weights:
            raise ValueError("no layers (w1, b1, ...)")
        sizes = Sizes(weights[0][0], weights[-1][1], tuple(w[1] for w in weights[:-1]))
        _expect(shapes, self.shapes(sizes))
        return sizes


MODELS = {spec.kind: spec for spec in (LineSpec(), LinearSpec(), LogisticSpec(), MlpSpec())}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _dim(shapes: dict, name: str, ndim: int) -> tuple[int, ...]:
    shape = tuple(shapes[name])
    if len(shape) != ndim:
        raise ValueError(f"{name} has shape {shape}, expected {ndim} dimension(s)")
    return shape


def _expect(shapes: dict, wanted: dict) -> None:
    got = {name: tuple(shape) for name, shape in shapes.items()}
    if got != wanted:
        raise ValueError(f"parameters {got} do not fit {wanted}")
