"""Tables in, raw records out: what the spreadsheet and accounting connectors share.

Both read a grid of cells with a header row (an XLSX sheet or a CSV file) and
map some of its columns to the raw record fields of :mod:`connectors.base`
through a *column mapping*: role (``name``, ``email``, ``event_date`` ...) ->
header(s). The work is done column by column, not row by row: a 50 MB export
must read in seconds. Cells are plain Python strings in numpy object arrays
(pandas' own string dtype calls Python once per cell for every operation
when pyarrow is absent; numpy compares and concatenates object arrays in C).
Values that need Python to understand them (dates, status words, amounts)
are parsed once per *distinct* value.

Row numbers are the ones a spreadsheet program shows (the header row of a
file with the header on line 1 is row 1), so a problem such as "row 7, field
'Tilauspäivä': not a date" can be found by the owner in Excel.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from connectors import headers, table_dates, textfile
from connectors import trace as tr
from connectors.base import ProblemLog
from connectors.errors import UnreadableSource

#: Roles of identifier columns: a table without any of these is not a customer list.
IDENTIFIER_ROLES = ("name", "first_name", "last_name", "email", "phone", "hetu", "customer_no")
#: Roles that may list several headers whose values are all kept (';'-joined).
MULTI_ROLES = frozenset({"email", "phone"})
#: Roles whose cell values are kept as they are (dates as datetime objects in XLSX).
TYPED_ROLES = frozenset({"event_date", "end_date", "due_date"})

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def is_workbook(head: bytes) -> bool:
    """True for a zip (XLSX/XLSM/ODS) or OLE (XLS) file: read with calamine, not as CSV."""
    return head.startswith(_WORKBOOK_MAGIC)


# --------------------------------------------------------------------- tables


#: A problem of a file's shape: (row, field, English message, severity, code, params)
Notice = tuple[int | None, str | None, str, str, str | None, dict[str, Any]]


@dataclass
class Table:
    """The cells below the header row of one sheet or CSV file.

    ``text`` holds every cell as stripped text ('' for blank), as object
    columns of str; ``values`` the cells as the workbook typed them (dates,
    floats), or None for CSV, where text is all there is. ``rows`` are the row
    numbers a spreadsheet program shows.
    """

    file: str
    sheet: str | None
    text: pd.DataFrame
    rows: np.ndarray
    values: pd.DataFrame | None = None
    #: what is wrong with the file's records: (row, field, message, severity, lost)
    structure: list[Notice] = field(default_factory=list)
    #: the header row's index among the file's records, its cells, and each column's place
    header_index: int = 0
    header_cells: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.text.columns]

    def cells(self, column: str) -> np.ndarray:
        """A column's text as an object array of str."""
        return self.text[column].to_numpy(dtype=object)

    def raw(self, column: str) -> np.ndarray:
        """A column as typed in the workbook (as text for CSV)."""
        frame = self.values if self.values is not None else self.text
        return frame[column].to_numpy(dtype=object)


@dataclass
class Grid:
    """Every record of a sheet or CSV file as text columns, before the header is chosen."""

    file: str
    sheet: str | None
    text: list[np.ndarray]
    typed: list[np.ndarray] | None = None
    #: fields in each record as the file has them (CSV only; None for a workbook)
    widths: np.ndarray | None = None
    #: the file ends inside a quoted field: its last record was not read
    cut: bool = False
    #: the text does not end with a line break (a cut file often does not)
    no_final_newline: bool = False
    #: file-level notices
    notices: list[Notice] = field(default_factory=list)

    @property
    def is_csv(self) -> bool:
        """Read as CSV text (a workbook has no record widths)."""
        return self.widths is not None

    def table(self, header_row: int) -> Table:
        """The table whose header is the first non-blank row at or below ``header_row``."""
        table = _split_header(self.text, self.typed, self.file, header_row, self.sheet)
        table.structure = _structure(self, table)
        return table


