"""The spreadsheet connector: the owner's own customer and order lists (XLSX and CSV)."""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ProblemLog, SourceSpec, read_source
from connectors.spreadsheet import SpreadsheetConnector, SpreadsheetOptions
from tests.conftest import sample_files
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures" / "spreadsheet"


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(
        id="taulukko", connector="spreadsheet", path=path, register="asiakkaat", options=options
    )


def by_row(traces: pd.DataFrame) -> dict[int, pd.Series]:
    return {json.loads(t["locator"])["row"]: t for _, t in traces.iterrows()}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def write_xlsx(path: Path) -> Path:
    """A workbook as Excel writes it: a title row, real dates, a phone typed as a number."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tilaukset"
    sheet.append(["Tilaukset 2024"])
    sheet.append([])
    sheet.append(["Nimi", "Sähköposti", "Puhelin", "Tilauspäivä", "Summa", "Lisätiedot"])
    sheet.append(["Maija Mehiläinen", "maija@example.fi", 401234567, dt.date(2024, 2, 1), 49.9])
    sheet.append(
        [
            "Pekka Häkkinen",
            "pekka@example.fi",
            358507654321,
            dt.datetime(2024, 3, 5, 14, 30),
            120,
            "hetu 150385-246Y",
        ]
    )
    sheet.append(["Äijä Öhman", "aija@example.fi", "040 111 2223", "1.4.2024", 5])
    book.create_sheet("Asiakkaat").append(["Nimi", "Sähköposti"])
    book["Asiakkaat"].append(["Tuula Mäki", "tuula@example.fi"])
    book.save(path)
    return path


# ------------------------------------------------------------------ contract


CSV_SAMPLES = [
    *sample_files("accounting", ".csv"),
    *sample_files("google-csv", ".csv"),
    *sample_files("outlook-csv", ".csv"),
]


@pytest.mark.samples
@pytest.mark.parametrize("path", CSV_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_contract_on_every_csv_sample(samples: Path, path: Path) -> None:
    """Any CSV export may be configured as a spreadsheet: traces or a clean error, no crash."""
    result = check_contract(spec(path), allow_unreadable=True)
    if result.error is not None:
        assert "no column for a name" in result.error.message
    else:
        assert len(result.traces) > 0


def test_contract_on_generated_xlsx(tmp_path: Path) -> None:
    result = check_contract(spec(write_xlsx(tmp_path / "tilaukset.xlsx")))
    assert len(result.traces) == 3
    assert result.problems == []


# ---------------------------------------------------------------- real files


def test_cp1252_semicolon_finnish_export() -> None:
    result = read_source(spec(FIXTURES / "passing_tilaukset_cp1252.csv", status_map={}))
    rows = by_row(result.traces)
    assert rows[2]["name"] == "Maija Mehiläinen"
    assert rows[4]["name"] == "Äijä Öhman"
    assert rows[5]["name"] == "Sirpa Järvinen"  # written in capitals in the file
    assert rows[5]["email"] == "sirpa.jarvinen@example.fi"
    assert rows[3]["phone"] == "+358507654321"
    # 1.2.2024, 01.02.2024 and 2024-02-01 are the same day
    assert {rows[r]["event_date"] for r in (2, 3, 4)} == {day("2024-02-01")}
    assert rows[2]["status"] == "paid"
    assert rows[3]["status"] == "open"
    assert rows[5]["status"] == "cancelled"
    # a henkilötunnus in the notes is data found (not the person's identifier)
    assert rows[4]["found_categories"] == "hetu,note"
    assert pd.isna(rows[4]["hetu"])
    assert rows[5]["found_categories"] == "address,health_note,note"
    assert rows[2]["found_categories"] == "address"
    assert json.loads(rows[2]["locator"])["id"] == "1001"


def test_utf8_bom_comma_export_with_first_and_last_name() -> None:
    result = read_source(spec(FIXTURES / "passing_asiakkaat_utf8bom.csv"))
    rows = by_row(result.traces)
    assert rows[2]["name"] == "Liisa Ääripää"
    assert rows[4]["name"] == "Åsa Lindström"
    assert rows[4]["email"] == "asa.lindstrom@example.se;asa@example.fi"
    assert rows[2]["event_date"] == day("2024-05-06")
    assert rows[3]["event_date"] == day("2024-05-06")
    assert rows[3]["found_categories"] == "health_note,note"


def test_xlsx_real_dates_and_phone_typed_as_number(tmp_path: Path) -> None:
    result = read_source(spec(write_xlsx(tmp_path / "tilaukset.xlsx")))
    assert result.error is None
    rows = by_row(result.traces)
    assert sorted(rows) == [4, 5, 6]  # the header was found below the title row
    assert rows[4]["phone_raw"] == "401234567"  # not "401234567.0"
    assert rows[4]["phone"] == "+358401234567"
    assert rows[5]["phone"] == "+358507654321"
    assert rows[4]["event_date"] == day("2024-02-01")
    assert rows[5]["event_date"] == day("2024-03-05")
    assert rows[6]["event_date"] == day("2024-04-01")  # typed as text in the sheet
    assert rows[5]["found_categories"] == "hetu,note"  # a henkilötunnus in Lisätiedot
    assert json.loads(rows[4]["locator"]) == {
        "file": str(tmp_path / "tilaukset.xlsx"),
        "row": 4,
        "sheet": "Tilaukset",
    }
    assert rows[4]["label"] == "Tilaukset, rivi 4"


def test_xlsx_sheet_option(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tilaukset.xlsx")
    result = read_source(spec(path, sheet="Asiakkaat"))
    assert result.traces["name"].tolist() == ["Tuula Mäki"]
    assert json.loads(result.traces["locator"].iat[0])["sheet"] == "Asiakkaat"
    missing = read_source(spec(path, sheet="Laskut"))
    assert missing.error is not None
    assert "sheet 'Laskut' not found" in missing.error.message


def test_header_row_option_is_exact(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tilaukset.xlsx")
    assert len(read_source(spec(path, header_row=3)).traces) == 3
    wrong = read_source(spec(path, header_row=1))
    assert wrong.error is not None
    assert "header_row" in wrong.error.message


def test_explicit_mapping_with_own_headers(tmp_path: Path) -> None:
    path = tmp_path / "jasenet.csv"
    path.write_text(
        "Jäsen;Yhteys;Liittynyt;Erosi;Huom\n"
        "Maija Mehiläinen;maija@example.fi;1.1.2020;31.12.2023;\n"
        "Pekka Häkkinen;pekka@example.fi;1.6.2021;;Syntymäaika 1.1.1980\n",
        encoding="utf-8",
    )
    result = read_source(
        spec(
            path,
            columns={
                "name": "Jäsen",
                "email": ["Yhteys"],
                "event_date": "Liittynyt",
                "end_date": "Erosi",
            },
            categories={"birth_date": ["Huom"]},
        )
    )
    assert result.error is None
    rows = by_row(result.traces)
    assert rows[2]["email"] == "maija@example.fi"
    assert rows[2]["end_date"] == day("2023-12-31")
    assert pd.isna(rows[3]["end_date"])
    assert rows[3]["found_categories"] == "birth_date"
    assert rows[2]["found_categories"] == ""


def test_status_map_option_and_unknown_words(tmp_path: Path) -> None:
    path = tmp_path / "tilaukset.csv"
    path.write_text(
        "Nimi;Tila\nA Aalto;Toimitettu\nB Berg;Toimitettu\nC Cedergren;Maksettu\nD Dahl;Kesken\n",
        encoding="utf-8",
    )
    plain = read_source(spec(path))
    # One problem per unknown word, at its first row, counting its rows; the word is not quoted.
    assert [(p.row, p.field) for p in plain.problems] == [(2, "Tila"), (5, "Tila")]
    assert "2 rows" in plain.problems[0].message
    assert all("Toimitettu" not in str(p) and "Kesken" not in str(p) for p in plain.problems)
    assert by_row(plain.traces)[4]["status"] == "paid"
    mapped = read_source(spec(path, status_map={"toimitettu": "ended", "KESKEN": ""}))
    assert mapped.problems == []
    rows = by_row(mapped.traces)
    assert rows[2]["status"] == "ended"
    assert pd.isna(rows[5]["status"])


def test_record_ids_survive_a_new_row_above(tmp_path: Path) -> None:
    """Without an id column, a row's id is its content: inserting a row changes no other id."""
    path = tmp_path / "asiakkaat.csv"

    def ids(lines: list[str]) -> dict[str, str]:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        traces = read_source(spec(path)).traces
        return dict(zip(traces["email"], traces["trace_id"], strict=True))

    lines = ["Nimi;Sähköposti", "Maija M;maija@example.fi", "Pekka H;pekka@example.fi"]
    before = ids(lines)
    after = ids([lines[0], "Uusi U;uusi@example.fi", *lines[1:]])
    assert after["maija@example.fi"] == before["maija@example.fi"]
    assert after["pekka@example.fi"] == before["pekka@example.fi"]
    assert len(set(after.values())) == 3


