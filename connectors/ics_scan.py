"""The iCalendar scanner: a file split into its calendars, time zones and events.

The first step of :mod:`connectors.ics`, on its own because it is a room of its
own: the encoding found and checked, the file split into components by a line
scanner that never lets one broken event cost the others, the lines each
component keeps (only the properties retention needs), and the problems that
name their lines. A well-formed file is read by regular expressions over the
decoded text (a usual VEVENT found whole and split into its properties in one
step); a file with a broken line is read line by line, so that every broken
line is named. See :mod:`connectors.ics` for what is read and why.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.base import ProblemLog
from connectors.errors import UnreadableSource
from connectors.ics_values import ValueProblem, parameters, split_line, value_colon
from connectors.textfile import decode_text

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

_CONTENT_LINE = re.compile(rb"^[A-Za-z0-9-]+[;:]")
_FOLD = re.compile(rb"\r?\n[ \t]")
_FOLD_LF = re.compile(rb"\n[ \t]")


Entry = tuple[int, dict[str, str], str]


@dataclass
class Block:
    """One component as the scanner found it: its BEGIN line and kept lines.

    A kept line is ``(position, NAME, text)``. Read line by line, the
    position is the line number; read by the fast scanner, it is the line's
    index among the block's kept lines, which :meth:`Scan.line_at` turns
    into its number only when a problem names it.
    """

    name: str
    line: int
    calendar: int
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (position, NAME, text)
    closed: bool = False
    problem_lines: list[int] = field(default_factory=list)  # lines of problems found in it
    #: Where the fast scanner found the lines: (start, end) spans of the scanned text.
    spans: list[tuple[int, int]] | None = None
    kept: int = 0  # property lines the fast scanner kept (the next one's index)
    #: A VEVENT read by the fast scanner: NAME -> [(index, parameters, raw value)] (its
    #: lines are then made again only when needed: see :meth:`Scan.lines_of`) ...
    props: defaultdict[str, list[Entry]] | None = None
    #: ... its schedule lines (DTSTART, RRULE ...) as written; uid '' when its first
    #: UID line has no value.
    schedule: list[str] = field(default_factory=list)
    uid: str | None = None


@dataclass
class Scan:
    """A file split into calendars' headers, time zone definitions and events."""

    calendars: list[dict[str, str]] = field(default_factory=list)
    timezones: list[Block] = field(default_factory=list)
    events: list[Block] = field(default_factory=list)
    #: The text the fast scanner read (a newline, then the file), for line numbers;
    #: the charset its lines are decoded again with, and whether it holds CRs.
    text: str = ""
    fix: str | None = None
    carriage: bool = False
    _newlines: list[int] | None = None

    def lines_of(self, block: Block) -> list[tuple[int, str, str]]:
        """The kept lines of a block, made again from the text for a fast-read VEVENT."""
        if block.props is None or block.spans is None:
            return block.lines
        lines: list[tuple[int, str, str]] = []
        for start, end in block.spans:
            for found in _EVENT_LINE.findall(self.text, start, end):
                name = found[1].upper()
                text = _line_text(found[0], self.fix, self.carriage)
                if name in TIME_PROPERTIES:
                    text = _strip_value(text)
                lines.append((len(lines), name, text))
        return lines

    def line_at(self, block: Block, position: int) -> int:
        """The number of the line of a block's kept line at ``position``.

        A line number as it is; a BEGIN or END line inside a VTIMEZONE read
        by the fast scanner is kept at minus its number.
        """
        if block.spans is None:
            return position
        if position < 0:
            return -position
        pattern = _EVENT_LINE if block.name == "VEVENT" else _TIMEZONE_LINE
        starts = [m.start() for a, b in block.spans for m in pattern.finditer(self.text, a, b)]
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        # The line starts after the newline at starts[position]; newlines up to it counted.
        return bisect.bisect_right(self._newlines, starts[position])


_NEWLINE = re.compile(r"\n")


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


#: A line that is neither a content line, nor folded, nor blank (searched after a newline).
_BROKEN = re.compile(r"\n(?![A-Za-z0-9-]+[;:]|[ \t]|\r?\n|\r?\Z)")


