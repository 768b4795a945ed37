"""The owner's monthly deletion proposal: one HTML page to read, one XLSX to mark.

``poistoehdotus-YYYY-MM.html`` — self-contained (no network assets), printable:
first what needs action now (overdue erasure requests, then deletions due,
grouped per person with every source where that person appears), then what
is held and why, what becomes due next month, what needs a person's review,
the findings, and the sources read.

``poistoehdotus-YYYY-MM.xlsx`` — one row per proposed action (per trace),
with a decision dropdown (hyväksy / hylkää / siirrä), a comment column,
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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from policies.periods import en_date, fi_date
from reports.cells import (
    DATE_FORMAT_EN,
    DATE_FORMAT_FI,
    owner_only_file,
    write_row,
    write_text_file,
    xml_safe,
)
from reports.texts import DECISION_WORDS, kind_name, t
from reports.view import ReviewRun, joined, next_month_end

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
    text = "\n".join(
        sorted(f"{a}|{b}" for a, b in zip(rows["trace_id"], rows["action"], strict=True))
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_stem(today: date, version: int = 1) -> str:
    """``poistoehdotus-2026-11``; a same-month re-run's new version ``...-v2``."""
    stem = f"poistoehdotus-{today.year:04d}-{today.month:02d}"
    return stem if version <= 1 else f"{stem}-v{version}"


def proposed(run: ReviewRun, view: pd.DataFrame) -> pd.DataFrame:
    """The rows proposed for deletion now: due, and not already decided (run.memory)."""
    return view[(view["decision"] == "delete") & ~view["trace_id"].isin(list(run.memory.hidden))]


def write_proposal(run: ReviewRun, out_dir: Path) -> ProposalFiles:
    """Write both files (owner-only, atomically) and say where they are."""
    view = joined(run)
    digest = proposal_digest(run.decisions, list(run.memory.hidden))
    proposal_id = f"{run.workspace_key[:12]}-{run.month}-{digest[:8]}"
    unchanged = run.previous_digest == digest
    stem = run.stem or file_stem(run.today)
    html_path = out_dir / f"{stem}.html"
    xlsx_path = out_dir / f"{stem}.xlsx"
    write_text_file(html_path, render_html(run, view, proposal_id, unchanged))
    with owner_only_file(xlsx_path) as temp:
        build_workbook(run, view, proposal_id).save(temp)
    return ProposalFiles(html_path, xlsx_path, proposal_id, digest, unchanged)


# ----------------------------------------------------------------------- HTML


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _date_text(value: Any, lang: str) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if pd.isna(value):
        return ""
    return en_date(value) if lang == "en" else fi_date(value)


