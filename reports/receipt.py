"""The apply receipt: what was done, skipped and failed, and the owner's checklist.

``kuitti-YYYY-MM-DD-HHMMSS.html`` and ``.xlsx`` in the workspace's
``raportit/`` (owner-only, written atomically). The receipt is proof that
may be shown to others (an auditor, the person who asked to be erased), so
it names no customer: a row is referred to by the proposal's row number, the
source id, the kind, the source file's name and the place in it (row,
invoice number, calendar UID) and the record's date — never the trace's
label and never a document's file name (summaries are named after people).
The owner finds the person by the proposal row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from policies.periods import en_date, fi_date
from reports.cells import (
    DATE_FORMAT_EN,
    DATE_FORMAT_FI,
    owner_only_file,
    template_env,
    write_row,
    write_text_file,
)
from reports.receipt_texts import rt

#: outcome codes in the order the summary lists them
OUTCOMES = ("done", "would", "manual", "skipped", "failed", "not_approved")


@dataclass(frozen=True)
class ReceiptLine:
    """One proposal row's fate, described without any personal value."""

    proposal_row: int
    source: str
    kind: str
    file: str
    where: str
    record_date: date | None
    decision: str  # approve / reject / postpone / none / unknown
    outcome: str  # one of OUTCOMES
    reason: str | None = None  # a reason code (receipt_texts "reason_<code>")
    detail: str | None = None  # a writer's own message (never a value)
    todo: str | None = None  # checklist text key, for manual lines
    file_row: int | None = None  # the record's row in a row-based file (checklist order)


@dataclass
class Receipt:
    business: str
    proposal_id: str
    month: str
    applied_at: datetime
    lang: str
    lines: list[ReceiptLine] = field(default_factory=list)
    dry_run: bool = False
    #: where apply kept owner-only copies of the changed files (relative to the workspace)
    undo_dir: str | None = None

    def counts(self) -> dict[str, int]:
        out = {code: 0 for code in OUTCOMES}
        for line in self.lines:
            out[line.outcome] = out.get(line.outcome, 0) + 1
        return out


@dataclass(frozen=True)
class ReceiptFiles:
    html: Path
    xlsx: Path


def file_stem(applied_at: datetime) -> str:
    return f"kuitti-{applied_at:%Y-%m-%d-%H%M%S}"


def _date_text(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return en_date(value) if lang == "en" else fi_date(value)


def _reason(line: ReceiptLine, lang: str) -> str:
    text = rt(lang)
    parts = [text(f"reason_{line.reason}")] if line.reason else []
    if line.detail:
        parts.append(line.detail)
    return ": ".join(parts)


def line_dict(line: ReceiptLine, lang: str) -> dict[str, object]:
    text = rt(lang)
    return {
        "proposal_row": line.proposal_row,
        "decision": text(f"decision_{line.decision}"),
        "outcome_code": line.outcome,
        "outcome": text(f"outcome_{line.outcome}"),
        "reason": _reason(line, lang),
        "source": line.source,
        "kind": line.kind,
        "file": line.file,
        "where": line.where,
        "date": _date_text(line.record_date, lang),
        "todo": text(line.todo) if line.todo else "",
    }


def checklist(receipt: Receipt) -> list[ReceiptLine]:
    """The manual lines per file; row-based records bottom-up, so that deleting one
    does not shift the row numbers of those still to do."""
    manual = [line for line in receipt.lines if line.outcome == "manual"]
    return sorted(
        manual,
        key=lambda line: (
            line.source,
            line.file,
            line.file_row is None,
            -(line.file_row or 0),
            line.proposal_row,
        ),
    )


def bottom_up(receipt: Receipt) -> bool:
    """Whether the checklist has row-based records (and so the bottom-up sentence)."""
    return any(line.file_row is not None for line in checklist(receipt))


def render_html(receipt: Receipt) -> str:
    text = rt(receipt.lang)
    env = template_env()
    counts = receipt.counts()
    return env.get_template("receipt.html.j2").render(
        t=text,
        lang=receipt.lang,
        title=text("title_dry" if receipt.dry_run else "title"),
        business=receipt.business,
        proposal_id=receipt.proposal_id,
        undo_dir=receipt.undo_dir,
        month=receipt.month,
        applied_at=f"{receipt.applied_at:%Y-%m-%d %H:%M}",
        counts=[(text(f"outcome_{code}"), counts[code]) for code in OUTCOMES if counts[code]],
        checklist=[line_dict(line, receipt.lang) for line in checklist(receipt)],
        bottom_up=bottom_up(receipt),
        lines=[line_dict(line, receipt.lang) for line in receipt.lines],
    )


_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def build_workbook(receipt: Receipt) -> Workbook:
    lang = receipt.lang
    text = rt(lang)
    date_format = DATE_FORMAT_EN if lang == "en" else DATE_FORMAT_FI
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = text("sheet_lines")
    headers = [
        text("col_row"),
        text("col_decision"),
        text("col_outcome"),
        text("col_reason"),
        text("col_source"),
        text("col_kind"),
        text("col_file"),
        text("col_where"),
        text("col_date"),
    ]
    _header(sheet, headers)
    for number, line in enumerate(receipt.lines, start=2):
        shown = line_dict(line, lang)
        write_row(
            sheet,
            number,
            [
                line.proposal_row,
                shown["decision"],
                shown["outcome"],
                shown["reason"],
                line.source,
                line.kind,
                line.file,
                line.where,
                line.record_date,
            ],
            date_format,
        )
    _widths(sheet, [10, 14, 16, 50, 16, 16, 24, 24, 12])
    todo = book.create_sheet(text("sheet_checklist"))
    _header(
        todo,
        [
            text("col_row"),
            text("col_todo"),
            text("col_source"),
            text("col_file"),
            text("col_where"),
            text("col_date"),
        ],
    )
    for number, line in enumerate(checklist(receipt), start=2):
        write_row(
            todo,
            number,
            [
                line.proposal_row,
                text(line.todo) if line.todo else "",
                line.source,
                line.file,
                line.where,
                line.record_date,
            ],
            date_format,
        )
    if bottom_up(receipt):
        write_row(todo, len(checklist(receipt)) + 3, [None, text("bottom_up")])
    _widths(todo, [10, 60, 16, 24, 24, 12])
    return book


def _header(sheet: Any, headers: list[str]) -> None:
    write_row(sheet, 1, headers)
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    sheet.freeze_panes = "A2"


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def write_receipt(receipt: Receipt, out_dir: Path) -> ReceiptFiles:
    """Write the HTML and XLSX receipt (owner-only, atomically)."""
    stem = file_stem(receipt.applied_at)
    html_path = out_dir / f"{stem}.html"
    xlsx_path = out_dir / f"{stem}.xlsx"
    write_text_file(html_path, render_html(receipt))
    with owner_only_file(xlsx_path) as temp:
        build_workbook(receipt).save(temp)
    return ReceiptFiles(html_path, xlsx_path)
