"""Identity resolution: strong keys join, names never do, conflicts go to review."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from policies.identity import components, resolve
from policies.testing import make_traces

CUSTOMER = {"reg": ["order"], "muu": ["order"]}


def subjects(rows: list[dict[str, Any]], **kwargs: Any) -> pd.DataFrame:
    return resolve(make_traces(rows), kwargs.pop("kinds", CUSTOMER), **kwargs).set_index("trace_id")


def same(frame: pd.DataFrame, *ids: str) -> bool:
    return frame.loc[list(ids), "subject_id"].nunique() == 1


def test_email_case_and_whitespace_join() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "email": "  Matti.Virtanen@Example.FI "},
            {"trace_id": "b", "email": "matti.virtanen@example.fi"},
            {"trace_id": "c", "email": "mailto:MATTI.VIRTANEN@example.fi"},
        ]
    )
    assert same(s, "a", "b", "c")
    assert s["review_reason"].isna().all()


def test_phone_formats_join() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "phone": "040 509 7337"},
            {"trace_id": "b", "phone": "+358 40 509 7337"},
            {"trace_id": "c", "phone": "00358405097337"},
            {"trace_id": "d", "phone": "040-5097337"},
            {"trace_id": "e", "phone": "040 509 7338"},
        ]
    )
    assert same(s, "a", "b", "c", "d")
    assert not same(s, "a", "e")


def test_multi_valued_cells_join_transitively() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "email": "koti@x.fi"},
            {"trace_id": "b", "email": "koti@x.fi;tyo@y.fi"},
            {"trace_id": "c", "email": "tyo@y.fi", "phone": "0401234567"},
            {"trace_id": "d", "phone": "+358401234567"},
        ]
    )
    assert same(s, "a", "b", "c", "d")


def test_names_with_diacritics_join_only_through_keys() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "name": "Järvinen, Matti", "email": "mj@x.fi"},
            {"trace_id": "b", "name": "matti JARVINEN", "email": "MJ@x.fi"},
            {"trace_id": "c", "kind": "order", "name": "Matti Järvinen", "email": "other@x.fi"},
        ]
    )
    assert same(s, "a", "b")
    assert not same(s, "a", "c")  # same name, different e-mail: two people, no review
    assert s["review_reason"].isna().all()


def test_name_only_match_goes_to_review() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "name": "Liisa Öhman", "email": "l@x.fi"},
            {"trace_id": "b", "name": "ÖHMAN LIISA"},  # no strong key at all
            {"trace_id": "c", "name": "Pekka Puupää"},  # no key, no match
        ]
    )
    assert not same(s, "a", "b")  # names never join
    assert s.loc["b", "review_code"] == "no_key"
    assert "nimi täsmää asiakkaaseen" in s.loc["b", "review_reason"]
    assert "matches a customer" in s.loc["b", "review_reason_en"]
    assert pd.isna(s.loc["a", "review_reason"])
    # No key and no match: still never decided alone, but no match is claimed.
    assert s.loc["c", "review_code"] == "no_key"
    assert "täsmää" not in s.loc["c", "review_reason"]
    assert not s.loc[["b", "c"], "in_scope"].any()


def test_non_customer_card_with_a_customers_name_goes_to_review() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "name": "Liisa Öhman", "email": "l@x.fi"},
            # The phone's card: another address, no customer history, the same name.
            {"trace_id": "b", "name": "Liisa Ohman", "email": "liisa.koti@y.fi"},
            # Two customers of one name are two customers: each decided on its own data.
            {"trace_id": "c", "kind": "order", "name": "Liisa Öhman", "email": "toinen@z.fi"},
        ]
    )
    assert not same(s, "a", "b")
    assert "vain nimi" in s.loc["b", "review_reason"]
    assert s.loc["b", "review_code"] == "name_match"
    assert pd.isna(s.loc["a", "review_reason"])
    assert pd.isna(s.loc["c", "review_reason"])


def test_conflicting_hetu_goes_to_review() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "email": "perhe@x.fi", "hetu": "131052-308T"},
            {"trace_id": "b", "email": "perhe@x.fi", "hetu": "010594Y9021"},
            {"trace_id": "c", "kind": "order", "email": "yksin@x.fi", "hetu": "131052-308T"},
        ]
    )
    assert same(s, "a", "b", "c")  # one e-mail and one hetu chain them together
    assert s["review_reason"].str.contains("henkilötunnus").all()
    assert (s["review_code"] == "identity_conflict").all()


def test_customer_numbers_are_keyed_by_source() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "source": "kauppa", "customer_no": "17"},
            {"trace_id": "b", "source": "kauppa", "customer_no": "17", "email": "b@x.fi"},
            {"trace_id": "c", "source": "kirjanpito", "customer_no": "17"},
        ]
    )
    assert same(s, "a", "b")
    assert not same(s, "a", "c")


def test_subjects_are_per_register() -> None:
    s = subjects(
        [
            {"trace_id": "a", "kind": "order", "email": "a@x.fi", "register": "reg"},
            {"trace_id": "b", "kind": "order", "email": "a@x.fi", "register": "muu"},
        ]
    )
    assert not same(s, "a", "b")


def test_only_customers_are_in_scope() -> None:
    rows = [
        {"trace_id": "a", "kind": "order", "email": "a@x.fi"},
        {"trace_id": "b", "kind": "contact", "email": "a@x.fi"},
        {"trace_id": "f", "kind": "contact", "email": "ystava@x.fi", "source": "puhelin"},
        {"trace_id": "g", "kind": "contact", "email": "asiakas@x.fi", "source": "asiakkaat"},
    ]
    s = subjects(rows)
    assert s.loc["b", "in_scope"]
    assert not s.loc["f", "in_scope"]
    assert not s.loc["g", "in_scope"]
    with_source = subjects(rows, customer_sources=frozenset({"asiakkaat"}))
    assert with_source.loc["g", "in_scope"]
    assert not with_source.loc["f", "in_scope"]


def test_subject_ids_are_stable_and_reveal_nothing() -> None:
    rows = [
        {"trace_id": "src:1", "kind": "order", "email": "salainen@x.fi", "hetu": "131052-308T"},
        {"trace_id": "src:2", "phone": "0401234567", "email": "salainen@x.fi"},
    ]
    first = subjects(rows)
    again = subjects(list(reversed(rows)))
    assert first.loc["src:1", "subject_id"] == again.loc["src:1", "subject_id"]
    sid = first.loc["src:1", "subject_id"]
    assert re.fullmatch(r"s-[0-9a-f]{16}", sid)
    for value in ("salainen", "131052", "401234567"):
        assert value not in sid


def test_components_follow_long_chains() -> None:
    n = 2000
    pos = np.concatenate([np.arange(n - 1), np.arange(1, n)])
    keys = np.concatenate([np.arange(n - 1), np.arange(n - 1)])  # trace i and i+1 share key i
    labels = components(n, pos, keys)
    assert (labels == 0).all()


def test_twenty_thousand_traces_resolve() -> None:
    n = 20_000
    rng = np.random.default_rng(7)
    people = rng.integers(0, 6_000, n)
    traces = make_traces(
        [
            {
                "trace_id": f"t{i}",
                "kind": "order" if i % 3 else "contact",
                "email": f"p{p}@x.fi",
                "customer_no": str(p % 1000) if i % 7 == 0 else None,
            }
            for i, p in enumerate(people)
        ],
        validate=False,
    )
    out = resolve(traces, CUSTOMER)
    assert len(out) == n
    # Customer numbers join some e-mail groups, never split one.
    by_person = pd.Series(out["subject_id"].to_numpy()).groupby(people).nunique()
    assert (by_person == 1).all()
