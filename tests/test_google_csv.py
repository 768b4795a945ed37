"""The Google Contacts CSV connector: current and legacy exports, UTF-8 and UTF-16, bad input."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.base import SourceSpec, get_connector, read_source
from tests.conftest import sample_files
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures" / "google_csv"
PASSING = sorted(FIXTURES.glob("passing_*"))


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(id="google", connector="google_csv", path=path, options=options)


def by_name(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    result = read_source(spec(path, **options))
    assert result.error is None, result.error
    return {row["name"]: row for row in result.traces.to_dict("records")}


# ------------------------------------------------------------------ contract


@pytest.mark.samples
@pytest.mark.parametrize("path", sample_files("google-csv", ".csv"), ids=lambda p: p.name)
def test_contract_on_samples(samples: Path, path: Path) -> None:
    result = check_contract(spec(path))
    assert len(result.traces) >= 1


# ------------------------------------------------------------------ samples


@pytest.mark.samples
def test_legacy_subset_with_unicode_name(samples: Path) -> None:
    contacts = by_name(samples / "google-csv" / "google_csv_legacy_subset_unicode.csv")
    assert set(contacts) == {"Jerry Mathis", "Zoë, Smith"}
    zoe = contacts["Zoë, Smith"]
    assert zoe["email"] == "zoe@example.com"
    assert zoe["found_categories"] == "organisation"
    assert json.loads(zoe["locator"])["row"] == 3
    assert zoe["kind"] == "contact"


@pytest.mark.samples
def test_legacy_full_export(samples: Path) -> None:
    path = samples / "google-csv" / "google_csv_legacy_full.csv"
    result = read_source(spec(path))
    assert len(result.traces) == 1  # the multi-line quoted addresses stay in one row
    contact = result.traces.iloc[0]
    assert contact["name"] == "Prefix Firstname Middle Lastname Suffix"
    assert contact["email"] == "home@aaa.pl;work@email.pl;unknown@email.com;other@email.com"
    assert contact["found_categories"] == "address,birth_date,next_of_kin,note,organisation"
    # Its "phones" are words ('pager', 'mainphone'): one problem naming the phone columns.
    [problem] = result.problems
    assert problem.row == 2
    assert str(problem.field).startswith("Phone 1 - Value")
    assert problem.message == "not a valid phone number"


@pytest.mark.samples
def test_group_membership_filter(samples: Path) -> None:
    path = samples / "google-csv" / "google_csv_legacy_full.csv"
    assert len(read_source(spec(path, labels=["Test"])).traces) == 1
    assert len(read_source(spec(path, labels=["My Contacts"])).traces) == 1
    assert len(read_source(spec(path, labels=["Asiakkaat"])).traces) == 0


# ------------------------------------------------------------------ own fixtures


def test_current_format_with_finnish_contacts() -> None:
    contacts = by_name(FIXTURES / "passing_current_fi.csv")
    paivi = contacts["Päivi Mäkinen"]
    # Two values in one cell, joined with ' ::: '.
    assert paivi["email"] == "paivi.makinen@example.fi;p.makinen@example.com"
    assert paivi["phone"] == "+358401234567;+358507654321"
    assert paivi["phone_raw"] == "040 123 4567;+358 50 765 4321"
    # The henkilötunnus written in a multi-line note is data found, not an identifier.
    assert paivi["found_categories"] == "address,birth_date,hetu,note"
    assert pd.isna(paivi["hetu"])
    assert json.loads(paivi["locator"])["row"] == 2

    jyrki = contacts["Jyrki Olavi Hämäläinen"]  # First + Middle + Last
    assert jyrki["found_categories"] == "organisation"
    asa = contacts["Åsa Öhman"]
    assert asa["phone"] == "+358445556677"
    assert asa["found_categories"] == "next_of_kin,photo"
    # A company-only contact has no person's name; its label says what it is.
    company = next(c for c in contacts.values() if c["email"] == "info@kehys.example.fi")
    assert pd.isna(company["name"])
    assert company["label"] == "info@kehys.example.fi"


def test_labels_filter() -> None:
    path = FIXTURES / "passing_current_fi.csv"
    kept = read_source(spec(path, labels=["Asiakkaat"])).traces
    assert kept["name"].tolist() == ["Päivi Mäkinen", "Åsa Öhman"]
    kept = read_source(spec(path, labels=["* starred"])).traces
    assert kept["name"].tolist() == ["Åsa Öhman"]
    kept = read_source(spec(path, labels=["mycontacts"])).traces
    assert len(kept) == 3


def test_legacy_utf16_tab_separated() -> None:
    contacts = by_name(FIXTURES / "passing_legacy_utf16_tab.csv")
    assert set(contacts) == {"Eeva-Liisa Kärkkäinen", "Matti Virtanen"}
    assert contacts["Eeva-Liisa Kärkkäinen"]["phone"] == "+358451122334"
    assert contacts["Eeva-Liisa Kärkkäinen"]["found_categories"] == "note"
    assert contacts["Matti Virtanen"]["email"] == (
        "matti.virtanen@example.com;matti@example.net;mv@example.org"
    )
    assert contacts["Matti Virtanen"]["phone"] == "+35891234567"


def test_record_ids_follow_the_content_not_the_position(tmp_path: Path) -> None:
    original = (FIXTURES / "passing_current_fi.csv").read_bytes().decode("utf-8")
    header, rest = original.split("\r\n", 1)
    extra = "Uusi,,Asiakas" + "," * (header.count(",") - 2)
    moved = tmp_path / "contacts.csv"
    moved.write_text(header + "\r\n" + extra + "\r\n" + rest, encoding="utf-8")
    before = by_name(FIXTURES / "passing_current_fi.csv")
    after = by_name(moved)
    paivi_before, paivi_after = before["Päivi Mäkinen"], after["Päivi Mäkinen"]
    assert paivi_before["trace_id"] == paivi_after["trace_id"]
    assert paivi_before["fingerprint"] == paivi_after["fingerprint"]
    assert json.loads(paivi_after["locator"])["row"] == 3


def test_bad_values_are_problems_naming_row_and_column() -> None:
    result = check_contract(spec(FIXTURES / "failing_bad_values.csv"))
    assert len(result.traces) == 2
    found = sorted((p.row, p.field, p.message) for p in result.problems)
    assert found == [
        (2, "E-mail 1 - Value", "not a valid e-mail address"),
        (2, "Phone 1 - Value", "not a valid phone number"),
    ]
    for problem in result.problems:
        assert "lahtinen" not in str(problem).lower()


def test_no_identity_columns_is_not_a_google_export() -> None:
    result = read_source(spec(FIXTURES / "failing_no_identity_columns.csv"))
    assert result.error is not None
    assert result.error.message == "not a Google Contacts export: no name, e-mail or phone column"


def test_headers_are_read_by_meaning_not_spelling(tmp_path: Path) -> None:
    # A hand-made export in Finnish: its e-mail and phone are not dropped silently.
    path = tmp_path / "renamed.csv"
    path.write_text("Etunimi,Sähköposti,Puhelin\r\nMatti,matti@example.fi,040 123 4567\r\n")
    result = read_source(spec(path))
    assert result.error is None
    [trace] = result.traces.to_dict("records")
    assert (trace["email"], trace["phone"]) == ("matti@example.fi", "+358401234567")


def test_empty_file() -> None:
    result = read_source(spec(FIXTURES / "failing_empty.csv"))
    assert result.error is not None
    assert result.error.message == "file is empty"


def test_header_only_file_has_no_traces(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("First Name,Last Name,Labels,E-mail 1 - Value\r\n", encoding="utf-8")
    result = check_contract(spec(path))
    assert result.traces.empty
    assert result.clean


def test_undeclared_windows_1252_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    text = (
        "Name,Given Name,Family Name,E-mail 1 - Value\r\n"
        "Jääskeläinen Sirpa,Sirpa,Jääskeläinen,s@example.fi\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    assert set(by_name(path)) == {"Jääskeläinen Sirpa"}


@pytest.mark.samples
def test_labels_option_needs_a_labels_column(samples: Path) -> None:
    path = samples / "google-csv" / "google_csv_legacy_subset_unicode.csv"
    result = read_source(spec(path, labels=["Asiakkaat"]))
    assert result.error is not None
    assert "option 'labels'" in result.error.message


def test_options_are_checked() -> None:
    path = FIXTURES / "passing_current_fi.csv"
    for options in ({"labels": "Asiakkaat"}, {"labels": []}, {"categories": ["x"]}):
        result = read_source(spec(path, **options))
        assert result.error is not None
        assert "invalid connector options" in result.error.message


def test_sniff() -> None:
    google = get_connector("google_csv")
    for path in PASSING:
        assert google.sniff(path, path.read_bytes()[:65536]) >= 90, path.name
    outlook = Path(__file__).parent / "fixtures" / "outlook_csv" / "passing_desktop_en_cp1252.csv"
    assert google.sniff(outlook, outlook.read_bytes()) == 0
    assert get_connector("outlook_csv").sniff(PASSING[0], PASSING[0].read_bytes()) == 0


@pytest.mark.slow
def test_50_mb_export_is_read_in_reasonable_time(tmp_path: Path) -> None:
    """25,000 contacts (Google's maximum) with long notes: about 50 MB.

    Measured on a busy 2-core machine: 15-30 s, most of it in finalize's
    health-word scan of the notes. 270,000 short distinct rows of the same size
    take about 45 s (finalize works per distinct value, and every row differs).
    """
    rows = list(csv.reader(io.StringIO((FIXTURES / "passing_current_fi.csv").read_text())))
    header, body = rows[0], rows[1:]
    notes = header.index("Notes")
    filler = "Asiakas kävi valmennuksessa; sovittiin seuraava tapaaminen ja kotitehtävät. " * 27
    path = tmp_path / "big.csv"
    count = 25_000
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for number in range(count):
            row = list(body[number % len(body)])
            row[notes] = f"{row[notes]}\n{filler}(asiakas {number})"
            writer.writerow(row)
    assert path.stat().st_size > 50 * 10**6
    started = time.perf_counter()
    result = read_source(spec(path))
    seconds = time.perf_counter() - started
    print(f"\n{path.stat().st_size / 2**20:.0f} MiB Google CSV, {count} rows: {seconds:.1f} s")
    assert result.error is None
    assert len(result.traces) == count
    assert result.traces["trace_id"].is_unique
    assert result.traces["found_categories"].str.contains("hetu").sum() == count // len(body)
    assert seconds < 240  # a guard against a quadratic blow-up only; speed is benchmarks/ work