def load_table(
    path: Path,
    file: str,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Table:
    """Read a workbook sheet or a CSV file; which one is decided by content, not name."""
    grid = load_grid(path, file, sheet=sheet, delimiter=delimiter, encoding=encoding)
    return grid.table(header_row)


def load_grid(
    path: Path,
    file: str,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Grid:
    """All records of a workbook sheet or CSV file (workbook or CSV decided by content)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        raise UnreadableSource(file, "file not readable", "file_not_readable") from None
    if is_workbook(head):
        return _load_workbook(path, file, sheet)
    text, legacy = csv_text(path, file, encoding)
    grid = _load_csv(text, file, delimiter)
    if legacy:
        shown = ", ".join(str(n) for n in legacy[:10]) + (" ..." if len(legacy) > 10 else "")
        grid.notices.append(
            (
                None,
                None,
                "the file mixes UTF-8 and Windows-1252 text; each line was decoded on its own "
                f"(Windows-1252 on line(s) {shown}): check that names read right",
                "warning",
                "encoding_mixed_lines",
                {"lines": shown},
            )
        )
    return grid


#: Letters ä ö å Ä Ö Å é as UTF-8 bytes: seen in a file that decoded only as Windows-1252,
#: they mean the file mixes the two encodings (an export edited in two programs).
_UTF8_LETTERS = (
    b"\xc3\xa4",
    b"\xc3\xb6",
    b"\xc3\xa5",
    b"\xc3\x84",
    b"\xc3\x96",
    b"\xc3\x85",
    b"\xc3\xa9",
)


def csv_text(path: Path, file: str, encoding: str | None = None) -> tuple[str, list[int]]:
    """The text of a CSV file, and the lines decoded as Windows-1252 in a mixed file.

    A file that is mostly Windows-1252 but also holds UTF-8 letters (or the
    reverse) is decoded line by line, each line in the encoding it decodes
    in, so that names in both halves come out right; the Windows-1252 lines
    are returned (1-based) so that the read can say so.
    """
    if encoding is not None:
        return _csv_text(path, file, encoding), []
    text, found = textfile.read_text(path, file)
    if found.replace("_", "-").lower() in ("utf-8", "utf-8-sig", "ascii", "utf-16", "utf-16-le"):
        return text.lstrip("\ufeff"), []
    data = path.read_bytes()
    if not any(letters in data for letters in _UTF8_LETTERS):
        return text.lstrip("\ufeff"), []
    parts: list[str] = []
    legacy: list[int] = []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            legacy.append(number)
    return "".join(parts).lstrip("\ufeff"), legacy


def _csv_text(path: Path, file: str, encoding: str | None) -> str:
    if encoding is None:
        return textfile.read_text(path, file)[0]
    try:
        data = path.read_bytes()
    except OSError:
        raise UnreadableSource(file, "file not readable", "file_not_readable") from None
    if len(data) > textfile.MAX_FILE_BYTES:
        raise UnreadableSource(file, "file is too large", "file_too_large")
    if not data.strip():
        raise UnreadableSource(file, "file is empty", "file_empty")
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except LookupError:
        raise UnreadableSource(
            file, f"unknown encoding '{encoding}'", "unknown_encoding", encoding=encoding
        ) from None
    except UnicodeDecodeError:
        raise UnreadableSource(
            file, f"not valid {encoding} text", "not_valid_text", encoding=encoding
        ) from None


def sniff_separator(text: str) -> str:
    """The separator of a CSV text: the one that splits some early line into most cells.

    Looks at the first 20 non-blank lines, not only the first: a title line
    above the header ("Asiakkaat 2024") has no separators at all.
    """
    lines = [ln for ln in text[:65536].splitlines() if ln.strip()][:20]
    best, best_count = ",", 1
    for sep in (";", ",", "\t"):
        try:
            count = max((len(r) for r in csv.reader(lines, delimiter=sep)), default=0)
        except csv.Error:
            count = max((ln.count(sep) + 1 for ln in lines), default=0)
        if count > best_count:
            best, best_count = sep, count
    return best


#: Records parsed and turned into columns at a time (bounds the parser's lists).
CHUNK_ROWS = 65536


def _load_csv(text: str, file: str, delimiter: str | None) -> Grid:
    """CSV records as columns; record i (0-based, blank lines counted) is row i + 1.

    Parsed with the csv module in chunks, keeping how many fields each record
    had (a short record is a cut or broken one) and whether the file ends
    inside a quoted field (then its last record is not read at all).
    """
    sep = delimiter or sniff_separator(text)
    try:
        chunks, widths, cut = _parse(text, sep, strict=True)
    except csv.Error:
        # Lenient about stray quotes inside a field ('5" screen'); only the end matters.
        try:
            chunks, widths, cut = _parse(text, sep, strict=False)
        except csv.Error:
            raise UnreadableSource(file, "not a valid CSV file", "not_csv") from None
    width = max((len(c) for c in chunks), default=0)
    columns: list[np.ndarray] = []
    for i in range(width):
        parts = [c[i] if i < len(c) else np.full(len(c[0]) if c else 0, "", dtype=object)
                 for c in chunks]  # fmt: skip
        columns.append(np.concatenate(parts) if parts else objects([]))
    del chunks
    all_widths = np.concatenate(widths) if widths else np.zeros(0, dtype=np.int32)
    ends_open = not text.endswith(("\n", "\r"))
    return Grid(file, None, columns, None, all_widths, cut, ends_open)


#: characters of text split into lines at a time by :func:`_lines`
_LINES_BLOCK = 1 << 20


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, as ``io.StringIO(text, newline="")`` gives them.

    A block of lines at a time: a StringIO of the whole text would hold a copy of a
    large file at four bytes a character. Lines end at "\n" (also "\r\n"); a text with
    a lone "\r" (an old Mac file) is read through StringIO, which ends lines there too.
    """
    if text.count("\r") != text.count("\r\n"):
        yield from io.StringIO(text, newline="")
        return
    # A block of about a megabyte at a time, cut after a line break, its lines split
    # by a StringIO in C: the copy is one block's, never the file's.
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + _LINES_BLOCK)
        end = size if end == -1 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _parse(
    text: str, sep: str, *, strict: bool
) -> tuple[list[list[np.ndarray]], list[np.ndarray], bool]:
    reader = csv.reader(_lines(text), delimiter=sep, strict=strict)
    chunks: list[list[np.ndarray]] = []
    widths: list[np.ndarray] = []
    cut = False
    while True:
        records: list[list[str]] = []
        try:
            records.extend(itertools.islice(reader, CHUNK_ROWS))
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                raise
            cut = True
        if records:
            widths.append(np.fromiter(map(len, records), dtype=np.int32, count=len(records)))
            columns = itertools.zip_longest(*records, fillvalue="")
            # Stripped at once, each distinct cell one object: a repeated name or date
            # does not stay in memory once per row.
            chunks.append([_stripped(objects(col)) for col in columns])
        if cut or len(records) < CHUNK_ROWS:
            break
    # Chunks may differ in width: pad the narrower ones.
    width = max((len(c) for c in chunks), default=0)
    for chunk, count in zip(chunks, widths, strict=True):
        chunk.extend(np.full(len(count), "", dtype=object) for _ in range(width - len(chunk)))
    return chunks, widths, cut


def _stripped(values: np.ndarray) -> np.ndarray:
    """Cells without surrounding blanks; stripped once per distinct value."""
    codes, uniques = pd.factorize(values)
    stripped = objects([str(v).strip() for v in uniques] + [""])
    return stripped[codes]


#: a 1-d object array of the values (numpy would make a list of lists 2-d)
objects = tr.objects


def _load_workbook(path: Path, file: str, sheet: str | None) -> Grid:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        try:
            if sheet is None:
                if not book.sheet_names:
                    raise UnreadableSource(file, "workbook has no sheets", "no_sheets")
                data = book.get_sheet_by_index(0)
            elif sheet in book.sheet_names:
                data = book.get_sheet_by_name(sheet)
            else:
                count = len(book.sheet_names)
                raise UnreadableSource(
                    file,
                    f"sheet '{sheet}' not found ({count} sheets)",
                    "sheet_not_found",
                    sheet=sheet,
                    sheets=("sheet", count),
                )
            name = data.name
            cells = data.to_python(skip_empty_area=False)
        finally:
            book.close()
    except UnreadableSource:
        raise
    except (CalamineError, OSError, ValueError) as exc:
        kind = type(exc).__name__
        raise UnreadableSource(
            file, f"not a readable workbook ({kind})", "not_a_workbook", error=kind
        ) from exc
    typed = _columns_of(cells)
    text = [_stripped(column if _all_text(column) else _cells_text(column)) for column in typed]
    return Grid(file, name, text, typed)


def _columns_of(rows: list[list[Any]]) -> list[np.ndarray]:
    """The rows' columns as object arrays, transposed in C; short rows padded with ""."""
    widths = set(map(len, rows))
    if len(widths) == 1:  # calamine's rectangle: one 2-d array, its columns copied out
        grid = np.empty((len(rows), widths.pop()), dtype=object)
        grid[:] = rows
        return [grid[:, j].copy() for j in range(grid.shape[1])]
    return [objects(column) for column in itertools.zip_longest(*rows, fillvalue="")]


def _all_text(column: np.ndarray) -> bool:
    """Every cell is a str (pandas' type inference runs in C)."""
    return not len(column) or pd.api.types.infer_dtype(column, skipna=False) == "string"


def _cells_text(column: np.ndarray) -> np.ndarray:
    """cell_text of each cell, once per distinct value (a date or amount column repeats)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
    except TypeError:
        return objects([cell_text(v) for v in column])
    # factorize takes 1 and 1.0 and True for one value: only types it keeps apart are shared.
    if len({type(v) for v in uniques} & {bool, int, float}) > 1:
        return objects([cell_text(v) for v in column])
    return objects([cell_text(v) for v in uniques])[codes]


def _split_header(
    text: list[np.ndarray],
    typed: list[np.ndarray] | None,
    file: str,
    header_row: int,
    sheet: str | None,
) -> Table:
    """Header and body of all records; blank rows dropped.

    The header is the first non-blank row at or below ``header_row``.
    """
    height = len(text[0]) if text else 0
    nonblank = np.zeros(height, dtype=bool)
    for column in text:
        nonblank |= column != ""
    start = header_row - 1
    candidates = np.flatnonzero(nonblank[start:])
    if not len(candidates):
        if not nonblank.any():
            if sheet is None:
                raise UnreadableSource(file, "file is empty", "file_empty")
            raise UnreadableSource(file, "sheet is empty", "sheet_empty")
        raise UnreadableSource(
            file,
            f"no header row at or below row {header_row}",
            "no_header_row_below",
            row=header_row,
        )
    header_index = start + int(candidates[0])
    header = [str(column[header_index]).lstrip("\ufeff").strip() for column in text]
    body = nonblank.copy()
    body[: header_index + 1] = False
    # Columns without a header are kept (as "column N") only when they hold something:
    # a henkilötunnus typed beside the table is still in the file.
    keep = [i for i, h in enumerate(header) if h or (text[i][body] != "").any()]
    names = textfile.unique_columns([header[i] for i in keep], keep)
    frame = pd.DataFrame({n: text[i][body] for n, i in zip(names, keep, strict=True)}, dtype=object)
    values = None
    if typed is not None:
        values = pd.DataFrame(
            {n: typed[i][body] for n, i in zip(names, keep, strict=True)}, dtype=object
        )
    return Table(
        file,
        sheet,
        frame,
        np.flatnonzero(body) + 1,
        values,
        header_index=header_index,
        header_cells=header,
        positions=keep,
    )


def _structure(grid: Grid, table: Table) -> list[Notice]:
    """What is wrong with the records' shape: short rows, long rows, a cut end.

    A row with fewer fields than the header lost its last fields (a cut or
    broken record); the last row of a file that stops without a line break
    is cut: its last field may be cut short too, so it is blanked (a cut
    customer number "1" of "17" must not join customer 1), and the records
    after it are missing, which is a problem of the whole file.
    """
    out: list[Notice] = list(grid.notices)
    widths = grid.widths
    if widths is None or not len(widths):
        return out
    names = table.header_cells
    filled = [i for i, h in enumerate(names) if h]
    need = filled[-1] + 1 if filled else 0
    records = table.rows - 1
    have = widths[records]
    last_record = len(widths) - 1

    def name(position: int) -> str:
        return (
            names[position]
            if position < len(names) and names[position]
            else (f"column {position + 1}")
        )

    for i in np.flatnonzero(have < need):
        row, count = int(table.rows[i]), int(have[i])
        missing = name(count)
        if records[i] == last_record and grid.no_final_newline and not grid.cut:
            cut_field = name(max(count - 1, 0))
            if count - 1 in table.positions:
                table.text.iat[i, table.positions.index(count - 1)] = ""
            out.append(
                (
                    row,
                    cut_field,
                    f"the file ends in the middle of this row: '{cut_field}' may be cut short "
                    f"(not read), and '{missing}' and {need - count - 1} field(s) after it "
                    "are missing",
                    "error",
                    "ends_mid_row",
                    {"cut": cut_field, "missing": missing, "fields": ("field", need - count - 1)},
                )
            )
            out.append(
                (
                    None,
                    None,
                    f"the file ends in the middle of row {row}: it looks cut off, and any "
                    "records after it are missing",
                    "error",
                    "file_cut_off",
                    {"at": row},
                )
            )
        else:
            out.append(
                (
                    row,
                    missing,
                    f"the row has {count} of the header's {need} fields: '{missing}' and the "
                    "fields after it are missing (a broken or cut record)",
                    "error",
                    "short_row",
                    {"count": count, "need": need, "missing": missing},
                )
            )
    for i in np.flatnonzero(have > max(len(names), need)):
        row, count = int(table.rows[i]), int(have[i])
        out.append(
            (
                row,
                None,
                f"the row has {count} fields, the header {len(names)}: a value may hold an "
                "unquoted separator, so the columns of this row may be shifted",
                "error",
                "long_row",
                {"count": count, "header": len(names)},
            )
        )
    if grid.cut:
        row = len(widths) + 1
        out.append(
            (
                None,
                None,
                f"the file ends inside a quoted field that starts on row {row} or before: "
                "that record was not read, and any records after it are missing",
                "error",
                "ends_mid_record",
                {"start": row},
            )
        )
    return out


def report_structure(table: Table, log: ProblemLog) -> None:
    """Report what :func:`_structure` found (short, long and cut rows; mixed encodings)."""
    for row, column, message, severity, code, params in table.structure:
        log.add(row, column, message, severity=severity, code=code, **params)


def cell_text(value: Any) -> str:
    """A workbook cell as the owner would read it: a phone typed as a number stays digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# ------------------------------------------------------------- column mapping


@dataclass
class ColumnMap:
    """Which headers of one table fill which role, and which hold which category."""

    roles: dict[str, list[str]] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)

    def header(self, role: str) -> str | None:
        headers = self.roles.get(role)
        return headers[0] if headers else None

    def has(self, role: str) -> bool:
        return bool(self.roles.get(role))


