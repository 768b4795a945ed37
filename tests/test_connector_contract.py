"""The one contract suite every file connector passes, generated over its fixture files.

``tests/fixtures/<connector>/passing_*`` read cleanly into contract-valid
traces; ``failing_*`` (bad input: wrong encoding, missing columns, empty,
garbage dates, truncated, bad folding ...) give row problems or one clean
"unreadable" error, never a crash and never a value in a message. The checks
themselves are in tests/contract.py. Connectors whose fixtures need options
(ics) run the same checks in their own module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import SourceSpec
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures"
CONNECTORS = ("spreadsheet", "accounting", "google_csv", "outlook_csv", "vcard")


def _cases(prefix: str) -> list[tuple[str, Path]]:
    return [
        (name, path)
        for name in CONNECTORS
        for path in sorted((FIXTURES / name).glob(f"{prefix}_*"))
    ]


def _id(value: object) -> str:
    return getattr(value, "name", str(value))


def _spec(connector: str, path: Path) -> SourceSpec:
    return SourceSpec(id="fixture", connector=connector, path=path, register="r")


def test_every_connector_has_both_kinds_of_fixture() -> None:
    for name in CONNECTORS:
        assert sorted((FIXTURES / name).glob("passing_*")), name
        assert sorted((FIXTURES / name).glob("failing_*")), name


@pytest.mark.parametrize(
    ("connector", "path"), _cases("passing"), ids=lambda v: getattr(v, "name", v)
)
def test_passing_fixture_reads_cleanly(connector: str, path: Path) -> None:
    result = check_contract(_spec(connector, path))
    assert result.problems == [], [str(p) for p in result.problems]
    assert len(result.traces) > 0


@pytest.mark.parametrize(
    ("connector", "path"), _cases("passing"), ids=lambda v: getattr(v, "name", v)
)
def test_truncated_copy_of_a_passing_fixture_is_a_problem(
    connector: str, path: Path, tmp_path: Path
) -> None:
    """A file cut in the middle of its last record never reads as '0 problems'.

    (A cut XLSX is a broken zip: unreadable, which is fine.)
    """
    cut = tmp_path / path.name
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        data = path.read_bytes()
        cut.write_bytes(data[: len(data) // 2])
    else:  # cut the text, in its own encoding (UTF-16 cut in bytes would end mid-letter)
        from connectors.textfile import decode

        text, encoding = decode(path.read_bytes(), path.name)
        text = text.rstrip("\r\n")
        start = max(text.rfind("\n"), 0)
        cut.write_bytes(text[: start + (len(text) - start) // 2].encode(encoding))
    result = check_contract(_spec(connector, cut), allow_unreadable=True)
    assert result.unreadable or result.errors, "a cut file read without a problem"
    assert not result.clean


def _misencoded(text: str, encoding: str) -> bytes | None:
    """The text with its later non-ASCII lines in the other common encoding (UTF-8 vs
    Windows-1252), as a file pasted together from two exports; None when it cannot be."""
    other = "cp1252" if encoding.lower().replace("-", "").startswith("utf") else "utf-8"
    own = "utf-8" if other == "cp1252" else encoding
    lines = text.splitlines(keepends=True)
    touched = [i for i, line in enumerate(lines) if not line.isascii()]
    if len(touched) < 2:
        return None
    swap = set(touched[len(touched) // 2 :])
    out = []
    for i, line in enumerate(lines):
        try:
            out.append(line.encode(other if i in swap else own))
        except UnicodeEncodeError:
            return None
    return b"".join(out)


@pytest.mark.parametrize(
    ("connector", "path"), _cases("passing"), ids=lambda v: getattr(v, "name", v)
)
def test_misencoded_copy_of_a_passing_fixture_is_a_problem(
    connector: str, path: Path, tmp_path: Path
) -> None:
    """A file whose lines are in two encodings is named, never mojibake with 0 problems."""
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        pytest.skip("a workbook stores text as Unicode: it cannot be mis-encoded")
    from connectors.textfile import decode

    text, encoding = decode(path.read_bytes(), path.name)
    data = _misencoded(text, encoding)
    if data is None:
        pytest.skip("too few non-ASCII lines to mis-encode")
    copy = tmp_path / path.name
    copy.write_bytes(data)
    result = check_contract(_spec(connector, copy), allow_unreadable=True)
    assert result.unreadable or result.problems, "a mis-encoded file read without a problem"
    assert not any("Ã" in str(v) for v in result.traces["name"].dropna())  # no mojibake


@pytest.mark.parametrize(
    ("connector", "path"), _cases("failing"), ids=lambda v: getattr(v, "name", v)
)
def test_failing_fixture_fails_cleanly(connector: str, path: Path) -> None:
    result = check_contract(_spec(connector, path), allow_unreadable=True)
    assert result.unreadable or result.problems
    assert not result.clean
