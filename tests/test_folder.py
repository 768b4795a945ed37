"""The folder connector: one trace per customer document (coaching summaries)."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.base import SourceSpec, read_source
from connectors.folder import FolderConnector
from tests.contract import check_contract

EMAIL_FIRST = r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<email>.+)$"


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(
        id="yhteenvedot", connector="folder", path=path, register="valmennus", options=options
    )


def by_path(traces: pd.DataFrame) -> dict[str, pd.Series]:
    return {json.loads(t["locator"])["path"]: t for _, t in traces.iterrows()}


def set_mtime(path: Path, utc: datetime) -> None:
    stamp = utc.timestamp()
    os.utime(path, (stamp, stamp))


def write_docx(path: Path, paragraphs: list[str]) -> None:
    """A minimal Word document: what python-docx and Word write, body text only."""
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)


@pytest.fixture
def summaries(tmp_path: Path) -> Path:
    """A coach's folder of summaries with Finnish names, as a Windows user keeps it."""
    folder = tmp_path / "Yhteenvedot"
    folder.mkdir()
    write_docx(
        folder / "Maija Mehiläinen 2025-03-14.docx",
        ["Valmennuksen yhteenveto", "Tavoite: jaksaminen töissä &amp; kotona"],
    )
    (folder / "Pekka Häkkinen 2025-01-02.txt").write_bytes(
        "Yhteenveto. Laskutusta varten hetu 150385-246Y.\r\n".encode("cp1252")
    )
    (folder / "Äijä Öhman_2024-11-30.md").write_text(
        "# Yhteenveto\n\nUupumus ja unettomuus, ohjattu lääkäriin.\n", encoding="utf-8"
    )
    undated = folder / "muistiinpanoja ilman päivää.txt"
    undated.write_text("Soita takaisin.\n", encoding="utf-8")
    # 22:30 UTC on 31 March is already 1 April in Helsinki (EEST, UTC+3).
    set_mtime(undated, datetime(2025, 3, 31, 22, 30, tzinfo=UTC))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "~$ija Mehiläinen 2025-03-14.docx").write_bytes(b"lock")
    (folder / "Vanhat").mkdir()
    (folder / "Vanhat" / "Tuula Mäki 2019-05-05.txt").write_text("vanha\n", encoding="utf-8")
    return folder


def test_contract(summaries: Path) -> None:
    result = check_contract(spec(summaries))
    assert len(result.traces) == 4
    assert len(result.problems) == 1  # the undated file does not match the pattern


def test_one_trace_per_file_with_name_and_date(summaries: Path) -> None:
    result = read_source(spec(summaries))
    traces = by_path(result.traces)
    assert list(traces) == [  # name order, case ignored: the numbering of problems
        "Maija Mehiläinen 2025-03-14.docx",
        "muistiinpanoja ilman päivää.txt",
        "Pekka Häkkinen 2025-01-02.txt",
        "Äijä Öhman_2024-11-30.md",
    ]
    maija = traces["Maija Mehiläinen 2025-03-14.docx"]
    assert maija["name"] == "Maija Mehiläinen"
    assert maija["event_date"] == pd.Timestamp("2025-03-14")
    assert maija["kind"] == "summary"
    assert maija["label"] == "Maija Mehiläinen 2025-03-14.docx"
    assert json.loads(maija["locator"]) == {
        "file": str(summaries),
        "path": "Maija Mehiläinen 2025-03-14.docx",
    }
    assert maija["found_categories"] == "note"
    assert traces["Äijä Öhman_2024-11-30.md"]["name"] == "Äijä Öhman"


def test_contents_are_scanned_for_hetu_and_health(summaries: Path) -> None:
    traces = by_path(read_source(spec(summaries)).traces)
    pekka = traces["Pekka Häkkinen 2025-01-02.txt"]  # Windows-1252 text
    assert pd.isna(pekka["hetu"])  # found in a text: data found, not an identifier
    assert pekka["found_categories"] == "hetu,note"
    assert traces["Äijä Öhman_2024-11-30.md"]["found_categories"] == "health_note,note"


def test_name_mismatch_is_a_problem_without_the_name(summaries: Path) -> None:
    result = read_source(spec(summaries))
    (problem,) = result.problems
    # "muistiinpanoja ..." is the 2nd file in name order (case ignored): Maija, muistiinpanoja
    assert (problem.row, problem.field) == (2, "file name")
    assert problem.message.startswith("file name does not match the pattern")
    assert "muistiinpanoja" not in str(problem)
    assert problem.file == str(summaries)
    undated = by_path(result.traces)["muistiinpanoja ilman päivää.txt"]
    assert pd.isna(undated["name"])
    # no date in the name: the modification time, as a Helsinki date
    assert undated["event_date"] == pd.Timestamp("2025-04-01")


def test_mtime_fallback_can_be_switched_off(tmp_path: Path) -> None:
    (tmp_path / "Maija Mehiläinen.txt").write_text("x", encoding="utf-8")
    result = read_source(spec(tmp_path, pattern=r"^(?P<name>.+)$", date_from_mtime=False))
    assert result.problems == []
    assert pd.isna(result.traces["event_date"].iat[0])
    with_mtime = read_source(spec(tmp_path, pattern=r"^(?P<name>.+)$"))
    assert with_mtime.traces["event_date"].notna().all()
    assert with_mtime.traces["name"].tolist() == ["Maija Mehiläinen"]


