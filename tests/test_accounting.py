"""The accounting connector: invoice and customer exports (Finnish, Zoho, Wave, FreshBooks)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.accounting import AccountingConnector, AccountingOptions
from connectors.accounting_formats import FORMATS
from connectors.base import ProblemLog, SourceSpec, display_path, read_source
from connectors.spreadsheet import SpreadsheetConnector
from tests.conftest import sample_files
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures" / "accounting"
PASSING = sorted(FIXTURES.glob("passing_*"))
FI_INVOICES = FIXTURES / "passing_fi_invoices.csv"
FI_HEADER = (
    "Laskunumero;Laskun päivämäärä;Eräpäivä;Asiakasnumero;Asiakkaan nimi;Sähköposti;"
    "Y-tunnus/Hetu;Summa;Tila"
)

#: sample file -> the format it must be read as ("" = not an export this connector knows)
SAMPLE_FORMATS = {
    "zoho_invoices.csv": "zoho_invoices",
    "wave_invoices.csv": "wave_invoices",
    "freshbooks_invoices.csv": "freshbooks_invoices",
    "zoho_contacts.csv": "zoho_contacts",
    "wave_clients.csv": "wave_clients",
    "freshbooks_clients.csv": "freshbooks_clients",
}


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(
        id="kirjanpito", connector="accounting", path=path, register="asiakkaat", options=options
    )


def by_key(traces: pd.DataFrame, key: str) -> dict[str, pd.Series]:
    return {json.loads(t["locator"])[key]: t for _, t in traces.iterrows()}


def locator(trace: pd.Series) -> dict[str, Any]:
    return json.loads(trace["locator"])


# ------------------------------------------------------------------ contract


@pytest.mark.samples
@pytest.mark.parametrize("path", sample_files("accounting"), ids=lambda p: p.name)
def test_contract_on_samples(samples: Path, path: Path) -> None:
    known = SAMPLE_FORMATS.get(path.name)
    result = check_contract(spec(path), allow_unreadable=not known)
    if known:
        assert len(result.traces) > 0
        # detected by headers; reading with the named format gives the same traces
        named = read_source(spec(path, format=known))
        assert named.traces["trace_id"].tolist() == result.traces["trace_id"].tolist()
        head = path.read_bytes()[:65536]
        assert AccountingConnector.sniff(path, head) >= 90
        assert AccountingConnector.sniff(path, head) > SpreadsheetConnector.sniff(path, head)
    else:
        assert result.error is not None
        assert AccountingConnector.sniff(path, path.read_bytes()[:65536]) == 0


# ------------------------------------------------------------- sample formats


@pytest.mark.samples
def test_zoho_invoices_one_trace_per_invoice(samples: Path) -> None:
    result = read_source(spec(samples / "accounting" / "zoho_invoices.csv"))
    assert result.problems == []
    invoices = by_key(result.traces, "invoice_no")
    assert sorted(invoices) == ["INV-000001", "INV-000002", "INV-000003"]
    first = invoices["INV-000001"]
    assert first["kind"] == "invoice"
    assert first["label"] == "Lasku INV-000001"
    assert first["event_date"] == pd.Timestamp("2021-01-28")
    assert first["status"] == "open"  # Draft
    assert first["name"] == "Highlander"
    assert first["customer_no"] == "2520018000000073035"
    assert pd.isna(first["email"])  # Zoho's invoice export has no e-mail column
    assert locator(first)["rows"] == [2, 3, 4, 5]
    assert locator(first)["row"] == 2
    assert locator(first)["amount"] == "489.75"
    assert locator(invoices["INV-000003"])["due_date"] == "2021-02-27"
    assert "organisation" in first["found_categories"].split(",")


@pytest.mark.samples
def test_zoho_contacts_join_invoices_by_customer_number(samples: Path) -> None:
    contacts = read_source(spec(samples / "accounting" / "zoho_contacts.csv")).traces
    invoices = read_source(spec(samples / "accounting" / "zoho_invoices.csv")).traces
    by_customer = {t["customer_no"]: t for _, t in contacts.iterrows()}
    assert by_customer["2520018000000073035"]["email"] == "connory@highlander.com"
    assert by_customer["2520018000000073005"]["email"] == "thor@midgaurd.org"
    assert (contacts["kind"] == "customer").all()
    assert set(invoices["customer_no"]) <= set(contacts["customer_no"])
    assert by_customer["2520018000000073005"]["status"] == "active"
    assert by_customer["2520018000000073005"]["label"] == "Asiakas 2520018000000073005"


@pytest.mark.samples
def test_wave_status_comes_from_the_receivable_balance(samples: Path) -> None:
    result = read_source(spec(samples / "accounting" / "wave_invoices.csv"))
    invoices = by_key(result.traces, "invoice_no")
    assert sorted(invoices) == ["2", "3", "4"]  # the bank line without an invoice is no trace
    assert invoices["3"]["status"] == "paid"  # an Invoice Payment row settles the receivable
    assert invoices["2"]["status"] == "open"
    assert invoices["4"]["status"] == "open"
    assert invoices["3"]["name"] == "Lucas Cage"
    assert locator(invoices["3"])["rows"] == [7, 8, 9, 10, 11, 12]
    assert invoices["2"]["event_date"] == pd.Timestamp("2021-01-28")


@pytest.mark.samples
def test_freshbooks_invoice_amount_is_the_sum_of_its_lines(samples: Path) -> None:
    result = read_source(spec(samples / "accounting" / "freshbooks_invoices.csv"))
    (invoice,) = by_key(result.traces, "invoice_no").values()
    assert locator(invoice)["invoice_no"] == "0000001"
    assert locator(invoice)["amount"] == "7890.00"
    assert locator(invoice)["rows"] == [2, 3, 4]
    assert invoice["status"] == "open"  # sent
    assert invoice["name"] == "X-Men"


@pytest.mark.samples
def test_freshbooks_and_wave_clients(samples: Path) -> None:
    fresh = read_source(spec(samples / "accounting" / "freshbooks_clients.csv")).traces
    assert fresh["name"].tolist() == ["Marge Simpson", "Scott Summer"]
    assert fresh["email"].tolist() == ["marge@simpsons.com", "ssummers@xavierscool.edu"]
    assert fresh["found_categories"].tolist() == ["address,organisation", "organisation"]
    wave = read_source(spec(samples / "accounting" / "wave_clients.csv")).traces
    assert "luke@powerman.com" in wave["email"].tolist()
    assert (wave["found_categories"] == "address").all()


# ------------------------------------------------------------ Finnish exports


def test_fi_invoices_values() -> None:
    result = read_source(spec(FI_INVOICES))
    assert result.problems == []
    invoices = by_key(result.traces, "invoice_no")
    first = invoices["1042"]
    assert first["kind"] == "invoice"
    assert first["label"] == "Lasku 1042"
    assert first["name"] == "Maija Mehiläinen"
    assert first["email"] == "maija.mehilainen@example.fi"
    assert first["customer_no"] == "17"
    assert first["event_date"] == pd.Timestamp("2024-02-01")
    assert pd.isna(first["end_date"])
    assert locator(first) == {
        "file": display_path(FI_INVOICES),
        "row": 2,
        "invoice_no": "1042",
        "due_date": "2024-02-15",
        "amount": "1234.50",  # "1 234,50" with decimal comma and a space
    }
    assert locator(invoices["1045"])["amount"] == "-49.90"
    assert {k: t["status"] for k, t in invoices.items()} == {
        "1042": "paid",
        "1043": "open",
        "1044": "collection",  # Perinnässä
        "1045": "credited",
        "1046": "open",  # Erääntynyt
        "1047": "open",  # Osittain maksettu
    }
    # Y-tunnus/Hetu: a business id is a category, a henkilötunnus is the hetu
    assert invoices["1043"]["found_categories"] == "business_id"
    assert pd.isna(invoices["1043"]["hetu"])
    assert invoices["1044"]["hetu"] == "150385-246Y"
    assert invoices["1044"]["found_categories"] == "hetu"


def test_fi_customers_values() -> None:
    result = read_source(spec(FIXTURES / "passing_fi_customers.csv"))
    customers = by_key(result.traces, "customer_no")
    assert customers["17"]["kind"] == "customer"
    assert customers["17"]["label"] == "Asiakas 17"
    assert customers["17"]["phone"] == "+358401234567"
    assert customers["17"]["found_categories"] == "address"
    assert customers["18"]["found_categories"] == "address,business_id"
    assert customers["19"]["found_categories"] == "hetu"
    assert pd.isna(customers["17"]["event_date"])
    configured = read_source(
        SourceSpec(
            id="asiakkaat",
            connector="accounting",
            path=FIXTURES / "passing_fi_customers.csv",
            kind="client_record",
        )
    )
    assert (configured.traces["kind"] == "client_record").all()


def test_customer_number_is_the_record_id(tmp_path: Path) -> None:
    """The same customer in a reordered and edited export keeps its trace id."""
    original = FIXTURES / "passing_fi_customers.csv"
    lines = original.read_bytes().decode("cp1252").splitlines()
    lines = [lines[0], *reversed(lines[1:])]
    lines[1] = lines[1].replace("050 765 4321", "050 765 0000")
    reordered = tmp_path / "asiakkaat.csv"
    reordered.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    def ids(path: Path) -> dict[str, str]:
        traces = read_source(spec(path)).traces
        return dict(zip(traces["customer_no"], traces["trace_id"], strict=True))

    assert ids(reordered) == ids(original)


def test_fi_invoices_bad_values_are_row_problems() -> None:
    result = read_source(spec(FIXTURES / "failing_fi_invoices_bad_values.csv"))
    assert result.error is None
    assert [(p.row, p.field) for p in result.problems] == [
        (3, "Laskun päivämäärä"),
        (4, "Tila"),
        (5, "Summa"),
        (6, "Y-tunnus/Hetu"),
    ]
    assert "2 rows" in result.problems[1].message
    text = " ".join(str(p) for p in result.problems)
    for value in ("32.13.2024", "Odottaa", "satanen", "123456-7890"):
        assert value not in text
    invoices = by_key(result.traces, "invoice_no")
    assert len(invoices) == 5  # every row is still a trace
    assert pd.isna(invoices["1043"]["event_date"])
    assert "amount" not in locator(invoices["1045"])
    mapped = read_source(
        spec(FIXTURES / "failing_fi_invoices_bad_values.csv", status_map={"odottaa": "open"})
    )
    assert [p.row for p in mapped.problems] == [3, 5, 6]
    assert by_key(mapped.traces, "invoice_no")["1044"]["status"] == "open"


def test_renamed_column_is_named_in_the_error() -> None:
    path = FIXTURES / "failing_fi_invoices_renamed_column.csv"
    auto = read_source(spec(path))
    assert auto.error is not None
    assert "looks like fi_invoices" in auto.error.message
    assert "'Laskun päivämäärä' not found" in auto.error.message
    named = read_source(spec(path, format="fi_invoices"))
    assert named.error is not None
    assert named.error.message == "column 'Laskun päivämäärä' not found"
    # mapping the renamed header reads the file
    fixed = read_source(spec(path, format="fi_invoices", columns={"event_date": "Laskun pvm"}))
    assert fixed.error is None
    assert fixed.traces["event_date"].tolist() == [pd.Timestamp("2024-02-01")]


def test_line_item_invoice_problems_name_the_first_row(tmp_path: Path) -> None:
    """A Zoho-style invoice over three rows: one trace, one problem at its first row."""
    header = "Invoice Date,Invoice ID,Invoice Number,Invoice Status,Customer Name,Customer ID,Total"
    path = tmp_path / "zoho.csv"
    path.write_text(
        "\n".join(
            [
                header,
                "not a date,1,INV-9,Sent,Maija Mehiläinen,C1,10.00",
                "not a date,1,INV-9,Sent,Maija Mehiläinen,C1,10.00",
                "not a date,1,INV-9,Sent,Maija Mehiläinen,C1,10.00",
                "2024-03-01,2,INV-10,Paid,Pekka Häkkinen,C2,5.00",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = read_source(spec(path))
    assert [(p.row, p.field) for p in result.problems] == [(2, "Invoice Date")]
    invoices = by_key(result.traces, "invoice_no")
    assert locator(invoices["INV-9"])["rows"] == [2, 3, 4]
    assert invoices["INV-10"]["status"] == "paid"


def test_invoice_without_number_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "laskut.csv"
    lines = [FI_HEADER, "1042;01.02.2024;15.02.2024;17;Maija M;m@example.fi;;10,00;Avoin"]
    lines.append(";02.02.2024;16.02.2024;18;Pekka H;p@example.fi;;20,00;Avoin")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    result = read_source(spec(path))
    assert [(p.row, p.field, p.message) for p in result.problems] == [
        (3, "Laskunumero", "no invoice number")
    ]
    assert len(result.traces) == 2
    assert result.traces["label"].tolist() == ["Lasku 1042", "Lasku, rivi 3"]


# ------------------------------------------------------------------ bad input


def test_utf8_and_utf16_versions_read_the_same(tmp_path: Path) -> None:
    text = FI_INVOICES.read_bytes().decode("cp1252")
    expected = read_source(spec(FI_INVOICES)).traces["name"].tolist()
    for encoding in ("utf-8-sig", "utf-16"):
        path = tmp_path / f"laskut-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        result = read_source(spec(path))
        assert result.error is None
        assert result.traces["name"].tolist() == expected
        assert "Hyvinvointi Öhman Oy" in expected


def test_empty_and_garbage_files(tmp_path: Path) -> None:
    empty = tmp_path / "tyhja.csv"
    empty.write_bytes(b"")
    assert read_source(spec(empty)).error is not None
    garbage = tmp_path / "roskaa.csv"
    garbage.write_bytes(bytes(range(256)) * 64)
    error = read_source(spec(garbage)).error
    assert error is not None
    assert "binary" in error.message
    header_only = tmp_path / "otsikot.csv"
    header_only.write_bytes((FI_HEADER + "\r\n").encode("cp1252"))
    result = read_source(spec(header_only))
    assert result.error is None
    assert result.traces.empty


def test_unknown_format_option() -> None:
    result = read_source(spec(FI_INVOICES, format="netvisor"))
    assert result.error is not None
    assert "option 'format'" in result.error.message
    assert "fi_invoices" in result.error.message
    roles = read_source(spec(FI_INVOICES, columns={"laskunumero": "Laskunumero"}))
    assert roles.error is not None
    assert "option 'columns'" in roles.error.message


def test_every_format_needs_its_signature_headers() -> None:
    for fmt in FORMATS.values():
        for headers in fmt.required().values():
            assert set(headers) <= set(fmt.signature)
        assert fmt.signature


def test_sniff_recognises_the_finnish_exports() -> None:
    for path in PASSING:
        head = path.read_bytes()
        assert AccountingConnector.sniff(path, head) == 95
    tilaukset = Path(__file__).parent / "fixtures" / "spreadsheet" / "passing_tilaukset_cp1252.csv"
    assert AccountingConnector.sniff(tilaukset, tilaukset.read_bytes()) == 0
    assert AccountingConnector.sniff(Path("x.xlsx"), b"PK\x03\x04") == 0


def test_sniff_a_utf8_head_cut_inside_a_letter() -> None:
    """The first 64 KiB of a UTF-8 file may end in half an 'ä': still recognised."""
    row = "1042;01.02.2024;15.02.2024;17;Äijä Mäkelä;a@example.fi;;10,00;Avoin"
    data = "\r\n".join([FI_HEADER] + [row] * 50).encode("utf-8")
    cut = next(i for i in range(2000, len(data)) if data[i - 1] == 0xC3)
    assert AccountingConnector.sniff(Path("laskut.csv"), data[:cut]) == 95
    utf16 = "\r\n".join([FI_HEADER, row]).encode("utf-16")
    assert AccountingConnector.sniff(Path("laskut.csv"), utf16[:-1]) == 95


@pytest.mark.slow
def test_50_mb_invoice_export_extract(tmp_path: Path) -> None:
    rng = random.Random(3)
    statuses = ["Avoin", "Maksettu", "Perinnässä", "Hyvitetty"]
    lines = [FI_HEADER]
    size, i = 0, 0
    while size < 50 * 2**20:
        c = rng.randrange(20000)
        line = (
            f"{10000 + i};{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2023;"
            f"{rng.randint(1, 28):02d}.01.2024;{c};Asiakas Äijälä {c};asiakas{c}@example.fi;"
            f";{rng.randint(1, 9999)},{rng.randint(0, 99):02d};{rng.choice(statuses)}"
        )
        lines.append(line)
        size += len(line) + 2
        i += 1
    path = tmp_path / "laskut.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    log = ProblemLog("laskut.csv")
    started = time.perf_counter()
    raw = AccountingConnector().extract(spec(path), AccountingOptions(), log)
    elapsed = time.perf_counter() - started
    print(f"50 MB invoice extract: {i} rows in {elapsed:.1f} s")
    assert len(raw) == i
    assert log.problems == []
    assert set(raw["status"]) == {"open", "paid", "collection", "credited"}
    assert elapsed < 240  # a guard against a quadratic blow-up only; speed is benchmarks/ work


def test_cut_invoice_export_blocks_instead_of_losing_a_hold() -> None:
    result = check_contract(spec(FIXTURES / "failing_fi_invoices_cut.csv"))
    cut = [p for p in result.problems if p.row is not None and "ends in the middle" in p.message]
    assert [(p.row, p.field) for p in cut] == [(8, "Asiakasnumero")]
    # No wrong customer number: the cut "1" is not read as customer 1.
    last = result.traces[result.traces["label"] == "Lasku 1048"].iloc[0]
    assert pd.isna(last["customer_no"])
    # The whole file is named: records after the cut are missing (a lost row blocks).
    assert any(p.row is None and "cut off" in p.message for p in result.problems)


def test_invoice_export_with_own_header_names_keeps_email_and_date(tmp_path: Path) -> None:
    path = tmp_path / "laskut.csv"
    path.write_text(
        "Laskunumero;Laskupäivä;Asiakasnumero;Nimi;Email;Laskun tila\n"
        "501;3.4.2024;17;Aino Virta;aino@example.fi;Avoin\n",
        encoding="utf-8",
    )
    result = check_contract(
        spec(
            path,
            format="fi_invoices",
            columns={
                "event_date": "Laskupäivä",
                "name": "Nimi",
                "email": "Email",
                "status": "Laskun tila",
                "due_date": [],
                "business_id": [],
                "amount": [],
            },
        )
    )
    assert result.error is None, result.error
    [trace] = result.traces.to_dict("records")
    assert trace["email"] == "aino@example.fi"
    assert trace["status"] == "open"
    assert str(trace["event_date"].date()) == "2024-04-03"


def test_invoice_export_without_a_status_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "laskut.csv"
    path.write_text(
        "Invoice Date,Invoice ID,Invoice Number,Invoice Status,Customer Name,Customer ID\n"
        "2024-04-03,1,INV-1,,Aino Virta,17\n",
        encoding="utf-8",
    )
    result = read_source(spec(path, columns={"status": []}))
    assert any(p.role == "status" and p.row is None for p in result.problems)