def _line_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """Lines (after their newline) of these properties, with their folded lines: (line, NAME)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\n(({alternatives})[;:][^\n]*(?:\n[ \t][^\n]*)*)", re.IGNORECASE)


#: A BEGIN or END line: it changes which component is open.
_STRUCTURE = r"\n(?P<line>(?P<name>(?i:BEGIN|END))[;:][^\n]*(?:\n[ \t][^\n]*)*)"
_STRUCTURE_LINE = re.compile(_STRUCTURE)
#: Lines that are no BEGIN or END line; an unfolded BEGIN/END line's end.
_OTHER_LINES = r"(?:\n(?!(?i:BEGIN|END)[;:])[^\n]*)*"
_LINE_END = r"\r?(?=\n(?![ \t])|\Z)"
_ALARM = rf"\nBEGIN:VALARM{_LINE_END}{_OTHER_LINES}\nEND:VALARM{_LINE_END}"
#: A VEVENT as exporters write it (at most two VALARMs in it, nothing else), its own
#: lines in groups 1-3; or else a BEGIN or END line.
_SCAN_LINE = re.compile(
    rf"\nBEGIN:VEVENT{_LINE_END}({_OTHER_LINES})(?:{_ALARM}({_OTHER_LINES}))?"
    rf"(?:{_ALARM}({_OTHER_LINES}))?\nEND:VEVENT{_LINE_END}|{_STRUCTURE}"
)
#: The lines kept of a VEVENT, a VTIMEZONE and a calendar's own header.
#: A VEVENT's line splits at once when it can: (line, NAME, ;parameters, ':', value);
#: a folded line, or one with an unpaired quote before its value, gives '' for the last three.
_EVENT_LINE = re.compile(
    r"\n(("
    + "|".join(re.escape(n) for n in sorted(EVENT_PROPERTIES, key=len, reverse=True))
    + r")(?:(;(?:[^\n:\"]|\"[^\n\"]*\")*)?(:)([^\n]*)(?![^\n])(?!\n[ \t])|[;:][^\n]*)"
    r"(?:\n[ \t][^\n]*)*)",
    re.IGNORECASE,
)
#: A VEVENT's property names as exporters write them -> (NAME, whether a time).
_EVENT_NAME = {n: (n, n in TIME_PROPERTIES) for n in EVENT_PROPERTIES}
_TIMEZONE_LINE = _line_pattern(TIMEZONE_PROPERTIES)
_CALENDAR_LINE = _line_pattern(CALENDAR_PROPERTIES)
#: Names as written by nearly every exporter -> the name (others are upper-cased).
_NAME_OF = {
    n: n for n in ("BEGIN", "END", *EVENT_PROPERTIES, *TIMEZONE_PROPERTIES, *CALENDAR_PROPERTIES)
}
_FOLD_TEXT = re.compile(r"\n[ \t]")
_ASCII_BLANKS = " \t\n\r\x0b\x0c"  # what bytes.strip() strips


def _well_formed(text: str) -> bool:
    """True when every line is a content line, a folded line or blank, the first a BEGIN.

    ``text`` is the file with a newline put before it. Such a file can skip
    the lines the scanner does not keep without looking at them; any other
    file is read line by line, so that every broken line is named.
    """
    if _BROKEN.search(text) is not None:
        return False
    first = text.lstrip(_ASCII_BLANKS)[:6].upper()
    return first == "BEGIN:"


@functools.cache
def _ascii_single_byte(encoding: str) -> bool:
    """True when ``encoding`` gives one character per byte, the ASCII ones as ASCII.

    Such a file decodes the same as a whole or line by line.
    """
    try:
        chars = bytes(range(256)).decode(encoding, errors="surrogateescape")
    except LookupError:
        return False
    return (
        len(chars) == 256
        and chars[:128] == bytes(range(128)).decode("ascii")
        and not any(c.isascii() for c in chars[128:])
    )


def _decoded(data: bytes, encoding: str) -> tuple[str, bool] | None:
    """The whole file as text, and whether each line reads as if decoded on its own.

    Bytes that do not decode are kept as surrogates (not clean): each kept
    line is then decoded again on its own, as the line scanner does (a fold
    may split a UTF-8 character). None for a charset of several bytes per
    character: its lines are decoded one by one.
    """
    if encoding != "utf-8" and not _ascii_single_byte(encoding):
        return None
    try:
        return data.decode(encoding), True
    except UnicodeDecodeError:
        return data.decode(encoding, errors="surrogateescape"), False


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
            # Valid as it is, then valid unfolded too (a fold is whole ASCII characters).
            body.decode("utf-8")
            return body, "utf-8"
        except UnicodeDecodeError:
            pass
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


def _found_in(block: Block, pattern: re.Pattern[str], text: str, start: int, end: int) -> list[Any]:
    """The lines ``pattern`` finds of ``block`` from ``start`` to ``end``; the span is
    remembered (for :meth:`Scan.lines_of` and :meth:`Scan.line_at`) when it has any."""
    found = pattern.findall(text, start, end)
    if found:
        if block.spans is None:
            block.spans = []
        block.spans.append((start, end))
    return found


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
        self.fast = False  # read by the fast scanner (_scan_text)
        self.fix: str | None = None  # the charset each kept line is decoded again with
        self.carriage = False  # the text holds carriage returns
        self.encoding = "utf-8"
        self.number = 0  # the fast scanner's line count and where it counted to
        self.position = 0
        self.seen_calendar = False

    def run(self, data: bytes, encoding: str) -> Scan:
        data = _lf(data)
        decoded = _decoded(data, encoding)
        fast = decoded is not None and _well_formed("\n" + decoded[0])
        if decoded is not None and fast:
            seen_calendar = self._scan_text("\n" + decoded[0], encoding, decoded[1])
        else:
            seen_calendar, last_line = self._scan_lines(data, encoding)
        if not seen_calendar:
            raise UnreadableSource(self.file, "file is empty")
        if fast:
            last_line = _last_line(data)
        if self.implicit and self.stack == ["VCALENDAR"]:
            self.stack.pop()  # a bare event file has no END:VCALENDAR to wait for
        if self.stack:
            block = self.block
            if block is not None:
                if block.props is not None:  # read by the fast scanner: as lines again
                    block.lines = self.result.lines_of(block)
                    block.props = None
                    block.schedule = []
                    block.uid = None
                # A last line that stops mid-value would give a cut name or address,
                # a wrong identifier; cut text is kept, it is only scanned.
                if (
                    not data.endswith((b"\n", b"\r"))
                    and block.lines
                    and self.result.line_at(block, block.lines[-1][0]) == last_line
                    and block.lines[-1][1] not in TEXT_PROPERTIES
                ):
                    block.lines.pop()
                why = f"the file ends inside this {block.name} (cut off?)"
                block.problem_lines.append(block.line)
                self.log.add(block.line, None, why, code="ics_cut_inside", component=block.name)
            else:
                self.log.add(last_line, None, "", code="calendar_cut_off")
        return self.result

    def _first_line(self, name: str, value: str) -> None:
        """The first line must begin a calendar (or a bare event)."""
        if name != "BEGIN" or value not in ("VCALENDAR", "VEVENT"):
            raise UnreadableSource(self.file, "not an iCalendar file (no BEGIN:VCALENDAR)")
        if value == "VEVENT":
            # A bare event without its calendar (some programs export one so).
            self.stack.append("VCALENDAR")
            self.result.calendars.append({})
            self.implicit = True

    def _scan_lines(self, data: bytes, encoding: str) -> tuple[bool, int]:
        """Every logical line, one by one (a file with a broken line); kept at line numbers."""
        seen_calendar = False
        last_line = 0
        for number, raw in _logical_lines(data):
            last_line = number
            match = _CONTENT_LINE.match(raw)
            name = raw[: match.end() - 1].decode("ascii").upper() if match else ""
            if name in ("BEGIN", "END"):
                value = raw.partition(b":")[2].strip().decode("ascii", errors="replace").upper()
            else:
                value = ""
            if not seen_calendar:
                self._first_line(name, value)
                seen_calendar = True
            if not match:
                self.broken_line(number, raw.decode(encoding, errors="replace"))
            elif name == "BEGIN":
                self.begin(number, value, raw.decode(encoding, errors="replace"))
            elif name == "END":
                self.end(number, value, raw.decode(encoding, errors="replace"))
            elif not self.skip_depth and self._wanted(name):
                self.property(number, name, raw.decode(encoding, errors="replace"))
        return seen_calendar, last_line

    def _scan_text(self, text: str, encoding: str, clean: bool) -> bool:
        """The kept lines of a well-formed file (``text``: a newline, then the file).

        BEGIN and END lines are found by one regular expression and drive
        the state machine; the lines between two of them are all of one
        component, and the lines it keeps are found there by another (the
        component's), skipping every other line unseen. A VEVENT of the
        usual shape (at most two VALARMs inside, nothing else) is found
        whole by the same expression and taken in one step. BEGIN and END
        lines get their numbers as they come; a property line keeps only its
        index in its block (see :meth:`Scan.line_at`).
        """
        self.result.text = text
        self.fast = True
        self.encoding = encoding
        self.fix = None if clean else encoding  # decode each line again on its own
        self.carriage = "\r" in text
        self.result.fix = self.fix
        self.result.carriage = self.carriage
        self.number = 0  # newlines before ``position``: the number of the line starting there
        self.position = 0
        self.seen_calendar = False
        self._walk(text, 0, len(text), _SCAN_LINE)
        return self.seen_calendar

    def _walk(self, text: str, start: int, end: int, pattern: re.Pattern[str]) -> None:
        """The BEGIN and END lines (and usual VEVENTs) from ``start`` to ``end``."""
        span_start = start
        events = self.result.events
        for match in pattern.finditer(text, start, end):
            found = match.start()
            if self.seen_calendar and span_start < found:
                self._span(text, span_start, found)
            span_start = match.end()
            line_start = found + 1
            self.number += text.count("\n", self.position, line_start)
            self.position = line_start
            if match.lastgroup is None:  # a whole VEVENT (groups 1-3), not a BEGIN/END line
                if self.block is None and not self.skip_depth and len(self.stack) == 1:
                    block = Block("VEVENT", self.number, len(self.result.calendars) - 1)
                    block.closed = True
                    events.append(block)
                    for own_start, own_end in match.regs[1:4]:
                        if own_start < own_end:
                            self._keep_event(block, text, own_start, own_end)
                else:  # not where a VEVENT simply begins: line by line
                    self._walk(text, found, span_start, _STRUCTURE_LINE)
                continue
            raw = match.group("line")
            if "\n" in raw:
                raw = _FOLD_TEXT.sub("", raw)
            if self.carriage:
                raw = raw.rstrip("\r")
            name = match.group("name").upper()
            value = raw.partition(":")[2]
            if value.isascii():
                value = value.strip(_ASCII_BLANKS).upper()
            else:  # as the line scanner reads it: from the bytes, ASCII only
                value = value.encode(self.encoding, errors="surrogateescape").strip()
                value = value.decode("ascii", errors="replace").upper()
            if not self.seen_calendar:
                self._first_line(name, value)
                self.seen_calendar = True
            line = _line_text(raw, self.fix, False)
            if name == "BEGIN":
                self.begin(self.number, value, line)
            else:
                self.end(self.number, value, line)
        if self.seen_calendar and span_start < end:
            self._span(text, span_start, end)

    def _span(self, text: str, start: int, end: int) -> None:
        """The lines between two BEGIN/END lines: those the open component keeps."""
        if self.skip_depth:
            return
        block = self.block
        if block is None:
            if len(self.stack) == 1:
                header = self.result.calendars[-1]
                for line, raw_name in _CALENDAR_LINE.findall(text, start, end):
                    line = _line_text(line, self.fix, self.carriage)
                    value = _strip_value(line).partition(":")[2]
                    header[_NAME_OF.get(raw_name) or raw_name.upper()] = _unescape(value)
            return
        if block.name == "VEVENT":
            self._keep_event(block, text, start, end)
        else:
            self._keep(block, text, start, end, _TIMEZONE_LINE)

    def _keep(
        self, block: Block, text: str, start: int, end: int, pattern: re.Pattern[str]
    ) -> None:
        """The lines of ``block`` from ``start`` to ``end`` that it keeps."""
        found = _found_in(block, pattern, text, start, end)
        if not found:
            return
        lines = block.lines
        index = block.kept
        names = _NAME_OF
        fold = _FOLD_TEXT
        simple = self.fix is None and not self.carriage
        for line, raw_name in found:
            name = names.get(raw_name) or raw_name.upper()
            if not simple:
                line = _line_text(line, self.fix, self.carriage)
            elif "\n" in line:
                line = fold.sub("", line)
            if name in TIME_PROPERTIES:
                line = _strip_value(line)
            lines.append((index, name, line))
            index += 1
        block.kept = index

    def _keep_event(self, block: Block, text: str, start: int, end: int) -> None:
        """The lines of a VEVENT from ``start`` to ``end``, split into its properties at once.

        The same as splitting its kept lines (:class:`Event`) one by one: a
        line without quotes or folds before its value splits in the regular
        expression, any other with :func:`split_line`.
        """
        found = _found_in(block, _EVENT_LINE, text, start, end)
        if not found:
            return
        props = block.props
        if props is None:
            props = block.props = defaultdict(list)
        else:
            props.default_factory = list
        index = block.kept
        count = len(found)
        lines, raw_names, params_texts, colons, values = zip(*found, strict=True)
        if self.fix is None and not self.carriage and EVENT_PROPERTIES.issuperset(raw_names):
            # Names as written, lines split by the expression: the columns at once,
            # and the few lines it did not split (folded ...) one by one.
            block.kept = index + count
            splits = map(parameters, params_texts)
            entries: list[Entry | None] = list(
                zip(range(index, index + count), splits, values, strict=True)
            )
            timed = []  # (where, line): the schedule in the order of the lines
            if "" in colons:
                at = -1
                for _ in range(colons.count("")):
                    at = colons.index("", at + 1)
                    name = raw_names[at]
                    line = _line_text(lines[at], None, False)
                    if name in TIME_PROPERTIES:
                        line = _strip_value(line)
                        timed.append((at, line))
                    try:
                        _, params, value = split_line(line)
                        entries[at] = (index + at, params, value)
                    except ValueProblem:  # the line is kept, but has no value
                        entries[at] = None
                if (
                    "UID" in raw_names
                    and "UID" not in props
                    and block.uid is None
                    and entries[raw_names.index("UID")] is None
                ):
                    block.uid = ""  # the first UID line has none
            for name in TIME_PROPERTIES.intersection(raw_names):
                at = -1
                for _ in range(raw_names.count(name)):
                    at = raw_names.index(name, at + 1)
                    if not colons[at]:
                        continue
                    line, value = lines[at], values[at]
                    stripped = value.strip()
                    timed.append((at, line[: len(line) - len(value)] + stripped))
                    entries[at] = (index + at, parameters(params_texts[at]), stripped)
            if timed:
                timed.sort()
                block.schedule.extend(line for _, line in timed)
            for name, entry in zip(raw_names, entries, strict=True):
                if entry is not None:
                    props[name].append(entry)
            props.default_factory = None
            return
        if self.fix is None and not self.carriage:
            schedule = block.schedule
            names = _EVENT_NAME
            for line, raw_name, params_text, colon, value in found:
                kind = names.get(raw_name)
                if kind is None:
                    upper = raw_name.upper()
                    kind = (upper, upper in TIME_PROPERTIES)
                if colon:
                    if kind[1]:
                        stripped = value.strip()
                        schedule.append(line[: len(line) - len(value)] + stripped)
                        value = stripped
                    params = parameters(params_text) if params_text else NO_PARAMETERS
                    props[kind[0]].append((index, params, value))
                else:
                    self._split_event_line(block, props, index, kind[0], line)
                index += 1
        else:
            for found_line in found:
                name = found_line[1].upper()
                self._split_event_line(block, props, index, name, found_line[0])
                index += 1
        props.default_factory = None
        block.kept = index

    def _split_event_line(
        self,
        block: Block,
        props: defaultdict[str, list[Entry]],
        index: int,
        name: str,
        line: str,
    ) -> None:
        """One line of a VEVENT split by :func:`split_line` (folded, quoted, CR ...)."""
        line = _line_text(line, self.fix, self.carriage)
        if name in TIME_PROPERTIES:
            line = _strip_value(line)
            block.schedule.append(line)
        try:
            _, params, value = split_line(line)
        except ValueProblem:  # the line is kept, but has no value
            if name == "UID" and "UID" not in props:
                block.uid = ""  # the first UID line has none
            return
        props[name].append((index, params, value))

    def begin(self, number: int, value: str, text: str) -> None:
        if value == "VCALENDAR" and self.stack:
            self.unwind(number, 0, "a new calendar begins", "calendar", value)
        elif value in TOP_LEVEL and len(self.stack) > 1:
            self.unwind(number, 1, f"a new {value} begins", "begin", value)
        if not self.stack and value != "VCALENDAR":
            self.log.add(number, None, "component outside of a calendar", code="ics_outside")
            self.stack.append("VCALENDAR")
            self.result.calendars.append({})
        self.stack.append(value)
        if value == "VCALENDAR":
            self.result.calendars.append({})
        elif self.skip_depth or (self.block is not None and self.block.name == "VEVENT"):
            self.skip_depth += 1  # VALARM and the like
        elif self.block is not None:  # STANDARD/DAYLIGHT
            self.block.lines.append((-number if self.fast else number, "BEGIN", text))
        elif value in ("VEVENT", "VTIMEZONE"):
            self.block = Block(value, number, len(self.result.calendars) - 1)
            target = self.result.events if value == "VEVENT" else self.result.timezones
            target.append(self.block)
        else:
            self.skip_depth = 1

    def end(self, number: int, value: str, text: str) -> None:
        if value not in self.stack:
            self.log.add(
                number, None, "END without a matching BEGIN; line ignored", code="ics_lone_end"
            )
            return
        depth = len(self.stack) - 1 - self.stack[::-1].index(value)
        if depth < len(self.stack) - 1:
            self.unwind(number, depth + 1, f"END:{value} comes first", "end", value)
        self.stack.pop()
        if self.skip_depth:
            self.skip_depth -= 1
        elif self.block is not None and len(self.stack) == 1:
            self.block.closed = True
            self.block = None
        elif self.block is not None:
            self.block.lines.append((-number if self.fast else number, "END", text))

    def unwind(self, number: int, depth: int, why: str, cause: str, other: str) -> None:
        """Close every component above ``depth`` that was left open, saying so.

        ``cause`` is what closes them (``calendar``, ``begin`` or ``end`` of
        the component ``other``), for the message catalogue.
        """
        while len(self.stack) > depth:
            name = self.stack.pop()
            if self.skip_depth:
                self.skip_depth -= 1
                continue
            if self.block is not None and len(self.stack) == 1:
                self.block.problem_lines.append(self.block.line)
                self.log.add(
                    self.block.line,
                    None,
                    f"this {name} is not closed ({why})",
                    code=f"ics_not_closed_{cause}",
                    component=name,
                    other=other,
                )
                self.block = None
            elif self.block is None and name == "VCALENDAR":
                self.log.add(
                    number,
                    None,
                    f"the calendar before this line is not closed ({why})",
                    code=f"ics_calendar_not_closed_{cause}",
                    other=other,
                )

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
                number,
                name,
                "not an iCalendar line (broken line folding); joined to the text",
                code="ics_folding_joined",
            )
            return
        if block is not None:
            block.problem_lines.append(number)
        self.log.add(
            number,
            None,
            "not an iCalendar line (broken line folding?); line ignored",
            code="ics_folding_ignored",
        )


def _unescape(value: str) -> str:
    """An iCalendar TEXT value without its backslash escapes."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _line_text(line: str, fix: str | None, carriage: bool) -> str:
    """A line found in the text: unfolded, decoded on its own where it must be, no CR.

    The same as the line scanner's reading of its bytes: ``fix`` is the
    charset of a text with bytes that did not decode (kept as surrogates).
    """
    if "\n" in line:
        line = _FOLD_TEXT.sub("", line)
    if fix is not None:
        line = line.encode(fix, errors="surrogateescape").decode(fix, errors="replace")
    if carriage:
        line = line.rstrip("\r")
    return line


def _strip_value(text: str) -> str:
    """The content line with blanks around its value removed (quoted parameters kept)."""
    colon = text.find(":")
    if colon >= 0 and '"' in text[:colon]:
        colon = value_colon(text)
    if colon < 0:
        return text
    return text[: colon + 1] + text[colon + 1 :].strip()


# ------------------------------------------------------------------- parsing


#: The parameters of a line that has none (shared: never changed, like split_line's).
NO_PARAMETERS: dict[str, str] = {}
