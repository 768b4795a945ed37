"""Reading the text files Finnish small businesses export.

Encodings: UTF-8 with or without BOM, UTF-16 and UTF-32 with BOM (legacy
Google CSV), UTF-16 without BOM, Windows-1252 (Finnish accounting software),
other legacy charsets as charset-normalizer guesses them, and files that mix
UTF-8 with a legacy charset line by line (:func:`decode_text`). Separators: ``;`` or ``,`` or tab.
Dates: ``1.2.2024``, ``01.02.2024``, ``2024-02-01``, Excel serial numbers, or
a format the source config names. Numbers: decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import charset_normalizer
import pandas as pd

from connectors.errors import RowError, UnreadableSource

if TYPE_CHECKING:
    from connectors.base import ProblemLog

#: The warning of a contact or calendar file that gives only keyless traces
#: (no record has an e-mail or phone): never "0 problems".
#: The English text of the ``no_keys`` problem (connectors.messages has both languages).
NO_KEYS = "no record in the file has an e-mail address or a phone number"

#: Files larger than this are refused as a whole rather than read half-way.
MAX_FILE_BYTES = 512 * 1024 * 1024


# ------------------------------------------------------------------ encodings

#: Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
#: The legacy charsets Finnish exports are in, best first.
FINNISH_LEGACY = ("cp1252", "iso8859_15", "latin_1")
#: Characters a Finnish or Swedish text in Windows-1252 plausibly holds beyond ASCII.
_FINNISH_CHARS = frozenset(
    "äöåÄÖÅšžŠŽéÉèÈüÜáÁàÀóÓíÍúÚñÑçÇæÆøØß€«»–—‘’‚“”„•…©®°½¼¾§£´¨¹²³±×÷¤¥¢µ¶·ªº¿¡\u00a0"
)
_FOLDED_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)(?:[ \t][^\r\n]*(?:\r\n|\r|\n|$))*")
_FOLD_BREAK = re.compile(rb"(?:\r\n|\r|\n)[ \t]")
#: The same two on text: a line with at least one fold, and a fold.
_FOLDED_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)(?:[ \t][^\r\n]*(?:\r\n|\r|\n|$))+")
_TEXT_FOLD_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t]")
#: The bytes of plausible Finnish Windows-1252 text: ASCII and the _FINNISH_CHARS.
_FINNISH_BYTES = bytes(range(128)) + bytes(
    b for b in range(128, 256) if bytes([b]).decode("cp1252", "ignore") in _FINNISH_CHARS
)


@dataclass(frozen=True)
class DecodedText:
    """A file's text and how it was decoded.

    ``encoding`` is the file's encoding (for a file that mixes two, the one
    most of its lines are in); ``guessed`` is True when no byte-order mark or
    valid UTF-8 said so; ``mixed_lines`` are the lines (1-based) decoded in
    another encoding than the rest, each reported.
    """

    text: str
    encoding: str
    guessed: bool = False
    mixed_lines: tuple[int, ...] = ()


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes look like mostly-ASCII UTF-16, else None.

    Mostly-ASCII text in UTF-16 has a NUL as every other byte: the odd ones
    (little-endian) or the even ones (big-endian), and few NULs elsewhere.
    """
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    for encoding, nul, other in (
        ("utf-16-le", odd_nul, even_nul),
        ("utf-16-be", even_nul, odd_nul),
    ):
        if nul >= 0.6 * pairs and other <= 0.05 * pairs:
            try:
                data[: len(data) - len(data) % 2].decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


def _finnish_legacy(data: bytes) -> str | None:
    """The text when the bytes read as plausible Finnish Windows-1252, else None."""
    if data.translate(None, _FINNISH_BYTES):  # a byte of another character (or none)
        return None
    return data.decode("cp1252")


def _legacy(data: bytes) -> tuple[str, str, bool]:
    """Text, encoding, and whether the encoding is only a guess, of non-UTF-8 bytes."""
    text = _finnish_legacy(data)
    if text is not None:
        return text, "cp1252", False
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        return str(best), best.encoding, True
    try:
        return data.decode("cp1252"), "cp1252", True
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", True  # latin-1 maps every byte


def legacy_charset(data: bytes) -> tuple[str, bool]:
    """The legacy charset of bytes that are not UTF-8, and whether it is only a guess.

    Plausible Finnish Windows-1252 is not a guess; anything else is
    charset-normalizer's best guess (Windows-1252 when it has none).
    """
    _, encoding, guessed = _legacy(data)
    return encoding, guessed


