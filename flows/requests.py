"""Requests on time: one person now (``forget``, ``access``) and the daily requests run.

The same reading and rules as the monthly review (``flows.review.decide_safely``:
the engine plus the run's safety rule), for one person:

- :func:`forget` writes a one-person deletion proposal with the monthly
  proposal's own writer (``reports.proposal.write_proposal``; the same
  format, checks and decision store, so ``karsinta apply`` takes it
  unchanged) and a reply letter (``reports.letter``). The engine erases
  on a logged erasure request (the request log: a source of kind
  ``erasure_request``); a person with no logged request is refused with the
  file to log it in, since apply decides again from the sources. A shared
  address (two people's names or henkilötunnus on one subject) is never
  erased on a guess: its rows go to review (policies.requests).
- :func:`access` writes the art. 15 report (HTML) and its machine-readable
  copy (JSON, CSV; art. 20) for one person (``reports.access``).
- :func:`daily_requests` (the Prefect flow ``daily_requests``) reads the
  request logs (kinds ``erasure_request`` and ``access_request``), prepares
  what a new request needs the same day, writes the status list
  (``reports.request_status``) and notifies the owner (``flows.notify``).

A person is found by strong keys only (e-mail, phone, henkilötunnus), or by
a request-log row (``SOURCE:ROW``). What reaches Prefect is a path and a
date; what is kept in ``.karsinta/requests.json`` is keyed ids (the request
log row's trace id) and file names, never a value.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from connectors.base import ReadResult
from connectors.errors import KarsintaError
from connectors.trace import normalise_email, normalise_hetu, normalise_phone, split_multi
from flows.keyed import workspace_hasher
from flows.ledger import workspace_secret
from flows.review import (
    Observation,
    combined_traces,
    decide_safely,
    helsinki_today,
    load_policies,
    summaries,
)
from flows.runtime import artifact, flow
from flows.workspace import Workspace, load_workspace
from policies.requests import (
    REQUEST_KINDS,
    RequestState,
    access_state,
    erasure_state,
    guard_shared,
    shared_subjects,
)
from policies.schema import RegisterPolicy
from reports.proposal import ProposalFiles, write_proposal
from reports.view import ReviewRun

STATE_FILE = "requests.json"
KEY_COLUMNS = ("email", "phone", "hetu")


class NotFound(KarsintaError):
    """No trace of the person asked for (the message names no value)."""


# ------------------------------------------------------------------ reading


def observe_plain(workspace: Workspace, today: date) -> Observation:
    """Read every source and decide, without Prefect (the one-person commands)."""
    from flows.apply import read_plain

    policies = load_policies(workspace)
    results = read_plain(workspace.sources, workspace_hasher(workspace))
    evaluation, safety = decide_safely(workspace, policies, results, today)
    return Observation(policies, results, combined_traces(results), evaluation, safety)


# ------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    """Whom a request is about: strong keys, normalised (kept in memory only)."""

    keys: frozenset[tuple[str, str]] = frozenset()
    #: a request-log row: (source id, row number as the spreadsheet shows it)
    row: tuple[str, int] | None = None


def person_from(
    email: str | None = None,
    phone: str | None = None,
    hetu: str | None = None,
    request: str | None = None,
) -> Person:
    """A Person from the command line; KarsintaError naming the option when unusable."""
    keys: set[tuple[str, str]] = set()
    for column, value, normalise in (
        ("email", email, normalise_email),
        ("phone", phone, normalise_phone),
        ("hetu", hetu, normalise_hetu),
    ):
        if value is None:
            continue
        normal = normalise(value)
        if not normal:
            raise KarsintaError(f"--{column}: not a valid {column}").keyed(f"person_bad_{column}")
        keys.add((column, normal))
    row = None
    if request is not None:
        source, _, number = request.rpartition(":")
        if not source or not number.isdigit():
            raise KarsintaError("--request: give the request log's source id and row, e.g. "
                                "poistopyynnot:5").keyed("person_bad_request")  # fmt: skip
        row = (source, int(number))
    if not keys and row is None:
        raise KarsintaError("give --email, --phone, --hetu or --request SOURCE:ROW").keyed(
            "person_none"
        )
    return Person(frozenset(keys), row)


def _trace_keys(traces: pd.DataFrame) -> pd.DataFrame:
    """(trace_id, column, value) for every strong key of the traces."""
    parts = []
    for column in KEY_COLUMNS:
        values = traces[column].dropna().astype(str)
        # split_multi of every value; a value with no ';' is only stripped (vectorised)
        multi = values.str.contains(";", regex=False).to_numpy(bool)
        single = values[~multi].str.strip()
        single = single[single != ""]
        many = values[multi].map(split_multi).explode().dropna()
        exploded = pd.concat([single, many]).sort_index(kind="stable")
        parts.append(
            pd.DataFrame(
                {
                    "trace_id": traces.loc[exploded.index, "trace_id"].to_numpy(),
                    "column": column,
                    "value": exploded.astype(str).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _row_trace(traces: pd.DataFrame, source: str, row: int) -> str | None:
    mine = traces[traces["source"] == source]
    for trace_id, locator in zip(mine["trace_id"], mine["locator"], strict=True):
        try:
            where = json.loads(str(locator))
        except ValueError:
            continue
        if where.get("row") == row:
            return str(trace_id)
    return None


_PAIR = "\x1f"


def pair_text(pair: tuple[str, str]) -> str:
    """A (column, value) key as one text, as :class:`PeopleIndex` keeps it."""
    return pair[0] + _PAIR + pair[1]


class _Groups:
    """The positions of each value of an array, made once (factorize and sort, in C)."""

    def __init__(self, values: np.ndarray) -> None:
        codes, uniques = pd.factorize(values)
        self._index = pd.Index(uniques)
        self._order = np.argsort(codes, kind="stable")
        self._bounds = np.searchsorted(codes[self._order], np.arange(len(uniques) + 1))

    def rows(self, value: str) -> np.ndarray:
        """Positions holding ``value``, in order (none when it is not there)."""
        try:
            code = self._index.get_loc(value)
        except KeyError:
            return np.empty(0, dtype=np.intp)
        return self._order[self._bounds[code] : self._bounds[code + 1]]


class PeopleIndex:
    """Lookups over one observation, made once for many people (the status of every
    logged request): each person then costs what their own traces cost, not a pass
    over every trace. :func:`find_subjects` and :func:`person_view` give the same
    answers with it as without it."""

    def __init__(self, seen: Observation) -> None:
        traces = seen.traces
        decisions = seen.evaluation.decisions
        self.subject_of = dict(
            zip(decisions["trace_id"].tolist(), decisions["subject_id"].tolist(), strict=True)
        )
        keys = _trace_keys(traces)
        #: each key row's trace id and "column\x1fvalue"; grouped both ways (made in C)
        self._key_trace = keys["trace_id"].to_numpy(object)
        self._key_pair = (keys["column"] + _PAIR + keys["value"]).to_numpy(object)
        self._rows_of_trace = _Groups(self._key_trace)
        self._rows_of_pair = _Groups(self._key_pair)
        #: subject id -> positions of its decisions (in order); NA subjects are in none
        self.decision_rows = {
            str(k): v for k, v in decisions.groupby("subject_id", sort=False).indices.items()
        }
        self.decision_at = pd.Index(decisions["trace_id"])
        self.trace_at = pd.Index(traces["trace_id"])
        self.name_rows = traces.groupby("name_key", sort=False).indices
        self.name_key = traces["name_key"].to_numpy(object)
        #: per decision, its trace's position; per trace, its decision's (-1: none)
        self.trace_of_decision = self.trace_at.get_indexer(decisions["trace_id"])
        self.decision_of_trace = self.decision_at.get_indexer(traces["trace_id"])
        self.review_codes = (
            decisions["review_code"].isin(["no_key", "name_match"]).fillna(False).to_numpy(bool)
        )
        self._rows: dict[str, dict[Any, str]] = {}
        self.traces = traces

    def traces_of(self, pair: str) -> list[str]:
        """The trace ids having one key ("column\x1fvalue", :func:`pair_text`)."""
        return list(self._key_trace[self._rows_of_pair.rows(pair)])

    def pairs_of(self, trace_id: str) -> set[str]:
        """The keys of one trace, as "column\x1fvalue"."""
        return set(self._key_pair[self._rows_of_trace.rows(trace_id)])

    def row_trace(self, source: str, row: int) -> str | None:
        """:func:`_row_trace` from a per-source table made on first use."""
        if source not in self._rows:
            table: dict[Any, str] = {}
            mine = self.traces[self.traces["source"] == source]
            for trace_id, locator in zip(mine["trace_id"], mine["locator"], strict=True):
                try:
                    where = json.loads(str(locator))
                except ValueError:
                    continue
                if isinstance(where, dict):
                    with suppress(TypeError):  # a row that is no number matches none
                        table.setdefault(where.get("row"), str(trace_id))
            self._rows[source] = table
        return self._rows[source].get(row)

    def decision_positions(self, subjects: Iterable[str]) -> np.ndarray:
        """Positions of the subjects' decisions, in the decisions' order."""
        parts = [self.decision_rows[s] for s in subjects if s in self.decision_rows]
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.intp)

    def name_only(self, subjects: Iterable[str]) -> np.ndarray:
        """Positions of the decisions of :func:`name_only_traces` (numpy lookups only)."""
        own = self.trace_of_decision[self.decision_positions(subjects)]
        names = {n for n in self.name_key[own[own >= 0]] if isinstance(n, str)}
        rows = [self.name_rows[n] for n in names if n in self.name_rows]
        if not rows:
            return np.empty(0, dtype=np.intp)
        found = self.decision_of_trace[np.unique(np.concatenate(rows))]
        found = np.unique(found[found >= 0])
        return found[self.review_codes[found]]

    def trace_positions(self, trace_ids: Iterable[str]) -> np.ndarray:
        """Positions of these traces in the traces' order (unknown ids left out)."""
        found = self.trace_at.get_indexer(list(trace_ids))
        return np.unique(found[found >= 0])


