"""Loss functions as torch.nn.functional: mse, l1, smooth_l1, huber, binary cross-entropy (on
probabilities and on logits), cross_entropy, nll_loss and kl_div, with reduction none/mean/sum.

Composites of engine ops (one fused row, ops/losses.py, where torch clamps inside its gradient).
Imports numpy and the engine only; `ag.nn.functional` gathers them under torch's names.
"""

import warnings

import numpy as np

from .ops import where
from .ops.losses import BinaryCrossEntropy
from .ops.reductions import Gather
from .ops.shape import Index
from .tensor import Tensor, _const, _make

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction: use one of "
                         + ", ".join(allowed))


def _pair(input, target, name):
    """target as a Tensor of input's dtype; a different shape broadcasts with torch's warning."""
    if not isinstance(target, Tensor):
        target = _const(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        warnings.warn(
            f"{name}: Using a target size ({tuple(target.shape)}) that is different to the input "
            f"size ({tuple(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=3,
        )
    return target


def mse_loss(input, target, reduction="mean"):
    """(input - target)^2, reduced."""
    _check_reduction(reduction)
    diff = input - _pair(input, target, "mse_loss")
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """|input - target| (gradient 0 where they are equal, as torch), reduced."""
    _check_reduction(reduction)
    return _reduce((input - _pair(input, target, "l1_loss")).abs(), reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta/2 (beta = 0: plain |d|); reduced."""
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    diff = input - _pair(input, target, "smooth_l1_loss")
    size = diff.abs()
    if beta == 0:
        return _reduce(size, reduction)
    return _reduce(where(size < beta, 0.5 * diff * diff / beta, size - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2); reduced."""
    _check_reduction(reduction)
    if not delta > 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta: {delta}")
    diff = input - _pair(input, target, "huber_loss")
    size = diff.abs()
    return _reduce(where(size < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta)), reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)) on probabilities x, logs clamped at -100 as torch."""
    _check_reduction(reduction)
    if not isinstance(target, Tensor):
        target = _const(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    x = input.data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _softplus(z):
    """log(1 + exp(z)) as max(z, 0) + log(1 + exp(-|z|)): never overflows. At z = 0 maximum's tie
    rule (half the gradient each side) gives exactly sigmoid(0) = 0.5 as the derivative."""
    return z.maximum(0.0) + (1.0 + (-z.abs()).exp()).log()


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy on logits z, stable for any z: softplus(z) - y z, or with pos_weight p
    (per class, broadcast over the last dim) (1 - y) z + (1 + (p - 1) y) softplus(-z).

    Where log(1 + exp(-|z|)) underflows (|z| > ~37) the loss rounds to 0 and z itself, which
    torch's log1p keeps as a tiny number; gradients keep full precision there.
    """
    _check_reduction(reduction)
    if not isinstance(target, Tensor):
        target = _const(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({tuple(target.shape)}) must be the same as input size "
            f"({tuple(input.shape)})"
        )
    if pos_weight is None:
        loss = _softplus(input) - target * input
    else:
        log_weight = 1 + (pos_weight - 1) * target
        loss = (1 - target) * input + log_weight * _softplus(-input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- classification
def _class_target(target, input, name):
    """Class-index targets as an int64 array of input's shape without the class dim."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: expected class-index targets of dtype int64 (or float class probabilities "
            f"of the input's shape {tuple(input.shape)}), got dtype {t.dtype} and shape "
            f"{t.shape}"
        )
    want = tuple(input.shape[:1]) + tuple(input.shape[2:]) if input.ndim != 1 else ()
    if t.shape != want:
        raise ValueError(
            f"{name}: expected target of shape {want} for input of shape {tuple(input.shape)}, "
            f"got {t.shape}"
        )
    return t.astype(np.int64, copy=False)


def _class_weights(weight, n_classes, dtype):
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight, dtype=dtype)
    if w.shape != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(w.shape)}"
        )
    return w


def _pick(input, classes, class_dim):
    """input's entry at each target class: one row on the training step's path (the checks that
    gather would make are made by the caller)."""
    if input.ndim == 2:
        return Index.apply(input, index=(np.arange(input.shape[0]), classes))
    idx = np.expand_dims(classes, class_dim)
    return Gather.apply(input, idx=idx, dim=class_dim).reshape(classes.shape)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w[t] input[i, t] for class indices t (input (C,), (N, C) or (N, C, d1, ...)); the mean
    divides by the sum of the weights of the targets that are not ignore_index (nan if none)."""
    _check_reduction(reduction)
    if input.ndim < 1:
        raise ValueError(f"nll_loss: input must have at least 1 dim, got shape {input.shape}")
    t = _class_target(target, input, "nll_loss")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    ignored = t == ignore_index
    any_ignored = bool(ignored.any())
    safe = np.where(ignored, 0, t) if any_ignored else t
    if safe.size:
        lo, hi = safe.min(), safe.max()
        if lo < 0 or hi >= n_classes:
            bad = lo if lo < 0 else hi
            raise IndexError(f"Target {bad} is out of bounds: classes are 0..{n_classes - 1}")
    picked = _pick(input, safe, class_dim)
    if weight is None and not any_ignored:
        return -picked.mean() if reduction == "mean" else _reduce(-picked, reduction)
    w = np.ones(n_classes, input.dtype) if weight is None else _class_weights(weight, n_classes,
                                                                             input.dtype)
    w_t = np.where(ignored, 0, w[safe]).astype(input.dtype)
    loss = -picked * _const(w_t)
    if reduction == "mean":
        with np.errstate(invalid="ignore"):  # all targets ignored: 0/0 = nan, silently, as torch
            return loss.sum() / _const(w_t.sum())
    return _reduce(loss, reduction)


def _class_shaped(w, ndim):
    """A (C,) weight reshaped to broadcast along dim 1 of an (N, C, d1, ...) input."""
    return w.reshape((-1,) + (1,) * (ndim - 2)) if ndim > 1 else w


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing):
    class_dim = 0 if logp.ndim == 1 else 1
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * _const(_class_shaped(_class_weights(weight, n_classes, logp.dtype),
                                             logp.ndim))
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (logp.data.size // max(n_classes, 1))


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy of logits input ((C,), (N, C) or (N, C, d1, ...)) against class
    indices (int64, shape without C) or class probabilities (float, input's shape).

    With label_smoothing e the target mixes (1 - e) of it with e/C of every class. Means as
    torch: over the weights of non-ignored targets for indices, over N d1 ... for probabilities.
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim < 1:
        raise ValueError(f"cross_entropy: input must have at least 1 dim, got shape {input.shape}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = input.log_softmax(class_dim)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind == "f":
        if t.shape != tuple(input.shape):
            raise ValueError(
                f"cross_entropy: class-probability targets need the input's shape "
                f"{tuple(input.shape)}, got {t.shape}"
            )
        probs = target if isinstance(target, Tensor) else _const(t.astype(input.dtype))
        return _cross_entropy_probs(logp, probs, weight, reduction, label_smoothing)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    smooth = _smoothing_term(logp, target, weight, ignore_index, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / input.shape[class_dim])


def _smoothing_term(logp, target, weight, ignore_index, reduction):
    """-sum over classes of w_c log p_c, zero at ignored targets, reduced as torch reduces it."""
    class_dim = 0 if logp.ndim == 1 else 1
    n_classes = logp.shape[class_dim]
    t = _class_target(target, logp, "cross_entropy")
    kept = t != ignore_index
    terms = logp
    w = None
    if weight is not None:
        w = _class_weights(weight, n_classes, logp.dtype)
        terms = logp * _const(_class_shaped(w, logp.ndim))
    smooth = -terms.sum(class_dim) * _const(kept.astype(logp.dtype))
    if reduction != "mean":
        return _reduce(smooth, reduction)
    if w is not None:
        return smooth.sum() / _const(w[t[kept]].sum())
    return smooth.sum() / _const(np.asarray(kept.sum(), dtype=logp.dtype))


def kl_div(input, target, reduction="mean", log_target=False):
    """Pointwise KL divergence target (log target - input), input being log-probabilities:
    xlogy(t, t) - t input (0 where t == 0), or exp(t) (t - input) with log_target. Reduction
    'batchmean' divides the sum by input.size(0) (the mathematically right mean).

    At t == 0 the target's gradient is taken as -input, the limit from t > 0 of the part that
    stays finite; torch gives nan there (0/0 in xlogy's derivative)."""
    _check_reduction(reduction, (*_REDUCTIONS, "batchmean"))
    target = _pair(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = _make(target.data == 0)
        safe = where(zero, 1.0, target)  # log(1) = 0 keeps the gradient finite at t == 0
        loss = where(zero, 0.0, target * safe.log()) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]

