"""The decision store: the owner's marks remembered between proposals.

``.karsinta/decisions.sqlite`` (mode 0600) in the workspace. Every mark the
owner made on a proposal row (hyväksy / hylkää / siirrä) is appended here,
whether apply read it or a same-month re-run of ``review`` read it from the
marked XLSX before writing a new version. The monthly review reads the
latest mark of each trace and:

- a **rejected** row (hylkää) is not proposed again until the trace changes
  (its fingerprint or the rule that makes it due);
- a **postponed** row (siirrä) is not proposed again in the month it was
  postponed, and is proposed again from the next month on;
- an **approved** row that apply put on the manual checklist is shown as
  "odottaa käsin poistoa" (waiting), not as a new proposal, until a review
  no longer finds it (then it is recorded done);
- an approval made this month on a row that is unchanged is carried into
  the new version of this month's proposal.

One table, ``marks``; rows are only ever added (triggers reject UPDATE and
DELETE) and the latest row (highest ``seq``) of a trace is its state:

=============  ============================================================
``trace_key``  HMAC of the trace id, keyed with the workspace secret
               (``flows.ledger.workspace_secret``, like the ledger's ids)
``fingerprint`` HMAC of the trace's content fingerprint when marked
``reason_key`` HMAC of the rule that made the trace due when marked
``source``     the configured source id (not personal)
``decision``   approve / reject / postpone
``status``     approve only: ``manual`` (on the checklist) or ``done``
``month``      the proposal's month, YYYY-MM
``decided_at`` when the mark was read (UTC)
``mark_source`` where the mark came from: ``apply``, ``review`` (a
               same-month re-run read it from the XLSX) or ``ui``
``proposal_id`` the proposal the mark was made on
``note``       the owner's own comment on the row, if any
=============  ============================================================

No stored id can be checked against a guessed name, e-mail or trace id
without the workspace secret.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import pandas as pd

from flows.ledger import Hasher, now_utc
from reports.view import ProposalMemory, Remembered

STORE_NAME = "decisions.sqlite"
DECISIONS = frozenset({"approve", "reject", "postpone"})
MARK_SOURCES = frozenset({"apply", "review", "ui"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS marks (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_key    TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    reason_key   TEXT,
    source       TEXT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'postpone')),
    status       TEXT CHECK (status IS NULL OR status IN ('manual', 'done')),
    month        TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    mark_source  TEXT NOT NULL CHECK (mark_source IN ('apply', 'review', 'ui')),
    proposal_id  TEXT,
    note         TEXT
);
CREATE INDEX IF NOT EXISTS marks_trace ON marks (trace_key);
CREATE TRIGGER IF NOT EXISTS marks_no_update BEFORE UPDATE ON marks
BEGIN SELECT RAISE(ABORT, 'the Karsinta decision store is append-only'); END;
CREATE TRIGGER IF NOT EXISTS marks_no_delete BEFORE DELETE ON marks
BEGIN SELECT RAISE(ABORT, 'the Karsinta decision store is append-only'); END;
"""

_COLUMNS = (
    "trace_key, fingerprint, reason_key, source, decision, status, month, decided_at, "
    "mark_source, proposal_id, note"
)


@dataclass(frozen=True)
class Mark:
    """One mark as read from a proposal row (plain ids: keyed when stored)."""

    trace_id: str
    fingerprint: str
    rule_id: str
    decision: str  # approve / reject / postpone
    month: str
    status: str | None = None  # approve: manual / done
    note: str | None = None

    @property
    def source(self) -> str:
        return self.trace_id.split(":", 1)[0]


@dataclass(frozen=True)
class StoredMark:
    """One row of the store (keyed ids)."""

    trace_key: str
    fingerprint: str
    reason_key: str | None
    source: str
    decision: str
    status: str | None
    month: str
    decided_at: str
    mark_source: str
    proposal_id: str | None
    note: str | None


class DecisionStore:
    """The workspace's decision store; open with :func:`open_store`."""

    def __init__(self, db: sqlite3.Connection, hasher: Hasher) -> None:
        self.db = db
        self.hasher = hasher

    def trace_key(self, trace_id: str) -> str:
        return self.hasher.id_hash("trace", trace_id)

    def print_key(self, fingerprint: str) -> str:
        return self.hasher.id_hash("fingerprint", fingerprint)

    def reason_key(self, rule_id: str) -> str:
        return self.hasher.id_hash("rule", rule_id)

    def latest(self) -> dict[str, StoredMark]:
        """The latest mark of every trace, by keyed trace id."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM marks ORDER BY seq").fetchall()  # noqa: S608
        return {row[0]: StoredMark(*row) for row in rows}

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM marks").fetchone()[0])

    def record(self, marks: Iterable[Mark], mark_source: str, proposal_id: str | None) -> int:
        """Append the marks that change a trace's latest state; returns how many."""
        if mark_source not in MARK_SOURCES:
            raise ValueError(mark_source)
        latest = self.latest()
        stamp = now_utc()
        rows = []
        for mark in marks:
            if mark.decision not in DECISIONS:
                continue
            key = self.trace_key(mark.trace_id)
            row = (
                key,
                self.print_key(mark.fingerprint),
                self.reason_key(mark.rule_id) if mark.rule_id else None,
                mark.source,
                mark.decision,
                mark.status if mark.decision == "approve" else None,
                mark.month,
                stamp,
                mark_source,
                proposal_id,
                mark.note or None,
            )
            before = latest.get(key)
            if before is not None and _same(before, row):
                continue
            rows.append(row)
        with self.db:
            self.db.executemany(
                f"INSERT INTO marks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                rows,
            )
        return len(rows)

    def record_done(self, marks: Iterable[StoredMark], mark_source: str = "review") -> None:
        """Checklist items a review no longer finds: done (a new row each, append-only)."""
        stamp = now_utc()
        with self.db:
            self.db.executemany(
                f"INSERT INTO marks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                [
                    (
                        m.trace_key,
                        m.fingerprint,
                        m.reason_key,
                        m.source,
                        m.decision,
                        "done",
                        m.month,
                        stamp,
                        mark_source,
                        m.proposal_id,
                        m.note,
                    )
                    for m in marks
                ],
            )

    def close(self) -> None:
        self.db.close()