def _rows(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Plain dicts for the template; dates as text, NA as ''."""
    text = t(lang)
    suffix = "_en" if lang == "en" else "_fi"
    out = []
    for row in frame.to_dict(orient="records"):
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
                "reason": _na(row["review_reason" if lang == "fi" else "review_reason_en"]),
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


def sections(run: ReviewRun, view: pd.DataFrame) -> dict[str, Any]:
    """What the page shows, section by section, in the order the owner acts."""
    lang = run.lang
    order = {"delete": 0, "review": 1, "hold": 2, "keep": 3}
    delete = proposed(run, view)
    # An overdue erasure request comes first, whatever keeps it from being done
    # (a source read with errors, an identity to check): the deadline has passed.
    overdue_erasure = view[
        view["erasure_request"]
        & view["decision"].isin(["delete", "review"])
        & view["due_date"].notna()
        & (view["due_date"] < pd.Timestamp(run.today))
    ]
    erasure_subjects = set(overdue_erasure["subject_id"])
    people = []
    shown = pd.concat([delete, view[view["subject_id"].isin(erasure_subjects)]])
    subjects = (
        shown.assign(_erasure=shown["subject_id"].isin(erasure_subjects))
        .sort_values(["_erasure", "person"], ascending=[False, True])["subject_id"]
        .drop_duplicates()
    )
    for subject in subjects:
        rows = view[view["subject_id"] == subject]
        # a row decided earlier is in the "decided earlier" section, not proposed here
        rows = rows[~rows["trace_id"].isin(list(run.memory.hidden))].copy()
        rows["_order"] = rows["decision"].map(order)
        rows = rows.sort_values(["_order", "source", "where"])
        people.append(
            {
                "name": rows["person"].iloc[0],
                "erasure": subject in erasure_subjects,
                "rows": _rows(rows, lang),
                "sources": sorted(set(rows["source"])),
            }
        )
    held = view[view["decision"] == "hold"].sort_values(["person", "source"])
    upcoming_end = pd.Timestamp(next_month_end(run.today))
    upcoming = view[
        (view["decision"] == "keep")
        & view["due_date"].notna()
        & (view["due_date"] > pd.Timestamp(run.today))
        & (view["due_date"] <= upcoming_end)
    ].sort_values(["due_date", "person"])
    review = view[view["decision"] == "review"].sort_values(["person", "source"])
    return {
        "remembered": remembered(run, view),
        "erasure_people": [p for p in people if p["erasure"]],
        "people": people,
        "held": _rows(held, lang),
        "upcoming": _rows(upcoming, lang),
        "review": _rows(review, lang),
        "counts": {
            "delete": len(delete),
            "people": int(delete["subject_id"].nunique()),
            "hold": len(held),
            "review": len(review),
            "next": len(upcoming),
        },
    }


def remembered(run: ReviewRun, view: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Due rows decided earlier, per state: rejected, postponed, waiting (on the checklist)."""
    text = t(run.lang)
    out: dict[str, list[dict[str, Any]]] = {"rejected": [], "postponed": [], "waiting": []}
    hidden = run.memory.hidden
    rows = view[(view["decision"] == "delete") & view["trace_id"].isin(list(hidden))]
    for row in rows.sort_values(["person", "source", "where"]).to_dict(orient="records"):
        mark = hidden[str(row["trace_id"])]
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
        lang=run.lang,
        business=run.business,
        month=run.month,
        run_date=_date_text(run.today, run.lang),
        proposal_id=proposal_id,
        unchanged=unchanged,
        findings=findings,
        sources=run.sources,
        blocked_registers=[b.text(run.lang) for b in run.safety.registers] if run.safety else [],
        blocked_sources=[p for b in run.safety.sources for p in b.problems] if run.safety else [],
        **sections(run, view),
    )


