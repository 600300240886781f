"""The memory a run needs, estimated before anything large is allocated, and the memory the
machine can give it; a run that cannot fit is refused with both numbers instead of ending in
numpy's MemoryError.

The estimate is meant to be sound, not exact (float64 throughout): the data with its split and
scaled copies, the parameters with their gradients, optimizer state and the copies the run
folder keeps (initial, best, the checkpoint being written), and the activations of one batch
(forward values and their gradients) plus a full pass over the rows for the epoch's losses.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

from autogradcli.config import Config
from autogradcli.errors import ConfigError
from autogradcli.nn.specs import LOSSES, MODELS, ConvLayer, Sizes

__all__ = ["Available", "available", "check_memory", "estimate"]

_FLOAT = 8  # bytes of a float64
# as read, split into train/val, standardised, the training tensors (a CSV is no longer copied
# into data.csv, generated data is small): kept at 4, an estimate too low is the one that hurts
_DATA_COPIES = 4
# value, gradient, initial (model.npz), best (early stopping), the update's temporaries and the
# arrays of model.npz / checkpoint.npz while they are written: about 11 measured at the peak,
# eager or compiled (a trace briefly holds one step's values; 12 to 14 were seen while it kept
# them until the next collection), about 7 since the archives are written from views of the
# arrays (runs/npz.py); 16 leaves room (an estimate too low is the one that hurts)
_PARAM_COPIES = 16
_BATCH_COPIES = 4  # per layer: pre-activation, activation, and the gradient of each


@dataclass(frozen=True)
class Available:
    """How many bytes the run may still use, and which limit said so (for the message)."""

    bytes: int
    source: str


def estimate(config: Config, n_rows: int, n_features: int, n_outputs: int) -> dict[str, int]:
    """Bytes per part of a run on `n_rows` rows (before the split): data, parameters (with
    gradients, optimizer state and kept copies), a batch's activations, a pass over all rows."""
    model = config.model
    image = tuple(getattr(model, "image", ()))  # a cnn's image and conv layers
    conv = tuple(ConvLayer(**layer.model_dump()) for layer in getattr(model, "conv", ()))
    sizes = Sizes(n_features, n_outputs, model.hidden_sizes(), image, conv)
    n_params = sum(_product(shape) for shape in MODELS[model.kind].shapes(sizes).values())
    opt = config.optimizer
    state = 2 if opt.kind == "adam" else int(getattr(opt, "momentum", 0) > 0)
    # a conv layer's feature maps: at most its channels over the image's pixels (before pooling)
    maps = sum(layer.channels for layer in conv) * _product(image[1:]) if image else 0
    widths = n_features + maps + sum(sizes.hidden) + n_outputs
    batch = config.training.batch_size or n_rows
    return {
        "data": _DATA_COPIES * n_rows * (n_features + 1) * _FLOAT,
        "parameters": (_PARAM_COPIES + state) * n_params * _FLOAT,
        "activations": _BATCH_COPIES * batch * widths * _FLOAT,
        "a pass over all rows": 2 * n_rows * widths * _FLOAT,  # the epoch's losses and metrics
    }


def check_memory(config: Config, n_rows: int, n_features: int, n_classes: int | None) -> None:
    """ConfigError when the estimate exceeds what is available, naming the biggest part's key."""
    n_outputs = LOSSES[config.loss.kind].n_outputs(n_classes)
    parts = estimate(config, n_rows, n_features, n_outputs)
    need = sum(parts.values())
    have = available()
    if have is None or need <= have.bytes:
        return
    biggest = max(parts, key=parts.get)
    if parts["data"] > have.bytes:  # the rows alone do not fit: fewer rows, whatever the model
        biggest = "data"
    key, hint = _culprit(config, biggest, n_features + n_outputs)
    listing = ", ".join(f"{name} {human(size)}" for name, size in parts.items())
    raise ConfigError(f"this run needs about {human(need)} of memory ({listing}); "
                      f"only {human(have.bytes)} is available ({have.source})",
                      where=config.where(key), hint=hint)


def _culprit(config: Config, part: str, data_width: int) -> tuple[str, str]:
    model = config.model
    hidden = sum(model.hidden_sizes())
    layers = "model.hidden" if model.kind in ("mlp", "cnn") else "model.kind"
    if getattr(model, "conv", None) and _layer_width(model) - hidden > hidden:
        layers = "model.conv"  # the feature maps outweigh the dense layers
    if part == "parameters":
        return layers, "use fewer or smaller layers, or run it on a machine with more memory"
    if part == "a pass over all rows" and _layer_width(model) > data_width:
        return layers, ("use fewer or smaller layers (every row's activations are computed for "
                        "the epoch's losses), or a machine with more memory")
    if part == "activations":
        if config.training.batch_size:
            return "training.batch_size", "use a smaller batch_size"
        return "training.batch_size", "set a batch_size (mini-batches instead of all rows)"
    if config.data.kind == "csv":
        return "data.path", "use fewer rows or columns of the file, or a machine with more memory"
    return "data.n", "generate fewer rows (data.n)"


def _layer_width(model) -> int:
    """Values per row inside the model: hidden units and a cnn's feature maps (before pooling)."""
    image = tuple(getattr(model, "image", ()))
    maps = sum(layer.channels for layer in getattr(model, "conv", ())) * _product(image[1:])
    return sum(model.hidden_sizes()) + (maps if image else 0)


def available() -> Available | None:
    """The tightest of: MemAvailable (/proc/meminfo, or the free pages sysconf reports), the
    cgroup's memory limit less its usage, and the address-space limit (ulimit -v) less this
    process's size. None when none of them can be read."""
    limits = [limit for limit in (_meminfo(), _cgroup(), _address_space()) if limit is not None]
    return min(limits, key=lambda limit: limit.bytes) if limits else None


def _meminfo() -> Available | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return Available(int(line.split()[1]) * 1024, "MemAvailable in /proc/meminfo")
    except (OSError, ValueError, IndexError):
        pass
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return Available(pages, "free memory pages, from sysconf") if pages > 0 else None


def _cgroup() -> Available | None:
    """cgroup v2 (memory.max) or v1 (memory.limit_in_bytes) of this process's group."""
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory.limit_in_bytes", "memory.usage_in_bytes")):
        for folder in _cgroup_folders():
            try:
                text = (folder / limit_file).read_text().strip()
                if text == "max" or int(text) >= 1 << 60:
                    continue  # no limit
                used = int((folder / usage_file).read_text().strip())
            except (OSError, ValueError):
                continue
            source = f"the cgroup limit {folder / limit_file}, less its usage"
            return Available(max(int(text) - used, 0), source)
    return None


def _cgroup_folders() -> list[Path]:
    folders = []
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            relative = line.split(":", 2)[-1].lstrip("/")
            for root in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory")):
                folders.append(root / relative)
    except OSError:
        pass
    return [*folders, Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory")]


def _address_space() -> Available | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    size = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                size = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return Available(max(soft - size, 0), "ulimit -v, less what this process already uses")


def human(size: float) -> str:
    """Bytes for people: 1.5 GiB, 7.3 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PiB"


def _product(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= int(n)
    return total
