"""The owner's monthly deletion proposal: one HTML page to read, one XLSX to mark.

``poistoehdotus-YYYY-MM.html`` — self-contained (no network assets), printable:
first what needs action now (overdue erasure requests, then deletions due,
grouped per person with every source where that person appears), then what
is held and why, what becomes due next month, what needs a person's review,
the findings, and the sources read.

``poistoehdotus-YYYY-MM.xlsx`` — one row per proposed action (per trace),
with a decision dropdown (hyväksy / hylkää / siirrä; in English approve /
reject / postpone), a comment column,
frozen header, a summary sheet, and a hidden ``_karsinta`` sheet naming the
proposal, the workspace and the month. Every value from a source goes
through reports.cells.

Rows that cannot be misaligned: each row's identity travels with its visible
cells. The technical columns (trace id, fingerprint, engine action and a
check value) sit hidden at the right end *inside* the one autofilter range,
so sorting or filtering moves them with the row. The check value is an HMAC
(the workspace's secret key, ``flows.ledger``) over the technical ids and
the row's visible identifying cells (person, source, location, kind, action,
due date): apply skips a row whose visible cells no longer match its ids.
The sheet is protected without a password: only the decision and comment
cells can be edited; sorting and the filter stay allowed (in OOXML sheet
protection ``sort="0"`` / ``autoFilter="0"`` mean *not* locked). Excel may
still refuse to sort locked cells on a protected sheet: then it refuses,
it never misaligns.

A same-month re-run never overwrites a marked proposal: the review writes
``poistoehdotus-YYYY-MM-v2.xlsx`` (and ``.html``), and so on (flows.review).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from connectors.keyed import hmac_sha256_many
from policies.identity import NO_KEY_NAME_MATCH
from policies.periods import en_date, fi_date
from reports.cells import (
    DATE_FORMAT_EN,
    DATE_FORMAT_FI,
    all_xml_safe,
    by_distinct,
    owner_only_file,
    stream_cell,
    stream_row,
    template_env,
    write_text_file,
    xml_safe,
)
from reports.request_status import request_texts
from reports.texts import decision_words, kind_name, t
from reports.view import ReviewRun, file_stem, joined, next_month_end
from reports.xlsx_stream import Columns, FastSheet, add_template, finish

FORMAT_VERSION = "2"
META_SHEET = "_karsinta"
#: hidden columns at the right end of the proposal sheet that apply reads back
ID_HEADERS = (
    "karsinta_trace_id",
    "karsinta_fingerprint",
    "karsinta_action",
    "karsinta_rule",
    "karsinta_check",
)
#: the owner's columns (1-based): her decision, and her comment (e.g. why she rejects)
DECISION_COLUMN = 1
COMMENT_COLUMN = 11
#: the visible identifying cells the check value covers: person, source, location,
#: kind, action, due date (1-based columns of the proposal sheet)
CHECK_COLUMNS = (2, 3, 4, 5, 6, 9)


def cell_text(value: Any) -> str:
    """A cell's value as the check value sees it, the same written and read back."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return xml_safe(str(value))


def row_check(
    key: bytes, trace_id: str, fingerprint: str, action: str, rule_id: str, visible: Sequence[Any]
) -> str:
    """The row's check value: HMAC-SHA-256 over its ids and visible cells (hex, 32 chars)."""
    parts = [trace_id, fingerprint, action, rule_id, *(cell_text(v) for v in visible)]
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _values(column: pd.Series) -> list[Any]:
    """A column's values as a list, fast (a string column's NA stays pd.NA); not for dates."""
    return column.to_numpy().tolist()


