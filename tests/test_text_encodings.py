"""connectors.textfile.decode / decode_text: which encoding a Finnish export is in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import ProblemLog
from connectors.errors import UnreadableSource
from connectors.textfile import decode, decode_text

FINNISH = "Äijälä Väinö, Öhman Åsa; Hämeenlinna €"

CASES = [
    ("utf-8", FINNISH.encode("utf-8"), "utf-8"),
    ("utf-8 BOM", b"\xef\xbb\xbf" + FINNISH.encode("utf-8"), "utf-8-sig"),
    ("utf-16 BOM", FINNISH.encode("utf-16"), "utf-16"),
    ("utf-16-le no BOM", FINNISH.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be no BOM", FINNISH.encode("utf-16-be"), "utf-16-be"),
    ("utf-32 BOM", FINNISH.encode("utf-32"), "utf-32"),
    ("cp1252", FINNISH.encode("cp1252"), "cp1252"),
]


@pytest.mark.parametrize(("case", "data", "encoding"), CASES, ids=[c[0] for c in CASES])
def test_each_encoding_gives_the_text_back_without_problems(
    case: str, data: bytes, encoding: str
) -> None:
    log = ProblemLog("f.txt")
    decoded = decode_text(data, "f.txt", log)
    assert decoded.text == FINNISH
    assert decoded.encoding == encoding
    assert decode(data, "f.txt") == (FINNISH, encoding)
    assert log.problems == []


def test_a_charset_that_is_not_finnish_is_decoded_and_the_guess_named() -> None:
    log = ProblemLog("f.txt")
    decoded = decode_text("Сергей Петрович Иванов\n".encode("cp1251"), "f.txt", log)
    assert decoded.text == "Сергей Петрович Иванов\n"
    assert decoded.guessed
    assert [(p.row, p.severity) for p in log.problems] == [(None, "warning")]
    assert "cp1251" in log.problems[0].message


@pytest.mark.parametrize("minority", ["cp1252", "utf-8"])
def test_mixed_encodings_never_give_mojibake_and_name_each_minority_line(minority: str) -> None:
    majority = "utf-8" if minority == "cp1252" else "cp1252"
    lines = ["Nimi;Sähköposti", "Äijälä;a@example.fi", "Pöllö;b@example.fi", "Hämäläinen;c@x.fi"]
    data = b"".join(
        (line + "\r\n").encode(minority if number == 4 else majority)
        for number, line in enumerate(lines, start=1)
    )
    log = ProblemLog("f.csv")
    decoded = decode_text(data, "f.csv", log)
    assert decoded.text.splitlines() == lines
    assert decoded.mixed_lines == (4,)
    assert [(p.file, p.row, p.severity) for p in log.problems] == [("f.csv", 4, "warning")]
    assert "Hämäläinen" not in log.problems[0].message
    assert decode(data, "f.csv")[0].splitlines() == lines  # quiet, but no mojibake either


def test_a_fold_that_splits_a_utf8_letter_is_not_taken_for_another_encoding() -> None:
    data = "SUMMARY:Hieronta: Äijälä\r\n".encode()
    cut = data.index("Ä".encode()) + 1
    folded = data[:cut] + b"\r\n " + data[cut:] + b"X:y\r\n"
    log = ProblemLog("f.ics")
    decoded = decode_text(folded, "f.ics", log, folded=True)
    assert decoded.text.splitlines() == ["SUMMARY:Hieronta: Äijälä", "", "X:y"]
    assert decoded.encoding == "utf-8"
    assert log.problems == []


def test_binary_data_is_unreadable() -> None:
    with pytest.raises(UnreadableSource, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "kuva.csv")


@given(
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöåÄÖÅ ;,.-@0123456789"),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "utf-8-sig"]),
)
def test_finnish_text_survives_every_supported_encoding(text: str, encoding: str) -> None:
    text = "Nimi " + text  # mostly-ASCII start, as every export's header is
    log = ProblemLog("f.txt")
    assert decode_text(text.encode(encoding), "f.txt", log).text == text
    assert log.problems == []
