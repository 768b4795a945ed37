"""Contract-valid trace frames from a few keyword arguments, for tests and benchmarks.

``make_traces([{"kind": "order", "email": "a@x.fi", "event_date": "2026-08-14"}, ...])``
fills every other column of the trace contract with a neutral value,
normalises the identifiers the way connectors.base.finalize does, and
validates the frame with connectors.trace.validate — so a test builds the
same frames a connector emits, never a shortcut the engine would not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from connectors import trace as tr


def _date(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return pd.NaT
    if isinstance(value, str):
        return pd.Timestamp(value)
    if isinstance(value, date):
        return pd.Timestamp(value)
    return value


def make_traces(rows: Iterable[Mapping[str, Any]], *, validate: bool = True) -> pd.DataFrame:
    """A trace frame; each row may give any contract column (raw e-mails/phones are normalised).

    Defaults: ``trace_id`` = ``t{n:05d}``, ``source`` = ``src``, ``register`` = ``reg``,
    ``kind`` = ``contact``. ``email``/``phone`` may be lists or ';'-joined text in any
    format; ``hetu`` is validated.
    """
    records = []
    for n, row in enumerate(rows):
        emails = row.get("email")
        phones = row.get("phone")
        if isinstance(emails, str):
            emails = tr.split_multi(emails)
        if isinstance(phones, str):
            phones = tr.split_multi(phones)
        name = tr.clean_name(row.get("name"))
        record = {
            "trace_id": row.get("trace_id", f"t{n:05d}"),
            "source": row.get("source", "src"),
            "register": row.get("register", "reg"),
            "kind": row.get("kind", "contact"),
            "label": row.get("label"),
            "name": name,
            "name_key": tr.fold_name(name),
            "email": tr.join_multi(tr.normalise_email(e) for e in emails or []),
            "email_raw": tr.join_multi(emails or []),
            "phone": tr.join_multi(tr.normalise_phone(p) for p in phones or []),
            "phone_raw": tr.join_multi(phones or []),
            "hetu": tr.normalise_hetu(row.get("hetu")),
            "customer_no": row.get("customer_no"),
            "event_date": _date(row.get("event_date")),
            "end_date": _date(row.get("end_date")),
            "status": row.get("status"),
            "found_categories": row.get("found_categories", ""),
            "locator": row.get("locator", f'{{"row": {n + 2}}}'),
            "fingerprint": row.get("fingerprint", f"fp{n}"),
        }
        records.append(record)
    frame = tr.empty_traces() if not records else pd.DataFrame.from_records(records)
    for column, (dtype, _, _) in tr.COLUMNS.items():
        frame[column] = frame[column].astype(dtype)
    frame = frame[list(tr.COLUMNS)]
    return tr.validate(frame) if validate else frame


def make_policy(
    retention: Mapping[str, Mapping[str, Any]],
    customer_kinds: Iterable[str],
    **fields: Any,
) -> Any:
    """A RegisterPolicy with neutral defaults around the given retention rules.

    ``retention`` maps a kind to its rule fields; ``kuvaus`` defaults to the kind.
    """
    from policies.schema import RegisterPolicy

    rules = {kind: {"kuvaus": kind, **rule} for kind, rule in retention.items()}
    data: dict[str, Any] = {
        "name": "Testirekisteri",
        "controller": {"name": "Testi Oy"},
        "purposes": [{"kuvaus": "asiakassuhde", "legal_basis": "contract"}],
        "customer_kinds": list(customer_kinds),
        "retention": rules,
        "erasure": {"deadline": "2 vrk", "kuvaus": "2 vrk"},
        "notice": {
            "mentions_legal_basis": True,
            "mentions_complaint_right": True,
            "mentions_retention": True,
        },
    }
    data.update(fields)
    return RegisterPolicy.model_validate(data)
