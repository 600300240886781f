"""batch_norm and layer_norm as torch.nn.functional, composed of the engine's rows.

Built from mean, subtraction and sqrt, so their first and second derivatives are those of the
rows they use. batch_norm in training mode updates the running statistics in place, as torch.
"""

from ..grad_mode import no_grad
from ..tensor import _operand


def _normalize(x, dims, eps):
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(dims, keepdim=True)  # biased, as torch normalises
    return centered / (var + eps).sqrt(), mean, var


def _affine(y, weight, bias, shape):
    if weight is not None:
        y = y * _operand(weight).reshape(shape)
    if bias is not None:
        y = y + _operand(bias).reshape(shape)
    return y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalise each channel (dim 1) over the batch and spatial dims.

    training: batch statistics, and running_mean/var (if given) move by momentum towards the
    batch mean and the unbiased batch variance; otherwise the running statistics are used.
    """
    x = _operand(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2-D input, got shape {tuple(x.shape)}")
    dims = tuple(d for d in range(x.ndim) if d != 1)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean = _operand(running_mean).reshape(shape)
        var = _operand(running_var).reshape(shape)
        return _affine((x - mean) / (var + eps).sqrt(), weight, bias, shape)
    count = x.numel() // x.shape[1]
    if count <= 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{tuple(x.shape)}"
        )
    y, mean, var = _normalize(x, dims, eps)
    with no_grad():
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.detach().reshape(-1) * momentum)
        if running_var is not None:
            unbiased = var.detach().reshape(-1) * (count / (count - 1))
            running_var.mul_(1 - momentum).add_(unbiased * momentum)
    return _affine(y, weight, bias, shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last len(normalized_shape) dims, then scale and shift elementwise."""
    x = _operand(input)
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(x.shape[x.ndim - k :]) != normalized_shape or x.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in normalized_shape)}], but got input of size "
            f"{list(x.shape)}"
        )
    y, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, normalized_shape)


__all__ = ["batch_norm", "layer_norm"]
