"""Large XLSX sheets written fast and in flat memory: a writer made for large files.

openpyxl's write-only mode writes a few thousand cells a second here (its XML
writer is pure Python without lxml): a 150 000-row proposal would take minutes.
So openpyxl still writes the workbook's structure (styles, column widths,
hidden columns, frozen panes, the dropdown, autofilter, sheet protection,
the meta sheet), and each large sheet gets its header plus a *template*:
one row per cell variant (plain text, quote-prefixed text, date) in every
column. After the save, :func:`finish` swaps the template for the real rows,
streamed into the zip as inline strings with the template's style ids.

Every value follows reports.cells' rules: characters XML cannot hold are
dropped, a text that starts a formula is a text cell with Excel's quote
prefix (no cell is ever a formula), dates are real dates in the sheet's date
format, NA is an empty cell.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from reports.cells import (
    FORMULA_START,
    UNLOCKED,
    all_xml_safe,
    by_distinct,
    stream_cell,
    xml_safe,
)

#: the cell variants whose style ids the template row carries, in row order
VARIANTS = ("text", "quote", "date")
_TEMPLATE_VALUES = {"text": "x", "quote": "=x", "date": date(2000, 1, 1)}
_EPOCH = date(1899, 12, 30).toordinal()
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>)')
_STYLE = re.compile(rb'\bs="(\d+)"')
_CHUNK = 4096  # rows per write


class Columns:
    """A sheet's rows given column by column (lists or pandas Series of one length).

    The fast way to hand :func:`finish` a large sheet: each column's cells are
    made in one pass (a date column vectorised, a text escaped once per
    distinct value in a chunk), then joined into rows.
    """

    def __init__(self, columns: Sequence[Any]) -> None:
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            raise ValueError("columns of different lengths")
        self.columns = list(columns)
        self.length = lengths.pop() if lengths else 0


@dataclass
class FastSheet:
    """A sheet whose rows :func:`finish` writes; openpyxl wrote only header and template."""

    index: int  # 0-based position among the workbook's sheets
    columns: int
    rows: Iterable[Sequence[Any]] | Columns
    unlocked: frozenset[int] = frozenset()
    styles: dict[tuple[int, str], str] = field(default_factory=dict)


def add_template(sheet: Any, columns: int, date_format: str, unlocked: frozenset[int]) -> None:
    """Append the template rows (after the header) to an openpyxl write-only sheet."""
    for variant in VARIANTS:
        cells = []
        for index in range(columns):
            cell = stream_cell(sheet, _TEMPLATE_VALUES[variant], date_format)
            if index in unlocked:
                cell.protection = UNLOCKED
            cells.append(cell)
        sheet.append(cells)


def _serial(value: date) -> str:
    return str(value.toordinal() - _EPOCH)


def _style(style: str) -> str:
    """A cell's style attribute (none for the default style 0: fewer bytes per cell)."""
    return f' s="{style}"' if style != "0" else ""


def _head(style: str, keep_spaces: bool) -> str:
    """An inline text cell's XML up to its text; ``keep_spaces``: xml:space="preserve"."""
    space = ' xml:space="preserve"' if keep_spaces else ""
    return f'{_style(style)} t="inlineStr"><is><t{space}>'


#: whitespace an XML reader may fold (at either end, a tab, a line break, two spaces):
#: only such a text needs xml:space="preserve"; the rest are written without it
_SPACES = re.compile(r"^[ \t\r\n]|[ \t\r\n]$|[\t\r\n]| {2}")
#: the same, looked for in texts joined by line breaks (one text per line); found with
#: str.find (a regular expression would try every position of a hundred megabytes)
_SPACE_NEEDLES = ("\n ", " \n", "  ", "\t", "\r")


def _text_head(text: str, styles: dict[str, str]) -> str:
    """The head of a text cell: quote-prefixed if it starts a formula, spaces kept if need be."""
    style = styles["quote"] if text.startswith(FORMULA_START) else styles["text"]
    return _head(style, _SPACES.search(text) is not None)


def _tail(value: Any, styles: dict[str, str], style_of_empty: str) -> str:
    """One cell's XML after its ``<c r="A2"`` (empty: no cell at all)."""
    if type(value) is str:  # the common case first
        return _text_tail(xml_safe(value), styles)
    if value is None or value is pd.NA or value is pd.NaT:
        return f' s="{style_of_empty}"/>' if style_of_empty != "0" else ""
    if isinstance(value, float) and pd.isna(value):
        return f' s="{style_of_empty}"/>' if style_of_empty != "0" else ""
    if isinstance(value, bool):
        return f'{_style(styles["text"])} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"{_style(styles['text'])}><v>{value!r}</v></c>"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return f"{_style(styles['date'])}><v>{_serial(value.date())}</v></c>"
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        serial = value.toordinal() - _EPOCH + seconds / 86400
        return f"{_style(styles['date'])}><v>{serial!r}</v></c>"
    if isinstance(value, date):
        return f"{_style(styles['date'])}><v>{_serial(value)}</v></c>"
    return _text_tail(xml_safe(str(value)), styles)