def find_subjects(seen: Observation, person: Person, index: PeopleIndex | None = None) -> set[str]:
    """The person's subjects in every register: traces with one of the keys, then
    the subjects (in other registers) that share a strong key with those.

    With ``index`` (made once for many people) the same answer without a pass
    over every trace."""
    if index is not None:
        return _find_indexed(index, person)
    traces = seen.traces
    decisions = seen.evaluation.decisions
    subject_of = dict(zip(decisions["trace_id"], decisions["subject_id"], strict=True))
    keys = _trace_keys(traces)
    start: set[str] = set()
    if person.row is not None:
        trace_id = _row_trace(traces, *person.row)
        if trace_id is None:
            source, row = person.row
            raise NotFound(f"--request: row {row} of source '{source}' not found").keyed(
                "person_no_row", source=source, row=row
            )
        start.add(trace_id)
    if person.keys:
        hits = keys[[p in person.keys for p in pairs_of(keys)]]
        start |= set(hits["trace_id"])
    subjects = {str(subject_of[t]) for t in start if t in subject_of}
    for _ in range(2):  # one register's subject to the others' through shared keys
        ids = set(decisions.loc[decisions["subject_id"].isin(list(subjects)), "trace_id"])
        theirs = keys[keys["trace_id"].isin(list(ids))]
        wanted = set(pairs_of(theirs))
        linked = keys[[p in wanted for p in pairs_of(keys)]]
        subjects |= {str(subject_of[t]) for t in linked["trace_id"] if t in subject_of}
    return subjects


