"""The five seed notices as example policies: each loads, and its rules give the notice's periods.

Each test quotes the sentence of the seed notice (../shared/seeds) it checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from policies.engine import Evaluation, evaluate
from policies.examples import EXAMPLE_NAMES, example_names, example_path
from policies.law import load_statutory_rules
from policies.schema import RegisterPolicy, load_policy
from policies.testing import make_traces

LAW = load_statutory_rules()

#: The kinds the demo data generator relies on (keep them in the examples).
KINDS = {
    "kohonen": (
        {"order", "engagement", "contact", "invoice", "erasure_request", "access_request"},
        {"order", "engagement", "invoice"},
    ),
    "kallio": (
        {
            "appointment",
            "client_record",
            "marketing",
            "contact",
            "invoice",
            "erasure_request",
            "access_request",
        },
        {"appointment", "client_record", "invoice"},
    ),
    "leoprana": (
        {"appointment", "contact", "marketing", "invoice", "erasure_request", "access_request"},
        {"appointment", "invoice"},
    ),
    "kehobalanssi": (
        {"order", "contact", "marketing", "invoice", "erasure_request", "access_request"},
        {"order", "invoice"},
    ),
    "prover": (
        {
            "contact",
            "appointment",
            "engagement",
            "summary",
            "marketing",
            "invoice",
            "erasure_request",
            "access_request",
        },
        {"engagement", "appointment", "invoice"},
    ),
}


def policy(name: str) -> RegisterPolicy:
    return load_policy(example_path(name))


def run(name: str, rows: list[dict[str, Any]], today: date) -> Evaluation:
    traces = make_traces([{"register": name, **row} for row in rows])
    return evaluate(traces, {name: policy(name)}, LAW, today)


def decision(ev: Evaluation, trace_id: str) -> pd.Series:
    return ev.decisions.set_index("trace_id").loc[trace_id]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_loads_with_the_declared_kinds(name: str) -> None:
    loaded = policy(name)
    kinds, customer = KINDS[name]
    assert set(loaded.retention) == kinds
    assert set(loaded.customer_kinds) == customer
    assert loaded.notice.refers_to_henkilotietolaki  # all five cite the repealed act
    for rule in loaded.retention.values():
        assert rule.kuvaus


def test_example_names_and_paths() -> None:
    assert example_names() == ["kohonen", "kallio", "leoprana", "kehobalanssi", "prover"]
    assert example_path("prover").name == "prover.yaml"
    with pytest.raises(KeyError):
        example_path("ei_ole")


def test_kohonen_orders_two_months_after_the_last_order() -> None:
    """000: "Tuotteiden tilauksessa henkilötietoja säilytetään kaksi kk viimeisestä
    tilauksesta tilauksen mahdollisen uusiutumisen vuoksi." """
    rows = [
        {"trace_id": "o1", "kind": "order", "email": "a@x.fi", "event_date": "2026-06-14"},
        {"trace_id": "o2", "kind": "order", "email": "a@x.fi", "event_date": "2026-08-14"},
    ]
    before = run("kohonen", rows, date(2026, 10, 13))
    assert set(before.decisions["decision"]) == {"keep"}
    on_day = run("kohonen", rows, date(2026, 10, 14))
    assert set(on_day.decisions["decision"]) == {"delete"}
    first = decision(on_day, "o1")
    assert first["due_date"] == pd.Timestamp("2026-10-14")
    assert first["rule_text_fi"] == (
        "Tilaustiedot: 2 kk viimeisestä tilauksesta — viimeisin tilaus 14.8.2026"
    )