def as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def resolve(
    columns: Sequence[str],
    file: str,
    *,
    explicit: Mapping[str, str | Sequence[str]] | None,
    auto: Mapping[str, Sequence[str]],
    explicit_categories: Mapping[str, Sequence[str]] | None,
    auto_categories: Mapping[str, Sequence[str]],
    table: Table | None = None,
) -> ColumnMap:
    """Match roles and categories to the table's headers.

    Explicit headers must exist (UnreadableSource naming the missing header:
    a renamed column must not silently read as empty). Roles not given
    explicitly are found among the ``auto`` candidates; an explicit empty list
    switches a role off. E-mail and phone take *every* column of their role
    (``Email Home`` / ``Email Work``, two ``Phone`` columns: see
    :func:`connectors.headers.find_all`). ``explicit_categories`` replaces
    the automatic ones.
    """
    result = ColumnMap()
    used: set[str] = set()
    for role, names in (explicit or {}).items():
        found = [_require(columns, header, file) for header in as_list(names)]
        result.roles[role] = found
        used.update(found)
    cells = table.cells if table is not None else None
    for role, candidates in auto.items():
        if role in result.roles:
            continue
        found = [c for c in (textfile.find_column(list(columns), cand) for cand in candidates) if c]
        if role in MULTI_ROLES:
            found += headers.find_all(columns, role, cells, exclude=used)
        found = [c for c in dict.fromkeys(found) if c not in used]
        if role not in MULTI_ROLES:
            found = found[:1]
        if found:
            result.roles[role] = found
            used.update(found)
    if explicit_categories is not None:
        for code, names in explicit_categories.items():
            result.categories[code] = [_require(columns, h, file) for h in as_list(names)]
    else:
        for code, candidates in auto_categories.items():
            matched = [textfile.find_column(list(columns), cand) for cand in candidates]
            unique = list(dict.fromkeys(c for c in matched if c))
            if unique:
                result.categories[code] = unique
    return result


