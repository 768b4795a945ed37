"""Apply: carry out the deletions the owner approved in the proposal XLSX, safely.

``karsinta apply poistoehdotus-YYYY-MM.xlsx`` (the ``apply_decisions`` flow)
reads the owner's decision in column A of each proposal row (hyväksy /
hylkää / siirrä, or approve / reject / postpone, any case; a blank is not an
approval; any other word is listed on the console by row and is not an
approval) and then, for the approved rows only:

1. refuses the whole file when it is not a Karsinta proposal (or one of an
   earlier format), when it is another workspace's proposal, when it is of
   an earlier month than today's (a month-old proposal was decided on
   month-old data), or when a trace id appears on two rows (a copied row);
2. verifies each row's check value (an HMAC with the workspace secret over
   the row's ids and its visible cells, reports.proposal.row_check): a row
   whose visible person / place no longer belongs to its ids (sorted or
   pasted apart, edited) is skipped and listed, nothing approved on it;
3. takes the workspace's apply lock (``.karsinta/apply.lock``, an OS file
   lock; the command line takes it before Prefect starts): a second apply at
   the same time is refused, never interleaved. Temporary files a killed run
   left, and undo copies past ``undo_days``, are removed;
4. plans before it acts: the first run re-reads every source and checks
   each approved trace: still there, same fingerprint, and the engine still
   decides the same action today (the action is never taken from a cell).
   The whole plan (per row: write or checklist, in which source, keyed
   fingerprint) is recorded in the ledger in one transaction before anything
   changes. A rerun of the same proposal finishes the recorded plan: it does
   not decide "still due" again on a half-applied state (``Applier``). Only
   an unreadable source refuses all changes; row problems are the safety
   rule's business (``flows.review.decide``);
5. per source: a source the owner marked ``system_of_record`` whose connector
   can delete / redact is changed through ``Connector.write`` (one atomic
   batch per source, after an owner-only copy of the file is kept in
   ``.karsinta/kumoa/``); every other record goes on the manual checklist,
   naming the system and a stable place in it (record id, invoice number,
   calendar UID; rows of a row-based file bottom-up);
6. records every step in the append-only ledger (``flows.ledger``): a
   ``pending`` intent per batch before the source is changed and ``done`` /
   ``failed`` after. A rerun acts only on planned rows not done yet; a
   pending intent whose record is gone (the run was killed after the change)
   is completed as done. Running apply twice does nothing the second time,
   and says "nothing new: N rows were already done on DATE";
7. records every mark it read in the decision store (``flows.decisions``),
   so the next review does not propose a rejected row again;
8. writes the receipt (``reports.receipt``) and returns counts and, per row,
   the row number, source, place and outcome (what the console lists).

Exit code: 0 when apply did what it could (checklist items and skipped
records are normal, and listed); 1 only when a change failed.

Approval time in the ledger is the proposal file's modification time: the
moment the owner saved their decisions, as far as the file can tell (the
proposal's run date is when Karsinta proposed, not when the owner agreed).

What reaches Prefect is a path, a date and counts. Messages name proposal
rows, sources, files and row numbers, never a value.
"""

from __future__ import annotations

import hmac
import itertools
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from connectors.base import (
    Capability,
    ReadResult,
    SourceSpec,
    WriteRequest,
    WriteResult,
    get_connector,
    read_source,
)
from connectors.errors import ApplyRefused, SourceError
from connectors.folder import leads_inside
from connectors.keyed import Hasher
from connectors.safe_write import copy_owner_only, crash_point
from flows.keyed import workspace_hasher
from flows.ledger import (
    FINAL,
    ActionRow,
    Ledger,
    PlanStep,
    now_utc,
    open_ledger,
    read_latest,
    workspace_secret,
)
from flows.runtime import NO_CACHE, artifact, flow, in_flow_run, task
from flows.workspace import Workspace, sweep_leftovers, undo_stamp, workspace_lock
from policies.reappearance import strong_identifiers
from reports.receipt import Receipt, ReceiptFiles, ReceiptLine, write_receipt
from reports.receipt_texts import done_note, todo_key

#: a test hook: exit hard after this many source batches were written (crash tests);
#: connectors.safe_write.ABORT_AT_ENV names finer points (rename, commit, receipt)
ABORT_ENV = "KARSINTA_APPLY_ABORT_AFTER_BATCHES"
_ACTIONS = frozenset({"delete", "anonymise"})

DECISION_WORDS: dict[str, str] = {
    "hyväksy": "approve",
    "hyvaksy": "approve",
    "approve": "approve",
    "hylkää": "reject",
    "hylkaa": "reject",
    "reject": "reject",
    "siirrä": "postpone",
    "siirra": "postpone",
    "postpone": "postpone",
}


# ------------------------------------------------------------------ proposal


@dataclass(frozen=True)
class ProposalRow:
    """One row of the proposal sheet as the owner marked it.

    ``action`` is the engine's action when the proposal was made (a hidden,
    check-covered column): apply carries out a row only when the engine
    decides the same action again on its fresh read, never what a cell says.
    """

    number: int
    decision: str  # approve / reject / postpone / none / unknown
    trace_id: str
    fingerprint: str
    action: str
    kind: str
    rule: str | None
    rule_id: str = ""
    comment: str | None = None
    mark: str = ""  # the decision cell as written (for the console: unknown marks)

    @property
    def source(self) -> str:
        return self.trace_id.split(":", 1)[0]


@dataclass(frozen=True)
class Proposal:
    """A read proposal. ``rows`` are the rows apply may act on; ``unverified`` are
    rows whose visible cells no longer match their ids' check value (sorted,
    pasted or edited in a way that moved a person away from the identity):
    nothing is approved on them."""

    path: Path
    proposal_id: str
    workspace_key: str
    month: str
    run_date: date
    lang: str
    approved_at: str
    rows: tuple[ProposalRow, ...]
    unverified: tuple[ProposalRow, ...] = ()


