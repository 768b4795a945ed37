"""End to end: the monthly review and the inventory on the demo, under Prefect's test harness.

One Prefect server for the module (it costs ~10 s to start). The checks are
what the owner and the accountant care about: the right people and rows in
the proposal, the right rule words, holds shown as holds, an XLSX the owner
can mark, and nothing of any customer in what Prefect stores.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from connectors import trace as tr
from flows.demo import DemoManifest, build_demo
from reports.proposal import ID_HEADERS, META_SHEET

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 1)
SEED = 2026
SECRET_PERSON = "Ülle Salaisuus-Vuotaja"


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Prefect's test harness with PREFECT_HOME in a temporary folder we can search."""
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with (
        prefect.settings.temporary_settings(updates={prefect.settings.PREFECT_HOME: home}),
        prefect_test_harness(server_startup_timeout=None),
    ):
        yield home


@pytest.fixture(scope="module")
def run(prefect_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo, reviewed, with one source that raises on a row quoting a customer."""
    import connectors.vcard
    from flows.inventory import processing_inventory
    from flows.review import monthly_review

    manifest = build_demo(tmp_path_factory.mktemp("demo"), TODAY, SEED)
    original = connectors.vcard.VcardConnector.extract

    def explode(self: Any, source: Any, options: Any, log: Any) -> Any:
        # A third-party error whose text quotes a customer: it must not reach Prefect.
        raise ValueError(f"cannot parse card of {SECRET_PERSON} <salainen@example.fi>")

    counts: dict[str, dict[str, Any]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connectors.vcard.VcardConnector, "extract", explode)
        for key, business in manifest.businesses.items():
            counts[key] = monthly_review(str(business.workspace), TODAY.isoformat())
    patch_restored = connectors.vcard.VcardConnector.extract is original
    inventory = processing_inventory(
        str(manifest.businesses["kohonen"].workspace), TODAY.isoformat()
    )
    return {
        "manifest": manifest,
        "counts": counts,
        "inventory": inventory,
        "restored": patch_restored,
    }


def _html(manifest: DemoManifest, key: str) -> str:
    path = manifest.businesses[key].workspace / "raportit" / "poistoehdotus-2026-11.html"
    return path.read_text("utf-8")


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start : html.index("</section>", start)]


def _proposal_rows(manifest: DemoManifest, key: str) -> list[dict[str, Any]]:
    path = manifest.businesses[key].workspace / "raportit" / "poistoehdotus-2026-11.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]


def test_every_business_gets_both_reports(run: dict[str, Any]) -> None:
    manifest: DemoManifest = run["manifest"]
    for key, business in manifest.businesses.items():
        out = business.workspace / "raportit"
        assert (out / "poistoehdotus-2026-11.html").stat().st_size > 1000, key
        assert (out / "poistoehdotus-2026-11.xlsx").exists(), key
        for path in out.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    record = manifest.businesses["kohonen"].workspace / "raportit" / run["inventory"]["html"]
    assert "Tmi Krista Kohonen" in record.read_text("utf-8")


def test_a_source_that_raises_is_reported_and_the_rest_goes_on(run: dict[str, Any]) -> None:
    counts = run["counts"]["kallio"]  # kallio's phone contacts are a vCard
    assert counts["unreadable_sources"] == 1
    assert counts["decision_delete"] > 0
    assert any("ei voitu lukea (ValueError)" in line for line in counts["problem_list"])
    assert run["restored"]


def test_expired_customers_are_proposed_with_their_rule(run: dict[str, Any]) -> None:
    manifest: DemoManifest = run["manifest"]
    html = _html(manifest, "kohonen")
    now = _section(html, "action-now")
    expired = [
        p for p in manifest.businesses["kohonen"].tagged("expired_orders") if p.expect == "delete"
    ]
    assert expired
    for person in expired:
        assert person.name in now, person.key
    assert "Tilaustiedot: 2 kk viimeisestä tilauksesta" in now
    recent = [
        p for p in manifest.businesses["kohonen"].tagged("recent_order") if p.expect == "keep"
    ]
    for person in recent:
        assert person.name not in now, person.key


def test_holds_are_shown_as_holds(run: dict[str, Any]) -> None:
    manifest: DemoManifest = run["manifest"]
    held = _section(_html(manifest, "kohonen"), "held")
    for tag in ("open_invoice_hold", "collection_hold"):
        for person in manifest.businesses["kohonen"].tagged(tag):
            assert person.name in held, (tag, person.key)
    assert "avoin" in held.lower() or "perint" in held.lower()
    rows = _proposal_rows(manifest, "kohonen")
    proposed = {row["Henkilö"] for row in rows}
    for tag in ("open_invoice_hold", "collection_hold", "friend_not_customer"):
        for person in manifest.businesses["kohonen"].tagged(tag):
            assert person.name not in proposed, (tag, person.key)


def test_overdue_erasure_comes_first(run: dict[str, Any]) -> None:
    manifest: DemoManifest = run["manifest"]
    html = _html(manifest, "kohonen")
    (person,) = manifest.businesses["kohonen"].tagged("erasure_overdue")
    overdue = html.index('id="erasure-overdue"')
    assert html.index(person.name) > overdue
    assert html.index(person.name) < html.index('id="deletions"')
    rows = _proposal_rows(manifest, "kohonen")
    assert rows[0]["Henkilö"] == person.name


def test_a_faulty_row_blocks_only_its_person(run: dict[str, Any]) -> None:
    import re

    manifest: DemoManifest = run["manifest"]
    rows = _proposal_rows(manifest, "leoprana")
    lines = run["counts"]["leoprana"]["problem_list"]
    faulty = [
        int(m.group(1))
        for line in lines
        if (m := re.search(r"rivi (\d+), kenttä 'Liittynyt': ei ole päivämäärä", line))
    ]
    assert faulty
    # The faulty rows' people wait; nothing proposed comes from those rows.
    for row in rows:
        if row["Lähde"] == "uutiskirje":
            assert not any(f"rivi {n}" in str(row["Sijainti lähteessä"]) for n in faulty)
    sources = _section(_html(manifest, "leoprana"), "sources")
    assert "kenttä &#39;Liittynyt&#39;: ei ole päivämäärä" in sources


def test_xlsx_is_made_for_marking(run: dict[str, Any]) -> None:
    manifest: DemoManifest = run["manifest"]
    path = manifest.businesses["kohonen"].workspace / "raportit" / "poistoehdotus-2026-11.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Ehdotus"
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref is not None
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"hyväksy,hylkää,siirrä"'
    assert str(validation.sqref).startswith("A2")
    header = [c.value for c in sheet[1]]
    for name in ID_HEADERS:
        column = openpyxl.utils.get_column_letter(header.index(name) + 1)
        assert sheet.column_dimensions[column].hidden
    trace_ids = [row[header.index(ID_HEADERS[0])].value for row in sheet.iter_rows(2)]
    assert len(trace_ids) == len(set(trace_ids)) > 0
    due = header.index("Poistopäivä")
    assert all(isinstance(row[due].value, date) for row in sheet.iter_rows(2))
    assert book[META_SHEET].sheet_state == "hidden"
    assert {"Yhteenveto", "Säilytettävät", "Tarkistettavat"} <= set(book.sheetnames)


def _prefect_text(home: Path) -> str:
    """Everything Prefect stored: every table of its database, and its storage folder."""
    import prefect.settings

    url = prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    database = Path(str(url).split("///", 1)[1])
    parts = []
    with sqlite3.connect(database) as connection:
        parts.extend(connection.iterdump())
    for path in home.rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_customer_data_in_prefect_storage(run: dict[str, Any], prefect_home: Path) -> None:
    manifest: DemoManifest = run["manifest"]
    text = _prefect_text(prefect_home)
    assert "monthly_review" in text  # the runs are there ...
    assert "karsinta-monthly-review" in text  # ... and so are their artifacts
    needles: set[str] = {SECRET_PERSON, "salainen@example.fi"}
    for _, person in manifest.all_persons():
        needles.add(person.name)
        if person.email:
            needles.add(person.email.strip())
            needles.add(person.email.strip().lower())
        if person.phone:
            needles.add(person.phone)
            needles.add(tr.normalise_phone(person.phone) or person.phone)
    found = sorted(n for n in needles if n and n in text)
    assert found == []