def _text_tail(text: str, styles: dict[str, str]) -> str:
    """A text cell's XML after its reference (``text`` already XML-safe)."""
    return f"{_text_head(text, styles)}{_escape(text)}{_TEXT_END}"


def _cell(ref: str, value: Any, styles: dict[str, str], style_of_empty: str) -> str:
    tail = _tail(value, styles, style_of_empty)
    return f'<c r="{ref}"{tail}' if tail else ""


def _tails(values: Any, styles: dict[str, str], style_of_empty: str) -> list[str]:
    """:func:`_tail` of every value of one column (a list; not a date column).

    A text is escaped once per distinct value, and the characters XML cannot
    hold are looked for once in the whole column.
    """
    clean = all_xml_safe([v for v in values if type(v) is str])
    memo: dict[Any, str] = {}
    out: list[str] = []
    append = out.append
    for value in values:
        kind = type(value)
        if kind is str:
            tail = memo.get(value)
            if tail is None:
                text = value if clean else xml_safe(value)
                tail = memo[value] = _text_head(text, styles) + _escape(text) + _TEXT_END
            append(tail)
        elif kind is int:  # exact types: True == 1 must not share an entry
            tail = memo.get(value)
            if tail is None:
                tail = memo[value] = _tail(value, styles, style_of_empty)
            append(tail)
        else:
            append(_tail(value, styles, style_of_empty))
    return out


_TEXT_END = "</t></is></c>"
#: what a formula starts with, as a line of texts joined by line breaks starts
_FORMULA_FIRSTS = tuple(c for c in FORMULA_START if c != "\n")
#: a line break and such a start (the engine looks for the line break as fast as find)
_FORMULA_AFTER_BREAK = re.compile("\n[" + re.escape("".join(_FORMULA_FIRSTS)) + "]")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _text_tails(texts: list[str], styles: dict[str, str]) -> list[str]:
    """:func:`_tail` of texts: formulas found and XML escaped on all of them joined at once."""
    if not all_xml_safe(texts):
        texts = [xml_safe(v) for v in texts]
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text with a line break: one by one
        return [f"{_text_head(t, styles)}{_escape(t)}{_TEXT_END}" for t in texts]
    # Rare: the texts that start a formula (quoted) and those whose spaces must be kept.
    quoted = _lines_starting(joined)
    spaced = _spaced_lines(joined)
    plain = _head(styles["text"], False)
    heads = [plain] * len(texts)
    for index in quoted | spaced:
        style = styles["quote"] if index in quoted else styles["text"]
        heads[index] = _head(style, index in spaced)
    escaped = _escape(joined).split("\n")
    return [f"{head}{text}{_TEXT_END}" for head, text in zip(heads, escaped, strict=True)]


def _lines_of(joined: str, positions: Iterable[int]) -> set[int]:
    """The numbers of the lines of ``joined`` (0-based) that hold these positions."""
    found: set[int] = set()
    index = last = 0
    for position in sorted(positions):
        index += joined.count("\n", last, position)
        last = position
        found.add(index)
    return found


def _lines_starting(joined: str) -> set[int]:
    """The lines of ``joined`` (0-based) that start as a formula would."""
    starts = {m.start() + 1 for m in _FORMULA_AFTER_BREAK.finditer(joined)}
    if joined.startswith(_FORMULA_FIRSTS):
        starts.add(0)
    return _lines_of(joined, starts)


def _spaced_lines(joined: str) -> set[int]:
    """The lines of ``joined`` (0-based) whose text needs xml:space="preserve"."""
    starts: set[int] = set()
    for needle in _SPACE_NEEDLES:
        at = joined.find(needle)
        while at != -1:
            # "\n " belongs to the line after the break; the others to the line they start in
            starts.add(at + 1 if needle == "\n " else at)
            at = joined.find(needle, at + 1)
    if joined[:1] == " ":
        starts.add(0)
    if joined[-1:] == " ":
        starts.add(len(joined) - 1)
    return _lines_of(joined, starts)


def _cell_parts(
    values: Any, letter: str, numbers: list[str], styles: dict[str, str], style_of_empty: str
) -> list[Iterable[str]]:
    """One column's cells as parallel sequences of fragments: row by row, the fragments
    joined are the cell's XML ('' for no cell). Joined with the other columns' in one
    ``str.join``, no cell costs a Python-level string operation of its own."""
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_dtype(values.dtype):
        tails = _date_tails(values, styles, style_of_empty)
    else:
        found = by_distinct(
            values, lambda texts: _text_tails(texts, styles), _tail(None, styles, style_of_empty)
        )
        if found is None:
            found = _tails(
                values.to_numpy().tolist() if isinstance(values, pd.Series) else values,
                styles,
                style_of_empty,
            )
        tails = found
    if all(tails):
        return [repeat(f'<c r="{letter}'), numbers, repeat('"'), tails]
    return [[f'<c r="{letter}{n}"{t}' if t else "" for n, t in zip(numbers, tails, strict=True)]]


