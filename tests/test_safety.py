"""The run-level safety rule (policies.safety): a faulty read blocks only what it can touch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import Problem, ReadResult, SourceSpec
from connectors.errors import UnreadableSource
from policies.engine import evaluate
from policies.examples import example_path
from policies.law import load_statutory_rules
from policies.safety import (
    HOLD_SOURCE_UNREADABLE,
    ROW_PROBLEM,
    SOURCE_BLOCKED,
    apply_safety,
    carries_hold,
)
from policies.schema import load_policy
from policies.testing import make_traces

TODAY = date(2026, 11, 1)
LAW = load_statutory_rules()
POLICY = load_policy(example_path("kohonen"), LAW)
POLICIES = {"a": POLICY, "b": POLICY}
OLD = "2025-03-14"  # orders this old are due under kohonen's "2 kk after the last order"

KINDS = {"tilaukset": ("spreadsheet", "order"), "laskut": ("accounting", "invoice")}


def order(source: str, row: int, register: str = "a", **fields: Any) -> dict[str, Any]:
    return {
        "trace_id": f"{source}:{row}",
        "source": source,
        "register": register,
        "kind": KINDS.get(source, ("spreadsheet", "order"))[1],
        "event_date": OLD,
        "locator": f'{{"file": "{source}.csv", "row": {row}}}',
        **fields,
    }


def problem(source: str, row: int | None, role: str | None, severity: str = "error") -> Problem:
    field = {"event_date": "Päivä", "emails": "Sähköposti", "other": "Summa"}.get(role or "", "X")
    return Problem(f"{source}.csv", row, field, "broken", False, role, severity)


def reads(
    rows: Sequence[Mapping[str, Any]],
    problems: Iterable[Problem] = (),
    unreadable: Iterable[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, list[ReadResult]]:
    """Traces and one ReadResult per source, with the row index a connector's read gives."""
    traces = make_traces(rows)
    by_source: dict[str, list[Problem]] = {}
    for p in problems:
        by_source.setdefault(p.file.removesuffix(".csv"), []).append(p)
    results = []
    sources = {str(r["source"]): str(r.get("register", "a")) for r in rows}
    for source, register in [*sources.items(), *unreadable]:
        connector, kind = KINDS.get(source, ("spreadsheet", "order"))
        spec = SourceSpec(
            id=source, connector=connector, path=Path(f"{source}.csv"), register=register
        )
        mine = traces[traces["source"] == source]
        index = pd.DataFrame(
            {
                "row": pd.Series([int(t.split(":")[1]) for t in mine["trace_id"]], dtype="Int64"),
                "trace_id": mine["trace_id"].astype("string").to_numpy(),
            }
        )
        error = None
        if (source, register) in list(unreadable):
            error = UnreadableSource(f"{source}.csv", "column 'Tila' not found")
            mine = mine.iloc[0:0]
        results.append(
            ReadResult(spec, mine, by_source.get(source, []), error, index, default_kind=kind)
        )
    return traces, results


