"""The owner reads one language from the first command to the receipt.

A Finnish workspace's review, check and apply print no English sentence, an
English one no Finnish; every problem code says its thing in both
languages; counts meet their nouns in the right number.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from connectors import messages
from connectors.base import Problem, ProblemLog
from connectors.errors import UnreadableSource
from flows.cli import main

TODAY = date(2026, 11, 2)

#: English words that are no name or path: none may stand in a Finnish run.
ENGLISH = (
    " the ",
    " not ",
    " row ",
    " rows ",
    " problems",
    " problem ",
    "could",
    "found",
    "missing",
    " file ",
    " source",
    "unreadable",
    " and ",
    " with ",
    " warning",
    " or ",
)
#: Finnish words: none may stand in an English run.
FINNISH = (
    " ei ",
    "rivi",
    "lähde",
    "lähdettä",
    "ongelma",
    "tiedosto",
    "merkin",
    "henkilöä",
    "poistetaan",
    "varoitus",
    "kunnossa",
    " ja ",
    "sarake",
)


def _without_paths(text: str) -> str:
    """The output with file paths and file names taken out (they are the owner's own words)."""
    text = re.sub(r"(?:[\w.-]*/)+[\w.-]*", " PATH ", text)
    return re.sub(r"\b[\w-]+\.(?:csv|xlsx|vcf|ics|yaml|html|txt)\b", " FILE ", text)


def _foreign(output: str, words: tuple[str, ...]) -> list[str]:
    bad = []
    for line in output.splitlines():
        clean = " " + _without_paths(line).lower() + " "
        bad += [f"{word.strip()!r} in {line!r}" for word in words if word in clean]
    return bad


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.demo import build_demo

    manifest = build_demo(tmp_path_factory.mktemp("demo"), TODAY, 2026)
    return manifest.businesses["kohonen"].workspace


def _set_language(root: Path, lang: str) -> None:
    config = root / "karsinta.yaml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^language:.*\n", "", text)
    config.write_text(f"language: {lang}\n" + text, encoding="utf-8")


def _run(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    """review, check and apply --dry-run on the workspace; everything they printed."""
    capsys.readouterr()
    out = []
    main(["review", "--workspace", str(root), "--today", TODAY.isoformat()])
    out.append(capsys.readouterr())
    main(["check", "--workspace", str(root)])
    out.append(capsys.readouterr())
    proposal = next((root / "raportit").glob("poistoehdotus-*.xlsx"))
    main(["apply", str(proposal), "--today", TODAY.isoformat(), "--dry-run"])
    out.append(capsys.readouterr())
    return "\n".join(o.out + o.err for o in out)


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "foreign"), [("fi", ENGLISH), ("en", FINNISH)])
def test_a_run_speaks_only_the_workspace_language(
    demo: Path, capsys: pytest.CaptureFixture[str], lang: str, foreign: tuple[str, ...]
) -> None:
    _set_language(demo, lang)
    output = _run(capsys, demo)
    assert output.strip()
    assert "!" in output  # the demo has read problems: they are printed too
    assert _foreign(output, foreign) == []


