"""Two schedules: ``monthly_review`` on the 1st of every month at 07:00 Helsinki time, and
``daily_requests`` every day at 07:30 Helsinki time (erasure and access requests get their
one-person proposal or report the day they are logged; deadlines near are reminded).

Prefect's embedded mode cannot schedule. So when ``PREFECT_API_URL`` is not
set, ``karsinta serve`` starts a local Prefect server of its own, with its
database inside the workspace (``.karsinta/prefect/``), for as long as it
runs, and serves the deployment against it. With ``PREFECT_API_URL`` set
(a Prefect server or Prefect Cloud) it only serves the deployment there.

Without any server: a cron line or a systemd timer running
``karsinta review --workspace DIR --quiet`` monthly and ``karsinta requests --workspace DIR
--quiet`` daily do the same (see README).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flows.workspace import Workspace

CRON = "0 7 1 * *"
TIMEZONE = "Europe/Helsinki"
DEPLOYMENT = "karsinta-monthly"
DAILY_CRON = "30 7 * * *"
DAILY_DEPLOYMENT = "karsinta-daily-requests"
HELSINKI = ZoneInfo(TIMEZONE)


def deployment_schedule() -> object:
    from prefect.schedules import Cron

    return Cron(CRON, timezone=TIMEZONE)


def daily_schedule() -> object:
    from prefect.schedules import Cron

    return Cron(DAILY_CRON, timezone=TIMEZONE)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when ``karsinta serve`` dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A child in a session of its own (so it can be stopped with all of its children),
    which dies with us, its output going to ``log`` (Prefect's hints would mislead)."""
    with open(log, "ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def stop_child(process: subprocess.Popen[bytes], grace: float = 4.0) -> None:
    """Stop a child and every process of its session: SIGTERM, then SIGKILL after ``grace``."""
    stop_children([process], grace)


def stop_children(processes: list[subprocess.Popen[bytes]], grace: float = 4.0) -> None:
    """Stop children and every process of their sessions, all at once: SIGTERM to each,
    one ``grace`` for them together, then SIGKILL (the whole wait is one grace, not one
    per child)."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    # grandchildren (uvicorn workers, flow runs) may outlive their parent: the whole group goes
    for process in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)


def _wait_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    seconds: float = 180,
    stop: StopFlag | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stop is not None and stop.is_set():
            raise Stopped
        if process.poll() is not None:
            raise RuntimeError("the local Prefect server stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError("the local Prefect server did not start in time")


class StopFlag:
    """Set by the Ctrl-C and SIGTERM handlers, read by the main thread: a bare flag, no lock.

    A signal handler runs in the main thread between two of its bytecodes. With
    ``threading.Event`` the handler's ``set()`` takes the lock that the main
    thread's ``wait()`` may be holding at that moment, and ``serve`` hangs for
    ever on the Ctrl-C meant to stop it (seen once in CI).
    """

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` in short steps; whether the flag is set."""
        deadline = time.monotonic() + seconds
        while not self._set and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
        return self._set


class Stopped(Exception):
    """Ctrl-C or SIGTERM arrived: stop what was started, say so in one line."""


def _server_env(workspace: Workspace, port: int) -> dict[str, str]:
    home = workspace.state_dir / "prefect"
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
    }
    env.pop("PREFECT_API_URL", None)
    return env


