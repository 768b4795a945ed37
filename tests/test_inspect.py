"""`karsinta inspect`: every real sample export goes through it without a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.detect import detect
from flows.cli import main
from tests.conftest import SAMPLES

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
    assert "traces" in out


def test_inspect_unreadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "tyhja.ics"
    broken.write_bytes(b"")
    assert main(["inspect", str(broken), "--as", "ics"]) == 2
    out = capsys.readouterr().out
    assert "Unreadable" in out


def test_inspect_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "ei-ole.csv"), "--as", "spreadsheet", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"].endswith("file not found")
