"""Logging finished runs to experiment trackers (MLflow), read from their run folders.

Above runs/ (it reads run folders), below training/ and sweeps/ (they call it when a config asks
for tracking). A tracker's library is imported only when a run is logged, never on the normal path.
"""

from autogradcli.tracking.mlflow_log import (
    Logged,
    end_parent,
    log_figures,
    log_run,
    record_not_logged,
    start_parent,
)

__all__ = ["Logged", "end_parent", "log_figures", "log_run", "record_not_logged", "start_parent"]
