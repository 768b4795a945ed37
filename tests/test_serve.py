"""`karsinta serve`: a local Prefect server in the workspace, and the monthly schedule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.serve import CRON, DEPLOYMENT, TIMEZONE, deployment, local_server
from flows.workspace import load_workspace
from policies.examples import example_path

FIXTURES = Path(__file__).parent / "fixtures" / "workspace"


@pytest.mark.slow
def test_local_server_keeps_its_database_in_the_workspace_and_takes_the_schedule(
    tmp_path: Path,
) -> None:
    import prefect.settings
    from prefect.client.orchestration import get_client

    shutil.copy(FIXTURES / "passing_workspace.yaml", tmp_path / "karsinta.yaml")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    workspace = load_workspace(tmp_path)
    with (
        local_server(workspace) as url,
        prefect.settings.temporary_settings(updates={prefect.settings.PREFECT_API_URL: url}),
    ):
        assert url.startswith("http://127.0.0.1:")
        deployment_id = deployment(workspace).apply()
        with get_client(sync_client=True) as client:
            stored = client.read_deployment(deployment_id)
    assert stored.name == DEPLOYMENT
    assert stored.parameters == {"workspace": str(tmp_path.resolve())}
    (schedule,) = stored.schedules
    assert schedule.schedule.cron == CRON == "0 7 1 * *"
    assert schedule.schedule.timezone == TIMEZONE == "Europe/Helsinki"
    assert (tmp_path / ".karsinta" / "prefect" / "prefect.db").exists()


def test_serve_keeps_two_schedules_monthly_and_daily(tmp_path: Path) -> None:
    from flows.serve import DAILY_CRON, DAILY_DEPLOYMENT, deployments

    shutil.copy(FIXTURES / "passing_workspace.yaml", tmp_path / "karsinta.yaml")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    monthly, daily = deployments(load_workspace(tmp_path))
    assert (monthly.name, daily.name) == (DEPLOYMENT, DAILY_DEPLOYMENT)
    assert daily.parameters == {"workspace": str(tmp_path.resolve())}  # a path, nothing else
    (schedule,) = daily.schedules
    assert schedule.schedule.cron == DAILY_CRON == "30 7 * * *"
    assert schedule.schedule.timezone == TIMEZONE


# ------------------------------------------------------------ times and stopping


@pytest.mark.parametrize(
    ("now", "monthly", "daily"),
    [
        ("2026-12-02T10:00", "2027-01-01T07:00", "2026-12-03T07:30"),
        ("2026-12-01T06:59", "2026-12-01T07:00", "2026-12-01T07:30"),
        ("2026-12-01T07:00", "2027-01-01T07:00", "2026-12-01T07:30"),
        ("2026-03-31T23:00", "2026-04-01T07:00", "2026-04-01T07:30"),
        ("2026-10-24T08:00", "2026-11-01T07:00", "2026-10-25T07:30"),  # over the DST change
    ],
)
def test_next_runs_are_helsinki_times(now: str, monthly: str, daily: str) -> None:
    from datetime import datetime

    from flows.serve import HELSINKI, next_daily, next_monthly

    moment = datetime.fromisoformat(now).replace(tzinfo=HELSINKI)
    assert next_monthly(moment).replace(tzinfo=None) == datetime.fromisoformat(monthly)
    assert next_daily(moment).replace(tzinfo=None) == datetime.fromisoformat(daily)
    assert next_monthly(moment).utcoffset() == next_monthly(moment).tzinfo.utcoffset(  # type: ignore[union-attr]
        next_monthly(moment).replace(tzinfo=None)
    )


def test_banner_names_the_workspace_schedules_and_next_runs_in_the_owner_language(
    tmp_path: Path,
) -> None:
    from datetime import datetime

    from flows.serve import HELSINKI, banner

    shutil.copy(FIXTURES / "passing_workspace.yaml", tmp_path / "karsinta.yaml")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    workspace = load_workspace(tmp_path)
    now = datetime(2026, 12, 2, 10, 0, tzinfo=HELSINKI)
    fi = "\n".join(banner(workspace, now, "fi", None))
    assert str(tmp_path) in fi
    assert "seuraava 1.1.2027 klo 7.00" in fi
    assert "seuraava 3.12.2026 klo 7.30" in fi
    assert "Ctrl-C" in fi
    assert "prefect deployment run" not in fi  # a hint that fails when tried
    en = "\n".join(banner(workspace, now, "en", None))
    assert "next 2027-01-01 at 07:00" in en
    assert "seuraava" not in en


def _alive_with(marker: str) -> list[int]:
    """Processes (not zombies) whose environment carries ``marker``."""
    alive = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    alive.append(int(proc.name))
        except OSError:
            continue
    return alive


@pytest.mark.slow
def test_serve_stops_on_the_first_ctrl_c_with_no_process_left(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import uuid

    shutil.copy(FIXTURES / "passing_workspace.yaml", tmp_path / "karsinta.yaml")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    marker = f"KARSINTA_SERVE_TEST={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--workspace", str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode("utf-8")  # the banner: the server is up
        assert "Karsinta on käynnissä" in first, (
            process.stderr.read().decode() if process.stderr else ""
        )
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C goes to the foreground group
        started = time.monotonic()
        process.wait(timeout=10)
        assert time.monotonic() - started < 10
        out = process.stdout.read().decode("utf-8")
        err = process.stderr.read().decode("utf-8") if process.stderr else ""
        assert "Karsinta pysäytetty" in out
        assert "Traceback" not in out + err
        time.sleep(0.5)
        assert _alive_with(marker) == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _alive_with(marker):
            os.kill(pid, signal.SIGKILL)


_HAMMER = """
import signal, sys, time
from flows.serve import StopFlag
stop, seen = StopFlag(), []
def handler(*_):
    seen.append(1)
    stop.set()
    stop._set = False  # only to hit the next wait again; serve never clears it
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
end = time.monotonic() + 1.0
while time.monotonic() < end:
    stop.wait(0.00001)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print(len(seen))
"""


def test_a_stop_signal_during_the_wait_never_hangs_serve() -> None:
    """The handler runs between the main thread's bytecodes, in the middle of its wait:
    thousands of signals in a second must all land (a lock in the flag hangs here)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _HAMMER],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 10  # signals landed mid-wait, and every one returned


def test_stop_flag_wait_returns_when_set_and_times_out_when_not() -> None:
    import time

    from flows.serve import StopFlag

    flag = StopFlag()
    started = time.monotonic()
    assert flag.wait(0.1) is False
    assert time.monotonic() - started >= 0.1
    flag.set()
    assert flag.is_set()
    assert flag.wait(10) is True
