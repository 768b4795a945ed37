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
(:func:`call`; sources still read concurrently, a large workspace's in worker
processes: :mod:`flows.reading`, :mod:`flows.beside`), unless ``--prefect`` is given
or ``PREFECT_API_URL`` points at a server (then the run is recorded there).
``serve``, deployments and work pools always run the real flows. The trade-off:
a plain run leaves no flow run, task states or artifact in a Prefect UI, and
has no Prefect retries (live-account connectors retry their own calls).

Importing Prefect alone takes 2-4 s here, so the flows and tasks are declared
with :func:`flow` and :func:`task` below: the same options as Prefect's
decorators, but Prefect is imported (and the real flow or task made) only when
one is first used as such; ``.fn`` is the plain function, without Prefect.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


#: ``cache_policy=NO_CACHE`` for :func:`task` (Prefect's NO_CACHE, resolved when Prefect loads)
NO_CACHE = "NO_CACHE"


@dataclass(frozen=True)
class ThreadPool:
    """``task_runner=`` for :func:`flow`: Prefect's ThreadPoolTaskRunner, made when needed."""

    max_workers: int


def _prefect_options(options: dict[str, Any]) -> dict[str, Any]:
    out = dict(options)
    if out.get("cache_policy") == NO_CACHE:
        from prefect.cache_policies import NO_CACHE as PREFECT_NO_CACHE

        out["cache_policy"] = PREFECT_NO_CACHE
    runner = out.get("task_runner")
    if isinstance(runner, ThreadPool):
        from prefect.task_runners import ThreadPoolTaskRunner

        out["task_runner"] = ThreadPoolTaskRunner(max_workers=runner.max_workers)
    return out


class _Lazy:
    """A Prefect flow or task made on first use; ``fn`` is the plain function."""

    _kind = ""

    def __init__(self, fn: Callable[..., Any], options: dict[str, Any]) -> None:
        self.fn = fn
        self._options = options
        self._real: Any = None
        functools.update_wrapper(self, fn)

    def prefect(self) -> Any:
        """The real Prefect object (imports Prefect)."""
        if self._real is None:
            import prefect

            decorator = getattr(prefect, self._kind)
            self._real = decorator(**_prefect_options(self._options))(self.fn)
        return self._real

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.prefect()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # submit, with_options, to_deployment, name ...
        if name.startswith("__") or name in ("_real", "_options", "fn"):
            raise AttributeError(name)
        return getattr(self.prefect(), name)


class LazyFlow(_Lazy):
    _kind = "flow"


class LazyTask(_Lazy):
    _kind = "task"


def flow(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``prefect.flow(**options)``, without importing Prefect until the flow runs."""
    return lambda fn: LazyFlow(fn, options)


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``prefect.task(**options)``, without importing Prefect until the task runs."""
    return lambda fn: LazyTask(fn, options)
