"""A plain run reads a large workspace's file sources in worker processes (flows.reading):
the same results as in threads, in the sources' order, errors and all."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectors.base import ReadResult, SourceSpec
from connectors.errors import (
    ConfigError,
    KarsintaError,
    RetriableSourceError,
    RowError,
    UnreadableSource,
)
from connectors.keyed import Hasher
from flows import reading
from flows.keyed import workspace_hasher
from flows.workspace import Workspace, load_workspace

TODAY = date(2026, 11, 30)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from flows.demo import build_demo

    manifest = build_demo(tmp_path_factory.mktemp("reading") / "demo", TODAY, 2026)
    return load_workspace(manifest.businesses["kohonen"].workspace)


def _with_missing(workspace: Workspace) -> list[SourceSpec]:
    sources = workspace.sources
    gone = sources[0].model_copy(
        update={"id": "gone", "path": workspace.root / "aineisto" / "ei-ole.csv"}
    )
    return [*sources[:2], gone, *sources[2:]]


def _same(a: ReadResult, b: ReadResult) -> None:
    assert a.source == b.source
    assert a.traces.equals(b.traces), a.source.id
    assert a.trace_rows.equals(b.trace_rows), a.source.id
    assert [p.__dict__ for p in a.problems] == [p.__dict__ for p in b.problems]
    assert type(a.error) is type(b.error)
    if a.error is not None and b.error is not None:
        assert a.error.text("fi") == b.error.text("fi")
        assert a.error.code == b.error.code


def test_processes_read_what_threads_read_in_the_same_order(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = _with_missing(demo)
    ids = workspace_hasher(demo)
    monkeypatch.setenv(reading.SWITCH, "0")
    threaded = reading.read_plain(sources, ids)
    monkeypatch.setenv(reading.SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            pools.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(reading, "ProcessPoolExecutor", Counted)
    forked = reading.read_plain(sources, ids)
    assert pools == [2]
    assert [r.source.id for r in forked] == [s.id for s in sources]
    assert sum(len(r.traces) for r in forked) > 50
    for a, b in zip(threaded, forked, strict=True):
        _same(a, b)
    gone = forked[2]
    assert isinstance(gone.error, UnreadableSource)
    assert gone.error.code == "file_not_found"
    assert "ei-ole.csv" in gone.error.text("fi")


PARENT = os.getpid()
READ = reading.read_source


def dies_in_a_worker(source: SourceSpec, ids: Hasher) -> ReadResult:
    """read_source, except in a worker process: there it ends at once."""
    if os.getpid() != PARENT:
        os._exit(9)  # as the kernel's out-of-memory killer would end it
    return READ(source, ids)


def test_a_worker_that_dies_does_not_lose_its_sources(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "read_source", dies_in_a_worker)
    monkeypatch.setenv(reading.SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    sources = demo.sources
    results = reading.read_plain(sources, workspace_hasher(demo))
    assert [r.source.id for r in results] == [s.id for s in sources]
    assert all(r.error is None for r in results)
    assert sum(len(r.traces) for r in results) > 50


@pytest.mark.parametrize(
    ("files", "size", "cores", "switch", "expected"),
    [
        (7, 10_000, 2, "", 0),  # a small business: threads are cheaper
        (7, reading.PROCESS_BYTES, 2, "", 2),  # a busy year: one process per core
        (7, reading.PROCESS_BYTES, 16, "", 4),  # at most four
        (3, reading.PROCESS_BYTES, 16, "", 3),  # never more than there are files
        (1, reading.PROCESS_BYTES * 10, 2, "", 0),  # one file: nothing to share
        (7, reading.PROCESS_BYTES, 1, "1", 0),  # one core: nothing to gain
        (7, reading.PROCESS_BYTES * 10, 2, "0", 0),  # switched off
        (7, 10, 2, "1", 2),  # switched on
    ],
)
def test_processes_only_where_they_pay(
    monkeypatch: pytest.MonkeyPatch, files: int, size: int, cores: int, switch: str, expected: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setenv(reading.SWITCH, switch)
    assert reading._processes(files, size) == expected


def test_a_folder_source_counts_its_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"x" * 10)
    (tmp_path / "y.txt").write_bytes(b"y" * 5)
    assert reading._size(tmp_path) == 15
    assert reading._size(tmp_path / "y.txt") == 5
    assert reading._size(tmp_path / "none") == 0


@pytest.mark.parametrize(
    "error",
    [
        UnreadableSource("tilaukset.xlsx", "file not found", "file_not_found"),
        UnreadableSource("a.csv", "invalid options", "bad_options", details="x").keyed("k", n=1),
        RetriableSourceError("Gmail", "unreachable", "service_unreachable", service="Google"),
        ConfigError("karsinta.yaml", ["line 3: field 'path': missing", "line 9: ..."]),
        RowError("email", "not an e-mail address", "bad_email"),
    ],
)
def test_every_error_crosses_a_process_whole(error: KarsintaError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.__dict__ == error.__dict__
    assert again.said("fi") == error.said("fi")


def unpicklable_in_a_worker(source: SourceSpec, ids: Hasher) -> ReadResult:
    """read_source, except in a worker process: there its result cannot be sent back."""
    result = READ(source, ids)
    if os.getpid() != PARENT:
        result.default_kind = lambda: "order"  # type: ignore[assignment]
    return result


def test_a_result_that_cannot_come_back_is_read_here(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, ids = demo.sources, workspace_hasher(demo)
    monkeypatch.setenv(reading.SWITCH, "0")
    threaded = reading.read_plain(sources, ids)
    monkeypatch.setattr(reading, "read_source", unpicklable_in_a_worker)
    monkeypatch.setenv(reading.SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for a, b in zip(threaded, reading.read_plain(sources, ids), strict=True):
        _same(a, b)
        assert not callable(b.default_kind)


def reads_for_ever(source: SourceSpec, ids: Hasher) -> ReadResult:
    """read_source, except in a worker process: there it takes a minute."""
    if os.getpid() != PARENT:
        time.sleep(60)
    return READ(source, ids)


def test_ctrl_c_stops_the_workers_at_once(demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "read_source", reads_for_ever)
    monkeypatch.setenv(reading.SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    # Ctrl-C reaching this process only (the workers never see it)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        reading.read_plain(demo.sources, workspace_hasher(demo))
    timer.join()
    assert time.monotonic() - start < 10
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_this_process_does_its_own_work_while_the_workers_read(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review loads its reports while the workers read; the workers never need
    them, and a failure of that work costs nothing (it is done again when needed)."""
    sources = demo.sources
    ids = workspace_hasher(demo)
    monkeypatch.setenv(reading.SWITCH, "1")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(os.getpid())
        raise ImportError("no such module")

    forked = reading.read_plain(sources, ids, meanwhile=meanwhile)
    assert calls == [os.getpid()]
    assert all(r.error is None for r in forked)
    monkeypatch.setenv(reading.SWITCH, "0")  # read here: nothing to wait for, no call
    threaded = reading.read_plain(sources, ids, meanwhile=meanwhile)
    assert calls == [os.getpid()]
    assert [len(r.traces) for r in threaded] == [len(r.traces) for r in forked]
