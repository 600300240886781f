"""The console scripts skip pydantic's plugin scan (cli/fast_start.py): importlib.metadata is
never imported on a run, pydantic still validates, and the stand-in loader answers what the real
one would for anything beyond get_plugins."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, TRAIN


def test_a_run_never_imports_importlib_metadata(tmp_path):
    done = subprocess.run([sys.executable, "-X", "importtime", *TRAIN[1:],
                           str(ROOT / "configs" / "seed_linear.yaml"), "--quiet", "--out",
                           str(tmp_path / "run")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")]
    assert "pydantic.main" in imported  # the measure sees pydantic's imports
    assert "importlib.metadata" not in imported
    assert (tmp_path / "run" / "summary.json").is_file()


def test_the_stand_in_loader_finds_no_plugins_and_falls_back_for_other_names():
    script = """
import sys
from autogradcli.cli.fast_start import skip_pydantic_plugin_scan
skip_pydantic_plugin_scan()
import pydantic
class M(pydantic.BaseModel):
    x: int
assert M(x="3").x == 3
assert "importlib.metadata" not in sys.modules
import pydantic.plugin
from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP, get_plugins
assert get_plugins() == () and PYDANTIC_ENTRY_POINT_GROUP == "pydantic"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_pydantic_asks_its_plugin_loader_for_get_plugins_only():
    """If a pydantic release asks the loader for more, the stand-in still answers (from the real
    loader), but slower: this test says when to look again."""
    import pydantic

    asked = set()
    for path in Path(pydantic.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader"):
                asked.update(alias.name for alias in node.names)
    assert asked == {"get_plugins"}


def test_help_skips_markdown_and_traceback_modules_and_looks_the_same():
    done = subprocess.run([sys.executable, "-X", "importtime", *TRAIN[1:], "--help"],
                          capture_output=True, text=True, check=False, env=_columns(100))
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "typer.rich_utils" in imported  # the help is typer's rich help...
    assert not imported & {"rich.markdown", "markdown_it", "rich.traceback", "pygments"}
    assert "╭─ Options" in done.stdout and "--overwrite" in done.stdout  # ...with its panels


def test_the_help_stand_ins_load_the_real_classes_when_used():
    script = """
import sys
from autogradcli.cli.fast_start import import_help_without_unused_modules
import_help_without_unused_modules(["autograd-train", "--help"])
from typer import rich_utils
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
assert "typer.rich_utils" in sys.modules
md = rich_utils.Markdown("**x**")
import rich.markdown, rich.traceback
assert type(md) is rich.markdown.Markdown and isinstance(md, rich_utils.Markdown)
assert rich_utils.Traceback.from_exception == rich.traceback.Traceback.from_exception
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_run_imports_no_rich_help():
    script = ("import sys\nfrom autogradcli.cli.fast_start import "
              "import_help_without_unused_modules\n"
              "import_help_without_unused_modules(['autograd-train', 'c.yaml', '--set', 'a=-h'])"
              "\nimport_help_without_unused_modules(['autograd-train', 'c.yaml'])\n"
              "print('typer.rich_utils' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "False", done.stderr


def test_a_bare_autograd_runs_lists_runs_without_importing_the_rich_help(tmp_path):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "autogradcli.cli.runs"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "no such folder" in done.stderr  # it listed (runs/ is missing here), not helped
    assert "typer.rich_utils" not in imported


def _columns(n: int) -> dict:
    import os

    return {**os.environ, "COLUMNS": str(n)}
