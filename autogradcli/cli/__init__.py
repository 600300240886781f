"""The console scripts: thin typer shells over autogradcli.api (one app per script).

A stop signal during a script's start-up (before run_app) ends it with one line and 128 + the
signal: autogradcli/__init__ installs the handlers first thing when a console script starts.
"""

import os
import signal

from autogradcli.cli.fast_start import skip_pydantic_plugin_scan

# Before numpy loads (BLAS reads this once): one BLAS thread unless the user set another count.
# The models here are small, so extra threads cost more to wake than they save; on a busy machine
# they made the digits CNN run 4x slower (59 s against 14 s on 2 shared cores).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


if os.environ.get("AUTOGRADCLI_FAULT") == "int:start":  # tests: Ctrl-C during start-up
    os.kill(os.getpid(), signal.SIGINT)

skip_pydantic_plugin_scan()  # importlib.metadata's import and scan: about 50 ms
