"""Grad mode: whether operations record a graph. Imports nothing but the standard library.

The flag is a module global read on every operation, so it is kept as cheap to read as possible.
"""

import functools

_enabled = True


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record the graph."""
    return _enabled


def _set(flag: bool) -> None:
    global _enabled
    _enabled = bool(flag)


class _GradMode:
    """Context manager and decorator that sets grad mode and restores the previous one on exit."""

    _flag = True

    def __init__(self):
        self._prev = []

    def __enter__(self):
        self._prev.append(_enabled)
        _set(self._flag)
        return self

    def __exit__(self, *exc):
        _set(self._prev.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Disable graph recording, e.g. for the update: `with ag.no_grad(): a.sub_(lr * a.grad)`."""

    _flag = False


class enable_grad(_GradMode):
    """Re-enable graph recording inside a no_grad block."""

    _flag = True


class set_grad_enabled(_GradMode):
    """Set grad mode to `mode`: at once (called as a function) or for a block (as a context)."""

    def __init__(self, mode: bool):
        super().__init__()
        self._flag = bool(mode)
        self._prev.append(_enabled)
        _set(self._flag)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(self._prev.pop())
        return False

    def __call__(self, fn):
        # Used as a decorator the mode applies per call, not at decoration time; the same object
        # may decorate several functions, and only the first restores the mode set by __init__.
        if self._prev:
            _set(self._prev.pop())
        flag = self._flag

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(flag):
                return fn(*args, **kwargs)

        return wrapper
