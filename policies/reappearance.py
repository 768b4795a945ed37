"""Reappearance: a person whose data was erased turns up again in a source.

After apply erased a record, the ledger keeps one keyed hash per strong
identifier (e-mail, phone, henkilötunnus) of that person, the date and the
source, and the traces that still carried those identifiers at that moment
(bookkeeping kept by law, contacts on the owner's checklist). A trace of a
later review that carries one of the hashes and is not one of those known
traces is a reappearance: the person came back through a sync, an import or
a restored backup, or the erasure did not hold. That is a finding, high
severity, with no personal value in its text.

Pure: the caller passes the traces, the keyed hash function and the map of
erased hashes (read from the ledger by flows.ledger); no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from connectors import trace as tr
from policies.findings import Finding
from policies.periods import en_date, fi_date

CODE = "reappeared"


@dataclass(frozen=True)
class Erased:
    """What is known of one erased identifier (by its keyed hash)."""

    erased_on: date
    source: str
    known_trace_ids: frozenset[str]


def strong_identifiers(email: object, phone: object, hetu: object) -> list[tuple[str, str]]:
    """(kind, normalised value) of every e-mail, phone and henkilötunnus of a trace."""
    out: list[tuple[str, str]] = []
    for kind, value in (("email", email), ("phone", phone), ("hetu", hetu)):
        if isinstance(value, str) and value:
            out.extend((kind, part) for part in tr.split_multi(value))
    return out


def reappeared_findings(
    traces: pd.DataFrame,
    id_hash: Callable[[str, str], str],
    erased: Mapping[str, Erased],
    source_names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """One finding per (register, source, erasure date) with reappeared traces."""
    if not erased or traces.empty:
        return []
    names = source_names or {}
    groups: dict[tuple[str, str, date], list[str]] = {}
    for trace_id, register, source, email, phone, hetu in zip(
        traces["trace_id"],
        traces["register"],
        traces["source"],
        traces["email"],
        traces["phone"],
        traces["hetu"],
        strict=True,
    ):
        hits = [
            erased[h]
            for h in (
                id_hash(kind, value) for kind, value in strong_identifiers(email, phone, hetu)
            )
            if h in erased
        ]
        hits = [e for e in hits if str(trace_id) not in e.known_trace_ids]
        if not hits:
            continue
        first = min(e.erased_on for e in hits)
        groups.setdefault((str(register), str(source), first), []).append(str(trace_id))
    out = []
    for (register, source, erased_on), ids in sorted(groups.items()):
        shown = names.get(source, source)
        count = len(ids)
        out.append(
            Finding(
                CODE,
                register,
                "high",
                count,
                f"poistettu {fi_date(erased_on)}, löytyi uudelleen lähteestä {shown}"
                f" ({count} {'merkintä' if count == 1 else 'merkintää'})",
                f"erased on {en_date(erased_on)}, found again in {shown}"
                f" ({count} {'record' if count == 1 else 'records'})",
                tuple(sorted(ids)),
                detail=source,
            )
        )
    return out
