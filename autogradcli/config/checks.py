"""Checks across config sections (model vs data, loss vs data, batch size, sweep keys).

Called by Config's validator; raises FieldProblem with paths from the top level. Same imports as
config.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from autogradcli.config.yaml_source import FieldProblem
from autogradcli.data.dataset import val_rows
from autogradcli.errors import did_you_mean
from autogradcli.nn.specs import LOSSES, METRICS, monitor_columns
from autogradcli.nn.specs import MODELS as MODEL_SPECS

SWEEP_SETTINGS = ("trials", "strategy", "eta", "objective")  # sweep: keys that are not config keys


def check_consistency(config: Any) -> None:
    """Raise FieldProblem for the first section that does not fit the others."""
    _check_model_fits_data(config)
    _check_loss_fits(config)
    _check_batch_size(config)
    _check_metrics(config)
    _check_monitors(config)
    _check_sweep_keys(config)


def has_labels(config: Any) -> bool:
    """True when the target holds class labels: class data, a csv with `classes`, or a csv
    with `classes: null` trained as a classifier (its target then holds the class indices
    0, 1, ..., k-1, as torch's losses take them)."""
    data = config.data
    if data.is_classification():
        return True
    return data.kind == "csv" and (LOSSES[config.loss.kind].classification
                                   or MODEL_SPECS[config.model.kind].classification)


def _check_model_fits_data(config: Any) -> None:
    data, model = config.data, MODEL_SPECS[config.model.kind]
    problem = model.problem(data.n_features_known(), model.outputs or 1)
    if problem:
        raise FieldProblem(("model", "kind"), problem,
                           hint="use kind: linear_multi for several features")
    n_features = data.n_features_known()
    misfit = None if n_features is None else config.model.features_problem(n_features)
    if misfit:
        raise FieldProblem(("model", misfit[0]), misfit[1], hint=misfit[2])
    if model.classification and not has_labels(config):
        raise FieldProblem(("model", "kind"), f"model '{model.kind}' needs class labels",
                           hint="use data kind 'classes', or 'csv' with classes: [...]")


def _check_loss_fits(config: Any) -> None:
    data, model, loss = config.data, MODEL_SPECS[config.model.kind], LOSSES[config.loss.kind]
    if loss.classification and not has_labels(config):
        raise FieldProblem(("loss", "kind"),
                           f"{loss.name} needs class labels; the data is regression",
                           hint="use mse, mae or huber, or class data")
    if has_labels(config) and data.standardize_target:
        raise FieldProblem(("data", "standardize_target"), "cannot scale class labels",
                           hint="set standardize_target: false (the target holds class indices)")
    if model.classification and not loss.classification:
        raise FieldProblem(("loss", "kind"), f"model '{model.kind}' is trained with bce or "
                                             f"cross_entropy, not {loss.name}")
    k = data.n_classes_known()
    if loss.classification and k is not None:
        problem = loss.classes_problem(k)
        if problem:
            raise FieldProblem(("loss", "kind"), problem[0], hint=problem[1])
    _check_outputs(config, model, loss.n_outputs(k))


def _check_outputs(config: Any, model: Any, needed: int) -> None:
    """The model must give as many outputs as the loss takes (one per class for cross_entropy)."""
    requested = getattr(config.model, "output_size", None)
    if requested is not None and requested != needed:
        outputs = "output" if needed == 1 else "outputs"
        raise FieldProblem(("model", "output_size"),
                           f"{config.loss.kind} takes {needed} {outputs} per row, not {requested}",
                           hint=f"use output_size: {needed}, or null to infer it")
    problem = model.problem(None, needed)
    if problem:
        raise FieldProblem(("model", "kind"), problem,
                           hint="use kind: logistic or mlp for one output per class")


def _check_metrics(config: Any) -> None:
    task = "classification" if has_labels(config) else "regression"
    chosen = config.training.metrics or []
    for i, name in enumerate(chosen):
        if METRICS[name] != task:
            fitting = ", ".join(k for k, v in METRICS.items() if v == task)
            raise FieldProblem(("training", "metrics", i),
                               f"{name} is a {METRICS[name]} metric; the data is {task}",
                               hint=f"use {fitting}")
        if name in chosen[:i]:
            raise FieldProblem(("training", "metrics", i), f"{name} is listed twice")


def default_monitor(config: Any) -> str:
    """val_loss with a validation split, else train_loss."""
    return "val_loss" if config.data.val_fraction > 0 else "train_loss"


def _check_monitors(config: Any) -> None:
    task = "classification" if has_labels(config) else "regression"
    columns = monitor_columns(task, config.training.metrics, config.data.val_fraction > 0)
    watchers = [(("training", "early_stopping", "monitor"), config.training.early_stopping),
                (("optimizer", "schedule", "monitor"), config.optimizer.schedule)]
    for path, section in watchers:
        monitor = getattr(section, "monitor", None)
        if monitor is not None and monitor not in columns:
            why = ("there is no validation split (data.val_fraction is 0)"
                   if monitor.startswith("val_") and f"train_{monitor[4:]}" in columns
                   else "not a column of epochs.csv")
            raise FieldProblem(path, f"cannot monitor {monitor!r}: {why}",
                               hint=did_you_mean(monitor, columns, "Columns to monitor"))


def _check_batch_size(config: Any) -> None:
    n, batch = config.data.n_rows_known(), config.training.batch_size
    if n is None or batch is None:
        return
    n_train = n - val_rows(n, config.data.val_fraction)
    if n_train < 1:
        raise FieldProblem(("data", "val_fraction"), "no training rows are left",
                           hint=f"with n = {n}, use a smaller val_fraction")
    if batch > n_train:
        raise FieldProblem(("training", "batch_size"),
                           f"batch size {batch} is larger than the {n_train} training rows",
                           hint=f"use batch_size <= {n_train}, or null for full batch")


def _check_sweep_keys(config: Any) -> None:
    for key in config.sweep or {}:
        if key in SWEEP_SETTINGS:
            continue
        parts = key.split(".")
        if parts[0] == "sweep":
            raise FieldProblem(("sweep", key), "cannot sweep over the sweep itself")
        if not _path_exists(config, parts):
            raise FieldProblem(("sweep", key), "not a key of this config",
                               hint=did_you_mean(key, _keys_near(config, parts),
                                                             "Valid keys"))


def _path_exists(config: Any, parts: list[str]) -> bool:
    node: Any = config
    for part in parts:
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _keys_near(config: Any, parts: list[str]) -> list[str]:
    """Valid keys at the deepest existing prefix of `parts` (for the did-you-mean hint)."""
    for depth in range(len(parts) - 1, -1, -1):
        if _path_exists(config, parts[:depth]):
            node: Any = config
            for part in parts[:depth]:
                node = getattr(node, part) if isinstance(node, BaseModel) else node[part]
            if isinstance(node, BaseModel):
                prefix = ".".join([*parts[:depth], ""])
                return [prefix + k for k in type(node).model_fields]
    return []
