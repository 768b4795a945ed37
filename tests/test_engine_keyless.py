"""A trace with no strong key never decides alone (issue #8, item 4).

Strong keys are e-mail, E.164 phone, a valid henkilötunnus and a customer
number. A trace with none of them — a calendar entry "Matti K. – sparraus"
with no attendee, an order row with no e-mail or phone, a contact card with
only a name, a keyless row of a customers-only source — is reviewed,
whatever its dates say, and never moves anybody else's decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from policies.engine import REVIEW_CODES, Evaluation, evaluate
from policies.law import load_statutory_rules
from policies.testing import make_policy, make_traces

LAW = load_statutory_rules()
TODAY = date(2026, 11, 1)
RULES: dict[str, dict[str, Any]] = {
    "order": {"keep": "2 kk", "after": {"last": "order"}},
    "appointment": {"keep": "12 kk", "after": "relationship_end"},
    "contact": {"keep": "while_customer"},
    "marketing": {"keep": "while_customer"},
    "invoice": {"keep": "statutory"},
    "erasure_request": {"keep": "3 vuotta", "after": "event_date"},
}
POLICY = make_policy(RULES, ["order", "appointment", "invoice"])


def run(rows: list[dict[str, Any]], **kwargs: Any) -> Evaluation:
    return evaluate(make_traces(rows), {"reg": POLICY}, LAW, TODAY, **kwargs)


def row(ev: Evaluation, trace_id: str) -> pd.Series:
    return ev.decisions.set_index("trace_id").loc[trace_id]


KEYLESS = [
    # (id, the keyless trace)
    (
        "calendar entry without attendee",
        {"kind": "appointment", "name": "Matti K.", "event_date": "2024-02-01"},
    ),
    (
        "order row without e-mail or phone",
        {"kind": "order", "name": "Liisa L.", "event_date": "2020-01-01"},
    ),
    ("contact card with only a name", {"kind": "contact", "name": "Pekka P."}),
    (
        "keyless row of a customers-only source",
        {"kind": "contact", "name": "Anna A.", "source": "asiakaslista"},
    ),
    (
        "opted-out marketing row",
        {"kind": "marketing", "name": "Ville V.", "status": "opted_out"},
    ),
    (
        "erasure request without a key",
        {"kind": "erasure_request", "name": "Eero E.", "event_date": "2026-01-01"},
    ),
    ("order with an invalid phone", {"kind": "order", "phone": "123", "event_date": "2020-01-01"}),
    ("no name either", {"kind": "order", "event_date": "2020-01-01"}),
]


@pytest.mark.parametrize("trace", [pytest.param(t, id=i) for i, t in KEYLESS])
def test_a_keyless_trace_is_reviewed_whatever_its_dates(trace: dict[str, Any]) -> None:
    rows = [{"trace_id": "x", **trace}]
    ev = run(rows, customer_sources=frozenset({"asiakaslista"}))
    got = row(ev, "x")
    assert got["decision"] == "review"
    assert got["review_code"] == "no_key"
    assert got["review_reason"] == "merkintä ilman tunnistetta: nimi ei yksin riitä poistoon"
    assert "without an identifier" in got["review_reason_en"]
    assert not ev.subjects.set_index("trace_id").loc["x", "in_scope"]
    finding = next(f for f in ev.findings if f.code == "no_key_review")
    assert finding.trace_ids == ("x",)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("email", "m@x.fi"),
        ("phone", "040 123 4567"),
        ("hetu", "131052-308T"),
        ("customer_no", "17"),
    ],
)
def test_any_one_strong_key_lets_the_trace_decide(key: str, value: str) -> None:
    got = row(
        run([{"trace_id": "x", "kind": "order", key: value, "event_date": "2020-01-01"}]), "x"
    )
    assert got["decision"] == "delete"
    assert pd.isna(got["review_code"])


def test_the_reason_says_when_the_name_is_a_customers() -> None:
    rows = [
        {
            "trace_id": "c",
            "kind": "order",
            "name": "Korhonen, Matti",
            "email": "m@x.fi",
            "event_date": "2026-10-01",
        },
        {
            "trace_id": "x",
            "kind": "appointment",
            "name": "MATTI KORHONEN",
            "event_date": "2024-01-01",
        },
        # A keyless namesake of another keyless trace is no customer's name.
        {"trace_id": "y", "kind": "order", "name": "Outi O.", "event_date": "2020-01-01"},
        {"trace_id": "z", "kind": "appointment", "name": "Outi O.", "event_date": "2020-01-01"},
    ]
    ev = run(rows)
    got = row(ev, "x")
    assert got["review_code"] == "no_key"
    assert got["review_reason"].endswith("nimi täsmää asiakkaaseen")
    assert got["review_reason_en"].endswith("the name matches a customer")
    for trace in ("y", "z"):
        assert row(ev, trace)["review_code"] == "no_key"
        assert "täsmää" not in row(ev, trace)["review_reason"]
    assert row(ev, "c")["decision"] == "keep"


@pytest.mark.parametrize(
    ("real_person", "decision", "hold_id"),
    [
        pytest.param(
            [{"kind": "appointment", "event_date": "2026-10-15"}],
            "keep",
            None,
            id="active customer",
        ),
        pytest.param(
            [
                {"kind": "appointment", "event_date": "2023-01-15"},
                {"kind": "invoice", "event_date": "2023-01-15", "status": "collection"},
            ],
            "hold",
            "avoin_saatava",
            id="under a collection hold",
        ),
    ],
)
def test_an_abbreviated_calendar_name_is_not_a_customer_of_its_own(
    real_person: list[dict[str, Any]], decision: str, hold_id: str | None
) -> None:
    """The issue's case: "Matti K. – sparraus" with no attendee was deleted on its own date."""
    rows = [
        {"trace_id": f"m{i}", "name": "Matti Korhonen", "email": "matti@x.fi", **r}
        for i, r in enumerate(real_person)
    ]
    rows.append(
        {
            "trace_id": "cal",
            "kind": "appointment",
            "name": "Matti K.",
            "event_date": "2024-03-04",
            "label": "Matti K. – sparraus",
        }
    )
    ev = run(rows)
    assert row(ev, "cal")["decision"] == "review"
    assert row(ev, "cal")["review_code"] == "no_key"
    got = row(ev, "m0")
    assert got["decision"] == decision
    assert (got["hold_id"] if pd.notna(got["hold_id"]) else None) == hold_id


