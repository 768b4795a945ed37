"""Retention periods and date anchors: the calendar arithmetic of every rule.

A period is calendar months, years and days added with
:class:`dateutil.relativedelta.relativedelta`, so "two months after 31
December" is the last day of February and "two months after 31 August" is
31 October. The same code serves the register policies (policies.schema),
the statutory rules (policies.law) and the engine, so a period means one
thing everywhere.

Written in YAML either as a mapping (``{months: 2}``, ``{years: 6}``) or as
a short text: ``"2 months"``, ``"6 years"``, ``"30 days"``, and in Finnish
``"2 kk"``, ``"2 kuukautta"``, ``"6 vuotta"``, ``"2 vrk"``, ``"30 päivää"``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.configfile import coded
from connectors.trace import DATE_DTYPE

_UNITS: dict[str, str] = {
    "year": "years",
    "years": "years",
    "y": "years",
    "v": "years",
    "vuosi": "years",
    "vuotta": "years",
    "month": "months",
    "months": "months",
    "kk": "months",
    "kuukausi": "months",
    "kuukautta": "months",
    "day": "days",
    "days": "days",
    "d": "days",
    "vrk": "days",
    "päivä": "days",
    "päivää": "days",
    "pv": "days",
}
_TEXT = re.compile(r"^\s*(\d+)\s*([^\d\s.]+)\.?\s*$")


class Period(BaseModel):
    """A calendar period: years + months + days (non-negative, not all zero)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: int = Field(default=0, ge=0, le=200)
    months: int = Field(default=0, ge=0, le=2400)
    days: int = Field(default=0, ge=0, le=36500)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _TEXT.match(value)
            unit = _UNITS.get(match.group(2).lower()) if match else None
            if not match or unit is None:
                raise coded("cfg_period_text")
            return {unit: int(match.group(1))}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Period:
        if not (self.years or self.months or self.days):
            raise coded("cfg_period_zero")
        return self

    @property
    def delta(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months, days=self.days)

    def add(self, day: date) -> date:
        """``day`` plus this period, calendar-aware (month ends are clipped)."""
        result: date = day + self.delta
        return result

    def text_fi(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} v")
        if self.months:
            parts.append(f"{self.months} kk")
        if self.days:
            parts.append(f"{self.days} pv")
        return " ".join(parts)

    def text_en(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " ".join(parts)


def fiscal_year_end_of(day: date, end_day: int, end_month: int) -> date:
    """The last day of the fiscal year that ``day`` belongs to."""
    end = _clip(day.year, end_month, end_day)
    return end if day <= end else _clip(day.year + 1, end_month, end_day)


def _clip(year: int, month: int, day: int) -> date:
    """date(year, month, day), with 29 February clipped to the 28th in common years."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def year_end_after_fiscal_year(day: date, end_day: int, end_month: int) -> date:
    """31 December of the year in which the fiscal year of ``day`` ended.

    Kirjanpitolaki 2:10 counts six years "sen vuoden lopusta, jonka aikana
    tilikausi on päättynyt" — from this date.
    """
    return date(fiscal_year_end_of(day, end_day, end_month).year, 12, 31)


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def as_timestamp(day: date | pd.Timestamp) -> pd.Timestamp:
    """A date as a midnight Timestamp of the trace date dtype's resolution."""
    return pd.Timestamp(day).normalize().as_unit("us")


def fi_date(value: Any) -> str:
    """14.8.2026 — the Finnish way, no leading zeros."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp.day}.{stamp.month}.{stamp.year}"


def en_date(value: Any) -> str:
    """2026-08-14 — ISO in the English texts (unambiguous)."""
    if value is None or value is pd.NaT:
        return ""
    return pd.Timestamp(value).date().isoformat()


# ------------------------------------------------ day numbers (the engine's arrays)

#: A missing date among day numbers (int64 days since 1970-01-01): the smallest
#: int64, which is also numpy's NaT, so a maximum skips it.
NAT = np.iinfo(np.int64).min
_EPOCH = date(1970, 1, 1).toordinal()


def to_days(series: pd.Series) -> np.ndarray:
    """A date column as int64 day numbers since 1970-01-01 (:data:`NAT` where missing)."""
    values = series.astype(DATE_DTYPE).to_numpy(dtype="datetime64[us]")
    return values.astype("datetime64[D]").astype(np.int64)


def from_days(days: np.ndarray) -> np.ndarray:
    """Day numbers back to ``datetime64[us]`` (:data:`NAT` -> NaT)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[us]")


def day_number(day: date) -> int:
    return day.toordinal() - _EPOCH


def day_date(days: int) -> date:
    return date.fromordinal(int(days) + _EPOCH)


def add_period_days(days: np.ndarray, period: Period) -> np.ndarray:
    """Each day number plus ``period``, exactly as :meth:`Period.add` (NAT stays NAT).

    Years and months first, the day clipped to the target month's length
    (relativedelta's rule), then the days: vectorised month arithmetic.
    """
    out = np.full(len(days), NAT, dtype=np.int64)
    valid = days != NAT
    if not valid.any():
        return out
    day = days[valid].astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    within = (day - month.astype("datetime64[D]")).astype(np.int64)
    target = month + (period.years * 12 + period.months)
    start = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - start).astype(np.int64)
    out[valid] = start.astype(np.int64) + np.minimum(within, length - 1) + period.days
    return out


def _year_table(years: np.ndarray, func: Any) -> tuple[int, np.ndarray]:
    """(first year, day number of ``func(year)`` for each year first..last + 1)."""
    first, last = int(years.min()), int(years.max())
    table = np.array([day_number(func(y)) for y in range(first, last + 2)], dtype=np.int64)
    return first, table


def fiscal_year_end_days(days: np.ndarray, end_day: int, end_month: int) -> np.ndarray:
    """:func:`fiscal_year_end_of` of each day number (NAT stays NAT)."""
    out = np.full(len(days), NAT, dtype=np.int64)
    valid = days != NAT
    if not valid.any():
        return out
    day = days[valid]
    years = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    first, table = _year_table(years, lambda y: _clip(y, end_month, end_day))
    this_year = table[years - first]
    out[valid] = np.where(day <= this_year, this_year, table[years - first + 1])
    return out


def year_end_after_fiscal_year_days(days: np.ndarray, end_day: int, end_month: int) -> np.ndarray:
    """:func:`year_end_after_fiscal_year` of each day number (NAT stays NAT)."""
    ends = fiscal_year_end_days(days, end_day, end_month)
    valid = ends != NAT
    years = ends[valid].astype("datetime64[D]").astype("datetime64[Y]")
    ends[valid] = ((years + 1).astype("datetime64[D]") - 1).astype(np.int64)
    return ends
