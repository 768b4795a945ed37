"""Dates in a table column, read right or named as a problem, never silently wrong.

- ``1.2.2024`` / ``01.02.2024`` / ``1.2.24``: Finnish, day first, always.
- ``2024-02-01`` (with or without a time): ISO.
- ``1/2/2024`` (or ``1-2-2024``): the *column* decides the order. Day first
  (the Finnish default) when some first part is over 12 and no second part
  is; month first (a US export) when some second part is over 12 and no
  first part is. A column with both kinds of evidence mixes orders: each
  value that could be read either way is a problem of its row. A column
  with no evidence at all (every part 12 or less) is read day first, and
  that is one problem naming the column, until the ``date_format`` option
  says which order it is.
- ``Jan 28 2021``, ``28 January 2021``: month names (python-dateutil), only
  when day, month and year are all there.
- Excel serial numbers, and dates the workbook typed.

Years 1 to 9999 are dates (the trace contract's datetime64[us] holds them);
a year before 1900 or after 2200 is read as it is, with a warning: it is
often a placeholder ("0001-01-01", "31.12.9999") rather than a real date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?(?:[ T].*)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?:[ T,].*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]{3}")
_EXCEL_EPOCH = date(1899, 12, 30)
#: Years outside this range are read, with a warning (placeholders are common).
PLAUSIBLE_YEARS = (1900, 2200)


class _Bad:
    """A value that is not a date."""


BAD = _Bad()


@dataclass
class ColumnDates:
    """Each distinct value's date, and what the column says about itself."""

    dates: dict[Any, date | _Bad | None] = field(default_factory=dict)
    #: values that could be day/month or month/day in a column that mixes both
    ambiguous: set[Any] = field(default_factory=set)
    #: every slashed value could be either: read day first, one column problem
    order_unknown: bool = False
    #: "d/m" or "m/d" when the column's values decided it
    order: str | None = None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _excel(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueError("not a date")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _named_month(text: str) -> date:
    """``Jan 28 2021``: only when day, month and year are all written."""
    from dateutil import parser

    first = parser.parse(text, dayfirst=True, default=datetime(1, 1, 1))
    second = parser.parse(text, dayfirst=True, default=datetime(2, 2, 2))
    if first.date() != second.date():
        raise ValueError("incomplete date")
    return first.date()


def _one(value: Any, date_format: str | None, slashed: dict[Any, tuple[int, int, int]]) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel(float(value))
    text = str(value).strip()
    if not text:
        return None
    if date_format:
        return datetime.strptime(text, date_format).date()
    if match := _DOTTED.match(text):
        day, month, year = match.groups()
        return date(_year(year), int(month), int(day))
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _SLASHED.match(text):
        first, second, year = match.groups()
        slashed[value] = (int(first), int(second), _year(year))
        return None  # decided with the whole column
    if _SERIAL.fullmatch(text):
        return _excel(float(text))
    if _LETTERS.search(text):
        return _named_month(text)
    raise ValueError("not a date")


def read_column(values: np.ndarray, date_format: str | None) -> ColumnDates:
    """The date of each distinct value of a column (``values`` are distinct, non-blank)."""
    out = ColumnDates()
    slashed: dict[Any, tuple[int, int, int]] = {}
    for value in values:
        try:
            out.dates[value] = _one(value, date_format, slashed)
        except (ValueError, OverflowError, TypeError):
            out.dates[value] = BAD
    if not slashed:
        return out
    first_over = any(a > 12 for a, _, _ in slashed.values())
    second_over = any(b > 12 for _, b, _ in slashed.values())
    if second_over and not first_over:
        out.order = "m/d"
    elif first_over and not second_over:
        out.order = "d/m"
    elif not first_over and not second_over:
        out.order_unknown = any(a != b for a, b, _ in slashed.values())
        out.order = "d/m"
    for value, (a, b, year) in slashed.items():
        if out.order is None and a <= 12 and b <= 12 and a != b:
            out.ambiguous.add(value)
            out.dates[value] = BAD
            continue
        day, month = (a, b) if (out.order == "d/m" or (out.order is None and a > 12)) else (b, a)
        try:
            out.dates[value] = date(year, month, day)
        except ValueError:
            out.dates[value] = BAD
    return out


def to_datetime64(dates: list[date | None]) -> np.ndarray:
    """Dates as datetime64[us] (years 1 to 9999), NaT for None."""
    out = np.empty(len(dates), dtype="datetime64[us]")
    for i, value in enumerate(dates):
        out[i] = np.datetime64("NaT") if value is None else np.datetime64(value, "D")
    return out


def implausible(value: date | _Bad | None) -> bool:
    return isinstance(value, date) and not (PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1])


def is_bad(value: Any) -> bool:
    return value is BAD


Reader = Callable[[np.ndarray, str | None], ColumnDates]
