"""Safety properties of the engine over generated traces (hypothesis).

A wrong deletion cannot be undone, so these hold for any data: a trace whose
rule needs a date it lacks is never deleted; a held trace is never deleted;
a subject with no customer trace is never deleted; a newer order never turns
a keep into a delete; decisions do not depend on row order.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.engine import evaluate
from policies.law import load_statutory_rules
from policies.testing import make_policy, make_traces

LAW = load_statutory_rules()
RULES: dict[str, dict[str, Any]] = {
    "order": {"keep": "2 kk", "after": {"last": "order"}},
    "appointment": {"keep": "12 kk", "after": "relationship_end"},
    "engagement": {"keep": "3 kk", "after": "end_date"},
    "contact": {"keep": "while_customer"},
    "marketing": {"keep": "while_customer"},
    "invoice": {"keep": "statutory"},
    "erasure_request": {"keep": "3 vuotta", "after": "event_date"},
}
POLICY = make_policy(RULES, ["order", "appointment", "engagement", "invoice"])
#: Kinds whose rule needs the trace's own date (customer kinds: relationship_end too).
OWN_DATE_KINDS = {"order", "appointment", "engagement", "invoice"}
TODAY = date(2026, 11, 1)

dates = st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31)))


@st.composite
def trace_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=14))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from([*sorted(RULES), "other"]))
        person = draw(st.integers(min_value=0, max_value=4))
        key = draw(st.sampled_from(["email", "phone", "none"]))
        status = draw(st.sampled_from([None, None, "open", "paid", "active", "opted_out"]))
        event = draw(dates)
        end = draw(st.one_of(st.none(), st.just(event))) if event else None
        row: dict[str, Any] = {
            "trace_id": f"t{i:03d}",
            "kind": kind,
            "status": status,
            "event_date": event,
            "end_date": end + timedelta(days=30) if end else None,
            "name": f"Henkilö {'ABCDE'[person]}",
        }
        if key == "email":
            row["email"] = f"p{person}@x.fi"
        elif key == "phone":
            row["phone"] = f"040 100 000{person}"
        rows.append(row)
    return rows


def decide(rows: list[dict[str, Any]]) -> pd.DataFrame:
    ev = evaluate(make_traces(rows, validate=False), {"reg": POLICY}, LAW, TODAY)
    return ev.decisions.set_index("trace_id")


@settings(max_examples=20, deadline=None)
@given(trace_rows())
def test_safety_invariants(rows: list[dict[str, Any]]) -> None:
    traces = make_traces(rows)  # contract-valid
    ev = evaluate(traces, {"reg": POLICY}, LAW, TODAY)
    got = ev.decisions.set_index("trace_id")
    deleted = got["decision"] == "delete"
    frame = traces.set_index("trace_id")
    undated = frame["event_date"].isna() & frame["end_date"].isna()
    own_date = frame["kind"].isin(OWN_DATE_KINDS)
    # Undated traces whose rule needs their own date are never deleted (an erasure
    # request from the same person is the one thing that may cover them).
    asked = got["erasure_request"]
    assert not (deleted & undated & own_date & ~asked).any()
    # A held trace is never deleted; a hold is never shown on a delete.
    assert not (deleted & got["hold_id"].notna()).any()
    # A subject with no customer trace never gets a delete.
    subjects = ev.subjects.set_index("trace_id")
    assert not (deleted & ~subjects["in_scope"]).any()
    # Every decision says why.
    assert got["rule_text_fi"].notna().where(got["decision"] != "review", True).all()
    assert got.loc[got["decision"] == "review", "review_reason"].notna().all()
    assert set(got["decision"]) <= {"delete", "hold", "keep", "review"}


@settings(max_examples=8, deadline=None)
@given(trace_rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = decide(rows).sort_index()
    b = decide(shuffled).sort_index()
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=8, deadline=None)
@given(trace_rows(), st.integers(min_value=0, max_value=4), st.integers(0, 400))
def test_a_newer_order_never_turns_keep_into_delete(
    rows: list[dict[str, Any]], person: int, days_later: int
) -> None:
    """A customer's newer order (dated after all their data) only postpones their dues."""
    before = decide(rows)
    dated = [r[c] for r in rows for c in ("event_date", "end_date") if r.get(c)]
    day = max([*dated, date(2015, 1, 1)]) + timedelta(days=days_later)
    newer = [
        *rows,
        {
            "trace_id": "t999",
            "kind": "order",
            "email": f"p{person}@x.fi",
            "event_date": day,
            "name": "Uusi Tilaus",
        },
    ]
    after = decide(newer)
    # Only subjects that were customers already: becoming a customer may rightly
    # bring a non-customer's opt-out into scope.
    subject = after.loc["t999", "subject_id"]
    was_customer = (before["rule_id"] != "not_customer") & (
        after.loc[before.index, "subject_id"] == subject
    )
    kept = before.index[(before["decision"] == "keep") & was_customer]
    assert not (after.loc[kept, "decision"] == "delete").any()
