"""Settings shared by the whole suite. Engine-only fixtures live in tests/engine/conftest.py."""

import os

from hypothesis import settings

# One BLAS thread per test process, set before numpy loads (hypothesis does not load it) and
# inherited by the commands the tests run: pytest-xdist already runs a process per core, and
# OpenBLAS's threads spin while they wait for a core, so on a busy machine they cost time instead
# of saving it (the CNN's compile test took 2x the time and 2.7x the CPU beside one other busy
# process). A value you set yourself is kept.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# Property tests must not flake on a slow machine: no per-example deadline, modest example counts.
settings.register_profile("default", deadline=None, max_examples=50)
settings.load_profile("default")

SLOW = ("cli", "test_sweep.py")  # the installed commands and process pools, end to end
# Minutes-long single tests (every block of a doc in turn): started first, so that under
# pytest-xdist they run beside the many short tests instead of after them.
LONG_FIRST = ("test_docs.py",)


def pytest_configure(config):
    """Under `-n`, a worker that runs out of tests takes half of those still queued on a busy one
    (pytest-xdist's worksteal; a --dist you give is kept). xdist's default, load, hands each
    worker a long run of consecutive tests first: one got every end-to-end test (tests/cli and
    these docs, 440 s) while the other sat idle after 140 s."""
    chosen = any(arg.startswith("--dist") for arg in config.invocation_params.args)
    if getattr(config.option, "dist", None) == "load" and not chosen:
        config.option.dist = "worksteal"


def pytest_collection_modifyitems(items):
    """Mark the end-to-end tests `slow`, so `pytest -m "not slow"` is a quick subset; the long
    tests go first."""
    for item in items:
        parts = item.path.relative_to(item.config.rootpath / "tests").parts
        if parts[0] in SLOW:
            item.add_marker("slow")
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # stable: order kept otherwise
