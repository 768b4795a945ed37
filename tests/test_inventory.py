"""The processing inventory (GDPR art. 30 record): content, counts, privacy, safety, files."""

from __future__ import annotations

import html
import re
import stat
import zipfile
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from policies.engine import Evaluation, evaluate
from policies.examples import example_names, example_path
from policies.law import load_statutory_rules
from policies.schema import LEGAL_BASIS_TEXT, RegisterPolicy, load_policy
from policies.testing import make_policy, make_traces
from reports.inventory import (
    InventoryInput,
    observed_stats,
    sheet_title,
    write_inventory,
)
from reports.view import SourceSummary

LAW = load_statutory_rules()
TODAY = date(2026, 11, 1)
POLICIES: dict[str, RegisterPolicy] = {n: load_policy(example_path(n)) for n in example_names()}

# Fictional customers with distinctive identifiers; none may reach the record.
ULRIIKKA = {
    "name": "Ulriikka Pöntinen-Vaahtera",
    "email": "ulriikka.vaahtera@esimerkkiposti.fi",
    "phone": "040 765 4321",
    "hetu": "131052-308T",
}
VALTTERI = {
    "name": "Valtteri Kuusjärvi",
    "email": "valtteri.kuusjarvi@esimerkkiposti.fi",
    "phone": "050 111 2233",
}
OSKARI = {"name": "Oskari Harmajanniemi", "phone": "+358 44 987 6543", "hetu": "240382-1231"}
HILKKA = {"name": "Hilkka Ruususalo", "email": "hilkka.ruususalo@esimerkkiposti.fi"}
PERTTU = {
    "name": "Perttu Jokivarsi",
    "email": "perttu@jokivarsi-esimerkki.fi",
    "hetu": "070795A456C",
}
PEOPLE = [ULRIIKKA, VALTTERI, OSKARI, HILKKA, PERTTU]


def _rows() -> list[dict[str, Any]]:
    def row(person: dict[str, str], register: str, source: str, kind: str, **kw: Any) -> dict:
        label = f"{kind} {person['name']}"  # a label with the name: must not leak
        return {
            **person,
            "register": register,
            "source": source,
            "kind": kind,
            "label": label,
            **kw,
        }

    u, v = ULRIIKKA, VALTTERI
    return [
        # kohonen: two customers, known figures (see test_observed_counts)
        row(u, "kohonen", "tilaukset", "order", event_date="2025-01-10"),
        row(u, "kohonen", "tilaukset", "order", event_date="2026-05-10"),
        row(u, "kohonen", "laskut", "invoice", event_date="2020-05-10", status="paid"),
        row(v, "kohonen", "valmennus", "engagement", event_date="2026-01-01",
            end_date="2026-10-01", status="ended"),
        row(v, "kohonen", "yhteystiedot", "contact"),
        # the other registers: something each
        row(OSKARI, "leoprana", "varaaheti", "appointment", event_date="2024-01-10"),
        row(OSKARI, "leoprana", "gmail", "contact"),
        row(OSKARI, "kallio", "potilaat", "client_record", event_date="2019-03-01",
            found_categories="health_note"),
        row(OSKARI, "kallio", "ajanvaraus", "appointment", event_date="2025-12-01"),
        row(HILKKA, "kehobalanssi", "verkkokauppa", "order", event_date="2023-06-01"),
        row(PERTTU, "prover", "outlook", "engagement", event_date="2022-01-01",
            end_date="2022-06-30", status="ended"),
        row(PERTTU, "prover", "koonnit", "summary", event_date="2022-06-30",
            end_date="2022-06-30"),
    ]  # fmt: skip