def decision_of(value: Any) -> str:
    """The owner's mark as approve / reject / postpone; 'none' for blank, 'unknown' else."""
    if value is None:
        return "none"
    text = " ".join(str(value).split()).casefold()
    if not text:
        return "none"
    return DECISION_WORDS.get(text, "unknown")


def _proposal_sheets(path: Path, meta_sheet: str) -> tuple[list[list[Any]], list[list[Any]]] | None:
    """(the meta sheet's rows, the first sheet's rows) from cell A1; None when unreadable.

    Read with python-calamine (the values Excel or LibreOffice saved, a
    formula's last result): a proposal of 100 000 rows in seconds, where
    openpyxl's object model took minutes and gigabytes. Cells as they come;
    :func:`_cell` reads them as openpyxl's values.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        try:
            if meta_sheet not in book.sheet_names:
                return None
            meta = book.get_sheet_by_name(meta_sheet).to_python(skip_empty_area=False)
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - whatever the file is, it is not a proposal
        return None
    return meta, rows


def _plain(value: Any) -> Any:
    """A calamine cell as openpyxl gives it: None for an empty cell, a whole number an int."""
    if type(value) is str:
        return value or None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _cell(cells: Sequence[Any], index: int) -> Any:
    """Cell ``index`` of a row (:func:`_plain`); None beyond the row's end."""
    return _plain(cells[index]) if 0 <= index < len(cells) else None


def read_proposal(path: Path, key: bytes | None = None) -> Proposal:
    """The proposal XLSX as apply needs it; ApplyRefused when it is not one.

    With ``key`` (the workspace secret, ``flows.ledger.workspace_secret``)
    each row's check value is verified: rows whose visible cells no longer
    match go to ``unverified``. A trace id that appears on two rows refuses
    the whole file (a copied row would be applied twice, or mean two people).
    """
    from reports.proposal import FORMAT_VERSION, ID_HEADERS, META_SHEET, row_checks

    name = PurePath(path).name
    not_ours = ApplyRefused(f"{name}: not a Karsinta deletion proposal")
    not_ours.keyed("refused_not_proposal", name=name)
    if not path.is_file():
        raise ApplyRefused(f"{name}: file not found").keyed("refused_no_file", name=name)
    sheets = _proposal_sheets(path, META_SHEET)
    if sheets is None:
        raise not_ours
    meta_rows, sheet = sheets
    meta: dict[str, str] = {}
    for cells in meta_rows:
        key_cell, value = _cell(cells, 0), _cell(cells, 1)
        if key_cell is not None:
            meta[str(key_cell)] = "" if value is None else str(value)
    needed = ("proposal_id", "workspace_key", "month", "run_date")
    if any(not meta.get(k) for k in needed):
        raise not_ours
    try:
        run_date = date.fromisoformat(meta["run_date"])
    except ValueError:
        raise not_ours from None
    if meta.get("format") != FORMAT_VERSION:
        raise ApplyRefused(
            f"{name}: made by an earlier version of Karsinta; "
            "run the monthly review again and mark the new proposal"
        ).keyed("refused_old_format", name=name)
    try:
        decision_col = int(meta.get("decision_column", "1")) - 1
        comment_col = int(meta.get("comment_column", "0")) - 1
        check_cols = [int(c) - 1 for c in meta.get("check_columns", "").split(",") if c]
    except ValueError:
        raise not_ours from None
    first = sheet[0] if sheet else []
    header = [None if v is None else str(v) for v in map(_plain, first)]
    if any(h not in header for h in ID_HEADERS) or not check_cols:
        raise not_ours
    trace_col, print_col, action_col, rule_col, check_col = (header.index(h) for h in ID_HEADERS)

    body = sheet[1:]
    width = max(map(len, body), default=0)
    columns = list(itertools.zip_longest(*body, fillvalue=""))  # transposed in C

    def column(index: int) -> list[Any]:
        """Column ``index`` as :func:`_plain` values (None where the sheet has none)."""
        if not 0 <= index < width:
            return [None] * len(body)
        values = columns[index]
        if set(map(type, values)) <= {str}:  # the usual column: texts, fast
            return [v or None for v in values]
        return [_plain(v) for v in values]

    def texts(index: int) -> list[str]:
        return [str(v or "") for v in column(index)]

    trace_ids, marks, comments, rules = (
        column(i) for i in (trace_col, decision_col, comment_col, 6)
    )
    prints, actions, kinds, rule_ids = (texts(i) for i in (print_col, action_col, 4, rule_col))
    present = [i for i, trace_id in enumerate(trace_ids) if trace_id]
    rows: list[ProposalRow] = []
    seen: dict[str, list[int]] = {}
    for i in present:
        mark, comment, rule = marks[i], comments[i], rules[i]
        row = ProposalRow(
            number=i + 2,
            decision=decision_of(mark),
            trace_id=str(trace_ids[i]),
            fingerprint=prints[i],
            action=actions[i],
            kind=kinds[i],
            rule=None if rule is None else str(rule),
            rule_id=rule_ids[i],
            comment=None if comment is None or not str(comment).strip() else str(comment).strip(),
            mark="" if mark is None else " ".join(str(mark).split())[:40],
        )
        seen.setdefault(row.trace_id, []).append(row.number)
        rows.append(row)
    checks: dict[int, bool] = {}
    if key is not None:
        expected = row_checks(
            key,
            [r.trace_id for r in rows],
            [r.fingerprint for r in rows],
            [r.action for r in rows],
            [r.rule_id for r in rows],
            [[values[i] for i in present] for values in map(column, check_cols)],
        )
        held = texts(check_col)  # the check values the file holds
        for row, i, want in zip(rows, present, expected, strict=True):
            checks[row.number] = hmac.compare_digest(want, held[i])
    repeated = [numbers for numbers in seen.values() if len(numbers) > 1]
    if repeated:
        listed = "; ".join(", ".join(map(str, n)) for n in repeated)
        raise ApplyRefused(
            f"{name}: the same proposal row appears more than once (rows {listed}); "
            "remove the copies, or run the monthly review again and mark the new proposal"
        ).keyed("refused_repeated", name=name, rows=listed)
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat(timespec="seconds")
    return Proposal(
        path=path,
        proposal_id=meta["proposal_id"],
        workspace_key=meta["workspace_key"],
        month=meta["month"],
        run_date=run_date,
        lang=meta.get("lang") or "fi",
        approved_at=stamp,
        rows=tuple(r for r in rows if checks.get(r.number, True)),
        unverified=tuple(r for r in rows if not checks.get(r.number, True)),
    )


