"""The demo's decisions scored against its own manifest (issue #8).

Every demo business is read and decided as the monthly review does (without
Prefect: flows.demo.score.decide_business), and each decision is compared
with the truth the generator recorded for the person it concerns: no
wrongful deletion, at least 99 % of what is due proposed. With the invoice
export unreadable (the broken-invoice variant), nothing is proposed at all.
The scorer itself is tested first, on small frames, so a green score means
something.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.demo import BusinessManifest, DemoManifest, PersonTruth, RecordTruth, build_demo
from flows.demo.score import BusinessScore, TraceScore, score, score_demo, truth_of

TODAY = date(2026, 11, 1)
SEED = 2026
BUSINESSES = ("kohonen", "kallio", "leoprana", "kehobalanssi", "prover")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo(tmp_path_factory.mktemp("demo-score"), TODAY, SEED)


@pytest.fixture(scope="module")
def scores(demo: DemoManifest) -> dict[str, BusinessScore]:
    return score_demo(demo)


# ------------------------------------------------------------- the scorer


def _person(key: str, expect: str | None, **kw: object) -> PersonTruth:
    return PersonTruth(key, "X", f"{key}@example.fi", None, expect=expect, **kw)  # type: ignore[arg-type]


def _business(*persons: PersonTruth) -> BusinessManifest:
    return BusinessManifest("b", "B", Path("."), "r", [], list(persons), True)


def _frame(rows: list[tuple[str, str, str, str | None, str | None, str]]) -> pd.DataFrame:
    """(trace_id, source, kind, email, locator uid, decision) -> (traces, decisions)."""
    return pd.DataFrame(
        {
            "trace_id": [r[0] for r in rows],
            "source": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "email": [r[3] for r in rows],
            "phone": [None for _ in rows],
            "locator": [json.dumps({"file": "f", "uid": r[4]}) if r[4] else "{}" for r in rows],
            "decision": [r[5] for r in rows],
        }
    )


@pytest.mark.parametrize(
    ("expect", "by_source", "record", "source", "kind", "truth"),
    [
        ("delete", {}, None, "tilaukset", "order", "delete"),
        ("delete", {}, None, "laskut", "invoice", "keep"),  # bookkeeping is kept by law
        ("delete", {}, None, "asiakaskortit", "client_record", "hold"),
        ("delete", {}, None, "poistopyynnot", "erasure_request", "keep"),
        ("delete", {"uutiskirje": "keep"}, None, "uutiskirje", "marketing", "keep"),
        ("keep", {"uutiskirje": "delete"}, None, "uutiskirje", "marketing", "delete"),
        ("delete", {"uutiskirje": None}, None, "uutiskirje", "marketing", None),
        ("keep", {}, RecordTruth("kalenteri", {"uid": "u"}, "review"), "kalenteri", "x", "review"),
        (None, {}, None, "tilaukset", "order", None),
        (None, {}, None, "laskut", "invoice", None),
        ("never", {}, None, "yhteystiedot", "contact", "never"),
    ],
)
def test_truth_of_a_trace(
    expect: str | None,
    by_source: dict[str, str | None],
    record: RecordTruth | None,
    source: str,
    kind: str,
    truth: str | None,
) -> None:
    person = _person("p", expect, by_source=by_source)
    assert truth_of(person, record, source, kind) == truth


def test_score_counts_wrongful_missed_and_unowned_deletions() -> None:
    due = _person("due", "delete")
    kept = _person("kept", "keep", records=[RecordTruth("cal", {"uid": "U1"}, "review")])
    frame = _frame(
        [
            ("t1", "orders", "order", "due@example.fi", None, "delete"),
            ("t2", "orders", "order", "due@example.fi", None, "review"),  # missed
            ("t3", "orders", "order", "kept@example.fi", None, "delete"),  # wrongful
            ("t4", "cal", "appointment", None, "U1", "delete"),  # keyless, by UID: wrongful
            ("t5", "orders", "order", "stranger@example.fi", None, "delete"),  # nobody's
            ("t6", "orders", "order", "stranger@example.fi", None, "keep"),  # not scored
        ]
    )
    result = score(_business(due, kept), frame, frame[["trace_id", "decision"]])
    assert [t.trace_id for t in result.wrongful] == ["t3", "t4", "t5"]
    assert [t.trace_id for t in result.missed] == ["t2"]
    assert result.recall == 0.5
    assert {t.trace_id: t.person for t in result.traces}["t4"] == "kept"
    text = result.summary()
    assert "X" not in text.replace("x2", "")  # names never, person keys only
    assert "due@example.fi" not in text


def test_a_trace_whose_keys_name_two_people_is_nobodys() -> None:
    a, b = _person("a", "delete"), _person("b", "delete")
    frame = _frame([("t1", "orders", "order", "a@example.fi;b@example.fi", None, "delete")])
    result = score(_business(a, b), frame, frame[["trace_id", "decision"]])
    assert result.traces[0].person is None
    assert len(result.wrongful) == 1


def test_nothing_due_is_full_recall() -> None:
    assert BusinessScore("b", "r").recall == 1.0


# ------------------------------------------------------- the demo's truth


def test_every_situation_of_issue_8_is_in_the_demo(demo: DemoManifest) -> None:
    wanted = {
        "garbage_date": {"kohonen", "kallio", "kehobalanssi", "prover"},
        "landline": set(BUSINESSES),
        "keyless_calendar": {"kohonen", "leoprana", "prover"},
        "resubscribed": {"kallio", "leoprana", "kehobalanssi", "prover"},
    }
    for tag, businesses in wanted.items():
        have = {key for key, b in demo.businesses.items() if b.tagged(tag)}
        assert have == businesses, tag
    for key, business in demo.businesses.items():
        for person in business.tagged("keyless_calendar"):
            assert person.records, f"{key}:{person.key}"
            assert all(r.expect == "review" for r in person.records)
        entries = sum(len(p.records) for p in business.tagged("keyless_calendar"))
        assert entries in ((0,) if key in ("kallio", "kehobalanssi") else (2, 3, 4))
        for person in business.tagged("landline"):
            assert person.phone is not None
            assert not person.phone.startswith(("+3584", "+35850")), "a mobile, not a landline"
        for person in business.tagged("resubscribed"):
            assert person.expect == "delete"
            assert "keep" in person.by_source.values()


def _record_traces(business: BusinessManifest, result: BusinessScore) -> list[TraceScore]:
    """The traces the manifest knows by place (calendar UIDs), as the scorer found them."""
    places = {(p.key, r.source) for p in business.persons for r in p.records}
    return [t for t in result.traces if (t.person, t.source) in places and t.truth == "review"]


def test_keyless_entries_are_attributed_by_uid(
    demo: DemoManifest, scores: dict[str, BusinessScore]
) -> None:
    for key, business in demo.businesses.items():
        wanted = sum(len(p.records) for p in business.persons)
        assert len(_record_traces(business, scores[key])) == wanted, key


def test_landline_customers_are_found_in_the_files(
    demo: DemoManifest, scores: dict[str, BusinessScore]
) -> None:
    for key, business in demo.businesses.items():
        for person in business.tagged("landline"):
            mine = [t for t in scores[key].traces if t.person == person.key]
            assert len({t.source for t in mine}) >= 2, f"{key}:{person.key}"


# ------------------------------------------------- the score (intended engine)


@pytest.mark.parametrize("key", BUSINESSES)
def test_no_wrongful_deletion(scores: dict[str, BusinessScore], key: str) -> None:
    result = scores[key]
    assert not result.wrongful, result.summary()


@pytest.mark.parametrize("key", BUSINESSES)
def test_at_least_99_percent_of_what_is_due_is_proposed(
    scores: dict[str, BusinessScore], key: str
) -> None:
    result = scores[key]
    assert result.due, f"{key}: the demo has nothing due"
    assert result.recall >= 0.99, result.summary()


def test_keyless_calendar_entries_go_to_review(
    demo: DemoManifest, scores: dict[str, BusinessScore]
) -> None:
    for key, business in demo.businesses.items():
        entries = _record_traces(business, scores[key])
        assert all(t.decision == "review" for t in entries), [str(t) for t in entries]


def test_resubscribed_former_customers_keep_their_consent(
    demo: DemoManifest, scores: dict[str, BusinessScore]
) -> None:
    for key, business in demo.businesses.items():
        for person in business.tagged("resubscribed"):
            mine = [t for t in scores[key].traces if t.person == person.key]
            consents = [t for t in mine if t.kind == "marketing"]
            assert consents, key
            assert all(t.decision == "keep" for t in consents), [str(t) for t in consents]
            due = [t for t in mine if t.truth == "delete"]
            assert due, key
            assert all(t.decision == "delete" for t in due), [str(t) for t in due]


@pytest.mark.slow
def test_an_unreadable_invoice_export_means_no_deletion_in_its_register(
    tmp_path: Path,
) -> None:
    from connectors.base import read_source
    from flows.workspace import load_workspace

    broken = build_demo(tmp_path, TODAY, SEED, broken_invoices=True)
    for key, business in broken.businesses.items():
        invoices = next(s for s in business.sources if s.kind == "invoice")
        (spec,) = [s for s in load_workspace(business.workspace).sources if s.id == invoices.id]
        assert read_source(spec).unreadable, f"{key}: the renamed header was read"
    for key, result in score_demo(broken).items():
        assert not result.deletions, f"{key}: {len(result.deletions)} deletions"
