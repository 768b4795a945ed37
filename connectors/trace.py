"""The trace contract: what every connector emits.

A *trace* is one record about one person in one source. Connectors emit
traces as a pandas DataFrame with exactly the columns of :data:`COLUMNS`, in
that order and with those dtypes; :func:`validate` checks a frame against the
declared schema (pandera) and every connector's output passes through it in
:func:`connectors.base.finalize`.

Multi-valued identifiers (a contact with two e-mail addresses) are joined
with ``;`` in one cell: ``email`` holds the normalised forms, ``email_raw``
the forms as found. ``found_categories`` is a sorted, comma-joined list of
category codes from :data:`CATEGORIES`. ``locator`` is a JSON object that
tells a connector where the record is (file and row, event UID, invoice
number ...). ``fingerprint`` is a hash of the record's raw content: apply
compares it to make sure the record is still the one that was proposed.

The normalisers here are the single place that decides what a valid e-mail,
phone number, henkilötunnus or name looks like.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import phonenumbers
from stdnum.fi import hetu as stdnum_hetu
from stdnum.fi import ytunnus as stdnum_ytunnus

if TYPE_CHECKING:
    import pandera.pandas as pa

DATE_DTYPE = "datetime64[us]"

#: Column name -> (pandas dtype, nullable, meaning).
COLUMNS: dict[str, tuple[str, bool, str]] = {
    "trace_id": ("string", False, "stable id: source id + the record's own id in that source"),
    "source": ("string", False, "the configured source's id"),
    "register": ("string", False, "the register the source belongs to"),
    "kind": ("string", False, "contact, appointment, order, invoice, engagement, summary, ..."),
    "label": ("string", True, "a short description of the record for the owner"),
    "name": ("string", True, "the person's name as found (whitespace cleaned)"),
    "name_key": ("string", True, "the name folded for matching (no case, accents, order)"),
    "email": ("string", True, "normalised e-mail addresses, ';'-joined"),
    "email_raw": ("string", True, "e-mail addresses as found, ';'-joined"),
    "phone": ("string", True, "phone numbers in E.164, ';'-joined"),
    "phone_raw": ("string", True, "phone numbers as found, ';'-joined"),
    "hetu": ("string", True, "a valid henkilötunnus, compact upper-case form"),
    "customer_no": ("string", True, "the customer number in the source's own system"),
    "event_date": (DATE_DTYPE, True, "the date the record is about (local date)"),
    "end_date": (DATE_DTYPE, True, "the end of an engagement or series, where it has one"),
    "status": ("string", True, "open / paid / collection; active / ended; opted_out"),
    "found_categories": ("string", False, "category codes actually present, comma-joined"),
    "locator": ("string", False, "JSON: where the record is, for a later delete/redact"),
    "fingerprint": ("string", False, "hash of the record's raw content"),
}

STATUSES = frozenset(
    {"open", "paid", "collection", "credited", "active", "ended", "cancelled", "opted_out"}
)

#: Personal-data category codes a connector may report in found_categories.
CATEGORIES: dict[str, str] = {
    "hetu": "henkilötunnus",
    "business_id": "Y-tunnus",
    "address": "postiosoite",
    "birth_date": "syntymäaika",
    "health_note": "terveystieto",
    "note": "vapaa teksti / muistiinpano",
    "organisation": "edustettu yhteisö",
    "photo": "valokuva",
    "next_of_kin": "lähiomainen",
    "bank_account": "tilinumero",
}

_EMAIL_RE = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"'.]{2,}$")
_E164_LIST = r"^\+[1-9]\d{5,14}(;\+[1-9]\d{5,14})*$"
_EMAIL_LIST = r"^[^@\s;]+@[^@\s;]+(;[^@\s;]+@[^@\s;]+)*$"
#: A henkilötunnus candidate in free text; validated by python-stdnum after.
HETU_CANDIDATE_RE = re.compile(
    r"(?<![0-9A-Za-z])[0-3]\d[01]\d\d\d[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![0-9A-Za-z])"
)
#: HETU_CANDIDATE_RE with its first character ahead of the look-behind: the same
#: matches, but the regex engine skips to the next 0-3 digit in C.
_HETU_SCAN_RE = re.compile(
    r"[0-3](?<![0-9A-Za-z][0-3])\d[01]\d\d\d[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![0-9A-Za-z])"
)
#: Words that mark a free-text note as holding health data (special category).
HEALTH_WORDS_RE = re.compile(
    r"\b(terveys\w*|diagnoos\w*|lääki\w*|lääkäri\w*|masennu\w*|ahdistu\w*|sairau\w*|"
    r"sairas\w*|kipu\w*|kivu\w*|leikkau\w*|raskau\w*|allergi\w*|migreen\w*|terapi\w*|"
    r"mielenterv\w*|burnout|uupum\w*|health|diagnos\w*|medication|depress\w*|anxiety|"
    r"injur\w*|surgery|pregnan\w*)",
)


# ---------------------------------------------------------------- normalisers


def normalise_email(value: str | None) -> str | None:
    """Trim, drop a ``mailto:`` prefix and angle brackets, lower-case.

    Returns None when what remains is not an e-mail address.
    """
    if value is None:
        return None
    text = str(value).strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    return text if _EMAIL_RE.match(text) else None


def normalise_email_fast(value: str) -> str | None:
    """:func:`normalise_email` of a stripped text: the common case in fewer steps."""
    if value[0] in "<>" or value[-1] in "<>":
        return normalise_email(value)
    low = value.lower()
    if low.startswith("mailto:"):
        return normalise_email(value)
    if not _EMAIL_RE.match(low):
        return None
    return value if low == value else low  # one object for both columns when equal


#: A number libphonenumber calls possible but not valid (a new range, a landline its
#: metadata does not list yet) is still a key when it has at least this many digits.
MIN_POSSIBLE_DIGITS = 6


#: A Finnish mobile number in its everyday shapes (040 123 4567, +358 40 1234567,
#: 00358-40-1234567): 9 national digits in the 40-48 and 50 ranges, which
#: libphonenumber's metadata calls valid. Read without the library (it costs
#: about 200 µs a number); a property test holds both paths to the same answer.
_FI_MOBILE = re.compile(r"(?:\+358|00358|0)((?:4[0-8]|50)\d{7})")
_PHONE_SEPARATORS = str.maketrans("", "", " -()./\u00a0")


@lru_cache(maxsize=65536)
def normalise_phone(value: str | None, region: str = "FI") -> str | None:
    """A phone number in E.164 (``+358401234567``), Finland as default region.

    A number is a key when libphonenumber says it is valid, or when it is
    *possible* for its region (right length) and has at least
    :data:`MIN_POSSIBLE_DIGITS` digits: Finnish landlines and new ranges that
    the metadata does not know yet (``075 1234567``) still identify a person.
    Returns None only for an impossible number (too short, too long, no digits).
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if not any(ch.isdigit() for ch in text):
        return None
    if region == "FI":
        mobile = _FI_MOBILE.fullmatch(text.translate(_PHONE_SEPARATORS))
        if mobile:
            return "+358" + mobile.group(1)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        national = phonenumbers.national_significant_number(number)
        if not phonenumbers.is_possible_number(number) or len(national) < MIN_POSSIBLE_DIGITS:
            return None
        if number.italian_leading_zero:
            return None  # "040 12": a Finnish trunk zero read as part of the number
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone_fast(value: str) -> str | None:
    """:func:`normalise_phone` (region FI) of a stripped text, the mobile shapes first.

    A Finnish mobile number needs neither libphonenumber nor the cache: a
    file of half a million distinct numbers would only churn the cache.
    """
    mobile = _FI_MOBILE.fullmatch(value.translate(_PHONE_SEPARATORS))
    if mobile:
        return "+358" + mobile.group(1)
    return normalise_phone(value)


