"""How a one-shot command's plain mode reads its sources: all at once.

Reading is Python work (parsing, mapping, keyed ids), so threads share one
core. When the workspace's files are large (together at least
:data:`PROCESS_BYTES`) and the machine has more than one core, the file
sources are read in worker processes, the largest first; live accounts
(network waits) stay in threads. A small workspace is read in threads only:
starting processes would cost more than it saves.

Worker processes are forked (Linux only; elsewhere threads): a fork starts in
milliseconds and needs no imports again. Each worker hands back its
:class:`connectors.base.ReadResult` (the traces, the row problems, the error,
all picklable); nothing is written to disk. A worker that dies (out of memory,
killed), or whose result cannot come back, does not end the run: its sources
are read again in this process.

``KARSINTA_PROCESSES``: ``0`` never uses processes, ``1`` always does
(when fork is available); unset, the size decides. The same switch rules
:mod:`flows.beside` (the decisions CSV and the page written beside the XLSX).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from connectors.base import ReadResult, SourceSpec, get_connector, read_source
from connectors.keyed import Hasher

#: the workspace's file sources together at least this large: worker processes
PROCESS_BYTES = 16_000_000
SWITCH = "KARSINTA_PROCESSES"


def workers() -> int:
    """Threads for reading (and for a Prefect flow's task runner)."""
    return max(2, min(8, (os.cpu_count() or 2) * 2))


def _is_live(source: SourceSpec) -> bool:
    try:
        return bool(get_connector(source.connector).keeps_state)
    except Exception:  # noqa: BLE001 - an unknown connector: read_source names the error
        return False


def _size(path: Path) -> int:
    """Bytes of a file, or of the files in a folder (0 when it cannot be seen)."""
    try:
        if path.is_file():
            return path.stat().st_size
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    except OSError:
        pass
    return 0


def forking(worth_it: bool) -> bool:
    """Whether to fork: Linux, two cores or more, and ``worth_it`` (the work is large)
    unless :data:`SWITCH` says ``0`` (never) or ``1`` (always)."""
    wanted = os.environ.get(SWITCH, "").strip()
    if sys.platform != "linux" or (os.cpu_count() or 1) < 2 or wanted == "0":
        return False
    return wanted == "1" or worth_it


def _processes(files: int, size: int) -> int:
    """How many worker processes read ``files`` file sources of ``size`` bytes (0: none)."""
    if files < 2 or not forking(size >= PROCESS_BYTES):
        return 0
    return min(os.cpu_count() or 1, files, 4)


def read_plain(
    sources: list[SourceSpec], ids: Hasher, meanwhile: Callable[[], object] | None = None
) -> list[ReadResult]:
    """Every source's :class:`ReadResult`, in the order of ``sources``.

    ``meanwhile``: work for this process while worker processes read (it would
    otherwise wait), such as loading what the reports need; not called when the
    reads are done here. Its failure is its own caller's to see later: ignored.
    """
    files = [n for n, s in enumerate(sources) if not _is_live(s)]
    sizes = {n: _size(sources[n].path) for n in files}
    count = _processes(len(files), sum(sizes.values()))
    if not count:
        return _threads(sources, ids)
    largest_first = sorted(files, key=lambda n: -sizes[n])
    results: dict[int, ReadResult] = {}
    context = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())
    # The pool forks its workers on the first submit, before any thread below starts.
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
    try:
        forked = {n: pool.submit(read_source, sources[n], ids) for n in largest_first}
        rest = [n for n in range(len(sources)) if n not in forked]
        results.update(zip(rest, _threads([sources[n] for n in rest], ids), strict=True))
        if meanwhile is not None:  # the workers are forked: what is loaded now stays here
            with contextlib.suppress(Exception):  # the same work is done again when needed
                meanwhile()
        for n in largest_first:
            try:
                results[n] = forked[n].result()
            except Exception:  # noqa: BLE001 - a worker died (BrokenProcessPool) or its
                # result could not come back (pickling): read that source here instead
                results[n] = read_source(sources[n], ids)
    except BaseException:  # Ctrl-C, SIGTERM: stop now, not after the reads queued
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in set(multiprocessing.active_children()) - before:
            worker.terminate()
        raise
    pool.shutdown()
    return [results[n] for n in range(len(sources))]


def _threads(sources: list[SourceSpec], ids: Hasher) -> list[ReadResult]:
    if not sources:
        return []
    with ThreadPoolExecutor(max_workers=workers()) as pool:
        futures: list[Future[ReadResult]] = [pool.submit(read_source, s, ids) for s in sources]
        return [future.result() for future in futures]