def check_proposal(proposal: Proposal, workspace: Workspace, today: date) -> None:
    """Refuse another workspace's proposal and a proposal of an earlier month."""
    name = proposal.path.name
    if proposal.workspace_key != workspace.key():
        raise ApplyRefused(
            f"{name}: this proposal was made for another workspace; "
            "run apply in the workspace that made it"
        ).keyed("refused_other_workspace", name=name)
    if proposal.month < f"{today.year:04d}-{today.month:02d}":
        raise ApplyRefused(
            f"{name}: the proposal is of {proposal.month}, an earlier month than today's; "
            "run the monthly review again and mark the new proposal"
        ).keyed("refused_earlier_month", name=name, month=proposal.month)


#: the proposal read_checked read last, kept for the next call on the same unchanged
#: file (the CLI checks a proposal before its run reads it again); taken by that call
_last_read: dict[tuple[Any, ...], Proposal] = {}


def read_checked(path: Path, workspace: Workspace, today: date, *, keep: bool = False) -> Proposal:
    """Read, verify every row's check value with the workspace secret, and check.

    ``keep``: leave the result for the next call on the same file, unchanged
    since (its size, time and inode), in this process: a large proposal is
    read once, not twice, when the CLI checks it before the run.
    """
    secret = workspace_secret(workspace.state_dir)
    try:
        stat = path.stat()
        key: tuple[Any, ...] | None = (
            str(path.resolve()),
            stat.st_ino,
            stat.st_size,
            stat.st_mtime_ns,
            secret,
        )
    except OSError:
        key = None
    proposal = _last_read.pop(key, None) if key is not None else None
    _last_read.clear()
    if proposal is None:
        proposal = read_proposal(path, secret)
    check_proposal(proposal, workspace, today)
    if keep and key is not None:
        _last_read[key] = proposal
    return proposal


def default_workspace(proposal: Path) -> Path:
    """The proposal's folder's parent when it lies in raportit/, else the current folder."""
    folder = proposal.resolve().parent
    return folder.parent if folder.name == "raportit" else Path(".")


# ---------------------------------------------------------------------- lock


@contextmanager
def apply_lock(workspace: Workspace) -> Iterator[None]:
    """One apply per workspace at a time (flows.workspace.workspace_lock; re-entrant)."""
    with workspace_lock(workspace):
        yield


# ------------------------------------------------------------------ the core

Reader = Callable[[list[SourceSpec], Hasher], list[ReadResult]]
Writer = Callable[[SourceSpec, list[WriteRequest], Hasher], list[WriteResult]]


def read_plain(sources: list[SourceSpec], ids: Hasher) -> list[ReadResult]:
    return [read_source(source, ids) for source in sources]


def write_plain(source: SourceSpec, requests: list[WriteRequest], ids: Hasher) -> list[WriteResult]:
    """Carry out one source's batch through its connector; errors name no value."""
    connector = get_connector(source.connector)()
    options = connector.options_model.model_validate(source.options)
    try:
        return connector.write(source, options, requests, ids)
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - a library's message may quote content
        raise SourceError(
            source.path.name, f"could not be changed ({type(exc).__name__})"
        ) from None


@dataclass
class Fresh:
    """What the re-read says of one trace (kept in memory only)."""

    kind: str
    locator: dict[str, Any]
    fingerprint: str
    event_date: date | None
    identifiers: list[tuple[str, str]]


@dataclass
class Line:
    """One proposal row's outcome in this run (becomes a receipt line)."""

    row: ProposalRow
    outcome: str  # done / would / manual / skipped / failed / not_approved
    reason: str | None = None
    detail: str | None = None
    fresh: Fresh | None = None
    connector: str = ""
    file: str = ""


@dataclass
class ApplyReport:
    proposal: Proposal
    lines: list[Line]
    dry_run: bool
    applied_at: datetime
    receipt: ReceiptFiles | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: where this run kept its owner-only copies of the files it changed (None: none changed)
    undo_dir: Path | None = None

    #: (rows, date, of them on the checklist) when every approved row was done by an
    #: earlier run: nothing new (the date is the Helsinki date of the last of them)
    already: tuple[int, str, int] | None = None

    @property
    def exit_code(self) -> int:
        """0 when apply did what it could (checklist items and skipped changed records
        are normal and listed); 1 only when a change failed."""
        return 1 if any(line.outcome == "failed" for line in self.lines) else 0


def _fresh_traces(result: ReadResult) -> dict[str, Fresh]:
    out: dict[str, Fresh] = {}
    traces = result.traces
    for row in traces.itertuples(index=False):
        event = row.event_date
        out[str(row.trace_id)] = Fresh(
            kind=str(row.kind),
            locator=json.loads(str(row.locator)),
            fingerprint=str(row.fingerprint),
            event_date=None if pd.isna(event) else pd.Timestamp(event).date(),
            identifiers=strong_identifiers(_text(row.email), _text(row.phone), _text(row.hetu)),
        )
    return out


