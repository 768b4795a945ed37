"""Apply survives a crash at any write point: plan first, finish the plan, leave nothing behind.

The fast tests run in-process (a writer that "dies" by raising); the slow one
SIGKILL-equivalent exits (``os._exit``) a real apply process at every named
write point (after each file rename, after each ledger commit, before the
receipt) and checks what the owner relies on after the rerun: every source
still parses, no approved row is lost, nothing is done twice, no temporary
file with customer data is left.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import flows.apply
from connectors.base import SourceSpec, WriteRequest, WriteResult, read_source
from connectors.keyed import Hasher
from connectors.safe_write import ABORT_AT_ENV
from flows.apply import apply_proposal, write_plain
from flows.keyed import workspace_hasher
from flows.workspace import Workspace, load_workspace, sweep_leftovers
from tests.test_apply import (
    ROOT,
    TODAY,
    _all_rows,
    _check_consistent,
    ledger_rows,
    make_workspace,
    write_proposal_xlsx,
)


class Crash(BaseException):
    """Stands for the process dying: not caught by apply."""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "yritys")


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".karsinta-*.tmp")]


def assert_sources_parse(ws: Workspace) -> None:
    ids = workspace_hasher(ws)
    for source in ws.sources:
        result = read_source(source, ids)
        assert result.clean, (source.id, [str(p) for p in result.problems], result.error)


def test_a_resumed_run_finishes_the_plan_without_deciding_again(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _all_rows(ws)
    proposal = write_proposal_xlsx(ws, rows)

    def crashing(
        source: SourceSpec, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        write_plain(source, requests, ids)
        raise Crash  # the first source is changed; nothing after it is recorded

    with pytest.raises(Crash):
        apply_proposal(ws, proposal, TODAY, writer=crashing)

    def no_second_decision(*_: Any) -> frozenset[str]:
        raise AssertionError("the rerun decided 'still due' again on a half-applied state")

    monkeypatch.setattr(flows.apply, "due_now", no_second_decision)
    report = apply_proposal(ws, proposal, TODAY)
    assert report.counts["done"] == len(rows)
    _check_consistent(ws, [r[1]["trace_id"] for r in rows])
    assert_sources_parse(ws)


def test_the_plan_is_recorded_before_any_source_changes(ws: Workspace) -> None:
    rows = _all_rows(ws)
    proposal = write_proposal_xlsx(ws, rows)
    seen: list[int] = []

    def watching(
        source: SourceSpec, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        from flows.ledger import open_ledger

        with open_ledger(ws.state_dir) as ledger:
            plan = ledger.plan(f"test-{TODAY:%Y-%m}-0001")
        assert plan is not None
        seen.append(len(plan))
        return write_plain(source, requests, ids)

    apply_proposal(ws, proposal, TODAY, writer=watching)
    assert seen
    assert all(count == len(rows) for count in seen)


def test_leftover_temp_files_are_swept_by_the_next_apply(ws: Workspace) -> None:
    folder = ws.root / "aineisto"
    left = folder / ".karsinta-0123456789abcdef.tmp"
    left.write_text("Aino Arvelo;aino.arvelo@example.fi", "utf-8")
    mine = folder / ".karsinta-notours.tmp"
    mine.write_text("not a Karsinta temp name", "utf-8")
    proposal = write_proposal_xlsx(ws, _all_rows(ws)[:1])
    apply_proposal(ws, proposal, TODAY)
    assert not left.exists()
    assert mine.exists()


def test_owner_group_and_mode_are_kept_on_rewrite(ws: Workspace) -> None:
    path = ws.root / "aineisto" / "asiakkaat.csv"
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 4242, 4343)
    before = path.stat()
    rows = [r for r in _all_rows(ws) if r[1]["source"] == "asiakkaat"]
    report = apply_proposal(ws, write_proposal_xlsx(ws, rows), TODAY)
    assert report.counts["done"] == len(rows)
    after = path.stat()
    assert after.st_ino != before.st_ino  # rewritten, not edited in place
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_undo_copies_are_owner_only_and_swept_after_the_window(ws: Workspace) -> None:
    original = (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes()
    report = apply_proposal(ws, write_proposal_xlsx(ws, _all_rows(ws)), TODAY)
    assert report.undo_dir is not None
    assert report.undo_dir.is_relative_to(ws.state_dir / "kumoa")
    copy = report.undo_dir / "tilaukset" / "tilaukset.xlsx"
    assert copy.read_bytes() == original
    summaries = list((report.undo_dir / "koonnit").iterdir())
    assert len(summaries) == 1  # the one removed summary, nothing else
    for path in [copy, *summaries]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.undo_dir.stat().st_mode) == 0o700
    assert report.receipt is not None
    assert ".karsinta/kumoa/" in report.receipt.html.read_text("utf-8")

    now = datetime.now(UTC)
    assert sweep_leftovers(ws, now + timedelta(days=29))["undo_runs"] == 0
    assert copy.exists()
    assert sweep_leftovers(ws, now + timedelta(days=31))["undo_runs"] == 1
    assert not report.undo_dir.exists()


# ------------------------------------------------------ killed processes


_APPLY = (
    "import sys; from datetime import date; from pathlib import Path;"
    "from flows.apply import apply_proposal; from flows.workspace import load_workspace;"
    "apply_proposal(load_workspace(Path(sys.argv[1])), Path(sys.argv[2]), date(2026, 11, 1))"
)


def _killed_at(ws: Workspace, proposal: Path, point: str) -> int:
    env = {**os.environ, ABORT_AT_ENV: point, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _APPLY, str(ws.root), str(proposal)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=180,
    )
    assert done.returncode in (0, 86), done.stderr.decode()[-2000:]
    return done.returncode


def _check_done_once(ws: Workspace, trace_ids: list[str]) -> None:
    """Each approved trace ends done exactly once, after at least one pending intent.

    A kill between an intent's commit and the change leaves an intent that the
    rerun records again with its new batch: more intents, never a second 'done'.
    """
    rows = ledger_rows(ws)
    for trace_id in trace_ids:
        states = [r[1] for r in rows if r[0] == trace_id]
        assert states.count("done") == 1, states
        assert states[-1] == "done"
        assert "pending" in states


def _check_after_rerun(ws: Workspace, proposal: Path, rows: list[Any]) -> None:
    report = apply_proposal(ws, proposal, TODAY)
    assert report.counts["done"] == len(rows), [(x.outcome, x.reason) for x in report.lines]
    _check_done_once(ws, [r[1]["trace_id"] for r in rows])
    assert_sources_parse(ws)
    assert temp_files(ws.root) == []
    again = apply_proposal(ws, proposal, TODAY)
    assert again.counts["done"] == len(rows)
    assert sum(r[1] == "done" for r in ledger_rows(ws)) == len(rows)


def test_a_process_killed_after_the_first_rename_is_finished(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "yritys")
    rows = _all_rows(ws)
    proposal = write_proposal_xlsx(ws, rows)
    assert _killed_at(ws, proposal, "rename:1") == 86
    _check_after_rerun(ws, proposal, rows)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["rename", "commit", "receipt"])
def test_a_process_killed_at_every_write_point_loses_nothing(tmp_path: Path, point: str) -> None:
    for count in range(1, 40):
        ws = make_workspace(tmp_path / f"{point}-{count}")
        ws = load_workspace(ws.root)
        rows = _all_rows(ws)
        proposal = write_proposal_xlsx(ws, rows)
        if _killed_at(ws, proposal, f"{point}:{count}") == 0:
            assert count > 1, f"{point} was never reached"
            break  # past the last such point: the run finished
        _check_after_rerun(ws, proposal, rows)
    else:
        pytest.fail(f"more than 39 {point} points")
