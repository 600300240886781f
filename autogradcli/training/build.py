"""The one place that turns a validated Config into data, model, loss function and optimizer.

Imports config, data, models, losses and optim; never training, rich, typer or the CLI. Models,
losses and optimizers get plain arguments from here: none of them ever sees a config object.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from autogradcli.config import Config
from autogradcli.config.checks import default_monitor, has_labels
from autogradcli.data import Dataset, check_batch_size, load_data, make_rng
from autogradcli.data.dataset import HUGE_MESSAGE, as_class_indices
from autogradcli.errors import ConfigError, DataError
from autogradcli.nn import losses, models, optim
from autogradcli.nn.clip import GradientClipper
from autogradcli.nn.schedules import SCHEDULES
from autogradcli.nn.specs import DEFAULT_METRICS, LOSSES, Sizes, default_mode
from autogradcli.nn.specs import MODELS as MODEL_SPECS
from autogradcli.runs.model_file import ModelInfo
from autogradcli.training.early_stopping import EarlyStopping
from autogradcli.training.loop import Controls
from autogradcli.training.memory import check_memory
from autogradcli.training.scoring import Scorer

__all__ = ["Experiment", "build", "build_loss", "build_model", "build_optimizer"]


@dataclass
class Experiment:
    """Everything a run needs, built from one config whose seed is resolved."""

    config: Config
    dataset: Dataset
    model: models.Model
    loss_fn: Any
    optimizer: optim.Optimizer


def build(config: Config, val_indices=None) -> Experiment:
    """Load the data, then make the model, loss and optimizer it fits (seeded by config.seed).

    `val_indices`: a resumed run's recorded split (data.load_data).

    Raises DataError for data that cannot be loaded or is too small for the batch size, and
    ConfigError for an `init` whose values do not fit the parameter shapes.
    """
    if config.seed is None:
        raise ValueError("build() needs a config with a resolved seed (config.resolve_seed)")
    data_cfg = config.data
    if data_cfg.n_rows_known() is not None and data_cfg.n_features_known() is not None:
        check_memory(config, data_cfg.n_rows_known(), data_cfg.n_features_known(),
                     data_cfg.n_classes_known() or (2 if data_cfg.is_classification() else None))
    try:
        dataset = load_data(config.data, config.base_dir, config.seed, val_indices)
    except DataError as exc:
        if config.data.kind == "csv" and config.source is not None:
            # the CSV's own error names the file and column; add where the config chose them
            context = f"data section: {config.where('data.path')}"
            hint = exc.raw("hint")
            raise exc.remade(hint=f"{hint}\n  {context}" if hint else context) from None
        if exc.raw("message").startswith(HUGE_MESSAGE):  # generated: the settings made it
            raise exc.remade(where=config.where("data"), hint="choose smaller data settings "
                             "(a, b, weights, bias, x_range, noise)") from None
        raise
    if dataset.task == "regression" and has_labels(config):
        _read_class_indices(config, dataset)
    check_batch_size(config.training.batch_size, dataset, where=config.where("training.batch_size"))
    check_memory(config, dataset.n_train + dataset.n_val, dataset.n_features, dataset.n_classes)
    model = build_model(config, dataset)
    loss_fn = build_loss(config)
    optimizer = build_optimizer(config, model.parameters())
    return Experiment(config, dataset, model, loss_fn, optimizer)


def _read_class_indices(config: Config, dataset: Dataset) -> None:
    """A csv with `classes: null` trained as a classifier: its target holds class indices."""
    try:
        as_class_indices(dataset)
    except DataError as exc:
        context = f"data section: {config.where('data.target')}"
        raise exc.remade(hint=f"{exc.raw('hint')}\n  {context}") from None
    problem = LOSSES[config.loss.kind].classes_problem(dataset.n_classes)
    if problem:
        raise ConfigError(problem[0], where=config.where("loss.kind"), hint=problem[1])


def build_model(config: Config, dataset: Dataset) -> models.Model:
    """The model of `config.model`, sized by the data (features, classes), initialised seeded."""
    cfg = config.model
    n_outputs = LOSSES[config.loss.kind].n_outputs(dataset.n_classes)  # output_size agrees
    sizes = Sizes(dataset.n_features, n_outputs, cfg.hidden_sizes())
    # the config could not know a CSV's number of features; the data does
    problem = MODEL_SPECS[cfg.kind].problem(sizes.n_features, sizes.n_outputs)
    if problem:
        raise ConfigError(problem, where=config.where("model.kind"),
                          hint="use kind: linear_multi for several features")
    misfit = cfg.features_problem(sizes.n_features)  # e.g. a cnn's image against a CSV's columns
    if misfit:
        raise ConfigError(misfit[1], where=config.where(f"model.{misfit[0]}"), hint=misfit[2])
    init = None if cfg.init == "random" else dict(cfg.init)
    try:
        return models.create(cfg.kind, sizes, init=init, rng=make_rng(config.seed, "init"),
                             scale=cfg.init_scale, **cfg.options())
    except ValueError as exc:
        raise ConfigError(str(exc), where=config.where("model.init"),
                          hint=_shape_hint(config, dataset)) from None


def _shape_hint(config: Config, dataset: Dataset) -> str:
    return (f"the data has {dataset.n_features} feature(s)"
            + (f" and {dataset.n_classes} classes" if dataset.n_classes else "")
            + "; give values of matching shapes, or use init: random")


def build_loss(config: Config):
    """The loss function of `config.loss` (huber gets its delta)."""
    options = config.loss.model_dump(exclude={"kind"})
    return losses.get_loss(config.loss.kind, **options)


def build_optimizer(config: Config, params) -> optim.Optimizer:
    """The optimizer of `config.optimizer` over `params` (name -> Tensor, or Tensors)."""
    cfg = config.optimizer
    return optim.OPTIMIZERS[cfg.kind](params, **cfg.arguments())


def build_scorer(config: Config, dataset: Dataset) -> Scorer:
    """The metrics the config chose (or its task's defaults), for this data and loss."""
    task = dataset.task
    names = tuple(config.training.metrics or DEFAULT_METRICS[task])
    return Scorer(task, config.loss.kind, names, tuple(dataset.class_names or ()),
                  dataset.target_mean or 0.0, dataset.target_scale or 1.0)


def model_info(config: Config, dataset: Dataset, config_text: str) -> ModelInfo:
    """What model.npz must say so that new rows can be fed to the trained model."""
    d = dataset.n_features
    mean = dataset.feature_mean if dataset.feature_mean is not None else np.zeros(d)
    scale = dataset.feature_scale if dataset.feature_scale is not None else np.ones(d)
    return ModelInfo(
        kind=config.model.kind, loss=config.loss.kind, task=dataset.task,
        feature_names=list(dataset.feature_names), target_name=dataset.target_name,
        feature_mean=mean, feature_scale=scale,
        target_mean=dataset.target_mean or 0.0, target_scale=dataset.target_scale or 1.0,
        class_labels=list(dataset.class_names or ()),
        options={key: str(value) for key, value in config.model.options().items()},
        config_hash=hashlib.sha256(config_text.encode("utf-8")).hexdigest())


def build_controls(config: Config) -> Controls:
    """The schedule, gradient clipping and early stopping the config asks for."""
    opt, training = config.optimizer, config.training
    schedule_cfg = opt.schedule
    options = schedule_cfg.model_dump(exclude={"kind", "monitor", "mode"})
    if schedule_cfg.kind == "cosine":
        options["epochs"] = training.epochs
    monitor = None
    if schedule_cfg.kind == "reduce_on_plateau":
        monitor = schedule_cfg.monitor or default_monitor(config)
        options["mode"] = schedule_cfg.mode or default_mode(monitor)
    schedule = SCHEDULES[schedule_cfg.kind](opt.lr, **options)
    clipper = None
    if opt.clip_grad_norm is not None or opt.clip_grad_value is not None:
        clipper = GradientClipper(opt.clip_grad_norm, opt.clip_grad_value)
    early = None
    if training.early_stopping is not None:
        cfg = training.early_stopping
        watched = cfg.monitor or default_monitor(config)
        early = EarlyStopping(watched, cfg.mode or default_mode(watched), cfg.patience,
                              cfg.min_delta, cfg.restore_best)
    return Controls(schedule, monitor, clipper, early, compile=training.compile,
                    save_every=config.output.save_every)
