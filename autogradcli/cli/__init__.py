"""The console scripts: thin typer shells over autogradcli.api (one app per script)."""

import os

# Before numpy loads (BLAS reads this once): one BLAS thread unless the user set another count.
# The models here are small, so extra threads cost more to wake than they save; on a busy machine
# they made the digits CNN run 4x slower (59 s against 14 s on 2 shared cores).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
