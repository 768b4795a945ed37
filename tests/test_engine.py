"""The engine: table-driven cases of every trigger, period and precedence rule."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from connectors.trace import DATE_DTYPE
from policies.engine import DECISION_COLUMNS, REVIEW_CODES, Evaluation, evaluate
from policies.law import load_statutory_rules
from policies.testing import make_policy, make_traces

LAW = load_statutory_rules()

RULES: dict[str, dict[str, Any]] = {
    "order": {"keep": "2 kk", "after": {"last": "order"}},
    "appointment": {"keep": "12 kk", "after": "relationship_end"},
    "engagement": {"keep": "3 kk", "after": "end_date"},
    "booking": {"keep": "2 kk", "after": "event_date"},
    "ledger": {"keep": "1 v", "after": "fiscal_year_end"},
    "receipt": {"keep": "1 kk", "after": "fiscal_year_calendar_end"},
    "contact": {"keep": "while_customer"},
    "marketing": {"keep": "while_customer"},
    "invoice": {"keep": "statutory"},
    "client_record": {"keep": "statutory"},
    "erasure_request": {"keep": "3 vuotta", "after": "event_date"},
    "summary": {"keep": "2 vuotta", "after": [{"last": "engagement"}, "end_date"]},
}
CUSTOMER_KINDS = ["order", "appointment", "engagement", "booking", "invoice", "client_record"]


def policy(**fields: Any) -> Any:
    rules = fields.pop("retention", RULES)
    return make_policy(rules, fields.pop("customer_kinds", CUSTOMER_KINDS), **fields)


def run(rows: list[dict[str, Any]], today: date, **kwargs: Any) -> Evaluation:
    pol = kwargs.pop("policy", None) or policy()
    return evaluate(make_traces(rows), {"reg": pol}, LAW, today, **kwargs)


def row(ev: Evaluation, trace_id: str) -> pd.Series:
    return ev.decisions.set_index("trace_id").loc[trace_id]


# ------------------------------------------------------- triggers & periods

CASES = [
    # (id, rows, today, trace, decision, due)
    (
        "event_date month end",
        [{"kind": "booking", "email": "a@x.fi", "event_date": "2026-08-31"}],
        date(2026, 10, 31),
        "t00000",
        "delete",
        "2026-10-31",
    ),
    (
        "event_date day before",
        [{"kind": "booking", "email": "a@x.fi", "event_date": "2026-08-31"}],
        date(2026, 10, 30),
        "t00000",
        "keep",
        "2026-10-31",
    ),
    (
        "31 Dec + 2 kk = 28 Feb",
        [{"kind": "booking", "email": "a@x.fi", "event_date": "2025-12-31"}],
        date(2026, 2, 28),
        "t00000",
        "delete",
        "2026-02-28",
    ),
    (
        "31 Dec + 2 kk = 29 Feb leap",
        [{"kind": "booking", "email": "a@x.fi", "event_date": "2023-12-31"}],
        date(2024, 2, 28),
        "t00000",
        "keep",
        "2024-02-29",
    ),
    (
        "last order expires all orders",
        [
            {"kind": "order", "email": "a@x.fi", "event_date": "2026-01-31"},
            {"kind": "order", "email": "A@X.fi", "event_date": "2026-06-30"},
        ],
        date(2026, 8, 29),
        "t00000",
        "keep",
        "2026-08-30",
    ),
    (
        "end_date",
        [
            {
                "kind": "engagement",
                "email": "a@x.fi",
                "event_date": "2025-01-01",
                "end_date": "2026-11-30",
                "status": "ended",
            }
        ],
        date(2027, 2, 28),
        "t00000",
        "delete",
        "2027-02-28",
    ),
    (
        "relationship end = latest customer trace",
        [
            {"kind": "appointment", "email": "a@x.fi", "event_date": "2024-05-05"},
            {"kind": "order", "email": "a@x.fi", "event_date": "2025-05-05"},
        ],
        date(2026, 5, 4),
        "t00000",
        "keep",
        "2026-05-05",
    ),
    (
        "fiscal year end",
        [
            {"kind": "ledger", "email": "a@x.fi", "event_date": "2025-03-01"},
            {"kind": "order", "email": "a@x.fi", "event_date": "2025-03-01"},
        ],
        date(2026, 12, 31),
        "t00000",
        "delete",
        "2026-12-31",
    ),
    (
        "fiscal calendar year end",
        [
            {"kind": "receipt", "email": "a@x.fi", "event_date": "2025-03-01"},
            {"kind": "order", "email": "a@x.fi", "event_date": "2025-03-01"},
        ],
        date(2026, 1, 30),
        "t00000",
        "keep",
        "2026-01-31",
    ),
    (
        "statutory invoice: 6 v from the end of the year",
        [{"kind": "invoice", "email": "a@x.fi", "event_date": "2020-08-14", "status": "paid"}],
        date(2027, 1, 1),
        "t00000",
        "delete",
        "2027-01-01",
    ),
    (
        "statutory invoice held through 31.12.",
        [{"kind": "invoice", "email": "a@x.fi", "event_date": "2020-08-14", "status": "paid"}],
        date(2026, 12, 31),
        "t00000",
        "keep",
        "2027-01-01",
    ),
    (
        "summary: latest of last engagement and own end",
        [
            {
                "kind": "engagement",
                "email": "a@x.fi",
                "event_date": "2022-01-01",
                "end_date": "2023-06-30",
            },
            {
                "kind": "summary",
                "email": "a@x.fi",
                "event_date": "2023-01-01",
                "end_date": "2023-09-30",
            },
        ],
        date(2025, 9, 30),
        "t00001",
        "delete",
        "2025-09-30",
    ),
]


@pytest.mark.parametrize(
    ("rows", "today", "trace", "decision", "due"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_triggers_and_periods(
    rows: list[dict[str, Any]], today: date, trace: str, decision: str, due: str
) -> None:
    got = row(run(rows, today), trace)
    assert got["decision"] == decision
    assert got["due_date"] == pd.Timestamp(due)


def test_fiscal_year_not_calendar_year() -> None:
    rows = [
        {"kind": "ledger", "email": "a@x.fi", "event_date": "2025-08-01"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2025-08-01"},
    ]
    got = row(run(rows, date(2027, 6, 30), policy=policy(fiscal_year_end="30.6.")), "t00000")
    assert got["due_date"] == pd.Timestamp("2027-06-30")  # FY 1.7.2025-30.6.2026 + 1 v
    assert got["decision"] == "delete"


def test_rule_text_names_rule_and_trigger() -> None:
    pol = policy(
        retention={
            **RULES,
            "order": {
                **RULES["order"],
                "kuvaus": "Tilaustiedot: 2 kk viimeisestä tilauksesta",
                "description_en": "Order data: 2 months after the last order",
            },
        }
    )
    rows = [{"kind": "order", "email": "a@x.fi", "event_date": "2026-08-14"}]
    got = row(run(rows, date(2026, 11, 1), policy=pol), "t00000")
    assert got["rule_text_fi"] == (
        "Tilaustiedot: 2 kk viimeisestä tilauksesta — viimeisin tilaus 14.8.2026"
    )
    assert (
        got["rule_text_en"] == "Order data: 2 months after the last order — latest order 2026-08-14"
    )
    assert got["rule_id"] == "retention.order"
    assert got["trigger_date"] == pd.Timestamp("2026-08-14")
    assert got["days_overdue"] == 18
    assert got["action"] == "delete"


# ------------------------------------------------------------- precedence


def test_active_status_keeps() -> None:
    rows = [
        {"kind": "engagement", "email": "a@x.fi", "event_date": "2010-01-01", "status": "active"},
        {"kind": "summary", "email": "a@x.fi", "event_date": "2011-01-01"},
    ]
    ev = run(rows, date(2030, 1, 1))
    assert row(ev, "t00000")["decision"] == "keep"
    assert pd.isna(row(ev, "t00000")["due_date"])
    assert row(ev, "t00001")["decision"] == "keep"  # last engagement still active


def test_while_customer_waits_for_every_other_trace() -> None:
    rows = [
        {"kind": "contact", "email": "a@x.fi"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-01-10"},
        {"kind": "booking", "email": "a@x.fi", "event_date": "2026-03-10"},
        {"kind": "invoice", "email": "a@x.fi", "event_date": "2026-03-10", "status": "paid"},
    ]
    ev = run(rows, date(2026, 5, 9))
    assert row(ev, "t00000")["decision"] == "keep"
    assert row(ev, "t00000")["due_date"] == pd.Timestamp("2026-05-10")  # booking + 2 kk
    assert row(run(rows, date(2026, 5, 10)), "t00000")["decision"] == "delete"
    # The invoice is a bookkeeping record: it does not keep the contact for six years.
    assert row(run(rows, date(2026, 5, 10)), "t00003")["decision"] == "keep"


def test_while_customer_with_active_engagement_is_kept() -> None:
    rows = [
        {"kind": "contact", "email": "a@x.fi"},
        {"kind": "engagement", "email": "a@x.fi", "event_date": "2020-01-01", "status": "active"},
    ]
    got = row(run(rows, date(2030, 1, 1)), "t00000")
    assert got["decision"] == "keep"
    assert "asiakkuus jatkuu" in got["rule_text_fi"]


def test_open_invoice_holds_what_the_claim_needs() -> None:
    rows = [
        {"kind": "order", "email": "a@x.fi", "event_date": "2019-01-01"},
        {"kind": "contact", "phone": "0401234567", "email": "a@x.fi"},
        {"kind": "invoice", "phone": "+358401234567", "event_date": "2025-01-01", "status": "open"},
        {"kind": "order", "email": "b@x.fi", "event_date": "2019-01-01"},
        {"kind": "marketing", "email": "a@x.fi", "status": "opted_out"},
    ]
    ev = run(rows, date(2026, 11, 1))
    for trace in ("t00000", "t00001"):
        got = row(ev, trace)
        assert got["decision"] == "hold", trace
        assert got["hold_id"] == "avoin_saatava"
        assert pd.isna(got["hold_until"])
    assert row(ev, "t00002")["decision"] == "keep"  # the invoice itself: 6 v bookkeeping
    assert row(ev, "t00002")["hold_id"] == "avoin_saatava"
    assert row(ev, "t00003")["decision"] == "delete"
    # The claim does not need the marketing opt-out: it goes at once.
    marketing = row(ev, "t00004")
    assert marketing["decision"] == "delete"
    assert marketing["rule_id"] == "opt_out"
    assert pd.isna(marketing["hold_id"])


def test_erasure_request_beats_rule_but_not_hold() -> None:
    rows = [
        {"kind": "erasure_request", "email": "a@x.fi", "event_date": "2026-10-01"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-09-15"},
        {"kind": "invoice", "email": "a@x.fi", "event_date": "2026-09-15", "status": "paid"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-10-05"},  # came back later
        {"kind": "contact", "email": "a@x.fi"},
    ]
    ev = run(rows, date(2026, 10, 10))
    assert row(ev, "t00000")["decision"] == "keep"  # the log stays
    order = row(ev, "t00001")
    assert order["decision"] == "delete"
    assert order["rule_id"] == "erasure"
    assert order["due_date"] == pd.Timestamp("2026-10-01")  # due at once
    assert order["days_overdue"] == 7  # counted from the notice's deadline, 3.10.
    assert order["erasure_request"]
    invoice = row(ev, "t00002")
    assert invoice["decision"] == "hold"
    assert invoice["hold_id"] == "kirjanpito_tositteet"
    assert invoice["hold_until"] == pd.Timestamp("2032-12-31")
    assert row(ev, "t00003")["rule_id"] == "retention.order"  # newer than the request
    assert row(ev, "t00004")["decision"] == "delete"  # an undated card is covered too
    assert ev.findings[0].code == "erasure_overdue"
    assert ev.findings[0].count == 1


@pytest.mark.parametrize(
    ("today", "overdue"),
    [("2026-10-01", 0), ("2026-10-02", 0), ("2026-10-03", 0), ("2026-10-04", 1)],
)
def test_an_erasure_request_is_proposed_the_day_it_arrives(today: str, overdue: int) -> None:
    rows = [
        {"kind": "erasure_request", "email": "a@x.fi", "event_date": "2026-10-01"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-09-15"},
    ]
    order = row(run(rows, date.fromisoformat(today)), "t00001")
    assert order["decision"] == "delete"  # no waiting for the deadline to pass
    assert order["days_overdue"] == overdue  # the 2-day promise ends on 3.10.


def test_a_request_log_is_not_customer_activity() -> None:
    rows = [
        {"kind": "order", "email": "a@x.fi", "event_date": "2024-01-10"},
        {"kind": "contact", "email": "a@x.fi"},
        {"kind": "access_request", "email": "a@x.fi", "event_date": "2026-10-01"},
    ]
    ev = run(rows, date(2026, 11, 1))
    # The contact goes with the orders; the access log's own 3-year proof period
    # does not keep the customer relationship alive.
    assert row(ev, "t00001")["decision"] == "delete"


def test_erasure_from_non_customer_is_review() -> None:
    rows = [
        {"kind": "erasure_request", "email": "a@x.fi", "event_date": "2026-10-01"},
        {"kind": "contact", "email": "a@x.fi"},
    ]
    ev = run(rows, date(2026, 11, 1))
    assert set(ev.decisions["decision"]) == {"review"}


def test_opt_out_is_due_at_once() -> None:
    rows = [
        {"kind": "marketing", "email": "a@x.fi", "status": "opted_out"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-10-01"},
    ]
    ev = run(rows, date(2026, 10, 2))
    got = row(ev, "t00000")
    assert got["decision"] == "delete"
    assert got["due_date"] == pd.Timestamp("2026-10-02")
    assert got["rule_id"] == "opt_out"
    assert row(ev, "t00001")["decision"] == "keep"


def test_patient_records_are_held_indefinitely() -> None:
    rows = [{"kind": "client_record", "email": "a@x.fi", "event_date": "1990-01-01"}]
    got = row(run(rows, date(2100, 1, 1)), "t00000")
    assert got["decision"] == "hold"
    assert got["hold_id"] == "potilasasiakirjat"
    assert "703/2023" in got["hold_source"]


def test_optional_limitation_hold_applies_only_when_chosen() -> None:
    rows = [
        {"kind": "order", "email": "a@x.fi", "event_date": "2024-01-10"},
        {"kind": "invoice", "email": "a@x.fi", "event_date": "2024-01-10", "status": "paid"},
    ]
    plain = row(run(rows, date(2026, 1, 1)), "t00000")
    assert plain["decision"] == "delete"
    chosen = run(
        rows, date(2026, 1, 1), policy=policy(optional_statutory_holds=["velan_vanhentuminen"])
    )
    got = row(chosen, "t00000")
    assert got["decision"] == "hold"
    assert got["hold_id"] == "velan_vanhentuminen"
    assert got["hold_until"] == pd.Timestamp("2027-02-10")


def test_owner_hold_lengthens() -> None:
    hold = {
        "id": "riita",
        "kinds": ["order"],
        "scope": "trace",
        "keep": "5 vuotta",
        "after": "event_date",
        "kuvaus": "Riita-asia: 5 v",
    }
    rows = [{"kind": "order", "email": "a@x.fi", "event_date": "2024-01-10"}]
    got = row(run(rows, date(2026, 1, 1), policy=policy(holds=[hold])), "t00000")
    assert got["decision"] == "hold"
    assert got["hold_until"] == pd.Timestamp("2029-01-10")


# ----------------------------------------------------------- review cases


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([{"kind": "booking", "email": "a@x.fi"}], "päivämäärää"),
        (
            [
                {"kind": "order", "email": "a@x.fi", "event_date": "2020-01-01"},
                {"kind": "order", "email": "a@x.fi"},
            ],
            "päivämäärää",
        ),
        (
            [
                {"kind": "tuntematon", "email": "a@x.fi", "event_date": "2020-01-01"},
                {"kind": "order", "email": "a@x.fi", "event_date": "2020-01-01"},
            ],
            "säilytyssääntöä",
        ),
        (
            [
                {"kind": "order", "name": "Anna Ek", "event_date": "2020-01-01"},
                {"kind": "order", "name": "EK ANNA", "email": "a@x.fi", "event_date": "2020-01-01"},
            ],
            "nimi täsmää asiakkaaseen",
        ),
    ],
    ids=["undated", "undated order among dated", "no rule", "keyless name match"],
)
def test_review_reasons(rows: list[dict[str, Any]], reason: str) -> None:
    got = row(run(rows, date(2026, 1, 1)), "t00000")
    assert got["decision"] == "review"
    assert reason in got["review_reason"]
    assert got["review_reason_en"]
    assert got["review_code"] in REVIEW_CODES


def test_no_rule_and_no_policy_are_findings() -> None:
    rows = [
        {"kind": "tuntematon", "email": "a@x.fi", "event_date": "2020-01-01"},
        {"kind": "order", "email": "a@x.fi", "event_date": "2020-01-01"},
        {"kind": "order", "email": "b@x.fi", "event_date": "2020-01-01", "register": "muu"},
    ]
    ev = run(rows, date(2026, 1, 1))
    codes = {f.code: f for f in ev.findings}
    assert codes["no_retention_rule"].trace_ids == ("t00000",)
    assert codes["no_retention_rule"].detail == "tuntematon"
    assert codes["no_policy"].trace_ids == ("t00002",)
    assert row(ev, "t00002")["decision"] == "review"


def test_not_a_customer_is_never_proposed() -> None:
    rows = [
        {"kind": "contact", "email": "ystava@x.fi"},
        {"kind": "marketing", "email": "ystava@x.fi", "status": "opted_out"},
    ]
    ev = run(rows, date(2030, 1, 1))
    assert set(ev.decisions["decision"]) == {"keep"}
    assert set(ev.decisions["rule_id"]) == {"not_customer"}


def test_customer_source_makes_a_customer() -> None:
    rows = [
        {"kind": "contact", "email": "a@x.fi", "source": "asiakaslista"},
        {"kind": "booking", "email": "a@x.fi", "event_date": "2020-01-01"},
    ]
    pol = policy(customer_kinds=["order"])
    assert row(run(rows, date(2026, 1, 1), policy=pol), "t00000")["rule_id"] == "not_customer"
    got = row(
        run(rows, date(2026, 1, 1), policy=pol, customer_sources=frozenset({"asiakaslista"})),
        "t00000",
    )
    assert got["decision"] == "delete"


# --------------------------------------------------------------- findings


def test_undeclared_and_notice_findings_carry_no_personal_values() -> None:
    pol = policy(
        data_categories=[{"kuvaus": "Nimi"}, {"kuvaus": "Osoite", "code": "address"}],
        not_kept=["health_note"],
        notice={"refers_to_henkilotietolaki": True, "privacy_shield": True},
    )
    rows = [
        {
            "kind": "order",
            "name": "Matti Virtanen",
            "email": "matti@x.fi",
            "hetu": "131052-308T",
            "event_date": "2026-01-01",
            "found_categories": "address,health_note,hetu",
        }
    ]
    ev = run(rows, date(2026, 2, 1), policy=pol)
    codes = {f.code for f in ev.findings}
    assert {
        "undeclared_data",
        "notice_repealed_law",
        "notice_privacy_shield",
        "notice_no_complaint_right",
        "notice_missing_legal_basis",
    } <= codes
    undeclared = {f.detail: f for f in ev.findings if f.code == "undeclared_data"}
    assert set(undeclared) == {"hetu", "health_note"}
    assert undeclared["health_note"].severity == "high"
    for finding in ev.findings:
        for text in (finding.text_fi, finding.text_en):
            for value in ("Matti", "Virtanen", "matti@x.fi", "131052"):
                assert value not in text


def test_decision_frame_contract() -> None:
    rows = [
        {"kind": "order", "email": "a@x.fi", "event_date": "2026-01-01"},
        {"kind": "contact", "email": "b@x.fi"},
    ]
    ev = run(rows, date(2026, 2, 1))
    assert list(ev.decisions.columns) == list(DECISION_COLUMNS)
    assert dict(ev.decisions.dtypes.astype(str)) == {
        k: ("datetime64[us]" if v == DATE_DTYPE else v) for k, v in DECISION_COLUMNS.items()
    }
    assert list(ev.decisions["trace_id"]) == ["t00000", "t00001"]
    assert set(ev.subjects.columns) >= {"trace_id", "subject_id"}
    assert ev.counts() == {"delete": 0, "hold": 0, "keep": 2, "review": 0}


def test_empty_input() -> None:
    ev = evaluate(make_traces([]), {"reg": policy()}, LAW, date(2026, 1, 1))
    assert ev.decisions.empty
    assert list(ev.decisions.columns) == list(DECISION_COLUMNS)
