"""Start-up savings for the console scripts that reach into a library's private modules.

pydantic looks for plugins (the entry point group "pydantic") when it builds its first validator:
its plugin loader imports importlib.metadata and scans every installed distribution, about 50 ms
of a tutorial run of about 450 ms on a two-core machine, and the environment variable
PYDANTIC_DISABLE_PLUGINS skips the scan but not the import. These commands load no pydantic
plugin, so they give pydantic, in advance, a loader that finds none. Any other name a later
pydantic asks of that module comes from the real loader, loaded then: slower, never wrong.

typer's rich help (typer.rich_utils) imports rich.markdown (markdown_it, html, logging) and
rich.traceback (pygments, rich.pretty, attrs) at its top, about a third of `--help`'s time; it
uses them only for markup_mode "markdown" and for pretty tracebacks, which these apps turn off.
So help is rendered with rich_utils imported beside stand-ins for those two classes: each loads
the real class the first time it is called or asked for an attribute. The stand-ins leave
sys.modules at once, so any later `import rich.markdown` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
import types

LOADER = "pydantic.plugin._loader"


def skip_pydantic_plugin_scan() -> None:
    """Install the loader that finds no plugins, unless pydantic already has its own."""
    if LOADER in sys.modules:
        return
    loader = types.ModuleType(LOADER, __doc__)
    loader.get_plugins = _no_plugins
    loader.__getattr__ = _from_the_real_loader
    sys.modules[LOADER] = loader


def _no_plugins() -> tuple:
    return ()


def _from_the_real_loader(name: str):
    if name.startswith("__"):  # the import system asks a module for __path__ and the like
        raise AttributeError(name)
    import importlib.util
    from pathlib import Path

    package = sys.modules["pydantic.plugin"]
    path = Path(package.__file__).with_name("_loader.py")
    spec = importlib.util.spec_from_file_location(f"{LOADER}_real", path)
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    return getattr(real, name)


# what typer.rich_utils takes from each module it imports only for what these apps turn off
_HELP_ONLY = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def import_help_without_unused_modules(argv: list[str]) -> None:
    """When `argv` asks for help (or is a bare command, which shows it), import typer's rich
    help beside stand-ins (see above). run_app calls it with the command's final argv."""
    wants_help = len(argv) <= 1 or any(arg in ("-h", "--help") for arg in argv[1:])
    if not wants_help or "typer.rich_utils" in sys.modules:
        return
    stand_ins = {name: _stand_in_module(name, cls) for name, cls in _HELP_ONLY.items()
                 if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        import typer.rich_utils  # noqa: F401
    except ImportError:  # a typer without rich help: nothing to save
        pass
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


class _Deferred(type):
    """A class that stands for one not imported yet: using it imports the real one."""

    def __call__(cls, *args, **kwargs):
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls._real(), name)

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, cls._real())


def _stand_in_module(module: str, name: str) -> types.ModuleType:
    def real() -> type:
        return getattr(importlib.import_module(module), name)

    stand_in = types.ModuleType(module, f"stands for {module} until {name} is used")
    setattr(stand_in, name, _Deferred(name, (), {"_real": staticmethod(real),
                                                 "__module__": module}))
    return stand_in
