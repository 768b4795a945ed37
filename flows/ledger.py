"""The apply ledger: an append-only SQLite record of every action apply took.

``.karsinta/ledger.sqlite`` (mode 0600) in the workspace. It proves what was
done, makes apply idempotent and resumable, and lets the next review notice
an erased person who reappears. It never holds a name, e-mail, phone number
or henkilötunnus: a person is recorded only as a keyed hash (HMAC-SHA-256)
of their strong identifiers, keyed with a per-workspace secret
(``.karsinta/ledger.key``, owner-only) so that the hashes cannot be tested
against a list of guessed e-mail addresses by anyone without the secret.

Tables (rows are only ever added; triggers reject UPDATE and DELETE):

``actions``
    one row per step of one proposal row: ``pending`` (the intent, written
    before the source is changed), then ``done``, ``failed``, ``skipped`` or
    ``manual`` (on the owner's checklist). The latest row of a
    (proposal_id, trace_id) pair is its state. ``approved_at`` is the
    modification time of the proposal XLSX the owner saved their decisions
    in (the moment of approval as far as the file can tell), in UTC.
``erased_ids``
    one row per strong identifier (e-mail, phone, henkilötunnus) of a person
    whose record was erased, with the date and source.
``known_traces``
    traces that still carried an erased identifier when the erasure was
    made (a bookkeeping record kept by law, a contact on the checklist):
    they are not "reappearances" later.
``plans`` and ``plan_steps``
    apply's whole plan for one proposal, recorded in one transaction before
    any source is touched: per approved row what to do (``delete`` /
    ``anonymise``), how (``write`` through the connector, or ``manual`` on
    the checklist), in which source, and the record's fingerprint (keyed).
    A rerun after a crash finishes the recorded plan instead of deciding
    again on a half-applied state. The locator is not stored (a folder
    source's locator is a file name, i.e. a person's name): the rerun finds
    the record by its keyed trace id and checks its fingerprint.

Every id stored here is keyed with the workspace key (:mod:`flows.keyed`):
trace ids, identifier hashes, subject hashes and plan fingerprints. None can
be checked against a guessed e-mail address, record id or file name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from connectors.keyed import Hasher
from connectors.safe_write import crash_point
from flows.keyed import KEY_NAME as KEY_NAME
from flows.keyed import load_key
from policies.findings import Finding
from policies.reappearance import Erased, reappeared_findings

LEDGER_NAME = "ledger.sqlite"
#: outcomes after which a proposal row is never acted on again
FINAL = frozenset({"done", "manual"})
OUTCOMES = frozenset({"pending", "done", "failed", "skipped", "manual"})
TABLES = ("actions", "erased_ids", "known_traces", "plans", "plan_steps")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id  TEXT NOT NULL,
    proposal_row INTEGER,
    trace_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    rule         TEXT,
    decision     TEXT NOT NULL,
    action       TEXT,
    approved_at  TEXT,
    acted_at     TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN
                   ('pending', 'done', 'failed', 'skipped', 'manual')),
    reason       TEXT,
    subject_hash TEXT,
    id_hashes    TEXT,
    batch        TEXT
);
CREATE INDEX IF NOT EXISTS actions_trace ON actions (proposal_id, trace_id);
CREATE TABLE IF NOT EXISTS erased_ids (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id_hash     TEXT NOT NULL,
    id_kind     TEXT NOT NULL,
    erased_on   TEXT NOT NULL,
    source      TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    trace_id    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS erased_hash ON erased_ids (id_hash);
CREATE TABLE IF NOT EXISTS known_traces (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id_hash     TEXT NOT NULL,
    trace_id    TEXT NOT NULL,
    proposal_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id TEXT NOT NULL UNIQUE,
    planned_at  TEXT NOT NULL,
    steps       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_steps (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id  TEXT NOT NULL,
    proposal_row INTEGER,
    trace_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('delete', 'anonymise')),
    how          TEXT NOT NULL CHECK (how IN ('write', 'manual')),
    fingerprint  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS plan_steps_proposal ON plan_steps (proposal_id);
"""

