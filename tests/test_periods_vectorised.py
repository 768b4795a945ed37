"""The engine's vectorised calendar arithmetic agrees with the per-date rules.

The engine works on day numbers (numpy); the rules a person reads are
:meth:`Period.add`, :func:`fiscal_year_end_of` and
:func:`year_end_after_fiscal_year`. Property tests: the two never disagree,
month ends and 29 February included, and a missing date stays missing.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from policies.periods import (
    NAT,
    Period,
    add_period_days,
    day_date,
    day_number,
    fiscal_year_end_days,
    fiscal_year_end_of,
    year_end_after_fiscal_year,
    year_end_after_fiscal_year_days,
)

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
#: Month ends and leap days are where month arithmetic goes wrong.
EDGES = st.sampled_from(
    [date(2024, 2, 29), date(2023, 1, 31), date(2024, 1, 31), date(2025, 12, 31), date(2026, 8, 31)]
)
PERIODS = (
    st.tuples(st.integers(0, 10), st.integers(0, 36), st.integers(0, 400))
    .filter(any)
    .map(lambda t: Period(years=t[0], months=t[1], days=t[2]))
)
FISCAL_ENDS = st.sampled_from([(31, 12), (30, 6), (31, 8), (28, 2), (29, 2), (30, 9)])


def _days(values: list[date]) -> np.ndarray:
    return np.array([day_number(d) for d in values] + [NAT], dtype=np.int64)


@given(st.lists(st.one_of(DATES, EDGES), min_size=1, max_size=30), PERIODS)
def test_adding_a_period_matches_the_rule_per_date(values: list[date], period: Period) -> None:
    out = add_period_days(_days(values), period)
    assert [day_date(d) for d in out[:-1]] == [period.add(d) for d in values]
    assert out[-1] == NAT


@given(st.lists(st.one_of(DATES, EDGES), min_size=1, max_size=30), FISCAL_ENDS)
def test_fiscal_year_ends_match_the_rule_per_date(values: list[date], end: tuple[int, int]) -> None:
    end_day, end_month = end
    days = _days(values)
    fiscal = fiscal_year_end_days(days, end_day, end_month)
    after = year_end_after_fiscal_year_days(days, end_day, end_month)
    assert [day_date(d) for d in fiscal[:-1]] == [
        fiscal_year_end_of(d, end_day, end_month) for d in values
    ]
    assert [day_date(d) for d in after[:-1]] == [
        year_end_after_fiscal_year(d, end_day, end_month) for d in values
    ]
    assert fiscal[-1] == NAT
    assert after[-1] == NAT


def test_two_months_after_the_last_of_december_is_the_end_of_february() -> None:
    out = add_period_days(_days([date(2025, 12, 31), date(2023, 12, 31)]), Period(months=2))
    assert [day_date(d) for d in out[:-1]] == [date(2026, 2, 28), date(2024, 2, 29)]
