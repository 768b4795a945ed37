"""Decisions remembered: the owner's marks survive a re-run, a rejection, a postponement
and a manual checklist item, on the small hand-made workspace of test_apply (no Prefect).
"""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from flows.apply import apply_proposal
from flows.decisions import open_store, store_path
from flows.workspace import Workspace
from reports.proposal import COMMENT_COLUMN, DECISION_COLUMN, ID_HEADERS
from tests.test_apply import PEOPLE, make_workspace, review_now

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)
JAN = date(2027, 1, 1)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "yritys")


def _rows(path: Path) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]


def _find(path: Path, person: str, source: str) -> str:
    (row,) = [r for r in _rows(path) if r["Henkilö"] == person and r["Lähde"] == source]
    return str(row[ID_HEADERS[0]])


def _mark(path: Path, marks: dict[str, tuple[str, str | None]]) -> None:
    """Write decisions (and comments) on the rows of the given trace ids, as the owner."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    trace = header.index(ID_HEADERS[0]) + 1
    for number in range(2, sheet.max_row + 1):
        trace_id = sheet.cell(row=number, column=trace).value
        if trace_id in marks:
            word, comment = marks[trace_id]
            sheet.cell(row=number, column=DECISION_COLUMN).value = word
            sheet.cell(row=number, column=COMMENT_COLUMN).value = comment
    book.save(path)


def _proposed(path: Path) -> dict[str, Any]:
    """trace id -> the decision cell."""
    return {str(r[ID_HEADERS[0]]): r["Päätös"] for r in _rows(path)}


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start : html.index("</section>", start)]


def test_a_second_review_in_the_month_keeps_the_marked_file_and_carries_the_marks(
    ws: Workspace,
) -> None:
    first = review_now(ws, NOV)
    assert first.version == 1
    v1 = first.files.xlsx
    aino = _find(v1, "Aino Arvelo", "tilaukset")
    bertta = _find(v1, "Bertta Bergman", "tilaukset")
    cecilia = _find(v1, "Cecilia Cederholm", "tilaukset")
    _mark(
        v1,
        {
            aino: ("hyväksy", None),
            bertta: ("hylkää", "palaa asiakkaaksi keväällä"),
            cecilia: ("siirrä", None),
        },
    )
    before = v1.read_bytes()

    second = review_now(ws, NOV)

    assert v1.read_bytes() == before  # her file is untouched
    assert second.version == 2
    assert second.files.xlsx.name == "poistoehdotus-2026-11-v2.xlsx"
    assert second.files.html.name == "poistoehdotus-2026-11-v2.html"
    proposed = _proposed(second.files.xlsx)
    assert proposed[aino] == "hyväksy"  # carried onto the unchanged row
    assert bertta not in proposed  # rejected: not proposed again
    assert cecilia not in proposed  # postponed: not again this month
    assert sum(1 for v in proposed.values() if v) == 1
    page = _section(second.files.html.read_text("utf-8"), "remembered")
    assert "palaa asiakkaaksi keväällä" in page
    assert 'id="n-rejected"><b>1</b>' in page
    assert 'id="n-postponed"><b>1</b>' in page
    # the carried approval is what apply reads from the new version
    report = apply_proposal(ws, second.files.xlsx, NOV)
    assert [line.row.trace_id for line in report.lines if line.outcome == "done"] == [aino]


def test_an_unmarked_proposal_is_overwritten(ws: Workspace) -> None:
    review_now(ws, NOV)
    again = review_now(ws, NOV)
    assert again.version == 1
    assert sorted(p.name for p in ws.output_dir.glob("poistoehdotus-*.xlsx")) == [
        "poistoehdotus-2026-11.xlsx"
    ]


def test_an_untouched_proposal_is_not_read_again(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run in the month knows its own file by a keyed hash of its bytes: no read."""
    import flows.review

    v1 = review_now(ws, NOV).files.xlsx
    assert flows.review.untouched(ws, "2026-11", v1)
    read: list[Path] = []
    real = flows.review.read_marks
    monkeypatch.setattr(
        flows.review,
        "read_marks",
        lambda w, p: read.append(p) or real(w, p),  # type: ignore[func-returns-value]
    )
    assert review_now(ws, NOV).version == 1
    assert read == []
    # opened and saved, even unchanged: read in full (and, unmarked, overwritten)
    book = openpyxl.load_workbook(v1)
    book.save(v1)
    assert not flows.review.untouched(ws, "2026-11", v1)
    assert review_now(ws, NOV).version == 1
    assert read == [v1]
    # one changed byte is a touched file (the hash is of every byte)
    data = bytearray(v1.read_bytes())
    data[-1] ^= 1
    v1.write_bytes(bytes(data))
    assert not flows.review.untouched(ws, "2026-11", v1)
    assert review_now(ws, NOV).version == 2  # no longer a workbook: kept, never overwritten


