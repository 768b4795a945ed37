"""The decision store's rule, as a table: what a remembered mark does to a due row."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.decisions import DecisionStore, StoredMark, remembered
from flows.ledger import Hasher
from policies.testing import make_traces

NOW = "2026-11"
EARLIER = "2026-10"


def _store() -> DecisionStore:
    return DecisionStore(sqlite3.connect(":memory:"), Hasher(b"k" * 32))


def _frames(fingerprint: str = "fp1", rule: str = "retention.order"):  # type: ignore[no-untyped-def]
    import pandas as pd

    traces = make_traces([{"trace_id": "src:1", "kind": "order"}])
    traces["fingerprint"] = fingerprint
    decisions = pd.DataFrame(
        {"trace_id": ["src:1"], "decision": ["delete"], "rule_id": [rule]}
    ).astype("string")
    return decisions, traces


def _mark(store: DecisionStore, decision: str, status: str | None, month: str) -> StoredMark:
    return StoredMark(
        trace_key=store.trace_key("src:1"),
        fingerprint=store.print_key("fp1"),
        reason_key=store.reason_key("retention.order"),
        source="src",
        decision=decision,
        status=status,
        month=month,
        decided_at="2026-11-01T08:00:00+00:00",
        mark_source="apply",
        proposal_id="p",
        note="syy",
    )


@pytest.mark.parametrize(
    ("decision", "status", "month", "change", "hidden", "carried"),
    [
        # rejected: away in any month while the trace is unchanged
        ("reject", None, NOW, None, "rejected", False),
        ("reject", None, EARLIER, None, "rejected", False),
        ("reject", None, EARLIER, "fingerprint", None, False),
        ("reject", None, EARLIER, "reason", None, False),
        # postponed: away the same month, asked again from the next on
        ("postpone", None, NOW, None, "postponed", False),
        ("postpone", None, EARLIER, None, None, False),
        ("postpone", None, NOW, "fingerprint", None, False),
        # approved, on the manual checklist: waiting until it is gone
        ("approve", "manual", NOW, None, "waiting", False),
        ("approve", "manual", EARLIER, None, "waiting", False),
        ("approve", "manual", EARLIER, "fingerprint", None, False),
        # approved this month, not yet carried out: the mark carries to the new version
        ("approve", None, NOW, None, None, True),
        ("approve", None, NOW, "fingerprint", None, False),
        ("approve", None, EARLIER, None, None, False),
        # done, yet found again: proposed afresh
        ("approve", "done", NOW, None, None, False),
    ],
)
def test_what_a_remembered_mark_does(
    decision: str,
    status: str | None,
    month: str,
    change: str | None,
    hidden: str | None,
    carried: bool,
) -> None:
    store = _store()
    decisions, traces = _frames(
        fingerprint="fp2" if change == "fingerprint" else "fp1",
        rule="retention.contact" if change == "reason" else "retention.order",
    )
    mark = _mark(store, decision, status, month)
    memory = remembered(decisions, traces, {mark.trace_key: mark}, store, NOW)
    assert (memory.hidden["src:1"].state if "src:1" in memory.hidden else None) == hidden
    assert ("src:1" in memory.carried) == carried
    if hidden:
        assert memory.hidden["src:1"].note == "syy"


@given(
    decision=st.sampled_from(["approve", "reject", "postpone"]),
    status=st.sampled_from([None, "manual", "done"]),
    month=st.sampled_from([NOW, EARLIER]),
)
def test_a_changed_trace_is_always_proposed_again(
    decision: str, status: str | None, month: str
) -> None:
    """Whatever was decided, a trace whose content changed is asked about afresh."""
    store = _store()
    decisions, traces = _frames(fingerprint="changed")
    mark = _mark(store, decision, status, month)
    memory = remembered(decisions, traces, {mark.trace_key: mark}, store, NOW)
    assert not memory.hidden
    assert not memory.carried


def test_the_store_appends_only_what_changes_a_trace_state(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flows.decisions import Mark, open_store

    mark = Mark("src:1", "fp1", "retention.order", "approve", NOW)
    with open_store(tmp_path) as store:
        assert store.record([mark], "review", None) == 1
        assert store.record([mark], "review", None) == 0
        done = Mark("src:1", "fp1", "retention.order", "approve", NOW, status="manual")
        assert store.record([done], "apply", "p") == 1
        # a review reading the same approval again does not undo apply's outcome
        assert store.record([mark], "review", None) == 0
        assert store.latest()[store.trace_key("src:1")].status == "manual"
        assert store.record([Mark("src:1", "fp1", "", "unknown", NOW)], "apply", "p") == 0