def _text(value: Any) -> str | None:
    return None if value is None or value is pd.NA or pd.isna(value) else str(value)


def due_now(workspace: Workspace, results: list[ReadResult], today: date) -> dict[str, str]:
    """The traces the engine would propose for deletion today, with their action.

    An approved row is planned only if its record is unchanged *and* still
    due: a person who ordered again after the proposal is not deleted. The
    same rules as the review: the register policies, the law, and no deletion
    from a source read with problems. Asked once, when the plan is made, never
    on a half-applied state.
    """
    from flows.review import decide, load_policies

    decisions = decide(workspace, load_policies(workspace), results, today).decisions
    due = decisions[decisions["decision"] == "delete"]
    return {
        str(trace): str(action) if isinstance(action, str) else "delete"
        for trace, action in zip(due["trace_id"], due["action"], strict=True)
    }


def _writable(source: SourceSpec, action: str) -> bool:
    """Karsinta changes only the owner's own system of record, through a capability."""
    if not source.system_of_record:
        return False
    try:
        capabilities = get_connector(source.connector).capabilities
    except KeyError:
        return False
    needed = Capability.DELETE if action == "delete" else Capability.REDACT
    return needed in capabilities


#: reasons a row can be left out of the plan with (the receipt has a text for each)
PLAN_SKIPS = frozenset(
    {"missing", "changed", "no_longer_due", "source_problems", "source_unreadable",
     "source_unknown"}
)  # fmt: skip