def test_apply_of_a_missing_proposal_names_the_proposal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "poistoehdotus-2026-11.xlsx"
    assert main(["apply", str(missing), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "poistoehdotus-2026-11.xlsx" in err
    assert "karsinta.yaml" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("lang", "count", "key", "expected"),
    [
        ("fi", 1, "problem", "1 ongelma"),
        ("fi", 2, "problem", "2 ongelmaa"),
        ("fi", 0, "problem", "0 ongelmaa"),
        ("fi", 1, "trace", "1 merkintä"),
        ("fi", 12, "trace", "12 merkintää"),
        ("fi", 1, "row", "1 rivi"),
        ("fi", 3, "row", "3 riviä"),
        ("en", 1, "problem", "1 problem"),
        ("en", 0, "problem", "0 problems"),
        ("en", 2, "person", "2 people"),
        ("en", 1, "more_problem", "1 more problem"),
        ("fi", 4, "more_problem", "4 muuta ongelmaa"),
    ],
)
def test_plural_puts_the_noun_in_the_right_number(
    lang: str, count: int, key: str, expected: str
) -> None:
    assert messages.plural(lang, count, key) == expected


def test_row_labels_follow_the_count() -> None:
    assert messages.rows_text("fi", [4]) == "rivi 4"
    assert messages.rows_text("fi", [4, 7]) == "rivit 4, 7"
    assert messages.rows_text("en", [4, 7]) == "rows 4, 7"


#: Example parameters for every code: what a connector passes.
PARAMS: dict[str, dict[str, object]] = {
    "not_a_date_expected": {"expected": "d.m.yyyy"},
    "unknown_status_word": {"rows": ("row", 3)},
    "implausible_year": {"first": 1900, "last": 2100},
    "empty_column": {"role_name": "email"},
    "encoding_guessed": {"encoding": "cp1252"},
    "encoding_mixed": {"other": "cp1252", "main": "utf-8"},
    "encoding_mixed_lines": {"lines": "3, 4"},
    "ends_mid_record": {"start": 12},
    "ends_mid_row": {"cut": "Puhelin", "missing": "Osoite", "fields": ("field", 2)},
    "file_cut_off": {"at": 12},
    "short_row": {"count": 2, "need": 5, "missing": "Osoite"},
    "long_row": {"count": 6, "header": 5},
    "card_unreadable": {"error": "ValueError"},
    "could_not_read": {"error": "ValueError"},
    "column_not_found": {"column": "Email"},
    "not_a_workbook": {"error": "CalamineError"},
    "sheet_not_found": {"sheet": "Asiakkaat", "sheets": ("sheet", 2)},
    "bad_options": {"details": "option 'x': extra"},
    "ics_cut_inside": {"component": "VEVENT"},
    "ics_not_closed_calendar": {"component": "VEVENT", "other": "VCALENDAR"},
    "ics_not_closed_begin": {"component": "VEVENT", "other": "VEVENT"},
    "ics_not_closed_end": {"component": "VEVENT", "other": "VCALENDAR"},
    "ics_calendar_not_closed_calendar": {"other": "VCALENDAR"},
    "ics_calendar_not_closed_begin": {"other": "VCALENDAR"},
    "ics_calendar_not_closed_end": {"other": "VEVENT"},
    "ics_date_placeholder": {"year": 1900},
    "ics_until_placeholder": {"year": 1900},
}


@pytest.mark.parametrize("code", sorted(messages.PROBLEMS))
def test_every_problem_code_reads_in_both_languages(code: str) -> None:
    params = PARAMS.get(code, {})
    fi = messages.problem_text("fi", code, **params)
    en = messages.problem_text("en", code, **params)
    assert fi
    assert en
    assert fi != en
    assert "{" not in fi + en  # every placeholder filled
    assert _foreign(f" {fi} ", ENGLISH) == [], fi
    assert _foreign(f" {en} ", FINNISH) == [], en


def test_a_problem_line_is_whole_in_either_language() -> None:
    log = ProblemLog("asiakkaat.csv")
    log.add(12, "Sähköposti", "", role="emails", code="bad_email")
    log.add(3, "Puhelin", "", role="phones", severity="warning", code="bad_phone")
    email, phone = log.problems
    assert email.message == "not a valid e-mail address"  # English for logs, as before
    assert email.text("fi") == (
        "asiakkaat.csv, rivi 12, kenttä 'Sähköposti': ei ole kelvollinen sähköpostiosoite"
    )
    assert email.text("en") == str(email)
    assert str(email) == "asiakkaat.csv, row 12, field 'Sähköposti': not a valid e-mail address"
    assert phone.text("fi").endswith("(varoitus)")
    assert phone.text("en").endswith("(warning)")


def test_a_problem_without_a_code_stays_english() -> None:
    problem = Problem("a.ics", 4, None, "END without a matching BEGIN; line ignored")
    assert problem.text("fi") == "a.ics, rivi 4: END without a matching BEGIN; line ignored"


def test_a_source_error_reads_in_the_owner_language() -> None:
    error = UnreadableSource(
        "a.xlsx", "this file is CSV text, not an Excel workbook", "csv_not_workbook"
    )
    assert error.text("fi").startswith("a.xlsx: tämä tiedosto on CSV-tekstiä")
    assert str(error) == "a.xlsx: this file is CSV text, not an Excel workbook"


def test_a_csv_named_xlsx_is_named_as_such(tmp_path: Path) -> None:
    from connectors.base import SourceSpec, read_source

    path = tmp_path / "asiakkaat.xlsx"
    path.write_text("Otsikko;Toinen\nyksi;kaksi\n", encoding="utf-8")
    result = read_source(SourceSpec(id="a", connector="spreadsheet", path=path, register="r"))
    assert result.error is not None
    assert result.error.code == "csv_not_workbook"


#: Problems still reported without a code (shown in English in every language):
#: the visible gap, by file. Shrink it; a new uncoded problem makes this fail.
UNCODED = {
    "connectors/folder.py": 6,
    "connectors/vcard.py": 2,
    "connectors/contact_fields.py": 2,
    "connectors/accounting.py": 1,
    "connectors/google/gmail.py": 1,
    "connectors/microsoft/mail.py": 1,
}


def test_the_problems_without_a_code_are_listed() -> None:
    root = Path(__file__).resolve().parent.parent
    found: dict[str, int] = {}
    for path in sorted((root / "connectors").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        calls = re.findall(r"log\.add\((.*?)\)\n", text, flags=re.S)
        uncoded = sum("code=" not in call for call in calls)
        if uncoded:
            found[str(path.relative_to(root))] = uncoded
    assert found == UNCODED
