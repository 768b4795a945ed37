"""Reading the text files Finnish small businesses export.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (legacy Google CSV),
Windows-1252 (Finnish accounting software). Separators: ``;`` or ``,`` or tab.
Dates: ``1.2.2024``, ``01.02.2024``, ``2024-02-01``, Excel serial numbers, or
a format the source config names. Numbers: decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from connectors.errors import RowError, UnreadableSource

#: Files larger than this are refused as a whole rather than read half-way.
MAX_FILE_BYTES = 512 * 1024 * 1024


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Text and the encoding it was in. Raises UnreadableSource for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableSource(file, "broken UTF-16 text") from None
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        # UTF-16 little-endian without a BOM
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise UnreadableSource(file, "not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte.
        return data.decode("latin-1"), "latin-1"


def read_text(path: Path, file: str | None = None) -> tuple[str, str]:
    """The text of a file and its encoding; UnreadableSource when it has none."""
    name = file or str(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableSource(name, "file not found or not readable") from None
    if size > MAX_FILE_BYTES:
        raise UnreadableSource(name, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        data = path.read_bytes()
    except OSError:
        raise UnreadableSource(name, "file not readable") from None
    if not data.strip():
        raise UnreadableSource(name, "file is empty")
    return decode(data, name)


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: the most common of ``;`` ``,`` tab in its header line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(text: str, file: str, delimiter: str | None = None) -> pd.DataFrame:
    """All cells as stripped text ('' for blank), columns as in the header.

    Adds ``_row``: the row number a spreadsheet program shows (header = 1).
    Blank lines are dropped. Raises UnreadableSource without a header.
    """
    sep = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        rows = list(reader)
    except csv.Error:
        raise UnreadableSource(file, "not a valid CSV file") from None
    header_index = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise UnreadableSource(file, "file has no header row")
    header = [h.strip().lstrip("\ufeff") for h in rows[header_index]]
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row[:width]]
        cells += [""] * (width - len(cells))
        body.append(cells)
        numbers.append(number)
    columns = unique_columns(header)
    frame = pd.DataFrame(body, columns=columns, dtype="string")
    frame["_row"] = numbers
    return frame


def unique_columns(header: list[str], positions: list[int] | None = None) -> list[str]:
    """Column names made unique: a blank is 'column N', a repeat 'Name (2)'.

    ``positions`` are the columns' 0-based places in the file (default: in order).
    """
    places = positions if positions is not None else list(range(len(header)))
    seen: dict[str, int] = {}
    out = []
    for name, position in zip(header, places, strict=True):
        name = name or f"column {position + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def find_column(columns: list[str], *candidates: str) -> str | None:
    """The first column whose name matches a candidate, ignoring case and spacing."""

    def key(text: str) -> str:
        return re.sub(r"[\s_\-]+", " ", text).strip().casefold()

    index = {key(c): c for c in columns}
    for candidate in candidates:
        if key(candidate) in index:
            return index[key(candidate)]
    return None


_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object, date_format: str | None = None) -> date | None:
    """A date from a cell; None for a blank; RowError-free ValueError when unreadable.

    Understands ``1.2.2024``, ``01.02.2024``, ``1.2.24``, ``2024-02-01`` (with or
    without a time), Excel serial numbers (``45323``), ``datetime``/``date``
    objects, and ``date_format`` (strftime codes, e.g. ``%m/%d/%Y``) when given.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if pd.isna(value):
            return None
        return _excel_date(float(value))
    text = str(value).strip()
    if not text:
        return None
    if date_format:
        return datetime.strptime(text, date_format).date()
    match = _FI_DATE.match(text.split(" ")[0])
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return date(year, month, day)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_date(float(text))
    raise ValueError("not a date")


def _excel_date(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueError("not a date")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def row_date(value: object, field: str, date_format: str | None = None) -> date | None:
    """parse_date for a connector's row loop: raises RowError naming the field."""
    try:
        return parse_date(value, date_format)
    except (ValueError, OverflowError):
        expected = date_format or "d.m.yyyy or yyyy-mm-dd"
        raise RowError(field, f"not a date (expected {expected})") from None


def parse_decimal(value: object) -> float | None:
    """A number from ``1 234,50`` / ``1234.50`` / ``1,020.00``; None for a blank."""
    if value is None or value is pd.NA:
        return None
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return float(text)
