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
from typing import Any, ClassVar

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


@dataclass
class Property:
    """One (unfolded) property line of a card."""

    line: int
    group: str | None
    name: str
    params: dict[str, list[str]]
    raw: str
    #: The charset a quoted-printable value without CHARSET was found to be in.
    charset_found: str | None = None

    def param(self, key: str) -> str | None:
        values = self.params.get(key)
        return values[0] if values else None

    @property
    def encoding(self) -> str:
        return (self.param("ENCODING") or "").upper()

    @property
    def binary(self) -> bool:
        value_type = (self.param("VALUE") or "").lower()
        return (
            self.name in _BINARY
            or self.encoding in ("B", "BASE64")
            or value_type == "binary"
            or self.raw.lstrip().lower().startswith("data:")
        )

    def text(self) -> str:
        """The value decoded (quoted-printable, charset) and unescaped."""
        return unescape(self.decoded())

    def parts(self, separator: str = ";") -> list[str]:
        """A structured value (N, ADR, ORG) split on unescaped separators."""
        return [unescape(part) for part in split_unescaped(self.decoded(), separator)]

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
    """Cut a file into cards; also the first line of text found outside any card."""
    cards: list[Card] = []
    current: Card | None = None
    outside: int | None = None
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if _BEGIN.match(line):
            if current is not None:
                cards.append(current)
            current = Card(index=len(cards), begin=number)
        elif _END.match(line):
            if current is not None:
                current.complete = True
                cards.append(current)
                current = None
        elif current is not None:
            current.lines.append((number, line))
        elif line.strip() and outside is None:
            outside = number
    if current is not None:
        cards.append(current)
    return cards, outside


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
    for prop in properties:
        data = prop.qp_bytes()
        if data is None or prop.param("CHARSET") or data.isascii():
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            unnamed.append((prop, data))
    if not unnamed:
        return []
    charset, guessed = legacy_charset(b"\n".join(data for _, data in unnamed))
    for prop, _ in unnamed:
        prop.charset_found = charset
    if not guessed:
        return []
    return [
        (prop.line, prop.name, "qp_charset_guessed", {"charset": charset}) for prop, _ in unnamed
    ]


def _name_of(line: str) -> str | None:
    match = _PROPERTY_NAME.match(line)
    return match.group(1).upper() if match else None


def _is_base64_head(head: str) -> bool:
    return bool(re.search(r"ENCODING=(B|BASE64)\b|;BASE64\b", head))


def parse_property(number: int, line: str) -> Property | None:
    """``[group.]NAME[;param=value...]:value``; None when the line has no value part."""
    colon = _value_colon(line)
    if colon is None:
        return None
    head, raw = line[:colon], line[colon + 1 :]
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
    return Property(number, group or None, name.upper(), params, raw)


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
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), value).strip()


# ------------------------------------------------------------------ records


def card_record(card: Card, properties: list[Property]) -> dict[str, Any] | None:
    """The raw record of one card; None for a group card (a list, not a person)."""
    by_name: dict[str, list[Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)

    def texts_of(name: str) -> list[str]:
        return [p.text() for p in by_name.get(name, []) if not p.binary and p.text()]

    kind = " ".join(texts_of("KIND") + texts_of("X-ADDRESSBOOKSERVER-KIND")).lower()
    if "group" in kind:
        return None
    labels = {p.group: p.text().lower() for p in by_name.get("X-ABLABEL", []) if p.group}

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
    phones = [_phone(p) for p in by_name.get("TEL", []) if not p.binary and p.text()]

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
        value = value if value is not None else prop.text()
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


def _phone(prop: Property) -> str:
    """A TEL value as a plain number: ``tel:+1-418-656-9254;ext=102`` -> ``+1-418-656-9254``."""
    value = prop.text()
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
    for card in cards:
        if outside is not None and outside < card.begin:
            log.add(outside, None, OUTSIDE, code="vcard_outside")
            outside = None
        problems: list[CardProblem] = []
        if not card.complete:
            problems.append((card.begin, None, "vcard_cut_off", {}))
        try:
            properties = []
            for number, line in unfold(card, problems):
                prop = parse_property(number, line)
                if prop is None:
                    problems.append((number, _name_of(line), "vcard_no_value", {}))
                else:
                    properties.append(prop)
            guesses = _find_qp_charsets(properties)
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