def _cell_texts(values: Any) -> list[str]:
    """:func:`cell_text` of a column's values (a date column vectorised, texts once each)."""
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_dtype(values.dtype):
        stamps = values.to_numpy()
        days = stamps.astype("datetime64[D]")
        missing = np.isnat(stamps)
        out: list[str] = np.datetime_as_string(days, unit="D").tolist()
        for position in np.flatnonzero(missing).tolist():
            out[position] = ""
        for position in np.flatnonzero((stamps != days) & ~missing).tolist():  # a time of day
            out[position] = cell_text(values.iloc[position])
        return out
    texts = by_distinct(values, _xml_safe_texts, "")
    if texts is not None:
        return texts
    if isinstance(values, pd.Series):
        values = _values(values)
    return [cell_text(value) for value in values]


def _xml_safe_texts(texts: list[str]) -> list[str]:
    return texts if all_xml_safe(texts) else [xml_safe(text) for text in texts]


def row_checks(
    key: bytes,
    trace_ids: Sequence[str],
    fingerprints: Sequence[str],
    actions: Sequence[str],
    rule_ids: Sequence[str],
    visible: Sequence[Any],
) -> list[str]:
    """:func:`row_check` of many rows at once; ``visible`` is the checked cells by column."""
    texts = [_cell_texts(column) for column in visible]
    messages = (
        "\x1f".join(parts).encode("utf-8")
        for parts in zip(trace_ids, fingerprints, actions, rule_ids, *texts, strict=True)
    )
    return hmac_sha256_many(key, messages, 32)


@dataclass(frozen=True)
class ProposalFiles:
    html: Path
    xlsx: Path
    proposal_id: str
    digest: str
    unchanged: bool


