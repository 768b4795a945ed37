"""`karsinta inspect`: every real sample export goes through it without a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.detect import detect
from flows.cli import main
from tests.conftest import SAMPLES


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read inspect's English lines (the help language; Finnish has its own test)."""
    monkeypatch.setenv("KARSINTA_LANG", "en")


#: sample folder -> the connector that must be detected for its files
FAMILIES = {
    "ics": "ics",
    "vcf": "vcard",
    "google-csv": "google_csv",
    "outlook-csv": "outlook_csv",
}
ALL_SAMPLES = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md")


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_goes_through_inspect(
    samples: Path, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["inspect", str(path), "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    payload = json.loads(captured.out)
    assert code in (0, 1, 2)
    assert code == (2 if payload["error"] else (1 if payload["problems"] else 0))
    family = FAMILIES.get(path.parent.name)
    if family:
        assert payload["connector"] == family
        assert payload["error"] is None, payload["error"]


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_detection_by_content(samples: Path, path: Path) -> None:
    family = FAMILIES.get(path.parent.name)
    if family is None:
        pytest.skip("accounting samples are of several formats")
    assert detect(path) == family


def test_inspect_table_output(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(SAMPLES / "vcf" / "gmail_single.vcf")])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "read as vcard" in out
    assert "1 trace, 0 problems" in out  # singular done right


def test_inspect_unreadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "tyhja.ics"
    broken.write_bytes(b"")
    assert main(["inspect", str(broken), "--as", "ics"]) == 2
    out = capsys.readouterr().out
    assert "Unreadable" in out


def test_inspect_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "ei-ole.csv"), "--as", "spreadsheet", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"].endswith("file not found")


FIXTURES = Path(__file__).parent / "fixtures"


def test_inspect_prints_the_sources_block_to_paste(capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    path = FIXTURES / "spreadsheet" / "passing_tilaukset_cp1252.csv"
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Detected: spreadsheet" in out
    block = yaml.safe_load(out[out.index("sources:") :])
    [source] = block["sources"]
    assert source["connector"] == "spreadsheet"
    assert source["kind"] == "order"
    assert source["options"]["columns"]["email"] == "Sähköposti"
    assert source["options"]["columns"]["event_date"] == "Tilauspäivä"


def test_inspect_says_when_another_connector_fits_better(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = FIXTURES / "google_csv" / "passing_current_fi.csv"
    main(["inspect", str(path), "--as", "outlook_csv", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["detected"] == "google_csv"
    assert payload["better_fit"] == "google_csv"
    main(["inspect", str(path), "--as", "outlook_csv"])
    assert "try --as google_csv" in capsys.readouterr().out


def test_inspect_accounting_suggests_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    main(["inspect", str(FIXTURES / "accounting" / "passing_fi_invoices.csv"), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["source"]["options"] == {"format": "fi_invoices"}
    assert payload["source"]["kind"] == "invoice"


def test_wrong_connector_with_empty_identifiers_is_never_zero_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tilaukset.csv"
    path.write_text("Tilaus;Nimi;Sähköposti\n1;;\n2;;\n", encoding="utf-8")
    assert main(["inspect", str(path), "--as", "spreadsheet", "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert any("every identifier column" in p["message"] for p in payload["problems"])


def test_paths_and_values_are_inert_on_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "arkisto ["
    folder.mkdir()
    path = folder / "b] asiakkaat [vanha].csv"  # the whole path reads "arkisto [/b] ..."
    path.write_text(
        "Nimi;Sähköposti;Tilauspäivä\n[bold]Eve\u202eX;eve@example.fi;1.2.2024\n", "utf-8"
    )
    assert main(["inspect", str(path)]) == 0  # no markup error, no traceback
    out = capsys.readouterr().out
    assert "arkisto [/b] asiakkaat [vanha].csv" in out  # shown as named, not eaten as markup
    assert "[bold]Eve[U+202E]X" in out  # a value's markup and bidi override shown as written
    assert "\u202e" not in out


def test_inspect_speaks_finnish_to_a_finnish_owner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KARSINTA_LANG", "fi")
    path = tmp_path / "tilaukset.csv"
    path.write_text(
        "Nimi;Sähköposti;Tilauspäivä\nAino;aino@example.fi;1.2.2024\nBeata;ei-osoite;3.4.2024\n",
        "utf-8",
    )
    assert main(["inspect", str(path)]) == 1
    out = capsys.readouterr().out
    assert "luettu lukijalla spreadsheet" in out
    assert "2 merkintää, 1 ongelma" in out
    assert "Ongelmat" in out
    assert "rivi 3" in out
    assert "Tunnistettu: spreadsheet" in out
    assert "Liitä karsinta.yaml-tiedostoon:" in out
    for english in ("read as", "traces", "problems", "detected", "paste into"):
        assert english not in out.lower()
