"""The deletion proposal's content, escaping and workbook, on a small hand-made run."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import openpyxl

from reports.proposal import ID_HEADERS, META_SHEET, write_proposal
from tests.conftest import FORMULA_LABEL, HOSTILE_NAME, small_review_run


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start : html.index("</section>", start)]


def test_deletion_is_grouped_per_person_with_every_source(tmp_path: Path) -> None:
    files = write_proposal(small_review_run(), tmp_path)
    html = files.html.read_text("utf-8")
    now = _section(html, "action-now")
    assert "Maija Mehiläinen" in now
    assert now.count("tilaukset.xlsx, Tilaukset, rivi 5") == 1
    assert "yhteystiedot.csv, rivi 3" in now  # the same person's other source
    assert "Tilaustiedot: 2 kk viimeisestä tilauksesta" in now
    assert "Kalle" not in now
    assert "Liisa" not in now


def test_hold_is_shown_with_its_reason(tmp_path: Path) -> None:
    html = write_proposal(small_review_run(), tmp_path).html.read_text("utf-8")
    held = _section(html, "held")
    assert "Kalle Könönen" in held
    assert "tilaukset.xlsx, rivi 6" in held  # his order, held by the invoice in collection
    assert "saatavan perimiseen" in held  # the hold says why
    # The invoice itself is not due (bookkeeping keeps it 6 years): not among the held.
    assert "#1042" not in held


def test_sources_and_their_problems_are_listed(tmp_path: Path) -> None:
    html = write_proposal(small_review_run(), tmp_path).html.read_text("utf-8")
    sources = _section(html, "sources")
    assert "field &#39;Eräpäivä&#39;: not a date" in sources


def test_english_proposal(tmp_path: Path) -> None:
    html = write_proposal(small_review_run(lang="en"), tmp_path).html.read_text("utf-8")
    assert "<h2>Action needed now</h2>" in html
    assert "Kept, and why" in html
    assert 'lang="en"' in html


def test_html_escapes_source_values(tmp_path: Path) -> None:
    html = write_proposal(small_review_run(hostile=True), tmp_path).html.read_text("utf-8")
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;console.error(" in html
    assert "<b>Testi</b>" not in html  # the business name is escaped too
    assert "<script" not in html


def test_workbook_stores_formulas_as_text_and_hides_ids(tmp_path: Path) -> None:
    files = write_proposal(small_review_run(hostile=True), tmp_path)
    book = openpyxl.load_workbook(files.xlsx)
    sheet = book["Ehdotus"]
    header = [c.value for c in sheet[1]]
    people = {
        row[header.index("Henkilö")].value: row[header.index("Henkilö")]
        for row in sheet.iter_rows(2)
    }
    assert set(people) == {HOSTILE_NAME, FORMULA_LABEL}
    assert people[FORMULA_LABEL].data_type == "s"  # text, not a formula
    # ... and no cell anywhere is a formula, even one whose text starts with "=".
    with zipfile.ZipFile(files.xlsx) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    for name in ID_HEADERS:
        letter = openpyxl.utils.get_column_letter(header.index(name) + 1)
        assert sheet.column_dimensions[letter].hidden
    meta = {row[0].value: row[1].value for row in book[META_SHEET].iter_rows()}
    assert meta["workspace_key"] == "0123456789abcdef0123456789abcdef"
    assert meta["month"] == "2026-11"
    assert meta["proposal_id"] == files.proposal_id


def test_a_formula_like_value_is_a_text_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from reports.cells import set_cell

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row, value in enumerate([FORMULA_LABEL, "+358401234567", "-5", "@SUM(A1)"], start=1):
        set_cell(sheet.cell(row, 1), value)
    path = tmp_path / "x.xlsx"
    book.save(path)
    back = openpyxl.load_workbook(path).active
    assert back is not None
    for row in range(1, 5):
        assert back.cell(row, 1).data_type == "s"
    assert back.cell(1, 1).value == FORMULA_LABEL


def test_files_are_owner_only(tmp_path: Path) -> None:
    files = write_proposal(small_review_run(), tmp_path)
    for path in (files.html, files.xlsx):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([files.html.name, files.xlsx.name])


def test_unchanged_proposal_says_so(tmp_path: Path) -> None:
    first = write_proposal(small_review_run(), tmp_path)
    again = small_review_run()
    again.previous_digest = first.digest
    second = write_proposal(again, tmp_path)
    assert second.unchanged
    assert 'id="no-changes"' in second.html.read_text("utf-8")
    assert 'id="no-changes"' not in write_proposal(small_review_run(), tmp_path).html.read_text(
        "utf-8"
    )


def test_overdue_erasure_is_first_even_when_its_deletion_is_blocked(tmp_path: Path) -> None:
    """Liisa asked for erasure on 22.10. (7-day deadline); her orders' source was read with errors,
    so nothing is deleted - but the overdue request still heads the page."""
    request = {
        "trace_id": "poistopyynnot:e1",
        "source": "poistopyynnot",
        "register": "asiakasrekisteri",
        "kind": "erasure_request",
        "name": "Liisa Lähde",
        "email": "liisa@example.fi",
        "event_date": "2026-10-22",
        "locator": '{"file": "poistopyynnot.xlsx", "row": 2}',
    }
    run = small_review_run(extra_rows=[request], faulty=frozenset({"tilaukset"}))
    html = write_proposal(run, tmp_path).html.read_text("utf-8")
    alert = html[html.index('id="erasure-overdue"') : html.index('id="deletions"')]
    assert "Liisa Lähde" in alert
    assert "lähteen luvussa oli virheitä" in alert  # why it is not done yet
    assert html.index("Liisa Lähde") < html.index('id="deletions"')


def test_rows_decided_earlier_are_not_proposed_and_marks_are_carried(tmp_path: Path) -> None:
    from reports.view import ProposalMemory, Remembered

    run = small_review_run()
    run.memory = ProposalMemory(
        hidden={"yhteystiedot:a2": Remembered("rejected", "2026-10", "<b>ystävä</b>")},
        carried={"tilaukset:a1": ("approve", "ok")},
    )
    files = write_proposal(run, tmp_path)
    sheet = openpyxl.load_workbook(files.xlsx)["Ehdotus"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(2)]
    trace = header.index(ID_HEADERS[0])
    assert [(r[trace], r[0], r[header.index("Kommentti (vapaaehtoinen)")]) for r in rows] == [
        ("tilaukset:a1", "hyväksy", "ok")
    ]
    html = files.html.read_text("utf-8")
    now = _section(html, "action-now")
    assert "yhteystiedot.csv, rivi 3" not in now
    remembered = _section(html, "remembered")
    assert "yhteystiedot.csv, rivi 3" in remembered
    assert "hylätty aiemmin" in remembered
    assert "&lt;b&gt;ystävä&lt;/b&gt;" in remembered  # her note, escaped
    assert 'id="n-rejected"><b>1</b>' in remembered
    assert 'id="remembered"' not in write_proposal(small_review_run(), tmp_path).html.read_text(
        "utf-8"
    )
