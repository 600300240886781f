"""Engine test fixtures: a seeded generator, and grad mode and engine seed reset per test."""

import numpy as np
import pytest

import autogradcli.engine as ag
from autogradcli.engine import grad_mode


@pytest.fixture(autouse=True)
def _fresh_engine_state():
    """Each test starts in grad mode, the engine's generator seeded, whatever the last one did."""
    ag.manual_seed(0)
    grad_mode._set(True)
    yield
    grad_mode._set(True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