def test_keyless_traces_never_change_anyone_elses_decision() -> None:
    people = [
        {
            "trace_id": "a1",
            "kind": "order",
            "name": "Anna Ek",
            "email": "a@x.fi",
            "event_date": "2026-01-10",
        },
        {"trace_id": "a2", "kind": "contact", "name": "Anna Ek", "email": "a@x.fi"},
        {
            "trace_id": "b1",
            "kind": "appointment",
            "name": "Bo Ek",
            "phone": "0401111111",
            "event_date": "2025-01-10",
        },
        {"trace_id": "b2", "kind": "contact", "name": "Bo Ek", "phone": "0401111111"},
    ]
    noise = [
        {"trace_id": "n1", "kind": "order", "name": "Anna Ek", "event_date": "2026-10-30"},
        {
            "trace_id": "n2",
            "kind": "invoice",
            "name": "Bo Ek",
            "event_date": "2026-10-01",
            "status": "open",
        },
        {
            "trace_id": "n3",
            "kind": "appointment",
            "name": "Bo Ek",
            "status": "active",
            "event_date": "2020-01-01",
        },
        {
            "trace_id": "n4",
            "kind": "erasure_request",
            "name": "Anna Ek",
            "event_date": "2026-02-01",
        },
    ]
    alone = run(people).decisions.set_index("trace_id")
    mixed = run(people + noise).decisions.set_index("trace_id")
    pd.testing.assert_frame_equal(alone, mixed.loc[alone.index])
    assert set(mixed.loc[["n1", "n2", "n3", "n4"], "review_code"]) == {"no_key"}


def test_every_review_row_has_a_known_code() -> None:
    rows = [
        {"kind": "order", "name": "Anna Ek", "event_date": "2020-01-01"},  # no_key
        {"kind": "order", "name": "Ek Anna", "email": "a@x.fi", "event_date": "2026-10-01"},
        {"kind": "contact", "name": "Anna Ek", "email": "koti@y.fi"},  # name_match
        {"kind": "order", "email": "p@x.fi", "hetu": "131052-308T", "event_date": "2020-01-01"},
        {"kind": "contact", "email": "p@x.fi", "hetu": "010594Y9021"},  # identity_conflict
        {"kind": "order", "email": "u@x.fi"},  # undated
        {"kind": "tuntematon", "email": "u@x.fi", "event_date": "2020-01-01"},  # no_rule
        {"kind": "order", "email": "r@x.fi", "event_date": "2020-01-01", "register": "muu"},
        {"kind": "contact", "email": "o@x.fi", "source": "asiakaslista"},  # no_other
        {"kind": "erasure_request", "email": "f@x.fi", "event_date": "2026-10-01"},
        {"kind": "order", "email": "t@x.fi", "event_date": "2020-01-01"},  # claim_time_barred
        {"kind": "invoice", "email": "t@x.fi", "event_date": "2021-01-01", "status": "open"},
    ]
    ev = run(rows, customer_sources=frozenset({"asiakaslista"}))
    got = ev.decisions
    review = got["decision"] == "review"
    assert got.loc[review, "review_code"].isin(REVIEW_CODES).all()
    assert got.loc[~review, "review_code"].isna().all()
    assert set(got.loc[review, "review_code"]) == {
        "no_key",
        "name_match",
        "identity_conflict",
        "undated",
        "no_rule",
        "no_policy",
        "no_other",
        "erasure_non_customer",
        "claim_time_barred",
    }