def _find_indexed(index: PeopleIndex, person: Person) -> set[str]:
    """:func:`find_subjects` with the lookups of ``index``."""
    subject_of = index.subject_of
    start: set[str] = set()
    if person.row is not None:
        trace_id = index.row_trace(*person.row)
        if trace_id is None:
            raise NotFound(f"--request: row {person.row[1]} of source '{person.row[0]}' not found")
        start.add(trace_id)
    for pair in person.keys:
        start.update(index.traces_of(pair_text(pair)))
    subjects = {str(subject_of[t]) for t in start if t in subject_of}
    trace_ids = index.decision_at
    for _ in range(2):  # one register's subject to the others' through shared keys
        ids = trace_ids[index.decision_positions(subjects)].tolist()
        wanted = set().union(*(index.pairs_of(t) for t in ids))
        linked = [t for pair in wanted for t in index.traces_of(pair)]
        subjects |= {str(subject_of[t]) for t in linked if t in subject_of}
    return subjects


def pairs_of(keys: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(keys["column"], keys["value"], strict=True))


def name_only_traces(
    seen: Observation, subjects: set[str], index: PeopleIndex | None = None
) -> pd.DataFrame:
    """Keyless traces that only share a name with the person: shown, never erased."""
    decisions = seen.evaluation.decisions
    if index is not None:
        return decisions.iloc[index.name_only(subjects)]
    mine = seen.traces[
        seen.traces["trace_id"].isin(
            list(decisions.loc[decisions["subject_id"].isin(list(subjects)), "trace_id"])
        )
    ]
    names = set(mine["name_key"].dropna())
    if not names:
        return decisions.iloc[0:0]
    candidates = seen.traces.loc[seen.traces["name_key"].isin(list(names)), "trace_id"]
    codes = decisions["review_code"].isin(["no_key", "name_match"]).fillna(False)
    return decisions[decisions["trace_id"].isin(list(candidates)) & codes.astype(bool)]


