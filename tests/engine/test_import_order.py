"""The engine imports in any order: no import cycle between its modules, so import sorting is safe.

Each check imports one engine module before all the others, then differentiates through the
package; a cycle would leave some module half-initialised and fail with an ImportError here.
"""

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "autogradcli" / "engine"


def _module_name(path):
    """ops/unary.py -> "ops.unary", ops/__init__.py -> "ops"."""
    parts = path.relative_to(ENGINE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {_module_name(p): p for p in ENGINE.rglob("*.py") if p != ENGINE / "__init__.py"}
MODULES = sorted(FILES)

# argv: a package, then its modules. A real `import package.module` runs package/__init__.py
# first, which would hide a module that only works after another; so each module is imported into
# a package whose __init__ has not run yet, and the __init__ runs after it ("" stands for none).
CHECK = """
import importlib
import importlib.util
import sys

import numpy as np

package, modules = sys.argv[1], sys.argv[2:]
if "." in package:
    importlib.import_module(package.rpartition(".")[0])


def import_first(first):
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    spec = importlib.util.find_spec(package)
    ag = sys.modules[package] = importlib.util.module_from_spec(spec)
    if first:
        importlib.import_module(f"{package}.{first}")
    spec.loader.exec_module(ag)
    return ag


for first in ["", *modules]:
    print("importing first:", first or "the package itself", flush=True)
    ag = import_first(first)
    assert [n for n in ag.__all__ if not hasattr(ag, n)] == []
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    (ag.exp(x) * x).sum().backward()
    d = x.detach().numpy()
    assert np.allclose(x.grad.numpy(), np.exp(d) * (1 + d)), x.grad
    (g,) = ag.grad((x @ x) / 2, x)
    assert np.allclose(g.numpy(), d), g
    with ag.no_grad():
        x.sub_(0.1 * x.grad)
    assert ag.gradcheck(lambda t: t.tanh().mean(), [x])
"""


def _check(cwd, package):
    """Run CHECK on package and all its modules, in a fresh interpreter."""
    run = subprocess.run(
        [sys.executable, "-c", CHECK, package, *MODULES],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_each_module_can_be_imported_first():
    _check(ENGINE.parents[1], "autogradcli.engine")


def _engine_imports(module):
    """The engine modules a module imports, at any depth (relative imports only)."""
    path = FILES[module]
    here = module.split(".") if path.stem == "__init__" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            prefix = ".".join([*base, node.module] if node.module else base)
            names = [prefix] if node.module else [f"{prefix}.{a.name}" for a in node.names]
            found.update(n.lstrip(".") for n in names)
    return (found & set(MODULES)) - {module}


def test_engine_modules_import_no_cycle():
    graph = {m: _engine_imports(m) for m in MODULES}
    done, path = set(), []

    def visit(m):
        if m in path:
            pytest.fail("import cycle: " + " -> ".join([*path[path.index(m) :], m]))
        if m in done:
            return
        path.append(m)
        for dep in sorted(graph[m]):
            visit(dep)
        path.pop()
        done.add(m)

    for m in MODULES:
        visit(m)


def _ruff():
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    found = shutil.which("ruff")
    return [found] if found else None


def test_engine_still_works_after_ruff_sorts_its_imports(tmp_path):
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    copy = tmp_path / "engine_copy"
    shutil.copytree(ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    fix = subprocess.run(
        [*ruff, "check", "--isolated", "--no-cache", "--select", "I", "--fix", str(copy)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert fix.returncode == 0, fix.stdout + fix.stderr
    _check(tmp_path, "engine_copy")