class Applier:
    """One apply run over one proposal: plan everything, record the plan, then act.

    1. Rows the owner did not approve, and rows already done, are reported.
    2. First run: every source is re-read and each approved row checked
       (still there, same fingerprint, still due); the plan (per row: write
       or checklist, action, source, keyed fingerprint) and the rows left
       out are recorded in one ledger transaction before anything changes.
    3. A rerun of a planned proposal does not decide again: it finishes the
       recorded plan. Each step's record must still exist with the planned
       fingerprint; a record gone after its pending intent was recorded (the
       crashed run removed it) counts as done.
    4. Per source, an owner-only copy of each file is kept in
       ``.karsinta/kumoa/`` before the file is changed (``undo_days``).
    """

    def __init__(
        self,
        workspace: Workspace,
        proposal: Proposal,
        today: date,
        *,
        dry_run: bool = False,
        reader: Reader = read_plain,
        writer: Writer = write_plain,
    ) -> None:
        self.ws = workspace
        self.proposal = proposal
        self.today = today
        self.dry_run = dry_run
        self.reader = reader
        self.writer = writer
        self.sources = {s.id: s for s in workspace.sources}
        self.batches_written = 0
        self.due_now: dict[str, str] | None = None
        self.started = datetime.now(UTC)
        self.undo_run: Path | None = None
        self._ids: Hasher | None = None
        abort = os.environ.get(ABORT_ENV, "")
        self.abort_after = int(abort) if abort.isdigit() else None

    @property
    def ids(self) -> Hasher:
        if self._ids is None:
            self._ids = workspace_hasher(self.ws)
        return self._ids

    # ------------------------------------------------------------ entry

    def run(self) -> ApplyReport:
        applied_at = datetime.now(UTC)
        if self.dry_run:
            latest = read_latest(self.ws.state_dir, self.proposal.proposal_id)
            lines = self._lines(latest, None, None)
        else:
            with apply_lock(self.ws), open_ledger(self.ws.state_dir) as ledger:
                self._ids = ledger.hasher
                sweep_leftovers(self.ws)
                latest = ledger.latest(self.proposal.proposal_id)
                plan = ledger.plan(self.proposal.proposal_id)
                lines = self._lines(latest, ledger, plan)
        report = ApplyReport(self.proposal, lines, self.dry_run, applied_at)
        report.counts = counts(lines)
        report.undo_dir = self.undo_run
        return report

    # ------------------------------------------------------------ steps

    def _lines(
        self,
        latest: Mapping[str, ActionRow],
        ledger: Ledger | None,
        plan: list[PlanStep] | None,
    ) -> list[Line]:
        lines: dict[int, Line] = {}
        todo: list[ProposalRow] = []
        for row in self.proposal.rows:
            if row.decision != "approve":
                reason = {
                    "reject": "rejected",
                    "postpone": "postponed",
                    "none": "not_marked",
                }.get(row.decision, "unknown_word")
                lines[row.number] = Line(row, "not_approved", reason)
                continue
            previous = latest.get(row.trace_id)
            if previous is not None and previous.outcome in FINAL:
                outcome = "done" if previous.outcome == "done" else "manual"
                lines[row.number] = Line(row, outcome, f"already_{previous.outcome}")
                continue
            todo.append(row)
        self._record_decisions([lines[n] for n in sorted(lines)], latest, ledger)
        if todo:
            read = self.reader(list(self.sources.values()), self.ids)
            results = {r.source.id: r for r in read}
            if plan is None:
                self.due_now = due_now(self.ws, read, self.today)
                plan, skipped = self._plan(todo, results)
                for line in skipped:
                    lines[line.row.number] = line
                if ledger is not None:
                    actions = [self._action(x.row, "skipped", x.reason) for x in skipped]
                    new = _new_rows(actions, latest)
                    ledger.record_plan(self.proposal.proposal_id, plan, new)
                    latest = {**latest, **{a.trace_id: a for a in new}}
            steps = {step.trace_id: step for step in plan}
            by_source: dict[str, list[tuple[ProposalRow, PlanStep]]] = {}
            for row in todo:
                step = steps.get(row.trace_id)
                if step is None:
                    if row.number not in lines:  # left out when the plan was made
                        lines[row.number] = self._left_out(row, latest)
                    continue
                by_source.setdefault(step.source, []).append((row, step))
            for source_id in sorted(by_source):
                items = by_source[source_id]
                for line in self._source(source_id, items, results, latest, ledger):
                    lines[line.row.number] = line
        ordered = [lines[n] for n in sorted(lines)]
        for line in ordered:
            self._describe(line)
        return ordered

    def _left_out(self, row: ProposalRow, latest: Mapping[str, ActionRow]) -> Line:
        previous = latest.get(row.trace_id)
        reason = previous.reason if previous is not None else None
        return Line(row, "skipped", reason if reason in PLAN_SKIPS else "missing")

    def _plan(
        self, rows: list[ProposalRow], results: Mapping[str, ReadResult]
    ) -> tuple[list[PlanStep], list[Line]]:
        """Decide every approved row once, on the state before anything is changed."""
        steps: list[PlanStep] = []
        skipped: list[Line] = []
        by_source: dict[str, list[ProposalRow]] = {}
        for row in rows:
            by_source.setdefault(row.source, []).append(row)
        for source_id in sorted(by_source):
            source = self.sources.get(source_id)
            result = results.get(source_id)
            group = by_source[source_id]
            reason = _source_trouble(source, result)
            if reason is not None or source is None or result is None:
                skipped += [Line(row, "skipped", reason or "source_unknown") for row in group]
                continue
            fresh = _fresh_traces(result)
            for row in group:
                now = fresh.get(row.trace_id)
                if now is None:
                    skipped.append(Line(row, "skipped", "missing"))
                elif now.fingerprint != row.fingerprint or row.action not in _ACTIONS:
                    skipped.append(Line(row, "skipped", "changed", fresh=now))
                elif self.due_now is not None and row.trace_id not in self.due_now:
                    # Unchanged, but no longer due: e.g. the person ordered again since.
                    skipped.append(Line(row, "skipped", "no_longer_due", fresh=now))
                elif self.due_now is not None and self.due_now[row.trace_id] != row.action:
                    # The engine decides another action today: never the file's word.
                    skipped.append(Line(row, "skipped", "action_changed", fresh=now))
                else:
                    how = "write" if _writable(source, row.action) else "manual"
                    steps.append(
                        PlanStep(
                            proposal_row=row.number,
                            trace_id=row.trace_id,
                            source=source_id,
                            action=row.action,
                            how=how,
                            fingerprint=self.ids.fingerprint(row.fingerprint),
                        )
                    )
        return steps, skipped

    def _record_decisions(
        self, lines: list[Line], latest: Mapping[str, ActionRow], ledger: Ledger | None
    ) -> None:
        """Rejections and postponements go into the ledger once (proof of the decision)."""
        if ledger is None:
            return
        rows = [
            self._action(line.row, "skipped", line.reason)
            for line in lines
            if line.outcome == "not_approved" and line.row.decision != "none"
        ]
        _append_new(ledger, rows, latest)

    def _source(
        self,
        source_id: str,
        items: list[tuple[ProposalRow, PlanStep]],
        results: Mapping[str, ReadResult],
        latest: Mapping[str, ActionRow],
        ledger: Ledger | None,
    ) -> list[Line]:
        """Carry out one source's planned steps that are not done yet."""
        source = self.sources.get(source_id)
        result = results.get(source_id)
        rows = [row for row, _ in items]
        reason = _source_trouble(source, result)
        base: dict[str, Any] = {}
        if source is not None:
            base = {"connector": source.connector, "file": source.path.name}
        if reason is not None or source is None or result is None:
            return self._skip_all(rows, reason or "source_unknown", latest, ledger, **base)
        fresh = _fresh_traces(result)
        out: list[Line] = []
        batch: list[tuple[ProposalRow, Fresh]] = []
        manual: list[tuple[ProposalRow, Fresh]] = []
        completed: list[tuple[ProposalRow, ActionRow]] = []
        for row, step in items:
            now = fresh.get(row.trace_id)
            previous = latest.get(row.trace_id)
            pending = previous is not None and previous.outcome == "pending"
            if now is None:
                if pending and previous is not None:
                    completed.append((row, previous))
                    out.append(Line(row, "done", "completed", **base))
                else:
                    out.append(Line(row, "skipped", "missing", **base))
                continue
            if self.ids.fingerprint(now.fingerprint) != step.fingerprint:
                if (
                    pending
                    and previous is not None
                    and step.action != "delete"
                    and not now.identifiers
                ):
                    completed.append((row, previous))
                    out.append(Line(row, "done", "completed", fresh=now, **base))
                else:
                    out.append(Line(row, "skipped", "changed", fresh=now, **base))
                continue
            (batch if step.how == "write" else manual).append((row, now))
        if ledger is not None:
            self._complete(completed, ledger)
            skipped = [
                self._action(line.row, "skipped", line.reason)
                for line in out
                if line.outcome == "skipped"
            ]
            _append_new(ledger, skipped, latest)
        out += self._manual(manual, latest, ledger, base)
        if batch:
            out += self._write(source, batch, results, ledger, base)
        return out

    def _skip_all(
        self,
        rows: list[ProposalRow],
        reason: str,
        latest: Mapping[str, ActionRow],
        ledger: Ledger | None,
        **base: Any,
    ) -> list[Line]:
        if ledger is not None:
            _append_new(ledger, [self._action(r, "skipped", reason) for r in rows], latest)
        return [Line(row, "skipped", reason, **base) for row in rows]

    def _manual(
        self,
        rows: list[tuple[ProposalRow, Fresh]],
        latest: Mapping[str, ActionRow],
        ledger: Ledger | None,
        base: Mapping[str, Any],
    ) -> list[Line]:
        if ledger is not None:
            actions = [
                self._action(row, "manual", "manual", now, ledger, action=row.action)
                for row, now in rows
            ]
            _append_new(ledger, actions, latest)
        return [Line(row, "manual", "manual", fresh=now, **base) for row, now in rows]

    def _write(
        self,
        source: SourceSpec,
        batch: list[tuple[ProposalRow, Fresh]],
        results: Mapping[str, ReadResult],
        ledger: Ledger | None,
        base: Mapping[str, Any],
    ) -> list[Line]:
        if ledger is None:  # dry run
            return [Line(row, "would", None, fresh=now, **base) for row, now in batch]
        try:
            self._keep_undo_copy(source, [now for _, now in batch])
        except OSError as exc:
            message = f"no undo copy could be made ({type(exc).__name__}); nothing changed"
            failed = [self._action(row, "failed", "write_error: " + message) for row, _ in batch]
            ledger.append(failed)
            return [
                Line(row, "failed", "write_error", message, fresh=now, **base) for row, now in batch
            ]
        batch_id = uuid.uuid4().hex[:16]
        intents = {
            row.trace_id: self._action(row, "pending", None, now, ledger, batch=batch_id)
            for row, now in batch
        }
        self._remember_known(batch, results, ledger)
        ledger.append(intents.values())
        requests = [
            WriteRequest(row.trace_id, now.locator, row.action, row.fingerprint)
            for row, now in batch
        ]
        try:
            written = {w.trace_id: w for w in self.writer(source, requests, self.ids)}
            error = None
        except SourceError as exc:
            written, error = {}, exc.message
        self.batches_written += 1
        if self.abort_after is not None and self.batches_written >= self.abort_after:
            os._exit(86)  # the crash test's kill: after the change, before 'done'
        lines: list[Line] = []
        after: list[ActionRow] = []
        for row, now in batch:
            result = written.get(row.trace_id)
            intent = intents[row.trace_id]
            if result is not None and result.done:
                after.append(_again(intent, "done", None))
                lines.append(Line(row, "done", None, fresh=now, **base))
            elif result is not None:
                after.append(_again(intent, "failed", "writer: " + result.message))
                lines.append(Line(row, "failed", "writer", result.message, fresh=now, **base))
            else:
                after.append(_again(intent, "failed", "write_error: " + (error or "no result")))
                lines.append(Line(row, "failed", "write_error", error, fresh=now, **base))
        ledger.append(after)
        for row_action in after:
            if row_action.outcome == "done":
                self._erased(row_action, ledger)
        return lines

    def _keep_undo_copy(self, source: SourceSpec, records: list[Fresh]) -> None:
        """Owner-only copies of what the batch is about to change, for the undo window."""
        if self.undo_run is None:
            self.undo_run = self.ws.undo_dir / f"{undo_stamp(self.started)}-{uuid.uuid4().hex[:8]}"
            for folder in (self.ws.undo_dir, self.undo_run):
                folder.mkdir(mode=0o700, exist_ok=True)
                os.chmod(folder, 0o700)  # owner-only whatever the umask
        target = self.undo_run / source.id
        if source.path.is_file():
            copy_owner_only(source.path, target / source.path.name)
            return
        inside = source.path.resolve()
        for record in records:
            relative = str(record.locator.get("path") or "")
            path = source.path / relative
            if relative and path.is_file() and leads_inside(path, inside):
                copy_owner_only(path, target / relative)

    # --------------------------------------------------------- ledger bits

    def _action(
        self,
        row: ProposalRow,
        outcome: str,
        reason: str | None,
        fresh: Fresh | None = None,
        ledger: Ledger | None = None,
        *,
        action: str | None = None,
        batch: str | None = None,
    ) -> ActionRow:
        subject = hashes = None
        if fresh is not None and ledger is not None:
            subject = ledger.hasher.subject_hash(fresh.identifiers)
            pairs = ledger.id_hashes(fresh.identifiers)
            hashes = " ".join(f"{kind}:{h}" for kind, h in pairs) or None
        return ActionRow(
            proposal_id=self.proposal.proposal_id,
            proposal_row=row.number,
            trace_id=row.trace_id,
            source=row.source,
            rule=row.rule,
            decision=row.decision,
            action=action or (row.action if row.decision == "approve" else None),
            approved_at=self.proposal.approved_at,
            outcome=outcome,
            reason=reason,
            subject_hash=subject,
            id_hashes=hashes,
            batch=batch,
        )

    def _complete(self, completed: list[tuple[ProposalRow, ActionRow]], ledger: Ledger) -> None:
        """Pending intents of a killed run whose change is found made: done now."""
        rows = [_again(previous, "done", "completed") for _, previous in completed]
        ledger.append(rows)
        for row in rows:
            self._erased(row, ledger)

    def _erased(self, row: ActionRow, ledger: Ledger) -> None:
        pairs = [
            (part.split(":", 1)[0], part.split(":", 1)[1]) for part in (row.id_hashes or "").split()
        ]
        if pairs:
            ledger.record_erased(row.proposal_id, row.trace_id, row.source, pairs, self.today)

    def _remember_known(
        self,
        batch: list[tuple[ProposalRow, Fresh]],
        results: Mapping[str, ReadResult],
        ledger: Ledger,
    ) -> None:
        """Traces elsewhere that carry the erased identifiers now: not reappearances later."""
        wanted: dict[tuple[str, str], str] = {}
        for _, now in batch:
            for kind, value in now.identifiers:
                wanted[(kind, value)] = ledger.hasher.id_hash(kind, value)
        erased_ids = {row.trace_id for row, _ in batch}
        pairs: list[tuple[str, str]] = []
        for result in results.values():
            if result.unreadable or result.traces.empty:
                continue
            for trace_id, email, phone, hetu in zip(
                result.traces["trace_id"],
                result.traces["email"],
                result.traces["phone"],
                result.traces["hetu"],
                strict=True,
            ):
                if str(trace_id) in erased_ids:
                    continue
                for key in strong_identifiers(_text(email), _text(phone), _text(hetu)):
                    if key in wanted:
                        pairs.append((wanted[key], str(trace_id)))
        if pairs:
            ledger.record_known(self.proposal.proposal_id, pairs)

    # ------------------------------------------------------------ receipt

    def _describe(self, line: Line) -> None:
        if not line.connector:
            source = self.sources.get(line.row.source)
            if source is not None:
                line.connector = source.connector
                line.file = source.path.name


