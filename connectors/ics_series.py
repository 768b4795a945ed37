"""When a calendar event or series happened, as local Helsinki dates.

The retention rules of a register count from the date of a customer's last
appointment, so a recurring series needs the date of its *last* occurrence
with every iCalendar rule applied: RRULE, RDATE, EXDATE, and RECURRENCE-ID
overrides (a moved occurrence counts at its new date). The rules themselves
are computed by python-dateutil (:func:`dateutil.rrule.rrulestr`); this
module decides what to expand so that nothing runs forever, and reads the
quirks of real exports the safe way:

* a series whose RRULE has neither COUNT nor UNTIL never ends: it is
  *ongoing*, and only its first occurrence is looked for (the first few
  starts of each rule, never the whole series);
* a finite series is expanded once: its last occurrence is the latest
  start that no EXDATE removes and no override moves away;
* a finite rule with more than :data:`MAX_OCCURRENCES` occurrences (a
  secondly rule until 2099) is not expanded one by one: its last occurrence
  is taken to be the UNTIL date (never earlier than the real one, so nothing
  is deleted too early), and a rule with such a COUNT is treated as ongoing;
* UNTIL is never read earlier than the exporter meant: an all-day series
  whose UNTIL is a UTC time (Google writes local midnight in UTC, the
  evening before) runs to the later of the UTC and the Helsinki date; a
  date-only UNTIL of a timed series includes that whole day; a floating
  UNTIL of a zoned series is read in the series' zone;
* blanks inside a rule (``BYDAY=MO, TU``) are removed before it is read.

DTSTART always counts as an occurrence (RFC 5545), unless an EXDATE removes
it or it lies after UNTIL. Times with a time zone are converted to
Europe/Helsinki before taking the date; floating times and all-day dates are
taken as written.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from connectors.errors import RowError
from connectors.ics_values import EARLIEST_YEAR, TimeReader, ValueProblem

Time = date | datetime

HELSINKI = ZoneInfo("Europe/Helsinki")
#: A finite rule with more occurrences than this is not expanded one by one.
MAX_OCCURRENCES = 20_000
#: How many starts of each endless rule are tried for the series' first occurrence.
FIRST_PROBE = 1_000

_BLANKS = re.compile(r"\s+")


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


@dataclass
class Schedule:
    """The schedule of one VEVENT: its start and recurrence properties, read."""

    start: Time
    rrules: list[str] = field(default_factory=list)
    rdates: list[Time] = field(default_factory=list)
    exdates: list[Time] = field(default_factory=list)
    recurrence_id: Time | None = None
    sequence: int = -1

    @property
    def recurring(self) -> bool:
        return bool(self.rrules or self.rdates or self.exdates)


def local_date(value: Time) -> date:
    """The Helsinki date of a time; floating times and plain dates as written."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            try:
                return value.astimezone(HELSINKI).date()
            except (OverflowError, ValueError):
                return value.date()
        return value.date()
    return value


def in_calendar_zone(value: Time, zone: tzinfo | None) -> Time:
    """X-WR-TIMEZONE as Google and Apple mean it: UTC and floating times are in ``zone``."""
    if zone is None or not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    if value.tzinfo is UTC:
        try:
            return value.astimezone(zone)
        except (OverflowError, ValueError):
            return value
    return value


def core_schedule(schedules: Sequence[Schedule]) -> Schedule | None:
    """The schedule that defines the series (no RECURRENCE-ID, highest SEQUENCE)."""
    cores = [s for s in schedules if s.recurrence_id is None]
    if not cores:
        return None
    return max(cores, key=lambda s: s.sequence)


def series_dates(schedules: Sequence[Schedule]) -> SeriesDates:
    """First and last occurrence of the schedules sharing one UID.

    Raises :class:`RowError` (field ``RRULE``) when a rule cannot be read or
    computed; the message never quotes the rule.
    """
    if len(schedules) == 1 and not schedules[0].recurring:
        only = local_date(schedules[0].start)
        return SeriesDates(only, only)
    try:
        return _series(schedules)
    except RowError:
        raise
    except Exception as exc:
        raise RowError(
            "RRULE", "the recurrence could not be computed", "ics_rule_not_computed"
        ) from exc


