"""The reference: calendar traces computed the library way, for comparison and benchmarks.

icalendar parses the whole file (every calendar in it), x-wr-timezone applies
X-WR-TIMEZONE, and recurring-ical-events expands each series (the reader's
former implementation of series dates, with the same bounds on endless and
enormous rules). The customer rules are written again here, independently of
:mod:`connectors.ics`, over icalendar's components: :func:`reference_records`
gives, per trace, what :func:`reader_records` gives from the reader, so the
two can be compared for identity (tests/test_ics.py) and timed
(benchmarks/bench_ics.py).

Known, deliberate differences (the reader is right, the library reads the
quirk another way) are listed in :data:`KNOWN_DIFFERENCES` by fixture name.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone
from recurring_ical_events import EventAdapter, Series

from connectors import trace as tr
from connectors.base import ProblemLog, SourceSpec
from connectors.ics import IcsConnector, IcsOptions

Component = Any
HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_OCCURRENCES = 20_000
_MARGIN = timedelta(days=2)
FIRST_SEARCH = timedelta(days=3660)
_FIRST_PROBE = 64
NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})

#: Fixtures where the library reads a quirk wrongly (see tests/test_ics.py for the right values).
KNOWN_DIFFERENCES = frozenset(
    {
        "passing_quirky_recurrences.ics",  # UTC UNTIL of all-day series, BYDAY blanks, empty EXDATE
        "passing_google_valmennus.ics",  # a fold inside an ä: icalendar decodes before unfolding
        "ns_train_ticket.ics",  # icalendar refuses the file (InvalidCalendar); the reader reads it
        "apple_ical15_recurrence_overrides.ics",  # an override whose date an EXDATE removes counts
        "failing_placeholder_dates.ics",  # year 0001 taken as written
    }
)

Record = tuple[Any, ...]


def reader_records(path: Path, **options: Any) -> list[Record]:
    """What the reader gives for ``path`` (raw records, before finalize)."""
    spec = SourceSpec(id="k", connector="ics", path=path, register="r", options=options)
    log = ProblemLog(path.name)
    records = IcsConnector().extract(spec, IcsOptions(**options), log)
    return sorted(_record(r) for r in records)


def _record(raw: dict[str, Any]) -> Record:
    return (
        raw["record_id"],
        raw["name"],
        tuple(raw["emails"]),
        tuple(raw["phones"]),
        raw["event_date"],
        raw["end_date"],
        raw["status"],
        raw["label"],
    )


def reference_records(path: Path, name_pattern: str | None = None) -> list[Record]:
    """The same records computed with icalendar + x-wr-timezone + recurring-ical-events."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calendars = icalendar.Calendar.from_ical(path.read_bytes(), multiple=True)
    name_re = re.compile(name_pattern, re.IGNORECASE) if name_pattern else None
    out: list[Record] = []
    for calendar in calendars:
        calname = tr.normalise_email(str(calendar.get("X-WR-CALNAME", "") or ""))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendar = x_wr_timezone.to_standard(calendar)
        series: dict[str, list[Component]] = {}
        for event in calendar.walk("VEVENT"):
            series.setdefault(str(event.get("UID", "")).strip(), []).append(event)
        for uid, events in series.items():
            out.extend(_series_records(uid, events, calname, name_re))
    return sorted(out)


def _series_records(
    uid: str, events: list[Component], calname: str | None, name_re: re.Pattern[str] | None
) -> list[Record]:
    master = core_component(events) or events[0]
    summary = str(master.get("SUMMARY", "") or "").strip()
    if str(master.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"):
        return []
    owners = {calname} if calname else set()
    organiser_names = set()
    for event in events:
        for prop in _as_list(event.get("ORGANIZER")):
            email, _, name = _who(prop)
            if email and tr.normalise_email(email):
                owners.add(tr.normalise_email(email))
            if name:
                organiser_names.add(name.casefold())
    people: dict[str, tuple[str | None, str | None, str | None]] = {}
    for event in events:
        for prop in _as_list(event.get("ATTENDEE")):
            if str(prop.params.get("CUTYPE", "")).upper() in NOT_PEOPLE:
                continue
            email, phone, name = _who(prop)
            normal = tr.normalise_email(email) if email else None
            if normal is not None and (normal in owners or normal.endswith(".calendar.google.com")):
                continue
            if normal is None and name and name.casefold() in organiser_names:
                continue
            if not (email or phone or name):
                continue
            key = (normal or email.strip().lower()) if email else (phone or tr.fold_name(name))
            if key and key not in people:
                people[key] = (name, email, phone)
    if not people and name_re is not None and summary:
        match = name_re.search(summary)
        if match:
            name = (match.groupdict().get("name") or "").strip() or None
            email = (match.groupdict().get("email") or "").strip() or None
            if name or email:
                key = tr.normalise_email(email) or email.lower() if email else tr.fold_name(name)
                people[key or ""] = (name, email, None)
    if not people:
        return []
    try:
        dates: SeriesDates | None = series_dates(events)
    except Exception:  # noqa: BLE001 - undated, as the reader does
        dates = None
    status = "cancelled" if str(master.get("STATUS", "")).upper() == "CANCELLED" else None
    if dates is not None and dates.last is None and status is None:
        status = "active"
    label = summary or "Kalenterimerkintä"
    if dates is not None:
        label = f"{label} {dates.first.day}.{dates.first.month}.{dates.first.year}"
    event_date = None if dates is None else (dates.first if dates.last is None else dates.last)
    return [
        (
            f"{uid}/{key}",
            name,
            (email,) if email else (),
            (phone,) if phone else (),
            event_date,
            None if dates is None else dates.last,
            status,
            label,
        )
        for key, (name, email, phone) in people.items()
    ]


def _who(prop: Any) -> tuple[str | None, str | None, str | None]:
    text = str(prop).strip()
    email = phone = None
    if text.lower().startswith("mailto:"):
        email = text[7:].strip() or None
    elif text.lower().startswith("tel:"):
        phone = text[4:].strip() or None
    elif "@" in text and ":" not in text:
        email = text
    if email is None and prop.params.get("EMAIL"):
        email = str(prop.params["EMAIL"]).strip() or None
    name = str(prop.params.get("CN", "") or "").strip().strip('"') or None
    if name and ("@" in name or (email and name.lower() == email.lower())):
        name = None
    return email, phone, name


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class SeriesDates:
    def __init__(self, first: date, last: date | None) -> None:
        self.first, self.last = first, last


class RowError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)