def _again(intent: ActionRow, outcome: str, reason: str | None) -> ActionRow:
    """The intent's row again with its outcome (a new row: the ledger is append-only)."""
    return ActionRow(
        proposal_id=intent.proposal_id,
        proposal_row=intent.proposal_row,
        trace_id=intent.trace_id,
        source=intent.source,
        rule=intent.rule,
        decision=intent.decision,
        action=intent.action,
        approved_at=intent.approved_at,
        outcome=outcome,
        reason=reason,
        subject_hash=intent.subject_hash,
        id_hashes=intent.id_hashes,
        batch=intent.batch,
        acted_at=now_utc(),
    )


def _source_trouble(source: SourceSpec | None, result: ReadResult | None) -> str | None:
    """Why nothing may be changed in a source on this run (None: it read cleanly)."""
    if source is None or result is None:
        return "source_unknown"
    if result.unreadable:
        return "source_unreadable"
    # Row problems are the safety rule's business (flows.review.decide): it has
    # already turned into review every row a faulty row could concern, so the
    # rest of the source may change.
    return None


def _new_rows(rows: Sequence[ActionRow], latest: Mapping[str, ActionRow]) -> list[ActionRow]:
    """Only what changes a trace's state: a rerun adds nothing."""
    new = []
    for row in rows:
        previous = latest.get(row.trace_id)
        same = previous is not None and (previous.decision, previous.outcome, previous.reason) == (
            row.decision,
            row.outcome,
            row.reason,
        )
        if not same:
            new.append(row)
    return new


