"""Rebuilding a run's model (final or initial parameters) and loss, for the fit and graph figures.

Sizes come from the saved parameters' shapes (nn/specs.py reads them), options from config.yaml.
Imports nn and numpy only: never matplotlib, config or training.
"""

from __future__ import annotations

import numpy as np

import autogradcli.engine as ag
from autogradcli.errors import RunFolderError
from autogradcli.nn import losses, models
from autogradcli.nn.specs import LOSSES
from autogradcli.runs.layout import CONFIG, SUMMARY


def build_model(run, params: dict | None = None) -> models.Model:
    """The run's model holding `params` (default: its final parameters)."""
    params = run.final_params if params is None else params
    kind = run.model_kind
    if kind not in models.MODELS:
        raise RunFolderError(f"unknown model kind {kind!r}", where=str(run.path / CONFIG))
    section = run.config.get("model", {})
    options = {key: section[key] for key in models.MODELS[kind].options if key in section}
    try:
        return models.from_parameters(kind, params, **options)
    except (KeyError, ValueError, TypeError) as exc:
        raise RunFolderError(f"the saved parameters do not fit a {kind} model: {exc}",
                             where=str(run.path / SUMMARY)) from None


def build_loss(run):
    """The run's loss function (huber keeps its delta)."""
    section = run.config.get("loss", {})
    spec = LOSSES.get(run.loss_kind)
    options = {key: section[key] for key in (spec.options if spec else ()) if key in section}
    return losses.get_loss(run.loss_kind, **options)


def predict(model, x: np.ndarray) -> np.ndarray:
    """The model's output on x (a numpy array), without recording a graph."""
    with ag.no_grad():
        return model(np.asarray(x, dtype=np.float64)).data