# ------------------------------------------------------------------ bad input


def test_bad_date_in_row_7_names_file_row_and_header() -> None:
    result = read_source(spec(FIXTURES / "failing_bad_date_row7.csv"))
    assert result.error is None
    assert [(p.row, p.field) for p in result.problems] == [(7, "Tilauspäivä"), (8, "Tilauspäivä")]
    assert result.problems[0].file.endswith("failing_bad_date_row7.csv")
    assert "not a date" in result.problems[0].message
    assert "tiistaina" not in str(result.problems[0])
    rows = by_row(result.traces)
    assert len(rows) == 8  # the other rows go on
    assert pd.isna(rows[7]["event_date"])
    assert rows[7]["email"] == "jukka.oberg@example.fi"
    assert rows[9]["event_date"] == day("2024-02-08")


def test_missing_mapped_column_names_the_header() -> None:
    result = read_source(
        spec(FIXTURES / "passing_tilaukset_cp1252.csv", columns={"email": "Sähköpostiosoite"})
    )
    assert result.error is not None
    assert result.error.message == "column 'Sähköpostiosoite' not found"


def test_missing_category_column_names_the_header() -> None:
    result = read_source(
        spec(FIXTURES / "passing_tilaukset_cp1252.csv", categories={"address": ["Katuosoite"]})
    )
    assert result.error is not None
    assert "'Katuosoite'" in result.error.message


