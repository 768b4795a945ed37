"""The proposal at any size: a page a person can read, every row in the XLSX, keyless grouped."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.proposal import META_SHEET, PEOPLE_SHOWN, write_proposal
from tests.conftest import small_review_run


def _customers(count: int) -> list[dict[str, object]]:
    """``count`` customers whose one old order is due (delete)."""
    return [
        {
            "trace_id": f"tilaukset:p{n:04d}",
            "source": "tilaukset",
            "register": "asiakasrekisteri",
            "kind": "order",
            "name": f"Asiakas Numero{n:04d}",
            "email": f"asiakas{n}@example.fi",
            "event_date": "2024-01-10",
            "locator": json.dumps({"file": "tilaukset.xlsx", "row": n + 10}),
        }
        for n in range(count)
    ]


def _keyless(count: int, name: str = "Matti K.") -> list[dict[str, object]]:
    """Calendar entries with a name and nothing else (no e-mail, phone or number)."""
    return [
        {
            "trace_id": f"kalenteri:{name.split()[0]}{n:03d}",
            "source": "kalenteri",
            "register": "asiakasrekisteri",
            "kind": "engagement",
            "name": name,
            "event_date": f"2025-{1 + n % 12:02d}-05",
            "locator": json.dumps({"file": "kalenteri.ics", "uid": f"u{n}"}),
        }
        for n in range(count)
    ]


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start : html.index("</section>", start)]


def test_page_lists_a_bounded_number_of_people_and_says_how_many_more(tmp_path: Path) -> None:
    run = small_review_run(extra_rows=_customers(PEOPLE_SHOWN + 40))
    files = write_proposal(run, tmp_path)
    html = files.html.read_text("utf-8")
    now = _section(html, "action-now")
    assert now.count('<div class="person">') == PEOPLE_SHOWN
    due = run.decisions[run.decisions["decision"] == "delete"]
    people = due["subject_id"].nunique()
    assert f"{people - PEOPLE_SHOWN} muuta" in now  # the rest are counted, not dropped
    assert 'id="deletion-summary"' in now  # per source, kind and month
    assert "1/2024" in now


def test_page_does_not_grow_with_the_number_of_people(tmp_path: Path) -> None:
    small = write_proposal(small_review_run(extra_rows=_customers(200)), tmp_path / "a")
    large = write_proposal(small_review_run(extra_rows=_customers(400)), tmp_path / "b")
    size_small, size_large = small.html.stat().st_size, large.html.stat().st_size
    assert abs(size_large - size_small) < 0.05 * size_small


def test_workbook_has_every_due_row_with_dropdown_protection_and_filter(tmp_path: Path) -> None:
    run = small_review_run(extra_rows=_customers(PEOPLE_SHOWN + 40))
    files = write_proposal(run, tmp_path)
    book = openpyxl.load_workbook(files.xlsx)
    sheet = book["Ehdotus"]
    due = int((run.decisions["decision"] == "delete").sum())
    last = due + 1
    assert sheet.max_row == last
    assert sheet.auto_filter.ref == f"A1:P{last}"
    assert str(sheet.data_validations.dataValidation[0].sqref) == f"A2:A{last}"
    assert sheet.protection.sheet
    assert not sheet[f"A{last}"].protection.locked  # decision: editable
    assert not sheet[f"K{last}"].protection.locked  # comment: editable
    assert sheet[f"B{last}"].protection.locked  # the person: locked to the ids
    assert sheet[f"I{last}"].number_format == "d.m.yyyy"
    assert isinstance(sheet[f"I{last}"].value, datetime)
    assert len({sheet.cell(r, 16).value for r in range(2, last + 1)}) == due  # a check per row
    assert book[META_SHEET].sheet_state == "hidden"


def test_keyless_records_are_grouped_in_their_own_section(tmp_path: Path) -> None:
    rows = _keyless(40) + _keyless(1, name="Maija Mehiläinen")
    run = small_review_run(extra_rows=rows)
    files = write_proposal(run, tmp_path)
    html = files.html.read_text("utf-8")
    review = _section(html, "review")
    keyless = review[review.index('id="keyless"') :]
    assert "Merkinnät ilman tunnistetta (41)" in keyless
    assert html.count("Matti K.") == 1  # 40 entries, one line
    line = keyless[keyless.index("Matti K.") :]
    assert line[: line.index("</tr>")].count("<td>40</td>") == 1
    maija = keyless[keyless.index("Maija Mehiläinen") :]
    assert "nimi täsmää asiakkaaseen" in maija[: maija.index("</tr>")]
    assert "Matti K." not in review[: review.index('id="keyless"')]

    book = openpyxl.load_workbook(files.xlsx)
    proposed = {c.value for c in book["Ehdotus"]["B"]}
    assert "Matti K." not in proposed  # a review is never a proposed deletion
    assert [c.value for c in book["Ilman tunnistetta"]["A"]][1:].count("Matti K.") == 40
    assert "Matti K." not in {c.value for c in book["Tarkistettavat"]["A"]}


def _streamed_sheet(tmp_path: Path, rows: Any) -> Path:
    """A one-column workbook (sheet "s") whose rows reports.xlsx_stream streamed in."""
    from openpyxl import Workbook

    from reports.xlsx_stream import FastSheet, add_template, finish

    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append(["header"])
    add_template(sheet, 1, "d.m.yyyy", frozenset())
    path = tmp_path / "x.xlsx"
    book.save(path)
    finish(path, [FastSheet(0, 1, rows)])
    return path


@pytest.mark.parametrize(
    ("value", "expected", "data_type"),
    [
        ("=HYPERLINK(1)", "=HYPERLINK(1)", "s"),
        ("+358401234567", "+358401234567", "s"),
        ("a\x00b<c>&", "ab<c>&", "s"),
        ("  Maija  Mehiläinen ", "  Maija  Mehiläinen ", "s"),  # spaces kept as typed
        ("rivi 1\nrivi 2", "rivi 1\nrivi 2", "s"),
        ("a\tb", "a\tb", "s"),
        (12, 12, "n"),
        (date(2026, 2, 28), datetime(2026, 2, 28), "d"),
        (None, None, "n"),
    ],
)
def test_streamed_cells_read_back_as_written(
    tmp_path: Path, value: object, expected: object, data_type: str
) -> None:
    path = _streamed_sheet(tmp_path, [[value]])
    back = openpyxl.load_workbook(path)["s"]
    assert back.max_row == (2 if value is not None else 1)
    cell = back["A2"]
    assert cell.value == expected
    if value is not None:
        assert cell.data_type == data_type


def test_streamed_columns_keep_their_spaces_and_plain_texts_carry_no_extra_markup(
    tmp_path: Path,
) -> None:
    """Only a text with spaces a reader could fold is marked xml:space="preserve"
    (fewer bytes per cell on a large sheet); each reads back exactly as written."""
    import zipfile

    from python_calamine import CalamineWorkbook

    from reports.xlsx_stream import Columns

    texts = ["Maija", " alussa", "lopussa ", "kaksi  väliä", "sarkain\t", "=1+1", " =2", "a b"]
    path = _streamed_sheet(tmp_path, Columns([texts]))
    assert [c.value for c in openpyxl.load_workbook(path)["s"]["A"]][1:] == texts
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()
    assert [row[0] for row in calamine[1:]] == texts
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('xml:space="preserve"') == 5  # the four spaced texts and " =2"
    assert "<t>Maija</t>" in xml
    assert "<t>a b</t>" in xml


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("ab =+-@\t\r\n<&>\x01ä ")), max_size=6), max_size=8
    )
)
def test_a_column_of_texts_is_written_as_each_text_alone(texts: list[str]) -> None:
    """The column-at-once path (formulas, spaces and escapes found in all texts joined)
    writes each cell as the one-cell path does."""
    from reports.cells import xml_safe
    from reports.xlsx_stream import _text_tail, _text_tails

    styles = {"text": "3", "quote": "4", "date": "5"}
    assert _text_tails(texts, styles) == [_text_tail(xml_safe(t), styles) for t in texts]
