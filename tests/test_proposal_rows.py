"""Rows that cannot be misaligned: a proposal XLSX rewritten as Excel would.

The owner sorts by a column from the filter dropdown, cuts and pastes,
copies a row, edits a name or an action. Whatever she does, apply acts only
on rows whose identity (trace id) and visible cells (person, source, place,
kind, action, due date) still belong together, never on another person's
trace; a trace id on two rows refuses the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import ApplyRefused
from flows.apply import read_proposal
from reports.proposal import DECISION_COLUMN, ID_HEADERS, write_proposal
from tests.conftest import small_review_run

KEY = b"k" * 32
WORDS = ("hyväksy", "hylkää", "siirrä", None)
PEOPLE = ["Aino Arvelo", "Bertta Bergman", "Cecilia Cederholm", "Dora Dahl", "Eino Erkkilä"]


def _run():  # type: ignore[no-untyped-def]
    """Maija's two traces and one old order each for five more people: 7 rows."""
    extra = [
        {
            "trace_id": f"tilaukset:p{n}",
            "source": "tilaukset",
            "register": "asiakasrekisteri",
            "kind": "order",
            "name": name,
            "email": f"p{n}@example.fi",
            "event_date": f"2025-0{n + 1}-1{n}",
            "locator": f'{{"file": "tilaukset.xlsx", "row": {10 + n}}}',
        }
        for n, name in enumerate(PEOPLE)
    ]
    run = small_review_run(extra_rows=extra)
    run.row_key = KEY
    return run


@pytest.fixture(scope="module")
def proposal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_proposal(_run(), tmp_path_factory.mktemp("rows")).xlsx


def _rows(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def _write(sheet: Any, rows: list[list[Any]]) -> None:
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column).value = value


def _identity(path: Path) -> dict[str, tuple[Any, ...]]:
    """trace id -> the visible cells (B..J) written with it."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    trace = header.index(ID_HEADERS[0])
    return {str(r[trace]): tuple(r[1:10]) for r in _rows(sheet)}


# one Excel-like step: (what, a column or row index, a value)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("sort_rows"), st.integers(1, 9), st.booleans()),
        st.tuples(st.just("sort_visible_only"), st.integers(1, 9), st.booleans()),
        st.tuples(st.just("duplicate"), st.integers(0, 6), st.none()),
        st.tuples(st.just("edit_name"), st.integers(0, 6), st.sampled_from(PEOPLE)),
        st.tuples(st.just("edit_action"), st.integers(0, 6), st.sampled_from(["poista", "x"])),
        st.tuples(st.just("edit_hidden_action"), st.integers(0, 6), st.just("anonymise")),
        st.tuples(st.just("swap_visible"), st.integers(0, 6), st.integers(0, 6)),
    ),
    max_size=4,
)


def _apply_step(sheet: Any, step: tuple[str, Any, Any], technical: int) -> None:
    """Rewrite the sheet as Excel would after one of the owner's actions."""
    what, a, b = step
    rows = _rows(sheet)
    if not rows:
        return
    a_row = a % len(rows) if isinstance(a, int) else 0

    def key(row: list[Any]) -> str:
        return "" if row[a] is None else str(row[a])

    if what == "sort_rows":  # the whole table is one range: every column moves
        rows.sort(key=key, reverse=b)
    elif what == "sort_visible_only":  # the old bug: ids stay, the visible block moves
        visible = sorted(([r[:technical] for r in rows]), key=key, reverse=b)
        rows = [v + r[technical:] for v, r in zip(visible, rows, strict=True)]
    elif what == "duplicate":
        rows.append(list(rows[a_row]))
    elif what == "edit_name":
        rows[a_row][1] = b
    elif what == "edit_action":
        rows[a_row][5] = b
    elif what == "edit_hidden_action":
        rows[a_row][technical + 2] = b
    elif what == "swap_visible":  # cut-and-paste of one row's visible cells onto another
        other = b % len(rows)
        rows[a_row][:technical], rows[other][:technical] = (
            rows[other][:technical],
            rows[a_row][:technical],
        )
    _write(sheet, rows)


