"""iCalendar exports (.ics): one trace per customer per event or recurring series.

Reads the calendar files that Google Calendar, Outlook/Exchange, Apple
Calendar, Thunderbird, Nextcloud/SabreDAV, DAVx5 and others export. A coach's
calendar holds an appointment per customer visit; retention counts from the
customer's *last* appointment, so a recurring series gives one trace whose
date is its last occurrence (see :mod:`connectors.ics_series`).

Who the customer is
    Each attendee (ATTENDEE: e-mail from ``mailto:`` or the EMAIL parameter,
    name from CN) except the owner: addresses in ``owner_emails``, every
    ORGANIZER (never a data subject), and an X-WR-CALNAME that is an e-mail
    address (Google names a primary calendar after its owner). Rooms,
    resources and groups (CUTYPE, ``*.calendar.google.com``) are not people.
    With ``attendee_domains`` only attendees in those domains count. When no
    attendee counts, ``name_pattern`` may take the customer from the title
    ("Valmennus: Matti Meikäläinen"). An event that names no customer at all
    gives no trace, even when ``title_pattern`` says it is a customer event:
    with nothing to tell whose it is, there is nothing to join, propose or
    delete; such calendars need a ``name_pattern`` that fits their titles.
    A customer who sent the invitation is its organiser and so not taken
    from it (only ``name_pattern`` can name them); the owner then attends,
    and ``owner_emails`` keeps the owner from counting as a customer.

Which events
    VEVENTs only (VTODO, VJOURNAL, VFREEBUSY are skipped). ``title_pattern``,
    ``exclude_title_pattern`` and ``name_pattern`` are regular expressions
    searched case-insensitively in the SUMMARY of the series' master event.
    CLASS:PRIVATE/CONFIDENTIAL events are skipped while ``skip_private``
    holds. With ``calendar_name`` only calendars whose X-WR-CALNAME equals it
    (ignoring case) are read; a file with none gives no traces and a problem.
    A cancelled event (STATUS:CANCELLED) is still a trace, with status
    ``cancelled``: the booking existed and its data is still in the file.
    Cancelled or moved occurrences of a series count like any occurrence.

Dates
    event_date is the Helsinki date of the last occurrence; end_date the same
    (status None). A series that never ends (RRULE without COUNT/UNTIL) is
    ongoing: event_date is its first occurrence, end_date None, status
    ``active`` (or ``cancelled``). X-WR-TIMEZONE is applied as Google and
    Apple mean it (UTC and floating times are in that zone); otherwise
    floating times and all-day dates are taken as written. A TZID that
    neither the file's VTIMEZONE, the tz database nor the Windows zone names
    know is read as floating.

Texts and categories
    texts are every text of the series (titles, descriptions, locations,
    comments, contacts, attendee and organiser names and addresses) plus its
    schedule as written, so a moved event no longer has the same fingerprint.
    A non-empty DESCRIPTION gives the category ``note``. LOCATION is not
    reported as ``address``: it is usually the owner's own premises or a
    video link, not the customer's home. When a series has several
    customers, a henkilötunnus in its texts is masked (the category ``hetu``
    is kept): finalize would otherwise give one person's number to all of
    them as their identifier.

Bad input
    The file is split into components by a line scanner of its own
    (:mod:`connectors.ics_scan`) before icalendar parses anything, so one
    broken event never costs the others, and problems can name lines: the line
    of the broken property, or the ``BEGIN:VEVENT`` line of the event. A file
    cut off mid-event keeps the events before it and whatever the last one
    holds (with a problem); a line that is not an iCalendar line (bad folding)
    is a problem, and joined to a text property before it. An event without a
    readable DTSTART (or with a rule that cannot be computed) still gives its
    traces, without dates, so the engine can only review them. Not iCalendar,
    empty, binary, or larger than :data:`MAX_ICS_BYTES`: UnreadableSource.
    Messages name lines and properties, never values.

Speed
    The scanner (:mod:`connectors.ics_scan`) keeps only the properties
    retention needs. A well-formed file (every line a content line) is
    decoded once and read by regular
    expressions: one finds each VEVENT of the usual shape whole (at most two
    VALARMs in it) and every other BEGIN/END line; another finds the kept
    lines of each component, split into name, parameters and value in the
    same step (a folded or oddly quoted line is split on its own by
    :func:`connectors.ics_values.split_line`). Line numbers are counted only
    for BEGIN lines; a property line's number is found again only when a
    problem names it. A file with a broken line is scanned line by line so
    that every broken line is named. No icalendar objects are made
    (icalendar only reads the file's VTIMEZONEs); only events that give a
    trace have their dates read, a lone event skips the recurrence
    machinery, and plain daily or weekly rules are stepped without dateutil
    (:mod:`connectors.ics_series`). Python's cycle collector is paused while
    a file is read. benchmarks/bench_ics.py compares this with icalendar +
    recurring-ical-events (tests/ics_reference.py), whose records
    tests/test_ics.py checks for identity.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import re
import warnings
import zoneinfo
from collections.abc import Iterator, Mapping
from datetime import date, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import icalendar
from icalendar.timezone import tzp
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors import trace as tr
from connectors.base import Connector, ProblemLog, SourceSpec, display_path, register
from connectors.configfile import coded
from connectors.errors import RowError, UnreadableSource
from connectors.ics_scan import (
    NO_PARAMETERS,
    SCHEDULE_PROPERTIES,
    Block,
    Entry,
    Scan,
    scan,
)
from connectors.ics_series import (
    Schedule,
    SeriesDates,
    in_calendar_zone,
    local_date,
    series_dates,
)
from connectors.ics_values import (
    EARLIEST_YEAR,
    TimeReader,
    ValueProblem,
    parameters,
    split_line,
    unescape,
)
from connectors.textfile import NO_KEYS

#: Larger files are refused as a whole. icalendar parses every kept property on
#: its own: 28 MiB packed with 41,500 appointments took 90 s and 650 MB on the
#: (slow) development machine, so this bounds a read to a couple of minutes. A
#: real export this large is mostly attachments and HTML copies of
#: descriptions, which the scanner skips without parsing.
MAX_ICS_BYTES = 32 * 2**20

NOT_PEOPLE_CUTYPES = frozenset({"ROOM", "RESOURCE", "GROUP"})
NO_TITLE = "Kalenterimerkintä"


class IcsOptions(BaseModel):
    """Options of the ``ics`` connector (see OPTIONS.md)."""

    model_config = ConfigDict(extra="forbid")

    calendar_name: str | None = Field(
        default=None, description="only read calendars whose X-WR-CALNAME equals this"
    )
    title_pattern: str | None = Field(
        default=None, description="regex; only events whose SUMMARY matches are customer events"
    )
    exclude_title_pattern: str | None = Field(
        default=None, description="regex; events whose SUMMARY matches are private, skipped"
    )
    name_pattern: str | None = Field(
        default=None,
        description="regex with group 'name' (and/or 'email'): the customer from the SUMMARY "
        "when the event has no attendee",
    )
    owner_emails: list[str] = Field(
        default_factory=list, description="the owner's addresses: never a data subject"
    )
    attendee_domains: list[str] = Field(
        default_factory=list, description="when set, only attendees in these domains count"
    )
    skip_private: bool = Field(default=True, description="skip CLASS:PRIVATE/CONFIDENTIAL")

    @field_validator("title_pattern", "exclude_title_pattern", "name_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise coded("cfg_regex", detail=exc.msg, pos=(exc.pos or 0) + 1) from None
        return value

    @field_validator("name_pattern")
    @classmethod
    def _name_groups(cls, value: str | None) -> str | None:
        if value is not None and not {"name", "email"} & set(re.compile(value).groupindex):
            raise coded("cfg_name_groups")
        return value

    @field_validator("owner_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            email = tr.normalise_email(item)
            if email is None:
                raise coded("cfg_email")
            out.append(email)
        return out

    @field_validator("attendee_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lstrip("@").lower() for d in value if d.strip().lstrip("@")]


# ------------------------------------------------------------------- scanner


#: One property line of an event, split: (position, parameters, raw value).
class Event:
    """One VEVENT: its kept lines split into properties, and where problems were found."""

    __slots__ = ("_sequence", "block", "has_recurrence_id", "props", "uid")

    def __init__(self, block: Block) -> None:
        self.block = block
        self._sequence: int | None = None
        if block.props is not None:  # split by the fast scanner
            self.props: Mapping[str, list[Entry]] = block.props
            uids = block.props.get("UID")
            self.uid = "" if block.uid == "" or not uids else unescape(uids[0][2]).strip()
            self.has_recurrence_id = "RECURRENCE-ID" in block.props
            return
        #: NAME -> [(position, parameters, raw value)]
        props: dict[str, list[Entry]] = {}
        uid: str | None = None
        for position, name, text in block.lines:
            size = len(name)
            if text[size : size + 1] == ":":  # no parameters: the value follows the name
                params, value = NO_PARAMETERS, text[size + 1 :]
            else:
                try:
                    _, params, value = split_line(text)
                except ValueProblem:
                    if name == "UID" and uid is None:
                        uid = ""
                    continue  # the scanner kept only lines with a name and a ':'
            if name == "UID" and uid is None:
                uid = unescape(value).strip()
            entries = props.get(name)
            if entries is None:
                props[name] = [(position, params, value)]
            else:
                entries.append((position, params, value))
        self.props = props
        self.uid = uid or ""
        self.has_recurrence_id = "RECURRENCE-ID" in props

    def first(self, name: str) -> str:
        """The first value of a property as text (unescaped, stripped), '' when absent."""
        values = self.props.get(name)
        return unescape(values[0][2]).strip() if values else ""

    def texts(self, name: str) -> list[str]:
        return [unescape(value).strip() for _, _, value in self.props.get(name, ())]

    def position_of(self, name: str) -> int | None:
        """The position of the first line of a property (None when absent)."""
        values = self.props.get(name)
        return values[0][0] if values else None

    @property
    def sequence(self) -> int:
        if self._sequence is None:
            try:
                self._sequence = int(self.first("SEQUENCE"))
            except ValueError:
                self._sequence = -1
        return self._sequence


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _own_zone_id(block: Block) -> str | None:
    """The TZID a VTIMEZONE defines, as written (None when it has none)."""
    for _, name, text in block.lines:
        if name == "TZID" and ":" in text:
            return text.split(":", 1)[1].strip()
    return None


def _register_timezones(scanned: Scan, log: ProblemLog) -> None:
    """Let the time zone lookup know the file's own VTIMEZONEs (Windows names, custom ids).

    A VTIMEZONE of a zone the tz database knows (``Europe/Helsinki``) is not
    read: icalendar keeps such a definition out of its lookup anyway (the
    database's rules win), and reading one can cost more than the whole rest
    of a file (Thunderbird writes a century of rules).
    """
    known = _known_zones()
    for block in scanned.timezones:
        own = _own_zone_id(block)
        if own is not None and (own in known or own.strip("/") in known):
            continue
        body = "\r\n".join(text for _, _, text in block.lines)
        ical = f"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\n{body}\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                icalendar.Calendar.from_ical(ical)
        except Exception:  # noqa: BLE001 - icalendar raises many types; its text may quote data
            block.problem_lines.append(block.line)
            log.add(
                block.line,
                "VTIMEZONE",
                "time zone definition could not be read; ignored",
                code="ics_timezone_unreadable",
            )


def _calendar_zone(header: Mapping[str, str]) -> tzinfo | None:
    name = header.get("X-WR-TIMEZONE", "").strip()
    if not name:
        return None
    try:
        return tzp.timezone(name)
    except Exception:  # noqa: BLE001 - an unknown zone name is simply not used
        return None


# ----------------------------------------------------------------- customers


class Customer:
    """A person named by an ATTENDEE (or a title), with the key that tells them apart."""

    __slots__ = ("email", "key", "name", "phone")

    def __init__(self, name: str | None, email: str | None, phone: str | None = None) -> None:
        self.name = name
        self.email = email
        self.phone = phone
        if email:
            self.key = _email(email) or email.strip().lower()
        elif phone:
            self.key = phone.strip()
        else:
            self.key = tr.fold_name(name) or (name or "").strip()


#: E-mail addresses normalised once each: a customer's address recurs in every visit.
_email = functools.lru_cache(maxsize=65536)(tr.normalise_email)


def _person(params: Mapping[str, str], value: str) -> tuple[str | None, str | None, str | None]:
    """(name, e-mail, phone) of an ATTENDEE or ORGANIZER line.

    The address is ``MAILTO:x@y``, ``tel:+358...`` or a bare address; the
    EMAIL parameter gives one when the value does not.
    """
    text = value.strip()
    lower = text.lower()
    email = phone = None
    if lower.startswith("mailto:"):
        email = text[7:].strip() or None
    elif lower.startswith("tel:"):
        phone = text[4:].strip() or None
    elif "@" in text and ":" not in text:
        email = text
    if not params:
        return None, email, phone
    if email is None and params.get("EMAIL"):
        email = params["EMAIL"].strip() or None
    name = params.get("CN", "").strip().strip('"') or None
    if name and ("@" in name or (email and name.lower() == email.lower())):
        name = None  # Google writes the address as CN
    return name, email, phone


# ---------------------------------------------------------------- connector


@register
class IcsConnector(Connector):
    """iCalendar exports: appointments, one trace per customer per event or series."""

    name: ClassVar[str] = "ics"
    title: ClassVar[str] = "iCalendar (.ics) calendar export"
    default_kind: ClassVar[str] = "appointment"
    options_model: ClassVar[type[BaseModel]] = IcsOptions
    suffixes: ClassVar[tuple[str, ...]] = (".ics", ".ical", ".icalendar")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        text = head[:4096]
        if b"\x00" in text:
            try:
                text = text.decode("utf-16").encode("utf-8", errors="ignore")
            except UnicodeDecodeError:
                return 0
        if b"BEGIN:VCALENDAR" in text[:1024].upper():
            return 95
        return 20 if path.suffix.lower() in cls.suffixes else 0

    def field_names(self, options: Any) -> Mapping[str, str]:
        return {
            "name": "ATTENDEE",
            "emails": "ATTENDEE",
            "phones": "ATTENDEE",
            "event_date": "DTSTART",
            "end_date": "DTSTART",
            "status": "STATUS",
        }

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> list[dict[str, Any]]:
        file = display_path(source.path)
        if source.path.is_dir():
            raise UnreadableSource(file, "is a folder, not an iCalendar file")
        try:
            size = source.path.stat().st_size
            if size > MAX_ICS_BYTES:
                raise UnreadableSource(
                    file,
                    f"file is larger than {MAX_ICS_BYTES // 2**20} MiB; not read "
                    "(export a shorter period)",
                )
            data = source.path.read_bytes()
        except OSError:
            raise UnreadableSource(file, "file not readable", "file_not_readable") from None
        if not data.strip():
            raise UnreadableSource(file, "file is empty", "file_empty")
        # Caches live for one file: honest timings, memory bounded by the file.
        split_line.cache_clear()
        parameters.cache_clear()
        _email.cache_clear()
        with _collector_paused():
            scanned = scan(data, file, log)
            del data
            reader = _Reader(options, log)
            records = reader.read(scanned)
        if reader.events_read and not any(r["emails"] or r["phones"] for r in records):
            # Only keyless traces, or none: never "0 problems" (a holiday calendar says so).
            log.add(None, "ATTENDEE", NO_KEYS, severity="warning", code="no_keys")
        return records


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file is read, then as it was.

    Reading makes a few small objects per line (no cycles among them);
    the collector would walk all of them again and again as they pile up,
    a quarter of the time of a large file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Reader:
    """Turns scanned events into raw records under one set of options."""

    def __init__(self, options: IcsOptions, log: ProblemLog) -> None:
        self.options = options
        self.log = log
        flags = re.IGNORECASE
        self.title = re.compile(options.title_pattern, flags) if options.title_pattern else None
        self.exclude = (
            re.compile(options.exclude_title_pattern, flags)
            if options.exclude_title_pattern
            else None
        )
        self.name_re = re.compile(options.name_pattern, flags) if options.name_pattern else None
        self.domains = tuple(options.attendee_domains)
        self.times = TimeReader()
        #: (value, TZID, calendar zone) -> its times, or why it cannot be read
        self._read_times: dict[tuple[str, str | None, Any], tuple[Any, ...] | ValueProblem] = {}
        self._day_dates: dict[date, SeriesDates] = {}
        self.line_at = Scan().line_at
        self.events_read = 0  # VEVENTs in the calendars read

    def read(self, scanned: Scan) -> list[dict[str, Any]]:
        readable = self._readable_calendars(scanned)
        if not readable:
            return []
        self.line_at = scanned.line_at
        _register_timezones(scanned, self.log)
        zones = {i: _calendar_zone(scanned.calendars[i]) for i in readable}
        series: dict[tuple[int, str], list[Event]] = {}
        for block in scanned.events:
            if block.calendar not in readable:
                continue
            self.events_read += 1
            event = Event(block)
            key = event.uid or "nouid:" + _block_hash(scanned.lines_of(block))
            found = series.get((block.calendar, key))
            if found is None:
                series[(block.calendar, key)] = [event]
            else:
                found.append(event)
        owners = set(self.options.owner_emails)
        for i in readable:
            calname = tr.normalise_email(scanned.calendars[i].get("X-WR-CALNAME"))
            if calname:
                owners.add(calname)
        records: list[dict[str, Any]] = []
        for (calendar, uid), events in series.items():
            records.extend(self._series_records(uid, events, owners, zones[calendar]))
        return records

    def _readable_calendars(self, scanned: Scan) -> set[int]:
        wanted = self.options.calendar_name
        if wanted is None:
            return set(range(len(scanned.calendars)))
        readable = {
            i
            for i, header in enumerate(scanned.calendars)
            if header.get("X-WR-CALNAME", "").strip().casefold() == wanted.strip().casefold()
        }
        if not readable:
            self.log.add(
                None,
                "X-WR-CALNAME",
                "no calendar in the file has the name given in option calendar_name; nothing read",
                code="ics_no_such_calendar",
            )
        return readable

    # -- one series

    def _series_records(
        self, uid: str, events: list[Event], owners: set[str], zone: tzinfo | None
    ) -> list[dict[str, Any]]:
        """The traces of one event or series: one per customer in it."""
        # The series' own event decides (the one the overrides belong to).
        master = events[0] if len(events) == 1 else _master(events)
        props = master.props
        summary = _text(props, "SUMMARY")
        if self._skipped(props, summary):
            return []
        customers = self._customers(events, owners)
        if not customers:
            customers = self._from_title(summary)
        if not customers:
            return []
        dates = self._dates(events, zone)
        texts = _texts(events)
        categories = ["note"] if any(_text(e.props, "DESCRIPTION") for e in events) else []
        if len(customers) > 1:
            texts, masked = _mask_hetus(texts)
            if masked:
                categories.append("hetu")
        status = "cancelled" if _text(props, "STATUS").upper() == "CANCELLED" else None
        if dates is not None and dates.ongoing and status is None:
            status = "active"
        first = dates.first if dates else None
        label = summary or NO_TITLE
        if first is not None:
            label = f"{label} {first.day}.{first.month}.{first.year}"
        event_date = None if dates is None else (dates.first if dates.ongoing else dates.last)
        end_date = None if dates is None else dates.last
        row = master.block.line
        # Problems found in any event of the series are tied to its traces.
        problem_lines = {n for e in events for n in e.block.problem_lines}
        other_rows = sorted(problem_lines - {row}) if problem_lines else []
        real_uid = None if uid.startswith("nouid:") else uid
        records = []
        for customer in customers:
            who = customer.key
            attendee = customer.email or customer.name or customer.phone or who
            locator: dict[str, Any] = {"uid": real_uid, "attendee": attendee}
            if real_uid is None:
                locator["line"] = row
            if other_rows:
                locator["rows"] = other_rows
            records.append(
                {
                    "record_id": f"{uid}/{who}",
                    "row": row,
                    "name": customer.name,
                    "emails": [customer.email] if customer.email else [],
                    "phones": [customer.phone] if customer.phone else [],
                    "event_date": event_date,
                    "end_date": end_date,
                    "status": status,
                    "label": label,
                    "locator": locator,
                    "texts": texts,
                    "categories": categories,
                }
            )
        return records

    def _skipped(self, props: Mapping[str, Any], summary: str) -> bool:
        if self.options.skip_private and "CLASS" in props:
            klass = _text(props, "CLASS").upper()
            if klass in ("PRIVATE", "CONFIDENTIAL"):
                return True
        if self.title is not None and not self.title.search(summary):
            return True
        return self.exclude is not None and bool(self.exclude.search(summary))

    def _customers(self, events: list[Event], owners: set[str]) -> list[Customer]:
        organiser_names: set[str] = set()
        owner_set = owners
        for event in events:
            for _, params, value in event.props.get("ORGANIZER", ()):
                name, email, _ = _person(params, value)
                normal = _email(email) if email else None
                if normal:
                    if owner_set is owners:
                        owner_set = set(owners)  # the organisers of this series only
                    owner_set.add(normal)
                if name:
                    organiser_names.add(name.casefold())
        found: dict[str, Customer] = {}
        for event in events:
            for _, params, value in event.props.get("ATTENDEE", ()):
                if params and params.get("CUTYPE", "").upper() in NOT_PEOPLE_CUTYPES:
                    continue
                name, email, phone = _person(params, value)
                if not self._counts(name, email, phone, owner_set, organiser_names):
                    continue
                person = Customer(name, email, phone)
                if person.key and person.key not in found:
                    found[person.key] = person
        return list(found.values())

    def _counts(
        self,
        name: str | None,
        raw_email: str | None,
        phone: str | None,
        owners: set[str],
        organiser_names: set[str],
    ) -> bool:
        email = _email(raw_email) if raw_email else None
        if email is not None:
            if email in owners or email.endswith(".calendar.google.com"):
                return False
        elif name and name.casefold() in organiser_names:
            return False
        if not (email or raw_email or phone or name):
            return False
        if self.domains:
            domain = (email or "").rpartition("@")[2]
            return bool(domain) and any(
                domain == d or domain.endswith("." + d) for d in self.domains
            )
        return True

    def _from_title(self, summary: str) -> list[Customer]:
        if self.name_re is None or not summary:
            return []
        match = self.name_re.search(summary)
        if match is None:
            return []
        groups = match.groupdict()
        name = (groups.get("name") or "").strip() or None
        email = (groups.get("email") or "").strip() or None
        if name is None and email is None:
            return []
        if email and _email(email) in set(self.options.owner_emails):
            return []
        return [Customer(name, email)]

    def _dates(self, events: list[Event], zone: tzinfo | None) -> SeriesDates | None:
        if len(events) == 1 and not _RECURRENCE_NAMES.intersection(events[0].props):
            return self._single_dates(events[0], zone)
        schedules = []
        for event in events:
            schedule = self._schedule(event, zone)
            if schedule is None:
                return None  # already reported where it broke; without it no date is safe
            schedules.append(schedule)
        try:
            return series_dates(schedules)
        except RowError as err:
            event = next((e for e in events if "RRULE" in e.props), events[0])
            position = event.position_of(err.field)
            line = event.block.line if position is None else self.line_at(event.block, position)
            self._problem(event, line, err.field, err.message, err.code, **err.params)
            return None

    def _single_dates(self, event: Event, zone: tzinfo | None) -> SeriesDates | None:
        """The dates of a lone event with no recurrence: its start's (as :func:`series_dates`)."""
        starts = event.props.get("DTSTART")
        if not starts:
            self._problem(
                event, event.block.line, "DTSTART", "missing; the event has no date", "ics_no_start"
            )
            return None
        start = self._times(event, "DTSTART", starts[0], zone)
        if start is None:
            return None
        if not start:
            line = self.line_at(event.block, starts[0][0])
            self._problem(event, line, "DTSTART", "empty; the event has no date", "ics_empty_start")
            return None
        day = local_date(start[0])
        dates = self._day_dates.get(day)
        if dates is None:
            dates = self._day_dates[day] = SeriesDates(day, day)
        return dates

    def _times(
        self, event: Event, name: str, entry: tuple[int, dict[str, str], str], zone: tzinfo | None
    ) -> tuple[Any, ...] | None:
        """The times of one DTSTART, RDATE, EXDATE or RECURRENCE-ID line; None (and a problem)."""
        position, params, value = entry
        tzid = params.get("TZID") if params else None
        key = (value, tzid, zone)
        found = self._read_times.get(key)
        if found is None:
            try:
                found = tuple(
                    in_calendar_zone(v, zone)
                    for v in self.times.many(value, {"TZID": tzid} if tzid else {})
                )
            except ValueProblem as exc:
                found = exc
            self._read_times[key] = found
        if isinstance(found, ValueProblem):
            line = self.line_at(event.block, position)
            message = f"{found}; the event has no date"
            self._problem(event, line, name, message, f"ics_date_{found.kind}", year=EARLIEST_YEAR)
            return None
        return found

    def _schedule(self, event: Event, zone: tzinfo | None) -> Schedule | None:
        """The event's schedule read from its lines; None (and a problem) when broken."""
        props = event.props
        starts = props.get("DTSTART")
        if not starts:
            self._problem(
                event, event.block.line, "DTSTART", "missing; the event has no date", "ics_no_start"
            )
            return None
        start = self._times(event, "DTSTART", starts[0], zone)
        ok = start is not None
        if start is not None and not start:
            line = self.line_at(event.block, starts[0][0])
            self._problem(event, line, "DTSTART", "empty; the event has no date", "ics_empty_start")
            return None
        schedule = Schedule(start[0] if start else date.min, sequence=event.sequence)
        if len(props) > 1:
            for name, target in (("RDATE", schedule.rdates), ("EXDATE", schedule.exdates)):
                for entry in props.get(name, ()):
                    found = self._times(event, name, entry, zone)
                    if found is None:
                        ok = False
                    else:
                        target.extend(found)
            recurrence = props.get("RECURRENCE-ID")
            if recurrence:
                found = self._times(event, "RECURRENCE-ID", recurrence[0], zone)
                if found is None:
                    ok = False
                schedule.recurrence_id = found[0] if found else None
            rules = props.get("RRULE")
            if rules:
                schedule.rrules = [value for _, _, value in rules if value.strip()]
        return schedule if ok else None

    def _problem(
        self,
        event: Event,
        line: int,
        field_name: str | None,
        message: str,
        code: str | None = None,
        **params: Any,
    ) -> None:
        event.block.problem_lines.append(line)
        self.log.add(line, field_name, message, code=code, **params)


def _master(events: list[Event]) -> Event:
    """The event that defines the series (no RECURRENCE-ID, highest SEQUENCE)."""
    cores = [e for e in events if not e.has_recurrence_id]
    if not cores:
        return events[0]
    return max(cores, key=lambda e: e.sequence)


_TEXT_NAMES = ("SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT")
#: Properties that make an event part of a recurrence.
_RECURRENCE_NAMES = frozenset({"RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})


def _text(props: Mapping[str, list[tuple[int, dict[str, str], str]]], name: str) -> str:
    """The first value of a property as text (unescaped, stripped), '' when absent."""
    values = props.get(name)
    if not values:
        return ""
    value = values[0][2]
    return (unescape(value) if "\\" in value else value).strip()


def _texts(events: list[Event]) -> list[str]:
    """Every text of the series (deduplicated, in order) and its schedule as written."""
    out: list[str] = []
    seen: set[str] = set()
    for event in events:
        props = event.props
        for name in _TEXT_NAMES:
            for _, _, value in props.get(name, ()):
                text = (unescape(value) if "\\" in value else value).strip()
                if text and text not in seen:
                    seen.add(text)
                    out.append(text)
        for name in ("ORGANIZER", "ATTENDEE"):
            for _, params, value in props.get(name, ()):
                if params:
                    text = params.get("CN", "").strip()
                    if text and text not in seen:
                        seen.add(text)
                        out.append(text)
                text = value.strip()
                if text and text not in seen:
                    seen.add(text)
                    out.append(text)
        block = event.block
        if block.props is not None:
            schedule = " ".join(block.schedule)
        else:
            schedule = " ".join(
                text for _, name, text in block.lines if name in SCHEDULE_PROPERTIES
            )
        if schedule:
            seen.add(schedule)
            out.append(schedule)
    return out


def _mask_hetus(texts: list[str]) -> tuple[list[str], bool]:
    masked = False

    def replace(match: re.Match[str]) -> str:
        nonlocal masked
        if tr.normalise_hetu(match.group(0)):
            masked = True
            return "[henkilötunnus]"
        return match.group(0)

    out = [tr.HETU_CANDIDATE_RE.sub(replace, text) for text in texts]
    return out, masked


def _block_hash(lines: list[tuple[int, str, str]]) -> str:
    """A stable id for an event without UID: the hash of its own lines."""
    digest = hashlib.sha256("\n".join(t for _, _, t in lines).encode("utf-8"))
    return digest.hexdigest()[:16]
