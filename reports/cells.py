"""The one safe way to put source data into files people open.

Everything that came from a source is hostile until written here:

* XLSX: a text that a spreadsheet would run as a formula (starting with
  ``=``, ``+``, ``-`` or ``@``, or a tab/CR before them) is stored as a text cell
  with Excel's quote prefix, never as a formula; characters XML cannot hold
  are dropped; dates are written as real dates with a Finnish date format.
* HTML: the Jinja environment escapes every value (autoescape), and
  :func:`html_text` escapes a single value outside templates.
* Invisible format characters (bidirectional overrides such as U+202E, which
  display a name reversed, zero-width characters, tag characters) are shown
  as visible escapes (``[U+202E]``) in every cell, page and CSV:
  :func:`inert`. Every Jinja environment comes from :func:`template_env`,
  which applies it to every value a template prints.
* Files with customer data are created readable by the owner only.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Protection
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Unicode format characters (category Cf): bidirectional controls, zero-width
#: characters, tags. They change how text around them is displayed.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DATE_FORMAT_FI = "d.m.yyyy"
DATE_FORMAT_EN = "yyyy-mm-dd"


def inert(text: str) -> str:
    """Text with every invisible format character shown as a visible escape."""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _finalize(value: Any) -> Any:
    """Jinja's finalize: every printed value made inert (Markup is the template's own)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return inert(value)
    return value


def template_env() -> Environment:
    """The one Jinja environment of the reports: autoescape, and inert values."""
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )


def xml_safe(text: str) -> str:
    """Text without the control characters an XLSX (XML) file cannot hold."""
    return _ILLEGAL_XML.sub("", text)


def all_xml_safe(texts: list[str]) -> bool:
    """True when :func:`xml_safe` would change none of ``texts`` (one search for all)."""
    return _ILLEGAL_XML.search("".join(texts)) is None


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def set_cell(cell: Cell, value: Any, date_format: str = DATE_FORMAT_FI) -> None:
    """Write one value into a cell safely (text never becomes a formula)."""
    if value is None or value is pd.NA or value is pd.NaT:
        cell.value = None
        return
    if isinstance(value, float) and pd.isna(value):
        cell.value = None
        return
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        cell.value = value.date() if value.time() == datetime.min.time() else value
        cell.number_format = date_format
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = date_format
        return
    if isinstance(value, bool | int | float):
        cell.value = value
        return
    text = xml_safe(inert(str(value)))
    cell.value = text
    if is_formula_like(text):
        # openpyxl would store a leading "=" as a formula: force a text cell,
        # and Excel's quote prefix so editing the cell keeps it text.
        cell.data_type = "s"
        cell.quotePrefix = True


def write_row(
    sheet: Worksheet, row: int, values: list[Any], date_format: str = DATE_FORMAT_FI
) -> None:
    for column, value in enumerate(values, start=1):
        set_cell(sheet.cell(row=row, column=column), value, date_format)


UNLOCKED = Protection(locked=False)


def stream_row(
    sheet: Any,
    values: list[Any],
    date_format: str = DATE_FORMAT_FI,
    unlocked: frozenset[int] = frozenset(),
) -> list[Any]:
    """One row for a write-only (streaming) sheet, each value as :func:`set_cell` writes it.

    Plain text and numbers go as values (fast); dates, text a spreadsheet
    would run as a formula, and the ``unlocked`` columns (0-based: the cells
    the owner may edit on a protected sheet) go as cells.
    """
    out: list[Any] = []
    for index, value in enumerate(values):
        if index not in unlocked:
            if value is None or value is pd.NA or value is pd.NaT:
                out.append(None)
                continue
            if isinstance(value, str):
                text = xml_safe(value)
                if not is_formula_like(text):
                    out.append(text)
                    continue
            elif isinstance(value, bool | int) or (isinstance(value, float) and not pd.isna(value)):
                out.append(value)
                continue
        cell = stream_cell(sheet, value, date_format)
        if index in unlocked:
            cell.protection = UNLOCKED
        out.append(cell)
    return out


