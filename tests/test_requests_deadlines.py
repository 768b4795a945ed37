"""Request deadlines and states (policies.requests): tables and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.engine import DECISION_COLUMNS
from policies.periods import Period
from policies.requests import (
    access_deadline,
    erasure_deadline,
    erasure_state,
    guard_shared,
    is_near,
    names_conflict,
    shared_subjects,
)
from policies.testing import make_traces

TWO_DAYS = Period(days=2)
WEEK = Period(days=7)
MONTH = Period(months=1)


@pytest.mark.parametrize(
    ("received", "promised", "deadline"),
    [
        (date(2026, 3, 2), TWO_DAYS, date(2026, 3, 4)),  # "2 vrk" (Prover)
        (date(2026, 3, 2), WEEK, date(2026, 3, 9)),
        (date(2026, 3, 2), MONTH, date(2026, 4, 2)),  # "viipymättä" -> art. 12(3)
        (date(2026, 3, 2), None, date(2026, 4, 2)),  # no promise: one month
        (date(2026, 1, 31), MONTH, date(2026, 2, 28)),  # over a month end: clipped
        (date(2028, 1, 31), MONTH, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 30), TWO_DAYS, date(2027, 1, 1)),  # over a year end
        (date(2026, 3, 6), TWO_DAYS, date(2026, 3, 8)),  # Friday -> Sunday: not moved later
        (date(2026, 3, 2), Period(months=2), date(2026, 4, 2)),  # a longer promise is capped
        (date(2026, 3, 2), Period(days=40), date(2026, 4, 2)),
    ],
)
def test_erasure_deadline(received: date, promised: Period | None, deadline: date) -> None:
    assert erasure_deadline(received, promised) == deadline


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (date(2026, 3, 2), date(2026, 4, 2)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 10, 3), date(2026, 11, 3)),  # Saturday received: a month later
    ],
)
def test_access_deadline(received: date, deadline: date) -> None:
    assert access_deadline(received) == deadline


@pytest.mark.parametrize(
    ("today", "done", "near"),
    [
        (date(2026, 3, 1), False, False),  # 3 days left
        (date(2026, 3, 2), False, True),  # 2 days left: remind
        (date(2026, 3, 4), False, True),  # the deadline itself
        (date(2026, 3, 9), False, True),  # overdue: still reminded
        (date(2026, 3, 3), True, False),  # done: no reminder
    ],
)
def test_reminder_within_two_days(today: date, done: bool, near: bool) -> None:
    assert is_near(date(2026, 3, 4), today, done) is near


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
periods = st.builds(
    Period,
    years=st.integers(0, 2),
    months=st.integers(0, 14),
    days=st.integers(1, 400),
)


@given(days, periods)
def test_a_deadline_is_after_the_request_and_never_past_one_month(
    received: date, promised: Period
) -> None:
    deadline = erasure_deadline(received, promised)
    assert received < deadline <= MONTH.add(received)
    assert deadline <= promised.add(received)


def _decisions(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {
        "trace_id": "t",
        "subject_id": "s",
        "register": "reg",
        "source": "src",
        "kind": "order",
        "decision": "delete",
        "erasure_request": True,
    }
    frame = pd.DataFrame([{**base, "trace_id": f"t{i}", **r} for i, r in enumerate(rows)])
    for column, _dtype in DECISION_COLUMNS.items():
        if column not in frame:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="object")
    return frame.astype(DECISION_COLUMNS)


LOG = {"kind": "erasure_request", "decision": "keep", "erasure_request": False}
HOLD = {
    "decision": "hold",
    "hold_text_fi": "Avoin lasku",
    "hold_text_en": "Open invoice",
    "hold_until": pd.NaT,
}


@pytest.mark.parametrize(
    ("rows", "prepared", "approved", "today", "state", "overdue"),
    [
        ([{}, LOG], False, False, date(2026, 3, 3), "open", 0),
        ([{}, LOG], True, False, date(2026, 3, 3), "proposal_ready", 0),
        ([{}, LOG], True, True, date(2026, 3, 3), "approved", 0),
        ([{}, LOG], True, False, date(2026, 3, 10), "proposal_ready", 6),  # overdue
        ([{"decision": "keep"}, LOG], True, False, date(2026, 3, 3), "proposal_ready", 0),
        ([LOG], True, False, date(2026, 3, 10), "done", 0),  # only the log is kept
        ([HOLD, LOG], True, False, date(2026, 3, 10), "blocked", 0),  # lawfully kept
        ([{}, HOLD, LOG], True, False, date(2026, 3, 10), "proposal_ready", 6),
        ([{"decision": "review"}], True, False, date(2026, 3, 10), "review", 6),
    ],
)
def test_erasure_state(
    rows: list[dict[str, object]],
    prepared: bool,
    approved: bool,
    today: date,
    state: str,
    overdue: int,
) -> None:
    got = erasure_state(
        _decisions(rows), date(2026, 3, 2), TWO_DAYS, today, prepared=prepared, approved=approved
    )
    assert (got.state, got.overdue) == (state, overdue)
    assert got.deadline == date(2026, 3, 4)


def test_a_blocked_request_names_its_hold_and_its_end() -> None:
    rows = [{**HOLD, "hold_until": pd.Timestamp("2032-12-31")}, HOLD]
    state = erasure_state(_decisions(rows), date(2026, 3, 2), TWO_DAYS, date(2026, 3, 10))
    assert state.state == "blocked"
    assert [h.text_fi for h in state.holds] == ["Avoin lasku"]
    assert state.holds[0].until is None  # an open claim: no end date beats a date


@pytest.mark.parametrize(
    ("names", "conflict"),
    [
        ({"matti virtanen"}, False),
        ({"matti virtanen", "matti"}, False),  # shorter form of the same name
        ({"anna virtanen", "pekka virtanen"}, True),  # a family's shared address
        ({"anna virtanen", "anna maria virtanen"}, False),
    ],
)
def test_names_conflict(names: set[str], conflict: bool) -> None:
    assert names_conflict(names) is conflict


def test_a_shared_address_is_never_erased_on_a_guess() -> None:
    traces = make_traces(
        [
            {"name": "Anna Virtanen", "email": "perhe@example.fi", "kind": "order"},
            {"name": "Pekka Virtanen", "email": "perhe@example.fi", "kind": "contact"},
            {"name": "Liisa Laine", "email": "liisa@example.fi", "kind": "order"},
        ]
    )
    traces["subject_id"] = ["s1", "s1", "s2"]
    shared = shared_subjects(traces)
    assert shared == {"s1"}
    decisions = _decisions([{"subject_id": "s1"}, {"subject_id": "s1"}, {"subject_id": "s2"}])
    guarded = guard_shared(decisions, shared)
    assert list(guarded["decision"]) == ["review", "review", "delete"]
    assert set(guarded.loc[:1, "review_code"]) == {"shared_identity"}


@given(days, st.integers(0, 60))
def test_overdue_days_count_from_the_deadline(received: date, late: int) -> None:
    deadline = erasure_deadline(received, TWO_DAYS)
    today = deadline + timedelta(days=late)
    state = erasure_state(_decisions([{}]), received, TWO_DAYS, today, prepared=True)
    assert state.overdue == late
    assert state.near