# --------------------------------------------------------- one-person runs


@dataclass
class PersonView:
    """One person's decisions and traces (in memory only)."""

    subjects: set[str]
    decisions: pd.DataFrame
    traces: pd.DataFrame
    shared: bool
    name_only: int
    erasure_received: date | None
    registers: list[str]


def person_view(
    seen: Observation, subjects: set[str], index: PeopleIndex | None = None
) -> PersonView:
    """The person's decisions with the shared-address guard, and their traces.

    With ``index`` (made once for many people) the same view without a pass
    over every trace."""
    decisions = seen.evaluation.decisions
    if index is None:
        mine = decisions[decisions["subject_id"].isin(list(subjects))]
    else:
        mine = decisions.iloc[index.decision_positions(subjects)]
    loose = name_only_traces(seen, subjects, index)
    extra = loose[~loose["trace_id"].isin(mine["trace_id"])]
    if len(extra):
        mine = pd.concat([mine, extra])
    if index is None:
        traces = seen.traces[seen.traces["trace_id"].isin(list(mine["trace_id"]))]
    else:
        traces = seen.traces.iloc[index.trace_positions(mine["trace_id"])]
    subject_of = dict(zip(mine["trace_id"].tolist(), mine["subject_id"].tolist(), strict=True))
    with_subject = pd.DataFrame(
        {
            "subject_id": [subject_of.get(t) for t in traces["trace_id"].tolist()],
            "name_key": traces["name_key"].to_numpy(object),
            "hetu": traces["hetu"].to_numpy(object),
        }
    )
    shared = shared_subjects(with_subject) & subjects
    mine = guard_shared(mine, shared)
    requests = traces[traces["kind"] == "erasure_request"]["event_date"].dropna()
    received = pd.Timestamp(requests.min()).date() if len(requests) else None
    return PersonView(
        subjects=subjects,
        decisions=mine.reset_index(drop=True),
        traces=traces.reset_index(drop=True),
        shared=bool(shared),
        name_only=len(loose),
        erasure_received=received,
        registers=sorted(set(mine["register"].astype(str))),
    )


def reference(workspace: Workspace, subjects: Iterable[str]) -> str:
    """A short keyed reference for a person's files (no value can be guessed from it)."""
    text = "request\x1f" + "\x1f".join(sorted(subjects))
    return workspace_hasher(workspace).digest(text, 10)


def one_person_run(
    workspace: Workspace, seen: Observation, view: PersonView, today: date, lang: str
) -> ReviewRun:
    """A ReviewRun holding only this person: the monthly proposal's writer takes it."""
    run = ReviewRun(
        business=workspace.config.business,
        registers={register: policy.name for register, policy in seen.policies.items()},
        today=today,
        lang=lang,
        traces=view.traces,
        decisions=view.decisions,
        findings=[f for f in seen.evaluation.findings if _about(f.trace_ids, view)],
        sources=summaries([r for r in seen.results if _touches(r, view)]),
        workspace_key=workspace.key(),
        safety=seen.safety,
    )
    run.row_key = workspace_secret(workspace.state_dir)
    run.stem = f"poistopyynto-{today.isoformat()}-{reference(workspace, view.subjects)}"
    return run


def _about(trace_ids: Sequence[str], view: PersonView) -> bool:
    return bool(set(trace_ids) & set(view.decisions["trace_id"]))


def _touches(result: ReadResult, view: PersonView) -> bool:
    return bool((view.decisions["source"] == result.source.id).any())


@dataclass
class ForgetOutcome:
    """What ``forget`` made: counts, the state and the files (no personal data)."""

    files: ProposalFiles
    letter: Path
    state: RequestState
    counts: dict[str, Any] = field(default_factory=dict)


def promised_deadline(seen: Observation, registers: Iterable[str]) -> Any:
    """The shortest erasure deadline the person's registers promise (None: none)."""
    periods = [seen.policies[r].erasure.deadline for r in registers if r in seen.policies]
    if not periods:
        return None
    return min(periods, key=lambda p: p.add(date(2000, 1, 1)))


