"""`karsinta forget` and `karsinta access` on every demo business, end to end."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from connectors.errors import KarsintaError
from flows.apply import apply_proposal, read_checked
from flows.demo import DemoManifest, PersonTruth, build_demo
from flows.requests import Observation, access, forget, observe_plain, person_from
from flows.workspace import load_workspace

#: the five demo workspaces are read once (about ten seconds)
pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 1)
SEED = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo(tmp_path_factory.mktemp("demo"), TODAY, SEED)


@pytest.fixture(scope="module")
def seen(demo: DemoManifest) -> dict[str, Observation]:
    return {
        key: observe_plain(load_workspace(b.workspace), TODAY) for key, b in demo.businesses.items()
    }


def asker(demo: DemoManifest, key: str) -> PersonTruth:
    business = demo.businesses[key]
    return next(p for p in business.persons if p.has("erasure_overdue") or p.has("erasure_pending"))


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("key", ["kohonen", "kallio", "leoprana", "kehobalanssi", "prover"])
def test_every_business_answers_an_erasure_and_an_access_request(
    demo: DemoManifest, seen: dict[str, Observation], key: str
) -> None:
    business = demo.businesses[key]
    workspace = load_workspace(business.workspace)
    person = asker(demo, key)
    outcome = forget(workspace, person_from(email=person.email), TODAY, seen=seen[key])
    for path in (outcome.files.html, outcome.files.xlsx, outcome.letter):
        assert owner_only(path)
    assert outcome.counts["traces"] >= 2
    assert outcome.state.state in ("proposal_ready", "blocked")
    # the letter names the right to complain, and no other person
    letter = outcome.letter.read_text("utf-8")
    assert "tietosuojavaltuutet" in letter.casefold()
    others = [p for p in business.persons if p.key != person.key and p.name != person.name]
    html = outcome.files.html.read_text("utf-8")
    for other in others:
        assert other.email is None or other.email not in html + letter
    # the one-person proposal is the monthly proposal's format: apply reads and checks it
    proposal = read_checked(outcome.files.xlsx, workspace, TODAY)
    assert len(proposal.rows) == outcome.counts["decision_delete"]

    answer = access(workspace, person_from(email=person.email), TODAY, "en", seen=seen[key])
    for path in (answer.html, answer.json, answer.csv):
        assert owner_only(path)
    payload = json.loads(answer.json.read_text("utf-8"))
    assert len(payload["records"]) == answer.counts["traces"]
    assert payload["registers"][0]["purposes"]
    assert payload["registers"][0]["rules"]
    emails = {r["fields"].get("email") for r in payload["records"]} - {None}
    assert emails <= {person.email.lower()} if person.email else True
    report = answer.html.read_text("utf-8") + answer.csv.read_text("utf-8")
    for other in others:
        assert other.email is None or other.email not in report


def test_the_one_person_proposal_is_applied_unchanged(
    demo: DemoManifest, seen: dict[str, Observation]
) -> None:
    business = demo.businesses["prover"]
    workspace = load_workspace(business.workspace)
    person = next(p for p in business.persons if p.has("erasure_overdue"))
    outcome = forget(workspace, person_from(email=person.email), TODAY, seen=seen["prover"])
    assert outcome.counts["decision_delete"] > 0
    book = openpyxl.load_workbook(outcome.files.xlsx)
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=1).value = "hyväksy"
    book.save(outcome.files.xlsx)
    report = apply_proposal(workspace, outcome.files.xlsx, TODAY, dry_run=True, write_files=False)
    outcomes = {line.outcome for line in report.lines}
    assert outcomes <= {"would", "manual"}, [(line.outcome, line.reason) for line in report.lines]
    assert len(report.lines) == outcome.counts["decision_delete"]


def test_a_request_blocked_by_an_open_invoice_names_the_hold(
    demo: DemoManifest, seen: dict[str, Observation]
) -> None:
    business = demo.businesses["kehobalanssi"]
    workspace = load_workspace(business.workspace)
    person = next(p for p in business.persons if p.has("open_invoice_hold"))
    outcome = forget(workspace, person_from(email=person.email), TODAY, seen=seen["kehobalanssi"])
    assert outcome.state.state == "blocked"
    assert outcome.state.holds
    assert outcome.counts["decision_delete"] == 0
    letter = outcome.letter.read_text("utf-8")
    assert outcome.state.holds[0].text_fi in letter


def test_a_person_found_only_by_name_is_shown_never_erased(
    demo: DemoManifest, seen: dict[str, Observation]
) -> None:
    business = demo.businesses["kohonen"]
    workspace = load_workspace(business.workspace)
    person = next(p for p in business.persons if p.has("has_namesake"))
    answer = access(workspace, person_from(email=person.email), TODAY, seen=seen["kohonen"])
    assert answer.counts["name_only"] >= 1
    records = json.loads(answer.json.read_text("utf-8"))["records"]
    assert any(r["name_only"] for r in records)


def test_no_logged_request_is_refused_with_the_log_to_use(
    demo: DemoManifest, seen: dict[str, Observation]
) -> None:
    business = demo.businesses["kohonen"]
    workspace = load_workspace(business.workspace)
    person = next(p for p in business.persons if p.has("open_invoice_hold"))
    with pytest.raises(KarsintaError, match=r"poistopyynnot\.xlsx") as raised:
        forget(workspace, person_from(email=person.email), TODAY, seen=seen["kohonen"])
    assert person.email not in str(raised.value)


def test_nobody_found_names_no_value(demo: DemoManifest, seen: dict[str, Observation]) -> None:
    workspace = load_workspace(demo.businesses["prover"].workspace)
    with pytest.raises(KarsintaError) as raised:
        access(workspace, person_from(email="ei.ketaan@example.fi"), TODAY, seen=seen["prover"])
    assert "ei.ketaan" not in str(raised.value)


def test_a_request_log_row_finds_the_person(
    demo: DemoManifest, seen: dict[str, Observation]
) -> None:
    workspace = load_workspace(demo.businesses["leoprana"].workspace)
    by_row = forget(workspace, person_from(request="poistopyynnot:2"), TODAY, seen=seen["leoprana"])
    assert by_row.counts["traces"] >= 2


def test_an_access_request_from_the_command_line_is_logged_with_its_deadline(
    demo: DemoManifest, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main
    from flows.requests import requests_run

    business = demo.businesses["kohonen"]
    person = next(p for p in business.persons if p.email and p.expect == "keep")
    root = str(business.workspace)
    assert (
        main(["access", "--email", person.email, "--workspace", root, "--today", "2026-11-01"]) == 0
    )
    capsys.readouterr()
    counts = requests_run(load_workspace(business.workspace), date(2026, 11, 20))
    status = (business.workspace / "raportit" / str(counts["status_html"])).read_text("utf-8")
    row = next(line for line in status.split("<tr ") if "karsinta access" in line)
    assert "1.12.2026" in row  # GDPR art. 12(3): one month from 1.11.
    assert "määräaika lähellä" not in row  # prepared, not yet near
    assert person.email not in status
    assert person.name not in status
    state = (business.workspace / ".karsinta" / "requests.json").read_text("utf-8")
    assert person.email not in state  # a keyed reference only
