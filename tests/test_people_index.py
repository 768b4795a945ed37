"""The index made once for a day's many requests (flows.requests.PeopleIndex) gives
every person the same subjects and the same view as the plain per-person search."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from flows.requests import (
    PeopleIndex,
    Person,
    find_subjects,
    logged_requests,
    person_view,
)
from flows.review import Observation, observe
from flows.workspace import load_workspace

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module", params=["kohonen", "prover"])
def seen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Observation:
    from flows.demo import build_demo

    manifest = build_demo(tmp_path_factory.mktemp("index") / "demo", TODAY, 2026)
    seen = observe(load_workspace(manifest.businesses[request.param].workspace), TODAY)
    return _with_a_family(seen)


def _with_a_family(seen: Observation) -> Observation:
    """One e-mail address used by two people: a subject's trace gets a second name."""
    decisions = seen.evaluation.decisions
    counts = decisions.groupby("subject_id")["trace_id"].count()
    subject = counts[counts > 2].index[0]
    trace = decisions.loc[decisions["subject_id"] == subject, "trace_id"].iloc[0]
    traces = seen.traces.copy()
    at = traces["trace_id"] == trace
    traces.loc[at, "name_key"] = "toinen perheenjasen"
    traces.loc[at, "name"] = "Toinen Perheenjäsen"
    return dataclasses.replace(seen, traces=traces)


def _people(seen: Observation) -> list[Person]:
    """Every logged request's person, and every subject's first e-mail as a key."""
    people = [Person(row=(r.source, r.row)) for r in logged_requests(seen) if r.row]
    emails = seen.traces[["email"]].dropna().drop_duplicates()["email"].astype(str)
    people += [Person(keys=frozenset({("email", str(e))})) for e in emails]
    return people


def test_the_index_finds_the_same_subjects_and_views(
    seen: Observation, request: pytest.FixtureRequest
) -> None:
    index = PeopleIndex(seen)
    shared = loose = 0
    people = _people(seen)
    assert len(people) > 20
    for person in people:
        subjects = find_subjects(seen, person)
        assert find_subjects(seen, person, index) == subjects, person
        plain, fast = person_view(seen, subjects), person_view(seen, subjects, index)
        key = ["trace_id"]
        left = plain.decisions.sort_values(key).reset_index(drop=True)
        right = fast.decisions.sort_values(key).reset_index(drop=True)
        assert left.astype(str).equals(right.astype(str)), person
        assert set(plain.traces["trace_id"]) == set(fast.traces["trace_id"])
        assert (plain.shared, plain.name_only, plain.erasure_received, plain.registers) == (
            fast.shared,
            fast.name_only,
            fast.erasure_received,
            fast.registers,
        )
        shared += plain.shared
        loose += plain.name_only > 0
    assert shared  # the family above
    if request.node.callspec.params["seen"] == "kohonen":
        assert loose  # the calendar's name-only entries
