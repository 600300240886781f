"""Which rows make each batch, epoch after epoch, reproducibly and resumably.

never: rows in order; once: one permutation cut into fixed batches reused every epoch (the
tutorial); every_epoch: a fresh permutation each epoch. The last batch may be smaller. The plan's
state (its generator's, for every_epoch) is what a checkpoint saves to continue the same sequence.
"""

from __future__ import annotations

import numpy as np

SHUFFLES = ("once", "every_epoch", "never")


class BatchPlan:
    """`next_epoch()` gives the epoch's batches as index arrays."""

    def __init__(self, n: int, batch_size: int | None, shuffle: str, rng: np.random.Generator):
        if shuffle not in SHUFFLES:
            raise ValueError(f"unknown shuffle {shuffle!r}; use one of {', '.join(SHUFFLES)}")
        self.size = n if batch_size is None else int(batch_size)
        self.n, self.shuffle, self.rng = n, shuffle, rng
        self.fixed = None
        if shuffle != "every_epoch":  # drawn once, when the plan is made
            order = np.arange(n) if shuffle == "never" else rng.permutation(n)
            self.fixed = _cut(order, self.size)

    def next_epoch(self) -> list[np.ndarray]:
        if self.fixed is not None:
            return self.fixed
        return _cut(self.rng.permutation(self.n), self.size)

    def state(self) -> dict | None:
        """The generator's state after the epochs drawn so far (None: the batches are fixed)."""
        return None if self.fixed is not None else self.rng.bit_generator.state

    def restore(self, state: dict | None) -> None:
        """Continue a plan made afresh from the same seed as the one that gave `state`."""
        if state is not None:
            self.rng.bit_generator.state = state


def batch_plan(n, batch_size, shuffle, rng):
    """Yield one list of index arrays per epoch (the BatchPlan as a generator)."""
    plan = BatchPlan(n, batch_size, shuffle, rng)
    while True:
        yield plan.next_epoch()


def _cut(order, size):
    return [order[i : i + size] for i in range(0, len(order), size)]