def test_no_identifier_columns_is_unreadable() -> None:
    result = read_source(spec(FIXTURES / "failing_no_identifier_columns.csv"))
    assert result.error is not None
    assert "no column for a name, e-mail" in result.error.message


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = read_source(spec(FIXTURES / "failing_empty.csv"))
    assert empty.error is not None
    assert empty.error.message == "file is empty"
    blank = tmp_path / "tyhjat.csv"
    blank.write_text("\n \n\n", encoding="utf-8")
    assert read_source(spec(blank)).error is not None
    header_only = tmp_path / "otsikot.csv"
    header_only.write_text("Nimi;Sähköposti\n", encoding="utf-8")
    result = read_source(spec(header_only))
    assert result.error is None
    assert result.traces.empty


def test_utf16_file_is_read(tmp_path: Path) -> None:
    text = (FIXTURES / "passing_tilaukset_cp1252.csv").read_bytes().decode("cp1252")
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode("utf-16"))
    result = read_source(spec(path))
    assert result.error is None
    assert "Äijä Öhman" in result.traces["name"].tolist()


def test_encoding_option(tmp_path: Path) -> None:
    path = FIXTURES / "passing_tilaukset_cp1252.csv"
    assert "Äijä Öhman" in read_source(spec(path, encoding="cp1252")).traces["name"].tolist()
    wrong = read_source(spec(path, encoding="utf-8"))
    assert wrong.error is not None
    assert wrong.error.message == "not valid utf-8 text"


@pytest.mark.parametrize("name", ["roskaa.csv", "roskaa.xlsx"])
def test_binary_garbage_is_unreadable(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 64)
    result = read_source(spec(path))
    assert result.error is not None
    assert "binary" in result.error.message