def stream_cell(sheet: Any, value: Any, date_format: str = DATE_FORMAT_FI) -> Cell:
    """One cell for a write-only sheet (to style it), written as :func:`set_cell` does."""
    cell = WriteOnlyCell(sheet)
    set_cell(cell, value, date_format)
    return cell


def html_text(value: Any) -> Markup:
    """One value escaped for HTML (None and NA as empty)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return Markup("")
    return escape(inert(str(value)))


@contextmanager
def owner_only_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place.

    The file is created with mode 0600 (owner only) and replaces ``path``
    atomically, so a reader never sees half a report.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        os.chmod(temp, 0o600)
        yield temp
        os.chmod(temp, 0o600)
        with open(temp, "rb") as reader:
            os.fsync(reader.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def write_text_file(path: Path, text: str) -> None:
    """Write a text file readable by the owner only, atomically."""
    with owner_only_file(path) as temp:
        temp.write_text(text, encoding="utf-8")


def csv_cell(value: Any, lang: str = "fi") -> str:
    """One value as CSV text a spreadsheet opens safely: never a formula.

    Text that would start a formula gets Excel's quote prefix (``'=...``);
    dates are ``d.m.yyyy`` in Finnish, ISO in English.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.day}.{value.month}.{value.year}" if lang == "fi" else value.isoformat()
    text = inert(str(value).replace("\x00", ""))
    return "'" + text if is_formula_like(text) else text


def csv_cells(values: Any, lang: str = "fi") -> list[str]:
    """:func:`csv_cell` of a whole column (a list or a pandas Series), fast.

    A date column is formatted once per distinct day; texts are looked over
    for invisible characters and NULs in one search, not one by one.
    """
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_dtype(values.dtype):
        stamps = values.to_numpy()
        days = stamps.astype("datetime64[D]")
        missing = np.isnat(stamps)
        midnight = (stamps == days) & ~missing
        serials = days.astype(np.int64)
        by_day = {
            int(day.astype(np.int64)): csv_cell(day.astype(object), lang)
            for day in np.unique(days[midnight])
        }
        out = [
            by_day[serial] if at_midnight else ""
            for serial, at_midnight in zip(serials.tolist(), midnight.tolist(), strict=True)
        ]
        for position in np.flatnonzero(~midnight & ~missing).tolist():  # a time of day
            out[position] = csv_cell(values.iloc[position], lang)
        return out
    cells = by_distinct(values, _csv_texts, "")
    if cells is not None:
        return cells
    if isinstance(values, pd.Series):
        values = values.to_numpy().tolist()
    return [csv_cell(value, lang) for value in values]


def _csv_texts(texts: list[str]) -> list[str]:
    """:func:`csv_cell` of texts (invisible characters and NULs looked for in one search)."""
    joined = "".join(texts)
    if "\x00" in joined or _INVISIBLE.search(joined) is not None:
        texts = [inert(text.replace("\x00", "")) for text in texts]
    return ["'" + text if text.startswith(FORMULA_START) else text for text in texts]


def by_distinct(
    values: Any, convert: Callable[[list[str]], list[str]], missing: str
) -> list[str] | None:
    """``convert`` of a column of texts, worked out once per distinct text.

    ``values`` is a pandas Series or a list; a missing value (None, NA, NaN)
    becomes ``missing``. None when the column holds anything but texts and
    missing values: the caller then goes value by value.
    """
    if isinstance(values, pd.Series):
        if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
            return None
        codes, uniques = pd.factorize(values)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    distinct = uniques.tolist() if isinstance(uniques, np.ndarray) else list(uniques)
    if set(map(type, distinct)) - {str}:  # the types in C, not a Python loop
        return None
    table = np.empty(len(distinct) + 1, dtype=object)
    table[:-1] = convert(distinct)
    table[-1] = missing
    return table[codes].tolist()
