"""The owner's proposal page in a real headless browser (Debian's Chromium)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import chromium_path, visit

# CI installs Chromium and sets KARSINTA_REQUIRE_BROWSER: there a missing browser fails.
pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("KARSINTA_REQUIRE_BROWSER"),
    reason="chromium is not installed",
)

EXPECTED_HEADINGS_FI = [
    "Toimenpiteet nyt",
    "Säilytetään ja miksi",
    "Erääntyy ensi kuussa",
    "Tarkistettavat",
    "Havainnot",
    "Luetut lähteet",
]


def test_page_renders_headings_without_console_errors(proposal_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "poistoehdotus.png"
    seen = visit(proposal_html, shot)
    assert seen.console_errors == []
    assert seen.exceptions == []
    assert seen.failed_requests == []  # self-contained: nothing fetched
    assert seen.headings[0].startswith("Poistoehdotus 2026-11")
    assert seen.headings[1:] == EXPECTED_HEADINGS_FI
    assert seen.title.startswith("Poistoehdotus 2026-11")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_injected_script_does_not_run(hostile_html: Path, tmp_path: Path) -> None:
    seen = visit(hostile_html, tmp_path / "hostile.png")
    assert seen.console == []
    assert seen.exceptions == []
