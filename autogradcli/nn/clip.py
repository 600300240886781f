"""Gradient clipping before the update, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""

from __future__ import annotations

import numpy as np


def total_norm(params) -> float:
    """The L2 norm of all gradients together: the norm of the per-parameter norms (as torch)."""
    norms = [np.linalg.norm(p.grad.data.reshape(-1)) for p in params if p.grad is not None]
    return float(np.linalg.norm(np.array(norms))) if norms else 0.0


def clip_grad_norm_(params, max_norm: float, eps: float = 1e-6) -> float:
    """Scale every gradient by min(1, max_norm / (total + eps)); return the total before."""
    params = list(params)
    total = total_norm(params)
    coef = min(max_norm / (total + eps), 1.0)
    for p in params:
        if p.grad is not None:
            p.grad.data *= coef
    return total


def clip_grad_value_(params, clip_value: float) -> None:
    """Clamp every gradient element to [-clip_value, clip_value]."""
    for p in params:
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)


class GradientClipper:
    """What the loop calls after backward: the configured clipping, returning the total norm
    before it (history.csv's grad_norm)."""

    def __init__(self, max_norm: float | None = None, max_value: float | None = None):
        self.max_norm, self.max_value = max_norm, max_value

    def __call__(self, params) -> float:
        params = list(params)
        norm = total_norm(params)
        if self.max_value is not None:
            clip_grad_value_(params, self.max_value)
        if self.max_norm is not None:
            clip_grad_norm_(params, self.max_norm)
        return norm