_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
    BEGIN SELECT RAISE(ABORT, 'the Karsinta ledger is append-only'); END;"""
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _owner_only_create(path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)


#: the workspace key (kept under its old name; see flows.keyed)
workspace_secret = load_key


@dataclass(frozen=True)
class PlanStep:
    """One approved row in apply's recorded plan (no locator, keyed fingerprint)."""

    proposal_row: int | None
    trace_id: str
    source: str
    action: str  # delete / anonymise
    how: str  # write / manual
    fingerprint: str  # Hasher.fingerprint of the approved record's fingerprint


@dataclass(frozen=True)
class ActionRow:
    """One row of the actions table (what apply appends)."""

    proposal_id: str
    proposal_row: int | None
    trace_id: str
    source: str
    rule: str | None
    decision: str
    action: str | None
    approved_at: str | None
    outcome: str
    reason: str | None = None
    subject_hash: str | None = None
    id_hashes: str | None = None  # space-joined keyed hashes of each identifier
    batch: str | None = None
    acted_at: str = ""


class Ledger:
    """The workspace's ledger; open with :func:`open_ledger`."""

    def __init__(self, connection: sqlite3.Connection, hasher: Hasher | None) -> None:
        self.db = connection
        self._hasher = hasher

    @property
    def hasher(self) -> Hasher:
        """The workspace's keyed-id helper (a read-only ledger opened without one has none)."""
        if self._hasher is None:
            raise RuntimeError("this ledger was opened without the workspace key")
        return self._hasher

    # ------------------------------------------------------------- reading

    def latest(self, proposal_id: str) -> dict[str, ActionRow]:
        """The latest row of each trace of a proposal: its current state."""
        rows = self.db.execute(
            "SELECT proposal_id, proposal_row, trace_id, source, rule, decision, action, "
            "approved_at, outcome, reason, subject_hash, id_hashes, batch, acted_at FROM actions "
            "WHERE proposal_id = ? ORDER BY seq",
            (proposal_id,),
        ).fetchall()
        return {row[2]: ActionRow(*row) for row in rows}

    def plan(self, proposal_id: str) -> list[PlanStep] | None:
        """The recorded plan of a proposal, in order; None when it was never planned."""
        header = self.db.execute(
            "SELECT steps FROM plans WHERE proposal_id = ?", (proposal_id,)
        ).fetchone()
        if header is None:
            return None
        rows = self.db.execute(
            "SELECT proposal_row, trace_id, source, action, how, fingerprint FROM plan_steps "
            "WHERE proposal_id = ? ORDER BY seq",
            (proposal_id,),
        ).fetchall()
        return [PlanStep(*row) for row in rows]

    def count(self, table: str = "actions") -> int:
        if table not in TABLES:
            raise ValueError(table)
        query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - table is one of three names
        return int(self.db.execute(query).fetchone()[0])

    # ------------------------------------------------------------- writing

    def append(self, rows: Iterable[ActionRow]) -> None:
        """Append rows in one transaction (all or none)."""
        with self.db:
            self._insert_actions(rows)
        crash_point("commit")

    def record_plan(
        self, proposal_id: str, steps: Iterable[PlanStep], actions: Iterable[ActionRow] = ()
    ) -> None:
        """The whole plan (and the rows it skips) in one transaction, before any change."""
        steps = list(steps)
        with self.db:
            self.db.execute(
                "INSERT INTO plans (proposal_id, planned_at, steps) VALUES (?, ?, ?)",
                (proposal_id, now_utc(), len(steps)),
            )
            self.db.executemany(
                "INSERT INTO plan_steps (proposal_id, proposal_row, trace_id, source, action, "
                "how, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (proposal_id, s.proposal_row, s.trace_id, s.source, s.action, s.how,
                     s.fingerprint)
                    for s in steps
                ],
            )  # fmt: skip
            self._insert_actions(actions)
        crash_point("commit")

    def _insert_actions(self, rows: Iterable[ActionRow]) -> None:
        stamp = now_utc()
        self.db.executemany(
            "INSERT INTO actions (proposal_id, proposal_row, trace_id, source, rule, "
            "decision, action, approved_at, acted_at, outcome, reason, subject_hash, "
            "id_hashes, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.proposal_id,
                    r.proposal_row,
                    r.trace_id,
                    r.source,
                    r.rule,
                    r.decision,
                    r.action,
                    r.approved_at,
                    r.acted_at or stamp,
                    r.outcome,
                    r.reason,
                    r.subject_hash,
                    r.id_hashes,
                    r.batch,
                )
                for r in rows
            ],
        )

    def record_erased(
        self,
        proposal_id: str,
        trace_id: str,
        source: str,
        id_hashes: Iterable[tuple[str, str]],
        erased_on: date,
    ) -> None:
        """One row per (kind, keyed hash) of an erased record's identifiers (reappearance)."""
        with self.db:
            self.db.executemany(
                "INSERT INTO erased_ids (id_hash, id_kind, erased_on, source, proposal_id, "
                "trace_id) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (id_hash, kind, erased_on.isoformat(), source, proposal_id, trace_id)
                    for kind, id_hash in sorted(set(id_hashes))
                ],
            )
        crash_point("commit")

    def id_hashes(self, identifiers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """(kind, keyed hash) of each identifier."""
        return sorted({(kind, self.hasher.id_hash(kind, value)) for kind, value in identifiers})

    def record_known(self, proposal_id: str, pairs: Iterable[tuple[str, str]]) -> None:
        """(identifier hash, trace id) of traces that remained beside an erasure."""
        with self.db:
            self.db.executemany(
                "INSERT INTO known_traces (id_hash, trace_id, proposal_id) VALUES (?, ?, ?)",
                [(h, t, proposal_id) for h, t in sorted(set(pairs))],
            )
        crash_point("commit")

    def erased(self) -> dict[str, Erased]:
        """Identifier hash -> when and where it was first erased, and the traces known then."""
        known: dict[str, set[str]] = {}
        for id_hash, trace_id in self.db.execute("SELECT id_hash, trace_id FROM known_traces"):
            known.setdefault(id_hash, set()).add(trace_id)
        out: dict[str, Erased] = {}
        for id_hash, erased_on, source, trace_id in self.db.execute(
            "SELECT id_hash, erased_on, source, trace_id FROM erased_ids ORDER BY seq"
        ):
            known.setdefault(id_hash, set()).add(trace_id)
            if id_hash not in out:
                out[id_hash] = Erased(date.fromisoformat(erased_on), source, frozenset())
        return {
            h: Erased(e.erased_on, e.source, frozenset(known.get(h, set()))) for h, e in out.items()
        }

    def close(self) -> None:
        self.db.close()


def ledger_path(state_dir: Path) -> Path:
    return state_dir / LEDGER_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only) the ledger database and make sure of its schema."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        with suppress(FileExistsError):
            _owner_only_create(path)
    os.chmod(path, 0o600)
    db = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=FULL")
    with db:
        db.executescript(_SCHEMA)
        for trigger in _TRIGGERS:
            db.execute(trigger)
    return db