def normalise_hetu(value: str | None) -> str | None:
    """A henkilötunnus in compact upper-case form, or None when not valid.

    Accepts the century signs of 2023 (``-YXWVU`` for the 1900s,
    ``ABCDEF`` for the 2000s) and temporary numbers (900-999): both identify
    a person.
    """
    if value is None:
        return None
    text = str(value).strip().upper()
    if not text:
        return None
    try:
        return str(stdnum_hetu.validate(text, allow_temporary=True))
    except Exception:  # noqa: BLE001 - stdnum raises its own ValidationError subtypes
        return None


def is_business_id(value: str | None) -> bool:
    """True for a valid Y-tunnus (business id), such as ``1635892-0``."""
    return bool(value) and bool(stdnum_ytunnus.is_valid(str(value).strip()))


def find_hetus(text: str | None) -> list[str]:
    """Every valid henkilötunnus in a free text, normalised, in order, unique."""
    if not text:
        return []
    found: list[str] = []
    for match in HETU_CANDIDATE_RE.findall(text):
        hetu = normalise_hetu(match)
        if hetu and hetu not in found:
            found.append(hetu)
    return found


def has_health_words(text: str | None) -> bool:
    """True when a free text speaks of health (a special category, GDPR art. 9)."""
    # Lower-case once and match a lower-case pattern: much faster than IGNORECASE.
    return bool(text) and HEALTH_WORDS_RE.search((text or "").lower()) is not None


