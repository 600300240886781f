"""The console scripts: thin typer shells over autogradcli.api (one app per script).

A Ctrl-C while a script is still starting up (before run_app handles it) ends quietly with exit
code 130: autogradcli/__init__ installs that handler first thing when a console script starts.
"""

import os
import signal

if os.environ.get("AUTOGRADCLI_FAULT") == "int:start":  # tests: Ctrl-C during start-up
    os.kill(os.getpid(), signal.SIGINT)
