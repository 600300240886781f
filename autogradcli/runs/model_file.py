"""model.npz and checkpoint.npz: a run's parameters, what prediction needs, what resuming needs.

Both are written atomically (a crash mid-write leaves the previous file) when the run starts, as
it trains (output.save_every) and when it ends or stops, by one writer. model.npz is what a user
takes away; checkpoint.npz adds the optimizer, schedule, early-stopping and shuffling state so
that a stopped run continues exactly.
Only arrays of numbers and strings: `np.load(path)` needs no pickle. The fields are documented in
docs/run-folder.md; FORMAT changes when their meaning does.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autogradcli.errors import RunFolderError
from autogradcli.runs import npz
from autogradcli.runs.atomic import write_atomic
from autogradcli.runs.layout import CHECKPOINT, MODEL

FORMAT = 1
_PARAMS, _INITIAL, _OPTIONS = "params/", "initial/", "options/"


@dataclass
class ModelInfo:
    """What a model file says besides its parameters: how to rebuild it and to feed it."""

    kind: str
    loss: str
    task: str
    feature_names: list[str]
    target_name: str
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    target_mean: float = 0.0
    target_scale: float = 1.0
    class_labels: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    config_hash: str = ""


@dataclass
class SavedModel:
    """A model file read back: its info, parameters (and the initial ones), how far it trained."""

    info: ModelInfo
    params: dict[str, np.ndarray]
    initial: dict[str, np.ndarray]
    epoch: int
    step: int
    version: str


class ModelFile:
    """folder/model.npz of one run. What stays the same all run (info, initial parameters) is
    serialised once; each save adds the epoch, the step and the parameters, and replaces the
    file at once (runs/npz.py: about a third of np.savez's time)."""

    def __init__(self, folder: Path, info: ModelInfo, initial: dict, version: str):
        self.path = Path(folder) / MODEL
        fixed = {
            "format": np.int64(FORMAT), "autogradcli_version": np.str_(version),
            "kind": np.str_(info.kind), "loss": np.str_(info.loss), "task": np.str_(info.task),
            "feature_names": np.array(info.feature_names, dtype=np.str_),
            "target_name": np.str_(info.target_name),
            "feature_mean": np.asarray(info.feature_mean, dtype=np.float64),
            "feature_scale": np.asarray(info.feature_scale, dtype=np.float64),
            "target_mean": np.float64(info.target_mean),
            "target_scale": np.float64(info.target_scale),
            "class_labels": np.array(info.class_labels, dtype=np.str_).reshape(-1),
            "config_hash": np.str_(info.config_hash),
        }
        fixed.update({_OPTIONS + k: np.str_(v) for k, v in info.options.items()})
        self._fixed = npz.entries(fixed)
        self._initial = npz.entries({_INITIAL + k: np.asarray(v, dtype=np.float64)
                                     for k, v in initial.items()})

    def save(self, params: dict, epoch: int, step: int) -> Path:
        """Replace model.npz at once with these parameters."""
        arrays = {"epoch": np.int64(epoch), "step": np.int64(step)}
        arrays.update({_PARAMS + k: np.asarray(v, dtype=np.float64) for k, v in params.items()})
        return write_atomic(self.path, npz.archive([*self._fixed, *npz.entries(arrays),
                                                   *self._initial]))


def write_model(folder: Path, info: ModelInfo, params: dict, initial: dict, epoch: int,
                step: int, version: str) -> Path:
    """Replace folder/model.npz at once with these parameters."""
    return ModelFile(folder, info, initial, version).save(params, epoch, step)


@dataclass
class Checkpoint:
    """Where a run stood after an epoch: parameters, optimizer arrays, best parameters (early
    stopping) and the rest as JSON-able `state` (epoch, step, schedule, RNG, losses...)."""

    params: dict[str, np.ndarray]
    optimizer: dict[str, np.ndarray]
    best: dict[str, np.ndarray]
    state: dict


def write_checkpoint(folder: Path, checkpoint: Checkpoint) -> Path:
    """Replace folder/checkpoint.npz at once."""
    arrays = {"format": np.int64(FORMAT), "state": np.str_(json.dumps(checkpoint.state))}
    arrays.update({_PARAMS + k: np.asarray(v, dtype=np.float64)
                   for k, v in checkpoint.params.items()})
    arrays.update({"optimizer/" + k: np.asarray(v) for k, v in checkpoint.optimizer.items()})
    arrays.update({"best/" + k: np.asarray(v, dtype=np.float64)
                   for k, v in checkpoint.best.items()})
    return write_atomic(Path(folder) / CHECKPOINT, npz.archive(npz.entries(arrays)))


def read_checkpoint(folder: Path) -> Checkpoint:
    """folder/checkpoint.npz read back; RunFolderError when missing or damaged."""
    path = Path(folder) / CHECKPOINT
    if not path.is_file():
        raise RunFolderError("no checkpoint.npz in this run folder", where=str(folder),
                             hint="only runs trained by autogradcli 0.2 or later can resume")
    arrays = _load(path)
    try:
        if int(arrays["format"]) != FORMAT:
            raise ValueError(f"format {arrays['format']}, this autogradcli reads {FORMAT}")
        state = json.loads(str(arrays["state"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise RunFolderError(f"cannot use checkpoint.npz: {exc}", where=str(path),
                             hint="the run cannot be resumed; train the config again") from None
    return Checkpoint(_prefixed(arrays, _PARAMS), _prefixed(arrays, "optimizer/"),
                      _prefixed(arrays, "best/"), state)


def read_model(folder: Path) -> SavedModel:
    """folder/model.npz read back; RunFolderError saying what is wrong and what to do."""
    path = Path(folder) / MODEL
    if not path.is_file():
        raise RunFolderError(
            "no model.npz in this run folder", where=str(folder),
            hint="runs save it since autogradcli 0.2; train the config again ({--overwrite}) "
                 "to get one" if Path(folder).is_dir() else "give a folder autograd-train wrote")
    damaged = "the file is damaged; train the config again"
    arrays = _load(path)
    try:
        return _saved(arrays, path)
    except (TypeError, ValueError) as exc:
        raise RunFolderError(f"model.npz holds a field of the wrong type: {exc}",
                             where=str(path), hint=damaged) from None


def _load(path: Path) -> dict[str, np.ndarray]:
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive of named arrays")
        with data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, NotImplementedError,
            RuntimeError) as exc:  # zipfile says NotImplementedError/RuntimeError for odd flags
        raise RunFolderError(f"cannot read {path.name}: {exc}", where=str(path),
                             hint="the file is damaged; train the config again") from None


def _saved(arrays: dict, path: Path) -> SavedModel:
    version = str(arrays.get("autogradcli_version", "unknown"))
    found = arrays.get("format")
    found = int(found) if found is not None and found.dtype.kind in "iu" else found
    if found != FORMAT:
        raise RunFolderError(
            f"model.npz has format {found} (from autogradcli {version}); this autogradcli "
            f"reads format {FORMAT}", where=str(path),
            hint="use the autogradcli version that trained it, or train the config again")
    try:
        info = ModelInfo(
            kind=str(arrays["kind"]), loss=str(arrays["loss"]), task=str(arrays["task"]),
            feature_names=[str(n) for n in arrays["feature_names"]],
            target_name=str(arrays["target_name"]), feature_mean=arrays["feature_mean"],
            feature_scale=arrays["feature_scale"], target_mean=float(arrays["target_mean"]),
            target_scale=float(arrays["target_scale"]),
            class_labels=[str(c) for c in arrays["class_labels"]],
            options=_prefixed(arrays, _OPTIONS, str), config_hash=str(arrays["config_hash"]))
        return SavedModel(info, _prefixed(arrays, _PARAMS), _prefixed(arrays, _INITIAL),
                          int(arrays["epoch"]), int(arrays["step"]), version)
    except KeyError as exc:
        raise RunFolderError(f"model.npz lacks the field {exc}", where=str(path),
                             hint="the file is damaged; train the config again") from None


def _prefixed(arrays: dict, prefix: str, convert=None) -> dict:
    items = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    return {k: convert(v) for k, v in items.items()} if convert else items