def forget(
    workspace: Workspace,
    person: Person,
    today: date,
    lang: str | None = None,
    letter_lang: str | None = None,
    seen: Observation | None = None,
) -> ForgetOutcome:
    """The one-person proposal and the reply letter; NotFound when nobody matches."""
    from reports.letter import write_letter

    seen = seen or observe_plain(workspace, today)
    subjects = find_subjects(seen, person)
    if not subjects:
        raise NotFound(
            "no trace of this person in any source (searched by strong keys only)"
        ).keyed("person_not_found")
    view = person_view(seen, subjects)
    if view.erasure_received is None:
        logs = sorted({s.path.name for s in workspace.sources if s.kind == "erasure_request"})
        where = ", ".join(logs) or "a request log (a source of kind erasure_request)"
        raise KarsintaError(
            f"no erasure request of this person is logged: add it to {where} "
            "(date, name, e-mail) and run forget again; apply decides from the logged request"
        ).keyed("forget_not_logged" if logs else "forget_no_log", where=where)
    lang = lang or workspace.config.language
    run = one_person_run(workspace, seen, view, today, lang)
    files = write_proposal(run, workspace.output_dir)
    promised = promised_deadline(seen, view.registers)
    state = erasure_state(view.decisions, view.erasure_received, promised, today, prepared=True)
    letter = write_letter(
        workspace.output_dir / f"{run.stem}-kirje.txt",
        run,
        state,
        [seen.policies[r] for r in view.registers if r in seen.policies],
        letter_lang or lang,
    )
    decided = view.decisions["decision"].value_counts()
    counts = {
        "state": state.state,
        "deadline": state.deadline.isoformat(),
        "overdue_days": state.overdue,
        "traces": len(view.decisions),
        **{f"decision_{d}": int(decided.get(d, 0)) for d in ("delete", "hold", "keep", "review")},
        "shared_identity": view.shared,
        "name_only": view.name_only,
        "proposal_html": files.html.name,
        "proposal_xlsx": files.xlsx.name,
        "letter": letter.name,
    }
    return ForgetOutcome(files, letter, state, counts)


@dataclass
class AccessOutcome:
    html: Path
    json: Path
    csv: Path
    counts: dict[str, Any]


def access(
    workspace: Workspace,
    person: Person,
    today: date,
    lang: str | None = None,
    seen: Observation | None = None,
    log: bool = False,
) -> AccessOutcome:
    """The art. 15 report for one person (HTML) and its copy (JSON, CSV).

    ``log``: the request came straight to the command line, not from a request
    log: it is recorded in the requests state (a keyed reference, the date
    received, the file) so the status list and the monthly proposal show it
    with its deadline.
    """
    from reports.access import write_access

    seen = seen or observe_plain(workspace, today)
    subjects = find_subjects(seen, person)
    if not subjects:
        raise NotFound(
            "no trace of this person in any source (searched by strong keys only)"
        ).keyed("person_not_found")
    view = person_view(seen, subjects)
    lang = lang or workspace.config.language
    stem = f"tietopyynto-{today.isoformat()}-{reference(workspace, subjects)}"
    policies: dict[str, RegisterPolicy] = {
        r: seen.policies[r] for r in view.registers if r in seen.policies
    }
    files = write_access(
        workspace.output_dir, stem, workspace.config.business, view, policies, today, lang
    )
    if log:
        state = load_state(workspace)
        state.setdefault(
            f"{CLI_PREFIX}access:{reference(workspace, subjects)}:{today.isoformat()}",
            {
                "file": files[0].name,
                "received": today.isoformat(),
                "prepared_on": today.isoformat(),
            },
        )
        save_state(workspace, state)
    return AccessOutcome(
        *files,
        counts={
            "traces": len(view.decisions),
            "sources": int(view.decisions["source"].nunique()),
            "shared_identity": view.shared,
            "name_only": view.name_only,
            "html": files[0].name,
            "json": files[1].name,
            "csv": files[2].name,
        },
    )


# ------------------------------------------------------------ the daily run


@dataclass(frozen=True)
class LoggedRequest:
    """One row of a request log: keyed id, kind, register and date (no values)."""

    request_id: str
    kind: str  # erasure / access
    register: str
    source: str
    row: int | None
    received: date | None
    subject_id: str