def test_email_and_date_pattern(tmp_path: Path) -> None:
    (tmp_path / "2025-03-14_maija.mehilainen@example.fi.txt").write_text("x", encoding="utf-8")
    (tmp_path / "2025-03-15_ei-osoite.txt").write_text("x", encoding="utf-8")
    result = read_source(spec(tmp_path, pattern=EMAIL_FIRST))
    traces = by_path(result.traces)
    maija = traces["2025-03-14_maija.mehilainen@example.fi.txt"]
    assert maija["email"] == "maija.mehilainen@example.fi"
    assert maija["event_date"] == pd.Timestamp("2025-03-14")
    # a bad address in a file name: a problem on that file's number, naming no value
    assert [(p.row, p.field) for p in result.problems] == [(2, "file name")]
    assert "ei-osoite" not in str(result.problems[0])


def test_bad_date_in_file_name(tmp_path: Path) -> None:
    (tmp_path / "Maija Mehiläinen 2025-13-45.txt").write_text("x", encoding="utf-8")
    result = read_source(spec(tmp_path))
    assert [(p.row, p.field, p.message) for p in result.problems] == [
        (1, "file name", "the date in the file name is not a date")
    ]
    assert pd.isna(result.traces["event_date"].iat[0])  # not guessed from the mtime


def test_finnish_date_format_in_name(tmp_path: Path) -> None:
    (tmp_path / "Maija Mehiläinen 14.3.2025.txt").write_text("x", encoding="utf-8")
    (tmp_path / "Pekka Häkkinen 20250102.txt").write_text("x", encoding="utf-8")
    finnish = read_source(
        spec(tmp_path, pattern=r"^(?P<name>.+?) (?P<date>\d{1,2}\.\d{1,2}\.\d{4})")
    )
    assert by_path(finnish.traces)["Maija Mehiläinen 14.3.2025.txt"]["event_date"] == pd.Timestamp(
        "2025-03-14"
    )
    compact = read_source(
        spec(tmp_path, pattern=r"^(?P<name>.+?) (?P<date>\d{8})$", date_format="%Y%m%d")
    )
    assert by_path(compact.traces)["Pekka Häkkinen 20250102.txt"]["event_date"] == pd.Timestamp(
        "2025-01-02"
    )


def test_recursive_and_include(summaries: Path) -> None:
    deep = by_path(read_source(spec(summaries, recursive=True)).traces)
    assert "Vanhat/Tuula Mäki 2019-05-05.txt" in deep
    assert deep["Vanhat/Tuula Mäki 2019-05-05.txt"]["name"] == "Tuula Mäki"
    only_word = by_path(read_source(spec(summaries, include=["*.DOCX"])).traces)
    assert list(only_word) == ["Maija Mehiläinen 2025-03-14.docx"]


def test_record_id_is_the_relative_path(summaries: Path, tmp_path: Path) -> None:
    first = read_source(spec(summaries)).traces.set_index("label")["trace_id"]
    (summaries / "Aino Aalto 2025-05-05.txt").write_text("uusi", encoding="utf-8")
    second = read_source(spec(summaries)).traces.set_index("label")["trace_id"]
    assert first.to_dict().items() <= second.to_dict().items()


def test_unreadable_contents_are_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Maija Mehiläinen 2025-03-14.docx").write_bytes(b"not a zip")
    (tmp_path / "Pekka Häkkinen 2025-03-15.txt").write_bytes(bytes(range(256)) * 8)
    result = read_source(spec(tmp_path))
    assert [(p.row, p.field) for p in result.problems] == [(1, "contents"), (2, "contents")]
    assert len(result.traces) == 2  # the files are still traces


def test_not_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "yksi.txt"
    file.write_text("x", encoding="utf-8")
    error = read_source(spec(file)).error
    assert error is not None
    assert error.message == "not a folder"
    missing = read_source(spec(tmp_path / "ei-ole"))
    assert missing.error is not None
    assert missing.error.message == "file not found"


def test_empty_folder_has_no_traces(tmp_path: Path) -> None:
    result = read_source(spec(tmp_path))
    assert result.error is None
    assert result.traces.empty


@pytest.mark.parametrize(
    "options",
    [{"pattern": "(unclosed"}, {"pattern": r"^\d+$"}, {"date_format": "yyyy"}, {"glob": "*"}],
)
def test_invalid_options(tmp_path: Path, options: dict[str, Any]) -> None:
    result = read_source(spec(tmp_path, **options))
    assert result.error is not None
    assert "invalid connector options" in result.error.message


def test_sniff(tmp_path: Path) -> None:
    assert FolderConnector.sniff(tmp_path, b"") == 40
    file = tmp_path / "a.txt"
    file.write_text("x", encoding="utf-8")
    assert FolderConnector.sniff(file, b"x") == 0


def test_content_pattern_gives_the_named_identifier_only(tmp_path: Path) -> None:
    from connectors.base import SourceSpec, read_source

    folder = tmp_path / "koonnit"
    folder.mkdir()
    (folder / "Maija Mehiläinen 2025-03-14.txt").write_text(
        "Koonti\nLähetetty asiakkaalle: Maija.M@Example.fi\nKopio: esimies@firma.fi\n",
        encoding="utf-8",
    )
    spec = SourceSpec(
        id="koonnit",
        connector="folder",
        path=folder,
        register="r",
        options={"content_pattern": r"Lähetetty asiakkaalle:\s*(?P<email>\S+@\S+)"},
    )
    result = read_source(spec)
    assert result.clean
    (email,) = result.traces["email"]
    assert email == "maija.m@example.fi"  # the other address in the text is not taken


def test_content_pattern_needs_a_named_group(tmp_path: Path) -> None:
    from connectors.base import SourceSpec, read_source

    spec = SourceSpec(
        id="k",
        connector="folder",
        path=tmp_path,
        register="r",
        options={"content_pattern": r"Lähetetty: \S+"},
    )
    result = read_source(spec)
    assert result.unreadable
    assert "content_pattern" in str(result.error)