SOURCES = [
    SourceSummary("tilaukset", "spreadsheet", "/home/omistaja/vienti/tilaukset.xlsx", "kohonen", 2),
    SourceSummary("laskut", "accounting", "laskut.csv", "kohonen", 1, problems=("row 3 ...",)),
    SourceSummary("valmennus", "ics", "valmennus.ics", "kohonen", 1),
    SourceSummary("yhteystiedot", "vcard", "kontaktit.vcf", "kohonen", 1),
    SourceSummary("varaaheti", "spreadsheet", "varaukset.csv", "leoprana", 1),
    SourceSummary("gmail", "google_csv", "contacts.csv", "leoprana", 0, error="could not be read"),
]


@lru_cache(maxsize=1)
def _evaluated() -> tuple[pd.DataFrame, Evaluation]:
    """The shared input, evaluated once (the frames are only read)."""
    traces = make_traces(_rows())
    return traces, evaluate(traces, POLICIES, LAW, TODAY)


def make_input(lang: str = "fi", *, decided: bool = True, **changes: Any) -> InventoryInput:
    traces, evaluation = _evaluated()
    decisions = evaluation.decisions if decided else evaluation.decisions.iloc[0:0]
    fields: dict[str, Any] = {
        "business": "Karsinnan testiyritykset",
        "today": TODAY,
        "lang": lang,
        "policies": POLICIES,
        "traces": traces,
        "decisions": decisions,
        "findings": evaluation.findings,
        "sources": SOURCES,
    }
    fields.update(changes)
    return InventoryInput(**fields)


@pytest.fixture(scope="module")
def written_fi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_inventory(make_input(), tmp_path_factory.mktemp("fi"))


