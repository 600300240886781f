"""Settings shared by the whole suite. Engine-only fixtures live in tests/engine/conftest.py."""

from hypothesis import settings

# Property tests must not flake on a slow machine: no per-example deadline, modest example counts.
settings.register_profile("default", deadline=None, max_examples=50)
settings.load_profile("default")