@contextmanager
def open_ledger(state_dir: Path) -> Iterator[Ledger]:
    """The workspace's ledger (created with its secret on first use)."""
    hasher = Hasher(load_key(state_dir))  # before the ledger exists: a new workspace's key
    ledger = Ledger(connect(ledger_path(state_dir)), hasher)
    try:
        yield ledger
    finally:
        ledger.close()


def read_erased(state_dir: Path) -> tuple[Hasher, dict[str, Erased]] | None:
    """The erased-identifier map for the review; None when no apply ever erased anything.

    Opens nothing for writing and creates no file when there is no ledger.
    """
    path = ledger_path(state_dir)
    if not path.exists():
        return None
    hasher = Hasher(load_key(state_dir))  # a ledger without its key is an error, not "none"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        ledger = Ledger(db, hasher)
        try:
            erased = ledger.erased()
        except sqlite3.OperationalError:  # an empty or foreign file: nothing erased
            return None
    finally:
        db.close()
    return (ledger.hasher, erased) if erased else None


def reappeared(
    state_dir: Path, traces: Any, source_names: dict[str, str] | None = None
) -> list[Finding]:
    """Findings for traces of erased people that turned up again (none without a ledger)."""
    import pandas as pd

    if not isinstance(traces, pd.DataFrame):
        return []
    found = read_erased(state_dir)
    if found is None:
        return []
    hasher, erased = found
    return reappeared_findings(traces, hasher.id_hash, erased, source_names)


def read_latest(state_dir: Path, proposal_id: str) -> dict[str, ActionRow]:
    """The latest ledger row per trace of a proposal, read-only (for a dry run)."""
    path = ledger_path(state_dir)
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return Ledger(db, None).latest(proposal_id)
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()