@pytest.fixture(scope="module")
def written_en(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_inventory(make_input("en"), tmp_path_factory.mktemp("en"))


def sections(page: str) -> dict[str, str]:
    """The HTML section of each register, by register id, unescaped."""
    out = {}
    for part in page.split('<section class="register"')[1:]:
        register = re.match(r'[^>]*data-register="([^"]*)"', part)
        assert register is not None
        out[html.unescape(register.group(1))] = html.unescape(part.split("</section>")[0])
    return out


def sheet_texts(path: Path) -> dict[str, str]:
    """Every cell of every sheet as text, one string per sheet."""
    workbook = load_workbook(path)
    return {
        ws.title: "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
        for ws in workbook.worksheets
    }


# ----------------------------------------------------------------- content


def test_every_register_has_a_sheet_and_a_section_with_its_record(
    written_fi: tuple[Path, Path],
) -> None:
    html_path, xlsx_path = written_fi
    assert html_path.name == "seloste-kasittelytoimista-2026-11-01.html"
    assert xlsx_path.name == "seloste-kasittelytoimista-2026-11-01.xlsx"
    page = sections(html_path.read_text(encoding="utf-8"))
    sheets = sheet_texts(xlsx_path)
    assert list(sheets) == ["Yhteenveto", *POLICIES]
    assert set(page) == set(POLICIES)
    for register, policy in POLICIES.items():
        expected = [
            policy.controller.name,
            policy.name,
            *(p.kuvaus.strip() for p in policy.purposes),
            *(LEGAL_BASIS_TEXT[p.legal_basis][0] for p in policy.purposes if p.legal_basis),
            *policy.data_subjects,
            *(c.kuvaus.strip() for c in policy.data_categories),
            *(r.kuvaus.strip() for r in policy.retention.values()),
            *(t.recipient for t in policy.transfers),
            *policy.security,
            *policy.sources,
            # invoices are kept 6 years by the Accounting Act in every example
            "Kirjanpitolaki (1336/1997) 2 luku 10 § 2 mom.",
        ]
        for text in expected:
            assert text in page[register], (register, text)
            assert text in sheets[register], (register, text)
        if any(not i.confirmed for _, i in policy.interpretations()):
            assert "Vahvistamaton tulkinta:" in page[register]
            assert "Vahvistamaton tulkinta:" in sheets[register]


def test_leoprana_transfer_to_the_usa_with_its_safeguard_and_the_privacy_shield_finding(
    written_fi: tuple[Path, Path],
) -> None:
    html_path, xlsx_path = written_fi
    section = sections(html_path.read_text(encoding="utf-8"))["leoprana"]
    sheet = sheet_texts(xlsx_path)["leoprana"]
    for text in ("Google (Gmail)", "Yhdysvallat", "Privacy Shield (mitätöity 16.7.2020)"):
        assert text in section
        assert text in sheet
    assert "Privacy Shield -järjestelyyn, jonka EU-tuomioistuin mitätöi" in section
    assert "Privacy Shield -järjestelyyn, jonka EU-tuomioistuin mitätöi" in sheet
    # patient records are held by law with their source; health data is not declared
    kallio = sections(html_path.read_text(encoding="utf-8"))["kallio"]
    assert "703/2023" in kallio
    assert "terveystieto" in kallio


def test_a_transfer_without_safeguard_says_so(written_fi: tuple[Path, Path]) -> None:
    html_path, xlsx_path = written_fi
    assert "Suojatoimea ei ole ilmoitettu" in sections(html_path.read_text("utf-8"))["prover"]
    assert "Suojatoimea ei ole ilmoitettu" in sheet_texts(xlsx_path)["prover"]


# ------------------------------------------------------------------ counts


def _stat(stats: pd.DataFrame, register: str, kind: str | None) -> pd.Series:
    rows = stats[stats["register"] == register]
    rows = rows[rows["kind"].isna()] if kind is None else rows[rows["kind"] == kind]
    assert len(rows) == 1
    return rows.iloc[0]


def test_observed_counts_for_a_known_input() -> None:
    stats = observed_stats(make_input())
    total = _stat(stats, "kohonen", None)
    assert (total["subjects"], total["traces"], total["dated"]) == (2, 5, 4)
    assert total["oldest"] == pd.Timestamp("2020-05-10")
    # both orders are past their 2 months (due 10.7.2026); the invoice is kept by law,
    # the engagement is kept until 1.1.2027; the undated contact is not counted
    assert total["past_period"] == 2
    assert total["past_share"] == pytest.approx(0.5)
    order = _stat(stats, "kohonen", "order")
    assert (order["subjects"], order["traces"], order["past_period"]) == (1, 2, 2)
    assert order["oldest"] == pd.Timestamp("2025-01-10")
    assert order["past_share"] == pytest.approx(1.0)
    invoice = _stat(stats, "kohonen", "invoice")
    assert (invoice["traces"], invoice["past_period"], invoice["past_share"]) == (1, 0, 0.0)
    contact = _stat(stats, "kohonen", "contact")
    assert (contact["traces"], contact["dated"]) == (1, 0)
    assert pd.isna(contact["oldest"])
    assert pd.isna(contact["past_share"])
    # a declared kind with nothing observed is listed with zeros
    erasure = _stat(stats, "kohonen", "erasure_request")
    assert (erasure["traces"], erasure["subjects"], bool(erasure["has_rule"])) == (0, 0, True)
    # patient records are held by a law whose end the data cannot tell: not "past"
    record = _stat(stats, "kallio", "client_record")
    assert (record["traces"], record["past_period"]) == (1, 0)
    # one person in two registers is one subject in each
    assert _stat(stats, "kallio", None)["subjects"] == 1
    assert _stat(stats, "leoprana", None)["subjects"] == 1


def test_counts_reach_both_files(written_fi: tuple[Path, Path]) -> None:
    html_path, xlsx_path = written_fi
    workbook = load_workbook(xlsx_path)
    sheet = workbook["kohonen"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    total = next(r for r in rows if r[0] == "Kaikki")
    assert total[2:7] == [2, 5, 4, total[5], 2]
    assert total[5].date() == date(2020, 5, 10)
    assert total[7] == pytest.approx(0.5)
    summary = [[c.value for c in row] for row in workbook["Yhteenveto"].iter_rows()]
    kohonen = next(r for r in summary if r[0] == "kohonen")
    assert kohonen[3:6] == [4, 2, 5]  # sources, people, records
    section = sections(html_path.read_text("utf-8"))["kohonen"]
    assert re.search(
        r"Kaikki</td>.*?>2</td>.*?>5</td>.*?>4</td>.*?10\.5\.2020.*?50 %", section, re.S
    )
    # sources: file name only, and what happened to the read
    assert "tilaukset.xlsx" in section
    assert "/home/omistaja" not in section
    leoprana = sections(html_path.read_text("utf-8"))["leoprana"]
    assert "ei voitu lukea" in leoprana


def test_without_decisions_people_are_counted_and_the_share_is_unknown() -> None:
    stats = observed_stats(make_input(decided=False))
    total = _stat(stats, "kohonen", None)
    assert (total["subjects"], total["traces"], total["past_period"]) == (2, 5, 0)
    assert pd.isna(total["past_share"])


def test_policy_findings_show_without_a_review(tmp_path: Path) -> None:
    html_path, _ = write_inventory(make_input(findings=[], decided=False), tmp_path)
    page = sections(html_path.read_text("utf-8"))
    # kehobalanssi's notice cites the repealed Personal Data Act
    assert "kumottuun henkilötietolakiin" in page["kehobalanssi"]
    assert "vahvistamatonta tulkintaa" in page["kehobalanssi"]


def test_a_register_without_policy_and_a_kind_without_rule_are_shown(tmp_path: Path) -> None:
    rows = [
        *(r for r in _rows() if r["register"] == "kohonen"),
        {"register": "kohonen", "source": "x", "kind": "newsletter", "email": "n@esim.fi",
         "event_date": "2026-01-01"},
        {"register": "varasto", "source": "y", "kind": "contact", "email": "m@esim.fi"},
    ]  # fmt: skip
    traces = make_traces(rows)
    policies = {"kohonen": POLICIES["kohonen"]}
    evaluation = evaluate(traces, policies, LAW, TODAY)
    inv = make_input(
        policies=policies,
        traces=traces,
        decisions=evaluation.decisions,
        findings=evaluation.findings,
    )
    stats = observed_stats(inv)
    newsletter = _stat(stats, "kohonen", "newsletter")
    assert (bool(newsletter["has_rule"]), newsletter["traces"]) == (False, 1)
    html_path, xlsx_path = write_inventory(inv, tmp_path)
    page = sections(html_path.read_text("utf-8"))
    assert "varasto" in page
    assert "ei ole käsittelyohjetta" in page["varasto"]
    assert "ilman säilytysaikaa" in page["kohonen"]
    assert "varasto" in load_workbook(xlsx_path).sheetnames


# ----------------------------------------------------------------- privacy


def _forbidden() -> list[str]:
    values = []
    for person in PEOPLE:
        values += [person["name"], person["name"].split()[-1]]
        values += [person[k] for k in ("email", "hetu") if k in person]
        if "phone" in person:
            raw = person["phone"]
            digits = re.sub(r"\D", "", raw)
            values += [raw, "+358" + digits.removeprefix("358").removeprefix("0")]
    return values


@pytest.mark.parametrize("written", ["written_fi", "written_en"])
def test_no_customer_data_in_any_file(written: str, request: pytest.FixtureRequest) -> None:
    html_path, xlsx_path = request.getfixturevalue(written)
    texts = {"html": html.unescape(html_path.read_text("utf-8")).casefold()}
    with zipfile.ZipFile(xlsx_path) as archive:  # every part: sheets, shared strings, props
        for name in archive.namelist():
            texts[name] = html.unescape(archive.read(name).decode("utf-8")).casefold()
    for sheet, text in sheet_texts(xlsx_path).items():
        texts[f"cells:{sheet}"] = text.casefold()
    assert any("sharedstrings" in n or n.startswith("xl/worksheets") for n in texts)
    for value in _forbidden():
        for where, text in texts.items():
            assert value.casefold() not in text, (value, where)


# ----------------------------------------------------------------- English


def test_english_output_uses_english_headings(written_en: tuple[Path, Path]) -> None:
    html_path, xlsx_path = written_en
    assert html_path.name == "processing-record-2026-11-01.html"
    assert xlsx_path.name == "processing-record-2026-11-01.xlsx"
    page = html_path.read_text("utf-8")
    assert '<html lang="en">' in page
    headings = [
        "Record of processing activities",
        "Controller and contact person",
        "Purposes of the processing and legal basis",
        "Categories of data subjects",
        "Categories of personal data",
        "Transfers outside the EU/EEA and their safeguards",
        "Time limits for erasure, per category",
        "Technical and organisational security measures",
        "Observed: records per kind",
        "Unconfirmed interpretation:",
    ]
    sheets = sheet_texts(xlsx_path)
    assert next(iter(sheets)) == "Summary"
    for heading in headings:
        assert heading in page
        assert heading in sheets["leoprana"] or heading in sheets["Summary"]
    for finnish in ("Käsittelyn tarkoitukset", "Rekisterinpitäjä ja yhteyshenkilö", "Havaittu"):
        assert finnish not in page
        assert all(finnish not in text for text in sheets.values())
    kohonen = sections(page)["kohonen"]
    assert "Order data: 2 months after the last order" in kohonen
    assert "contract (art. 6(1)(b))" in kohonen
    assert "2020-05-10" in kohonen
    assert "The notice refers to the repealed Personal Data Act" in kohonen


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        write_inventory(make_input("sv"), tmp_path)


# ------------------------------------------------------------ files, safety


def test_files_are_owner_only_and_nothing_else_is_left(written_fi: tuple[Path, Path]) -> None:
    for path in written_fi:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in written_fi[0].parent.iterdir()) == sorted(
        p.name for p in written_fi
    )


def test_html_escapes_and_xlsx_never_holds_a_formula(tmp_path: Path) -> None:
    hostile = make_policy(
        {"order": {"keep": "2 kk", "after": "event_date"}},
        ["order"],
        name="<script>alert('rekisteri')</script>",
        controller={"name": '=HYPERLINK("http://evil.example","Tmi")'},
        purposes=[{"kuvaus": "+SUM(1,2)", "legal_basis": "contract"}],
    )
    traces = make_traces(
        [{"register": "<b>paha</b>", "kind": "order", "email": "a@esim.fi",
          "event_date": "2026-01-01"}]
    )  # fmt: skip
    evaluation = evaluate(traces, {"<b>paha</b>": hostile}, LAW, TODAY)
    inv = make_input(
        business="<script>alert('yritys')</script> Oy",
        policies={"<b>paha</b>": hostile},
        traces=traces,
        decisions=evaluation.decisions,
        findings=evaluation.findings,
        sources=[SourceSummary("-1+1", "spreadsheet", "@evil.csv", "<b>paha</b>", 1)],
    )
    html_path, xlsx_path = write_inventory(inv, tmp_path)
    page = html_path.read_text("utf-8")
    assert "<script>" not in page
    assert "<b>paha</b>" not in page
    assert "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;paha&lt;/b&gt;" in page

    workbook = load_workbook(xlsx_path)
    formula_like = [
        cell
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    values = {c.value for c in formula_like}
    assert '=HYPERLINK("http://evil.example","Tmi")' in values
    assert {"+SUM(1,2)", "-1+1", "@evil.csv"} <= values
    assert all(c.data_type == "s" for c in formula_like)
    with zipfile.ZipFile(xlsx_path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8")
    assert "<b>paha<_b>" in workbook.sheetnames  # "/" is not allowed in a sheet title


def test_sheet_titles_are_valid_and_unique() -> None:
    used: set[str] = set()
    first = sheet_title("a/b:c*d?e[f]g\\h", used)
    assert first == "a_b_c_d_e_f_g_h"
    long = "x" * 40
    assert sheet_title(long, used) == "x" * 31
    assert sheet_title(long, used) == "x" * 29 + "~2"
    assert sheet_title("Yhteenveto", {"yhteenveto"}) == "Yhteenveto~2"
    assert sheet_title("''", used) == "register"