def _series(schedules: Sequence[Schedule]) -> SeriesDates:
    core = core_schedule(schedules)
    overrides = [s for s in schedules if s.recurrence_id is not None]
    moved_to = [local_date(s.start) for s in overrides]
    if core is None:
        return SeriesDates(min(moved_to), max(moved_to))
    keys = _Keys(core.start)
    removed = {keys.of(s.recurrence_id) for s in overrides if s.recurrence_id is not None}
    removed |= {keys.of(x) for x in core.exdates}
    removed_days = {x for x in core.exdates if not isinstance(x, datetime)}

    def kept(values: Iterable[Time]) -> Iterable[Time]:
        for value in values:
            if keys.of(value) in removed:
                continue
            if removed_days and keys.day(value) in removed_days:
                continue
            yield value

    rules = [_Rule.read(text, core.start) for text in core.rrules]
    singles = list(kept([*core.rdates, *([core.start] if _start_counts(core, rules) else [])]))
    single_dates = [local_date(v) for v in singles] + moved_to
    if any(rule.endless for rule in rules):
        return SeriesDates(_first(rules, kept, single_dates, core, schedules), None)

    firsts, lasts = list(single_dates), list(single_dates)
    for rule in rules:
        occurrences = list(itertools.islice(rule.rule, MAX_OCCURRENCES + 1))
        if len(occurrences) > MAX_OCCURRENCES:
            if rule.until is None:  # an enormous COUNT: for retention it never ends
                return SeriesDates(_first(rules, kept, single_dates, core, schedules), None)
            firsts.extend(local_date(v) for v in itertools.islice(kept(occurrences), 1))
            lasts.append(max(local_date(rule.until), local_date(occurrences[-1])))
            continue
        first = next(iter(kept(occurrences)), None)
        last = next(iter(kept(reversed(occurrences))), None)
        if first is not None and last is not None:
            firsts.append(local_date(first))
            lasts.append(local_date(last))
    if not firsts:
        # Every occurrence was excluded; the entry is still in the file.
        start = local_date(core.start)
        return SeriesDates(start, start)
    return SeriesDates(min(firsts), max(lasts))


def _start_counts(core: Schedule, rules: list[_Rule]) -> bool:
    """DTSTART is an occurrence unless it lies after the rules' last UNTIL."""
    untils = [rule.until for rule in rules if rule.until is not None and not rule.endless]
    if not untils or len(untils) < len(rules):
        return True
    start = _as_datetime(core.start)
    return any(not _after(start, until) for until in untils)


def _first(
    rules: list[_Rule],
    kept: Any,
    single_dates: list[date],
    core: Schedule,
    schedules: Sequence[Schedule],
) -> date:
    """The first occurrence of a series that may never end."""
    found = list(single_dates)
    for rule in rules:
        first = next(iter(kept(itertools.islice(rule.rule, FIRST_PROBE))), None)
        if first is not None:
            found.append(local_date(first))
    if found:
        return min(found)
    # Nothing within reach (a rule that never matches): the earliest date it names.
    named = [local_date(core.start), *(local_date(v) for v in core.rdates)]
    named += [local_date(s.recurrence_id) for s in schedules if s.recurrence_id is not None]
    return min(named)


class _Steps:
    """A daily or weekly rule with one start time: its occurrences by adding days.

    It gives exactly what dateutil's ``rrule`` gives for such a rule (the
    same wall-clock times in the start's zone, the same comparison with
    UNTIL, nothing after year 9999), without dateutil's general machinery.
    """

    def __init__(
        self, start: datetime, days: int, count: int | None, until: datetime | None
    ) -> None:
        if until is not None and (start.tzinfo is None) != (until.tzinfo is None):
            raise ValueError("UNTIL and DTSTART differ in having a time zone")
        self.start = start
        self.step = timedelta(days=days)
        self.count = count
        self.until = until

    def __iter__(self) -> Iterator[datetime]:
        value, step, until = self.start, self.step, self.until
        left = self.count
        while True:
            if until is not None and value > until:
                return
            if left is not None:
                left -= 1
                if left < 0:
                    return
            yield value
            try:
                value = value + step
            except OverflowError:
                return