@settings(max_examples=25, deadline=None)
@given(marks=st.lists(st.sampled_from(WORDS), min_size=7, max_size=7), steps=STEPS)
def test_apply_reads_a_mark_only_where_identity_and_visible_cells_agree(
    proposal: Path, tmp_path_factory: pytest.TempPathFactory, marks: list[Any], steps: Any
) -> None:
    original = _identity(proposal)
    book = openpyxl.load_workbook(proposal)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    technical = header.index(ID_HEADERS[0])
    trace_col = technical
    intended: dict[str, Any] = {}
    for number, word in enumerate(marks, start=2):
        sheet.cell(row=number, column=DECISION_COLUMN).value = word
        intended[str(sheet.cell(row=number, column=trace_col + 1).value)] = word
    for step in steps:
        _apply_step(sheet, step, technical)
    path = tmp_path_factory.mktemp("edited") / "poistoehdotus-2026-11.xlsx"
    book.save(path)
    after = _rows(openpyxl.load_workbook(path).worksheets[0])
    trace_ids = [str(r[trace_col]) for r in after]

    if len(set(trace_ids)) < len(trace_ids):
        with pytest.raises(ApplyRefused, match="more than once"):
            read_proposal(path, KEY)
        return
    read = read_proposal(path, KEY)
    assert {r.number for r in read.rows} | {r.number for r in read.unverified} == set(
        range(2, len(after) + 2)
    )
    for row in read.rows:
        cells = after[row.number - 2]
        # a verified row shows exactly the person and place proposed for its trace ...
        assert tuple(cells[1:10]) == original[row.trace_id]
        # ... and carries the mark the owner gave that person
        expected = {"hyväksy": "approve", "hylkää": "reject", "siirrä": "postpone"}
        assert row.decision == expected.get(intended[row.trace_id], "none")
        assert row.action == "delete"


def test_sorting_visible_cells_away_from_the_ids_approves_nothing(
    proposal: Path, tmp_path: Path
) -> None:
    """The user's report: a sorted copy where 24 of 25 rows pointed at someone else."""
    book = openpyxl.load_workbook(proposal)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    technical = header.index(ID_HEADERS[0])
    for number in range(2, sheet.max_row + 1):
        sheet.cell(row=number, column=1).value = "hyväksy"
    _apply_step(sheet, ("sort_visible_only", 1, True), technical)  # by person, Z-A
    path = tmp_path / "sorted.xlsx"
    book.save(path)
    read = read_proposal(path, KEY)
    before = _identity(proposal)
    for row in read.rows:  # only rows that happened to stay in place are verified
        assert tuple(_rows(sheet)[row.number - 2][1:10]) == before[row.trace_id]
    assert len(read.unverified) >= len(before) - 2


def test_the_whole_table_is_one_filter_range_and_only_marks_are_editable(proposal: Path) -> None:
    sheet = openpyxl.load_workbook(proposal).worksheets[0]
    header = [c.value for c in sheet[1]]
    last_column = openpyxl.utils.get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"
    assert header[-len(ID_HEADERS) :] == list(ID_HEADERS)  # at the right end
    protection = sheet.protection
    assert protection.sheet
    assert protection.sort is False  # False: sorting not locked
    assert protection.autoFilter is False
    assert not sheet.cell(row=2, column=DECISION_COLUMN).protection.locked
    comment = header.index("Kommentti (vapaaehtoinen)") + 1
    assert not sheet.cell(row=2, column=comment).protection.locked
    assert sheet.cell(row=2, column=2).protection.locked  # the person's name
    assert sheet.cell(row=2, column=len(header)).protection.locked  # the check value


def test_a_proposal_of_an_older_format_is_refused(proposal: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(proposal)
    meta = book["_karsinta"]
    for row in meta.iter_rows():
        if row[0].value == "format":
            row[1].value = "1"
    path = tmp_path / "old.xlsx"
    book.save(path)
    with pytest.raises(ApplyRefused, match="earlier version"):
        read_proposal(path, KEY)


def test_another_key_verifies_no_row(proposal: Path) -> None:
    read = read_proposal(proposal, b"x" * 32)
    assert read.rows == ()
    assert len(read.unverified) == 7


def test_owner_typed_numbers_and_blank_rows_read_as_openpyxl_gives_them(
    proposal: Path, tmp_path: Path
) -> None:
    """The proposal is read with python-calamine (seconds, not minutes, at 100 000 rows):
    what the owner typed reads as openpyxl's values did, and checks still verify."""
    book = openpyxl.load_workbook(proposal)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    comment_col = header.index("Kommentti (vapaaehtoinen)") + 1
    typed = {2: (1, 42), 3: (1.5, 2.25), 4: ("  hyväksy ", "  "), 5: (True, None)}
    for number, (mark, comment) in typed.items():
        sheet.cell(row=number, column=DECISION_COLUMN).value = mark
        sheet.cell(row=number, column=comment_col).value = comment
    rows = _rows(sheet)
    for column in range(1, len(header) + 1):  # row 6 emptied: a gap, not a row
        sheet.cell(row=6, column=column).value = None
    path = tmp_path / "typed.xlsx"
    book.save(path)

    read = read_proposal(path, KEY)

    assert read.unverified == ()
    got = {r.number: (r.mark, r.decision, r.comment) for r in read.rows}
    assert got == {
        2: ("1", "unknown", "42"),
        3: ("1.5", "unknown", "2.25"),
        4: ("hyväksy", "approve", None),
        5: ("True", "unknown", None),
        7: ("", "none", None),
        8: ("", "none", None),
    }
    trace = header.index(ID_HEADERS[0])
    assert {r.trace_id for r in read.rows} == {
        str(row[trace]) for n, row in enumerate(rows, start=2) if n != 6
    }
