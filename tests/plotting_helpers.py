"""Run folders for the plotting tests: the installed autograd-train when it works, else the
training pieces (config, data, models, training loop, RunFolder) wired the same way."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"


def train_available() -> bool:
    """True when the installed autograd-train command can run (its module exists)."""
    return shutil.which("autograd-train") is not None and \
        importlib.util.find_spec("autogradcli.cli.train") is not None


def make_run(config: str, out: Path, overrides=()) -> Path:
    """Train configs/CONFIG into `out` and return `out`."""
    path = CONFIGS / config
    if train_available():
        sets = [arg for item in overrides for arg in ("--set", item)]
        done = subprocess.run(["autograd-train", str(path), "--out", str(out), "--quiet", *sets],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return out
    return _train_in_process(path, out, overrides)


def _train_in_process(path: Path, out: Path, overrides) -> Path:
    from autogradcli.nn import losses, models, optim
    from autogradcli.config import config_to_yaml, load_config, resolve_seed
    from autogradcli.data import load_data, make_rng
    from autogradcli.data.csv_source import write_dataset_csv
    from autogradcli.runs.writer import RunFolder
    from autogradcli.training.loop import train_loop

    cfg = resolve_seed(load_config(path, list(overrides)))
    data = load_data(cfg.data, cfg.base_dir, cfg.seed)
    model = _model(cfg, data, models, make_rng(cfg.seed, "init"))
    opt = cfg.optimizer
    params = list(model.parameters().values())
    if opt.kind == "sgd":
        optimizer = optim.SGD(params, opt.lr, opt.momentum, opt.nesterov, opt.weight_decay)
    else:
        optimizer = optim.Adam(params, opt.lr, tuple(opt.betas), opt.eps, opt.weight_decay)
    folder = RunFolder(out)
    folder.write_config(config_to_yaml(cfg, relative_to=out))
    if data.generated:
        write_dataset_csv(data, out / "data.csv")
    folder.describe(name=cfg.name, seed=cfg.seed, true_params=data.true_params)
    val = (data.x_val, data.y_val) if data.n_val else (None, None)
    train_loop(model, losses.get_loss(cfg.loss.kind), optimizer, data.x, data.y, *val,
               epochs=cfg.training.epochs, batch_size=cfg.training.batch_size,
               shuffle=cfg.training.shuffle, rng=make_rng(cfg.seed, "shuffle"), run_folder=folder)
    return out


def _model(cfg, data, models, rng):
    spec = cfg.model
    init = None if spec.init == "random" else spec.init
    d, k = data.n_features, data.n_classes or 2
    if spec.kind == "linear":
        return models.Line(init=init, rng=rng, scale=spec.init_scale)
    if spec.kind == "linear_multi":
        return models.Linear(d, init=init, rng=rng, scale=spec.init_scale)
    if spec.kind == "logistic":
        return models.Logistic(d, k, init=init, rng=rng, scale=spec.init_scale)
    size = spec.output_size or (k if cfg.loss.kind == "cross_entropy" else 1)
    return models.MLP(d, spec.hidden, size, spec.activation, init=init, rng=rng,
                      scale=spec.init_scale)