#: The parts of a rule that :class:`_Steps` computes: (FREQ, INTERVAL, COUNT, BYDAY, WKST).
_SIMPLE_RULE = re.compile(
    r"FREQ=(?P<freq>DAILY|WEEKLY)"
    r"|INTERVAL=(?P<interval>[1-9][0-9]{0,3})"
    r"|COUNT=(?P<count>[1-9][0-9]{0,8})"
    r"|BYDAY=(?P<byday>MO|TU|WE|TH|FR|SA|SU)"
    r"|WKST=(?P<wkst>MO|TU|WE|TH|FR|SA|SU)"
)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _simple(parts: list[str], start: datetime) -> tuple[int, int | None] | None:
    """(days between occurrences, COUNT) of a plain daily or weekly rule, else None."""
    found: dict[str, str] = {}
    for part in parts:
        match = _SIMPLE_RULE.fullmatch(part)
        if match is None or match.lastgroup is None or match.lastgroup in found:
            return None
        found[match.lastgroup] = match.group(match.lastgroup)
    freq = found.get("freq")
    if freq is None:
        return None
    if "byday" in found and (freq != "WEEKLY" or found["byday"] != _WEEKDAYS[start.weekday()]):
        return None
    days = int(found.get("interval", "1")) * (7 if freq == "WEEKLY" else 1)
    return days, (int(found["count"]) if "count" in found else None)


@dataclass
class _Rule:
    """One RRULE read by dateutil, with its UNTIL read the safe way."""

    rule: rrule | _Steps
    until: datetime | None
    endless: bool

    @classmethod
    def read(cls, text: str, start: Time) -> _Rule:
        text = _BLANKS.sub("", text)
        if text.upper().startswith("RRULE:"):
            text = text[6:]
        parts: list[str] = []
        until_text = None
        count = False
        for part in text.split(";"):
            key, _, value = part.partition("=")
            key = key.upper()
            if not key:
                continue
            if key == "UNTIL":
                until_text = value
                continue
            count = count or key == "COUNT"
            parts.append(f"{key}={value.upper()}")
        if not parts:
            raise RowError("RRULE", "the rule is empty", "ics_rule_empty")
        dtstart = _as_datetime(start)
        simple = _simple(parts, dtstart)
        if simple is not None:
            days, count_value = simple
            until = _until(until_text, start) if until_text else None
            if count_value is None or until is None:
                steps = _Steps(dtstart, days, count_value, until)
                return cls(steps, until, until is None and not count)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rule = rrulestr(";".join(parts), dtstart=dtstart, cache=False)
            if not isinstance(rule, rrule):  # one RRULE value is one rule, never a set
                raise RowError("RRULE", "not a single rule", "ics_rule_not_single")
            until = _until(until_text, start) if until_text else None
            if until is not None:
                rule = rule.replace(until=until)
        return cls(rule, until, until is None and not count)


_READER = TimeReader()


def _until(text: str, start: Time) -> datetime:
    try:
        value = _READER.one(text, {})
    except ValueProblem as exc:
        raise RowError(
            "RRULE", f"UNTIL: {exc}", f"ics_until_{exc.kind}", year=EARLIEST_YEAR
        ) from None
    if not isinstance(start, datetime):  # an all-day series
        if isinstance(value, datetime):
            day = value.date()
            if value.tzinfo is not None:
                day = max(day, local_date(value))
        else:
            day = value
        return datetime.combine(day, time())
    if not isinstance(value, datetime):  # a date: the whole day counts
        return datetime.combine(value, time(23, 59, 59), tzinfo=start.tzinfo)
    if start.tzinfo is None:
        if value.tzinfo is None:
            return value
        # A floating series with a UTC end: the later of the two readings.
        local = value.astimezone(HELSINKI).replace(tzinfo=None)
        return max(value.replace(tzinfo=None), local)
    if value.tzinfo is None:
        return value.replace(tzinfo=start.tzinfo)
    return value


def _as_datetime(value: Time) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _after(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a > b


class _Keys:
    """Comparable keys of a series' times, so that EXDATEs and overrides match occurrences.

    An all-day series compares dates; a zoned series instants (a floating
    EXDATE is read in the series' zone); a floating series wall times.
    """

    def __init__(self, start: Time) -> None:
        self.all_day = not isinstance(start, datetime)
        self.zone = start.tzinfo if isinstance(start, datetime) else None

    def of(self, value: Time) -> Any:
        if self.all_day:
            return self.day(value)
        if not isinstance(value, datetime):
            return ("day", value)
        if self.zone is None:
            if value.tzinfo is not None:
                return value.astimezone(HELSINKI).replace(tzinfo=None)
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)

    def day(self, value: Time) -> date:
        return value.date() if isinstance(value, datetime) else value
