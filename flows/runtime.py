"""Prefect settings for a privacy tool, applied before Prefect is imported.

* Telemetry off (``DO_NOT_TRACK``, server analytics) unless the user set them.
* Task results are never persisted (they hold customer data).
* The embedded server gets time to start on a small, busy machine.
* Without ``PREFECT_API_URL`` the flows run embedded: Prefect starts a
  temporary local server for the run; nothing has to be started by the owner.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    # Prefect's own INFO lines name runs and states only; keep the terminal calm.
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def configure() -> None:
    """Set the defaults above where the environment does not say otherwise."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