_IDENTIFIER_ROLES = frozenset(
    {"email", "phone", "hetu", "customer_no", "name", "first_name", "last_name"}
)


def report_empty_columns(
    table: Table,
    colmap: ColumnMap,
    explicit: Mapping[str, str | Sequence[str]] | None,
    log: ProblemLog,
) -> None:
    """A column mapped in the options but empty in every row is a named problem.

    So is a table whose identifier columns are all empty everywhere: every
    row would be a person nobody can find (a file read with the wrong
    connector or mapping), never "0 problems".
    """
    if not len(table.rows):
        return
    for role, names in (explicit or {}).items():
        for header in colmap.roles.get(role, []) if as_list(names) else []:
            if not (table.cells(header) != "").any():
                # An empty identifier column loses no one (its rows are keyless, and a
                # keyless trace is reviewed, never deleted): a warning. An empty date,
                # status or kind column could hide a hold or a newer date: it blocks.
                log.add(
                    None,
                    header,
                    "",
                    role=_problem_role(role),
                    code="empty_column",
                    role_name=role,
                    severity="warning" if role in _IDENTIFIER_ROLES else "error",
                )
    keys = [h for r in ("email", "phone", "hetu", "customer_no") for h in colmap.roles.get(r, [])]
    named = [h for r in ("name", "first_name", "last_name") for h in colmap.roles.get(r, [])]
    if keys + named and not any((table.cells(h) != "").any() for h in keys + named):
        log.add(
            None,
            " / ".join(keys + named),
            "",
            code="no_identifiers_in_file",
        )


