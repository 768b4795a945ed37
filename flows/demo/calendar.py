"""Calendar exports as Google Calendar, Apple Calendar and Outlook write them.

Events are described in local Helsinki wall-clock time (as the owner sees
them) and written with the producer's own VTIMEZONE block, property order,
UID style and attendee parameters, with icalendar doing the escaping and line
folding. A weekly series keeps its wall-clock time across the daylight-saving
change, as RRULE with a TZID does, so :meth:`CalEvent.occurrences` is the
ground truth a correct reader must reproduce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Producer:
    """Who wrote the file: decides the header, time zone block and property order."""

    style: str  # "google", "apple" or "outlook"
    prodid: str
    tzid: str
    calname: str


def google(calname: str) -> Producer:
    return Producer(
        "google", "-//Google Inc//Google Calendar 70.9054//EN", "Europe/Helsinki", calname
    )


def apple(calname: str) -> Producer:
    return Producer("apple", "-//Apple Inc.//macOS 14.6.1//EN", "Europe/Helsinki", calname)


def outlook(calname: str) -> Producer:
    return Producer(
        "outlook",
        "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "FLE Standard Time",
        calname,
    )


@dataclass
class CalEvent:
    """One event or weekly series, in local Helsinki time.

    ``count`` None is a series with no end; 1 a single event. ``moved`` maps an
    occurrence's original start to its new start (written as a RECURRENCE-ID
    override). ``attendees`` hold the e-mail as the calendar shows it.
    """

    uid: str
    summary: str
    start: datetime
    minutes: int = 60
    count: int | None = 1
    interval_weeks: int = 1
    use_until: bool = False
    exdates: list[datetime] = field(default_factory=list)
    moved: dict[datetime, datetime] = field(default_factory=dict)
    attendees: list[tuple[str, str]] = field(default_factory=list)
    organizer: tuple[str, str] | None = None
    location: str = ""
    description: str = ""
    private: bool = False
    created: datetime | None = None

    def occurrences(self) -> list[datetime]:
        """Every occurrence start after EXDATE and moves (finite series only)."""
        if self.count is None:
            raise ValueError("an endless series has no last occurrence")
        step = timedelta(weeks=self.interval_weeks)
        starts = [self.start + step * k for k in range(self.count)]
        kept = [s for s in starts if s not in self.exdates]
        return sorted(self.moved.get(s, s) for s in kept)

    @property
    def first_date(self) -> date:
        return self.start.date()

    @property
    def last_date(self) -> date | None:
        """The local date of the last occurrence; None for an endless series."""
        if self.count is None:
            return None
        return self.occurrences()[-1].date()

    @property
    def recurring(self) -> bool:
        return self.count is None or self.count > 1


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=HELSINKI).astimezone(UTC)


def google_uid(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26)) + (
        "@google.com"
    )


def apple_uid(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def outlook_uid(rng: random.Random) -> str:
    tail = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
    stamp = "".join(rng.choice("0123456789ABCDEF") for _ in range(16))
    return f"040000008200E00074C5B7101A82E00800000000{stamp}000000000000000010000000{tail}"


# ---------------------------------------------------------------- time zones


def _tz_rule(
    component: TimezoneStandard | TimezoneDaylight,
    start: datetime,
    month: int,
    offsets: tuple[int, int],
    name: str | None,
    order: str,
) -> None:
    values = {
        "dtstart": start,
        "rrule": {"freq": "yearly", "bymonth": month, "byday": "-1SU"},
        "tzoffsetfrom": timedelta(hours=offsets[0]),
        "tzoffsetto": timedelta(hours=offsets[1]),
        "tzname": name,
    }
    for key in order.split():
        if values[key] is not None:
            component.add(key, values[key])


def vtimezone(producer: Producer) -> Timezone:
    """The Helsinki time zone block exactly as each producer writes it."""
    tz = Timezone()
    tz.add("tzid", producer.tzid)
    daylight, standard = TimezoneDaylight(), TimezoneStandard()
    if producer.style == "outlook":
        order = "dtstart rrule tzoffsetfrom tzoffsetto"
        _tz_rule(standard, datetime(1601, 10, 28, 4), 10, (3, 2), None, order)
        _tz_rule(daylight, datetime(1601, 3, 25, 3), 3, (2, 3), None, order)
        tz.add_component(standard)
        tz.add_component(daylight)
        return tz
    if producer.style == "google":
        tz.add("x-lic-location", producer.tzid)
        order = "tzoffsetfrom tzoffsetto tzname dtstart rrule"
        _tz_rule(daylight, datetime(1970, 3, 29, 3), 3, (2, 3), "EEST", order)
        _tz_rule(standard, datetime(1970, 10, 25, 4), 10, (3, 2), "EET", order)
    else:
        order = "tzoffsetfrom rrule dtstart tzname tzoffsetto"
        _tz_rule(daylight, datetime(1981, 3, 29, 3), 3, (2, 3), "EEST", order)
        _tz_rule(standard, datetime(1996, 10, 27, 4), 10, (3, 2), "EET", order)
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


# ------------------------------------------------------------------- events


def _rrule(event: CalEvent, producer: Producer) -> dict[str, object] | None:
    if not event.recurring:
        return None
    rule: dict[str, object] = {"freq": "weekly"}
    if event.interval_weeks > 1:
        rule["interval"] = event.interval_weeks
    if event.count is not None:
        if event.use_until:
            last = event.start + timedelta(weeks=event.interval_weeks) * (event.count - 1)
            # Google and Apple give UNTIL in UTC at the end of the last day.
            rule["until"] = _utc(last.replace(hour=23, minute=59, second=59))
        else:
            rule["count"] = event.count
    rule["byday"] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[event.start.weekday()]
    if producer.style != "apple":
        rule["wkst"] = "MO"
    return rule


def _vevent(
    event: CalEvent,
    producer: Producer,
    stamp: datetime,
    *,
    start: datetime,
    recurrence_id: datetime | None = None,
) -> Event:
    """One VEVENT (a series master or a moved occurrence) in the producer's order."""
    tzp = {"TZID": producer.tzid}
    end = start + timedelta(minutes=event.minutes)
    created = event.created or min(
        _utc(event.start - timedelta(days=14)), stamp - timedelta(days=1)
    )
    master = recurrence_id is None
    props: dict[str, list[tuple[Any, dict[str, str] | None]]] = {
        "dtstart": [(start, tzp)],
        "dtend": [(end, tzp)],
        "dtstamp": [(stamp, None)],
        "uid": [(event.uid, None)],
        "created": [(created, None)],
        "last-modified": [(created, None)],
        "sequence": [(0 if master else 1, None)],
        "summary": [(event.summary, {"LANGUAGE": "fi"} if producer.style == "outlook" else None)],
    }
    if event.location:
        props["location"] = [(event.location, None)]
    if event.description or producer.style != "apple":
        props["description"] = [(event.description, None)]
    if recurrence_id is not None:
        props["recurrence-id"] = [(recurrence_id, tzp)]
    rule = _rrule(event, producer) if master else None
    if rule:
        props["rrule"] = [(rule, None)]
    if master and event.exdates:
        if producer.style == "google":  # Google writes one EXDATE line per date
            props["exdate"] = [(d, tzp) for d in event.exdates]
        else:
            props["exdate"] = [(list(event.exdates), tzp)]
    if event.organizer:
        name, email = event.organizer
        params = {"CN": name}
        if producer.style == "apple":
            params["EMAIL"] = email
        props["organizer"] = [(f"mailto:{email}", params)]
    attendees: list[tuple[Any, dict[str, str] | None]] = []
    for name, email in event.attendees:
        if producer.style == "google":
            params = {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "ACCEPTED",
                "CN": name,
                "X-NUM-GUESTS": "0",
            }
        elif producer.style == "apple":
            params = {
                "CN": name,
                "CUTYPE": "INDIVIDUAL",
                "EMAIL": email.strip(),
                "PARTSTAT": "ACCEPTED",
                "ROLE": "REQ-PARTICIPANT",
            }
        else:
            params = {"CN": name, "RSVP": "TRUE"}
        attendees.append((f"mailto:{email.strip()}", params))
    if attendees:
        props["attendee"] = attendees
    props["transp"] = [("OPAQUE", None)]
    if producer.style == "google":
        props["status"] = [("CONFIRMED", None)]
    if producer.style == "outlook":
        props["class"] = [("PRIVATE" if event.private else "PUBLIC", None)]
        props["priority"] = [(5, None)]
        for key, value in (
            ("x-microsoft-cdo-busystatus", "BUSY"),
            ("x-microsoft-cdo-importance", "1"),
            ("x-microsoft-disallow-counter", "FALSE"),
            ("x-ms-olk-autofilllocation", "FALSE"),
            ("x-ms-olk-conftype", "0"),
        ):
            props[key] = [(value, None)]
    elif event.private:
        props["class"] = [("PRIVATE", None)]
    if producer.style == "apple":
        props["x-apple-travel-advisory-behavior"] = [("AUTOMATIC", None)]

    order = {
        "google": "dtstart dtend rrule exdate dtstamp organizer uid recurrence-id attendee class "
        "created description last-modified location sequence status summary transp",
        "apple": "transp dtend uid dtstamp location description sequence class "
        "x-apple-travel-advisory-behavior recurrence-id summary last-modified created dtstart "
        "rrule exdate attendee organizer",
        # Outlook writes its properties in alphabetical order.
        "outlook": " ".join(sorted(props)),
    }[producer.style]
    vevent = Event()
    for key in order.split():
        for value, parameters in props.get(key, []):
            vevent.add(key, value, parameters=parameters or {})
    return vevent


