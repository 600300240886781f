"""Start-up savings for the console scripts that reach into a library's private module.

pydantic looks for plugins (the entry point group "pydantic") when it builds its first validator:
its plugin loader imports importlib.metadata and scans every installed distribution, about 50 ms
of a tutorial run of about 450 ms on a two-core machine, and the environment variable
PYDANTIC_DISABLE_PLUGINS skips the scan but not the import. These commands load no pydantic
plugin, so they give pydantic, in advance, a loader that finds none. Any other name a later
pydantic asks of that module comes from the real loader, loaded then: slower, never wrong.
"""

from __future__ import annotations

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