def _problem_role(role: str) -> str | None:
    return {"email": "emails", "phone": "phones", "first_name": "name", "last_name": "name"}.get(
        role, role if role in ("hetu", "customer_no", "event_date", "end_date", "status") else None
    )


def _require(columns: Sequence[str], header: str, file: str) -> str:
    found = textfile.find_column(list(columns), header)
    if found is None:
        raise UnreadableSource(
            file, f"column '{header}' not found", "column_not_found", column=header
        )
    return found


def require_identifiers(colmap: ColumnMap, file: str) -> None:
    """A table with no column naming or reaching a person is not a customer list."""
    if not any(colmap.has(role) for role in IDENTIFIER_ROLES):
        raise UnreadableSource(
            file,
            "no column for a name, e-mail, phone, henkilötunnus or customer number "
            "(map one in the 'columns' option, or set 'header_row')",
            "no_identifier_column",
        )


# ------------------------------------------------------------------- picking


def pick(table: Table, colmap: ColumnMap) -> pd.DataFrame:
    """One row per table row: each role's text, plus ``row``, ``texts``, ``categories``.

    Multi-header roles (e-mail, phone) are ';'-joined; a comma inside an e-mail
    or phone cell separates values too. Date roles keep the workbook's typed
    value (a real Excel date), the first header only. Text columns are object
    arrays of str ('' for blank).
    """
    data: dict[str, np.ndarray] = {}
    for role, names in colmap.roles.items():
        if not names:
            continue
        if role in TYPED_ROLES:
            data[role] = table.raw(names[0])
        elif role in MULTI_ROLES:
            joined = table.cells(names[0])
            for header in names[1:]:
                joined = joined + ";" + table.cells(header)
            data[role] = objects([v.replace(",", ";") for v in joined])
        else:
            data[role] = table.cells(names[0])
    data["texts"] = row_texts(table)
    data["categories"] = _category_text(table, colmap.categories)
    frame = pd.DataFrame(data, dtype=object)
    frame.insert(0, "row", table.rows)
    return frame