def _same(before: StoredMark, row: tuple[object, ...]) -> bool:
    """The same state again (a rerun): nothing to append.

    An approval read again without an outcome (a review re-reading the file
    apply already carried out) does not undo what apply recorded.
    """
    if (
        before.decision == row[4] == "approve"
        and before.fingerprint == row[1]
        and before.month == row[6]
        and before.status is not None
        and row[5] is None
    ):
        return True
    return (
        before.fingerprint,
        before.reason_key,
        before.decision,
        before.status,
        before.month,
        before.note,
    ) == (row[1], row[2], row[4], row[5], row[6], row[10])


def store_path(state_dir: os.PathLike[str] | str) -> str:
    return os.path.join(state_dir, STORE_NAME)


def _connect(path: str) -> sqlite3.Connection:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    if not os.path.exists(path):
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=DELETE")
    with db:
        db.executescript(_SCHEMA)
    return db


@contextmanager
def open_store(state_dir: os.PathLike[str] | str) -> Iterator[DecisionStore]:
    """The workspace's decision store (created owner-only on first use)."""
    from pathlib import Path

    from flows.ledger import workspace_secret

    hasher = Hasher(workspace_secret(Path(state_dir)))
    store = DecisionStore(_connect(store_path(state_dir)), hasher)
    try:
        yield store
    finally:
        store.close()


# ----------------------------------------------------------- the review's use


def remembered(
    decisions: pd.DataFrame,
    traces: pd.DataFrame,
    latest: Mapping[str, StoredMark],
    store: DecisionStore,
    month: str,
) -> ProposalMemory:
    """Which due traces are not proposed again, and which marks carry (pure of I/O).

    ``decisions`` are this review's engine decisions, ``traces`` its traces
    (for the fingerprints), ``latest`` the store's latest mark per keyed
    trace id, ``month`` this review's month.
    """
    memory = ProposalMemory()
    if not latest:
        return memory
    prints = dict(
        zip(traces["trace_id"].astype(str), traces["fingerprint"].astype(str), strict=True)
    )
    due = decisions[decisions["decision"] == "delete"]
    for trace_id, rule_id in zip(due["trace_id"].astype(str), due["rule_id"], strict=True):
        mark = latest.get(store.trace_key(trace_id))
        if mark is None:
            continue
        same_print = mark.fingerprint == store.print_key(prints.get(trace_id, ""))
        rule = "" if rule_id is None or rule_id is pd.NA else str(rule_id)
        same_reason = mark.reason_key is None or mark.reason_key == store.reason_key(rule)
        unchanged = same_print and same_reason
        state = _state(mark, unchanged, month)
        if state is not None:
            memory.hidden[trace_id] = Remembered(state, mark.month, mark.note)
        elif mark.decision == "approve" and unchanged and mark.month == month and not mark.status:
            memory.carried[trace_id] = ("approve", mark.note)
    return memory


def _state(mark: StoredMark, unchanged: bool, month: str) -> str | None:
    """'rejected' / 'postponed' / 'waiting' when the row is not proposed again; else None."""
    if not unchanged:
        return None
    if mark.decision == "reject":
        return "rejected"
    if mark.decision == "postpone" and mark.month == month:
        return "postponed"
    if mark.decision == "approve" and mark.status == "manual":
        return "waiting"
    return None


def gone_from_checklist(
    latest: Mapping[str, StoredMark],
    traces: pd.DataFrame,
    clean_sources: frozenset[str],
    store: DecisionStore,
) -> list[StoredMark]:
    """Checklist items (approved, manual) a clean read no longer finds: done now."""
    waiting = {
        key: mark
        for key, mark in latest.items()
        if mark.decision == "approve" and mark.status == "manual" and mark.source in clean_sources
    }
    if not waiting:  # nothing on the checklist: no trace needs its keyed id
        return []
    present = {store.trace_key(str(t)) for t in traces["trace_id"]}
    return [mark for key, mark in waiting.items() if key not in present]
