"""The Outlook contacts CSV connector: desktop, Outlook.com and Finnish Outlook exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.base import SourceSpec, get_connector, read_source
from tests.conftest import sample_files
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures" / "outlook_csv"
PASSING = sorted(FIXTURES.glob("passing_*"))


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(id="outlook", connector="outlook_csv", path=path, options=options)


def by_name(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    result = read_source(spec(path, **options))
    assert result.error is None, result.error
    return {row["name"]: row for row in result.traces.to_dict("records")}


# ------------------------------------------------------------------ contract


@pytest.mark.samples
@pytest.mark.parametrize("path", sample_files("outlook-csv", ".csv"), ids=lambda p: p.name)
def test_contract_on_samples(samples: Path, path: Path) -> None:
    result = check_contract(spec(path))
    assert len(result.traces) >= 1


# ------------------------------------------------------------------ samples


@pytest.mark.samples
def test_email_only_export(samples: Path) -> None:
    traces = read_source(spec(samples / "outlook-csv" / "outlook_csv_email_only.csv")).traces
    assert traces["email"].tolist() == ["test1@domain.tld;test2@domain.tld;test3@domain.tld"]
    assert traces["label"].tolist() == ["test1@domain.tld"]
    assert json.loads(traces.iloc[0]["locator"])["row"] == 2


@pytest.mark.samples
def test_outlook_style_columns_with_short_rows(samples: Path) -> None:
    contacts = by_name(samples / "outlook-csv" / "google_shared_contacts_outlook_style.csv")
    assert set(contacts) == {"Adam Glacius", "Daniel Ireland", "Duncan Amey"}
    adam = contacts["Adam Glacius"]
    assert adam["email"] == "adam.glacius@anycom.com;adam.g@example.com;ag@glacius.com"
    assert adam["found_categories"] == "address,note,organisation"  # Home Address, Notes, Company
    assert contacts["Daniel Ireland"]["email"] == "danielireland@restty.com"
    assert contacts["Daniel Ireland"]["found_categories"] == ""


# ------------------------------------------------------------------ own fixtures


def test_desktop_export_in_undeclared_windows_1252() -> None:
    contacts = by_name(FIXTURES / "passing_desktop_en_cp1252.csv")
    assert set(contacts) == {"Riikka Salminen", "Kalle Nieminen", "Sirpa Jääskeläinen"}
    riikka = contacts["Riikka Salminen"]
    assert riikka["phone"] == "+358401234567"
    # A henkilötunnus written in Notes is data found, not the person's identifier.
    assert riikka["found_categories"] == "address,birth_date,hetu,note"
    assert pd.isna(riikka["hetu"])
    # Outlook writes 0/0/00 into an empty Birthday: that is no birth date.
    kalle = contacts["Kalle Nieminen"]
    assert kalle["found_categories"] == "organisation"
    assert kalle["phone"] == "+35891234567"
    # The Government ID Number column is the explicit henkilötunnus field.
    sirpa = contacts["Sirpa Jääskeläinen"]
    assert sirpa["hetu"] == "150385-9323"
    assert sirpa["found_categories"] == "hetu,next_of_kin"


def test_categories_filter() -> None:
    path = FIXTURES / "passing_desktop_en_cp1252.csv"
    kept = read_source(spec(path, categories=["Asiakkaat"])).traces
    assert kept["name"].tolist() == ["Riikka Salminen", "Sirpa Jääskeläinen"]
    kept = read_source(spec(path, categories=["vip", "toimittajat"])).traces
    assert kept["name"].tolist() == ["Riikka Salminen", "Kalle Nieminen"]


def test_finnish_outlook_semicolon_windows_1252() -> None:
    path = FIXTURES / "passing_finnish_semicolon_cp1252.csv"
    contacts = by_name(path)
    assert set(contacts) == {"Jaana Kärkkäinen", "Mikko Törmänen", "Tiina Östman"}
    jaana = contacts["Jaana Kärkkäinen"]
    assert jaana["phone"] == "+358401234567"
    assert jaana["email"] == "jaana.karkkainen@example.fi"
    assert jaana["found_categories"] == "address,birth_date,hetu,note"  # hetu in Muistiinpanot
    assert pd.isna(jaana["hetu"])
    mikko = contacts["Mikko Törmänen"]
    assert mikko["email"] == "mikko.tormanen@example.fi"  # "Sähköposti 2: osoite"
    assert mikko["phone"] == "+35891234567"  # Työpuhelin
    assert mikko["found_categories"] == "organisation"  # Syntymäpäivä 0.0.00 is empty
    # A row that stops after Matkapuhelin.
    tiina = contacts["Tiina Östman"]
    assert tiina["phone"] == "+358451122334"
    locator = json.loads(tiina["locator"])
    assert (locator["row"], locator["name"]) == (4, "Tiina Östman")
    assert locator["file"].endswith("passing_finnish_semicolon_cp1252.csv")
    kept = read_source(spec(path, categories=["asiakkaat"])).traces
    assert kept["name"].tolist() == ["Jaana Kärkkäinen"]


def test_outlook_com_lower_case_headers() -> None:
    contacts = by_name(FIXTURES / "passing_outlook_com.csv")
    assert contacts["Leena Ylönen"]["phone"] == "+358507654321"
    assert contacts["Leena Ylönen"]["found_categories"] == "note"
    assert contacts["Antti Heikkilä"]["phone"] == "+358445556677"
    assert contacts["Antti Heikkilä"]["found_categories"] == "organisation"


def test_mixed_encodings_are_decoded_line_by_line_and_reported() -> None:
    result = check_contract(spec(FIXTURES / "failing_mixed_encoding.csv"))
    assert result.traces["name"].tolist() == ["Pirjo Hämäläinen", "Väinö Mäkelä"]
    [problem] = result.problems
    assert problem.row is None
    assert "mixes UTF-8 and Windows-1252" in problem.message


def test_no_identity_columns_is_not_an_outlook_export() -> None:
    result = read_source(spec(FIXTURES / "failing_no_identity_columns.csv"))
    assert result.error is not None
    assert result.error.message == (
        "not an Outlook contacts export: no name, e-mail or phone column"
    )


def test_blank_file_is_empty() -> None:
    result = read_source(spec(FIXTURES / "failing_empty.csv"))
    assert result.error is not None
    assert result.error.message == "file is empty"


def test_invalid_values_name_the_columns_and_not_the_values(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        '"First Name","Last Name","E-mail Address","Mobile Phone","Home Phone",'
        '"Government ID Number"\r\n'
        '"Ville","Laaksonen","ville.laaksonen@","040 123 4567","","131052-308X"\r\n',
        encoding="utf-8",
    )
    result = check_contract(spec(path))
    found = sorted((p.row, p.field, p.message) for p in result.problems)
    assert found == [
        (2, "E-mail Address", "not a valid e-mail address"),
        (2, "Government ID Number", "not a valid henkilötunnus or Y-tunnus"),
    ]
    assert result.traces.iloc[0]["phone"] == "+358401234567"
    for problem in result.problems:
        assert "laaksonen" not in str(problem).lower()
        assert "308X" not in str(problem)


def test_categories_option_needs_a_categories_column() -> None:
    result = read_source(spec(FIXTURES / "passing_outlook_com.csv", categories=["Asiakkaat"]))
    assert result.error is not None
    assert "option 'categories'" in result.error.message


def test_options_are_checked() -> None:
    path = FIXTURES / "passing_outlook_com.csv"
    for options in ({"categories": "Asiakkaat"}, {"labels": ["x"]}):
        result = read_source(spec(path, **options))
        assert result.error is not None
        assert "invalid connector options" in result.error.message


def test_sniff() -> None:
    outlook = get_connector("outlook_csv")
    for path in PASSING:
        assert outlook.sniff(path, path.read_bytes()) >= 75, path.name
    vcf = Path(__file__).parent / "fixtures" / "vcard" / "passing_fi_30_40.vcf"
    assert outlook.sniff(vcf, vcf.read_bytes()) == 0
    for path in PASSING:
        assert get_connector("google_csv").sniff(path, path.read_bytes()) == 0, path.name


# ------------------------------------------------------------ issue #10 classes


def test_localized_outlook_headers_are_read_by_meaning() -> None:
    path = FIXTURES / "passing_localized_ru.csv"
    assert get_connector("outlook_csv").sniff(path, path.read_bytes()) >= 75
    result = check_contract(spec(path))
    assert result.problems == []
    [ivan] = result.traces.to_dict("records")
    assert (ivan["name"], ivan["email"], ivan["phone"]) == (
        "Ivan Petrov",
        "ivan.petrov@example.fi",
        "+358407654321",
    )


def test_google_export_read_as_outlook_keeps_every_email_and_phone() -> None:
    google = Path(__file__).parent / "fixtures" / "google_csv" / "passing_current_fi.csv"
    result = check_contract(spec(google))
    assert result.problems == []
    as_google = read_source(SourceSpec(id="g", connector="google_csv", path=google)).traces
    for column in ("email", "phone"):
        assert result.traces[column].tolist() == as_google[column].tolist()
    assert result.traces["email"].notna().sum() == 3


def test_contact_export_without_any_email_or_phone_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("First Name,Last Name,E-mail Address,Mobile Phone\nAino,Virta,,\n")
    result = read_source(spec(path))
    [problem] = result.problems
    assert problem.row is None
    assert "right connector" in problem.message


def test_cut_export_keeps_no_half_contact() -> None:
    result = check_contract(spec(FIXTURES / "failing_cut_in_quotes.csv"))
    assert "Maija Mehiläinen" not in result.traces["name"].tolist()
    [problem] = result.problems
    assert problem.row is None
    assert "quoted field" in problem.message


def test_short_row_in_the_middle_is_named() -> None:
    result = check_contract(spec(FIXTURES / "failing_short_row_fi.csv"))
    [problem] = result.problems
    assert (problem.row, problem.field) == (3, "Muu puhelin")