def test_broken_workbook_is_unreadable(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "rikki.xlsx")
    path.write_bytes(path.read_bytes()[:600])  # a zip cut short
    result = read_source(spec(path))
    assert result.error is not None
    assert "not a readable workbook" in result.error.message
    nonsense = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(nonsense, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert read_source(spec(nonsense)).error is not None


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"columns": {"nimi": "Nimi"}}, "columns"),
        ({"categories": {"osoite": ["Osoite"]}}, "categories"),
        ({"status_map": {"Maksettu": "settled"}}, "status_map"),
        ({"header_row": 0}, "header_row"),
        ({"date_format": "dd.mm.yyyy"}, "date_format"),
        ({"sheet_name": "Tilaukset"}, "sheet_name"),
    ],
)
def test_invalid_options_name_the_option(options: dict[str, Any], option: str) -> None:
    result = read_source(spec(FIXTURES / "passing_tilaukset_cp1252.csv", **options))
    assert result.error is not None
    assert f"option '{option}" in result.error.message


def test_date_format_option(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("Name,Order date\nMaija M,02/03/2024\nPekka H,13/03/2024\n", encoding="utf-8")
    result = read_source(spec(path, date_format="%m/%d/%Y"))
    assert by_row(result.traces)[2]["event_date"] == day("2024-02-03")
    assert [(p.row, p.field) for p in result.problems] == [(3, "Order date")]
    assert "%m/%d/%Y" in result.problems[0].message


def test_a_bad_date_names_the_forms_in_the_owners_letters(tmp_path: Path) -> None:
    path = tmp_path / "tilaukset.csv"
    path.write_text("Nimi;Tilauspäivä\nMaija M;2.3.2024\nPekka H;32.13.2024\n", encoding="utf-8")
    (problem,) = read_source(spec(path)).problems
    assert (problem.row, problem.field) == (3, "Tilauspäivä")
    finnish, english = problem.text("fi"), problem.text("en")
    assert "pp.kk.vvvv, vvvv-kk-pp tai pp/kk/vvvv" in finnish
    assert "yyyy" not in finnish
    assert "d.m.yyyy, yyyy-mm-dd or d/m/yyyy" in english
    assert "vvvv" not in english
    # the owner's own date_format option is quoted as she wrote it
    (own,) = read_source(spec(path, date_format="%d.%m.%Y")).problems
    assert "%d.%m.%Y" in own.text("fi")


def test_sniff_scores() -> None:
    head = (FIXTURES / "passing_tilaukset_cp1252.csv").read_bytes()
    assert SpreadsheetConnector.sniff(Path("x.csv"), head) == 10
    assert SpreadsheetConnector.sniff(Path("x.xlsx"), b"PK\x03\x04rest") == 30
    assert SpreadsheetConnector.sniff(Path("x.xlsx"), b"garbage") < 10
    assert SpreadsheetConnector.sniff(Path("x.ics"), b"BEGIN:VCALENDAR") == 0


# ------------------------------------------------------------------ big files


def _big_csv(path: Path, megabytes: int) -> int:
    """An order list of ``megabytes`` MB: 20 000 customers, many orders each."""
    rng = random.Random(7)
    first = ["Maija", "Pekka", "Liisa", "Jukka", "Äijä", "Sari", "Timo", "Öljy"]
    last = ["Mehiläinen", "Virtanen", "Korhonen", "Mäkinen", "Hämäläinen", "Laine"]
    customers = [
        (
            f"{rng.choice(first)} {rng.choice(last)}",
            f"asiakas{c}@example.fi",
            f"040 {1000000 + c * 37}",
        )
        for c in range(20000)
    ]
    lines = ["Tilausnumero;Nimi;Sähköposti;Puhelin;Tilauspäivä;Summa;Tila;Lisätiedot"]
    size, i = 0, 0
    while size < megabytes * 2**20:
        name, email, phone = customers[rng.randrange(len(customers))]
        date = f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(2019, 2025)}"
        line = (
            f"{100000 + i};{name};{email};{phone};{date};{rng.randint(1, 500)},"
            f"{rng.randint(0, 99):02d};{rng.choice(['Maksettu', 'Avoin'])};Ovelle, kerros {i % 7}"
        )
        lines.append(line)
        size += len(line) + 2
        i += 1
    lines[5] = lines[5].replace(";Ovelle", ";hetu 010190-123M, ovelle")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return i