def clean_name(value: str | None) -> str | None:
    """Whitespace collapsed; ALL-CAPS or all-lower names put in title case."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if not text:
        return None
    if text.isupper() or text.islower():
        text = "-".join(part.title() for part in text.split("-"))
    return text


def fold_name(value: str | None) -> str | None:
    """A name folded for matching: no case, no accents, no punctuation, words sorted.

    ``"Järvinen, Matti"`` and ``"matti  JARVINEN"`` fold to ``"jarvinen matti"``.
    A folded name never joins two traces by itself (see policies.identity);
    it only points a person at a possible match.
    """
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.findall(r"[^\W\d_]+", stripped)
    return " ".join(sorted(words)) or None


def objects(values: Iterable[Any]) -> np.ndarray:
    """A 1-d object array of the values (a list or tuple value stays one element).

    ``np.fromiter``: half the time of filling an empty array from a list.
    """
    items = values if isinstance(values, list | tuple | np.ndarray) else list(values)
    return np.fromiter(items, dtype=object, count=len(items))


def map_unique(series: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """Apply ``func`` once per distinct value of a string Series (fast on big files)."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = None
    return pd.Series(results[codes], index=series.index, dtype="string")


def _text_or_blank(value: Any) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value)


#: Texts searched at a time: one NUL-joined string of each block, so that a big
#: file is not copied whole once more.
SCAN_BLOCK = 32768