def test_kohonen_coaching_three_months_after_it_ended() -> None:
    """000: "Valmennussuhteita koskien tietoja säilytetään kolme kuukautta, jotta laskutus on
    suoritettu sekä mahdollisen takaisinpaluun vuoksi" """
    rows = [
        {
            "trace_id": "e1",
            "kind": "engagement",
            "email": "b@x.fi",
            "event_date": "2025-09-01",
            "end_date": "2026-05-31",
            "status": "ended",
        },
        {
            "trace_id": "e2",
            "kind": "engagement",
            "email": "c@x.fi",
            "event_date": "2024-01-01",
            "status": "active",
        },
    ]
    ev = run("kohonen", rows, date(2026, 8, 31))
    assert decision(ev, "e1")["decision"] == "delete"
    assert decision(ev, "e1")["due_date"] == pd.Timestamp("2026-08-31")
    assert decision(ev, "e2")["decision"] == "keep"  # an active coaching is never due
    early = run("kohonen", rows, date(2026, 8, 30))
    assert decision(early, "e1")["decision"] == "keep"


def test_kohonen_open_invoice_prevents_erasure() -> None:
    """000: "Rekisteröityneen henkilötiedot hävitetään käyttäjän pyynnöstä ja mahdollisimman
    pian, ellei lainsäädäntö, avoimet laskut tai perintätoimet estä tietojen poistamista." """
    rows = [
        {"trace_id": "r", "kind": "erasure_request", "email": "d@x.fi", "event_date": "2026-09-01"},
        {"trace_id": "o", "kind": "order", "email": "d@x.fi", "event_date": "2026-08-01"},
        {
            "trace_id": "i",
            "kind": "invoice",
            "email": "d@x.fi",
            "event_date": "2026-08-01",
            "status": "collection",
        },
    ]
    ev = run("kohonen", rows, date(2026, 11, 1))
    assert decision(ev, "o")["decision"] == "hold"
    assert decision(ev, "o")["hold_id"] == "avoin_saatava"
    assert decision(ev, "o")["erasure_request"]
    paid = run(
        "kohonen",
        [{**r, "status": "paid"} if r["trace_id"] == "i" else r for r in rows],
        date(2026, 11, 1),
    )
    assert decision(paid, "o")["decision"] == "delete"
    assert decision(paid, "o")["due_date"] == pd.Timestamp("2026-09-01")  # proposed at once
    # "mahdollisimman pian", read as 7 vrk: the deadline was 8.9., so 54 days overdue
    assert decision(paid, "o")["days_overdue"] == (date(2026, 11, 1) - date(2026, 9, 8)).days
    assert decision(paid, "i")["decision"] == "hold"  # the voucher stays: Kirjanpitolaki


def test_kallio_patient_records_are_never_proposed() -> None:
    """001: psychotherapist's "asiakkaiden hoidon suunnittelu, toteuttaminen, seuranta" —
    patient records follow the health-records law (12 v kuolemasta / 120 v syntymästä)."""
    rows = [
        {"trace_id": "cr", "kind": "client_record", "email": "p@x.fi", "event_date": "2001-03-01"},
        {"trace_id": "k", "kind": "contact", "email": "p@x.fi"},
        {
            "trace_id": "rq",
            "kind": "erasure_request",
            "email": "p@x.fi",
            "event_date": "2026-01-01",
        },
    ]
    ev = run("kallio", rows, date(2040, 1, 1))
    record = decision(ev, "cr")
    assert record["decision"] == "hold"
    assert record["hold_id"] == "potilasasiakirjat"
    assert pd.isna(record["hold_until"])  # cannot be computed without a date of death
    assert decision(ev, "k")["decision"] == "delete"  # the erasure request covers the card


