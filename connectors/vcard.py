"""vCard files (.vcf): 2.1, 3.0 and 4.0 as Google, Apple, Outlook and Android export them.

Why a parser of its own rather than vobject: vobject 0.9.9 cuts a value at its
first unescaped comma (vCard 2.1 never escapes commas, so an Outlook note
``Hetu 131052-308T, pitkä ...`` loses everything after the comma, and so does
``FN:Doe, John``), stops the whole file at the first badly folded line, and
quotes the offending line in its error text. Contact exports are messy, and a
henkilötunnus hiding in a note must not be lost, so this module reads
leniently and reports what it had to guess:

- the file is cut into ``BEGIN:VCARD`` ... ``END:VCARD`` blocks by hand, so a
  broken card is a problem for that card while the others go on;
- folded lines (a leading space or tab) are joined; a line that is not a
  property and does not start with a space is read as a badly folded
  continuation of the line before (a problem, not a failure);
- the file's encoding is found by :func:`connectors.textfile.decode_text`
  (BOMs, UTF-16 without BOM, UTF-8, legacy charsets; a file that mixes
  UTF-8 and Windows-1252 is decoded line by line, each such line named);
- quoted-printable values (2.1: ``ENCODING=QUOTED-PRINTABLE``, soft line
  breaks with a trailing ``=``) are decoded with their ``CHARSET``; without
  one, as UTF-8 when they are, else in the charset their bytes are in
  (a guess beyond Finnish Windows-1252 is a warning);
- a file in which no card has an e-mail or phone is a warning, never silence;
- base64 / binary values (``PHOTO``, ``LOGO``, ``SOUND``, ``KEY``) are never
  read as text: a photo is only noted as the category ``photo``;
- a card cut off by the end of the file is read as far as it goes, and reported.

One trace per card. record_id = the card's UID, else a hash of the card's
text. row = the line of ``BEGIN:VCARD``; locator ``{"index": i, "uid": ...,
"line": N}`` where ``index`` counts every card in the file from 0.
Group cards (``KIND:group``, Apple's ``X-ADDRESSBOOKSERVER-KIND:group``) are
lists of members, not people, and are skipped.
"""

from __future__ import annotations

import codecs
import quopri
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from connectors.base import Connector, ProblemLog, SourceSpec, display_path, register
from connectors.contact_fields import content_id, head_text
from connectors.errors import UnreadableSource
from connectors.textfile import NO_KEYS, legacy_charset, read_decoded

#: A card's problem before it is logged: line number, property, catalogue code, parameters.
CardProblem = tuple[int, str | None, str, dict[str, Any]]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: MULTILINE: matches one line, and also finds a BEGIN line anywhere in a text.
_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
#: A BEGIN:VCARD (group 1 set) or END:VCARD line, matched against one line.
_MARK = re.compile(r"\s*(?:(BEGIN)|END)\s*:\s*VCARD\s*$", re.IGNORECASE)
#: A line that is a property start or blank: a card of only these unfolds to itself.
_SIMPLE_LINE = re.compile(r"(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+[;:]|\s*\Z")
#: The start of a property line: [group.]NAME followed by ';' (parameters) or ':' (value).
_PROPERTY_START = re.compile(r"^(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+[;:]")
_PROPERTY_NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)")
#: vCard 2.1 writes bare parameters: TEL;WORK;VOICE, NOTE;QUOTED-PRINTABLE.
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
#: Properties whose value is binary or a reference to binary data: never text.
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
#: Properties that say nothing about the person.
_TECHNICAL = frozenset({"BEGIN", "END", "VERSION", "PRODID", "REV", "UID"})
#: Relations that are family (next of kin), by vCard 4.0 RELATED type or Apple label.
_KIN_WORDS = frozenset(
    {
        "spouse", "child", "parent", "sibling", "kin", "mother", "father", "brother",
        "sister", "partner", "domestic_partner", "relative", "son", "daughter",
    }
)  # fmt: skip
_KIN_PROPERTIES = frozenset(
    {"X-EVOLUTION-SPOUSE", "X-MS-SPOUSE", "X-SPOUSE", "X-MS-CHILD", "X-CHILDREN"}
)


