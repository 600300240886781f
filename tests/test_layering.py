"""The import rules, read from the source with ast (nothing is imported): one folder per layer,
imports only downward.

    cli -> api -> sweeps -> training -> config, runs, nn, data -> engine;  errors anywhere
    plotting (under cli) reads runs/ and rebuilds models with nn/
    tracking (MLflow) reads runs/; only training and sweeps call it
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autogradcli"
STDLIB = set(sys.stdlib_module_names)

# Each layer and the layers it may import (itself and errors always). A module outside these
# packages fails test_every_module_belongs_to_a_layer, so a new layer is declared here first.
ALLOWED = {
    "autogradcli.engine": set(),
    "autogradcli.nn": {"autogradcli.engine"},
    "autogradcli.data": set(),
    "autogradcli.config": {"autogradcli.nn.specs", "autogradcli.data.dataset"},
    "autogradcli.runs": {"autogradcli.data", "autogradcli.config", "autogradcli.nn.specs"},
    "autogradcli.tracking": {"autogradcli.runs"},
    "autogradcli.training": {"autogradcli.engine", "autogradcli.nn", "autogradcli.data",
                             "autogradcli.config", "autogradcli.runs", "autogradcli.tracking"},
    "autogradcli.inference": {"autogradcli.engine", "autogradcli.nn", "autogradcli.data",
                              "autogradcli.runs"},
    "autogradcli.sweeps": {"autogradcli.config", "autogradcli.runs", "autogradcli.training",
                           "autogradcli.tracking", "autogradcli.nn.specs"},
    "autogradcli.plotting": {"autogradcli.engine", "autogradcli.nn", "autogradcli.runs",
                             "autogradcli.data", "autogradcli.sweeps.table"},
    "autogradcli.api": {"autogradcli.config", "autogradcli.training", "autogradcli.sweeps",
                        "autogradcli.plotting", "autogradcli.inference", "autogradcli.tracking",
                        "autogradcli.runs"},
    "autogradcli.cli": {"autogradcli.api"},
    "autogradcli": {"autogradcli.api"},
}
ALWAYS = ("autogradcli.errors",)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, absolute, at any depth (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def ours(imports: set[str]) -> set[str]:
    """Our modules among the imports; the bare package (its __version__) is everyone's."""
    return {name for name in imports if within(name, "autogradcli") and name in MODULES
            and name != "autogradcli"}


def layer_of(name: str) -> str | None:
    """The most specific layer that holds this module."""
    matches = [layer for layer in ALLOWED if within(name, layer)]
    return max(matches, key=len) if matches else None


def test_every_module_belongs_to_a_layer():
    loose = [name for name in MODULES if layer_of(name) is None]
    assert not loose, f"declare their layer in ALLOWED: {loose}"
    flat = [name for name in MODULES if name.count(".") == 1 and
            name not in ("autogradcli.api", "autogradcli.errors")]
    assert not [n for n in flat if not (PACKAGE / n.split(".")[1]).is_dir()], \
        "the package root holds only api.py, errors.py and one folder per layer"


@pytest.mark.parametrize("name", [n for n in MODULES if n != "autogradcli.errors"])
def test_imports_go_only_downward(name):
    layer = layer_of(name)
    allowed = (layer, *ALLOWED[layer], *ALWAYS)
    for imported in ours(imports_of(MODULES[name])):
        assert within(imported, *allowed), f"{name} imports {imported}"


@pytest.mark.parametrize("name", ["autogradcli.errors", "autogradcli.nn.specs"])
def test_the_shared_rules_need_only_the_standard_library(name):
    for imported in imports_of(MODULES[name]):
        assert imported.split(".")[0] in STDLIB or imported == "__future__", imported


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, "autogradcli.engine")])
def test_engine_imports_only_numpy_and_the_standard_library(name):
    for imported in imports_of(MODULES[name]):
        top = imported.split(".")[0]
        assert top in STDLIB or top == "numpy" or within(imported, "autogradcli.engine"), imported


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, "autogradcli.nn")])
def test_models_losses_optim_never_see_a_config(name):
    for imported in ours(imports_of(MODULES[name])):
        assert within(imported, "autogradcli.engine", "autogradcli.errors",
                      "autogradcli.nn"), imported


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, "autogradcli.config",
                                                                "autogradcli.data")])
def test_config_and_data_never_load_the_engine(name):
    for imported in imports_of(MODULES[name]):
        assert not within(imported, "autogradcli.engine", "autogradcli.nn.models",
                          "autogradcli.nn.losses", "autogradcli.nn.optim"), imported


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, "autogradcli.training")])
def test_the_training_loop_takes_a_callback_instead_of_importing_config(name):
    if name != "autogradcli.training.loop":
        return
    for imported in ours(imports_of(MODULES[name])):
        assert not within(imported, "autogradcli.config", "autogradcli.api"), imported


LIBRARY = [n for n in MODULES if not within(n, "autogradcli.cli")]


@pytest.mark.parametrize("name", LIBRARY)
def test_library_code_never_imports_rich_typer_or_the_cli(name):
    for imported in imports_of(MODULES[name]):
        assert not within(imported, "rich", "typer", "click", "autogradcli.cli"), imported


@pytest.mark.parametrize("name", list(MODULES))
def test_matplotlib_only_in_plotting(name):
    if within(name, "autogradcli.plotting"):
        return
    for imported in imports_of(MODULES[name]):
        assert not within(imported, "matplotlib"), imported


@pytest.mark.parametrize("name", list(MODULES))
def test_mlflow_only_in_tracking_and_tracking_called_only_by_training_sweeps_api(name):
    imports = imports_of(MODULES[name])
    if not within(name, "autogradcli.tracking"):
        assert not [i for i in imports if within(i, "mlflow")], name
    if not within(name, "autogradcli.tracking", "autogradcli.training", "autogradcli.sweeps",
                  "autogradcli.api"):
        assert not [i for i in imports if within(i, "autogradcli.tracking")], name


def test_nothing_imports_the_api_but_the_cli_and_the_package():
    for name, path in MODULES.items():
        if within(name, "autogradcli.cli") or name in ("autogradcli", "autogradcli.api"):
            continue
        assert "autogradcli.api" not in imports_of(path), name


def test_every_package_says_what_it_is():
    for name, path in MODULES.items():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and len(doc.splitlines()) <= 4, name