def decide(
    rows: Sequence[Mapping[str, Any]],
    problems: Iterable[Problem] = (),
    unreadable: Iterable[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, Any]:
    traces, results = reads(rows, problems, unreadable)
    readable = traces[~traces["source"].isin([s for s, _ in unreadable])]
    evaluation = evaluate(readable, POLICIES, LAW, TODAY)
    out, report = apply_safety(evaluation.decisions, readable, results, POLICIES, LAW)
    return out.set_index("trace_id"), report


PEOPLE = [
    order("tilaukset", 2, email="maija@example.fi", name="Maija Mehiläinen"),
    order("tilaukset", 3, email="pekka@example.fi", name="Pekka Puupää"),
    order("verkkokauppa", 2, email="maija@example.fi"),
    order("verkkokauppa", 3, phone="040 765 4321", name="Kalle Könönen"),
]


def test_everyone_is_due_without_problems() -> None:
    decisions, report = decide(PEOPLE)
    assert set(decisions["decision"]) == {"delete"}
    assert report.registers == []
    assert report.sources == []


def test_a_row_problem_with_an_email_blocks_only_that_person() -> None:
    decisions, report = decide(PEOPLE, [problem("tilaukset", 2, "event_date")])
    assert decisions.loc["tilaukset:2", "decision"] == "review"
    assert decisions.loc["tilaukset:2", "review_code"] == ROW_PROBLEM
    # Her trace in another source is tied by her e-mail.
    assert decisions.loc["verkkokauppa:2", "decision"] == "review"
    assert "tilaukset.csv, row 2" in decisions.loc["verkkokauppa:2", "review_reason"]
    # The others are untouched.
    assert decisions.loc["tilaukset:3", "decision"] == "delete"
    assert decisions.loc["verkkokauppa:3", "decision"] == "delete"
    assert report.blocked == {ROW_PROBLEM: 2}


def test_a_faulty_row_with_only_a_name_blocks_by_the_folded_name() -> None:
    rows = [
        *PEOPLE,
        order("tilaukset", 4, name="KÖNÖNEN, Kalle"),  # its e-mail was unreadable
    ]
    decisions, _ = decide(rows, [problem("tilaukset", 4, "emails")])
    assert decisions.loc["verkkokauppa:3", "decision"] == "review"  # same folded name
    assert decisions.loc["tilaukset:2", "decision"] == "delete"


def test_a_keyless_faulty_row_blocks_its_whole_source() -> None:
    decisions, report = decide(PEOPLE, [problem("tilaukset", 9, "event_date")])
    assert decisions.loc["tilaukset:2", "review_code"] == SOURCE_BLOCKED
    assert decisions.loc["tilaukset:3", "decision"] == "review"
    # Maija has a trace in the blocked source: her other trace waits too.
    assert decisions.loc["verkkokauppa:2", "decision"] == "review"
    # Kalle has nothing in it.
    assert decisions.loc["verkkokauppa:3", "decision"] == "delete"
    (block,) = report.sources
    assert block.problems == ("tilaukset.csv, row 9, field 'Päivä': broken",)


def test_a_problem_without_a_row_is_a_lost_row() -> None:
    decisions, report = decide(PEOPLE, [problem("tilaukset", None, None)])
    assert decisions.loc["tilaukset:3", "review_code"] == SOURCE_BLOCKED
    assert [b.source for b in report.sources] == ["tilaukset"]


@pytest.mark.parametrize(
    "bad",
    [
        problem("tilaukset", 2, "other"),  # an amount or a note
        problem("tilaukset", 9, "other"),  # even on a row with no trace
        problem("tilaukset", 2, "phones", severity="warning"),
        problem("tilaukset", 9, None, severity="warning"),
    ],
    ids=["amount", "amount-keyless", "warning", "warning-keyless"],
)
def test_harmless_problems_block_nothing(bad: Problem) -> None:
    decisions, report = decide(PEOPLE, [bad])
    assert set(decisions["decision"]) == {"delete"}
    assert report.blocked == {}


def test_unreadable_invoice_source_stops_deletions_in_its_register_only() -> None:
    rows = [*PEOPLE, order("muut", 2, register="b", email="liisa@example.fi")]
    decisions, report = decide(rows, unreadable=[("laskut", "a")])
    in_a = decisions[decisions["register"] == "a"]
    assert set(in_a["decision"]) == {"review"}
    assert set(in_a["review_code"]) == {HOLD_SOURCE_UNREADABLE}
    assert "laskut.csv" in in_a["review_reason"].iloc[0]
    assert decisions.loc["muut:2", "decision"] == "delete"
    (block,) = report.registers
    assert (block.register, block.cause) == ("a", "unreadable")
    assert block.text("fi").startswith("Laskutiedostoa laskut.csv ei voitu lukea")
    assert "column 'Tila' not found" in block.text("fi")
    assert "could not be read" in block.text("en")


def test_lost_rows_in_an_invoice_source_stop_its_register() -> None:
    rows = [*PEOPLE, order("laskut", 2, email="maija@example.fi", status="paid")]
    decisions, report = decide(rows, [problem("laskut", 7, "status")])
    in_a = decisions[decisions["register"] == "a"]
    assert "delete" not in set(in_a["decision"])
    assert report.registers[0].cause == "lost_rows"


def test_an_unreadable_order_file_is_not_a_hold_source() -> None:
    assert not carries_hold({"order"}, POLICY, LAW)
    assert carries_hold({"invoice"}, POLICY, LAW)
    assert carries_hold({"client_record"}, POLICY, LAW)
    decisions, report = decide(PEOPLE, unreadable=[("kadonnut", "a")])
    assert set(decisions["decision"]) == {"delete"}
    assert report.registers == []


# ---------------------------------------------------------------- properties

EMAILS = [f"p{i}@example.fi" for i in range(5)]
NAMES = ["Anna Aalto", "Bertta Berg", "Cecilia Cox", None]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Problem]]:
    count = draw(st.integers(2, 12))
    rows = []
    for n in range(count):
        source = draw(st.sampled_from(["s1", "s2"]))
        email = draw(st.sampled_from([*EMAILS, None]))
        name = draw(st.sampled_from(NAMES))
        fields: dict[str, Any] = {"name": name}
        if email:
            fields["email"] = email
        rows.append(order(source, n + 2, register=draw(st.sampled_from(["a", "b"])), **fields))
    faulty = draw(st.lists(st.integers(2, count + 1), max_size=3, unique=True))
    problems = [
        problem(str(rows[r - 2]["source"]), r, draw(st.sampled_from(["event_date", "emails"])))
        for r in faulty
    ]
    return rows, problems


