"""What each model kind and loss needs, without the engine: parameter shapes, outputs, tasks.

The one owner of these rules. Config validation asks here before anything runs, building a model
asks here, and so does rebuilding one from a run folder for a figure; models.py builds on it.
Imports only the standard library, so validating a config never loads the engine.
"""

from __future__ import annotations

import math
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
class ConvLayer:
    """One convolution layer of a cnn: `channels` filters of kernel x kernel, zero `padding`
    (or "same"), then the activation, then max pooling over pool x pool windows (1: none)."""

    channels: int
    kernel: int = 3
    stride: int = 1
    padding: int | str = 0
    pool: int = 1

    def output_hw(self, height: int, width: int) -> tuple[int, int]:
        """(height, width) of this layer's output for an input of (height, width)."""
        sizes = []
        for n in (height, width):
            if self.padding == "same":
                n = (n - 1) // self.stride + 1
            else:
                n = (n + 2 * int(self.padding) - self.kernel) // self.stride + 1
            sizes.append(n // self.pool if n >= 1 else 0)
        return sizes[0], sizes[1]


def feature_maps(image, conv) -> list[tuple[int, int, int]]:
    """(channels, height, width) after each conv layer; ValueError naming the first layer whose
    output would be empty."""
    channels, height, width = image
    maps = []
    for i, layer in enumerate(conv):
        height, width = layer.output_hw(height, width)
        if height < 1 or width < 1:
            raise ValueError(f"conv layer {i + 1} leaves no pixels: its input is smaller than its "
                             "kernel or pool window")
        channels = layer.channels
        maps.append((channels, height, width))
    return maps


@dataclass(frozen=True)
class Sizes:
    """The numbers that fix a model's parameter shapes (image and conv: a cnn's only)."""

    n_features: int
    n_outputs: int = 1
    hidden: tuple[int, ...] = ()
    image: tuple[int, ...] = ()
    conv: tuple[ConvLayer, ...] = ()


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


class CnnSpec(ModelSpec):
    """Conv layers i = 1..C: filters conv{i}_w (channels, in_channels, kernel, kernel), biases
    conv{i}_b; then dense layers j = 1..L+1 as an MLP's, w{j} (fan_in, fan_out) and b{j}. The
    first dense layer's fan_in is the last feature map, flattened. Strides, paddings, pools and
    the image shape are options (from the config), not read off the shapes."""

    kind = "cnn"
    outputs = None

    def shapes(self, sizes):
        shapes = {}
        in_channels = sizes.image[0]
        for i, layer in enumerate(sizes.conv, start=1):
            shapes[f"conv{i}_w"] = (layer.channels, in_channels, layer.kernel, layer.kernel)
            shapes[f"conv{i}_b"] = (layer.channels,)
            in_channels = layer.channels
        flat = math.prod(feature_maps(sizes.image, sizes.conv)[-1])
        dense = MlpSpec().shapes(Sizes(flat, sizes.n_outputs, sizes.hidden))
        return {**shapes, **dense}

    def sizes_of(self, shapes):
        n_conv = sum(1 for name in shapes if name.startswith("conv")) // 2
        conv = tuple(ConvLayer(*_dim(shapes, f"conv{i}_w", 4)[0::2])
                     for i in range(1, n_conv + 1))
        dense = MlpSpec().sizes_of({k: v for k, v in shapes.items() if not k.startswith("conv")})
        channels = _dim(shapes, "conv1_w", 4)[1] if conv else 1
        return Sizes(dense.n_features, dense.n_outputs, dense.hidden, (channels,), conv)

    def names(self, n_conv: int, n_hidden: int) -> list[str]:
        """The parameter names of a cnn with these numbers of conv and hidden dense layers."""
        conv = [f"conv{i}_{p}" for i in range(1, n_conv + 1) for p in ("w", "b")]
        return conv + MlpSpec().parameter_names(n_hidden)


MODELS = {spec.kind: spec for spec in (LineSpec(), LinearSpec(), LogisticSpec(), MlpSpec(),
                                        CnnSpec())}


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