def test_an_unreadable_proposal_is_never_overwritten(ws: Workspace) -> None:
    v1 = review_now(ws, NOV).files.xlsx
    v1.write_bytes(b"not a workbook any more")
    assert review_now(ws, NOV).version == 2
    assert v1.read_bytes() == b"not a workbook any more"


def test_a_rejected_row_stays_away_until_the_record_changes(ws: Workspace) -> None:
    v1 = review_now(ws, NOV).files.xlsx
    bertta = _find(v1, "Bertta Bergman", "tilaukset")
    _mark(v1, {bertta: ("hylkää", None)})
    apply_proposal(ws, v1, NOV)  # apply records the rejection

    december = review_now(ws, DEC)
    assert december.version == 1
    assert bertta not in _proposed(december.files.xlsx)
    assert december.rejected == 1

    # her order row is edited: the record changed, so the row is proposed again
    path = ws.root / "aineisto" / "tilaukset.xlsx"
    book = openpyxl.load_workbook(path)
    book["Tilaukset"]["F3"] = "Uusi katu 2"
    book.save(path)
    january = review_now(ws, JAN)
    assert bertta in _proposed(january.files.xlsx)
    assert january.rejected == 0


def test_a_postponed_row_comes_back_next_month(ws: Workspace) -> None:
    v1 = review_now(ws, NOV).files.xlsx
    cecilia = _find(v1, "Cecilia Cederholm", "tilaukset")
    _mark(v1, {cecilia: ("siirrä", None)})
    apply_proposal(ws, v1, NOV)
    same_month = review_now(ws, NOV)
    assert cecilia not in _proposed(same_month.files.xlsx)
    december = review_now(ws, DEC)
    assert _proposed(december.files.xlsx)[cecilia] is None  # asked again, unmarked


def test_an_approved_checklist_item_waits_until_it_is_gone(ws: Workspace) -> None:
    v1 = review_now(ws, NOV).files.xlsx
    contact = _find(v1, "Aino Arvelo", "vienti")  # an export: Karsinta cannot change it
    _mark(v1, {contact: ("hyväksy", None)})
    report = apply_proposal(ws, v1, NOV)
    assert [line.outcome for line in report.lines if line.row.trace_id == contact] == ["manual"]

    december = review_now(ws, DEC)
    assert contact not in _proposed(december.files.xlsx)
    assert december.waiting == 1
    page = _section(december.files.html.read_text("utf-8"), "remembered")
    assert "odottaa käsin poistoa" in page

    # she deletes the contact in the export: the next read no longer finds it
    path = ws.root / "aineisto" / "vienti.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(line for line in lines if PEOPLE[0][1].encode() not in line))
    january = review_now(ws, JAN)
    assert january.waiting == 0
    with open_store(ws.state_dir) as store:
        latest = store.latest()[store.trace_key(contact)]
    assert (latest.decision, latest.status) == ("approve", "done")


def test_the_store_is_keyed_owner_only_and_append_only(ws: Workspace) -> None:
    v1 = review_now(ws, NOV).files.xlsx
    bertta = _find(v1, "Bertta Bergman", "tilaukset")
    _mark(v1, {bertta: ("hylkää", None)})
    apply_proposal(ws, v1, NOV)
    apply_proposal(ws, v1, NOV)  # the same marks again add nothing
    path = Path(store_path(ws.state_dir))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db = sqlite3.connect(path)
    dump = "\n".join(db.iterdump())
    assert db.execute("SELECT COUNT(*) FROM marks").fetchone()[0] == 1
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM marks")
    db.close()
    assert bertta not in dump
    assert bertta.split(":", 1)[1] not in dump
    for name, email, phone in PEOPLE:
        assert name not in dump
        assert email not in dump
        assert phone not in dump