# ----------------------------------------------------------------------- XLSX

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def build_workbook(run: ReviewRun, view: pd.DataFrame, proposal_id: str) -> Workbook:
    lang = run.lang
    text = t(lang)
    date_format = DATE_FORMAT_EN if lang == "en" else DATE_FORMAT_FI
    suffix = "_en" if lang == "en" else "_fi"
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = text("sheet_summary")

    proposal = workbook.create_sheet(text("sheet_proposal"), 0)
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
    _header(proposal, headers)
    delete = proposed(run, view).copy()
    delete["_erasure_first"] = ~(delete["erasure_request"] & (delete["days_overdue"].fillna(0) > 0))
    delete = delete.sort_values(["_erasure_first", "person", "source", "where"])
    words = dict(zip(("approve", "reject", "postpone"), DECISION_WORDS, strict=True))
    for number, row in enumerate(delete.to_dict(orient="records"), start=2):
        action = str(row["action"]) if isinstance(row["action"], str) else "delete"
        mark, comment = run.memory.carried.get(str(row["trace_id"]), (None, None))
        visible = [
            words.get(mark or ""),
            row["person"],
            row["source"],
            row["where"],
            kind_name(str(row["kind"]), lang),
            text(f"action_{action}"),
            row["rule_text" + suffix],
            row["trigger_date"],
            row["due_date"],
            None if pd.isna(row["days_overdue"]) else int(row["days_overdue"]),
            comment,
        ]
        rule_id = "" if pd.isna(row["rule_id"]) else str(row["rule_id"])
        check = row_check(
            run.row_key,
            str(row["trace_id"]),
            str(row["fingerprint"]),
            action,
            rule_id,
            [visible[c - 1] for c in CHECK_COLUMNS],
        )
        write_row(
            proposal,
            number,
            [*visible, row["trace_id"], row["fingerprint"], action, rule_id, check],
            date_format,
        )
    last = max(2, len(delete) + 1)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISION_WORDS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Karsinta",
        error=", ".join(DECISION_WORDS),
    )
    proposal.add_data_validation(choice)
    choice.add(f"A2:A{last}")
    proposal.freeze_panes = "B2"
    # One range: the technical columns move with their row when she sorts or filters.
    proposal.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    _widths(proposal, [12, 24, 16, 48, 16, 12, 60, 12, 12, 10, 30, 18, 18, 10, 10, 18])
    for column in range(len(headers) - len(ID_HEADERS) + 1, len(headers) + 1):
        proposal.column_dimensions[get_column_letter(column)].hidden = True
    _protect(proposal, last)

    _list_sheet(
        workbook,
        text("sheet_held"),
        [
            text("col_person"),
            text("col_source"),
            text("col_where"),
            text("col_kind"),
            text("col_hold"),
            text("col_hold_until"),
        ],
        [
            [
                r["person"],
                r["source"],
                r["where"],
                kind_name(str(r["kind"]), lang),
                r["hold_text" + suffix],
                r["hold_until"],
            ]
            for r in view[view["decision"] == "hold"]
            .sort_values(["person"])
            .to_dict(orient="records")
        ],
        [24, 16, 48, 16, 70, 14],
        date_format,
    )
    reason = "review_reason" if lang == "fi" else "review_reason_en"
    _list_sheet(
        workbook,
        text("sheet_review"),
        [
            text("col_person"),
            text("col_source"),
            text("col_where"),
            text("col_kind"),
            text("col_reason"),
        ],
        [
            [r["person"], r["source"], r["where"], kind_name(str(r["kind"]), lang), r[reason]]
            for r in view[view["decision"] == "review"]
            .sort_values(["person"])
            .to_dict(orient="records")
        ],
        [24, 16, 48, 16, 70],
        date_format,
    )
    _summary_sheet(summary, run, view, proposal_id, date_format)
    meta = workbook.create_sheet(META_SHEET)
    for number, (key, value) in enumerate(
        [
            ("format", FORMAT_VERSION),
            ("proposal_id", proposal_id),
            ("workspace_key", run.workspace_key),
            ("month", run.month),
            ("run_date", run.today.isoformat()),
            ("lang", lang),
            ("decision_column", str(DECISION_COLUMN)),
            ("comment_column", str(COMMENT_COLUMN)),
            ("check_columns", ",".join(map(str, CHECK_COLUMNS))),
        ],
        start=1,
    ):
        write_row(meta, number, [key, value])
    meta.sheet_state = "hidden"
    workbook.active = 0
    return workbook


def _protect(sheet: Any, last: int) -> None:
    """Only the decision and comment cells can be edited; sort and filter stay allowed.

    No password: protection keeps an accidental edit or cut from moving a
    person away from the ids, it is not a secret (the check value is).
    """
    for row in range(2, last + 1):
        for column in (DECISION_COLUMN, COMMENT_COLUMN):
            sheet.cell(row=row, column=column).protection = Protection(locked=False)
    protection = sheet.protection
    protection.sheet = True
    protection.sort = False  # False = not locked: sorting allowed
    protection.autoFilter = False  # filtering allowed
    protection.formatColumns = False  # column widths may change
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _header(sheet: Any, headers: list[str]) -> None:
    write_row(sheet, 1, headers)
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _list_sheet(
    workbook: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    widths: list[int],
    date_format: str,
) -> None:
    sheet = workbook.create_sheet(title)
    _header(sheet, headers)
    for number, values in enumerate(rows, start=2):
        write_row(sheet, number, values, date_format)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(2, len(rows) + 1)}"
    _widths(sheet, widths)


def _summary_sheet(
    sheet: Any, run: ReviewRun, view: pd.DataFrame, proposal_id: str, date_format: str
) -> None:
    text = t(run.lang)
    counts = view["decision"].value_counts()
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
    for number, values in enumerate(lines, start=1):
        write_row(sheet, number, values, date_format)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A6"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A6:D6")
    sheet.row_dimensions[6].height = 60
    _widths(sheet, [34, 40, 20, 20])
