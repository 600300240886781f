"""Loss functions on engine Tensors (mean over the batch), and a lookup by name.

The project's names and checks (shapes must match exactly: no silent broadcasting) over the
engine's torch-style losses in `ag.nn.functional`. Built on `autogradcli.engine` and numpy only:
never imports config, data, training or the CLI.
"""

from __future__ import annotations

import functools

import numpy as np

import autogradcli.engine as ag
from autogradcli.engine.nn import functional as F
from autogradcli.engine.trace import derived
from autogradcli.errors import did_you_mean
from autogradcli.nn.specs import LOSSES as SPECS


def mse(pred, target):
    """Mean squared error, mean((pred - target)^2): the tutorial's L2 loss."""
    return F.mse_loss(pred, _same_shape(pred, target, "mse"))


def mae(pred, target):
    """Mean absolute error, mean(|pred - target|) (gradient 0 where they are equal, as in torch)."""
    return F.l1_loss(pred, _same_shape(pred, target, "mae"))


def huber(pred, target, delta=1.0):
    """Huber loss as torch.nn.HuberLoss: 0.5 d^2 where |d| < delta, else delta (|d| - delta/2)."""
    if not delta > 0:
        raise ValueError(f"huber needs delta > 0, got {delta}")
    return F.huber_loss(pred, _same_shape(pred, target, "huber"), delta=delta)


def bce(logits, target):
    """Binary cross-entropy from logits z and 0/1 targets y: mean(softplus(z) - y z), stable for
    any z (binary_cross_entropy_with_logits)."""
    return F.binary_cross_entropy_with_logits(logits, _same_shape(logits, target, "bce"))


def cross_entropy(logits, target):
    """Softmax cross-entropy from logits (n, k) and integer class targets (n,) in 0..k-1.

    mean(-log_softmax(logits)[i, target_i]); float targets holding whole numbers are accepted.
    """
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (n, k), got {tuple(logits.shape)}")
    n, k = logits.shape
    labels = np.asarray(target.data if isinstance(target, ag.Tensor) else target)
    if labels.shape != (n,):
        raise ValueError(f"cross_entropy expects targets of shape ({n},), got {labels.shape}")
    indices = _class_indices(labels, k)
    if indices is None:
        if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
            raise ValueError("cross_entropy targets must be class indices 0..k-1, got fractions")
        raise ValueError(f"cross_entropy targets must lie in 0..{k - 1}, got {labels.min()}.."
                         f"{labels.max()}")
    if isinstance(target, ag.Tensor):  # a compiled step recomputes them from its new targets
        derived(indices, _class_indices, (target,), k)
    return F.cross_entropy(logits, indices)


def _class_indices(labels, k):
    """Targets as int64 class indices, or None when they are not whole numbers in 0..k-1."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            return None
        labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        return None
    return labels.astype(np.int64, copy=False)


LOSSES = {"mse": mse, "mae": mae, "huber": huber, "bce": bce, "cross_entropy": cross_entropy}


def get_loss(name, **options):
    """The loss function called `name` (a key of LOSSES), with options bound (huber: delta).

    Raises ValueError for an unknown name (with the nearest valid one) or an unknown option.
    """
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}: {did_you_mean(name, LOSSES, 'Losses')}")
    extra = set(options) - set(SPECS[name].options)
    if extra:
        raise ValueError(f"loss {name!r} takes no option {min(extra)!r}")
    fn = LOSSES[name]
    return functools.partial(fn, **options) if options else fn


def _same_shape(pred, target, name):
    """Refuse silent broadcasting ((n, 1) - (n,) would make an (n, n) loss)."""
    if not isinstance(target, ag.Tensor):
        target = ag.tensor(np.asarray(target, dtype=pred.dtype))
    if target.shape != pred.shape:
        raise ValueError(
            f"{name}: prediction shape {tuple(pred.shape)} differs from target shape "
            f"{tuple(target.shape)}"
        )
    return target