def row_texts(table: Table) -> np.ndarray:
    """Every non-blank cell of each row, newline-joined, in column order.

    Blank cells are left out so that adding an empty column to a sheet does
    not change every record's fingerprint or content hash.
    """
    columns = [table.cells(col) for col in table.columns]
    return objects(["\n".join([v for v in cells if v]) for cells in zip(*columns, strict=True)])


def _category_text(table: Table, categories: Mapping[str, list[str]]) -> np.ndarray:
    codes = np.full(len(table.rows), "", dtype=object)
    for code, names in sorted(categories.items()):
        present = np.zeros(len(table.rows), dtype=bool)
        for header in names:
            present |= table.cells(header) != ""
        codes = codes + np.where(present, code + ",", "")
    return objects([c.rstrip(",") for c in codes])


def content_ids(texts: Sequence[Any] | np.ndarray, prefix: str = "r") -> np.ndarray:
    """A record id from the row's content, for tables with no id column."""
    return objects(
        [prefix + hashlib.sha256(str(t).encode("utf-8")).hexdigest()[:20] for t in texts]
    )


def own_or_content_ids(own: np.ndarray, texts: Any) -> np.ndarray:
    """The row's own id, else :func:`content_ids` of its text (hashed only where needed)."""
    missing = np.fromiter((v is None for v in own), dtype=bool, count=len(own))
    if not missing.any():
        return own
    out = own.copy()
    out[missing] = content_ids(np.asarray(texts, dtype=object)[missing])
    return out