def test_kallio_marketing_ends_on_notice_and_with_the_relationship() -> None:
    """001: "Jos asiakas ei halua tietoja tarjouksista tai ajankohtaisista palveluista, niin
    ilmoituksella markkinointi voidaan lopettaa" and "Tietoja säilytetään niin kauan kuin
    asiakkuus on voimassa" (read: 12 kk from the latest activity, to be confirmed)."""
    rows = [
        {"trace_id": "a", "kind": "appointment", "email": "q@x.fi", "event_date": "2026-03-10"},
        {"trace_id": "m", "kind": "marketing", "email": "q@x.fi", "status": "opted_out"},
        {"trace_id": "a2", "kind": "appointment", "email": "z@x.fi", "event_date": "2025-03-10"},
        {"trace_id": "m2", "kind": "marketing", "email": "z@x.fi"},
    ]
    ev = run("kallio", rows, date(2026, 4, 1))
    assert decision(ev, "m")["decision"] == "delete"
    assert decision(ev, "m")["rule_id"] == "opt_out"
    assert decision(ev, "a")["decision"] == "keep"
    assert decision(ev, "a")["due_date"] == pd.Timestamp("2027-03-10")
    assert decision(ev, "a2")["decision"] == "delete"  # 12 kk from 10.3.2025
    assert decision(ev, "m2")["decision"] == "delete"  # consent ends with the relationship


def test_leoprana_health_notes_are_a_finding() -> None:
    """002: "Yksilötapaamisessa kysyttyjä terveystietoja ei tallenneta asiakasrekisteriin." """
    rows = [
        {
            "trace_id": "a",
            "kind": "appointment",
            "email": "y@x.fi",
            "event_date": "2026-05-01",
            "found_categories": "health_note,note",
        },
    ]
    ev = run("leoprana", rows, date(2026, 6, 1))
    undeclared = [f for f in ev.findings if f.code == "undeclared_data"]
    assert [(f.detail, f.severity, f.trace_ids) for f in undeclared] == [
        ("health_note", "high", ("a",))
    ]
    assert "ettei niitä tallenneta" in undeclared[0].text_fi
    codes = {f.code for f in ev.findings}
    # "EU:n ja Yhdysvaltojen väliset siirrot tehdään ns. Privacy Shield -järjestelyn alla"
    assert {"notice_privacy_shield", "notice_repealed_law", "notice_no_retention"} <= codes


def test_leoprana_erasure_without_delay() -> None:
    """002: "Asiakas on oikeutettu koska tahansa ... pyytämään tietojensa poistamista
    rekisteristä ja rekisterinhoitaja tekee sen viipymättä." (read: 7 vrk, to be confirmed)"""
    rows = [
        {
            "trace_id": "a",
            "kind": "appointment",
            "phone": "044 546 2633",
            "event_date": "2026-05-01",
        },
        {
            "trace_id": "r",
            "kind": "erasure_request",
            "phone": "+358445462633",
            "event_date": "2026-05-10",
        },
    ]
    ev = run("leoprana", rows, date(2026, 5, 20))
    row = decision(ev, "a")
    assert row["decision"] == "delete"
    assert row["due_date"] == pd.Timestamp("2026-05-10")  # proposed the day it arrives
    assert row["days_overdue"] == 3  # "viipymättä", read as 7 vrk: the deadline was 17.5.
    on_time = decision(run("leoprana", rows, date(2026, 5, 17)), "a")
    assert on_time["decision"] == "delete"
    assert on_time["days_overdue"] == 0
    assert row["days_overdue"] == 3
    assert ev.findings[0].code == "erasure_overdue"
    assert decision(ev, "r")["decision"] == "keep"  # the log proves the request was handled


def test_kehobalanssi_declares_birth_dates_not_hetu() -> None:
    """003: "Henkilörekisteri sisältää seuraavia tietoja: ... Ikä tai syntymäaika" — no
    henkilötunnus in the list."""
    rows = [
        {
            "trace_id": "o",
            "kind": "order",
            "email": "w@x.fi",
            "event_date": "2026-01-05",
            "found_categories": "address,birth_date,hetu",
            "hetu": "131052-308T",
        },
    ]
    ev = run("kehobalanssi", rows, date(2026, 6, 1))
    undeclared = {f.detail: f for f in ev.findings if f.code == "undeclared_data"}
    assert set(undeclared) == {"hetu"}
    assert undeclared["hetu"].severity == "medium"
    assert decision(ev, "o")["due_date"] == pd.Timestamp("2028-01-05")  # 2 v reading


