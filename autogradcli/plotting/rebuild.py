"""Rebuilding a run's model (at its final or initial parameters) and loss, for the fit and graph figures.

Shapes come from the parameters in summary.json, hyperparameters from config.yaml. Imports models,
losses and numpy only: never matplotlib, config or training.
"""

from __future__ import annotations

import numpy as np

from autogradcli.nn import losses, models
from autogradcli.errors import RunFolderError


def build_model(run, params: dict | None = None) -> models.Model:
    """The run's model holding `params` (default: its final parameters)."""
    params = run.final_params if params is None else params
    kind, spec = run.model_kind, run.config.get("model", {})
    try:
        if kind == "linear":
            return models.Line(init=params)
        if kind == "linear_multi":
            return models.Linear(len(params["w"]), init=params)
        if kind == "logistic":
            w = params["w"]
            return models.Logistic(w.shape[0], 2 if w.ndim == 1 else w.shape[1], init=params)
        if kind == "mlp":
            return _mlp(params, spec.get("activation", "tanh"))
    except (KeyError, ValueError, TypeError) as exc:
        raise RunFolderError(f"summary.json's parameters do not fit a {kind} model: {exc}",
                             where=str(run.path / "summary.json")) from None
    raise RunFolderError(f"unknown model kind {kind!r}", where=str(run.path / "config.yaml"))


def _mlp(params: dict, activation: str) -> models.MLP:
    """Layers named w1, b1, ... or layer1.weight, layer1.bias, ...: the model's own names win."""
    layers = len(params) // 2
    weights = [_first(params, f"w{i}", f"layer{i}.weight") for i in range(1, layers + 1)]
    hidden = [w.shape[1] for w in weights[:-1]]
    probe = models.MLP(weights[0].shape[0], hidden, weights[-1].shape[1], activation, init=None)
    names = list(probe.shapes())
    if set(names) != set(params):
        # the other naming convention: map by position (w, b of each layer in order)
        ordered = [_first(params, f"{kind}{i}", f"layer{i}.{long}")
                   for i in range(1, layers + 1) for kind, long in (("w", "weight"), ("b", "bias"))]
        params = dict(zip(names, ordered))
    return models.MLP(weights[0].shape[0], hidden, weights[-1].shape[1], activation, init=params)


def _first(params: dict, *names):
    for name in names:
        if name in params:
            return params[name]
    raise KeyError(names[0])


def build_loss(run):
    """The run's loss function (huber keeps its delta)."""
    spec = run.config.get("loss", {})
    options = {"delta": spec["delta"]} if run.loss_kind == "huber" and "delta" in spec else {}
    return losses.get_loss(run.loss_kind, **options)


def predict(model, x: np.ndarray) -> np.ndarray:
    """The model's output on x (a numpy array), without recording a graph."""
    import autogradcli.engine as ag

    with ag.no_grad():
        return model(np.asarray(x, dtype=np.float64)).data