def _match_rows(texts: Sequence[str | None], pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(index of the text, matched text) for every match of ``pattern`` in ``texts``.

    The texts are searched as NUL-separated strings of :data:`SCAN_BLOCK`
    texts: one pass of the regex engine instead of a Python call per text.
    """
    found: list[tuple[int, str]] = []
    for first in range(0, len(texts), SCAN_BLOCK):
        block = texts[first : first + SCAN_BLOCK]
        clean = [t if type(t) is str else _text_or_blank(t) for t in block]
        matches = [(m.start(), m.group(0)) for m in pattern.finditer("\x00".join(clean))]
        if not matches:
            continue
        starts = np.cumsum([0] + [len(t) + 1 for t in clean[:-1]])
        index = np.searchsorted(starts, [pos for pos, _ in matches], side="right") - 1
        found.extend((first + int(i), text) for i, (_, text) in zip(index, matches, strict=True))
    return found


def has_hetus_each(texts: Sequence[str | None]) -> np.ndarray:
    """For each text: does it hold a valid henkilötunnus (``find_hetus`` is not empty)?"""
    flags = np.zeros(len(texts), dtype=bool)
    valid: dict[str, bool] = {}
    for i, candidate in _match_rows(texts, _HETU_SCAN_RE):
        if candidate not in valid:
            valid[candidate] = normalise_hetu(candidate) is not None
        if valid[candidate]:
            flags[i] = True
    return flags


def find_hetus_each(texts: list[str]) -> list[str | None]:
    """For each text: its valid henkilötunnus values ';'-joined (as find_hetus), or None."""
    found: list[list[str]] = [[] for _ in texts]
    valid: dict[str, str | None] = {}
    for i, candidate in _match_rows(texts, HETU_CANDIDATE_RE):
        if candidate not in valid:
            valid[candidate] = normalise_hetu(candidate)
        hetu = valid[candidate]
        if hetu and hetu not in found[i]:
            found[i].append(hetu)
    return [";".join(f) if f else None for f in found]


#: The stems HEALTH_WORDS_RE looks for at the start of a word (its ``\w*`` tails do
#: not change whether a text has a match).
_HEALTH_STEMS = tuple(
    re.sub(r"\\w\*$", "", stem) for stem in HEALTH_WORDS_RE.pattern[3:-1].split("|")
)


def _is_word_char(char: str) -> bool:
    r"""The re module's ``\w`` for one character of a str pattern (Unicode)."""
    return char.isalnum() or char == "_"


def has_health_words_each(texts: Sequence[str | None]) -> np.ndarray:
    r"""For each text: has_health_words, as a bool array.

    Each stem is found with ``str.find`` in all texts at once (NUL-joined,
    lower-cased), and a hit counts where a word starts (``\b``): the same
    answer as the regex, several times faster on a big file.
    """
    flags = np.zeros(len(texts), dtype=bool)
    for first in range(0, len(texts), SCAN_BLOCK):
        block = texts[first : first + SCAN_BLOCK]
        lowered = [(t if type(t) is str else _text_or_blank(t)).lower() for t in block]
        joined = "\x00".join(lowered)
        hits: list[int] = []
        for stem in _HEALTH_STEMS:
            at = joined.find(stem)
            while at >= 0:
                if at == 0 or not _is_word_char(joined[at - 1]):
                    hits.append(at)
                at = joined.find(stem, at + 1)
        if hits:
            starts = np.cumsum([0] + [len(t) + 1 for t in lowered[:-1]])
            flags[first + np.searchsorted(starts, hits, side="right") - 1] = True
    return flags


def split_multi(value: str | None) -> list[str]:
    """The parts of a ';'-joined multi-value cell, blanks dropped."""
    if value is None or value is pd.NA:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def join_multi(values: Iterable[str | None]) -> str | None:
    """Join values with ';', dropping blanks and repeats; None when nothing is left."""
    out: list[str] = []
    for value in values:
        if value is None:
            continue
        text = str(value).strip()
        if text and text not in out:
            out.append(text)
    return ";".join(out) if out else None


# --------------------------------------------------------------------- schema


def _valid_hetus(series: pd.Series) -> pd.Series:
    """Each value is a normalised henkilötunnus (checked once per distinct value)."""
    valid = {value: normalise_hetu(value) == value for value in series.dropna().unique()}
    return series.map(valid, na_action="ignore").fillna(True).astype(bool)


@cache
def _schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa  # imported when a frame fails the fast checks

    columns = {
        name: pa.Column(dtype, nullable=nullable) for name, (dtype, nullable, _) in COLUMNS.items()
    }
    columns["trace_id"] = pa.Column("string", nullable=False, unique=True)
    columns["email"] = pa.Column("string", nullable=True, checks=pa.Check.str_matches(_EMAIL_LIST))
    columns["phone"] = pa.Column("string", nullable=True, checks=pa.Check.str_matches(_E164_LIST))
    columns["hetu"] = pa.Column(
        "string",
        nullable=True,
        checks=pa.Check(_valid_hetus, element_wise=False),
    )
    columns["status"] = pa.Column("string", nullable=True, checks=pa.Check.isin(sorted(STATUSES)))
    columns["locator"] = pa.Column("string", nullable=False, checks=pa.Check.str_startswith("{"))
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def __getattr__(name: str) -> Any:
    if name == "TRACE_SCHEMA":  # the pandera schema, built on first use
        return _schema()
    raise AttributeError(name)


def empty_traces() -> pd.DataFrame:
    """A frame with the trace columns and dtypes and no rows."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _, _) in COLUMNS.items()})


_STRING = pd.StringDtype()
_LIST_CHECKS = {"email": re.compile(_EMAIL_LIST), "phone": re.compile(_E164_LIST)}


def _distinct(column: pd.Series) -> np.ndarray:
    """The distinct non-NA values of a string column as an object array."""
    return pd.unique(column.dropna().to_numpy(dtype=object))


def _passes(traces: pd.DataFrame) -> bool:
    """The schema's checks, column by column in numpy (each value check once per distinct).

    True only when the pandera schema would pass the frame too; on False,
    :func:`validate` lets pandera say what is wrong.
    """
    if list(traces.columns) != list(COLUMNS):
        return False
    for name, (dtype, nullable, _) in COLUMNS.items():
        column = traces[name]
        expected = _STRING if dtype == "string" else np.dtype(dtype)
        if column.dtype != expected:
            return False
        if not nullable and column.isna().any():
            return False
    if traces["trace_id"].duplicated().any():
        return False
    for name, pattern in _LIST_CHECKS.items():
        match = pattern.match
        if not all(map(match, _distinct(traces[name]))):
            return False
    if not all(normalise_hetu(v) == v for v in _distinct(traces["hetu"])):
        return False
    if not traces["status"].dropna().isin(sorted(STATUSES)).all():
        return False
    return all(v.startswith("{") for v in traces["locator"].to_numpy(dtype=object))


def validate(traces: pd.DataFrame) -> pd.DataFrame:
    """Check a frame against the trace contract; raise pandera's SchemaErrors if not.

    All failures are collected (lazy validation) so one run shows them all.
    A frame that passes the same checks done in numpy is returned as it is:
    pandera's own run costs seconds on a big file.
    """
    if _passes(traces):
        return traces
    return _schema().validate(traces, lazy=True)