def test_prover_erasure_within_two_days() -> None:
    """004: "Niiden asiakkaiden, jotka pyytävät tietonsa poistamaan, tiedot poistetaan
    2 vrk:n kuluessa." """
    rows = [
        {
            "trace_id": "e",
            "kind": "engagement",
            "email": "v@x.fi",
            "event_date": "2026-01-01",
            "status": "active",
        },
        {"trace_id": "r", "kind": "erasure_request", "email": "v@x.fi", "event_date": "2026-11-03"},
    ]
    ev = run("prover", rows, date(2026, 11, 5))
    row = decision(ev, "e")
    assert row["decision"] == "delete"
    assert row["due_date"] == pd.Timestamp("2026-11-03")  # proposed the day it arrives
    assert row["days_overdue"] == 0  # "2 vrk": the deadline is 5.11.
    assert decision(run("prover", rows, date(2026, 11, 3)), "e")["decision"] == "delete"
    late = decision(run("prover", rows, date(2026, 11, 6)), "e")
    assert late["days_overdue"] == 1


def test_prover_summaries_two_years_after_the_assignment() -> None:
    """004: "Yksilökohtaisia Coaching -koonteja säilytetään 2 vuotta aktiivisen toimeksiannon
    jälkeen, jolloin ne hävitetään." """
    rows = [
        {
            "trace_id": "e",
            "kind": "engagement",
            "email": "u@x.fi",
            "event_date": "2023-01-01",
            "end_date": "2024-08-31",
            "status": "ended",
        },
        {"trace_id": "s", "kind": "summary", "email": "u@x.fi", "event_date": "2023-05-01"},
        {
            "trace_id": "e2",
            "kind": "engagement",
            "email": "t@x.fi",
            "event_date": "2023-01-01",
            "status": "active",
        },
        {"trace_id": "s2", "kind": "summary", "email": "t@x.fi", "event_date": "2023-05-01"},
    ]
    ev = run("prover", rows, date(2026, 8, 31))
    summary = decision(ev, "s")
    assert summary["decision"] == "delete"
    assert summary["due_date"] == pd.Timestamp("2026-08-31")
    assert "viimeisin toimeksianto 31.8.2024" in summary["rule_text_fi"]
    assert decision(ev, "e")["decision"] == "keep"  # contracts: 5 v reading
    assert decision(ev, "s2")["decision"] == "keep"  # the assignment is still active


def test_prover_inactive_customers_after_five_years() -> None:
    """004: "Asiakas- ja markkinointirekisteriä huolletaan säännöllisesti, väh. 5 vuoden
    välein, jolloin mahd. poistetaan ei-aktiiviset asiakkaat." """
    rows = [
        {"trace_id": "c", "kind": "contact", "email": "s@x.fi"},
        {"trace_id": "ap", "kind": "appointment", "email": "s@x.fi", "event_date": "2021-06-15"},
        {"trace_id": "n", "kind": "marketing", "email": "news@x.fi"},  # a subscriber only
    ]
    ev = run("prover", rows, date(2026, 6, 15))
    assert decision(ev, "c")["decision"] == "delete"
    assert decision(ev, "ap")["decision"] == "delete"
    assert decision(ev, "n")["decision"] == "keep"
    assert decision(ev, "n")["rule_id"] == "not_customer"
    assert decision(run("prover", rows, date(2026, 6, 14)), "c")["decision"] == "keep"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_unconfirmed_interpretations_are_reported(name: str) -> None:
    rows = [{"kind": "contact", "email": "x@x.fi"}]
    ev = run(name, rows, date(2026, 1, 1))
    found = [f for f in ev.findings if f.code == "unconfirmed_interpretation"]
    assert len(found) == 1
    assert found[0].count == len(policy(name).interpretations())
