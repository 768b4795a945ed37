"""The values of iCalendar content lines, read for what retention needs.

The scanner (:mod:`connectors.ics`) keeps only the properties retention
uses; this module reads them without building icalendar objects: a line is
split into name, parameters and value (:func:`split_line`), text values lose
their escapes (:func:`unescape`), and times become ``date`` (all-day),
naive ``datetime`` (floating) or aware ``datetime`` (UTC or a TZID) with
:class:`TimeReader`. Time zones are looked up the way icalendar does it
(:data:`icalendar.timezone.tzp`: tz database, Windows names, the file's own
VTIMEZONEs), once per TZID.

Dates before :data:`EARLIEST_YEAR` are refused with a named reason: exporters
write ``00010101`` or ``16010101`` as "no date", and such a date taken as
written would make an appointment look centuries overdue.
"""

from __future__ import annotations

import functools
import re
import warnings
from datetime import UTC, date, datetime, tzinfo

from icalendar.timezone import tzp

#: Earlier dates are placeholders, not appointments.
EARLIEST_YEAR = 1900

_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATETIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
_ESCAPE = re.compile(r"\\([\\;,nN])")


class ValueProblem(ValueError):
    """A value that cannot be read; the message says why, never the value.

    ``kind`` names the reason in the message catalogue (``ics_date_<kind>``,
    ``ics_until_<kind>``: :mod:`connectors.messages`).
    """

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind


@functools.lru_cache(maxsize=65536)
def split_line(text: str) -> tuple[str, dict[str, str], str]:
    """``NAME;P=V;P2="a:b":value`` -> (NAME, {P: V, P2: a:b}, value).

    Parameter names are upper-cased; quoted parameter values keep their
    colons and semicolons; a parameter given twice keeps its first value.
    Cached per distinct line (a customer's ATTENDEE line recurs in every
    visit): the parameters are shared, never to be changed by a caller.
    """
    head_end = text.find(":")
    if head_end >= 0 and '"' in text[:head_end]:
        head_end = value_colon(text)
    if head_end < 0:
        raise ValueProblem("line has no ':' and no value", "no_value")
    head, value = text[:head_end], text[head_end + 1 :]
    if ";" not in head:
        return head.upper(), {}, value
    pieces = _split_params(head)
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        key, _, raw = piece.partition("=")
        key = key.strip().upper()
        if key and key not in params:
            params[key] = _param_value(raw)
    return pieces[0].upper(), params, value


@functools.lru_cache(maxsize=65536)
def parameters(text: str) -> dict[str, str]:
    """The parameters ``;P=V;P2="a:b"`` of a line, read as :func:`split_line` does.

    Cached per distinct text (a customer's ATTENDEE parameters recur in every
    visit): shared, never to be changed by a caller.
    """
    params: dict[str, str] = {}
    quoted = '"' in text
    for piece in (_split_params(text) if quoted else text.split(";"))[1:]:
        key, _, raw = piece.partition("=")
        key = key.strip().upper()
        if key and key not in params:
            params[key] = _param_value(raw) if quoted or "^" in raw else raw.strip()
    return params


#: Text before the first ':' outside double quotes (paired quotes only).
_BEFORE_COLON = re.compile(r'(?:[^":]|"[^"]*")*')
#: A ';' with an even number of quotes after it: outside quotes when they pair up.
_PARAMETER_BREAK = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*\Z)')


def value_colon(text: str) -> int:
    """The first ':' outside double quotes (-1 when there is none)."""
    end = _BEFORE_COLON.match(text).end()  # type: ignore[union-attr]
    if text[end : end + 1] == ":":
        return end
    if end == len(text):
        return -1
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _split_params(head: str) -> list[str]:
    if '"' not in head:
        return head.split(";")
    if head.count('"') % 2 == 0:
        return _PARAMETER_BREAK.split(head)
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    for char in head:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _param_value(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        raw = raw[1:-1]
    if "^" in raw:  # RFC 6868: ^n newline, ^' quote, ^^ caret
        raw = re.sub(r"\^([n'^])", lambda m: {"n": "\n", "'": '"', "^": "^"}[m.group(1)], raw)
    return raw


def unescape(value: str) -> str:
    """An iCalendar TEXT value without its backslash escapes."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


class TimeReader:
    """Reads DATE and DATE-TIME values of one file; time zones looked up once each."""

    def __init__(self) -> None:
        self._zones: dict[str, tzinfo | None] = {}

    def zone(self, tzid: str) -> tzinfo | None:
        """The zone a TZID names, or None (the time is then read as floating)."""
        if tzid not in self._zones:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._zones[tzid] = tzp.timezone(tzid)
            except Exception:  # noqa: BLE001 - an unknown zone is read as floating
                self._zones[tzid] = None
        return self._zones[tzid]

    def one(self, value: str, params: dict[str, str]) -> date | datetime:
        """One DATE or DATE-TIME value (the first of a list)."""
        values = self.many(value, params)
        if not values:
            raise ValueProblem("no date", "no_date")
        return values[0]

    def many(self, value: str, params: dict[str, str]) -> list[date | datetime]:
        """The values of a comma-separated list; a PERIOD gives its start.

        An empty list (``EXDATE;VALUE=DATE:``) is empty, not an error.
        """
        zone = None
        tzid = params.get("TZID")
        if tzid:
            zone = self.zone(tzid)
        out: list[date | datetime] = []
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            out.append(self._value(part.partition("/")[0].strip(), zone))
        return out

    def _value(self, text: str, zone: tzinfo | None) -> date | datetime:
        match = _DATETIME.fullmatch(text)
        try:
            if match:
                year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
                _check_year(year)
                when = datetime(year, month, day, hour, minute, min(second, 59))
                if match.group(7):
                    return when.replace(tzinfo=UTC)
                return when.replace(tzinfo=zone) if zone is not None else when
            match = _DATE.fullmatch(text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                _check_year(year)
                return date(year, month, day)
        except ValueProblem:
            raise
        except ValueError:
            raise ValueProblem("not a valid date or date-time", "invalid") from None
        raise ValueProblem("not a date or date-time", "not_a_date")


def _check_year(year: int) -> None:
    if year < EARLIEST_YEAR:
        raise ValueProblem(
            f"a date before {EARLIEST_YEAR} is a placeholder, not a date", "placeholder"
        )
