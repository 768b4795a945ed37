"""The trace contract and its normalisers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from connectors import trace as tr
from connectors.base import ProblemLog, SourceSpec, finalize, record_hash


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Matti.Meikalainen@Example.FI ", "matti.meikalainen@example.fi"),
        ("mailto:Anna@Esimerkki.fi", "anna@esimerkki.fi"),
        ("<liisa@example.com>", "liisa@example.com"),
        ("not an address", None),
        ("", None),
        ("a@b", None),
    ],
)
def test_normalise_email(raw: str, expected: str | None) -> None:
    assert tr.normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("040 509 7337", "+358405097337"),
        ("044-5462633", "+358445462633"),
        ("+358 45 127 0888", "+358451270888"),
        ("00358 40 5005634", "+358405005634"),
        ("(09) 123 4567", "+35891234567"),
        ("+1 650-253-0000", "+16502530000"),
        ("tel:+358-40-123-4567", "+358401234567"),
        ("12", None),
        ("ei puhelinta", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert tr.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("131052-308T", "131052-308T"),
        ("131052-308t", "131052-308T"),
        ("131052A308T", "131052A308T"),  # 2000s
        ("010594Y9032", "010594Y9032"),  # 2023 century sign, temporary number
        ("010594Y9021", "010594Y9021"),
        ("010594Y9022", None),  # wrong check character
        ("131052-308X", None),
        ("1635892-0", None),  # a Y-tunnus is not a henkilötunnus
    ],
)
def test_normalise_hetu(raw: str, expected: str | None) -> None:
    assert tr.normalise_hetu(raw) == expected


def test_find_hetus_in_free_text() -> None:
    text = "Asiakas (hetu 131052-308T), puh 040 1234567, y-tunnus 1635892-0, väärä 131052-308X"
    assert tr.find_hetus(text) == ["131052-308T"]


@pytest.mark.parametrize(
    ("raw", "clean", "key"),
    [
        ("  Matti   Meikäläinen ", "Matti Meikäläinen", "matti meikalainen"),
        ("MEIKÄLÄINEN MATTI", "Meikäläinen Matti", "matti meikalainen"),
        ("Meikäläinen, Matti", "Meikäläinen, Matti", "matti meikalainen"),
        ("anna-liisa öhman", "Anna-Liisa Öhman", "anna liisa ohman"),
    ],
)
def test_names(raw: str, clean: str, key: str) -> None:
    assert tr.clean_name(raw) == clean
    assert tr.fold_name(raw) == key


def _spec(tmp_path: Path) -> SourceSpec:
    path = tmp_path / "x.csv"
    path.write_text("x")
    return SourceSpec(id="src", connector="spreadsheet", path=path, register="reg", kind="order")


def test_finalize_normalises_and_reports_without_values(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    log = ProblemLog("x.csv")
    records = [
        {
            "record_id": "1",
            "row": 2,
            "name": "maija mehiläinen",
            "emails": ["Maija@Example.fi", "broken-address"],
            "phones": "040 123 4567",
            "event_date": date(2026, 8, 14),
            "texts": ["Maija", "muistiinpano: hetu 131052-308T, migreeni"],
            "locator": {"row": 2},
        },
        {"record_id": "1", "row": 3, "name": "Toinen", "status": "whatever"},
    ]
    traces = finalize(records, spec, log, "order", {"emails": "Sähköposti"})
    assert traces["trace_id"].tolist() == ["src:" + record_hash("1"), "src:" + record_hash("1~2")]
    first = traces.iloc[0]
    assert first["email"] == "maija@example.fi"
    assert first["email_raw"] == "Maija@Example.fi;broken-address"
    assert first["phone"] == "+358401234567"
    # Found in the notes: reported as data present, not used as an identifier.
    assert pd.isna(first["hetu"])
    assert first["found_categories"] == "health_note,hetu"
    assert first["event_date"] == pd.Timestamp(2026, 8, 14)
    assert first["name"] == "Maija Mehiläinen"
    problems = [str(p) for p in log.problems]
    assert problems == [
        "x.csv, row 2, field 'Sähköposti': not a valid e-mail address",
        "x.csv, row 3, field 'status': unknown status",
    ]
    assert "broken-address" not in " ".join(problems)
    assert traces["event_date"].dtype == tr.DATE_DTYPE


def test_empty_traces_match_schema() -> None:
    tr.validate(tr.empty_traces())