def local_date(value: date | datetime) -> date:
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


def generated_calendar(events: int, series: int, seed: int = 7) -> bytes:
    """A Google-style export: ``events`` VEVENTs of which ``series`` are recurring.

    Series are weekly or every other week, in Helsinki time or UTC, ending by
    UNTIL or COUNT or never, some with EXDATEs and some with a moved
    occurrence (an override VEVENT, counted among ``events``).
    """
    import random

    rng = random.Random(seed)
    head = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "X-WR-CALNAME:krista.kohonen@example.fi\r\nX-WR-TIMEZONE:Europe/Helsinki\r\n"
    )
    parts = [head]
    written = 0
    index = 0
    while written < events:
        index += 1
        day = date(2022, 1, 3) + timedelta(days=rng.randrange(900))
        hour = 8 + rng.randrange(10)
        start = f"{day:%Y%m%d}T{hour:02d}0000"
        recurring = index <= series
        tz = rng.choice([";TZID=Europe/Helsinki", ""])
        zulu = "" if tz else "Z"
        lines = [
            "BEGIN:VEVENT",
            f"DTSTART{tz}:{start}{zulu}",
            f"DTEND{tz}:{day:%Y%m%d}T{hour:02d}5500{zulu}",
            "DTSTAMP:20240101T000000Z",
            "ORGANIZER;CN=Krista Kohonen:mailto:krista.kohonen@example.fi",
            f"UID:{index:08d}kohonen@google.com",
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
            f"CN=Asiakas {index};X-NUM-GUESTS=0:mailto:asiakas{index}@example.com",
            "DESCRIPTION:Valmennustapaaminen. Käydään läpi edellisen kerran tehtävät ja",
            " sovitaan seuraavat askeleet.\\nGoogle Meet: https://meet.google.com/abc-defg",
            "LOCATION:Kauppalankatu 12\\, 45100 Kouvola",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            f"SUMMARY:Valmennus: Asiakas {index}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:This is an event reminder",
            "TRIGGER:-P0DT0H30M0S",
            "END:VALARM",
        ]
        override = None
        if recurring:
            interval = rng.choice([1, 2])
            end = rng.choice(["until", "count", "never"])
            rule = f"RRULE:FREQ=WEEKLY;INTERVAL={interval}"
            if end == "until":
                until = day + timedelta(weeks=rng.randrange(4, 60))
                rule += f";UNTIL={until:%Y%m%d}T215959Z"
            elif end == "count":
                rule += f";COUNT={rng.randrange(2, 40)}"
            lines.append(rule)
            if rng.random() < 0.3:
                ex = day + timedelta(weeks=interval * rng.randrange(1, 3))
                lines.append(f"EXDATE{tz}:{ex:%Y%m%d}T{hour:02d}0000{zulu}")
            if rng.random() < 0.3:
                moved = day + timedelta(weeks=interval)
                override = [
                    "BEGIN:VEVENT",
                    f"DTSTART{tz}:{moved + timedelta(days=1):%Y%m%d}T{hour:02d}0000{zulu}",
                    f"DTEND{tz}:{moved + timedelta(days=1):%Y%m%d}T{hour:02d}5500{zulu}",
                    f"UID:{index:08d}kohonen@google.com",
                    f"RECURRENCE-ID{tz}:{moved:%Y%m%d}T{hour:02d}0000{zulu}",
                    f"SUMMARY:Valmennus: Asiakas {index}",
                    f"ATTENDEE;CN=Asiakas {index}:mailto:asiakas{index}@example.com",
                    "END:VEVENT",
                ]
        lines.append("END:VEVENT")
        parts.append("\r\n".join(lines) + "\r\n")
        written += 1
        if override is not None and written < events:
            parts.append("\r\n".join(override) + "\r\n")
            written += 1
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8")