def write_calendar(path: Path, producer: Producer, events: list[CalEvent], stamp: datetime) -> None:
    """Write ``events`` as the producer's .ics export, DTSTAMP fixed to ``stamp`` (UTC)."""
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    if producer.style == "outlook":
        header = [
            ("prodid", producer.prodid),
            ("version", "2.0"),
            ("method", "PUBLISH"),
            ("x-wr-calname", producer.calname),
        ]
    elif producer.style == "google":
        header = [
            ("prodid", producer.prodid),
            ("version", "2.0"),
            ("calscale", "GREGORIAN"),
            ("method", "PUBLISH"),
            ("x-wr-calname", producer.calname),
            ("x-wr-timezone", producer.tzid),
        ]
    else:
        header = [
            ("method", "PUBLISH"),
            ("version", "2.0"),
            ("x-wr-calname", producer.calname),
            ("prodid", producer.prodid),
            ("x-apple-calendar-color", "#1BADF8"),
            ("x-wr-timezone", producer.tzid),
            ("calscale", "GREGORIAN"),
        ]
    for key, value in header:
        cal.add(key, value)
    cal.add_component(vtimezone(producer))
    for event in events:
        cal.add_component(_vevent(event, producer, stamp, start=event.start))
        for original, new in sorted(event.moved.items()):
            cal.add_component(_vevent(event, producer, stamp, start=new, recurrence_id=original))
    path.write_bytes(cal.to_ical(sorted=False))
