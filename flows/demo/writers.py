"""File writers that produce byte-identical output for the same input.

The demo is checked in tests by building it twice and comparing bytes, and a
user who runs ``karsinta demo`` twice with the same seed and date should get
the same files. Libraries like to stamp the current time into what they write;
every writer here takes the time to stamp instead:

- XLSX: openpyxl's ``save_workbook`` sets the "modified" property to now and
  the zip entries carry the wall-clock time; we drive its ``ExcelWriter``
  ourselves and rewrite the zip with a fixed entry time.
- CSV: written by hand in the dialect the real software uses (encoding, BOM,
  separator, quoting, line ends).
- vCard: written by hand as an iPhone exports 3.0 cards (CRLF, folded lines).
- Folders: file modification times are set with ``os.utime``.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

Cell = str | int | float | date | datetime | None


@dataclass
class Sheet:
    """One worksheet: its name, header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: dict[str, float] = field(default_factory=dict)
    date_format: str = "d.m.yyyy"


def write_xlsx(path: Path, sheets: Sequence[Sheet], *, when: datetime, author: str) -> None:
    """An XLSX workbook as Excel users keep their lists: bold header, dates as dates."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(list(row))
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, datetime | date):
                    cell.number_format = sheet.date_format
        for index, header in enumerate(sheet.headers, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = sheet.widths.get(header, max(12, len(header) + 4))
        ws.freeze_panes = "A2"
    stamp = when.replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = author
    workbook.properties.lastModifiedBy = author
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()  # closes the archive
    path.write_bytes(_fixed_zip(buffer.getvalue(), stamp))


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same zip with every entry stamped ``when`` (zip times have no zone)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def csv_text(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = ",",
    quote_all: bool = False,
    newline: str = "\r\n",
) -> str:
    """CSV text in a given dialect (None cells are empty)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=newline,
    )
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def write_text(path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> None:
    """Text in an exact encoding; fails loudly if a character does not fit (cp1252)."""
    data = text.encode(encoding, errors="strict")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def set_mtime(path: Path, when: datetime) -> None:
    """Give a file a fixed modification time (a folder connector may read it)."""
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


# ------------------------------------------------------------------- vCard


def vcard_escape(text: str) -> str:
    """Escape a vCard 3.0 text value (RFC 2426 section 4)."""
    return (
        text.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current = " "
            size = 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def vcard_text(cards: Iterable[Sequence[str]]) -> str:
    """vCards from their content lines (without BEGIN/VERSION/END), CRLF, folded."""
    lines: list[str] = []
    for card in cards:
        lines.append("BEGIN:VCARD")
        lines.append("VERSION:3.0")
        lines.extend(fold_line(line) for line in card)
        lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
