"""The joined view every report reads: one row per trace with its decision.

Joins the engine's decisions with what the owner needs to recognise the
record (name, where it is, what it is). Also the small pieces of wording
shared by the reports: a person's display name, a record's location.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from policies.findings import Finding
from policies.safety import SafetyReport
from reports.texts import t

VIEW_TRACE_COLUMNS = [
    "trace_id",
    "label",
    "name",
    "email",
    "phone",
    "customer_no",
    "event_date",
    "locator",
    "fingerprint",
]


@dataclass(frozen=True)
class SourceSummary:
    """What one source gave, with no personal data: safe for any report."""

    id: str
    connector: str
    file: str
    register: str
    traces: int
    problems: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Remembered:
    """A due trace the owner already decided, so it is not proposed again now.

    ``state`` is ``rejected`` (hylkää; until the trace changes), ``postponed``
    (siirrä; asked again from next month on) or ``waiting`` (approved, on the
    manual checklist: "odottaa käsin poistoa"). ``note`` is the owner's own
    comment from the proposal's comment column, if she wrote one.
    """

    state: str
    month: str
    note: str | None = None


@dataclass
class ProposalMemory:
    """What the decision store says about this run's due traces (by trace id).

    ``hidden``: not proposed again (shown in a small section instead);
    ``carried``: marks already made this month on a row that is unchanged,
    written into the new version's decision (and comment) cells.
    """

    hidden: dict[str, Remembered] = field(default_factory=dict)
    carried: dict[str, tuple[str, str | None]] = field(default_factory=dict)


@dataclass
class ReviewRun:
    """Everything one monthly review produced, in memory."""

    business: str
    registers: dict[str, str]
    today: date
    lang: str
    traces: pd.DataFrame
    decisions: pd.DataFrame
    findings: list[Finding]
    sources: list[SourceSummary]
    workspace_key: str
    previous_digest: str | None = None
    #: the workspace's secret HMAC key: each proposal row's check value (flows.ledger)
    row_key: bytes = b""
    memory: ProposalMemory = field(default_factory=ProposalMemory)
    #: the proposal's file name without suffix (a same-month re-run: "-v2", ...)
    stem: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: what the run's safety rule blocked (policies.safety): opens the proposal
    safety: SafetyReport | None = None
    #: every open data subject request (reports.request_status.status_rows): the proposal
    #: lists them first, blocked ones with their hold (GDPR art. 12(4))
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def month(self) -> str:
        return f"{self.today.year:04d}-{self.today.month:02d}"


def joined(run: ReviewRun, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Decisions with the trace fields a person recognises, plus display columns.

    ``rows``: only these decisions (a subset of ``run.decisions``; a report
    that shows part of a large run joins only that part). A person's display
    name always comes from all of the subject's traces.
    """
    decisions = run.decisions if rows is None else rows
    view = join_traces(decisions, run.traces, VIEW_TRACE_COLUMNS)
    if rows is None:
        view["person"] = person_names(view, run.lang)
    else:
        names = subject_names(
            join_traces(run.decisions[["trace_id", "subject_id"]], run.traces, ["name", "email"])
        )
        view["person"] = (
            view["subject_id"].map(names).astype("string").fillna(t(run.lang)("unnamed"))
        )
    view["where"] = location_texts(
        view["locator"].to_numpy().tolist(), view["label"].to_numpy().tolist(), run.lang
    )
    return view


def join_traces(
    decisions: pd.DataFrame, traces: pd.DataFrame, columns: Iterable[str]
) -> pd.DataFrame:
    """``decisions`` with the trace ``columns`` of each row's trace (a one-to-one left join).

    As ``decisions.merge(traces[columns], on="trace_id", how="left",
    validate="one_to_one")``, without the cost of pandas' validation: a trace
    id twice on either side is a MergeError.
    """
    left = decisions["trace_id"].is_unique
    right = traces["trace_id"].is_unique
    if not (left and right):
        side = "either left or right" if not (left or right) else "left" if right else "right"
        raise pd.errors.MergeError(
            f"Merge keys are not unique in {side} dataset; not a one-to-one merge"
        )
    wanted = [c for c in columns if c != "trace_id"]
    if set(wanted) & set(decisions.columns):  # merge's suffixes: the plain way
        return decisions.merge(
            traces[["trace_id", *wanted]], on="trace_id", how="left", validate="one_to_one"
        )
    found = traces.set_index("trace_id")[wanted].reindex(decisions["trace_id"].to_numpy())
    return pd.concat([decisions.reset_index(drop=True), found.reset_index(drop=True)], axis=1)


