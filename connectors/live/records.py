"""Raw records the live providers share, and the check that a record is still the approved one.

Mail: one trace per (message, counterpart address): the message's date, the
address as the e-mail key (the engine joins it to a customer by key), the
display name as found. The account's own addresses are not counterparts. Only
headers are read, never bodies.

Calendar: one trace per (event or series, attendee); the owner (organiser,
``self``) is not a data subject.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.base import WriteRequest
from connectors.keyed import Hasher

HELSINKI = ZoneInfo("Europe/Helsinki")
NO_TITLE = "(ei otsikkoa)"


def helsinki_date(value: str | None) -> date | None:
    """A provider's date or date-time text as a Helsinki local date (None when unreadable).

    ``2026-03-04`` is an all-day date as written; a time with an offset or ``Z``
    is converted to Helsinki; a time without one is taken as UTC (Graph gives
    UTC unless asked otherwise).
    """
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        # Graph gives seven decimals of a second; Python reads at most six.
        if "." in text:
            head, _, tail = text.partition(".")
            digits = "".join(ch for ch in tail if ch.isdigit())
            zone = tail[len(digits) :]
            text = f"{head}.{digits[:6]}{zone}"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


def millis_date(value: str | int | None) -> date | None:
    """Epoch milliseconds (Gmail's internalDate) as a Helsinki date."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC).astimezone(HELSINKI).date()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def header_date(value: str | None) -> date | None:
    """An RFC 5322 Date header as a Helsinki date."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


def header_addresses(values: Iterable[str | None]) -> list[tuple[str, str]]:
    """(name, address) pairs from From / To / Cc header values."""
    return [
        (name.strip(), address.strip())
        for name, address in getaddresses([v for v in values if v])
        if "@" in address
    ]


def mail_records(
    message_id: str,
    when: date | None,
    people: Sequence[tuple[str, str]],
    own: frozenset[str],
    *,
    subject_words: str = "",
    row: int | None = None,
) -> list[dict[str, Any]]:
    """One raw record per counterpart of one message (own addresses left out).

    ``subject_words`` is not kept: a subject may quote anything. The texts are
    the message id and the counterpart (the fingerprint changes when they do).
    """
    seen: set[str] = set()
    out = []
    for name, address in people:
        folded = address.casefold()
        if folded in own or folded in seen:
            continue
        seen.add(folded)
        out.append(
            {
                "record_id": f"{message_id}/{folded}",
                "row": row,
                "name": name or None,
                "emails": [address],
                "event_date": when,
                "label": "Sähköpostiviesti / e-mail message",
                "locator": {"id": message_id},
                "texts": [message_id, folded],
            }
        )
    return out


def fingerprint_of(record: Mapping[str, Any]) -> str:
    """A raw record's fingerprint, computed as :func:`connectors.base.finalize` does."""
    texts = record.get("texts") or []
    if isinstance(texts, list | tuple):
        text = "\n".join(str(t) for t in texts if t is not None)
    else:
        text = str(texts)
    record_id = str(record["record_id"])
    return hashlib.sha256(f"{text}\x1f{record_id}".encode()).hexdigest()[:32]


def match_requests(
    records: Sequence[Mapping[str, Any]],
    requests: Sequence[WriteRequest],
    source_id: str,
    ids: Hasher,
) -> tuple[dict[str, str | None], list[str]]:
    """Which requests still match one item's records as read now.

    Returns (trace id -> None when the record is unchanged, else why not) for
    every request, and the trace ids of the item's records that no request
    covers (other people in the same event or message: the item may then
    only be changed for the approved people, never deleted as a whole).
    """
    now = {ids.trace_id(source_id, str(r["record_id"])): fingerprint_of(r) for r in records}
    verdict: dict[str, str | None] = {}
    for request in requests:
        fingerprint = now.get(request.trace_id)
        if fingerprint is None:
            verdict[request.trace_id] = "the record is no longer there"
        elif fingerprint != request.fingerprint:
            verdict[request.trace_id] = "the record was changed after the proposal"
        else:
            verdict[request.trace_id] = None
    others = [tid for tid in now if tid not in verdict]
    return verdict, others


__all__ = [
    "NO_TITLE",
    "fingerprint_of",
    "header_addresses",
    "header_date",
    "helsinki_date",
    "mail_records",
    "match_requests",
    "millis_date",
]
