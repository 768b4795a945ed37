"""Work beside the run in a forked child (flows.beside): the same result as done here,
and done here again when the child fails, so nothing is lost and errors still surface."""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flows import beside
from flows.reading import SWITCH

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the child is forked")

PARENT = os.getpid()


def write_pid(path: Path, text: str) -> tuple[int, str]:
    path.write_text(text, encoding="utf-8")
    return os.getpid(), text


def fails_in_a_child(path: Path) -> int:
    if os.getpid() != PARENT:
        raise OSError("disk full")
    path.write_text("here", encoding="utf-8")
    return os.getpid()


def dies_in_a_child(path: Path) -> int:
    if os.getpid() != PARENT:
        os._exit(9)
    path.write_text("here", encoding="utf-8")
    return os.getpid()


def always_fails(path: Path) -> None:
    raise ValueError(f"{path.name}: not writable")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.mark.usefixtures("forking")
def test_the_child_does_the_work_and_hands_back_its_value(tmp_path: Path) -> None:
    work = beside.Beside(write_pid, tmp_path / "a.csv", "rivi;1")
    assert work.forked
    pid, text = work.result()
    assert pid != PARENT
    assert text == "rivi;1"
    assert (tmp_path / "a.csv").read_text("utf-8") == "rivi;1"


@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("fn", [fails_in_a_child, dies_in_a_child])
def test_a_failed_child_s_work_is_done_here(tmp_path: Path, fn: Callable[[Path], int]) -> None:
    work = beside.Beside(fn, tmp_path / "b.csv")
    assert work.forked
    assert work.result() == PARENT
    assert (tmp_path / "b.csv").read_text("utf-8") == "here"


@pytest.mark.usefixtures("forking")
def test_an_error_of_the_work_is_raised_here(tmp_path: Path) -> None:
    work = beside.Beside(always_fails, tmp_path / "c.csv")
    with pytest.raises(ValueError, match=r"c\.csv: not writable"):
        work.result()


@pytest.mark.parametrize(
    ("rows", "cores", "switch", "forked"),
    [
        (100, 2, "", False),  # a small run: not worth a process
        (beside.BESIDE_ROWS, 2, "", True),
        (beside.BESIDE_ROWS, 1, "", False),  # one core
        (beside.BESIDE_ROWS, 2, "0", False),  # switched off
        (1, 2, "1", True),  # switched on
    ],
)
def test_a_child_only_where_it_pays(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    rows: int,
    cores: int,
    switch: str,
    forked: bool,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setenv(SWITCH, switch)
    work = beside.Beside(write_pid, tmp_path / "d.csv", "x", rows=rows)
    assert work.forked is forked
    pid, _ = work.result()
    assert (pid != PARENT) is forked


def test_the_review_writes_the_same_files_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.demo import build_demo
    from flows.review import review
    from flows.workspace import load_workspace

    today = date(2026, 11, 30)
    written, requests, counts = [], [], []
    manifest = build_demo(tmp_path, today, 2026)
    workspace = load_workspace(manifest.businesses["kohonen"].workspace)
    monkeypatch.setattr(beside, "BESIDE_ROWS", 0)
    for switch in ("0", "1"):
        monkeypatch.setenv(SWITCH, switch)
        outcome = review(workspace, today)
        assert outcome.decisions_csv is not None
        written.append(outcome.decisions_csv.read_bytes())
        requests.append(outcome.run.requests)
        counts.append({k: v for k, v in outcome.counts.items() if k != "unchanged"})
        assert oct(outcome.decisions_csv.stat().st_mode & 0o777) == oct(0o600)
    assert written[0] == written[1]
    assert written[0].count(b"\n") > 50
    # the open requests worked out in a child are the ones on the page and in the counts
    assert requests[0] == requests[1]
    assert counts[0] == counts[1]
    assert counts[0]["open_requests"] == len(requests[0]) > 0
    page = outcome.files.html.read_text(encoding="utf-8")
    assert 'id="open-requests"' in page
    assert all(html.escape(r["log"]) in page for r in requests[1])


@pytest.mark.usefixtures("forking")
def test_the_page_rendered_by_a_child_is_the_page(tmp_path: Path) -> None:
    from reports.proposal import write_proposal
    from tests.conftest import small_review_run

    here = write_proposal(small_review_run(), tmp_path / "here")
    children: list[bool] = []

    def meanwhile(work: Callable[[], object]) -> Callable[[], object]:
        started = beside.Beside(work)
        children.append(started.forked)
        return started.result

    there = write_proposal(small_review_run(), tmp_path / "there", meanwhile)
    assert children == [True]
    assert there.html.read_bytes() == here.html.read_bytes()
    assert oct(there.html.stat().st_mode & 0o777) == oct(0o600)
    assert b"<html" in there.html.read_bytes()
