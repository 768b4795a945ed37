"""The monthly deployment: ``monthly_review`` on the 1st of every month at 07:00 Helsinki time.

Prefect's embedded mode cannot schedule. So when ``PREFECT_API_URL`` is not
set, ``karsinta serve`` starts a local Prefect server of its own, with its
database inside the workspace (``.karsinta/prefect/``), for as long as it
runs, and serves the deployment against it. With ``PREFECT_API_URL`` set
(a Prefect server or Prefect Cloud) it only serves the deployment there.

Without any server: a cron line or a systemd timer running
``karsinta review --workspace DIR --quiet`` does the same (see README).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.workspace import Workspace

CRON = "0 7 1 * *"
TIMEZONE = "Europe/Helsinki"
DEPLOYMENT = "karsinta-monthly"


def deployment_schedule() -> object:
    from prefect.schedules import Cron

    return Cron(CRON, timezone=TIMEZONE)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the local Prefect server stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    raise RuntimeError("the local Prefect server did not start in time")


@contextmanager
def local_server(workspace: Workspace) -> Iterator[str]:
    """A Prefect server on loopback with its database in the workspace."""
    home = workspace.state_dir / "prefect"
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
    }
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def serve(workspace: Workspace) -> None:
    """Serve the monthly deployment until interrupted."""
    if os.environ.get("PREFECT_API_URL"):
        _serve(workspace)
        return
    with local_server(workspace) as url:
        os.environ["PREFECT_API_URL"] = url
        os.environ["PREFECT_HOME"] = str(workspace.state_dir / "prefect")
        _serve(workspace)


def deployment(workspace: Workspace) -> Any:
    """The monthly deployment of ``monthly_review`` for this workspace."""
    from flows.review import monthly_review

    return monthly_review.to_deployment(
        name=DEPLOYMENT,
        schedule=deployment_schedule(),
        parameters={"workspace": str(Path(workspace.root).resolve())},
        description="Karsinta: the monthly deletion proposal (1st of the month, 07:00 Helsinki).",
    )


def _serve(workspace: Workspace) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(deployment(workspace), pause_on_shutdown=False)
