"""The fast paths of the ICS reader give what the general ones give.

A plain daily or weekly rule is stepped without dateutil
(:class:`connectors.ics_series._Steps`): for any such rule, start, zone,
COUNT or UNTIL it must give dateutil's occurrences exactly.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.ics_series import _Rule, _Steps

ZONES = [None, UTC, ZoneInfo("Europe/Helsinki"), ZoneInfo("America/New_York")]
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def simple_rules(draw: st.DrawFn) -> tuple[str, datetime]:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
    hour = draw(st.integers(0, 23))
    start = datetime(day.year, day.month, day.day, hour, draw(st.sampled_from([0, 30])), 0)
    start = start.replace(tzinfo=zone)
    freq = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(f"BYDAY={DAYS[start.weekday()]}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    end = draw(st.sampled_from(["count", "until", "none"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 60))}")
    elif end == "until":
        until = start + timedelta(days=draw(st.integers(-3, 400)), hours=draw(st.integers(-30, 30)))
        until = until.astimezone(UTC) if zone is not None else until
        text = f"{until:%Y%m%dT%H%M%S}" + ("Z" if zone is not None else "")
        parts.append(f"UNTIL={text}")
    return ";".join(draw(st.permutations(parts))), start


@settings(max_examples=300, deadline=None)
@given(simple_rules())
def test_steps_give_dateutils_occurrences(case: tuple[str, datetime]) -> None:
    text, start = case
    rule = _Rule.read(text, start)
    assert isinstance(rule.rule, _Steps)
    parts = [p for p in text.split(";") if not p.startswith("UNTIL=")]
    expected = rrulestr(";".join(parts), dtstart=start, cache=False)
    assert isinstance(expected, rrule)
    if rule.until is not None:
        expected = expected.replace(until=rule.until)
    got = list(itertools.islice(rule.rule, 500))
    want = list(itertools.islice(expected, 500))
    assert got == want
    assert [g.tzinfo for g in got] == [w.tzinfo for w in want]


def test_rules_beyond_the_simple_ones_go_to_dateutil() -> None:
    start = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)  # a Tuesday
    for text in (
        "FREQ=WEEKLY;BYDAY=MO,TU;COUNT=5",
        "FREQ=WEEKLY;BYDAY=WE",
        "FREQ=MONTHLY;COUNT=3",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=DAILY;COUNT=3;UNTIL=20240201T000000Z",
        "FREQ=DAILY;INTERVAL=0",
    ):
        try:
            rule = _Rule.read(text, start)
        except Exception:  # noqa: BLE001 - dateutil refuses some: not stepped either
            continue
        assert not isinstance(rule.rule, _Steps), text


def test_steps_stop_at_year_9999_like_dateutil() -> None:
    start = datetime(9999, 12, 1, 9, 0)
    rule = _Rule.read("FREQ=WEEKLY;COUNT=20", start)
    expected = rrulestr("FREQ=WEEKLY;COUNT=20", dtstart=start, cache=False)
    assert list(rule.rule) == list(expected)
