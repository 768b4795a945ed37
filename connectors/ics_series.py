"""When a calendar event or series happened, as local Helsinki dates.

The retention rules of a register count from the date of a customer's last
appointment, so a recurring series needs the date of its *last* occurrence
with every iCalendar rule applied: RRULE, RDATE, EXDATE, and RECURRENCE-ID
overrides (a moved occurrence counts at its new date). The expansion itself
is done by ``recurring-ical-events`` (its :class:`~recurring_ical_events.Series`),
which knows the many quirks of real exports; this module only decides which
span to expand so that nothing runs forever:

* a series with an RRULE that has neither COUNT nor UNTIL never ends: it is
  *ongoing*, and only its first occurrence is looked for, in the window of
  the rules' own first few starts (a minutely rule stays cheap);
* a finite series is expanded once, between the earliest and the latest date
  it can reach (the rules' own last occurrences, RDATEs, moved occurrences);
* a finite rule with more than :data:`MAX_OCCURRENCES` occurrences (a
  minutely rule until 2099) is not expanded: its last occurrence is taken to
  be the UNTIL date (never earlier than the real one, so nothing is deleted
  too early), and a rule with such a COUNT is treated as ongoing.

Times with a time zone are converted to Europe/Helsinki before taking the
date; floating times and all-day dates are taken as written.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from recurring_ical_events import EventAdapter, Series

from connectors.errors import RowError

#: An icalendar component; typed loosely, its property values are a wide union.
Component = Any

HELSINKI = ZoneInfo("Europe/Helsinki")
#: A finite rule with more occurrences than this is not expanded one by one.
MAX_OCCURRENCES = 20_000
#: Spans are widened by this much so that time zones never cut off an occurrence.
_MARGIN = timedelta(days=2)
#: How far after its earliest date the first occurrence of a series is looked for.
FIRST_SEARCH = timedelta(days=3660)
#: How many starts of each rule bound the window of the first occurrence.
_FIRST_PROBE = 64


@dataclass(frozen=True)
class SeriesDates:
    """First and last occurrence of an event or series (local dates).

    ``last`` is None for an ongoing series (an RRULE without an end).
    """

    first: date
    last: date | None

    @property
    def ongoing(self) -> bool:
        return self.last is None


def local_date(value: date | datetime) -> date:
    """The Helsinki date of a time; floating times and plain dates as written."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            try:
                return value.astimezone(HELSINKI).date()
            except (OverflowError, ValueError):
                return value.date()
        return value.date()
    return value


def is_recurring(component: Component) -> bool:
    """True when the component carries rules that make more than one occurrence."""
    return any(name in component for name in ("RRULE", "RDATE", "EXDATE"))


def series_dates(components: Sequence[Component]) -> SeriesDates:
    """First and last occurrence of the components sharing one UID.

    Every component must have a readable DTSTART (the caller checks).
    Raises :class:`RowError` (field ``RRULE``) when the recurrence cannot be
    computed; the message never quotes the rule.
    """
    if len(components) == 1 and not is_recurring(components[0]):
        only = local_date(components[0]["DTSTART"].dt)
        return SeriesDates(only, only)
    try:
        return _expand(components)
    except RowError:
        raise
    except Exception as exc:  # dateutil and recurring-ical-events raise many types
        raise RowError("RRULE", "the recurrence could not be computed") from exc


def _expand(components: Sequence[Component]) -> SeriesDates:
    series = Series([EventAdapter(component) for component in components])
    known = _known_dates(components)
    earliest, latest = min(known), max(known)
    core = core_component(components)
    endless = core is not None and any(_endless(rule) for rule in _rrules(core))
    if endless:
        return SeriesDates(_first(series, earliest), None)

    rules = list(getattr(series.recurrence, "rrules", [])[1:])
    too_long = False
    for rule in rules:
        count = 0
        last_of_rule: datetime | None = None
        for occurrence in itertools.islice(rule, MAX_OCCURRENCES + 1):
            count += 1
            last_of_rule = occurrence
        if count > MAX_OCCURRENCES:
            too_long = True
        elif last_of_rule is not None:
            latest = max(latest, local_date(last_of_rule))
    if too_long:
        untils = [u for rule in _rrules(core) for u in rule.get("UNTIL", [])] if core else []
        if not untils:
            # An enormous COUNT: for retention purposes it never ends.
            return SeriesDates(_first(series, earliest), None)
        latest = max([latest, *(local_date(until) for until in untils)])
        return SeriesDates(_first(series, earliest), latest)

    starts = [local_date(o.start) for o in series.between(earliest - _MARGIN, latest + _MARGIN)]
    if not starts:
        # Every occurrence was excluded; the entry is still in the file.
        start = local_date(components[0]["DTSTART"].dt)
        return SeriesDates(start, start)
    return SeriesDates(min(starts), max(starts))


def _first(series: Series, earliest: date) -> date:
    """The first occurrence of a series that may never end.

    The rules' own first few starts bound a small window, so a minutely rule
    costs a few dozen occurrences. If every one of them was excluded, the
    window doubles from a day up to :data:`FIRST_SEARCH`; after that the
    earliest date the series names is taken (a rule that never matches).
    """
    start = datetime.combine(earliest, time()) - _MARGIN
    candidates: list[Any] = []
    for rule in getattr(series.recurrence, "rrules", []):
        candidates.extend(itertools.islice(rule, _FIRST_PROBE))
    if candidates:
        stop = max(candidates) + timedelta(minutes=1)
        starts = [local_date(o.start) for o in series.between(start, stop)]
        if starts:
            return min(starts)
    days = 1
    while timedelta(days=days) <= FIRST_SEARCH:
        stop = datetime.combine(earliest, time()) + timedelta(days=days)
        starts = [local_date(o.start) for o in series.between(start, stop)]
        if starts:
            return min(starts)
        days *= 2
    return earliest


def core_component(components: Sequence[Component]) -> Component | None:
    """The component that defines the series (no RECURRENCE-ID, highest SEQUENCE)."""
    cores = [c for c in components if "RECURRENCE-ID" not in c]
    if not cores:
        return None
    return max(cores, key=lambda c: _int(c.get("SEQUENCE")))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _rrules(component: Component) -> list[Any]:
    rules = component.get("RRULE")
    if rules is None:
        return []
    return list(rules) if isinstance(rules, list) else [rules]


def _endless(rule: Any) -> bool:
    return not rule.get("COUNT") and not rule.get("UNTIL")


def _known_dates(components: Iterable[Component]) -> list[date]:
    """Every date a series names: starts, moved-from dates, RDATEs."""
    found: list[date] = []
    for component in components:
        found.append(local_date(component["DTSTART"].dt))
        recurrence_id = component.get("RECURRENCE-ID")
        if recurrence_id is not None:
            found.append(local_date(recurrence_id.dt))
        rdates = component.get("RDATE", [])
        for rdate_list in rdates if isinstance(rdates, list) else [rdates]:
            for value in rdate_list.dts:
                when = value.dt[0] if isinstance(value.dt, tuple) else value.dt
                found.append(local_date(when))
    return found
