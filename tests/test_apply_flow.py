"""Done-when: the demo reviewed, every row approved, `karsinta apply`, reviewed again.

Under one Prefect test harness for the module (a server costs ~10 s to start).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from connectors.base import read_source
from flows.cli import main
from flows.keyed import workspace_hasher
from flows.workspace import load_workspace
from reports.proposal import ID_HEADERS
from tests.test_apply import approve_all

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with (
        prefect.settings.temporary_settings(updates={prefect.settings.PREFECT_HOME: home}),
        prefect_test_harness(server_startup_timeout=None),
    ):
        yield home


def _proposed(proposal: Path) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(proposal).worksheets[0]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]


def _add_contact_with_email(path: Path, email: str) -> None:
    """A new Outlook contact row (another name) carrying an erased person's e-mail."""
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    new = list(rows[-1])
    new[header.index("Etunimi")] = "Uusi"
    new[header.index("Sukunimi")] = "Tuttava"
    for index, name in enumerate(header):
        if "sähköpostiosoite" in name.lower() and "@" in new[index]:
            new[index] = email
        elif "näyttönimi" in name.lower() and new[index]:
            new[index] = f"Uusi Tuttava ({email})"
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerow(new)
    path.write_bytes(path.read_bytes() + out.getvalue().encode("cp1252"))


def test_demo_apply_removes_approved_rows_and_flags_a_reappearance(
    harness: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.demo import build_demo
    from flows.review import monthly_review

    manifest = build_demo(tmp_path / "demo", TODAY, 2026)
    root = manifest.businesses["kohonen"].workspace
    monthly_review(str(root), TODAY.isoformat())
    proposal = root / "raportit" / "poistoehdotus-2026-11.xlsx"
    assert approve_all(proposal) > 0
    approved = {str(r[ID_HEADERS[0]]) for r in _proposed(proposal)}
    workspace = load_workspace(root)
    orders = next(s for s in workspace.sources if s.id == "tilaukset")
    first_read = read_source(orders, workspace_hasher(workspace))
    before = first_read.traces
    erased = before[before["trace_id"].isin(approved)]
    assert len(erased) > 0
    kept = set(before["trace_id"]) - approved

    capsys.readouterr()
    code = main(["apply", str(proposal), "--today", TODAY.isoformat(), "--dry-run"])
    assert code == 0
    dry = capsys.readouterr().out
    assert "Koeajo" in dry
    listed = [line for line in dry.splitlines() if line.startswith("  rivi ")]
    assert len(listed) == len(_proposed(proposal))  # every approved row listed
    unchanged = read_source(orders, workspace_hasher(workspace)).traces
    assert set(unchanged["trace_id"]) == set(before["trace_id"])

    code = main(["apply", str(proposal), "--today", TODAY.isoformat(), "--quiet"])
    assert code == 0  # contacts and calendar go on the checklist: normal, not a failure

    after = read_source(orders, workspace_hasher(workspace))
    assert not after.unreadable
    # the demo's garbage-date row is still there, and nothing new is wrong
    assert [p.field for p in after.problems] == [p.field for p in first_read.problems]
    assert set(after.traces["trace_id"]) == kept  # exactly the approved rows are gone
    receipts = sorted((root / "raportit").glob("kuitti-*.html"))
    assert len(receipts) == 1
    html = receipts[0].read_text("utf-8")
    assert "Poista yhteystieto Outlookista" in html
    capsys.readouterr()
    assert main(["apply", str(proposal), "--today", TODAY.isoformat()]) == 0
    assert "Ei mitään uutta" in capsys.readouterr().out
    assert len(sorted((root / "raportit").glob("kuitti-*.html"))) == 1

    # the next review: the marked proposal is kept, the new version proposes nothing
    # again for the erased rows, and the checklist items wait; no reappearance
    counts = monthly_review(str(root), TODAY.isoformat())
    assert counts["proposal_xlsx"] == "poistoehdotus-2026-11-v2.xlsx"
    assert counts["waiting_manual"] > 0
    current = root / "raportit" / counts["proposal_xlsx"]
    again = {str(r[ID_HEADERS[0]]) for r in _proposed(current)}
    assert not again & set(erased["trace_id"])
    assert not again & approved  # done, or waiting on the checklist
    page = (root / "raportit" / counts["proposal_html"]).read_text("utf-8")
    assert "löytyi uudelleen" not in page
    assert "odottaa käsin poistoa" in page

    # a contact export brings back an erased person's e-mail: the review flags it
    email = str(erased["email"].dropna().iloc[0]).split(";")[0]
    _add_contact_with_email(root / "aineisto" / "yhteystiedot.csv", email)
    counts = monthly_review(str(root), TODAY.isoformat())
    page = (root / "raportit" / counts["proposal_html"]).read_text("utf-8")
    assert "löytyi uudelleen lähteestä yhteystiedot" in page
    assert email not in page.split("Havainnot", 1)[-1].split("</section>", 1)[0]
    assert counts["problems"] == len(first_read.problems)  # only the demo's garbage-date row