def _append_new(ledger: Ledger, rows: Sequence[ActionRow], latest: Mapping[str, ActionRow]) -> None:
    """Append only what changes a trace's state: a rerun adds nothing."""
    new = _new_rows(rows, latest)
    if new:
        ledger.append(new)


def counts(lines: Sequence[Line]) -> dict[str, int]:
    out = {"rows": len(lines), "approved": sum(line.row.decision == "approve" for line in lines)}
    for outcome in ("done", "would", "manual", "skipped", "failed", "not_approved"):
        out[outcome] = sum(line.outcome == outcome for line in lines)
    return out


# ------------------------------------------------------------------ receipt


def where_text(locator: Mapping[str, Any] | None, lang: str) -> str:
    """Where in the source, from the locator: never an attendee, a path or a label.

    Stable locators first (record id, invoice or customer number, calendar
    UID); a row number only where the record has nothing else, or beside a
    record id in a row-based file.
    """
    if not locator:
        return ""
    words = {
        "fi": ("rivi", "lasku", "asiakasnumero", "tunnus"),
        "en": ("row", "invoice", "customer number", "record id"),
    }
    row_word, invoice_word, customer_word, id_word = words["en" if lang == "en" else "fi"]
    parts: list[str] = []
    if locator.get("sheet"):
        parts.append(str(locator["sheet"]))
    if locator.get("id"):
        parts.append(f"{id_word} {locator['id']}")
    if locator.get("invoice_no"):
        parts.append(f"{invoice_word} {locator['invoice_no']}")
    elif locator.get("customer_no"):
        parts.append(f"{customer_word} {locator['customer_no']}")
    if locator.get("uid"):
        uid = f"UID {locator['uid']}"
        if locator.get("recurrence_id"):
            uid += f" / {locator['recurrence_id']}"
        parts.append(uid)
    if locator.get("row") is not None and not locator.get("uid"):
        parts.append(f"{row_word} {locator['row']}")
    return ", ".join(parts)


def file_row(locator: Mapping[str, Any] | None) -> int | None:
    """The row number of a record in a row-based file (None for UID / document records)."""
    if not locator or locator.get("uid") or locator.get("row") is None:
        return None
    try:
        return int(locator["row"])
    except (TypeError, ValueError):
        return None


def receipt_of(report: ApplyReport, workspace: Workspace) -> Receipt:
    lang = report.proposal.lang if report.proposal.lang in ("fi", "en") else "fi"
    lines = []
    for line in report.lines:
        fresh = line.fresh
        connector = line.connector
        lines.append(
            ReceiptLine(
                proposal_row=line.row.number,
                source=line.row.source,
                kind=line.row.kind,
                file=line.file,
                where=""
                if connector == "folder"
                else where_text(fresh.locator if fresh else None, lang),
                record_date=fresh.event_date if fresh else None,
                decision=line.row.decision,
                outcome=line.outcome,
                reason=line.reason,
                detail=(done_note(connector, lang) if line.outcome == "done" else None)
                or line.detail,
                todo=todo_key(connector, line.row.action) if line.outcome == "manual" else None,
                file_row=None
                if connector == "folder"
                else file_row(fresh.locator if fresh else None),
            )
        )
    return Receipt(
        business=workspace.config.business,
        proposal_id=report.proposal.proposal_id,
        month=report.proposal.month,
        applied_at=report.applied_at.astimezone(),
        lang=lang,
        lines=lines,
        dry_run=report.dry_run,
        undo_dir=_relative(report.undo_dir, workspace.root),
    )


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def console_lines(report: ApplyReport) -> list[dict[str, Any]]:
    """What the command line lists, row by row: row number, source, place, action,
    outcome and reason codes. The same words as the receipt: no names, no values."""
    lang = report.proposal.lang if report.proposal.lang in ("fi", "en") else "fi"
    out = []
    for line in report.lines:
        fresh = line.fresh
        out.append(
            {
                "row": line.row.number,
                "decision": line.row.decision,
                "outcome": line.outcome,
                "reason": line.reason,
                "source": line.row.source,
                "file": line.file,
                "where": ""
                if line.connector == "folder"
                else where_text(fresh.locator if fresh else None, lang),
                "action": line.row.action,
            }
        )
    return out


