"""The engine's own error: ShapeError, a RuntimeError (as torch raises) that names the shapes.

Imports nothing, so every engine module can raise it without a cycle.
"""


class ShapeError(RuntimeError):
    """Operand shapes that do not fit (matmul, reshape, permute, broadcasting), as torch's
    RuntimeError: `except RuntimeError` catches it too."""
