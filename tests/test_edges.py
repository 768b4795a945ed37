"""The last edges of issue #14: an English proposal speaks English only, and config
errors are printed once, a credential pointing to a command that exists."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from flows.apply import apply_proposal
from flows.cli import main
from flows.review import review
from flows.workspace import load_workspace
from reports.proposal import write_proposal
from reports.view import location_text
from tests.conftest import small_review_run
from tests.test_apply import TODAY, make_workspace

FIXTURES = Path(__file__).parent / "fixtures"

# ------------------------------------------------------- the proposal in English

ROW_12 = json.dumps({"file": "aineisto/tilaukset.xlsx", "sheet": "Tilaukset", "row": 12})


@pytest.mark.parametrize(
    ("locator", "label", "lang", "expected"),
    [
        # the connector's own Finnish row words are not repeated after the place
        (ROW_12, "Tilaukset, rivi 12", "en", "tilaukset.xlsx, Tilaukset, row 12"),
        (ROW_12, "Tilaukset, rivi 12", "fi", "tilaukset.xlsx, Tilaukset, rivi 12"),
        (ROW_12, "Asiakas, rivi 12", "en", "tilaukset.xlsx, Tilaukset, row 12 — Asiakas"),
        # a label of the owner's own data stays as it is
        (ROW_12, "Tilaus 14.8.2026", "en", "tilaukset.xlsx, Tilaukset, row 12 — Tilaus 14.8.2026"),
        # no row in the locator: the label's row is said in the report's language
        (None, "Lasku, rivi 4", "en", "Lasku, row 4"),
        (None, "Lasku, rivi 4", "fi", "Lasku, rivi 4"),
        (ROW_12, None, "en", "tilaukset.xlsx, Tilaukset, row 12"),
    ],
)
def test_location_is_in_the_report_language_only(
    locator: str | None, label: str | None, lang: str, expected: str
) -> None:
    assert location_text(locator, label, lang) == expected


def _english_review(tmp_path: Path) -> Path:
    workspace = make_workspace(tmp_path)
    outcome = review(workspace, TODAY, "en")
    return Path(outcome.files.xlsx)


def test_english_proposal_xlsx_and_its_marks_apply(tmp_path: Path) -> None:
    proposal = _english_review(tmp_path)
    book = openpyxl.load_workbook(proposal)
    sheet = book.worksheets[0]
    assert sheet.title == "Proposal"
    header = [c.value for c in sheet[1]][:11]
    assert header[:4] == ["Decision", "Person", "Source", "Where in the source"]
    assert "Comment (optional)" in header
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"approve,reject,postpone"'
    places = [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)]
    assert places, "the hand-made workspace has rows due"
    assert any(" row " in f" {p} " for p in places)
    assert not [p for p in places if "rivi" in str(p)]

    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=1).value = "approve"  # the English dropdown's word
    book.save(proposal)
    workspace = load_workspace(tmp_path)
    report = apply_proposal(workspace, proposal, TODAY)
    outcomes = Counter(line.outcome for line in report.lines)
    # every row counts as approved: deleted, or (an export not of record) on the checklist
    assert set(outcomes) <= {"done", "manual"}, outcomes
    assert outcomes["done"] > 0
    assert outcomes.total() == sheet.max_row - 1


def test_finnish_proposal_keeps_finnish_words(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_proposal(small_review_run(), tmp_path).xlsx)
    sheet = book.worksheets[0]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"hyväksy,hylkää,siirrä"'
    places = [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)]
    assert places
    assert not [p for p in places if " row " in f" {p} "]


@pytest.mark.parametrize(
    ("lang", "overdue", "command_text"),
    [
        ("en", "536 days overdue", "then run <code>karsinta apply</code>."),
        ("fi", "536 pv myöhässä", "aja sitten <code>karsinta apply</code>."),
    ],
)
def test_page_labels_overdue_days_and_shows_no_backticks(
    tmp_path: Path, lang: str, overdue: str, command_text: str
) -> None:
    html = write_proposal(small_review_run(lang=lang), tmp_path).html.read_text("utf-8")
    assert overdue in html
    assert "+536" not in html
    assert command_text in html
    assert "`" not in html


# ------------------------------------------------------------- config errors


def _workspace(tmp_path: Path, fixture: str, policy: str | None = None) -> Path:
    shutil.copy(FIXTURES / "workspace" / fixture, tmp_path / "karsinta.yaml")
    if policy is not None:
        shutil.copy(FIXTURES / "policies" / policy, tmp_path / "rekisteri.yaml")
    (tmp_path / "aineisto").mkdir()
    (tmp_path / "aineisto" / "asiakkaat.csv").write_text("Nimi,Sähköposti\n", "utf-8")
    return tmp_path


def _printed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    captured = capsys.readouterr()
    return (captured.out + captured.err).splitlines()


@pytest.mark.parametrize("command", ["check", "review"])
@pytest.mark.parametrize(
    ("fixture", "policy", "field"),
    [
        # the field path is the same in either language (the words around it are not)
        ("failing_fields.yaml", None, "2, kenttä 'language'"),
        ("passing_workspace.yaml", "failing_bad_period.yaml", "kenttä 'retention.order.keep'"),
    ],
)
def test_a_config_error_is_printed_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    fixture: str,
    policy: str | None,
    field: str,
) -> None:
    monkeypatch.setenv("KARSINTA_LANG", "fi")  # 'language: sv' names none: the help language
    root = _workspace(tmp_path, fixture, policy)
    assert main([command, "--workspace", str(root)]) == 2
    lines = _printed(capsys)
    assert sum(field in line for line in lines) == 1, lines
    headings = ("Error in ", "Virhe tiedostossa ")  # the workspace's (else help) language
    assert sum(line.startswith(headings) for line in lines) == 1, lines
    repeated = [line for line, n in Counter(lines).items() if n > 1]
    assert repeated == []


@pytest.mark.parametrize("key", ["password", "token", "api_key"])
@pytest.mark.parametrize("command", ["check", "review"])
def test_a_credential_names_its_key_once_and_points_to_karsinta_auth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, key: str
) -> None:
    root = _workspace(tmp_path, "passing_workspace.yaml", "passing_minimal.yaml")
    config = yaml.safe_load((root / "karsinta.yaml").read_text("utf-8"))
    config["sources"][0]["options"][key] = "s3cret-value-42"
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")

    assert main([command, "--workspace", str(root)]) == 2
    text = "\n".join(_printed(capsys))
    assert text.count(f"sources.0.options.{key}") == 1, text
    # the workspace speaks Finnish: the credential line too, and only in Finnish
    assert "karsinta auth google|microsoft --account NIMI" in text
    assert "avainnipussa" in text
    assert "keyring" not in text
    assert "s3cret-value-42" not in text


def test_the_command_the_credential_message_names_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["auth", "--help"])
    assert done.value.code == 0
    assert "{google,microsoft}" in capsys.readouterr().out


# ------------------------------------------------------------ paths copied whole


def test_a_long_report_path_is_printed_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path broken over two lines cannot be copied from a terminal or a log file."""
    monkeypatch.setenv("COLUMNS", "60")
    root = tmp_path / ("asiakasrekisterin-tyokansio-" * 3)
    make_workspace(root)
    assert main(["review", "--workspace", str(root), "--today", TODAY.isoformat()]) in (0, 1)
    lines = _printed(capsys)
    reports = [line for line in lines if "poistoehdotus-" in line]
    assert reports, lines
    for line in reports:
        assert str(root) in line, lines
        assert line.rstrip().endswith((".html", ".xlsx")), lines