def text_of(picked: pd.DataFrame, role: str) -> np.ndarray:
    """A picked role's text as an object array of str ('' for blank or unmapped).

    Picked and grouped text columns hold stripped str, never None.
    """
    if role not in picked:
        return np.full(len(picked), "", dtype=object)
    return picked[role].to_numpy(dtype=object)


def blank_to_none(picked: pd.DataFrame, role: str) -> np.ndarray | None:
    """A picked role as an object array with None for blanks; None when unmapped."""
    if role not in picked:
        return None
    values = text_of(picked, role)
    return _blank_as_none(values)


def compose_name(picked: pd.DataFrame) -> np.ndarray:
    """The name column, else first + last name; None when there is none."""
    name = text_of(picked, "name")
    if "first_name" in picked or "last_name" in picked:
        both = text_of(picked, "first_name") + " " + text_of(picked, "last_name")
        name = np.where(name != "", name, objects([p.strip() for p in both]))
    return _blank_as_none(name)


def _blank_as_none(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[values == ""] = None
    return out


def hetu_or_business_id(picked: pd.DataFrame) -> np.ndarray | None:
    """The explicit henkilötunnus field, else the business-id field (finalize tells them apart)."""
    hetu = blank_to_none(picked, "hetu")
    business = blank_to_none(picked, "business_id")
    if hetu is not None and business is not None:
        return coalesce(hetu, business)
    return hetu if hetu is not None else business


def coalesce(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Elementwise: ``first`` where it is not None, else ``second``."""
    has = np.fromiter((v is not None for v in first), dtype=bool, count=len(first))
    return np.where(has, first, second)


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


# ------------------------------------------------------------------- grouping


def group(
    picked: pd.DataFrame,
    key: str,
    *,
    drop_blank_key: bool = False,
    sums: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per distinct ``key`` (an invoice spread over line-item rows).

    Single values: the first non-blank in row order; e-mails and phones: all;
    ``row``: the first row; ``rows``: every row; ``texts`` and ``categories``:
    all rows'; ``sums``: the total of the rows (line amounts). Rows with a
    blank key stay records of their own, or are dropped when
    ``drop_blank_key`` (a bank line in a transaction export).
    """
    frame = picked.reset_index(drop=True)
    keys = text_of(frame, key)
    blank = keys == ""
    if drop_blank_key:
        frame, keys, blank = frame[~blank].reset_index(drop=True), keys[~blank], blank[~blank]
    row_keys = objects(["\x00" + str(r) for r in frame["row"]])
    frame["_key"] = np.where(blank, row_keys, keys)
    frame["rows"] = frame["row"]
    agg: dict[str, Any] = {}
    for col in frame.columns:
        if col == "_key":
            continue
        if col == "rows":
            agg[col] = list
        elif col == "row":
            agg[col] = "min"
        elif col == "texts":
            agg[col] = "\n".join
        elif col == "categories":
            agg[col] = lambda s: ",".join(v for v in s if v)
        elif col in MULTI_ROLES:
            agg[col] = lambda s: ";".join(v for v in s if v)
        elif col in sums:
            frame[col] = np.array(frame[col].to_numpy(dtype=object), dtype=float)
            agg[col] = lambda s: s.sum(min_count=1)
        else:
            frame[col] = objects([None if _is_blank(v) else v for v in frame[col]])
            agg[col] = "first"
    grouped = frame.groupby("_key", sort=False).agg(agg).reset_index(drop=True)
    for col in grouped.columns:
        if col not in ("rows", "row", *sums):
            grouped[col] = objects(["" if _is_blank(v) else v for v in grouped[col]])
    return grouped


# -------------------------------------------------------------- value parsing


def _distinct(values: Any, func: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    """Codes into, and ``func`` of, the distinct values (None for blanks).

    Index ``-1`` of the results is None, so a code of -1 (a missing value) maps to None.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        results[i] = None if _is_blank(value) else func(value)
    results[-1] = None
    return codes, results


class _Bad:
    """Marks a value that did not parse."""


BAD = _Bad()


def _bad_mask(results: np.ndarray, codes: np.ndarray) -> np.ndarray:
    bad_codes = np.fromiter((v is BAD for v in results), dtype=bool, count=len(results))
    return bad_codes[codes]


def parse_dates(
    raw: Any,
    rows: np.ndarray,
    header: str,
    log: ProblemLog,
    date_format: str | None,
) -> pd.Series:
    """Local dates (datetime64[us]) from text, Excel serials or workbook dates.

    The column decides the order of ``1/2/2024`` (:mod:`connectors.table_dates`).
    A cell that is not a date is a problem naming the row and the header, and
    the record goes on without that date; a column whose order cannot be
    told is one problem naming the column.
    """
    values = np.asarray(raw, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank = np.fromiter((_is_blank(u) for u in uniques), dtype=bool, count=len(uniques))
    column = table_dates.read_column(np.asarray(uniques, dtype=object)[~blank], date_format)
    results: list[Any] = [
        None if b else column.dates[u] for u, b in zip(uniques, blank, strict=True)
    ]
    results.append(None)  # code -1: a missing value
    bad_codes = np.fromiter(
        (table_dates.is_bad(v) for v in results), dtype=bool, count=len(results)
    )
    odd_codes = np.fromiter(
        (table_dates.implausible(v) for v in results), dtype=bool, count=len(results)
    )
    ambiguous = np.fromiter(
        (u in column.ambiguous for u in uniques), dtype=bool, count=len(uniques)
    )
    ambiguous = np.append(ambiguous, False)
    all_rows = np.asarray(rows)
    for row, code in zip(all_rows[bad_codes[codes]], codes[bad_codes[codes]], strict=True):
        if ambiguous[code]:
            log.add(
                int(row),
                header,
                "",
                code="ambiguous_date",
            )
        else:
            problem, params = textfile.not_a_date(date_format)
            log.add(int(row), header, "", code=problem, **params)
    for row in all_rows[odd_codes[codes]]:
        log.add(
            int(row),
            header,
            "",
            severity="warning",
            code="implausible_year",
            first=table_dates.PLAUSIBLE_YEARS[0],
            last=table_dates.PLAUSIBLE_YEARS[1],
        )
    if column.order_unknown:
        log.add(
            None,
            header,
            "",
            code="date_order_unknown",
        )
    distinct = table_dates.to_datetime64([None if table_dates.is_bad(v) else v for v in results])
    return pd.Series(distinct[codes])


def parse_amounts(raw: Any, rows: np.ndarray, header: str, log: ProblemLog) -> np.ndarray:
    """Amounts with decimal comma or point (``1 234,50``) as floats (NaN for blanks)."""

    def one(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return textfile.parse_decimal(value)
        except ValueError:
            return BAD

    codes, results = _distinct(raw, one)
    bad = _bad_mask(results, codes)
    for row in np.asarray(rows)[bad]:
        log.add(int(row), header, "", role="other", code="not_an_amount")  # blocks nothing
    numbers = np.array([np.nan if v is BAD or v is None else v for v in results], dtype=float)
    return numbers[codes]


def map_status(
    raw: Any,
    rows: np.ndarray,
    header: str,
    log: ProblemLog,
    words: Mapping[str, str],
) -> np.ndarray:
    """Status words (any case) to contract statuses; None where there is none.

    ``words`` maps a word to a status, or to '' for a word that carries no
    status. A word that is neither in ``words`` nor a status itself is one
    problem per distinct word, at the first row that has it, with the number
    of rows (the word itself is not repeated), and no status.
    """
    table = {k.strip().casefold(): v for k, v in words.items()}

    def one(value: Any) -> Any:
        word = " ".join(str(value).split()).casefold()
        if word in table:
            return table[word] or None
        if word in tr.STATUSES:
            return word
        return BAD

    codes, results = _distinct(raw, one)
    bad = _bad_mask(results, codes)
    if bad.any():
        first = (
            pd.Series(np.asarray(rows)[bad]).groupby(codes[bad], sort=False).agg(["min", "size"])
        )
        for row, count in first.itertuples(index=False):
            log.add(int(row), header, "", code="unknown_status_word", rows=("row", int(count)))
    clean = objects([None if v is BAD else v for v in results])
    return clean[codes]