def _tied_subjects(decisions: pd.DataFrame, traces: pd.DataFrame, faulty: set[str]) -> set[str]:
    """The oracle: subjects a faulty row's trace reaches by its own subject, key or name."""
    t = traces.set_index("trace_id")
    reach: set[str] = set()
    for trace_id in faulty:
        me = t.loc[trace_id]
        same = t["register"] == me["register"]
        if pd.notna(me["email"]):
            hits = t[same & (t["email"] == me["email"])].index
        elif pd.notna(me["name_key"]):
            hits = t[same & (t["name_key"] == me["name_key"])].index
        else:
            hits = pd.Index([trace_id])
        reach |= set(decisions.loc[[trace_id, *hits], "subject_id"].dropna())
    return reach


@settings(max_examples=20)
@given(scenarios())
def test_a_faulty_row_blocks_at_most_whom_it_can_be_tied_to(
    scenario: tuple[list[dict[str, Any]], list[Problem]],
) -> None:
    rows, problems = scenario
    before, _ = decide(rows)
    after, _ = decide(rows, problems)
    traces = make_traces(rows)
    faulty = {f"{p.file.removesuffix('.csv')}:{p.row}" for p in problems}
    faulty = {f for f in faulty if f in set(traces["trace_id"])}
    keyed = traces.set_index("trace_id").loc[list(faulty), ["email", "name_key"]]
    if keyed.isna().all(axis=1).any():
        return  # a keyless faulty row blocks its source: covered by the example tests
    changed = after[(before["decision"] == "delete") & (after["decision"] != "delete")]
    assert set(changed["subject_id"]) <= _tied_subjects(before, traces, faulty)
    # ... and every faulty row's own deletion is blocked.
    for trace_id in faulty:
        assert after.loc[trace_id, "decision"] != "delete"


@settings(max_examples=15)
@given(scenarios(), st.sampled_from(["a", "b"]))
def test_an_unreadable_hold_source_leaves_no_deletion_in_its_register(
    scenario: tuple[list[dict[str, Any]], list[Problem]], register: str
) -> None:
    rows, problems = scenario
    after, report = decide(rows, problems, unreadable=[("laskut", register)])
    assert "delete" not in set(after.loc[after["register"] == register, "decision"])
    assert report.blocked_registers == {register}


def _touched_by_key_texts(traces: pd.DataFrame, tied: set[str]) -> pd.Series:
    """The rule as first written: a "column:key" text for every key of every trace."""
    from connectors.trace import split_multi
    from policies.safety import KEY_COLUMNS

    def keys(frame: pd.DataFrame) -> set[tuple[str, str]]:
        return {
            (column, part)
            for column in KEY_COLUMNS
            for value in frame[column].dropna()
            for part in split_multi(value)
        }

    faulty = traces["trace_id"].isin(tied)
    touched = faulty.copy()
    for register in traces.loc[faulty, "register"].unique():
        in_register = traces["register"] == register
        mine = traces[faulty & in_register]
        wanted = keys(mine)
        for i in range(len(traces)):
            if in_register.iloc[i] and keys(traces.iloc[[i]]) & wanted:
                touched.iloc[i] = True
        keyless = mine[mine[list(KEY_COLUMNS)].isna().all(axis=1)]
        names = set(keyless["name_key"].dropna())
        if names:
            touched |= in_register & traces["name_key"].isin(names)
    return touched


KEY_CELLS = st.sampled_from([None, "a@x.fi", " a@x.fi", "b@x.fi", "a@x.fi;b@x.fi", "c@x.fi; ", ";"])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            KEY_CELLS,
            st.sampled_from([None, "+358401", "+358402;+358401"]),
            st.sampled_from(["r1", "r2"]),
            st.sampled_from([None, "maija", "pekka"]),
        ),
        min_size=1,
        max_size=8,
    ),
    faulty=st.sets(st.integers(0, 7), max_size=3),
)
def test_the_people_a_faulty_row_touches_are_found_by_its_keys(
    rows: list[tuple[Any, Any, str, Any]], faulty: set[int]
) -> None:
    """Whom a faulty row blocks: every trace of its register sharing a key (a
    ';'-joined cell split, blanks stripped), or its folded name when it has no key."""
    from policies.safety import _touched

    traces = pd.DataFrame(
        {
            "trace_id": [f"t{i}" for i in range(len(rows))],
            "email": pd.array([r[0] for r in rows], dtype="string"),
            "phone": pd.array([r[1] for r in rows], dtype="string"),
            "hetu": pd.array([None] * len(rows), dtype="string"),
            "customer_no": pd.array([None] * len(rows), dtype="string"),
            "register": pd.array([r[2] for r in rows], dtype="string"),
            "name_key": pd.array([r[3] for r in rows], dtype="string"),
        }
    )
    tied = {f"t{i}" for i in faulty if i < len(rows)}
    got = _touched(traces, tied)
    assert got.tolist() == _touched_by_key_texts(traces, tied).tolist()