def proposal_digest(decisions: pd.DataFrame, hidden: Sequence[str] = ()) -> str:
    """A hash of what is proposed (trace, action): equal digests = no changes."""
    due = (decisions["decision"] == "delete") & ~decisions["trace_id"].isin(list(hidden))
    rows = decisions.loc[due, ["trace_id", "action"]]
    pairs = zip(_values(rows["trace_id"]), _values(rows["action"]), strict=True)
    text = "\n".join(sorted([f"{a}|{b}" for a, b in pairs]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def proposed(run: ReviewRun, view: pd.DataFrame) -> pd.DataFrame:
    """The rows proposed for deletion now: due, and not already decided (run.memory)."""
    return view[(view["decision"] == "delete") & ~view["trace_id"].isin(list(run.memory.hidden))]


#: runs a piece of work meanwhile and gives back a function that waits for its value
#: (flows.beside: a forked child); by default the work is done when waited for
Meanwhile = Callable[[Callable[[], Any]], Callable[[], Any]]


def _later(work: Callable[[], Any]) -> Callable[[], Any]:
    return work


def write_proposal(
    run: ReviewRun,
    out_dir: Path,
    meanwhile: Meanwhile = _later,
    requests: Callable[[], list[dict[str, Any]]] | None = None,
) -> ProposalFiles:
    """Write both files (owner-only, atomically) and say where they are.

    ``meanwhile``: the page is rendered by it (another process) while the XLSX
    is written here. ``requests``: the open requests for the page, asked for
    once the view is made (another process works them out meanwhile); else
    ``run.requests``.
    """
    view = proposal_view(run)
    if requests is not None:
        run.requests = requests()
    digest = proposal_digest(run.decisions, list(run.memory.hidden))
    proposal_id = f"{run.workspace_key[:12]}-{run.month}-{digest[:8]}"
    unchanged = run.previous_digest == digest
    stem = run.stem or file_stem(run.today)
    html_path = out_dir / f"{stem}.html"
    xlsx_path = out_dir / f"{stem}.xlsx"
    page = meanwhile(
        lambda: write_text_file(html_path, render_html(run, view, proposal_id, unchanged))
    )
    with owner_only_file(xlsx_path) as temp:
        save_workbook(run, view, proposal_id, temp)
    page()
    return ProposalFiles(html_path, xlsx_path, proposal_id, digest, unchanged)


# ----------------------------------------------------------------------- HTML


@cache
def _env() -> Environment:
    """The reports' environment, made once: the page's template is compiled once per process."""
    return template_env()


def warm() -> None:
    """Compile the page's template now (Jinja caches it), e.g. while sources are read."""
    _env().get_template("proposal.html.j2")


# ------------------------------------------------------------ what is shown

#: The page stays readable (and a few MB at most) at any size: at most this many
#: people in full, this many rows per list, this many groups per summary. The
#: XLSX holds every row; the counts on the page are always of every row.
PEOPLE_SHOWN = 150
ROWS_SHOWN = 200
GROUPS_SHOWN = 300
#: a review with this code is a trace with no strong key: its own section
KEYLESS = "no_key"


def overdue_erasure_subjects(run: ReviewRun, frame: pd.DataFrame) -> set[str]:
    """Subjects whose erasure request is past its deadline (delete or review still open)."""
    rows = frame[
        frame["erasure_request"]
        & frame["decision"].isin(["delete", "review"])
        & frame["due_date"].notna()
        & (frame["due_date"] < pd.Timestamp(run.today))
    ]
    return set(rows["subject_id"])


def proposal_view(run: ReviewRun) -> pd.DataFrame:
    """The joined view of what the proposal shows, not of every trace.

    Every delete, hold and review row, what becomes due next month, and all
    rows of the people shown in full (so each of them shows every source).
    Kept rows of everyone else are counted from ``run.decisions``.
    """
    decisions = run.decisions
    today = pd.Timestamp(run.today)
    upcoming = (
        (decisions["decision"] == "keep")
        & decisions["due_date"].notna()
        & (decisions["due_date"] > today)
        & (decisions["due_date"] <= pd.Timestamp(next_month_end(run.today)))
    )
    erasure = overdue_erasure_subjects(run, decisions)
    needed = decisions["decision"].isin(["delete", "hold", "review"]) | upcoming
    needed |= decisions["subject_id"].isin(list(erasure))
    view = joined(run, decisions[needed])
    shown = set(_people_order(run, view, erasure)[:PEOPLE_SHOWN])
    missing = decisions["subject_id"].isin(list(shown - erasure)) & ~needed
    if missing.any():
        view = pd.concat([view, joined(run, decisions[missing])], ignore_index=True)
    return view


def _people_order(run: ReviewRun, view: pd.DataFrame, erasure: set[str]) -> list[str]:
    """Subjects with proposed deletions, by name (erasure people are listed apart)."""
    delete = proposed(run, view[["decision", "trace_id", "subject_id", "person"]])
    delete = delete[~delete["subject_id"].isin(list(erasure))]
    first = delete.drop_duplicates("subject_id").sort_values("person", kind="stable")
    return list(first["subject_id"])


def _date_text(value: Any, lang: str) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if pd.isna(value):
        return ""
    return en_date(value) if lang == "en" else fi_date(value)


_ROW_COLUMNS = [
    "person",
    "source",
    "where",
    "kind",
    "decision",
    "action",
    "trigger_date",
    "due_date",
    "days_overdue",
    "hold_until",
    "erasure_request",
]


def _rows(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Plain dicts for the template; dates as text, NA as ''. Only for rows shown."""
    text = t(lang)
    suffix = "_en" if lang == "en" else "_fi"
    reason = "review_reason" if lang == "fi" else "review_reason_en"
    needed = [*_ROW_COLUMNS, "rule_text" + suffix, "hold_text" + suffix, reason]
    out = []
    columns = [frame[c].tolist() for c in needed]
    for values in zip(*columns, strict=True):
        row = dict(zip(needed, values, strict=True))
        out.append(
            {
                "person": row["person"],
                "source": row["source"],
                "where": row["where"],
                "kind": kind_name(str(row["kind"]), lang),
                "decision": str(row["decision"]),
                "decision_text": text(f"decision_{row['decision']}"),
                "action": text(f"action_{row['action']}") if isinstance(row["action"], str) else "",
                "rule": _na(row["rule_text" + suffix]),
                "trigger": _date_text(row["trigger_date"], lang),
                "due": _date_text(row["due_date"], lang),
                "overdue": "" if pd.isna(row["days_overdue"]) else int(row["days_overdue"]),
                "hold": _na(row["hold_text" + suffix]),
                "hold_until": _date_text(row["hold_until"], lang) or text("until_further"),
                "reason": _na(row[reason]),
                "erasure": bool(row["erasure_request"]),
            }
        )
    return out


def _na(value: Any) -> str:
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
        else str(value)
    )


def _more(lang: str, total: int, shown: int) -> str:
    """'... and 1 234 more: every row is in the Excel file' (empty when all are shown)."""
    if total <= shown:
        return ""
    return t(lang)("more_in_xlsx").format(n=total - shown)


def _month_text(stamp: Any) -> str:
    return "" if pd.isna(stamp) else f"{stamp.month}/{stamp.year}"


def _people(
    run: ReviewRun, view: pd.DataFrame, subjects: list[str], erasure: set[str]
) -> list[dict[str, Any]]:
    """Each listed person with all their rows (one grouped pass, not a scan per person)."""
    order = {"delete": 0, "review": 1, "hold": 2, "keep": 3}
    place = {subject: n for n, subject in enumerate(subjects)}
    rows = view[view["subject_id"].isin(subjects) & ~view["trace_id"].isin(list(run.memory.hidden))]
    rows = rows.assign(
        _place=rows["subject_id"].map(place), _order=rows["decision"].map(order)
    ).sort_values(["_place", "_order", "source", "where"], kind="stable")
    shown = _rows(rows, run.lang)
    people: list[dict[str, Any]] = []
    last = None
    for place, subject, row in zip(rows["_place"], rows["subject_id"], shown, strict=True):
        if place != last:
            last = place
            people.append(
                {
                    "name": row["person"],
                    "erasure": str(subject) in erasure,
                    "rows": [],
                    "sources": [],
                }
            )
        people[-1]["rows"].append(row)
    for person in people:
        person["sources"] = sorted({r["source"] for r in person["rows"]})
    return people


def deletion_summary(delete: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Proposed deletions per source, kind and month of the record (counts and people)."""
    if delete.empty:
        return []
    month = delete["event_date"].dt.to_period("M")
    groups = (
        delete.assign(_month=month)
        .groupby(["source", "kind", "_month"], dropna=False, sort=True)
        .agg(rows=("trace_id", "size"), people=("subject_id", "nunique"))
        .reset_index()
    )
    return [
        {
            "source": source,
            "kind": kind_name(str(kind), lang),
            "month": _month_text(month),
            "rows": int(rows),
            "people": int(people),
        }
        for source, kind, month, rows, people in groups.head(GROUPS_SHOWN).itertuples(index=False)
    ]


def review_summary(review: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Reviews per reason, most first: what kind of look they need."""
    reason = review["review_reason" if lang == "fi" else "review_reason_en"].fillna("")
    counts = reason.value_counts()
    return [{"reason": str(r), "count": int(n)} for r, n in counts.head(GROUPS_SHOWN).items()]


def keyless_groups(keyless: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Name-only traces grouped by source and name: 40 calendar entries are one line.

    Each group says how many, over which months, where the first one is, and
    whether the name matches a customer (the reason says so; the owner can
    then look for that customer). Groups whose name matches come first.
    """
    if keyless.empty:
        return []
    matches = (keyless["review_reason"] == NO_KEY_NAME_MATCH[0]).fillna(False)
    frame = keyless.assign(
        _name=keyless["name"].fillna(t(lang)("unnamed")),
        _match=matches.astype(bool),
        _stamp=keyless["event_date"],
    ).sort_values(["source", "_name", "_stamp"], kind="stable")
    groups = (
        frame.groupby(["source", "_name"], sort=False)
        .agg(
            count=("trace_id", "size"),
            match=("_match", "any"),
            first=("_stamp", "min"),
            last=("_stamp", "max"),
            where=("where", "first"),
        )
        .reset_index()
        .sort_values(["match", "count", "source", "_name"], ascending=[False, False, True, True])
    )
    text = t(lang)
    out = []
    for source, name, count, match, first, last, where in groups.head(GROUPS_SHOWN).itertuples(
        index=False
    ):
        months = _month_text(first)
        if _month_text(last) != months:
            months = f"{months}–{_month_text(last)}"
        out.append(
            {
                "source": source,
                "name": name,
                "count": int(count),
                "months": months,
                "where": where,
                "match": text("keyless_match") if match else "",
            }
        )
    return out


def sections(run: ReviewRun, view: pd.DataFrame) -> dict[str, Any]:
    """What the page shows, section by section, in the order the owner acts."""
    lang = run.lang
    delete = proposed(
        run, view[["decision", "trace_id", "subject_id", "source", "kind", "event_date"]]
    )
    # An overdue erasure request comes first, whatever keeps it from being done
    # (a source read with errors, an identity to check): the deadline has passed.
    erasure = overdue_erasure_subjects(run, view)
    erasure_order = (
        view[view["subject_id"].isin(list(erasure))]
        .drop_duplicates("subject_id")
        .sort_values("person", kind="stable")["subject_id"]
    )
    erasure_people = _people(run, view, list(erasure_order), erasure)
    order = _people_order(run, view, erasure)
    people = _people(run, view, order[:PEOPLE_SHOWN], erasure)

    held_all = view[view["decision"] == "hold"]
    # Holds that end soonest first: those people need attention first.
    held = held_all.sort_values(
        ["hold_until", "person", "source"], na_position="last", kind="stable"
    ).head(ROWS_SHOWN)
    upcoming_end = pd.Timestamp(next_month_end(run.today))
    upcoming_all = view[
        (view["decision"] == "keep")
        & view["due_date"].notna()
        & (view["due_date"] > pd.Timestamp(run.today))
        & (view["due_date"] <= upcoming_end)
    ]
    upcoming = upcoming_all.sort_values(["due_date", "person"], kind="stable").head(ROWS_SHOWN)
    review_all = view[view["decision"] == "review"]
    is_keyless = (review_all["review_code"] == KEYLESS).fillna(False).astype(bool)
    keyless = review_all[is_keyless]
    review = review_all[~is_keyless]
    review_shown = review.sort_values(["person", "source"], kind="stable").head(ROWS_SHOWN)
    return {
        "remembered": remembered(run, view),
        "erasure_people": erasure_people,
        "people": people,
        "people_more": _more(lang, len(order), PEOPLE_SHOWN),
        "deletion_summary": deletion_summary(delete, lang),
        "held": _rows(held, lang),
        "held_more": _more(lang, len(held_all), ROWS_SHOWN),
        "upcoming": _rows(upcoming, lang),
        "upcoming_more": _more(lang, len(upcoming_all), ROWS_SHOWN),
        "review": _rows(review_shown, lang),
        "review_more": _more(lang, len(review), ROWS_SHOWN),
        "review_summary": review_summary(review, lang) if len(review) > ROWS_SHOWN else [],
        "keyless": keyless_groups(keyless, lang),
        "counts": {
            "delete": len(delete),
            "people": int(delete["subject_id"].nunique()),
            "hold": len(held_all),
            "review": len(review_all),
            "keyless": len(keyless),
            "next": len(upcoming_all),
        },
    }


def remembered(run: ReviewRun, view: pd.DataFrame) -> dict[str, Any]:
    """Due rows decided earlier, per state: rejected, postponed, waiting (on the checklist).

    ``counts`` has every state's count; the lists show at most ROWS_SHOWN rows each.
    """
    text = t(run.lang)
    out: dict[str, Any] = {"rejected": [], "postponed": [], "waiting": []}
    counts = dict.fromkeys(out, 0)
    hidden = run.memory.hidden
    rows = view[(view["decision"] == "delete") & view["trace_id"].isin(list(hidden))]
    for row in rows.sort_values(["person", "source", "where"]).to_dict(orient="records"):
        mark = hidden[str(row["trace_id"])]
        counts[mark.state] = counts.get(mark.state, 0) + 1
        if counts[mark.state] > ROWS_SHOWN:
            continue
        out.setdefault(mark.state, []).append(
            {
                "person": row["person"],
                "source": row["source"],
                "where": row["where"],
                "kind": kind_name(str(row["kind"]), run.lang),
                "month": mark.month,
                "note": mark.note or "",
                "state": text(f"remembered_{mark.state}"),
            }
        )
    out["counts"] = counts
    return out


def render_html(run: ReviewRun, view: pd.DataFrame, proposal_id: str, unchanged: bool) -> str:
    text = t(run.lang)
    template = _env().get_template("proposal.html.j2")
    findings = [
        {
            "severity": text(f"severity_{f.severity}"),
            "severity_code": f.severity,
            "register": run.registers.get(f.register, f.register),
            "text": f.text_en if run.lang == "en" else f.text_fi,
            "count": f.count,
        }
        for f in run.findings
    ]
    return template.render(
        t=text,
        intro=escape(text("intro")).format(command=Markup("<code>karsinta apply</code>")),
        lang=run.lang,
        business=run.business,
        month=run.month,
        run_date=_date_text(run.today, run.lang),
        proposal_id=proposal_id,
        unchanged=unchanged,
        findings=findings,
        sources=run.sources,
        requests=run.requests,
        rt=request_texts(run.lang),
        blocked_registers=[b.text(run.lang) for b in run.safety.registers] if run.safety else [],
        blocked_sources=[p for b in run.safety.sources for p in b.problems] if run.safety else [],
        **sections(run, view),
    )


# ----------------------------------------------------------------------- XLSX

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def build_workbook(
    run: ReviewRun, view: pd.DataFrame, proposal_id: str
) -> tuple[Workbook, list[FastSheet]]:
    """The proposal workbook's structure, and its large sheets' rows to stream.

    Save the workbook, then :func:`reports.xlsx_stream.finish` the file with
    the returned sheets (:func:`save_workbook` does both). Column widths,
    hidden columns and frozen panes are set before the header; the dropdown,
    the autofilter and the protection cover every row.
    """
    lang = run.lang
    text = t(lang)
    date_format = DATE_FORMAT_EN if lang == "en" else DATE_FORMAT_FI
    suffix = "_en" if lang == "en" else "_fi"
    workbook = Workbook(write_only=True)
    fast: list[FastSheet] = []

    proposal = workbook.create_sheet(text("sheet_proposal"))
    headers = [
        text("col_decision"),
        text("col_person"),
        text("col_source"),
        text("col_where"),
        text("col_kind"),
        text("col_action"),
        text("col_rule"),
        text("col_trigger"),
        text("col_due"),
        text("col_overdue"),
        text("col_comment"),
        *ID_HEADERS,
    ]
    _widths(proposal, [12, 24, 16, 48, 16, 12, 60, 12, 12, 10, 30, 18, 18, 10, 10, 18])
    for column in range(len(headers) - len(ID_HEADERS) + 1, len(headers) + 1):
        proposal.column_dimensions[get_column_letter(column)].hidden = True
    proposal.freeze_panes = "B2"
    _header(proposal, headers)
    delete = proposed(run, view)
    delete = delete.assign(
        _erasure_first=~(delete["erasure_request"] & (delete["days_overdue"].fillna(0) > 0))
    ).sort_values(["_erasure_first", "person", "source", "where"], kind="stable")
    unlocked = frozenset({DECISION_COLUMN - 1, COMMENT_COLUMN - 1})
    add_template(proposal, len(headers), date_format, unlocked)
    fast.append(FastSheet(0, len(headers), _proposal_rows(run, delete), unlocked))
    last = max(2, len(delete) + 1)
    words = decision_words(lang)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(words) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Karsinta",
        error=", ".join(words),
    )
    choice.add(f"A2:A{last}")
    proposal.data_validations.append(choice)
    # One range: the technical columns move with their row when she sorts or filters.
    proposal.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    _protect(proposal)

    _summary_sheet(workbook.create_sheet(text("sheet_summary")), run, proposal_id, date_format)
    held = view[view["decision"] == "hold"].sort_values(["person"], kind="stable")
    fast.append(
        _list_sheet(
            workbook,
            2,
            text("sheet_held"),
            [
                text("col_person"),
                text("col_source"),
                text("col_where"),
                text("col_kind"),
                text("col_hold"),
                text("col_hold_until"),
            ],
            len(held),
            Columns(
                [
                    held["person"],
                    held["source"],
                    held["where"],
                    _kind_names(held["kind"], lang),
                    held["hold_text" + suffix],
                    held["hold_until"],
                ]
            ),
            [24, 16, 48, 16, 70, 14],
            date_format,
        )
    )
    reason = "review_reason" if lang == "fi" else "review_reason_en"
    review = view[view["decision"] == "review"].sort_values(["person"], kind="stable")
    keyless = (review["review_code"] == KEYLESS).fillna(False).astype(bool)
    for index, title, rows in (
        (3, text("sheet_review"), review[~keyless]),
        (4, text("sheet_keyless"), review[keyless]),
    ):
        fast.append(
            _list_sheet(
                workbook,
                index,
                title,
                [
                    text("col_person"),
                    text("col_source"),
                    text("col_where"),
                    text("col_kind"),
                    text("col_reason"),
                ],
                len(rows),
                Columns(
                    [
                        rows["person"],
                        rows["source"],
                        rows["where"],
                        _kind_names(rows["kind"], lang),
                        rows[reason],
                    ]
                ),
                [24, 16, 48, 16, 70],
                date_format,
            )
        )
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in [
        ("format", FORMAT_VERSION),
        ("proposal_id", proposal_id),
        ("workspace_key", run.workspace_key),
        ("month", run.month),
        ("run_date", run.today.isoformat()),
        ("lang", lang),
        ("decision_column", str(DECISION_COLUMN)),
        ("comment_column", str(COMMENT_COLUMN)),
        ("check_columns", ",".join(map(str, CHECK_COLUMNS))),
    ]:
        meta.append(stream_row(meta, [key, value]))
    return workbook, fast


def save_workbook(run: ReviewRun, view: pd.DataFrame, proposal_id: str, path: Path) -> None:
    """Write the proposal XLSX to ``path`` (structure by openpyxl, rows streamed)."""
    workbook, fast = build_workbook(run, view, proposal_id)
    workbook.save(path)
    finish(path, fast)


def _proposal_rows(run: ReviewRun, delete: pd.DataFrame) -> Columns:
    """The proposal sheet's rows: visible cells, then the ids and the row's check value.

    Built column by column (each distinct kind, action or date handled once);
    the check values in one pass (:func:`row_checks`).
    """
    lang = run.lang
    text = t(lang)
    suffix = "_en" if lang == "en" else "_fi"
    words = dict(zip(("approve", "reject", "postpone"), decision_words(lang), strict=True))
    kinds = {k: kind_name(str(k), lang) for k in delete["kind"].dropna().unique()}
    actions = {a: text(f"action_{a}") for a in ("delete", "anonymise")}
    trace_ids = [str(v) for v in _values(delete["trace_id"])]
    fingerprints = _values(delete["fingerprint"])
    engine_actions = [a if isinstance(a, str) else "delete" for a in _values(delete["action"])]
    action_texts = {a: actions.get(a) or text(f"action_{a}") for a in set(engine_actions)}
    rule_ids = [
        r if type(r) is str else "" if pd.isna(r) else str(r) for r in _values(delete["rule_id"])
    ]
    carried = run.memory.carried
    marks = [carried.get(trace_id, (None, None)) for trace_id in trace_ids]
    person = _values(delete["person"])
    source = _values(delete["source"])
    where = _values(delete["where"])
    kind = [kinds.get(k, k) for k in _values(delete["kind"])]
    action = [action_texts[a] for a in engine_actions]
    due = delete["due_date"]
    visible: list[Any] = [
        [words.get(mark or "") for mark, _ in marks],
        person,
        source,
        where,
        kind,
        action,
        _values(delete["rule_text" + suffix]),
        delete["trigger_date"],
        due,
        [
            late if type(late) is int else None if pd.isna(late) else int(late)
            for late in _values(delete["days_overdue"])
        ],
        [comment for _, comment in marks],
    ]
    checks = row_checks(
        run.row_key,
        trace_ids,
        [str(f) for f in fingerprints],
        engine_actions,
        rule_ids,
        [visible[c - 1] for c in CHECK_COLUMNS],
    )
    return Columns([*visible, trace_ids, fingerprints, engine_actions, rule_ids, checks])


def _kind_names(kinds: pd.Series, lang: str) -> list[str]:
    """Each kind's name in ``lang`` (named once per distinct kind)."""
    names: dict[Any, str] = {}
    out = []
    for kind in _values(kinds):
        name = names.get(kind)
        if name is None:
            name = names[kind] = kind_name(str(kind), lang)
        out.append(name)
    return out


def _protect(sheet: Any) -> None:
    """Only the decision and comment cells can be edited; sort and filter stay allowed.

    The editable cells are written unlocked (reports.cells.stream_row). No
    password: protection keeps an accidental edit or cut from moving a person
    away from the ids, it is not a secret (the check value is).
    """
    protection = sheet.protection
    protection.sheet = True
    protection.sort = False  # False = not locked: sorting allowed
    protection.autoFilter = False  # filtering allowed
    protection.formatColumns = False  # column widths may change
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _header(sheet: Any, headers: list[str]) -> None:
    cells = [stream_cell(sheet, header) for header in headers]
    for cell in cells:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.append(cells)


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _list_sheet(
    workbook: Workbook,
    index: int,
    title: str,
    headers: list[str],
    count: int,
    rows: Iterable[Sequence[Any]] | Columns,
    widths: list[int],
    date_format: str,
) -> FastSheet:
    sheet = workbook.create_sheet(title)
    _widths(sheet, widths)
    sheet.freeze_panes = "A2"
    _header(sheet, headers)
    add_template(sheet, len(headers), date_format, frozenset())
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(2, count + 1)}"
    return FastSheet(index, len(headers), rows)


def _summary_sheet(sheet: Any, run: ReviewRun, proposal_id: str, date_format: str) -> None:
    text = t(run.lang)
    counts = run.decisions["decision"].value_counts()
    lines: list[list[Any]] = [
        [text("proposal_title"), None],
        [text("business"), run.business],
        [text("month"), run.month],
        [text("run_date"), run.today],
        [None, None],
        [text("xlsx_howto"), None],
        [None, None],
        [text("decision_delete"), int(counts.get("delete", 0))],
        [text("decision_hold"), int(counts.get("hold", 0))],
        [text("decision_review"), int(counts.get("review", 0))],
        [text("decision_keep"), int(counts.get("keep", 0))],
        [None, None],
        ["ID", proposal_id],
    ]
    _widths(sheet, [34, 40, 20, 20])
    sheet.row_dimensions[6].height = 60
    sheet.merged_cells.add("A6:D6")
    for number, values in enumerate(lines, start=1):
        cells = [
            stream_cell(sheet, values[0], date_format),
            *stream_row(sheet, values[1:], date_format),
        ]
        if number == 1:
            cells[0].font = Font(bold=True, size=14)
        if number == 6:
            cells[0].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append(cells)