class VcardOptions(BaseModel):
    """Options of a vCard source."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] | None = Field(
        default=None,
        min_length=1,
        description="only cards whose CATEGORIES contain one of these",
    )


# ------------------------------------------------------------------ parsing


def _data_url(raw: str) -> bool:
    """``raw.lstrip().lower().startswith("data:")``, looking at as little as it needs."""
    first = raw[:1]
    if first not in ("d", "D") and not first.isspace():
        return False
    # "data:" is ASCII: the first five characters decide
    return raw.lstrip()[:5].lower().startswith("data:")


def _head_facts(name: str, params: Mapping[str, list[str]]) -> tuple[str, bool]:
    """A property's encoding (upper case, '' for none) and whether its name or parameters
    make its value binary."""
    values = params.get("ENCODING")
    encoding = values[0].upper() if values else ""
    value_type = params.get("VALUE")
    binary = (
        name in _BINARY
        or encoding in ("B", "BASE64")
        or (value_type[0].lower() if value_type else "") == "binary"
    )
    return encoding, binary


class _PropertyFields(NamedTuple):
    line: int
    group: str | None
    name: str
    params: dict[str, list[str]]
    raw: str
    #: The charset a quoted-printable value without CHARSET was found to be in.
    charset_found: str | None
    #: ENCODING in upper case ('' for none)
    encoding: str
    #: the value is binary data or a reference to it, never text
    binary: bool


class Property(_PropertyFields):
    """One (unfolded) property line of a card: an immutable tuple (a file has many).

    ``Property(line, group, name, params, raw)`` works out ``encoding`` and
    ``binary``; :func:`parse_property` makes them from its cache of heads.
    ``params`` is shared by the properties of the same head: read it only.
    """

    __slots__ = ()

    def __new__(
        cls,
        line: int,
        group: str | None,
        name: str,
        params: dict[str, list[str]],
        raw: str,
        charset_found: str | None = None,
        encoding: str | None = None,
        binary: bool | None = None,
    ) -> Property:
        if encoding is None or binary is None:
            encoding, binary = _head_facts(name, params)
            binary = binary or _data_url(raw)
        fields = (line, group, name, params, raw, charset_found, encoding, binary)
        return tuple.__new__(cls, fields)

    def param(self, key: str) -> str | None:
        values = self.params.get(key)
        return values[0] if values else None

    def text(self) -> str:
        """The value decoded (quoted-printable, charset) and unescaped."""
        return unescape(self.decoded())

    def parts(self, separator: str = ";") -> list[str]:
        """A structured value (N, ADR, ORG) split on unescaped separators."""
        value = self.decoded()
        if "\\" not in value:  # nothing escaped: a plain split
            return [part.strip() for part in value.split(separator)]
        return [unescape(part) for part in split_unescaped(value, separator)]

    def qp_bytes(self) -> bytes | None:
        """The bytes of a quoted-printable value; None for any other value."""
        if self.encoding != "QUOTED-PRINTABLE":
            return None
        return quopri.decodestring(self.raw.encode("utf-8"))

    def decoded(self) -> str:
        data = self.qp_bytes()
        if data is None:
            return self.raw
        charsets = (self.param("CHARSET") or self.charset_found or "utf-8", "utf-8", "cp1252")
        for charset in charsets:
            try:
                codecs.lookup(charset)
                return data.decode(charset).replace("\r\n", "\n")
            except (LookupError, UnicodeDecodeError):
                continue
        return data.decode("latin-1")


@dataclass
class Card:
    """The lines of one BEGIN:VCARD ... END:VCARD block (complete: its END was found)."""

    index: int
    begin: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    complete: bool = False


def split_cards(text: str) -> tuple[list[Card], int | None]:
    """Cut a file into cards; also the first line of text found outside any card.

    The BEGIN and END lines are found in one pass over the lines; each card
    then takes its lines (numbered from 1) as one slice.
    """
    lines = _lines(text)
    marks = [i for i, found in enumerate(map(_MARK.match, lines)) if found is not None]
    cards: list[Card] = []
    current: Card | None = None
    outside: int | None = None
    start = 0  # the first line (index) not yet given to a card or looked at

    numbered = list(enumerate(lines, start=1))

    def close(card: Card, end: int) -> None:
        card.lines = numbered[card.begin : end]  # from the line after BEGIN

    for index in marks:
        if current is None:
            if outside is None:
                outside = _first_text(lines, start, index)
        else:
            close(current, index)
        if _MARK.match(lines[index]).group(1) is not None:  # type: ignore[union-attr]
            if current is not None:
                cards.append(current)
            current = Card(index=len(cards), begin=index + 1)
        elif current is not None:
            current.complete = True
            cards.append(current)
            current = None
        start = index + 1
    if current is not None:
        close(current, len(lines))
        cards.append(current)
    elif outside is None:
        outside = _first_text(lines, start, len(lines))
    return cards, outside


#: What str.splitlines() takes for a line break beyond \r and \n.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _lines(text: str) -> list[str]:
    """``_LINE_BREAK.split(text)``: lines split on \\r\\n, \\r or \\n only."""
    if _OTHER_BREAKS.search(text):
        return _LINE_BREAK.split(text)
    lines = text.splitlines()
    if not text or text[-1] in "\r\n":
        lines.append("")
    return lines


def _first_text(lines: list[str], start: int, end: int) -> int | None:
    """The number of the first line in ``lines[start:end]`` that is not blank."""
    for index in range(start, end):
        if lines[index].strip():
            return index + 1
    return None


def plain_lines(card: Card, qp_possible: bool) -> list[tuple[int, str]] | None:
    """The logical lines of a card that has nothing to join, else None (then :func:`unfold`).

    A card whose every line starts a property (or is blank), none of them
    quoted-printable, unfolds to its non-blank lines: what a UTF-8 file is
    once decoded (:func:`connectors.textfile.decode_text` joins its folds).
    ``qp_possible``: the file mentions quoted-printable somewhere.
    """
    lines = card.lines
    texts = [line for _, line in lines]
    if qp_possible and "QUOTED-PRINTABLE" in "\n".join(texts).upper():
        return None
    if all(map(_PROPERTY_START.match, texts)):
        return lines
    if all(map(_SIMPLE_LINE.match, texts)):
        return [(number, line) for number, line in lines if line.strip()]
    return None


def unfold(card: Card, problems: list[CardProblem]) -> list[tuple[int, str]]:
    """Logical lines of a card: folds, quoted-printable soft breaks and bad folds joined."""
    logical: list[list[Any]] = []  # [line number, text, quoted-printable?, base64?]
    for number, line in card.lines:
        if not line.strip():
            continue
        if logical and logical[-1][2] and logical[-1][1].endswith("="):
            logical[-1][1] = logical[-1][1][:-1] + line  # quoted-printable soft line break
            continue
        if logical and line[0] in " \t":
            logical[-1][1] += line[1:]
            continue
        if _PROPERTY_START.match(line):
            head = line.split(":", 1)[0].upper()
            logical.append([number, line, "QUOTED-PRINTABLE" in head, _is_base64_head(head)])
            continue
        if logical and logical[-1][3]:
            logical[-1][1] += line.strip()  # unindented base64 of a vCard 2.1 PHOTO
            continue
        if logical:
            logical[-1][1] += line
            problems.append((number, _name_of(logical[-1][1]), "vcard_bad_fold", {}))
        else:
            problems.append((number, None, "vcard_not_a_property", {}))
    return [(item[0], item[1]) for item in logical]


def _find_qp_charsets(properties: list[Property]) -> list[CardProblem]:
    """The charset of a card's quoted-printable values that name none and are not UTF-8.

    Old phones (Nokia, BlackBerry, Windows Mobile) write vCard 2.1 in the
    phone's legacy charset without saying which: UTF-8 when the bytes are
    UTF-8, else the charset of all such bytes of the card together (plausible
    Finnish Windows-1252, or charset-normalizer's guess, which is returned
    as a warning per value).
    """
    unnamed = []
    for index, prop in enumerate(properties):
        data = prop.qp_bytes()
        if data is None or prop.param("CHARSET") or data.isascii():
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            unnamed.append((index, data))
    if not unnamed:
        return []
    charset, guessed = legacy_charset(b"\n".join(data for _, data in unnamed))
    for index, _ in unnamed:
        properties[index] = properties[index]._replace(charset_found=charset)
    if not guessed:
        return []
    return [
        (properties[i].line, properties[i].name, "qp_charset_guessed", {"charset": charset})
        for i, _ in unnamed
    ]


def _name_of(line: str) -> str | None:
    match = _PROPERTY_NAME.match(line)
    return match.group(1).upper() if match else None


def _is_base64_head(head: str) -> bool:
    return bool(re.search(r"ENCODING=(B|BASE64)\b|;BASE64\b", head))


def parse_property(number: int, line: str) -> Property | None:
    """``[group.]NAME[;param=value...]:value``; None when the line has no value part."""
    colon = line.find(":")
    if colon < 0:
        return None
    head = line[:colon]
    if '"' in head:  # a quoted parameter may hold a ':'
        quoted = _value_colon(line)
        if quoted is None:
            return None
        colon, head = quoted, line[:quoted]
    group, name, params, (encoding, binary) = _HEADS.get(head) or _parse_head(head)
    raw = line[colon + 1 :]
    first = raw[:1]
    binary = binary or ((first in "dD" or first.isspace()) and _data_url(raw))
    # A tuple made in C: Property() would work its head out again.
    return tuple.__new__(Property, (number, group, name, params, raw, None, encoding, binary))


_Head = tuple[str | None, str, dict[str, list[str]], tuple[str, bool]]
#: Parsed property heads by their text: an address book repeats a few dozen heads.
_HEADS: dict[str, _Head] = {}


def _parse_head(head: str) -> _Head:
    """Group, name, parameters and :func:`_head_facts` of ``[group.]NAME[;param=value...]``.

    Cached: the parameters are shared by the properties with the same head,
    to be read only.
    """
    found = _HEADS.get(head)
    if found is None:
        group, name, params = _split_head(head)
        found = (group, name, params, _head_facts(name, params))
        if len(_HEADS) < 4096:
            _HEADS[head] = found
    return found


def _split_head(head: str) -> tuple[str | None, str, dict[str, list[str]]]:
    pieces = split_unescaped(head, ";", quotes=True)
    name_part = pieces[0].strip()
    group, _, name = name_part.rpartition(".")
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if "=" in piece:
            key, _, value = piece.partition("=")
            values = [v.strip().strip('"') for v in value.strip().strip('"').split(",")]
            params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
        elif piece.upper() in _BARE_ENCODINGS:
            params.setdefault("ENCODING", []).append(piece.upper())
        else:
            params.setdefault("TYPE", []).append(piece)
    return group or None, name.upper(), params


def _value_colon(line: str) -> int | None:
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return i
    return None


def split_unescaped(value: str, separator: str, *, quotes: bool = False) -> list[str]:
    """Split on ``separator`` unless it is escaped with a backslash (or quoted)."""
    if '"' not in value if quotes else "\\" not in value:
        return value.split(separator)
    parts: list[str] = []
    current: list[str] = []
    escaped = quoted = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and not quotes:
            current.append(char)
            escaped = True
        elif char == '"' and quotes:
            quoted = not quoted
            current.append(char)
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}


def unescape(value: str) -> str:
    """vCard text escapes: ``\\n`` newline, ``\\,`` ``\\;`` ``\\:`` ``\\\\``."""
    if "\\" not in value:
        return value.strip()
    return _ESCAPE.sub(_unescape_one, value).strip()


_ESCAPE = re.compile(r"\\(.)")


def _unescape_one(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(1), match.group(0))


# ------------------------------------------------------------------ records


def card_record(card: Card, properties: list[Property]) -> dict[str, Any] | None:
    """The raw record of one card; None for a group card (a list, not a person)."""
    if any(prop.encoding == "QUOTED-PRINTABLE" for prop in properties):
        return _card_record_decoding(card, properties)
    return _card_record_plain(card, properties)


#: What ``_card_record_plain`` does with a property, by name (None: its text only).
_ROLES: dict[str, str] = {
    **{name: "technical" for name in _TECHNICAL - {"UID"}},
    **{name: "kin" for name in _KIN_PROPERTIES | {"RELATED", "X-ABRELATEDNAMES"}},
    "UID": "uid",
    "KIND": "kind",
    "X-ADDRESSBOOKSERVER-KIND": "kind",
    "FN": "fn",
    "EMAIL": "email",
    "TEL": "tel",
    "LABEL": "address",
    "ADR": "adr",
    "BDAY": "birth_date",
    "NOTE": "note",
    "N": "n",
    "ORG": "org",
    "PHOTO": "photo",
    "CATEGORIES": "categories",
    "X-ABLABEL": "label",
}
#: Roles that read only a text value: a binary value of these is skipped.
_TEXT_ROLES = frozenset({"uid", "kind", "fn", "email", "tel", "address", "birth_date", "note"})


def _card_record_plain(card: Card, properties: list[Property]) -> dict[str, Any] | None:
    """:func:`_card_record_decoding` of a card without quoted-printable values, in one pass.

    Every value is then its raw text, unescaped: nothing can fail, so the
    order in which values are read does not matter. Gives exactly what
    :func:`_card_record_decoding` gives (the tests compare the two).
    """
    uid: str | None = None
    fn: str | None = None
    kinds: list[str] = []
    emails: list[str] = []
    phones: list[str] = []
    labels: dict[str, str] = {}
    names: list[Property] = []
    texts: list[str] = []
    categories: set[str] = set()
    groups: set[str] = set()
    org: str | None = None
    kin = False
    for prop in properties:
        raw = prop.raw
        role = _ROLES.get(prop.name)
        if role == "technical":
            continue
        value = ""
        if prop.binary:
            if role is None or role in _TEXT_ROLES:
                continue
        elif role == "n" or role == "adr":
            value = "\n".join(p for p in prop.parts() if p)
            if value:
                texts.append(value)
        else:
            value = raw.strip() if "\\" not in raw else unescape(raw)
            if value and role != "uid":
                texts.append(value)
            if role is None or (not value and role in _TEXT_ROLES):
                continue
        if role == "email":
            emails.append(value)
        elif role == "tel":
            phones.append(_phone_number(value))
        elif role == "fn":
            fn = fn or value
        elif role == "n":
            names.append(prop)
        elif role == "adr" or role == "address" or role == "birth_date" or role == "note":
            categories.add("address" if role == "adr" else role)
        elif role == "uid":
            uid = uid or value
        elif role == "kind":
            kinds.append(value)
        elif role == "org":
            for part in prop.parts():
                if part:
                    categories.add("organisation")
                    org = org or part
                    break
        elif role == "photo":
            if raw.strip():
                categories.add("photo")
        elif role == "categories":
            for part in prop.parts(","):
                for g in part.split(","):
                    if g.strip():
                        groups.add(g.strip().casefold())
        elif role == "label":
            group = prop.group
            if group:
                labels[group] = unescape(raw).lower()
        elif role == "kin":
            kin = True

    kind = " ".join(kinds).lower()
    if "group" in kind:
        return None
    name_text = fn
    if not name_text:
        for prop in names:
            parts = prop.parts()
            # family; given; additional; prefix; suffix -> given additional family
            ordered = [parts[i] for i in (1, 2, 0) if i < len(parts)]
            name_text = " ".join(p for p in ordered if p) or None
            if name_text:
                break
    if kin and _has_kin(_by_name(properties), labels):
        categories.add("next_of_kin")
    return {
        "record_id": uid or content_id([line for _, line in card.lines]),
        "row": card.begin,
        "name": name_text,
        "emails": emails,
        "phones": phones,
        "label": name_text or next(iter(emails), None) or org or f"Yhteystieto {card.index + 1}",
        "locator": {"index": card.index, "uid": uid, "line": card.begin},
        "texts": texts,
        "categories": sorted(categories),
        "_groups": groups,
    }


def _by_name(properties: list[Property]) -> dict[str, list[Property]]:
    by_name: dict[str, list[Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)
    return by_name


def _card_record_decoding(card: Card, properties: list[Property]) -> dict[str, Any] | None:
    """The raw record of a card with quoted-printable values (decoded in their charset)."""
    by_name: dict[str, list[Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)
    known: dict[int, str] = {}

    def text(prop: Property) -> str:
        """``prop.text()``, computed once per property."""
        value = known.get(id(prop))
        if value is None:
            value = known[id(prop)] = prop.text()
        return value

    def texts_of(name: str) -> list[str]:
        return [t for p in by_name.get(name, ()) if not p.binary for t in (text(p),) if t]

    kind = " ".join(texts_of("KIND") + texts_of("X-ADDRESSBOOKSERVER-KIND")).lower()
    if "group" in kind:
        return None
    labels = {p.group: text(p).lower() for p in by_name.get("X-ABLABEL", []) if p.group}

    name = next(iter(texts_of("FN")), None)
    if not name:
        for prop in by_name.get("N", []):
            parts = prop.parts()
            # family; given; additional; prefix; suffix -> given additional family
            ordered = [parts[i] for i in (1, 2, 0) if i < len(parts)]
            name = " ".join(p for p in ordered if p) or None
            if name:
                break
    emails = texts_of("EMAIL")
    phones = [_phone_number(t) for t in texts_of("TEL")]

    categories: set[str] = set()
    if by_name.get("ADR") or texts_of("LABEL"):
        categories.add("address")
    if texts_of("BDAY"):
        categories.add("birth_date")
    if texts_of("NOTE"):
        categories.add("note")
    if any(part for p in by_name.get("ORG", []) for part in p.parts()):
        categories.add("organisation")
    if any(p.raw.strip() for p in by_name.get("PHOTO", [])):
        categories.add("photo")
    if _has_kin(by_name, labels):
        categories.add("next_of_kin")

    texts: list[str] = []
    for prop in properties:
        if prop.name in _TECHNICAL or prop.binary:
            continue
        value = "\n".join(p for p in prop.parts() if p) if prop.name in ("N", "ADR") else None
        value = value if value is not None else text(prop)
        if value:
            texts.append(value)

    uid = next(iter(texts_of("UID")), None)
    groups = {
        g.strip().casefold()
        for p in by_name.get("CATEGORIES", [])
        for part in p.parts(",")
        for g in part.split(",")
        if g.strip()
    }
    org = next((part for p in by_name.get("ORG", []) for part in p.parts() if part), None)
    return {
        "record_id": uid or content_id(line for _, line in card.lines),
        "row": card.begin,
        "name": name,
        "emails": emails,
        "phones": phones,
        "label": name or next(iter(emails), None) or org or f"Yhteystieto {card.index + 1}",
        "locator": {"index": card.index, "uid": uid, "line": card.begin},
        "texts": texts,
        "categories": sorted(categories),
        "_groups": groups,
    }


def _phone_number(value: str) -> str:
    """A TEL value as a plain number: ``tel:+1-418-656-9254;ext=102`` -> ``+1-418-656-9254``."""
    if value.lower().startswith("tel:"):
        value = value[4:]
    return value.split(";")[0].strip()


def _has_kin(by_name: Mapping[str, list[Property]], labels: Mapping[str, str]) -> bool:
    if any(p.text() for name in _KIN_PROPERTIES for p in by_name.get(name, [])):
        return True
    for prop in by_name.get("RELATED", []):
        types = {t.lower() for t in prop.params.get("TYPE", [])}
        if prop.text() and types & _KIN_WORDS:
            return True
    for prop in by_name.get("X-ABRELATEDNAMES", []):
        label = re.sub(r"[^a-z_]", "", labels.get(prop.group or "", "")).strip("_")
        if prop.text() and (not label or label in _KIN_WORDS):
            return True
    return False


OUTSIDE = "text outside BEGIN:VCARD ... END:VCARD was ignored"


def read_cards(text: str, log: ProblemLog, wanted: set[str] | None) -> Iterator[dict[str, Any]]:
    """Raw records of every card that passes the categories filter.

    A card's problems are reported only when the card is read (a card the
    filter leaves out is not part of this source); a card that cannot be
    parsed at all is reported, whatever its categories.
    """
    cards, outside = split_cards(text)
    qp_possible = "QUOTED-PRINTABLE" in text.upper()
    for card in cards:
        if outside is not None and outside < card.begin:
            log.add(outside, None, OUTSIDE, code="vcard_outside")
            outside = None
        problems: list[CardProblem] = []
        if not card.complete:
            problems.append((card.begin, None, "vcard_cut_off", {}))
        try:
            properties = []
            lines = plain_lines(card, qp_possible)
            for number, line in unfold(card, problems) if lines is None else lines:
                prop = parse_property(number, line)
                if prop is None:
                    problems.append((number, _name_of(line), "vcard_no_value", {}))
                else:
                    properties.append(prop)
            guesses = _find_qp_charsets(properties) if qp_possible else []
            record = card_record(card, properties)
        except Exception as exc:  # noqa: BLE001 - one broken card must not stop the others
            name = type(exc).__name__
            log.add(card.begin, None, "", code="card_unreadable", error=name)
            continue
        if record is None:
            continue
        groups = record.pop("_groups")
        if wanted is not None and not groups & wanted:
            continue
        for number, field_name, code, params in problems:
            log.add(number, field_name, "", code=code, **params)
        for number, field_name, code, params in guesses:
            log.add(number, field_name, "", severity="warning", code=code, **params)
        yield record
    if outside is not None:
        log.add(outside, None, OUTSIDE, code="vcard_outside")


# ------------------------------------------------------------------ connector


@register
class VcardConnector(Connector):
    """Reads a .vcf file of one or many vCards."""

    name: ClassVar[str] = "vcard"
    title: ClassVar[str] = "vCard (.vcf)"
    default_kind: ClassVar[str] = "contact"
    options_model: ClassVar[type[BaseModel]] = VcardOptions
    suffixes: ClassVar[tuple[str, ...]] = (".vcf", ".vcard")

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        if _BEGIN.search(head_text(head)):
            return 95
        return super().sniff(path, head)

    def extract(
        self, source: SourceSpec, options: Any, log: ProblemLog
    ) -> Iterable[Mapping[str, Any]]:
        assert isinstance(options, VcardOptions)
        file = display_path(source.path)
        text = read_decoded(source.path, file, log, folded=True).text.lstrip("\ufeff")
        if not _BEGIN.search(text):
            raise UnreadableSource(file, "not a vCard file: no BEGIN:VCARD line", "not_vcard")
        wanted = None
        if options.categories:
            wanted = {c.strip().casefold() for c in options.categories if c.strip()}
        records = list(read_cards(text, log, wanted))
        if records and not any(r["emails"] or r["phones"] for r in records):
            log.add(None, "EMAIL", NO_KEYS, severity="warning", code="no_keys")
        return records

    def field_names(self, options: Any) -> Mapping[str, str]:
        return {"emails": "EMAIL", "phones": "TEL"}
