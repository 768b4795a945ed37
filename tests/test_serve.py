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
