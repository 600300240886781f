"""Optimizers SGD and Adam with torch.optim's exact update rules, stepping parameters in place.

Built on `autogradcli.engine` and numpy only: never imports config, data, training or the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

import autogradcli.engine as ag
from autogradcli.engine.trace import call_on_data


class Optimizer:
    """Holds the parameters (a name -> Tensor dict, or an iterable of Tensors) and zero_grad."""

    def __init__(self, params, lr):
        if isinstance(params, Mapping):
            params = params.values()
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for p in self.params:
            if not (isinstance(p, ag.Tensor) and p.requires_grad and p.is_leaf):
                raise ValueError("optimizer parameters must be leaf Tensors with "
                                 "requires_grad=True")
        if not lr > 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        self.lr = lr

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set .grad to None (torch's default), or zero them in place."""
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def step(self):
        """One update of every parameter that has a gradient, in place under no_grad. Inside an
        ag.compile'd function the update is replayed: _delta runs again on the new arrays."""
        with ag.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    p.sub_(call_on_data(self._delta, i, p, p.grad))

    def _delta(self, i, p, g) -> np.ndarray:
        """The amount to subtract from parameter i (arrays in, array out)."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Everything the next steps depend on besides the parameters, as arrays by name (for a
        checkpoint); restore(state) puts it back exactly."""
        return {}

    def restore(self, state: dict[str, np.ndarray]) -> None:
        pass


class SGD(Optimizer):
    """torch.optim.SGD (dampening 0): g += wd p; b = momentum b + g (b = g at first);
    g = g + momentum b if nesterov else b;  p -= lr g."""

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError("momentum and weight_decay must be >= 0")
        if nesterov and momentum == 0:
            raise ValueError("nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay
        self._buffers = [None] * len(self.params)

    def _delta(self, i, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = self._buffers[i]
            buf = g.copy() if buf is None else self.momentum * buf + g
            self._buffers[i] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return self.lr * g

    def state(self):
        return {f"momentum_buffer/{i}": b for i, b in enumerate(self._buffers) if b is not None}

    def restore(self, state):
        self._buffers = [None] * len(self.params)
        for i in range(len(self.params)):
            if f"momentum_buffer/{i}" in state:
                self._buffers[i] = np.array(state[f"momentum_buffer/{i}"])


class Adam(Optimizer):
    """torch.optim.Adam (no amsgrad): g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps), in torch's order of operations."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        if eps < 0 or weight_decay < 0:
            raise ValueError("eps and weight_decay must be >= 0")
        self.betas, self.eps, self.weight_decay = (beta1, beta2), eps, weight_decay
        self._m = [np.zeros_like(p.data) for p in self.params]
        self._v = [np.zeros_like(p.data) for p in self.params]
        self._t = [0] * len(self.params)

    def _delta(self, i, p, g):
        beta1, beta2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p
        self._t[i] += 1
        t = self._t[i]
        m = self._m[i] = self._m[i] + (1 - beta1) * (g - self._m[i])  # torch's lerp_(g, 1 - beta1)
        v = self._v[i] = self._v[i] * beta2 + (1 - beta2) * g * g
        step_size = self.lr / (1 - beta1**t)
        denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + self.eps
        return step_size * (m / denom)

    def state(self):
        arrays = {}
        for i in range(len(self.params)):
            arrays[f"exp_avg/{i}"], arrays[f"exp_avg_sq/{i}"] = self._m[i], self._v[i]
            arrays[f"step/{i}"] = np.int64(self._t[i])
        return arrays

    def restore(self, state):
        for i in range(len(self.params)):
            self._m[i] = np.array(state[f"exp_avg/{i}"])
            self._v[i] = np.array(state[f"exp_avg_sq/{i}"])
            self._t[i] = int(state[f"step/{i}"])


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam}
