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
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl.utils import get_column_letter

from reports.cells import UNLOCKED, is_formula_like, stream_cell, xml_safe

#: the cell variants whose style ids the template row carries, in row order
VARIANTS = ("text", "quote", "date")
_TEMPLATE_VALUES = {"text": "x", "quote": "=x", "date": date(2000, 1, 1)}
_EPOCH = date(1899, 12, 30).toordinal()
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>)')
_STYLE = re.compile(rb'\bs="(\d+)"')
_CHUNK = 4096  # rows per write


@dataclass
class FastSheet:
    """A sheet whose rows :func:`finish` writes; openpyxl wrote only header and template."""

    index: int  # 0-based position among the workbook's sheets
    columns: int
    rows: Iterable[Sequence[Any]]
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


def _cell(ref: str, value: Any, styles: dict[str, str], style_of_empty: str) -> str:
    if type(value) is str:  # the common case first
        text = xml_safe(value)
        style = styles["quote"] if is_formula_like(text) else styles["text"]
        return (
            f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(text)}</t></is></c>"
        )
    if value is None or value is pd.NA or value is pd.NaT:
        return f'<c r="{ref}" s="{style_of_empty}"/>' if style_of_empty != "0" else ""
    if isinstance(value, float) and pd.isna(value):
        return f'<c r="{ref}" s="{style_of_empty}"/>' if style_of_empty != "0" else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{styles["text"]}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{styles["text"]}"><v>{value!r}</v></c>'
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return f'<c r="{ref}" s="{styles["date"]}"><v>{_serial(value.date())}</v></c>'
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        serial = value.toordinal() - _EPOCH + seconds / 86400
        return f'<c r="{ref}" s="{styles["date"]}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{styles["date"]}"><v>{_serial(value)}</v></c>'
    text = xml_safe(str(value))
    style = styles["quote"] if is_formula_like(text) else styles["text"]
    return (
        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(text)}</t></is></c>"
    )


def _rows_xml(sheet: FastSheet) -> Iterable[str]:
    letters = [get_column_letter(i + 1) for i in range(sheet.columns)]
    per_column = [
        {variant: sheet.styles.get((i, variant), "0") for variant in VARIANTS}
        for i in range(sheet.columns)
    ]
    empty = [per_column[i]["text"] if i in sheet.unlocked else "0" for i in range(sheet.columns)]
    chunk: list[str] = []
    number = 1
    for number, values in enumerate(sheet.rows, start=2):
        cells = "".join(
            _cell(f"{letters[i]}{number}", value, per_column[i], empty[i])
            for i, value in enumerate(values)
        )
        chunk.append(f'<row r="{number}">{cells}</row>')
        if len(chunk) >= _CHUNK:
            yield "".join(chunk)
            chunk = []
    if number == 1 and sheet.unlocked:  # no rows: the first row's editable cells stay editable
        cells = "".join(f'<c r="{letters[i]}2" s="{empty[i]}"/>' for i in sorted(sheet.unlocked))
        yield f'<row r="2">{cells}</row>'
    if chunk:
        yield "".join(chunk)


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
                    for text in _rows_xml(sheet):
                        out.write(text.encode("utf-8"))
                    out.write(data[end:])
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