def _server_argv(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@contextmanager
def local_server(workspace: Workspace) -> Iterator[str]:
    """A Prefect server on loopback with its database in the workspace."""
    port = _free_port()
    env = _server_env(workspace, port)
    process = _child(_server_argv(port), env, workspace.state_dir / "prefect" / "server.log")
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        stop_child(process)


# ------------------------------------------------------------------ the times


def next_monthly(now: datetime) -> datetime:
    """The next monthly review after ``now`` (Helsinki time): the 1st at 07:00."""
    local = now.astimezone(HELSINKI)
    candidate = local.replace(day=1, hour=7, minute=0, second=0, microsecond=0)
    if candidate <= local:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        candidate = candidate.replace(year=year, month=month)
    return candidate


def next_daily(now: datetime) -> datetime:
    """The next daily requests run after ``now`` (Helsinki time): 07:30 every day."""
    local = now.astimezone(HELSINKI)
    candidate = local.replace(hour=7, minute=30, second=0, microsecond=0)
    if candidate <= local:
        day = local.date() + timedelta(days=1)
        candidate = datetime.combine(day, candidate.timetz())
    return candidate


def _when(moment: datetime, lang: str) -> str:
    if lang == "en":
        return f"{moment:%Y-%m-%d} at {moment:%H:%M}"
    return f"{moment.day}.{moment.month}.{moment.year} klo {moment.hour}.{moment:%M}"


def banner(workspace: Workspace, now: datetime, lang: str, url: str | None) -> list[str]:
    """What ``serve`` says when it runs: the workspace, both schedules and their next runs."""
    root = workspace.root
    monthly, daily = _when(next_monthly(now), lang), _when(next_daily(now), lang)
    if lang == "en":
        lines = [
            f"Karsinta is running for the workspace {root}",
            f"  monthly review: the 1st of every month at 07:00 Helsinki time (next {monthly})",
            f"  erasure and access requests: every day at 07:30 (next {daily})",
            f"  a review now: karsinta review --workspace {root}",
            "  stop: Ctrl-C",
        ]
        if url:
            lines.insert(3, f"  Prefect server: {url}")
        return lines
    lines = [
        f"Karsinta on käynnissä työtilalle {root}",
        f"  kuukausikatsaus: kuun 1. päivä klo 7.00 Helsingin aikaa (seuraava {monthly})",
        f"  poisto- ja tarkastuspyynnöt: joka päivä klo 7.30 (seuraava {daily})",
        f"  katsaus heti: karsinta review --workspace {root}",
        "  pysäytys: Ctrl-C",
    ]
    if url:
        lines.insert(3, f"  Prefect-palvelin: {url}")
    return lines


# ---------------------------------------------------------------------- serve


def serve(workspace: Workspace, lang: str | None = None, out: Any = None) -> int:
    """Serve both schedules until Ctrl-C or SIGTERM; returns the exit code.

    The Prefect server (when no ``PREFECT_API_URL`` is set) and the runner
    that serves the deployments are children in sessions of their own that
    die with this process: on the first Ctrl-C or SIGTERM both are stopped,
    with everything they started, within a few seconds, and one line says so.
    """
    out = out or sys.stdout
    lang = lang or workspace.config.language
    stop = StopFlag()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    children: list[subprocess.Popen[bytes]] = []
    code = 0
    try:
        env = dict(os.environ)
        url = env.get("PREFECT_API_URL")
        log_dir = workspace.state_dir / "prefect"
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not url:
            port = _free_port()
            env = _server_env(workspace, port)
            children.append(_child(_server_argv(port), env, log_dir / "server.log"))
            url = f"http://127.0.0.1:{port}/api"
            _wait_healthy(url, children[0], stop=stop)
            env["PREFECT_API_URL"] = url
            shown_url: str | None = None
        else:
            shown_url = url
        runner = [sys.executable, "-m", "flows.serve", str(workspace.root)]
        children.append(_child(runner, env, log_dir / "runner.log"))
        for line in banner(workspace, datetime.now(HELSINKI), lang, shown_url):
            print(line, file=out, flush=True)
        while not stop.wait(0.5):
            if any(child.poll() is not None for child in children):
                code = 1
                print(_STOPPED_BY_ITSELF[lang == "en"], file=sys.stderr, flush=True)
                break
    except Stopped:
        pass
    finally:
        stop_children(list(reversed(children)))
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stop.is_set():
        print(_STOPPED[lang == "en"], file=out, flush=True)
    return code


_STOPPED = (
    "Karsinta pysäytetty: ajastus ja sen käynnistämät prosessit on suljettu.",
    "Karsinta stopped: the schedule and the processes it started are closed.",
)
_STOPPED_BY_ITSELF = (
    "Ajastus pysähtyi odottamatta: katso .karsinta/prefect/runner.log ja server.log.",
    "The schedule stopped unexpectedly: see .karsinta/prefect/runner.log and server.log.",
)


def deployment(workspace: Workspace) -> Any:
    """The monthly deployment of ``monthly_review`` for this workspace."""
    from flows.review import monthly_review

    return monthly_review.to_deployment(
        name=DEPLOYMENT,
        schedule=deployment_schedule(),
        parameters={"workspace": str(Path(workspace.root).resolve())},
        description="Karsinta: the monthly deletion proposal (1st of the month, 07:00 Helsinki).",
    )


def daily_deployment(workspace: Workspace) -> Any:
    """The daily deployment of ``daily_requests`` for this workspace (a path only)."""
    from flows.requests import daily_requests

    return daily_requests.to_deployment(
        name=DAILY_DEPLOYMENT,
        schedule=daily_schedule(),
        parameters={"workspace": str(Path(workspace.root).resolve())},
        description="Karsinta: erasure and access requests (daily, 07:30 Helsinki).",
    )


def deployments(workspace: Workspace) -> list[Any]:
    """Both schedules: the monthly review and the daily requests run."""
    return [deployment(workspace), daily_deployment(workspace)]


def _serve(workspace: Workspace) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(*deployments(workspace), pause_on_shutdown=False)


def main(argv: list[str]) -> None:  # pragma: no cover - the runner child of ``serve``
    """The runner: serve both deployments against ``PREFECT_API_URL`` until stopped."""
    from flows.workspace import load_workspace

    _serve(load_workspace(Path(argv[0])))


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
