"""How the flows run: Prefect settings, and the one-shot commands' plain mode.

Settings, applied before Prefect is imported:

* Telemetry off (``DO_NOT_TRACK``, server analytics) unless the user set them.
* Task results are never persisted (they hold customer data).
* The embedded server gets time to start on a small, busy machine.
* Without ``PREFECT_API_URL`` a flow runs embedded: Prefect starts a
  temporary local server for the run; nothing has to be started by the owner.

Plain mode. Starting that embedded server costs 9-11 s on a small machine,
more than a whole small review, and it keeps nothing the owner uses
afterwards: a one-shot ``karsinta review | inventory | apply`` therefore runs
the flow's own function (``flow.fn``) with the same stages as plain calls
(:func:`call`; sources still read concurrently), unless ``--prefect`` is given
or ``PREFECT_API_URL`` points at a server (then the run is recorded there).
``serve``, deployments and work pools always run the real flows. The trade-off:
a plain run leaves no flow run, task states or artifact in a Prefect UI, and
has no Prefect retries (remote reads retry in :func:`retrying` instead).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    # Prefect's own INFO lines name runs and states only; keep the terminal calm.
    "PREFECT_LOGGING_LEVEL": "WARNING",
}
#: set to 1 to make every one-shot command run its Prefect flow (as ``--prefect``)
PREFECT_SWITCH = "KARSINTA_PREFECT"

T = TypeVar("T")


def configure() -> None:
    """Set the defaults above where the environment does not say otherwise."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


def use_prefect(asked: bool = False) -> bool:
    """Whether a one-shot command runs as a Prefect flow (else plain calls)."""
    return (
        asked
        or bool(os.environ.get("PREFECT_API_URL"))
        or os.environ.get(PREFECT_SWITCH, "") in ("1", "true", "yes")
    )


def in_flow_run() -> bool:
    """True inside a Prefect flow run (then tasks are tasks)."""
    if "prefect" not in sys.modules:
        return False
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


def call(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a stage: as a Prefect task inside a flow run, else as the plain function."""
    if in_flow_run():
        return task(*args, **kwargs)
    return task.fn(*args, **kwargs)


def artifact(markdown: str, key: str, description: str) -> None:
    """The flow run's counts artifact; a plain run has no flow run to attach it to."""
    if in_flow_run():
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(markdown, key=key, description=description)


def retrying(function: Callable[[], T], delays: Sequence[float]) -> T:
    """``function()``, tried again after each delay while it raises (plain mode's retries)."""
    for delay in delays:
        try:
            return function()
        except Exception:  # noqa: BLE001 - the same as Prefect's task retries
            time.sleep(delay)
    return function()