@pytest.mark.slow
def test_50_mb_csv_extract(tmp_path: Path) -> None:
    """The connector's own part of a 50 MB export: read, map, parse dates and statuses."""
    path = tmp_path / "iso.csv"
    count = _big_csv(path, 50)
    log = ProblemLog("iso.csv")
    started = time.perf_counter()
    raw = SpreadsheetConnector().extract(spec(path), SpreadsheetOptions(), log)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"50 MB extract: {count} rows in {elapsed:.1f} s, process peak {peak:.0f} MiB")
    assert len(raw) == count
    assert log.problems == []
    assert raw["event_date"].notna().all()
    assert set(raw["status"]) == {"paid", "open"}
    assert elapsed < 240  # a guard against a quadratic blow-up only; speed is benchmarks/ work


@pytest.mark.slow
def test_3_mb_csv_read_source(tmp_path: Path) -> None:
    """The whole read of a 3 MB export (finalize included) takes seconds, not minutes."""
    path = tmp_path / "keski.csv"
    count = _big_csv(path, 3)
    started = time.perf_counter()
    result = read_source(spec(path))
    elapsed = time.perf_counter() - started
    print(f"3 MB read_source: {count} rows in {elapsed:.1f} s")
    assert result.error is None
    assert len(result.traces) == count
    assert result.traces["found_categories"].str.contains("hetu").sum() == 1
    assert elapsed < 60


# ------------------------------------------------------------ issue #10 classes


def test_us_dates_are_month_first_when_the_column_proves_it() -> None:
    result = check_contract(spec(FIXTURES / "passing_us_dates.csv"))
    assert result.problems == []
    dates = dict(zip(result.traces["name"], result.traces["event_date"], strict=True))
    assert dates == {"John Smith": day("2024-01-28"), "Mary Jones": day("2024-02-03")}


def test_a_column_mixing_date_orders_names_the_undecidable_rows() -> None:
    result = check_contract(spec(FIXTURES / "failing_mixed_date_order.csv"))
    found = [(p.row, p.field) for p in result.problems]
    assert found == [(4, "Order date")]  # 2/3/2024: day-first or month-first?
    assert "date_format" in result.problems[0].message
    dates = dict(zip(result.traces["name"], result.traces["event_date"], strict=True))
    assert dates["John Smith"] == dates["Mary Jones"] == day("2024-01-28")
    assert pd.isna(dates["Anna Berg"])


@pytest.mark.parametrize(
    ("cells", "order_problem", "expected"),
    [
        (["1/2/2024", "3/4/2024"], True, ["2024-02-01", "2024-04-03"]),  # no evidence
        (["1/1/2024", "2/2/2024"], False, ["2024-01-01", "2024-02-02"]),  # same either way
        (["13/2/2024", "3/4/2024"], False, ["2024-02-13", "2024-04-03"]),  # day-first
        (["2/13/2024", "3/4/2024"], False, ["2024-02-13", "2024-03-04"]),  # month-first
        (["1.2.2024", "2024-03-04"], False, ["2024-02-01", "2024-03-04"]),
        (["Jan 28 2021", "28 February 2021"], False, ["2021-01-28", "2021-02-28"]),
    ],
)
def test_date_order_table(
    tmp_path: Path, cells: list[str], order_problem: bool, expected: list[str]
) -> None:
    path = tmp_path / "d.csv"
    lines = ["Nimi;Sähköposti;Pvm"] + [
        f"Asiakas {i};a{i}@example.fi;{cell}" for i, cell in enumerate(cells)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_contract(spec(path))
    assert [str(d.date()) for d in result.traces["event_date"]] == expected
    column_problems = [p for p in result.problems if p.row is None and p.field == "Pvm"]
    assert bool(column_problems) == order_problem
    assert len(result.problems) == len(column_problems)


def test_years_1_and_9999_are_read_right_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "Nimi;Sähköposti;Pvm;Loppupäivä\n"
        "Aino;aino@example.fi;0001-01-01;31.12.9999\n"
        "Eero;eero@example.fi;1.2.2024;\n",
        encoding="utf-8",
    )
    result = check_contract(spec(path))
    aino = result.traces.iloc[0]
    assert str(aino["event_date"].date()) == "0001-01-01"
    assert str(aino["end_date"].date()) == "9999-12-31"
    assert {(p.row, p.severity) for p in result.problems} == {(2, "warning")}
    assert result.errors == []