def _bom(data: bytes) -> tuple[int, str, str] | None:
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            return len(mark), codec, name
    return None


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Text and the encoding it was in. Raises UnreadableSource for binary data.

    Byte-order marks first (UTF-8, UTF-16, UTF-32), then UTF-16 without one,
    then strict UTF-8, then a legacy charset (Windows-1252 for Finnish text,
    else charset-normalizer's guess). Quiet: :func:`decode_text` also names
    guesses and mixed encodings in a problem log.
    """
    found = _bom(data)
    if found is not None:
        size, codec, name = found
        try:
            text = data[size:].decode(codec)
        except UnicodeDecodeError:
            shown = codec.upper()
            raise UnreadableSource(
                file, f"broken {shown} text", "broken_bom_text", codec=shown
            ) from None
        return text, name
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data[: len(data) - len(data) % 2].decode(utf16), utf16
    if b"\x00" in data[:4096]:
        raise UnreadableSource(file, "not a text file (binary content)", "binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    units = _units(data, folded=False)
    utf8, legacy = _classify(units, folded=False)
    text, encoding, _ = _legacy(b"\n".join(units[i][1] for i in legacy) if utf8 else data)
    if utf8:  # mixed: each line in its own encoding
        text = _decode_units(units, set(legacy), encoding, folded=False)
    return text, encoding


def decode_text(data: bytes, file: str, log: ProblemLog, *, folded: bool = False) -> DecodedText:
    """The text of a file, its encoding found as :func:`decode` does, and named problems.

    - a legacy charset that had to be guessed (not plausible Finnish
      Windows-1252) is a warning naming the charset;
    - a file that mixes UTF-8 and a legacy charset is decoded line by line,
      each line in the encoding it is in, and every line in the minority
      encoding is a warning (file, line): never "Ã¤" for "ä".

    ``folded``: the format folds long lines (a line starting with a space or
    tab continues the one before, as in iCalendar and vCard 3.0). A fold may
    split a UTF-8 character, so a logical line is decoded as a whole; its
    text is then the unfolded line followed by blank lines in place of the
    folds, so that line numbers stay right.
    """
    text, encoding = decode(data, file)
    if encoding.startswith(("utf-16", "utf-32")) or (encoding.startswith("utf-8") and not folded):
        return DecodedText(text, encoding)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if encoding.startswith("utf-8"):
        # UTF-8 as a whole: every logical line is, so the folds are joined on the text
        # (a fold break is ASCII and splits no character).
        return DecodedText(_unfold_text(body.decode("utf-8")), "utf-8")
    units = _units(body, folded)
    utf8, legacy = _classify(units, folded)
    if not legacy:  # UTF-8 (once unfolded: a fold may split a character)
        return DecodedText(_decode_units(units, set(), "utf-8", folded), "utf-8")
    _, legacy_encoding, guessed = _legacy(b"\n".join(units[i][1] for i in legacy))
    text = _decode_units(units, set(legacy), legacy_encoding, folded)
    if guessed:
        log.add(
            None,
            None,
            "",
            severity="warning",
            code="encoding_guessed",
            encoding=legacy_encoding,
        )
    if not utf8:
        return DecodedText(text, legacy_encoding, guessed)
    minority, other, main = (
        (legacy, legacy_encoding, "utf-8")
        if len(legacy) <= len(utf8)
        else (utf8, "utf-8", legacy_encoding)
    )
    lines = tuple(units[i][0] for i in minority)
    for line in lines:
        log.add(
            line,
            None,
            "",
            severity="warning",
            code="encoding_mixed",
            other=other,
            main=main,
        )
    return DecodedText(text, main, guessed, lines)


def _classify(units: list[tuple[int, bytes]], folded: bool) -> tuple[list[int], list[int]]:
    """Indexes of the units that are non-ASCII UTF-8, and of those that are not UTF-8."""
    utf8: list[int] = []
    legacy: list[int] = []
    for index, (_, unit) in enumerate(units):
        if unit.isascii():
            continue
        try:
            (_FOLD_BREAK.sub(b"", unit) if folded else unit).decode("utf-8")
            utf8.append(index)
        except UnicodeDecodeError:
            legacy.append(index)
    return utf8, legacy


def _decode_units(
    units: list[tuple[int, bytes]], legacy: set[int], legacy_encoding: str, folded: bool
) -> str:
    return "".join(
        _decode_unit(unit, legacy_encoding if index in legacy else "utf-8", folded)
        for index, (_, unit) in enumerate(units)
    )


def _units(data: bytes, folded: bool) -> list[tuple[int, bytes]]:
    """The lines (logical lines when ``folded``) of the bytes, each with its first line number."""
    units: list[tuple[int, bytes]] = []
    number = 1
    if folded:
        for match in _FOLDED_LINE.finditer(data):
            unit = match.group()
            if not unit:
                continue
            units.append((number, unit))
            number += len(unit.splitlines())
        return units
    for number, unit in enumerate(data.splitlines(keepends=True), start=1):
        units.append((number, unit))
    return units


def _unfold_text(text: str) -> str:
    """What :func:`_decode_units` makes of folded UTF-8, on its text."""
    if not _TEXT_FOLD_BREAK.search(text):
        return text
    return _FOLDED_TEXT_LINE.sub(_unfold_line, text)


def _unfold_line(match: re.Match[str]) -> str:
    """One logical line unfolded, its folds kept as blank lines (as :func:`_decode_unit`)."""
    unit = match.group()
    body = unit.rstrip("\r\n")
    folds = len(_TEXT_FOLD_BREAK.findall(body))
    return _TEXT_FOLD_BREAK.sub("", body) + unit[len(body) :] + "\n" * folds


def _decode_unit(unit: bytes, codec: str, folded: bool) -> str:
    """A line's text; a folded logical line unfolded, its folds kept as blank lines."""
    if not folded or not _FOLD_BREAK.search(unit):
        return unit.decode(codec, errors="replace")
    body = unit.rstrip(b"\r\n")
    ending = unit[len(body) :].decode("ascii")
    folds = len(_FOLD_BREAK.findall(body))
    return _FOLD_BREAK.sub(b"", body).decode(codec, errors="replace") + ending + "\n" * folds


def read_text(path: Path, file: str | None = None) -> tuple[str, str]:
    """The text of a file and its encoding; UnreadableSource when it has none."""
    name = file or str(path)
    return decode(read_bytes(path, name), name)


def read_decoded(path: Path, file: str, log: ProblemLog, *, folded: bool = False) -> DecodedText:
    """:func:`decode_text` of a file: guessed and mixed encodings named in ``log``."""
    return decode_text(read_bytes(path, file), file, log, folded=folded)


def read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a text file; UnreadableSource when missing, too large or empty."""
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableSource(name, "file not found or not readable", "file_not_found") from None
    if size > MAX_FILE_BYTES:
        mib = MAX_FILE_BYTES // 2**20
        raise UnreadableSource(name, f"file is larger than {mib} MiB", "file_larger_than", mib=mib)
    try:
        data = path.read_bytes()
    except OSError:
        raise UnreadableSource(name, "file not readable", "file_not_readable") from None
    if not data.strip():
        raise UnreadableSource(name, "file is empty", "file_empty")
    return data


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: the most common of ``;`` ``,`` tab in its header line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(text: str, file: str, delimiter: str | None = None) -> pd.DataFrame:
    """All cells as stripped text ('' for blank), columns as in the header.

    Adds ``_row``: the row number a spreadsheet program shows (header = 1).
    Blank lines are dropped. Raises UnreadableSource without a header.
    """
    sep = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        rows = list(reader)
    except csv.Error:
        raise UnreadableSource(file, "not a valid CSV file", "not_csv") from None
    header_index = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise UnreadableSource(file, "file has no header row", "no_header_row")
    header = [h.strip().lstrip("\ufeff") for h in rows[header_index]]
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row[:width]]
        cells += [""] * (width - len(cells))
        body.append(cells)
        numbers.append(number)
    columns = unique_columns(header)
    frame = pd.DataFrame(body, columns=columns, dtype="string")
    frame["_row"] = numbers
    return frame


def unique_columns(header: list[str], positions: list[int] | None = None) -> list[str]:
    """Column names made unique: a blank is 'column N', a repeat 'Name (2)'.

    ``positions`` are the columns' 0-based places in the file (default: in order).
    """
    places = positions if positions is not None else list(range(len(header)))
    seen: dict[str, int] = {}
    out = []
    for name, position in zip(header, places, strict=True):
        name = name or f"column {position + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def find_column(columns: list[str], *candidates: str) -> str | None:
    """The first column whose name matches a candidate, ignoring case and spacing."""

    def key(text: str) -> str:
        return re.sub(r"[\s_\-]+", " ", text).strip().casefold()

    index = {key(c): c for c in columns}
    for candidate in candidates:
        if key(candidate) in index:
            return index[key(candidate)]
    return None


_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object, date_format: str | None = None) -> date | None:
    """A date from a cell; None for a blank; RowError-free ValueError when unreadable.

    Understands ``1.2.2024``, ``01.02.2024``, ``1.2.24``, ``2024-02-01`` (with or
    without a time), Excel serial numbers (``45323``), ``datetime``/``date``
    objects, and ``date_format`` (strftime codes, e.g. ``%m/%d/%Y``) when given.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if pd.isna(value):
            return None
        return _excel_date(float(value))
    text = str(value).strip()
    if not text:
        return None
    if date_format:
        return datetime.strptime(text, date_format).date()
    match = _FI_DATE.match(text.split(" ")[0])
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return date(year, month, day)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_date(float(text))
    raise ValueError("not a date")


def _excel_date(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueError("not a date")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def not_a_date(date_format: str | None, slashes: bool = True) -> tuple[str, dict[str, Any]]:
    """The problem code and parameters of a value that is not a date.

    With a ``date_format`` option the owner's own format is quoted; without
    one, the forms read are said in the owner's language (``pp.kk.vvvv``).
    """
    if date_format:
        return "not_a_date_expected", {"expected": date_format}
    return ("not_a_date_usual" if slashes else "not_a_date_usual_no_slash"), {}


def row_date(value: object, field: str, date_format: str | None = None) -> date | None:
    """parse_date for a connector's row loop: raises RowError naming the field."""
    try:
        return parse_date(value, date_format)
    except (ValueError, OverflowError):
        expected = date_format or "d.m.yyyy or yyyy-mm-dd"
        code, params = not_a_date(date_format, slashes=False)
        raise RowError(field, f"not a date (expected {expected})", code, **params) from None


def parse_decimal(value: object) -> float | None:
    """A number from ``1 234,50`` / ``1234.50`` / ``1,020.00``; None for a blank."""
    if value is None or value is pd.NA:
        return None
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return float(text)