def logged_requests(seen: Observation) -> list[LoggedRequest]:
    """Every row of every request log (kinds erasure_request and access_request)."""
    traces = seen.traces
    logs = traces[traces["kind"].isin(list(REQUEST_KINDS))]
    decisions = seen.evaluation.decisions
    theirs = decisions[decisions["trace_id"].isin(logs["trace_id"])]
    subject_of = dict(zip(theirs["trace_id"].tolist(), theirs["subject_id"].tolist(), strict=True))
    out = []
    for row in logs.itertuples(index=False):
        try:
            where = json.loads(str(row.locator))
        except ValueError:
            where = {}
        number = where.get("row")
        out.append(
            LoggedRequest(
                request_id=str(row.trace_id),
                kind=REQUEST_KINDS[str(row.kind)],
                register=str(row.register),
                source=str(row.source),
                row=int(number) if isinstance(number, int) else None,
                received=None if pd.isna(row.event_date) else pd.Timestamp(row.event_date).date(),
                subject_id=str(subject_of.get(str(row.trace_id), "")),
            )
        )
    return sorted(out, key=lambda r: (r.received or date.min, r.source, r.row or 0))


def _state_path(workspace: Workspace) -> Path:
    return workspace.state_dir / STATE_FILE


def load_state(workspace: Workspace) -> dict[str, dict[str, str]]:
    """Keyed request id -> what was prepared for it (file names, dates)."""
    try:
        data = json.loads(_state_path(workspace).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): dict(v) for k, v in data.get("requests", {}).items()}


def save_state(workspace: Workspace, state: dict[str, dict[str, str]]) -> None:
    from reports.cells import write_text_file

    workspace.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_text_file(_state_path(workspace), json.dumps({"requests": state}, indent=2))


#: requests that came straight to the command line (``karsinta access``), in the state
CLI_PREFIX = "cli:"


@dataclass
class StatusRow:
    """One request on the status list (no personal data: the log's file and row)."""

    kind: str
    source: str
    row: int | None
    received: date | None
    state: RequestState | None  # None: the request has no readable date
    file: str | None = None


def _approved(
    workspace: Workspace, decisions: pd.DataFrame, store: _LatestMarks | None = None
) -> bool:
    from flows.decisions import open_store

    decided = decisions["decision"].to_numpy(dtype=object, na_value=None)
    due = decisions["trace_id"].to_numpy(dtype=object)[decided == "delete"].tolist()
    if not due:
        return False
    if store is not None:
        latest, key = store.read()
        marks = [latest.get(key(str(t))) for t in due]
    else:
        with open_store(workspace.state_dir) as opened:
            latest = opened.latest()
            marks = [latest.get(opened.trace_key(str(t))) for t in due]
    return all(m is not None and m.decision == "approve" for m in marks)