def test_every_email_and_phone_column_is_read() -> None:
    result = check_contract(spec(FIXTURES / "passing_several_emails_phones.csv"))
    people = {t["name"]: t for t in result.traces.to_dict("records")}
    assert people["Liisa Laine"]["email"] == "liisa@example.fi;liisa.laine@tyo.example.fi"
    assert people["Liisa Laine"]["phone"] == "+358405551234"  # the second Phone column
    assert people["Olli Oja"]["email"] == "olli@example.com"
    assert people["Olli Oja"]["phone"] == "+358501234567"


def test_a_consent_column_is_not_an_address_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Nimi;Sähköposti;Sähköpostilupa\nAino;aino@example.fi;kyllä\n", encoding="utf-8"
    )
    result = check_contract(spec(path))
    assert result.problems == []
    assert result.traces.iloc[0]["email"] == "aino@example.fi"


def test_mixed_encodings_read_right_and_named() -> None:
    result = check_contract(spec(FIXTURES / "failing_mixed_encoding.csv"))
    names = result.traces["name"].tolist()
    assert "Väinö Mäkelä" in names
    assert "Maija Mehiläinen" in names
    [problem] = result.problems
    assert problem.severity == "warning"
    assert "Windows-1252" in problem.message


def test_short_row_names_row_and_first_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "Nimi;Sähköposti;Pvm;Tila\nAino;aino@example.fi\nEero;eero@example.fi;1.2.2024;Avoin\n"
    )
    result = check_contract(spec(path))
    [problem] = result.problems
    assert (problem.row, problem.field) == (2, "Pvm")
    assert "2 of the header's 4 fields" in problem.message


def test_cut_file_blanks_the_cut_field_and_loses_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(
        "Nimi;Sähköposti;Asiakasnumero;Tila\nAino;aino@example.fi;17;Avoin\nEero;eero@ex"
    )
    result = check_contract(spec(path))
    where = sorted((p.row or 0, p.field or "") for p in result.problems)
    assert where == [(0, ""), (3, "Sähköposti")]
    eero = result.traces[result.traces["name"] == "Eero"].iloc[0]
    assert pd.isna(eero["email"])  # never half an address
    file_level = next(p for p in result.problems if p.row is None)
    assert "cut off" in file_level.message
    assert file_level.role is None


def test_mapped_column_empty_everywhere_is_named(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("Nimi;Sähköposti;Ostettu\nAino;aino@example.fi;\nEero;eero@example.fi;\n")
    result = read_source(spec(path, columns={"event_date": "Ostettu"}))
    [problem] = result.problems
    assert (problem.row, problem.field, problem.role) == (None, "Ostettu", "event_date")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab;"\r\n\x85\u2028 ä')), max_size=40))
def test_csv_lines_are_those_the_csv_module_is_given_by_a_text_stream(text: str) -> None:
    """A large CSV is parsed line by line from its text (no copy of it in memory): the
    same lines, and so the same records, as through io.StringIO(newline="")."""
    import io

    from connectors import tabular

    expected = list(io.StringIO(text, newline=""))
    assert list(tabular._lines(text)) == expected
    block = tabular._LINES_BLOCK
    try:  # blocks of a few characters: every cut between two lines, never inside one
        for size in (1, 3, 7):
            tabular._LINES_BLOCK = size
            assert list(tabular._lines(text)) == expected
    finally:
        tabular._LINES_BLOCK = block
