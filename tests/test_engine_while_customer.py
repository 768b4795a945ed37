"""while_customer done right (issue #8, item 5).

A trace is never due before its own date; a consent or subscription given
after the relationship's last activity is kept until withdrawn (or until
the rule's ``at_least`` after its own date); records the law keeps for an
unknown time (patient records) count as activity but never make the
relationship ongoing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from policies.engine import Evaluation, evaluate
from policies.examples import example_path
from policies.law import load_statutory_rules
from policies.schema import load_policy
from policies.testing import make_policy, make_traces

LAW = load_statutory_rules()
RULES: dict[str, dict[str, Any]] = {
    "order": {"keep": "2 kk", "after": {"last": "order"}},
    "appointment": {"keep": "12 kk", "after": "relationship_end"},
    "contact": {"keep": "while_customer"},
    "marketing": {"keep": "while_customer"},
    "invoice": {"keep": "statutory"},
    "client_record": {"keep": "statutory"},
}
CUSTOMER_KINDS = ["order", "appointment", "invoice", "client_record"]


def policy(marketing: dict[str, Any] | None = None) -> Any:
    rules = {**RULES, "marketing": {**RULES["marketing"], **(marketing or {})}}
    return make_policy(rules, CUSTOMER_KINDS)


def run(rows: list[dict[str, Any]], today: date, pol: Any = None) -> Evaluation:
    return evaluate(make_traces(rows), {"reg": pol or policy()}, LAW, today)


def row(ev: Evaluation, trace_id: str) -> pd.Series:
    return ev.decisions.set_index("trace_id").loc[trace_id]


def customer(*extra: dict[str, Any], last_order: str = "2023-05-31") -> list[dict[str, Any]]:
    return [
        {"trace_id": "o", "kind": "order", "email": "a@x.fi", "event_date": last_order},
        *({"email": "a@x.fi", **e} for e in extra),
    ]


AT_LEAST = {"at_least": "2 vuotta"}

CASES = [
    # (id, marketing rule extra, consent date, today, decision, due or None)
    (
        "consent before the last order: with the relationship",
        None,
        "2023-01-10",
        date(2023, 7, 30),
        "keep",
        "2023-07-31",
    ),
    (
        "consent before the last order: due with it",
        None,
        "2023-01-10",
        date(2023, 7, 31),
        "delete",
        "2023-07-31",
    ),
    (
        "consent the same day as the last order",
        None,
        "2023-05-31",
        date(2023, 7, 31),
        "delete",
        "2023-07-31",
    ),
    (
        "consent one day after the last order: valid until withdrawn",
        None,
        "2023-06-01",
        date(2030, 1, 1),
        "keep",
        None,
    ),
    (
        "newsletter given 2025, last order 2023 (the demo's case)",
        None,
        "2025-06-15",
        date(2026, 11, 1),
        "keep",
        None,
    ),
    (
        "at_least: consent after the last order, day before",
        AT_LEAST,
        "2025-06-15",
        date(2027, 6, 14),
        "keep",
        "2027-06-15",
    ),
    (
        "at_least: consent after the last order, on the day",
        AT_LEAST,
        "2025-06-15",
        date(2027, 6, 15),
        "delete",
        "2027-06-15",
    ),
    (
        "at_least: 29 Feb + 2 v = 28 Feb",
        AT_LEAST,
        "2024-02-29",
        date(2026, 2, 28),
        "delete",
        "2026-02-28",
    ),
    (
        "at_least is a floor for an older consent too",
        AT_LEAST,
        "2023-01-31",
        date(2025, 1, 30),
        "keep",
        "2025-01-31",
    ),
    (
        "at_least shorter than the relationship: the relationship wins",
        {"at_least": "1 kk"},
        "2023-01-31",
        date(2023, 7, 31),
        "delete",
        "2023-07-31",
    ),
]


@pytest.mark.parametrize(
    ("extra", "given", "today", "decision", "due"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_consent_dates(
    extra: dict[str, Any] | None, given: str, today: date, decision: str, due: str | None
) -> None:
    rows = customer({"trace_id": "m", "kind": "marketing", "event_date": given})
    got = row(run(rows, today, policy(extra)), "m")
    assert got["decision"] == decision
    if due is None:
        assert pd.isna(got["due_date"])
    else:
        assert got["due_date"] == pd.Timestamp(due)
        assert got["due_date"] >= pd.Timestamp(given)  # never before its own date


def test_a_consent_given_after_the_relationship_says_so() -> None:
    rows = customer({"trace_id": "m", "kind": "marketing", "event_date": "2025-06-15"})
    got = row(run(rows, date(2026, 11, 1)), "m")
    assert "suostumus voimassa" in got["rule_text_fi"]
    assert "consent valid" in got["rule_text_en"]
    assert pd.isna(got["days_overdue"])
    # Withdrawn: it goes at once.
    rows[1]["status"] = "opted_out"
    assert row(run(rows, date(2026, 11, 1)), "m")["decision"] == "delete"


def test_at_least_is_in_the_rule_text() -> None:
    rows = customer({"trace_id": "m", "kind": "marketing", "event_date": "2025-06-15"})
    got = row(run(rows, date(2026, 11, 1), policy(AT_LEAST)), "m")
    assert "vähintään 2 v merkinnän omasta päivämäärästä" in got["rule_text_fi"]
    assert "2 v merkinnän omasta päivämäärästä 15.6.2027" in got["rule_text_fi"]
    assert "at least 2 years after its own date" in got["rule_text_en"]


def test_at_least_needs_the_traces_own_date() -> None:
    rows = customer({"trace_id": "m", "kind": "marketing"})
    got = row(run(rows, date(2026, 11, 1), policy(AT_LEAST)), "m")
    assert got["decision"] == "review"
    assert got["review_code"] == "undated"


def test_the_contact_card_follows_the_relationship_not_a_later_consent() -> None:
    """while_customer traces never wait for each other: the consent carries its own
    address and stays; the card of the ended relationship goes."""
    rows = customer(
        {"trace_id": "k", "kind": "contact"},
        {"trace_id": "m", "kind": "marketing", "event_date": "2025-06-15"},
    )
    ev = run(rows, date(2026, 11, 1))
    assert row(ev, "k")["decision"] == "delete"
    assert row(ev, "k")["due_date"] == pd.Timestamp("2023-07-31")
    assert row(ev, "m")["decision"] == "keep"


def test_a_trace_is_never_due_before_its_own_date() -> None:
    """A dated contact card after the last order follows the same rule as a consent."""
    rows = customer({"trace_id": "k", "kind": "contact", "event_date": "2024-01-01"})
    got = row(run(rows, date(2026, 11, 1)), "k")
    assert got["decision"] == "keep"
    assert pd.isna(got["due_date"])


@pytest.mark.parametrize(
    ("record_date", "today", "decision", "due"),
    [
        pytest.param("2024-03-01", date(2026, 11, 1), "delete", "2025-03-01", id="former client"),
        pytest.param("2026-05-01", date(2026, 11, 1), "keep", "2027-05-01", id="recent record"),
    ],
)
def test_patient_records_do_not_make_the_relationship_ongoing(
    record_date: str, today: date, decision: str, due: str
) -> None:
    """The demo's case: a former psychotherapy client's contact and consent were never due."""
    rows = [
        {"trace_id": "a", "kind": "appointment", "email": "p@x.fi", "event_date": "2024-03-01"},
        {"trace_id": "cr", "kind": "client_record", "email": "p@x.fi", "event_date": record_date},
        {"trace_id": "k", "kind": "contact", "email": "p@x.fi"},
        {"trace_id": "m", "kind": "marketing", "email": "p@x.fi", "event_date": "2023-09-01"},
    ]
    ev = run(rows, today)
    assert row(ev, "cr")["decision"] == "hold"
    assert row(ev, "cr")["hold_id"] == "potilasasiakirjat"
    for trace in ("a", "k", "m"):
        got = row(ev, trace)
        assert got["decision"] == decision, trace
        assert got["due_date"] == pd.Timestamp(due), trace


def test_an_undated_patient_record_still_keeps_the_relationship_open() -> None:
    """Fail closed: the appointment's relationship end cannot be told, so nothing goes."""
    rows = [
        {"trace_id": "a", "kind": "appointment", "email": "p@x.fi", "event_date": "2020-03-01"},
        {"trace_id": "cr", "kind": "client_record", "email": "p@x.fi"},
        {"trace_id": "k", "kind": "contact", "email": "p@x.fi"},
    ]
    ev = run(rows, date(2026, 11, 1))
    assert row(ev, "a")["decision"] == "review"
    assert row(ev, "k")["decision"] == "keep"


def test_kallio_former_client_contact_and_consent_are_proposed() -> None:
    """001 (kallio): "Tietoja säilytetään niin kauan kuin asiakkuus on voimassa" — the
    patient records stay by law, the contact and the marketing consent go with the rest."""
    rows = [
        {"trace_id": "a", "kind": "appointment", "email": "p@x.fi", "event_date": "2024-04-10"},
        {"trace_id": "cr", "kind": "client_record", "email": "p@x.fi", "event_date": "2024-04-10"},
        {"trace_id": "k", "kind": "contact", "email": "p@x.fi", "phone": "0401234567"},
        {"trace_id": "m", "kind": "marketing", "phone": "+358401234567"},
    ]
    traces = make_traces([{"register": "kallio", **r} for r in rows])
    pol = load_policy(example_path("kallio"), LAW)
    ev = evaluate(traces, {"kallio": pol}, LAW, date(2026, 11, 1))
    got = ev.decisions.set_index("trace_id")
    assert got.loc["cr", "decision"] == "hold"
    assert list(got.loc[["a", "k", "m"], "decision"]) == ["delete"] * 3
    assert got.loc["k", "due_date"] == pd.Timestamp("2025-04-10")