class _LatestMarks:
    """The decision store's latest marks, read once for every request of a status list."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.marks: tuple[dict[str, Any], Callable[[str], str]] | None = None

    def read(self) -> tuple[dict[str, Any], Callable[[str], str]]:
        if self.marks is None:
            from flows.decisions import open_store

            with open_store(self.workspace.state_dir) as store:
                self.marks = (store.latest(), store.trace_key)
        return self.marks


#: what a request's state is worked out from (a narrow copy: each person's rows are
#: taken from a dozen columns, not from every column of the traces and decisions)
_STATUS_TRACES = ("trace_id", "source", "locator", "kind", "register", "event_date", "name",
                  "name_key", *KEY_COLUMNS)  # fmt: skip
_STATUS_DECISIONS = ("trace_id", "subject_id", "register", "kind", "decision", "erasure_request",
                     "hold_text_fi", "hold_text_en", "hold_until", "review_code",
                     "review_reason", "review_reason_en", "days_overdue")  # fmt: skip


def _for_status(seen: Observation) -> Observation:
    traces = seen.traces[[c for c in _STATUS_TRACES if c in seen.traces.columns]]
    decisions = seen.evaluation.decisions
    decisions = decisions[[c for c in _STATUS_DECISIONS if c in decisions.columns]]
    evaluation = dataclasses.replace(seen.evaluation, decisions=decisions)
    return dataclasses.replace(seen, traces=traces, evaluation=evaluation)


def status_of(
    workspace: Workspace,
    seen: Observation,
    today: date,
    prepared: dict[str, dict[str, str]] | None = None,
) -> list[StatusRow]:
    """Every logged request's state today (the status list, and the monthly proposal's)."""
    prepared = load_state(workspace) if prepared is None else prepared
    rows: list[StatusRow] = []
    seen = _for_status(seen)
    requests = logged_requests(seen)
    erasures = [r for r in requests if r.kind == "erasure" and r.received and r.subject_id]
    index = PeopleIndex(seen) if len(erasures) > 1 else None
    store = _LatestMarks(workspace)
    for request in requests:
        record = prepared.get(request.request_id)
        if request.received is None or not request.subject_id:
            rows.append(StatusRow(request.kind, request.source, request.row, None, None))
            continue
        file = record.get("file") if record else None
        if request.kind == "erasure":
            subjects = {request.subject_id}
            if request.row:
                person = Person(row=(request.source, request.row))
                subjects = find_subjects(seen, person, index) or subjects
            view = person_view(seen, subjects, index)
            state = erasure_state(
                view.decisions,
                request.received,
                promised_deadline(seen, [request.register]),
                today,
                prepared=record is not None,
                approved=_approved(workspace, view.decisions, store),
            )
        else:
            state = access_state(request.received, today, prepared=record is not None)
        rows.append(
            StatusRow(request.kind, request.source, request.row, request.received, state, file)
        )
    for request_id, record in sorted(prepared.items()):
        if request_id.startswith(CLI_PREFIX) and record.get("received"):
            received = date.fromisoformat(record["received"])
            state = access_state(received, today, prepared=True)
            rows.append(
                StatusRow("access", "karsinta access", None, received, state, record["file"])
            )
    return rows


def requests_run(workspace: Workspace, today: date, lang: str | None = None) -> dict[str, Any]:
    """Read the request logs, prepare what each new request needs, list every request.

    An erasure request gets its one-person proposal and letter, an access
    request its report, the day they are first seen. Returns counts and the
    status list's file name (no personal data); reminders are counted in
    ``near`` and ``overdue``.
    """
    from reports.request_status import write_status

    seen = observe_plain(workspace, today)
    prepared = load_state(workspace)
    made = {"erasure": 0, "access": 0}
    refused = 0
    for request in logged_requests(seen):
        if request.request_id in prepared or request.received is None:
            continue
        if not request.subject_id or not request.row:
            continue
        person = Person(row=(request.source, request.row))
        try:
            if request.kind == "erasure":
                outcome = forget(workspace, person, today, lang, seen=seen)
                record = {"file": outcome.files.xlsx.name, "letter": outcome.letter.name}
            else:
                done = access(workspace, person, today, lang, seen=seen)
                record = {"file": done.html.name}
        except KarsintaError:
            refused += 1
            continue
        record["prepared_on"] = today.isoformat()
        prepared[request.request_id] = record
        made[request.kind] += 1
    rows = status_of(workspace, seen, today, prepared)
    save_state(workspace, prepared)
    status = write_status(
        workspace.output_dir, workspace.config.business, rows, today,
        lang or workspace.config.language,
    )  # fmt: skip
    states = [r.state for r in rows if r.state is not None]
    counts: dict[str, Any] = {
        "requests": len(rows),
        "open": sum(s.state != "done" for s in states),
        "prepared_erasure": made["erasure"],
        "prepared_access": made["access"],
        "near": sum(s.near for s in states),
        "overdue": sum(s.overdue > 0 for s in states),
        "blocked": sum(s.state == "blocked" for s in states),
        "undated": sum(r.state is None for r in rows),
        "not_prepared": refused,
        "status_html": status.name,
    }
    return counts


@flow(name="daily_requests", persist_result=False, log_prints=False, validate_parameters=True)
def daily_requests(workspace: str, today: str | None = None) -> dict[str, Any]:
    """The daily requests run of one workspace. Parameters: a path and a date.

    Returns counts only; the files are in the workspace's ``raportit/``.
    """
    from flows.notify import notify_requests
    from flows.review import counts_markdown

    ws = load_workspace(Path(workspace))
    run_date = date.fromisoformat(today) if today else helsinki_today()
    counts = requests_run(ws, run_date)
    counts["notified"] = notify_requests(ws, counts)
    artifact(
        counts_markdown(ws.key(), counts, f"daily requests {run_date.isoformat()}"),
        key="karsinta-daily-requests",
        description="Counts only: no customer data.",
    )
    return counts