# --------------------------------------------------------------- one call


def apply_proposal(
    workspace: Workspace,
    proposal_path: Path,
    today: date,
    *,
    dry_run: bool = False,
    reader: Reader = read_plain,
    writer: Writer = write_plain,
    write_files: bool = True,
) -> ApplyReport:
    """Check, apply and write the receipt (no Prefect needed: tests and the flow use it).

    Rows whose visible cells no longer match their ids are skipped
    (``cells_changed``) and never reach the Applier. Every mark read is
    recorded in the decision store (flows.decisions). When every approved
    row was done by an earlier run, ``report.already`` says so and no new
    receipt is written.
    """
    proposal = read_checked(proposal_path, workspace, today)
    report = Applier(
        workspace, proposal, today, dry_run=dry_run, reader=reader, writer=writer
    ).run()
    if proposal.unverified:
        report.lines = sorted(
            [*report.lines, *(_unverified_line(row, workspace) for row in proposal.unverified)],
            key=lambda line: line.row.number,
        )
        report.counts = counts(report.lines)
    report.already = _already(report, workspace)
    if not dry_run:
        record_marks(workspace, proposal, report.lines)
    if write_files and not dry_run and report.already is None:
        crash_point("receipt")
        report.receipt = write_receipt(receipt_of(report, workspace), workspace.output_dir)
    return report


def _unverified_line(row: ProposalRow, workspace: Workspace) -> Line:
    source = next((s for s in workspace.sources if s.id == row.source), None)
    connector, file = (source.connector, source.path.name) if source else ("", "")
    return Line(row, "skipped", "cells_changed", connector=connector, file=file)


def _already(report: ApplyReport, workspace: Workspace) -> tuple[int, str, int] | None:
    """(rows, date, on the checklist) when every approved row was done by an earlier run."""
    approved = [line for line in report.lines if line.row.decision == "approve"]
    if not approved or any(
        line.reason not in ("already_done", "already_manual") for line in approved
    ):
        return None
    latest = read_latest(workspace.state_dir, report.proposal.proposal_id)
    stamps = [latest[r.row.trace_id].acted_at for r in approved if r.row.trace_id in latest]
    when = ""
    if stamps:
        from zoneinfo import ZoneInfo

        from policies.periods import fi_date

        last = datetime.fromisoformat(max(stamps)).astimezone(ZoneInfo("Europe/Helsinki"))
        when = fi_date(last.date())
    manual = sum(line.reason == "already_manual" for line in approved)
    return len(approved), when, manual


def record_marks(workspace: Workspace, proposal: Proposal, lines: Sequence[Line]) -> int:
    """Every mark read on a verified row goes into the decision store (flows.decisions)."""
    from flows.decisions import Mark, open_store

    status = {"done": "done", "manual": "manual"}
    marks = [
        Mark(
            trace_id=line.row.trace_id,
            fingerprint=line.row.fingerprint,
            rule_id=line.row.rule_id,
            decision=line.row.decision,
            month=proposal.month,
            status=status.get(line.outcome) if line.row.decision == "approve" else None,
            note=line.row.comment,
        )
        for line in lines
        if line.row.decision in ("approve", "reject", "postpone") and line.reason != "cells_changed"
    ]
    if not marks:
        return 0
    with open_store(workspace.state_dir) as store:
        return store.record(marks, "apply", proposal.proposal_id)


# ---------------------------------------------------------------- the flow


@task(name="write-source", persist_result=False, cache_policy=NO_CACHE)
def write_source_task(
    source: SourceSpec, requests: list[WriteRequest], ids: Hasher
) -> list[WriteResult]:
    return write_plain(source, requests, ids)


def _write_with_task(
    source: SourceSpec, requests: list[WriteRequest], ids: Hasher
) -> list[WriteResult]:
    if not in_flow_run():  # a one-shot command's plain mode (flows.runtime)
        return write_plain(source, requests, ids)
    task_run = write_source_task.with_options(task_run_name=f"write-{source.id}")
    return task_run(source, requests, ids)


@flow(name="apply_decisions", persist_result=False, log_prints=False, validate_parameters=True)
def apply_decisions(
    proposal: str, workspace: str, today: str | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Apply the owner's approved rows. Parameters: two paths, a date, a flag.

    Returns counts and the receipt's file names only (nothing personal).
    """
    from flows.review import helsinki_today, read_all
    from flows.workspace import load_workspace

    ws = load_workspace(Path(workspace))
    run_date = date.fromisoformat(today) if today else helsinki_today()
    report = apply_proposal(
        ws, Path(proposal), run_date, dry_run=dry_run, reader=read_all, writer=_write_with_task
    )
    lines = ["# Karsinta: apply" + (" (dry run)" if dry_run else ""), "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in report.counts.items()]
    artifact("\n".join(lines), key="karsinta-apply", description="Counts only: no customer data.")
    return {
        **report.counts,
        "exit_code": report.exit_code,
        "dry_run": dry_run,
        "already": list(report.already) if report.already else None,
        "lines": console_lines(report),
        "receipt_html": report.receipt.html.name if report.receipt else None,
        "receipt_xlsx": report.receipt.xlsx.name if report.receipt else None,
    }
