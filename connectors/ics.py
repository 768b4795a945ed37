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
    The file is split into components by a line scanner of its own before
    icalendar parses anything, so one broken event never costs the others,
    and problems can name lines: the line of the broken property, or the
    ``BEGIN:VEVENT`` line of the event. A file cut off mid-event keeps the
    events before it and whatever the last one holds (with a problem); a line
    that is not an iCalendar line (bad folding) is a problem, and joined to a
    text property before it. An event without a readable DTSTART (or with a
    rule that cannot be computed) still gives its traces, without dates, so
    the engine can only review them. Not iCalendar, empty, binary, or larger
    than :data:`MAX_ICS_BYTES`: UnreadableSource. Messages name lines and
    properties, never values.

Speed
    The scanner keeps only the properties retention needs; a well-formed
    file is scanned by one regular expression that skips every other line
    (alarms, attachments, HTML copies of descriptions, vendor X- properties)
    without looking at it, and a file with a broken line is scanned line by
    line so that every broken line is named. The kept lines are read by
    :mod:`connectors.ics_values` (no icalendar objects; icalendar only reads
    the file's VTIMEZONEs), and only events that give a trace have their
    dates read; single events skip the recurrence machinery and series are
    expanded by dateutil only as far as :mod:`connectors.ics_series` needs.
    benchmarks/bench_ics.py compares this with icalendar +
    recurring-ical-events (tests/ics_reference.py), whose records
    tests/test_ics.py checks for identity.
"""

from __future__ import annotations

import functools
import hashlib
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import icalendar
from icalendar.timezone import tzp
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors import trace as tr
from connectors.base import Connector, ProblemLog, SourceSpec, display_path, register
from connectors.errors import RowError, UnreadableSource
from connectors.ics_series import Schedule, SeriesDates, in_calendar_zone, series_dates
from connectors.ics_values import TimeReader, ValueProblem, split_line, unescape, value_colon
from connectors.textfile import NO_KEYS, decode_text

#: Larger files are refused as a whole. icalendar parses every kept property on
#: its own: 28 MiB packed with 41,500 appointments took 90 s and 650 MB on the
#: (slow) development machine, so this bounds a read to a couple of minutes. A
#: real export this large is mostly attachments and HTML copies of
#: descriptions, which the scanner skips without parsing.
MAX_ICS_BYTES = 32 * 2**20

#: Properties of a VEVENT that reach icalendar; everything else is skipped.
EVENT_PROPERTIES = frozenset(
    {
        "UID",
        "DTSTART",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "CLASS",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "COMMENT",
        "CONTACT",
        "ATTENDEE",
        "ORGANIZER",
    }
)
#: Text properties a badly folded line is joined back to.
TEXT_PROPERTIES = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT"})
#: Properties whose breakage makes the dates of a series unknowable.
SCHEDULE_PROPERTIES = ("DTSTART", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
#: Properties whose values exporters sometimes pad with spaces (``DTEND: 2024...``).
TIME_PROPERTIES = frozenset(SCHEDULE_PROPERTIES)
CALENDAR_PROPERTIES = frozenset({"X-WR-CALNAME", "X-WR-TIMEZONE", "CALSCALE"})
#: Properties of a VTIMEZONE (and its STANDARD/DAYLIGHT) that define the zone.
TIMEZONE_PROPERTIES = frozenset(
    {"TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "RRULE", "RDATE"}
)
NOT_PEOPLE_CUTYPES = frozenset({"ROOM", "RESOURCE", "GROUP"})
NO_TITLE = "Kalenterimerkintä"

_CONTENT_LINE = re.compile(rb"^[A-Za-z0-9-]+[;:]")
_FOLD = re.compile(rb"\r?\n[ \t]")
_FOLD_LF = re.compile(rb"\n[ \t]")


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
                raise ValueError(f"not a valid regular expression ({exc.msg})") from None
        return value

    @field_validator("name_pattern")
    @classmethod
    def _name_groups(cls, value: str | None) -> str | None:
        if value is not None and not {"name", "email"} & set(re.compile(value).groupindex):
            raise ValueError("needs a named group (?P<name>...) or (?P<email>...)")
        return value

    @field_validator("owner_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            email = tr.normalise_email(item)
            if email is None:
                raise ValueError("not a valid e-mail address")
            out.append(email)
        return out

    @field_validator("attendee_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [d.strip().lstrip("@").lower() for d in value if d.strip().lstrip("@")]


# ------------------------------------------------------------------- scanner


@dataclass
class Block:
    """One component as the scanner found it: its BEGIN line and kept lines."""

    name: str
    line: int
    calendar: int
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, NAME, text)
    closed: bool = False
    problem_lines: list[int] = field(default_factory=list)  # lines of problems found in it


@dataclass
class Scan:
    """A file split into calendars' headers, time zone definitions and events."""

    calendars: list[dict[str, str]] = field(default_factory=list)
    timezones: list[Block] = field(default_factory=list)
    events: list[Block] = field(default_factory=list)


#: One logical line: a physical line, the folded lines after it (a leading blank), its end.
_LOGICAL = re.compile(rb"(?:[^\n]+(?:\n[ \t][^\n]*)*)?\n?")


def _lf(data: bytes) -> bytes:
    """Line ends as ``\\n`` (Windows and classic Mac line ends converted)."""
    if b"\r" in data:
        return data.replace(b"\r\n", b"\n") if b"\n" in data else data.replace(b"\r", b"\n")
    return data


def _logical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Unfolded content lines (of ``\\n``-ended data) with the line each starts on.

    The lines are found by one regular expression over the whole file and
    unfolded only where they were folded: most lines are not.
    """
    number = 1
    for match in _LOGICAL.finditer(data):
        raw = match.group()
        start = number
        breaks = raw.count(b"\n")
        number += breaks
        if breaks > 1 or (breaks and not raw.endswith(b"\n")):
            raw = _FOLD_LF.sub(b"", raw)
        raw = raw.rstrip(b"\r\n")
        if raw.strip():
            yield start, raw


#: A line that is neither a content line, nor folded, nor blank.
_BROKEN = re.compile(rb"^(?![A-Za-z0-9-]+[;:]|[ \t]|\r?$)", re.MULTILINE)
#: The lines the scanner acts on: BEGIN, END and the properties it keeps.
_WANTED_LINE = re.compile(
    rb"^(?:"
    + b"|".join(
        re.escape(n.encode())
        for n in sorted(
            {"BEGIN", "END", *EVENT_PROPERTIES, *CALENDAR_PROPERTIES, *TIMEZONE_PROPERTIES},
            key=len,
            reverse=True,
        )
    )
    + rb")[;:][^\n]*(?:\n[ \t][^\n]*)*",
    re.MULTILINE | re.IGNORECASE,
)


def _well_formed(data: bytes) -> bool:
    """True when every line is a content line, a folded line or blank, the first a BEGIN.

    Such a file can skip the lines the scanner does not keep without looking
    at them (:func:`_wanted_lines`); any other file is read line by line, so
    that every broken line is named.
    """
    if _BROKEN.search(data) is not None:
        return False
    first = data.lstrip()[:6].upper()
    return first == b"BEGIN:"


def _wanted_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The logical lines the scanner acts on, of a well-formed file, with their numbers."""
    number = 1
    position = 0
    for match in _WANTED_LINE.finditer(data):
        start = match.start()
        number += data.count(b"\n", position, start)
        position = start
        raw = match.group()
        if b"\n" in raw:
            raw = _FOLD_LF.sub(b"", raw)
        yield number, raw.rstrip(b"\r")


def _last_line(data: bytes) -> int:
    """The number of the line the last logical line starts on."""
    end = len(data.rstrip())
    while end > 0:
        start = data.rfind(b"\n", 0, end) + 1
        if data[start : start + 1] not in (b" ", b"\t") and data[start:end].strip():
            return data.count(b"\n", 0, start) + 1
        end = start - 1
    return 1


def _encoding(data: bytes, file: str, log: ProblemLog) -> tuple[bytes, str]:
    """The bytes to scan (re-encoded as UTF-8 unless one legacy charset) and their encoding.

    The encoding is decided on logical lines (:func:`decode_text` with
    ``folded``): folding may split a UTF-8 character in two, which must not
    make the file look like Windows-1252. A file that mixes UTF-8 and a
    legacy charset is decoded line by line, each such line named, and
    scanned as UTF-8 (its line numbers kept).
    """
    if data.isascii():
        return data, "utf-8"
    if not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            _FOLD.sub(b"", body).decode("utf-8")
            return body, "utf-8"
        except UnicodeDecodeError:
            pass
    decoded = decode_text(data, file, log, folded=True)
    if decoded.encoding.startswith(("utf-8", "utf-16", "utf-32")) or decoded.mixed_lines:
        return decoded.text.lstrip("\ufeff").encode("utf-8"), "utf-8"
    return data, decoded.encoding


#: Components that only live directly inside VCALENDAR.
TOP_LEVEL = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"})


def scan(data: bytes, file: str, log: ProblemLog) -> Scan:
    """Split an iCalendar file into its components; UnreadableSource if it is none."""
    data, encoding = _encoding(data, file, log)
    return _Scanner(file, log).run(data, encoding)


class _Scanner:
    """A state machine over content lines: which component is open, what to keep."""

    def __init__(self, file: str, log: ProblemLog) -> None:
        self.file = file
        self.log = log
        self.result = Scan()
        self.stack: list[str] = []  # open component names, VCALENDAR first
        self.block: Block | None = None  # the VEVENT or VTIMEZONE being collected
        self.skip_depth = 0  # open components inside a skipped one (VALARM, VTODO ...)
        self.implicit = False  # the file is a bare VEVENT without BEGIN:VCALENDAR

    def run(self, data: bytes, encoding: str) -> Scan:
        seen_calendar = False
        last_line = 0
        data = _lf(data)
        fast = _well_formed(data)
        for number, raw in _wanted_lines(data) if fast else _logical_lines(data):
            last_line = number
            match = _CONTENT_LINE.match(raw)
            name = raw[: match.end() - 1].decode("ascii").upper() if match else ""
            if name in ("BEGIN", "END"):
                value = raw.partition(b":")[2].strip().decode("ascii", errors="replace").upper()
            else:
                value = ""
            if not seen_calendar:
                if name != "BEGIN" or value not in ("VCALENDAR", "VEVENT"):
                    raise UnreadableSource(self.file, "not an iCalendar file (no BEGIN:VCALENDAR)")
                seen_calendar = True
                if value == "VEVENT":
                    # A bare event without its calendar (some programs export one so).
                    self.stack.append("VCALENDAR")
                    self.result.calendars.append({})
                    self.implicit = True
            if not match:
                self.broken_line(number, raw.decode(encoding, errors="replace"))
            elif name == "BEGIN":
                self.begin(number, value, raw.decode(encoding, errors="replace"))
            elif name == "END":
                self.end(number, value, raw.decode(encoding, errors="replace"))
            elif not self.skip_depth and self._wanted(name):
                self.property(number, name, raw.decode(encoding, errors="replace"))
        if not seen_calendar:
            raise UnreadableSource(self.file, "file is empty")
        if fast:
            last_line = _last_line(data)
        if self.implicit and self.stack == ["VCALENDAR"]:
            self.stack.pop()  # a bare event file has no END:VCALENDAR to wait for
        if self.stack:
            block = self.block
            if block is not None:
                # A last line that stops mid-value would give a cut name or address,
                # a wrong identifier; cut text is kept, it is only scanned.
                if (
                    not data.endswith((b"\n", b"\r"))
                    and block.lines
                    and block.lines[-1][0] == last_line
                    and block.lines[-1][1] not in TEXT_PROPERTIES
                ):
                    block.lines.pop()
                why = f"the file ends inside this {block.name} (cut off?)"
                block.problem_lines.append(block.line)
                self.log.add(block.line, None, why)
            else:
                self.log.add(last_line, None, "", code="calendar_cut_off")
        return self.result

    def begin(self, number: int, value: str, text: str) -> None:
        if value == "VCALENDAR" and self.stack:
            self.unwind(number, 0, "a new calendar begins")
        elif value in TOP_LEVEL and len(self.stack) > 1:
            self.unwind(number, 1, f"a new {value} begins")
        if not self.stack and value != "VCALENDAR":
            self.log.add(number, None, "component outside of a calendar")
            self.stack.append("VCALENDAR")
            self.result.calendars.append({})
        self.stack.append(value)
        if value == "VCALENDAR":
            self.result.calendars.append({})
        elif self.skip_depth or (self.block is not None and self.block.name == "VEVENT"):
            self.skip_depth += 1  # VALARM and the like
        elif self.block is not None:
            self.block.lines.append((number, "BEGIN", text))  # STANDARD/DAYLIGHT
        elif value in ("VEVENT", "VTIMEZONE"):
            self.block = Block(value, number, len(self.result.calendars) - 1)
            target = self.result.events if value == "VEVENT" else self.result.timezones
            target.append(self.block)
        else:
            self.skip_depth = 1

    def end(self, number: int, value: str, text: str) -> None:
        if value not in self.stack:
            self.log.add(number, None, "END without a matching BEGIN; line ignored")
            return
        depth = len(self.stack) - 1 - self.stack[::-1].index(value)
        if depth < len(self.stack) - 1:
            self.unwind(number, depth + 1, f"END:{value} comes first")
        self.stack.pop()
        if self.skip_depth:
            self.skip_depth -= 1
        elif self.block is not None and len(self.stack) == 1:
            self.block.closed = True
            self.block = None
        elif self.block is not None:
            self.block.lines.append((number, "END", text))

    def unwind(self, number: int, depth: int, why: str) -> None:
        """Close every component above ``depth`` that was left open, saying so."""
        while len(self.stack) > depth:
            name = self.stack.pop()
            if self.skip_depth:
                self.skip_depth -= 1
                continue
            if self.block is not None and len(self.stack) == 1:
                self.block.problem_lines.append(self.block.line)
                self.log.add(self.block.line, None, f"this {name} is not closed ({why})")
                self.block = None
            elif self.block is None and name == "VCALENDAR":
                self.log.add(number, None, f"the calendar before this line is not closed ({why})")

    def _wanted(self, name: str) -> bool:
        """Whether a property line is kept (checked before it is even decoded)."""
        if self.block is None:
            return len(self.stack) == 1 and name in CALENDAR_PROPERTIES
        if self.block.name == "VTIMEZONE":
            return name in TIMEZONE_PROPERTIES
        return name in EVENT_PROPERTIES

    def property(self, number: int, name: str, text: str) -> None:
        block = self.block
        if block is None:
            self.result.calendars[-1][name] = _unescape(_strip_value(text).partition(":")[2])
            return
        if name in TIME_PROPERTIES:
            text = _strip_value(text)
        block.lines.append((number, name, text))

    def broken_line(self, number: int, text: str) -> None:
        """A line that is no content line: usually a folded line that lost its indent."""
        if self.skip_depth:
            return
        block = self.block
        if block is not None and block.lines and block.lines[-1][1] in TEXT_PROPERTIES:
            line, name, previous = block.lines[-1]
            block.lines[-1] = (line, name, previous + "\\n" + text)
            block.problem_lines.append(number)
            self.log.add(
                number, name, "not an iCalendar line (broken line folding); joined to the text"
            )
            return
        if block is not None:
            block.problem_lines.append(number)
        self.log.add(number, None, "not an iCalendar line (broken line folding?); line ignored")


def _unescape(value: str) -> str:
    """An iCalendar TEXT value without its backslash escapes."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _strip_value(text: str) -> str:
    """The content line with blanks around its value removed (quoted parameters kept)."""
    colon = text.find(":")
    if colon >= 0 and '"' in text[:colon]:
        colon = value_colon(text)
    if colon < 0:
        return text
    return text[: colon + 1] + text[colon + 1 :].strip()


# ------------------------------------------------------------------- parsing


@dataclass
class Event:
    """One VEVENT: its kept lines, read on demand, and where problems were found."""

    block: Block
    broken: set[str] = field(default_factory=set)
    _props: dict[str, list[tuple[int, dict[str, str], str]]] | None = None

    @property
    def props(self) -> dict[str, list[tuple[int, dict[str, str], str]]]:
        """NAME -> [(line, parameters, raw value)], split on first use."""
        if self._props is None:
            props: dict[str, list[tuple[int, dict[str, str], str]]] = {}
            for number, name, text in self.block.lines:
                try:
                    _, params, value = split_line(text)
                except ValueProblem:
                    continue  # the scanner kept only lines with a name and a ':'
                props.setdefault(name, []).append((number, params, value))
            self._props = props
        return self._props

    def first(self, name: str) -> str:
        """The first value of a property as text (unescaped, stripped), '' when absent."""
        values = self.props.get(name)
        return unescape(values[0][2]).strip() if values else ""

    def texts(self, name: str) -> list[str]:
        return [unescape(value).strip() for _, _, value in self.props.get(name, [])]

    def line_of(self, name: str) -> int:
        values = self.props.get(name)
        return values[0][0] if values else self.block.line

    @property
    def uid(self) -> str:
        for _, name, text in self.block.lines:
            if name == "UID":
                try:
                    return unescape(split_line(text)[2]).strip()
                except ValueProblem:
                    return ""
        return ""

    @property
    def has_recurrence_id(self) -> bool:
        return "RECURRENCE-ID" in self.props

    @property
    def sequence(self) -> int:
        try:
            return int(self.first("SEQUENCE"))
        except ValueError:
            return -1


def _register_timezones(scanned: Scan, log: ProblemLog) -> None:
    """Let the time zone lookup know the file's own VTIMEZONEs (Windows names, custom ids)."""
    for block in scanned.timezones:
        body = "\r\n".join(text for _, _, text in block.lines)
        ical = f"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\n{body}\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                icalendar.Calendar.from_ical(ical)
        except Exception:  # noqa: BLE001 - icalendar raises many types; its text may quote data
            block.problem_lines.append(block.line)
            log.add(block.line, "VTIMEZONE", "time zone definition could not be read; ignored")


def _calendar_zone(header: Mapping[str, str]) -> tzinfo | None:
    name = header.get("X-WR-TIMEZONE", "").strip()
    if not name:
        return None
    try:
        return tzp.timezone(name)
    except Exception:  # noqa: BLE001 - an unknown zone name is simply not used
        return None


# ----------------------------------------------------------------- customers
# ----------------------------------------------------------------- customers


@dataclass(frozen=True)
class Customer:
    name: str | None
    email: str | None
    phone: str | None = None

    @property
    def key(self) -> str:
        if self.email:
            return _email(self.email) or self.email.strip().lower()
        if self.phone:
            return self.phone.strip()
        return tr.fold_name(self.name) or (self.name or "").strip()


#: E-mail addresses normalised once each: a customer's address recurs in every visit.
_email = functools.lru_cache(maxsize=65536)(tr.normalise_email)


def _address(value: Any) -> tuple[str | None, str | None]:
    """(e-mail, phone) of a calendar address such as ``MAILTO:x@y`` or ``tel:+358...``."""
    text = str(value or "").strip()
    lower = text.lower()
    if lower.startswith("mailto:"):
        return (text[7:].strip() or None), None
    if lower.startswith("tel:"):
        return None, (text[4:].strip() or None)
    if "@" in text and ":" not in text:
        return text, None
    return None, None


def _person(params: Mapping[str, str], value: str) -> Customer:
    email, phone = _address(value)
    if email is None and params.get("EMAIL"):
        email = params["EMAIL"].strip() or None
    name = params.get("CN", "").strip().strip('"') or None
    if name and ("@" in name or (email and name.lower() == email.lower())):
        name = None  # Google writes the address as CN
    return Customer(name, email, phone)


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
        _email.cache_clear()
        scanned = scan(data, file, log)
        del data
        reader = _Reader(options, log)
        records = reader.read(scanned)
        if reader.events_read and not any(r["emails"] or r["phones"] for r in records):
            # Only keyless traces, or none: never "0 problems" (a holiday calendar says so).
            log.add(None, "ATTENDEE", NO_KEYS, severity="warning", code="no_keys")
        return records


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
        self.times = TimeReader()
        self.events_read = 0  # VEVENTs in the calendars read

    def read(self, scanned: Scan) -> list[dict[str, Any]]:
        readable = self._readable_calendars(scanned)
        if not readable:
            return []
        _register_timezones(scanned, self.log)
        zones = {i: _calendar_zone(scanned.calendars[i]) for i in readable}
        series: dict[tuple[int, str], list[Event]] = {}
        for block in scanned.events:
            if block.calendar not in readable:
                continue
            self.events_read += 1
            event = Event(block)
            key = event.uid or "nouid:" + _block_hash(block)
            series.setdefault((block.calendar, key), []).append(event)
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
            )
        return readable

    # -- one series

    def _series_records(
        self, uid: str, events: list[Event], owners: set[str], zone: tzinfo | None
    ) -> list[dict[str, Any]]:
        """The traces of one event or series: one per customer in it."""
        # The series' own event decides (the one the overrides belong to).
        master = _master(events)
        summary = master.first("SUMMARY")
        if self._skipped(master, summary):
            return []
        customers = self._customers(events, owners)
        if not customers:
            customers = self._from_title(summary)
        if not customers:
            return []
        dates = self._dates(events, zone)
        texts = _texts(events)
        categories = ["note"] if any(e.first("DESCRIPTION") for e in events) else []
        if len(customers) > 1:
            texts, masked = _mask_hetus(texts)
            if masked:
                categories.append("hetu")
        status = "cancelled" if master.first("STATUS").upper() == "CANCELLED" else None
        if dates is not None and dates.ongoing and status is None:
            status = "active"
        first = dates.first if dates else None
        label = summary or NO_TITLE
        if first is not None:
            label = f"{label} {first.day}.{first.month}.{first.year}"
        event_date = None if dates is None else (dates.first if dates.ongoing else dates.last)
        row = master.block.line
        # Problems found in any event of the series are tied to its traces.
        other_rows = sorted({n for e in events for n in e.block.problem_lines} - {row})
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
                    "end_date": None if dates is None else dates.last,
                    "status": status,
                    "label": label,
                    "locator": locator,
                    "texts": texts,
                    "categories": categories,
                }
            )
        return records

    def _skipped(self, master: Event, summary: str) -> bool:
        if self.options.skip_private:
            klass = master.first("CLASS").upper()
            if klass in ("PRIVATE", "CONFIDENTIAL"):
                return True
        if self.title is not None and not self.title.search(summary):
            return True
        return self.exclude is not None and bool(self.exclude.search(summary))

    def _customers(self, events: list[Event], owners: set[str]) -> list[Customer]:
        organiser_names: set[str] = set()
        owner_set = set(owners)
        for event in events:
            for _, params, value in event.props.get("ORGANIZER", []):
                person = _person(params, value)
                if person.email and _email(person.email):
                    owner_set.add(_email(person.email) or "")
                if person.name:
                    organiser_names.add(person.name.casefold())
        found: dict[str, Customer] = {}
        for event in events:
            for _, params, value in event.props.get("ATTENDEE", []):
                if params.get("CUTYPE", "").upper() in NOT_PEOPLE_CUTYPES:
                    continue
                person = _person(params, value)
                if not self._counts(person, owner_set, organiser_names):
                    continue
                if person.key and person.key not in found:
                    found[person.key] = person
        return list(found.values())

    def _counts(self, person: Customer, owners: set[str], organiser_names: set[str]) -> bool:
        email = _email(person.email) if person.email else None
        if email is not None:
            if email in owners or email.endswith(".calendar.google.com"):
                return False
        elif person.name and person.name.casefold() in organiser_names:
            return False
        if not (email or person.email or person.phone or person.name):
            return False
        if self.options.attendee_domains:
            domain = (email or "").rpartition("@")[2]
            return bool(domain) and any(
                domain == d or domain.endswith("." + d) for d in self.options.attendee_domains
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
            self._problem(event, event.line_of(err.field), err.field, err.message)
            return None

    def _schedule(self, event: Event, zone: tzinfo | None) -> Schedule | None:
        """The event's schedule read from its lines; None (and a problem) when broken."""
        props = event.props
        starts = props.get("DTSTART")
        if not starts:
            self._problem(event, event.block.line, "DTSTART", "missing; the event has no date")
            return None
        ok = True

        def read(name: str, number: int, params: dict[str, str], value: str) -> list[Any]:
            nonlocal ok
            try:
                return [in_calendar_zone(v, zone) for v in self.times.many(value, params)]
            except ValueProblem as exc:
                ok = False
                self._problem(event, number, name, f"{exc}; the event has no date")
                return []

        number, params, value = starts[0]
        start = read("DTSTART", number, params, value)
        if ok and not start:
            self._problem(event, number, "DTSTART", "empty; the event has no date")
            return None
        schedule = Schedule(start[0] if start else date.min, sequence=event.sequence)
        for name, target in (("RDATE", schedule.rdates), ("EXDATE", schedule.exdates)):
            for number, params, value in props.get(name, []):
                target.extend(read(name, number, params, value))
        recurrence = props.get("RECURRENCE-ID")
        if recurrence:
            number, params, value = recurrence[0]
            found = read("RECURRENCE-ID", number, params, value)
            schedule.recurrence_id = found[0] if found else None
        schedule.rrules = [value for _, _, value in props.get("RRULE", []) if value.strip()]
        return schedule if ok else None

    def _problem(self, event: Event, line: int, field_name: str | None, message: str) -> None:
        event.block.problem_lines.append(line)
        self.log.add(line, field_name, message)


def _master(events: list[Event]) -> Event:
    """The event that defines the series (no RECURRENCE-ID, highest SEQUENCE)."""
    cores = [e for e in events if not e.has_recurrence_id]
    if not cores:
        return events[0]
    return max(cores, key=lambda e: e.sequence)


def _texts(events: list[Event]) -> list[str]:
    """Every text of the series (deduplicated, in order) and its schedule as written."""
    out: list[str] = []
    for event in events:
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT"):
            for text in event.texts(name):
                if text and text not in out:
                    out.append(text)
        for name in ("ORGANIZER", "ATTENDEE"):
            for _, params, value in event.props.get(name, []):
                for text in (params.get("CN", "").strip(), value.strip()):
                    if text and text not in out:
                        out.append(text)
        schedule = " ".join(
            text for _, name, text in event.block.lines if name in SCHEDULE_PROPERTIES
        )
        if schedule:
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


def _block_hash(block: Block) -> str:
    """A stable id for an event without UID: the hash of its own lines."""
    digest = hashlib.sha256("\n".join(t for _, _, t in block.lines).encode("utf-8"))
    return digest.hexdigest()[:16]
