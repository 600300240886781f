"""The import rules of STYLE.md section 1, read from the source with ast (nothing is imported).

cli -> api -> build, training, sweeps -> models, losses, optim, data, config -> engine; errors anywhere.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autogradcli"
STDLIB = set(sys.stdlib_module_names)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, absolute, at any depth (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
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
    return {name for name in imports if within(name, "autogradcli") and name in MODULES}


def modules_under(*prefixes: str) -> list[str]:
    return [name for name in MODULES if within(name, *prefixes)]


@pytest.mark.parametrize("name", modules_under("autogradcli.engine"))
def test_engine_imports_only_numpy_and_the_standard_library(name):
    for imported in imports_of(MODULES[name]):
        top = imported.split(".")[0]
        assert top in STDLIB or top == "numpy" or within(imported, "autogradcli.engine"), imported


@pytest.mark.parametrize("name", ["autogradcli.nn.models", "autogradcli.nn.losses", "autogradcli.nn.optim"])
def test_models_losses_optim_never_see_a_config(name):
    for imported in ours(imports_of(MODULES[name])):
        assert within(imported, "autogradcli.engine", "autogradcli.errors"), imported


LIBRARY = [n for n in MODULES if not within(n, "autogradcli.cli")]


@pytest.mark.parametrize("name", LIBRARY)
def test_library_code_never_imports_rich_typer_or_the_cli(name):
    for imported in imports_of(MODULES[name]):
        assert not within(imported, "rich", "typer", "click", "autogradcli.cli"), imported


@pytest.mark.parametrize("name", modules_under("autogradcli.config", "autogradcli.data"))
def test_config_and_data_stay_below_the_engine_users(name):
    for imported in ours(imports_of(MODULES[name])):
        assert not within(imported, "autogradcli.engine", "autogradcli.nn.models",
                          "autogradcli.training", "autogradcli.build", "autogradcli.api",
                          "autogradcli.sweeps"), imported


@pytest.mark.parametrize("name", ["autogradcli.training"])
def test_training_takes_a_callback_instead_of_importing_config(name):
    for imported in ours(imports_of(MODULES[name])):
        assert not within(imported, "autogradcli.config", "autogradcli.build",
                          "autogradcli.api"), imported


@pytest.mark.parametrize("name", modules_under("autogradcli.cli"))
def test_cli_goes_through_the_api(name):
    below = ("autogradcli.build", "autogradcli.training", "autogradcli.nn.models",
             "autogradcli.nn.losses", "autogradcli.nn.optim", "autogradcli.engine")
    for imported in ours(imports_of(MODULES[name])):
        assert not within(imported, *below), imported


@pytest.mark.parametrize("name", list(MODULES))
def test_matplotlib_only_in_plotting(name):
    if within(name, "autogradcli.plotting", "autogradcli.cli.plot"):
        return
    for imported in imports_of(MODULES[name]):
        assert not within(imported, "matplotlib"), imported


API_USERS = ("autogradcli", "autogradcli.api")


def test_nothing_imports_the_api_but_the_cli_and_the_package():
    for name, path in MODULES.items():
        if within(name, "autogradcli.cli") or name in API_USERS:
            continue
        assert "autogradcli.api" not in imports_of(path), name
