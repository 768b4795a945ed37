"""Work done beside the main one, in a forked process (a one-shot command's plain mode).

The review writes three large files from the same run: the proposal XLSX,
its HTML page and the decisions CSV for the accountant. All are Python work,
so on a machine with more than one core the CSV and the page are written in
forked children while this process writes the XLSX. A fork shares the run's
memory (nothing is copied or pickled on the way in); only the child's return
value comes back.

Fails safe: where there is no fork (not Linux), one core, a small run, or
``KARSINTA_PROCESSES=0``, the work is done here when its result is asked for;
and if the child fails or dies, the same work is done again here, so its
error (if any) is raised in this process as it would have been.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from flows.reading import forking

T = TypeVar("T")
#: rows in the run at least this many: worth a process
BESIDE_ROWS = 20_000


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        value = fn(*args)
    except BaseException:  # noqa: BLE001 - the parent does the work again and raises it
        conn.send((False, None))
    else:
        conn.send((True, value))
    finally:
        conn.close()


class Beside(Generic[T]):
    """``fn(*args)`` started in a forked child now; :meth:`result` gives its value."""

    def __init__(self, fn: Callable[..., T], *args: Any, rows: int = 0) -> None:
        self._fn, self._args = fn, args
        self._process: Any = None
        self._conn: Connection | None = None
        if not forking(rows >= BESIDE_ROWS):
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        sys.stdout.flush()
        sys.stderr.flush()
        process = context.Process(target=_child, args=(send, fn, args), daemon=True)
        try:
            process.start()
        except OSError:  # no memory or no process slot for a fork: do it here later
            receive.close()
            return
        finally:
            send.close()
        self._process, self._conn = process, receive

    @property
    def forked(self) -> bool:
        return self._process is not None

    def result(self) -> T:
        """The child's value; or the work done here (not forked, or the child failed)."""
        if self._process is not None and self._conn is not None:
            try:
                done, value = self._conn.recv()
            except (EOFError, OSError):  # the child died before it answered
                done, value = False, None
            finally:
                self._conn.close()
                self._process.join()
                self._process = None
            if done:
                return value
        return self._fn(*self._args)
