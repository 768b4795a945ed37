"""Deleting and anonymising rows of the owner's own spreadsheet (XLSX or CSV).

Called by apply, through :meth:`connectors.spreadsheet.SpreadsheetConnector.write`,
only for a source the owner marked ``system_of_record`` and only with
approved requests whose traces were re-read and still matched.

A wrong deletion cannot be undone, so the writer checks once more, on the
file it is about to change: each request's row is read again the way the
connector reads it (its trace id and fingerprint recomputed), and the same
row as the writer sees it must hold the same cells. A row that does not
match is left alone and reported; the others are changed.

The file is rewritten atomically (:mod:`connectors.safe_write`): a
temporary file in the same folder, fsync, rename over the original (its
mode, owner and group kept), fsync of the folder. A temporary file a killed
run left is removed by the next apply or review. The undo copy of the old
file is apply's (``.karsinta/kumoa/``), not the writer's.

* XLSX: openpyxl without ``data_only`` (formulas stay formulas), rows
  deleted bottom-up; other sheets, styles and formulas are kept, and cell
  references to the sheet (in formulas and defined names of any sheet,
  tables, filters, merged cells) are moved up as Excel would move them. A
  reference to a deleted cell becomes ``#REF!``, as in Excel. openpyxl
  writes the shared strings anew from the remaining cells, so a deleted value
  is in no part of the new file. Cached formula results are not kept
  (Excel recalculates them on opening).
* CSV: every record that is not changed is kept byte for byte (same
  encoding, BOM, delimiter, quoting and line ends); a deleted record is
  dropped, an anonymised one is written again with the same delimiter,
  quoting the fields that were quoted.

Anonymising blanks the personal columns (name, e-mail, phone, henkilötunnus,
customer number and every column of a personal-data category such as
address or notes) and keeps the rest (dates, amounts, products, order number).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors import tabular, textfile
from connectors.base import SourceSpec, WriteRequest, WriteResult, display_path
from connectors.errors import SourceError, UnreadableSource
from connectors.keyed import Hasher
from connectors.safe_write import replace_atomically

#: roles whose columns hold who the person is: blanked by "anonymise"
PERSONAL_ROLES = (
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "hetu",
    "business_id",
    "customer_no",
)
ACTIONS = ("delete", "anonymise")


# --------------------------------------------------------------- entry point


def write_spreadsheet(
    source: SourceSpec, options: Any, requests: Sequence[WriteRequest], ids: Hasher
) -> list[WriteResult]:
    """Carry out delete/anonymise requests in one atomic rewrite of the file.

    ``ids`` is the workspace's keyed-id helper the trace ids were made with.
    """
    from connectors.spreadsheet import SpreadsheetOptions, locate_table

    opts: SpreadsheetOptions = options
    file = display_path(source.path)
    if not source.path.is_file():
        raise UnreadableSource(file, "file not found", "file_not_found")
    table, colmap = locate_table(source.path, file, opts)
    with open(source.path, "rb") as handle:
        workbook = tabular.is_workbook(handle.read(8))
    personal = personal_headers(colmap)
    if workbook:
        sheet: _Sheet = _XlsxSheet(source.path, file, table.sheet)
    else:
        sheet = _CsvSheet(source.path, file, opts.delimiter, opts.encoding)
    positions = sheet.column_positions(table)
    results: dict[str, WriteResult] = {}
    deletes: list[int] = []
    blanks: dict[int, list[int]] = {}
    by_row = {int(r): i for i, r in enumerate(table.rows)}
    id_header = colmap.header("record_id")
    for request in requests:
        problem = _check(request, table, by_row, id_header, source.id, sheet, positions, ids)
        if problem:
            results[request.trace_id] = WriteResult(request.trace_id, False, problem)
            continue
        row = int(request.locator["row"])
        if request.action == "delete":
            deletes.append(row)
        else:
            blanks[row] = [positions[h] for h in personal if h in positions]
        results[request.trace_id] = WriteResult(request.trace_id, True, request.action)
    if deletes or blanks:
        sheet.save(sorted(set(deletes)), blanks)
    return [results[r.trace_id] for r in requests]


def personal_headers(colmap: tabular.ColumnMap) -> list[str]:
    """The headers anonymise blanks: identifier roles and personal-data categories."""
    headers: list[str] = []
    for role in PERSONAL_ROLES:
        headers += colmap.roles.get(role) or []
    for code in sorted(colmap.categories):
        headers += colmap.categories[code]
    return list(dict.fromkeys(headers))


def _check(
    request: WriteRequest,
    table: tabular.Table,
    by_row: Mapping[int, int],
    id_header: str | None,
    source_id: str,
    sheet: _Sheet,
    positions: Mapping[str, int],
    ids: Hasher,
) -> str | None:
    """Why this request must not be carried out, or None when its row is the right one."""
    if request.action not in ACTIONS:
        return f"unknown action '{request.action}'"
    try:
        row = int(request.locator["row"])
    except (KeyError, TypeError, ValueError):
        return "the request names no row"
    index = by_row.get(row)
    if index is None:
        return f"row {row} is no longer in the file"
    cells = [str(table.text[c].iat[index]) for c in table.columns]
    texts = "\n".join(v for v in cells if v)
    own_id = str(table.text[id_header].iat[index]) if id_header else ""
    base = own_id or "r" + hashlib.sha256(texts.encode("utf-8")).hexdigest()[:20]
    record_id = _matching_record_id(base, request.trace_id, source_id, len(by_row), ids)
    if record_id is None:
        return f"row {row} holds another record now"
    fingerprint = hashlib.sha256(f"{texts}\x1f{record_id}".encode()).hexdigest()[:32]
    if fingerprint != request.fingerprint:
        return f"row {row} was changed after the proposal"
    mine = sheet.row_texts(row, positions, table.columns)
    if mine != cells:
        return f"row {row} reads differently for the writer; not changed"
    return None


def _matching_record_id(
    base: str, trace_id: str, source_id: str, limit: int, ids: Hasher
) -> str | None:
    """The record id (with its duplicate suffix ~N) whose hash is the trace id."""
    for number in range(1, limit + 2):
        candidate = base if number == 1 else f"{base}~{number}"
        if ids.trace_id(source_id, candidate) == trace_id:
            return candidate
    return None


# ------------------------------------------------------------------- sheets


class _Sheet:
    """What the writer needs of a sheet or CSV file, whichever it is."""

    header_cells: list[str]
    body_rows: dict[int, list[str]]

    def column_positions(self, table: tabular.Table) -> dict[str, int]:
        """Table column name -> 0-based column position, as the reader named them."""
        first = int(table.rows[0]) if len(table.rows) else None
        above = [r for r in self.body_rows if first is not None and r < first]
        above = [r for r in above if any(self.body_rows[r])]
        if not above:
            raise SourceError(self.file, "the header row was not found again", "header_gone")
        header_row = max(above)
        header = self.body_rows[header_row]
        width = max((len(v) for v in self.body_rows.values()), default=0)
        header = header + [""] * (width - len(header))
        body = [r for r in self.body_rows if r > header_row]
        keep = [
            i
            for i in range(width)
            if header[i] or any(i < len(self.body_rows[r]) and self.body_rows[r][i] for r in body)
        ]
        names = textfile.unique_columns([header[i] for i in keep], keep)
        positions = dict(zip(names, keep, strict=True))
        if any(column not in positions for column in table.columns):
            raise SourceError(
                self.file, "the columns read differently for the writer", "columns_differ"
            )
        return positions

    def row_texts(self, row: int, positions: Mapping[str, int], columns: list[str]) -> list[str]:
        cells = self.body_rows.get(row, [])
        return [cells[positions[c]] if positions[c] < len(cells) else "" for c in columns]

    file: str

    def save(self, deletes: list[int], blanks: Mapping[int, list[int]]) -> None:
        raise NotImplementedError


# --------------------------------------------------------------------- XLSX


class _XlsxSheet(_Sheet):
    def __init__(self, path: Path, file: str, sheet: str | None) -> None:
        import openpyxl

        self.path = path
        self.file = file
        keep_vba = path.suffix.lower() == ".xlsm"
        try:
            self.book = openpyxl.load_workbook(path, keep_vba=keep_vba, rich_text=True)
            values = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any openpyxl failure: do not write
            name = type(exc).__name__
            raise UnreadableSource(
                file, f"cannot be opened for writing ({name})", "cannot_write", error=name
            ) from None
        try:
            name = sheet if sheet is not None else values.sheetnames[0]
            if name not in self.book.sheetnames:
                raise SourceError(file, "the sheet was not found again", "sheet_gone")
            self.sheet = self.book[name]
            seen = values[name]
            rows = seen.iter_rows(
                min_row=1,
                min_col=1,
                max_row=seen.max_row,
                max_col=seen.max_column,
                values_only=True,
            )
            self.body_rows = {
                number: [_stripped(tabular.cell_text(v)) for v in row]
                for number, row in enumerate(rows, start=1)
            }
        finally:
            values.close()

    def save(self, deletes: list[int], blanks: Mapping[int, list[int]]) -> None:
        for row, columns in blanks.items():
            for column in columns:
                cell = self.sheet.cell(row=row, column=column + 1)
                cell.value = None
                if cell.comment is not None:
                    cell.comment = None
        if deletes:
            _adjust_references(self.book, self.sheet.title, deletes)
            for start, count in reversed(_runs(deletes)):
                self.sheet.delete_rows(start, count)
        replace_atomically(self.path, lambda temp: self.book.save(temp))


def _stripped(text: str) -> str:
    return text.strip()


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, count) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][0] + runs[-1][1] == row:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs


_CELL = re.compile(r"^(\$?[A-Za-z]{1,3})(\$?)(\d+)$")
_ROW_ONLY = re.compile(r"^(\$?)(\d+)$")


def _shift(deleted: list[int]) -> Callable[[int, bool], int | None]:
    """Row -> its row after the deletions.

    A single cell (``end`` False) that was deleted gives None (``#REF!``); a
    range's first row moves up by the deleted rows above it, its last row by
    those at or above it.
    """
    import bisect

    gone = set(deleted)

    def new_row(row: int, end: bool) -> int | None:
        if end:
            return row - bisect.bisect_right(deleted, row)
        if row in gone:
            return None
        return row - bisect.bisect_left(deleted, row)

    return new_row


def _shift_area(area: str, new_row: Callable[[int, bool], int | None]) -> str | None:
    """A1 / A1:B5 / 3:7 / A:A moved as Excel moves it on row deletion; None = #REF!."""
    parts = area.split(":")
    if len(parts) == 1:
        match = _CELL.match(area)
        if not match:
            return area
        row = new_row(int(match.group(3)), False)
        return None if row is None else f"{match.group(1)}{match.group(2)}{row}"
    if len(parts) != 2:
        return area
    first, last = parts
    a, b = _CELL.match(first) or _ROW_ONLY.match(first), _CELL.match(last) or _ROW_ONLY.match(last)
    if not a or not b:
        return area  # whole columns, names: rows do not matter
    start_row, end_row = int(a.groups()[-1]), int(b.groups()[-1])
    return _range_text(a, b, start_row, end_row, new_row)


def _range_text(
    a: re.Match[str],
    b: re.Match[str],
    start_row: int,
    end_row: int,
    new_row: Callable[[int, bool], int | None],
) -> str | None:
    # rows above the start move it up; a deleted first row leaves the range starting
    # at the next row, which has moved up to the same number.
    below_end = new_row(end_row, True) or 0
    start = new_row(start_row - 1, True)
    start = (start or 0) + 1
    if start > below_end:
        return None
    prefix_a = "".join(a.groups()[:-1])
    prefix_b = "".join(b.groups()[:-1])
    return f"{prefix_a}{start}:{prefix_b}{below_end}"


def _split_sheet(ref: str) -> tuple[str | None, str]:
    if "!" not in ref:
        return None, ref
    sheet, area = ref.rsplit("!", 1)
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, area


def shift_formula(formula: str, home: str | None, target: str, deleted: list[int]) -> str:
    """A formula with the references to sheet ``target`` moved for deleted rows.

    ``home`` is the sheet the formula is on (references without a sheet name
    point there); None for a defined name.
    """
    from openpyxl.formula.tokenizer import Token, Tokenizer

    try:
        tokens = Tokenizer(formula if formula.startswith("=") else "=" + formula)
    except Exception:  # noqa: BLE001 - a formula openpyxl cannot parse stays as it is
        return formula
    new_row = _shift(deleted)
    changed = False
    for token in tokens.items:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        sheet, area = _split_sheet(token.value)
        if (sheet or home) != target:
            continue
        moved = _shift_area(area, new_row)
        prefix = token.value[: len(token.value) - len(area)]
        value = prefix + (moved if moved is not None else "#REF!")
        if value != token.value:
            token.value = value
            changed = True
    if not changed:
        return formula
    rendered = str(tokens.render())
    return rendered if formula.startswith("=") else rendered[1:]


def _adjust_references(book: Any, target: str, deleted: list[int]) -> None:
    """Move every reference to the rows below a deleted row, in every sheet."""
    new_row = _shift(deleted)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.value = shift_formula(cell.value, sheet.title, target, deleted)
    for name in list(book.defined_names.values()):
        if name.value:
            name.value = shift_formula(name.value, None, target, deleted)
    sheet = book[target]
    for table in sheet.tables.values():
        moved = _shift_area(table.ref, new_row)
        if moved is not None:
            table.ref = moved
            if table.autoFilter is not None:
                table.autoFilter.ref = moved
    if sheet.auto_filter.ref:
        moved = _shift_area(sheet.auto_filter.ref, new_row)
        sheet.auto_filter.ref = moved
    for merged in list(sheet.merged_cells.ranges):
        moved = _shift_area(merged.coord, new_row)
        sheet.merged_cells.remove(merged)
        if moved is not None and ":" in moved and moved.split(":")[0] != moved.split(":")[1]:
            sheet.merged_cells.add(moved)
    for validation in sheet.data_validations.dataValidation:
        areas = [_shift_area(str(r.coord), new_row) for r in validation.sqref.ranges]
        validation.sqref = " ".join(a for a in areas if a)


# ---------------------------------------------------------------------- CSV


@dataclass
class _Record:
    raw: str  # the record's text with its line end
    body: str  # without the line end
    end: str


def split_records(text: str) -> list[_Record]:
    """CSV records as written (a quoted field may span lines), line ends kept."""
    out: list[_Record] = []
    start = 0
    quoted = False
    i = 0
    size = len(text)
    while i < size:
        char = text[i]
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            stop = i + 2 if char == "\r" and i + 1 < size and text[i + 1] == "\n" else i + 1
            out.append(_Record(text[start:stop], text[start:i], text[i:stop]))
            start = i = stop
            continue
        i += 1
    if start < size:
        out.append(_Record(text[start:], text[start:], ""))
    return out


class _CsvSheet(_Sheet):
    def __init__(self, path: Path, file: str, delimiter: str | None, encoding: str | None) -> None:
        from connectors import textfile

        self.path = path
        self.file = file
        data = path.read_bytes()
        if encoding is None:
            text, self.encoding = textfile.decode(data, file)
        else:
            text, self.encoding = data.decode(encoding), encoding
            if text.startswith("\ufeff"):
                text, self.encoding = text[1:], "utf-8-sig" if encoding == "utf-8" else encoding
        self.bom = b""
        if self.encoding == "utf-16":
            self.bom = data[:2]
            self.encoding = "utf-16-be" if self.bom == b"\xfe\xff" else "utf-16-le"
        self.delimiter = delimiter or tabular.sniff_separator(text)
        self.records = split_records(text)
        self.body_rows = {}
        for number, record in enumerate(self.records, start=1):
            self.body_rows[number] = [_stripped(v) for v in self._fields(record.body)]
        if self.body_rows.get(1):
            self.body_rows[1][0] = self.body_rows[1][0].lstrip("\ufeff").strip()

    def _fields(self, body: str) -> list[str]:
        if not body.strip():
            return []
        return next(csv.reader(io.StringIO(body, newline=""), delimiter=self.delimiter), [])

    def save(self, deletes: list[int], blanks: Mapping[int, list[int]]) -> None:
        gone = set(deletes)
        parts: list[str] = []
        for number, record in enumerate(self.records, start=1):
            if number in gone:
                continue
            if number in blanks:
                parts.append(self._blanked(record, blanks[number]))
            else:
                parts.append(record.raw)
        text = "".join(parts)
        payload = self.bom + text.encode(self.encoding)

        def write(temp: Path) -> None:
            temp.write_bytes(payload)

        replace_atomically(self.path, write)

    def _blanked(self, record: _Record, columns: list[int]) -> str:
        fields = self._fields(record.body)
        quoted = _quoted_fields(record.body, self.delimiter)
        out = []
        for index, value in enumerate(fields):
            value = "" if index in columns else value
            must = any(ch in value for ch in (self.delimiter, '"', "\r", "\n"))
            if must or (index < len(quoted) and quoted[index]):
                value = '"' + value.replace('"', '""') + '"'
            out.append(value)
        return self.delimiter.join(out) + record.end


def _quoted_fields(body: str, delimiter: str) -> list[bool]:
    """For each field of a record: was it written in quotes?"""
    flags: list[bool] = []
    at_start = True
    quoted = False
    for char in body:
        if at_start:
            flags.append(char == '"')
            at_start = False
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            at_start = True
    if at_start:
        flags.append(False)
    return flags