def _date_tails(values: pd.Series, styles: dict[str, str], style_of_empty: str) -> list[str]:
    stamps = values.to_numpy()
    days = stamps.astype("datetime64[D]")
    missing = np.isnat(stamps)
    midnight = (stamps == days) & ~missing
    serials = (days - np.datetime64("1899-12-30", "D")).astype(np.int64)
    style = styles["date"]
    by_serial = {
        d: f"{_style(style)}><v>{d}</v></c>" for d in np.unique(serials[midnight]).tolist()
    }
    empty = _tail(None, styles, style_of_empty)
    out = [
        by_serial[serial] if day else empty
        for serial, day in zip(serials.tolist(), midnight.tolist(), strict=True)
    ]
    for position in np.flatnonzero(~midnight & ~missing).tolist():  # a time of day
        out[position] = _tail(values.iloc[position], styles, style_of_empty)
    return out


def _rows_xml(sheet: FastSheet) -> Iterable[str]:
    letters = [get_column_letter(i + 1) for i in range(sheet.columns)]
    per_column = [
        {variant: sheet.styles.get((i, variant), "0") for variant in VARIANTS}
        for i in range(sheet.columns)
    ]
    empty = [per_column[i]["text"] if i in sheet.unlocked else "0" for i in range(sheet.columns)]
    number = 1
    if isinstance(sheet.rows, Columns):
        number = yield from _columns_xml(sheet.rows, letters, per_column, empty)
    else:
        chunk: list[str] = []
        for number, values in enumerate(sheet.rows, start=2):
            cells = "".join(
                _cell(f"{letters[i]}{number}", value, per_column[i], empty[i])
                for i, value in enumerate(values)
            )
            chunk.append(f'<row r="{number}">{cells}</row>')
            if len(chunk) >= _CHUNK:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)
    if number == 1 and sheet.unlocked:  # no rows: the first row's editable cells stay editable
        cells = "".join(f'<c r="{letters[i]}2" s="{empty[i]}"/>' for i in sorted(sheet.unlocked))
        yield f'<row r="2">{cells}</row>'


def _columns_xml(
    rows: Columns, letters: list[str], per_column: list[dict[str, str]], empty: list[str]
) -> Generator[str, None, int]:
    """The rows' XML, a chunk of rows at a time; returns the last row number (1: none)."""
    width = min(len(letters), len(rows.columns))
    for start in range(0, rows.length, _CHUNK):
        stop = min(start + _CHUNK, rows.length)
        numbers = [str(n) for n in range(start + 2, stop + 2)]
        parts: list[Iterable[str]] = [repeat('<row r="'), numbers, repeat('">')]
        for i in range(width):
            column = rows.columns[i]
            part = column.iloc[start:stop] if isinstance(column, pd.Series) else column[start:stop]
            parts += _cell_parts(part, letters[i], numbers, per_column[i], empty[i])
        parts.append(repeat("</row>"))
        # repeat() never ends; every list has one entry per row of the chunk
        yield "".join(chain.from_iterable(zip(*parts, strict=False)))
    return rows.length + 1


def _template_styles(xml: bytes) -> dict[tuple[int, str], str]:
    styles: dict[tuple[int, str], str] = {}
    for letters, row, attributes in _CELL.findall(xml):
        variant_row = int(row) - 2
        if 0 <= variant_row < len(VARIANTS):
            column = _column_index(letters.decode())
            match = _STYLE.search(attributes)
            styles[(column, VARIANTS[variant_row])] = match.group(1).decode() if match else "0"
    return styles


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _made_ahead(texts: Iterable[str], ahead: int = 2) -> Iterator[bytes]:
    """``texts`` encoded, made by a helper thread a few chunks ahead of the caller.

    The caller compresses and writes one chunk while the next is made: zlib
    and file writes let go of the GIL, so the two overlap on a second core.
    An error in making is raised here; the helper stops when the caller does.
    """
    made: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: bytes | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                made.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for text in texts:
                if not put(text.encode("utf-8")):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the caller, raised there
            put(error)
            return
        put(None)

    helper = threading.Thread(target=make, name="karsinta-xlsx-rows", daemon=True)
    helper.start()
    try:
        while (item := made.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        helper.join()


def finish(path: Path, sheets: Sequence[FastSheet]) -> None:
    """Replace each fast sheet's template rows in the saved workbook with its real rows."""
    targets = {f"xl/worksheets/sheet{s.index + 1}.xml": s for s in sheets}
    temp = path.with_name(path.name + ".rows")
    try:
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
        ):
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = targets.get(info.filename)
                if sheet is None:
                    target.writestr(info, data)
                    continue
                start = data.index(b'<row r="2"')
                end = data.index(b"</sheetData>")
                sheet.styles = _template_styles(data[start:end])
                head = re.sub(rb'<dimension ref="[^"]*"/>', b"", data[:start], count=1)
                with target.open(info.filename, "w") as out:
                    out.write(head)
                    for chunk in _made_ahead(_rows_xml(sheet)):
                        out.write(chunk)
                    out.write(data[end:])
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
