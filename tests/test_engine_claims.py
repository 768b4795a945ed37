"""Open-invoice hold with a scope and an end (issue #8, item 6).

The ``avoin_saatava`` hold keeps what the claim needs, not marketing
consents; an ``open`` invoice past the limitation period (728/2003: invoice
date + 3 v 1 kk, fi.yaml ``limitation``) no longer holds: what it held goes
to review with a finding. ``collection`` interrupts limitation; an undated
open invoice keeps holding (fail closed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from policies.engine import Evaluation, evaluate
from policies.law import load_statutory_rules
from policies.testing import make_policy, make_traces

LAW = load_statutory_rules()
RULES: dict[str, dict[str, Any]] = {
    "order": {"keep": "2 kk", "after": {"last": "order"}},
    "contact": {"keep": "while_customer"},
    "marketing": {"keep": "while_customer"},
    "invoice": {"keep": "statutory"},
    "erasure_request": {"keep": "3 vuotta", "after": "event_date"},
}
POLICY = make_policy(RULES, ["order", "invoice"])


def run(rows: list[dict[str, Any]], today: date) -> Evaluation:
    return evaluate(make_traces(rows), {"reg": POLICY}, LAW, today)


def row(ev: Evaluation, trace_id: str) -> pd.Series:
    return ev.decisions.set_index("trace_id").loc[trace_id]


def debtor(invoice_date: str | None, status: str = "open") -> list[dict[str, Any]]:
    return [
        {"trace_id": "o", "kind": "order", "email": "a@x.fi", "event_date": "2019-05-01"},
        {"trace_id": "k", "kind": "contact", "email": "a@x.fi"},
        {
            "trace_id": "i",
            "kind": "invoice",
            "email": "a@x.fi",
            "event_date": invoice_date,
            "status": status,
        },
    ]


CASES = [
    # (id, invoice date, status, today, the order's decision)
    ("open, the day the limitation ends", "2023-09-30", "open", date(2026, 10, 30), "hold"),
    ("open, the day after", "2023-09-30", "open", date(2026, 10, 31), "review"),
    ("month end: 31.1. + 3 v 1 kk = 28.2.", "2023-01-31", "open", date(2026, 2, 28), "hold"),
    ("month end: from 1.3. on", "2023-01-31", "open", date(2026, 3, 1), "review"),
    ("leap day invoice", "2024-02-29", "open", date(2027, 3, 29), "hold"),
    ("leap day invoice, day after", "2024-02-29", "open", date(2027, 3, 30), "review"),
    ("collection interrupts limitation", "2015-01-01", "collection", date(2026, 11, 1), "hold"),
    ("undated open invoice: fail closed", None, "open", date(2026, 11, 1), "hold"),
    ("paid: nothing to hold", "2015-01-01", "paid", date(2026, 11, 1), "delete"),
]


@pytest.mark.parametrize(
    ("invoice_date", "status", "today", "decision"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_limitation_of_an_open_claim(
    invoice_date: str | None, status: str, today: date, decision: str
) -> None:
    ev = run(debtor(invoice_date, status), today)
    for trace in ("o", "k"):
        got = row(ev, trace)
        assert got["decision"] == decision, trace
        if decision == "hold":
            assert got["hold_id"] == "avoin_saatava"
        if decision == "review":
            assert got["review_code"] == "claim_time_barred"
            assert got["review_reason"] == (
                "avoin lasku on mahdollisesti vanhentunut: tarkista, onko saatava yhä perittävissä"
            )
            assert pd.isna(got["hold_id"])
    barred = [f for f in ev.findings if f.code == "claim_time_barred"]
    assert [f.trace_ids for f in barred] == ([("i",)] if decision == "review" else [])


def test_the_finding_names_the_invoice_and_no_person() -> None:
    rows = debtor("2020-01-15")
    rows[0]["name"] = "Matti Virtanen"
    ev = run(rows, date(2026, 11, 1))
    finding = next(f for f in ev.findings if f.code == "claim_time_barred")
    assert finding.count == 1
    assert "728/2003" in finding.text_fi
    for text in (finding.text_fi, finding.text_en):
        assert "Matti" not in text
        assert "a@x.fi" not in text


def test_a_time_barred_claim_leaves_the_invoice_to_bookkeeping_and_not_due_data_kept() -> None:
    rows = [
        *debtor("2022-06-01"),
        {"trace_id": "o2", "kind": "order", "email": "a@x.fi", "event_date": "2026-10-01"},
    ]
    ev = run(rows, date(2026, 11, 1))
    assert row(ev, "i")["decision"] == "keep"  # 6 v bookkeeping: not due yet
    assert row(ev, "o2")["decision"] == "keep"  # the latest order is not due
    assert row(ev, "o")["decision"] == "keep"  # 'last: order' keeps the older one too


def test_another_live_claim_still_holds() -> None:
    rows = [
        *debtor("2020-01-15"),
        {
            "trace_id": "i2",
            "kind": "invoice",
            "email": "a@x.fi",
            "event_date": "2026-01-15",
            "status": "open",
        },
    ]
    ev = run(rows, date(2026, 11, 1))
    assert row(ev, "o")["decision"] == "hold"
    assert row(ev, "k")["decision"] == "hold"


@pytest.mark.parametrize("status", ["open", "collection"])
def test_the_claim_spares_marketing(status: str) -> None:
    rows = [
        *debtor("2026-01-15", status),
        {"trace_id": "m", "kind": "marketing", "email": "a@x.fi", "status": "opted_out"},
    ]
    ev = run(rows, date(2026, 11, 1))
    opted = row(ev, "m")
    assert opted["decision"] == "delete"
    assert opted["rule_id"] == "opt_out"
    assert row(ev, "k")["decision"] == "hold"
    assert row(ev, "k")["hold_id"] == "avoin_saatava"


def test_an_erasure_request_does_not_override_a_possibly_barred_claim() -> None:
    rows = [
        *debtor("2020-01-15"),
        {"trace_id": "e", "kind": "erasure_request", "email": "a@x.fi", "event_date": "2026-10-01"},
    ]
    ev = run(rows, date(2026, 11, 1))
    assert row(ev, "o")["decision"] == "review"
    assert row(ev, "o")["review_code"] == "claim_time_barred"
