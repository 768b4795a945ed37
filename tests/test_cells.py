"""Text from sources is inert everywhere: no formulas, no markup, no invisible reordering."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from reports.cells import csv_cell, html_text, inert, set_cell, template_env

RLO_NAME = "Eve \u202eavonaM\u202c"  # shows as "Eve Manova" reversed: a disguised name


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (RLO_NAME, "Eve [U+202E]avonaM[U+202C]"),
        ("Anna\u200bVirtanen", "Anna[U+200B]Virtanen"),
        ("\u2066isolate\u2069", "[U+2066]isolate[U+2069]"),
        ("\ufeffBOM", "[U+FEFF]BOM"),
        ("tag\U000e0041", "tag[U+E0041]"),
        ("Åsa Öhman – sparraus", "Åsa Öhman – sparraus"),  # ordinary text untouched
        ("Matti 😀", "Matti 😀"),
    ],
)
def test_invisible_format_characters_become_visible_escapes(text: str, shown: str) -> None:
    assert inert(text) == shown


def test_every_writer_neutralises_bidirectional_controls() -> None:
    cell = Workbook().active.cell(row=1, column=1)  # type: ignore[union-attr]
    set_cell(cell, RLO_NAME)
    assert "\u202e" not in str(cell.value)
    assert "[U+202E]" in str(cell.value)
    assert "\u202e" not in str(html_text(RLO_NAME))
    assert "\u202e" not in csv_cell(RLO_NAME)
    page = template_env().from_string("<p>{{ name }}</p>").render(name=RLO_NAME + "<b>")
    assert "\u202e" not in page
    assert "[U+202E]" in page
    assert "&lt;b&gt;" in page  # still escaped


def test_a_formula_disguised_behind_a_format_character_stays_text() -> None:
    cell = Workbook().active.cell(row=1, column=1)  # type: ignore[union-attr]
    set_cell(cell, '\u200b=HYPERLINK("http://evil.example")')
    assert cell.data_type == "s"
    assert csv_cell("=1+1").startswith("'")