def subject_names(view: pd.DataFrame) -> pd.Series:
    """Per subject id, its commonest name, else its first e-mail (grouped, no per-person loop).

    A tie goes to the name seen first.
    """
    shown = view["name"].astype("string").copy()
    missing = shown.isna()
    if missing.any():
        email = view.loc[missing, "email"].astype("string")
        shown[missing] = email.str.split(";").str[0]
    have = shown.notna()
    pairs = pd.DataFrame({"subject": view.loc[have, "subject_id"], "name": shown[have]})
    counts = pairs.groupby(["subject", "name"], sort=False).size()
    counts = counts.sort_values(ascending=False, kind="stable")
    best = counts[~counts.index.get_level_values(0).duplicated()]
    return pd.Series(
        best.index.get_level_values(1), index=best.index.get_level_values(0), dtype="string"
    )


def person_names(view: pd.DataFrame, lang: str) -> pd.Series:
    """One display name per subject: the commonest name, else an e-mail, else '(no name)'."""
    out = view["subject_id"].map(subject_names(view)).astype("string")
    return out.fillna(t(lang)("unnamed"))


#: the row words a connector writes into a trace's label ("Tilaukset, rivi 12"): the
#: connectors speak Finnish; the report says the row from the locator, in its own language
_LABEL_ROW = re.compile(r"^rivi (\d+)$")


def location_text(locator: Any, label: Any, lang: str) -> str:
    """'tilaukset.xlsx, Tilaukset, rivi 5 — Tilaus 14.8.2026' from a trace's locator.

    In one language only: the row comes from the locator (``row 5`` in English);
    a label's own Finnish row part ("Tilaukset, rivi 5") is not repeated after it.
    """
    return location_texts([locator], [label], lang)[0]


_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def parse_locator(locator: Any) -> dict[str, Any]:
    """A locator's JSON object ({} when it is none); the one-object case without overhead."""
    if not isinstance(locator, str):
        return {}
    if locator[:1] == "{" and locator[-1:] == "}":
        try:
            value, end = _SCAN(locator, 0)
        except (StopIteration, ValueError):
            end = -1
        if end == len(locator):
            return value if isinstance(value, dict) else {}
    try:
        value = json.loads(locator)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def parse_locators(locators: Sequence[Any]) -> list[dict[str, Any]]:
    """:func:`parse_locator` of many locators: one JSON parse of them all as one array.

    Locators are JSON objects written by connectors.base.finalize; anything else
    (or a text the one parse cannot split back into as many objects) is parsed
    one by one, as :func:`parse_locator` would.
    """
    plain = [type(v) is str and v[:1] == "{" and v[-1:] == "}" for v in locators]
    texts = [v if ok else "null" for v, ok in zip(locators, plain, strict=True)]
    try:
        values = json.loads("[" + ",".join(texts) + "]") if texts else []
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != len(texts):
        return [parse_locator(v) for v in locators]
    return [
        (v if type(v) is dict else {}) if ok else parse_locator(locator)
        for v, ok, locator in zip(values, plain, locators, strict=True)
    ]


def location_texts(locators: Sequence[Any], labels: Iterable[Any], lang: str) -> list[str]:
    """:func:`location_text` of many traces (the row word and file names worked out once)."""
    row_word = t(lang)("row")
    files: dict[str, str] = {}
    out: list[str] = []
    append = out.append
    for where, label in zip(parse_locators(locators), labels, strict=True):
        get = where.get
        parts: list[str] = []
        file = get("file")
        if file:
            name = files.get(file) if type(file) is str else None
            if name is None:
                name = posixpath.basename(str(file).rstrip("/"))
                if type(file) is str:
                    files[file] = name
            parts.append(name)
        if get("sheet"):
            parts.append(str(where["sheet"]))
        if get("path"):
            parts.append(str(where["path"]))
        row = get("row")
        if row is not None:
            parts.append(f"{row_word} {row}")
        if get("invoice_no"):
            parts.append(f"#{where['invoice_no']}")
        if get("uid"):
            parts.append(f"UID {where['uid']}")
        place = ", ".join(parts)
        if not isinstance(label, str) or not label:
            append(place)
            continue
        pieces = []
        for piece in label.split(","):
            piece = piece.strip()
            match = _LABEL_ROW.match(piece) if piece[:5] == "rivi " else None
            if match is None:
                pieces.append(piece)
            elif row is None:
                pieces.append(f"{row_word} {match.group(1)}")
        # A label that only repeats the place ("Tilaukset, rivi 20") adds nothing.
        for piece in pieces:
            if piece not in place:
                shown = ", ".join(pieces)
                append(f"{place} — {shown}" if place else shown)
                break
        else:
            append(place)
    return out


def file_stem(today: date, version: int = 1) -> str:
    """``poistoehdotus-2026-11``; a same-month re-run's new version ``...-v2``."""
    stem = f"poistoehdotus-{today.year:04d}-{today.month:02d}"
    return stem if version <= 1 else f"{stem}-v{version}"


def next_month_end(today: date) -> date:
    """The last day of the month after ``today``'s month."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
