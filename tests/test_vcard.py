"""The vCard connector: real exports (Google, Apple, Outlook 2.1, 4.0) and broken files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors import vcard
from connectors.base import (
    ProblemLog,
    SourceSpec,
    finalize,
    get_connector,
    read_source,
    record_hash,
)
from connectors.keyed import run_hasher
from connectors.vcard import VcardConnector, VcardOptions
from tests.conftest import sample_files
from tests.contract import check_contract

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(id="vc", connector="vcard", path=path, options=options)


def raw_records(path: Path, **options: Any) -> list[dict[str, Any]]:
    """What extract gives before finalize: shows the texts that are scanned and hashed."""
    log = ProblemLog(path.name)
    return list(VcardConnector().extract(spec(path), VcardOptions(**options), log))


def by_name(path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    result = read_source(spec(path, **options))
    assert result.error is None, result.error
    return {row["name"]: row for row in result.traces.to_dict("records")}


# ------------------------------------------------------------------ contract


@pytest.mark.samples
@pytest.mark.parametrize("path", sample_files("vcf", ".vcf"), ids=lambda p: p.name)
def test_contract_on_samples(samples: Path, path: Path) -> None:
    result = check_contract(spec(path))
    assert len(result.traces) >= 1


# ------------------------------------------------------------------ samples


@pytest.mark.samples
def test_gmail_single_contact(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "gmail_single.vcf")).traces
    assert len(traces) == 1
    card = traces.iloc[0]
    assert card["name"] == "Greg Dartmouth"
    assert card["email"] == "gdartmouth@hotmail.com"
    assert card["kind"] == "contact"
    assert card["found_categories"] == "address,birth_date,next_of_kin,note,organisation"
    assert json.loads(card["locator"])["line"] == 1


@pytest.mark.samples
def test_gmail_list_has_one_trace_per_card_with_its_begin_line(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "gmail_list.vcf")).traces
    assert traces["email"].tolist() == [
        "asmithk@gmail.com",
        "chrisy55d@yahoo.com",
        "dwhite@gmail.com",
    ]
    locators = [json.loads(loc) for loc in traces["locator"]]
    assert [(loc["index"], loc["line"]) for loc in locators] == [(0, 1), (1, 7), (2, 13)]


@pytest.mark.samples
def test_outlook_21_quoted_printable_note_is_decoded(samples: Path) -> None:
    (card,) = raw_records(samples / "vcf" / "outlook2007_contact.vcf")
    note = next(t for t in card["texts"] if t.startswith("This is the NOTE field"))
    assert "I assume it encodes this text inside a NOTE vCard type.\n" in note
    assert "=0D=0A" not in note
    # The 2.1 LABEL has an unescaped comma; nothing after it may be lost.
    assert "222 Broadway\nNew York, NY 99999\nUSA" in card["texts"]
    assert card["name"] == "Mr. Michael Angstadt Jr."
    assert card["emails"] == ["mike.angstadt@gmail.com"]


@pytest.mark.samples
@pytest.mark.parametrize(
    "name", ["outlook2007_contact.vcf", "mac_address_book_john_doe.vcf", "iphone_john_doe.vcf"]
)
def test_photos_are_a_category_never_text(samples: Path, name: str) -> None:
    (card,) = raw_records(samples / "vcf" / name)
    assert "photo" in card["categories"]
    assert not any("/9j/" in text for text in card["texts"])  # JPEG base64 starts so
    assert sum(len(t) for t in card["texts"]) < 8000


@pytest.mark.samples
def test_vcard4_tel_uri_becomes_e164(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "rfc6350_example_v4.vcf")).traces
    assert traces.iloc[0]["phone"] == "+14186569254;+14182626501"


@pytest.mark.samples
def test_uid_is_the_record_id(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "evolution_john_doe.vcf")).traces
    assert traces.iloc[0]["trace_id"] == "vc:" + record_hash(
        "477343c8e6bf375a9bac1f96a5000837", run_hasher()
    )
    assert json.loads(traces.iloc[0]["locator"])["uid"] == "477343c8e6bf375a9bac1f96a5000837"


@pytest.mark.samples
def test_escaped_comma_in_fn_is_kept(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "gmail_john_doe.vcf")).traces
    assert traces.iloc[0]["name"] == "Mr. John Richter, James Doe Sr."


@pytest.mark.samples
def test_company_card_without_n_uses_fn(samples: Path) -> None:
    traces = read_source(spec(samples / "vcf" / "apple_company_card.vcf")).traces
    assert traces.iloc[0]["name"] == "Apple Computer AG"
    assert traces.iloc[0]["found_categories"] == "address,organisation,photo"


@pytest.mark.samples
def test_thunderbird_escaped_comma_categories_filter(samples: Path) -> None:
    path = samples / "vcf" / "thunderbird_morefunctions.vcf"
    assert len(read_source(spec(path, categories=["Category2"])).traces) == 1
    assert len(read_source(spec(path, categories=["Asiakkaat"])).traces) == 0


# ------------------------------------------------------------------ own fixtures


def test_android_21_quoted_printable_finnish_names_and_note() -> None:
    path = FIXTURES / "passing_android_21_qp.vcf"
    cards = by_name(path)
    assert set(cards) == {"Päivi Mäkinen", "Jyrki Hämäläinen", "Åsa Öhman"}
    paivi = cards["Päivi Mäkinen"]
    assert paivi["phone"] == "+358401234567;+358507654321"
    assert paivi["email"] == "paivi.makinen@example.fi"
    # The henkilötunnus sits after commas in a quoted-printable note (vobject cuts it there).
    # Found in free text, it is data found, not the person's identifier.
    assert paivi["found_categories"] == "hetu,note"
    assert pd.isna(paivi["hetu"])
    # N in ISO-8859-1 quoted-printable, no FN: the name comes from N.
    assert cards["Jyrki Hämäläinen"]["phone"] == "+35891234567"
    assert cards["Åsa Öhman"]["found_categories"] == "birth_date,photo"

    raw = {r["name"]: r for r in raw_records(path)}
    [note] = [t for t in raw["Päivi Mäkinen"]["texts"] if t.startswith("Valmennus")]
    assert note == "Valmennus, kevät 2024, hetu 131052-308T, maksaa laskulla."
    assert not any("AQEB" in t for t in raw["Åsa Öhman"]["texts"])  # unindented base64 photo


def test_apple_and_vcard4_cards_with_uid_categories_and_groups() -> None:
    path = FIXTURES / "passing_fi_30_40.vcf"
    result = read_source(spec(path))
    traces = result.traces
    # The KIND:group card (a list of members) is not a person.
    assert traces["name"].tolist() == ["Matti Virtanen", "Sanna-Kaisa Lehtonen", "Tuula Koskinen"]
    assert traces["trace_id"].tolist()[:2] == [
        "vc:" + record_hash("6B29A774-D124-4822-B8D0-2780EC117F60", run_hasher()),
        "vc:" + record_hash("urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1", run_hasher()),
    ]
    matti, sanna, tuula = traces.to_dict("records")
    assert matti["found_categories"] == "address,next_of_kin,organisation"
    assert matti["phone"] == "+358401234567"
    assert sanna["phone"] == "+358451122334"  # tel: URI with ;ext=12
    assert sanna["found_categories"] == "note,photo"
    assert json.loads(tuula["locator"])["index"] == 3

    raw = {r["name"]: r for r in raw_records(path)}
    assert "Hieronta, selkä. Ei muita tietoja." in raw["Sanna-Kaisa Lehtonen"]["texts"]
    assert not any("base64" in t for t in raw["Sanna-Kaisa Lehtonen"]["texts"])


def test_categories_filter_is_case_insensitive() -> None:
    path = FIXTURES / "passing_fi_30_40.vcf"
    kept = read_source(spec(path, categories=["Asiakkaat"])).traces
    assert kept["name"].tolist() == ["Matti Virtanen", "Tuula Koskinen"]
    kept = read_source(spec(path, categories=["ystävät", "valmennus"])).traces
    assert kept["name"].tolist() == ["Matti Virtanen", "Sanna-Kaisa Lehtonen"]


def test_record_id_without_uid_survives_a_card_added_above(tmp_path: Path) -> None:
    original = (FIXTURES / "passing_android_21_qp.vcf").read_bytes()
    extra = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Uusi Asiakas\r\nEND:VCARD\r\n"
    moved = tmp_path / "moved.vcf"
    moved.write_bytes(extra + original)
    before = read_source(spec(FIXTURES / "passing_android_21_qp.vcf")).traces
    after = read_source(spec(moved)).traces
    assert set(before["trace_id"]) < set(after["trace_id"])
    assert set(before["fingerprint"]) < set(after["fingerprint"])


def test_bad_folding_is_read_and_reported() -> None:
    result = check_contract(spec(FIXTURES / "failing_bad_folding.vcf"))
    riikka, kalle = result.traces.to_dict("records")
    # The henkilötunnus was broken over the bad fold; joined back, it is found.
    assert riikka["found_categories"] == "hetu,note"
    assert riikka["phone"] == "+358401234567"
    assert kalle["email"] == "kalle@nieminen.example.fi"
    [problem] = result.problems
    assert (problem.row, problem.field) == (6, "NOTE")
    assert "badly folded" in problem.message


def test_truncated_card_is_read_as_far_as_it_goes() -> None:
    result = check_contract(spec(FIXTURES / "failing_truncated.vcf"))
    assert result.traces["email"].tolist() == [
        "sirpa.jaaskelainen@example.fi",
        "mikko.tormanen@example.fi",
    ]
    [problem] = result.problems
    assert problem.row == 6
    assert "cut off" in problem.message


def test_broken_property_and_stray_text_are_problems_the_rest_is_read() -> None:
    result = check_contract(spec(FIXTURES / "failing_broken_property.vcf"))
    # The file is Windows-1252 without saying so.
    assert result.traces["name"].tolist() == ["Leena Ylönen", "Antti Heikkilä"]
    assert result.traces["email"].tolist() == ["leena@example.com", "antti.heikkila@example.fi"]
    assert [(p.row, p.field) for p in result.problems] == [(4, "EMAIL"), (7, None)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("failing_not_a_vcard.vcf", "not a vCard file: no BEGIN:VCARD line"),
        ("failing_empty.vcf", "file is empty"),
    ],
)
def test_unreadable_files(name: str, message: str) -> None:
    result = read_source(spec(FIXTURES / name))
    assert result.error is not None
    assert result.error.message == message
    assert result.exit_code == 2


def test_a_card_that_breaks_the_reader_is_a_problem_and_the_others_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = vcard.card_record

    def fragile(card: vcard.Card, properties: list[vcard.Property]) -> dict[str, Any] | None:
        if card.index == 1:
            raise ValueError("unexpected")
        return real(card, properties)

    monkeypatch.setattr(vcard, "card_record", fragile)
    result = read_source(spec(FIXTURES / "passing_android_21_qp.vcf"))
    assert result.traces["name"].tolist() == ["Päivi Mäkinen", "Åsa Öhman"]
    [problem] = result.problems
    assert problem.row == 11
    assert problem.message == "card could not be read (ValueError)"


_ANDROID = (FIXTURES / "passing_android_21_qp.vcf").read_text(encoding="utf-8")


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=len(_ANDROID)), max_size=8),
    junk=st.text(alphabet=st.sampled_from(list(' \t\r\n:;=,\\"ABCVaäö0123')), max_size=12),
)
def test_mangled_cards_never_crash_the_reader(cuts: list[int], junk: str) -> None:
    """Line breaks and junk anywhere (bad folding, cut values) give traces or problems."""
    text = _ANDROID
    for cut in sorted(cuts, reverse=True):
        text = text[:cut] + junk + "\r\n" + text[cut:]
    log = ProblemLog("mangled.vcf")
    records = list(vcard.read_cards(text, log, None))
    traces = finalize(records, spec(FIXTURES / "mangled.vcf"), log, "contact")
    assert len(traces) == len(records)
    for problem in log.problems:
        assert "131052" not in problem.message


def test_options_are_checked() -> None:
    result = read_source(spec(FIXTURES / "passing_fi_30_40.vcf", labels=["x"]))
    assert result.error is not None
    assert "option 'labels'" in result.error.message
    result = read_source(spec(FIXTURES / "passing_fi_30_40.vcf", categories="Asiakkaat"))
    assert result.error is not None
    assert "option 'categories'" in result.error.message


def test_sniff_recognises_vcards_only() -> None:
    connector = get_connector("vcard")
    path = FIXTURES / "passing_fi_30_40.vcf"
    assert connector.sniff(path, path.read_bytes()) >= 90
    utf16 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Matti\r\nEND:VCARD\r\n".encode("utf-16")
    assert connector.sniff(Path("contacts.txt"), utf16) >= 90
    csv = Path(__file__).parent / "fixtures" / "google_csv" / "passing_current_fi.csv"
    assert connector.sniff(csv, csv.read_bytes()) == 0


# ------------------------------------------------------------------ encodings


def _read(path: Path) -> tuple[dict[str, dict[str, Any]], list[Any]]:
    result = read_source(spec(path))
    assert result.error is None, result.error
    return {row["name"]: row for row in result.traces.to_dict("records")}, result.problems


@pytest.mark.parametrize(
    ("fixture", "names"),
    [
        ("passing_nokia_21_qp_cp1252_no_charset.vcf", {"Väinö Äijälä", "Åsa Öhman"}),
        ("passing_21_qp_utf8_no_charset.vcf", {"Pirjo Mäkelä"}),
        ("passing_utf16le_no_bom.vcf", {"Jyrki Hämäläinen"}),
    ],
)
def test_legacy_encodings_give_the_right_letters_without_problems(
    fixture: str, names: set[str]
) -> None:
    rows, problems = _read(FIXTURES / fixture)
    assert set(rows) == names
    assert problems == []
    assert not any("Ã" in text for row in rows.values() for text in row["name"])


def test_qp_note_without_charset_is_read_in_the_cards_charset() -> None:
    records = raw_records(FIXTURES / "passing_nokia_21_qp_cp1252_no_charset.vcf")
    assert "Hieronta kevät, Jyväskylä" in records[0]["texts"]


def test_qp_in_an_unusual_charset_is_decoded_and_the_guess_named() -> None:
    rows, problems = _read(FIXTURES / "failing_qp_no_charset_guessed.vcf")
    assert set(rows) == {"Сергей Петрович Иванов"}
    guessed = [p for p in problems if "no CHARSET" in p.message]
    assert {(p.row, p.field) for p in guessed} == {(3, "N"), (4, "FN")}
    assert all(p.severity == "warning" and "cp1251" in p.message for p in guessed)


def test_mixed_encodings_are_decoded_per_line_and_each_line_named() -> None:
    rows, problems = _read(FIXTURES / "failing_mixed_encodings.vcf")
    assert set(rows) == {"Sirpa Pöllänen", "Kalle Ylönen", "Eeva Hämäläinen"}
    mixed = [p for p in problems if "mixed encodings" in p.message]
    assert [p.row for p in mixed] == [14]  # FN:Eeva Hämäläinen, the one cp1252 line
    assert all(p.severity == "warning" and "Eeva" not in str(p) for p in mixed)


def test_a_file_without_any_email_or_phone_is_a_named_warning() -> None:
    rows, problems = _read(FIXTURES / "failing_no_email_or_phone.vcf")
    assert set(rows) == {"Matti Meikäläinen", "Liisa Virtanen"}
    assert [(p.row, p.severity) for p in problems] == [(None, "warning")]
    assert "sähköpostiosoitetta" in problems[0].text("fi")
    assert "e-mail address or a phone number" in problems[0].message


def test_one_card_with_a_phone_is_enough_to_not_warn() -> None:
    _, problems = _read(FIXTURES / "passing_nokia_21_qp_cp1252_no_charset.vcf")
    assert problems == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.vcf")), ids=lambda p: p.name)
def test_the_one_pass_record_of_a_plain_card_is_the_general_one(path: Path) -> None:
    """Cards without quoted-printable values take a one-pass reader: it must agree."""
    from connectors.textfile import read_decoded

    try:
        text = read_decoded(path, path.name, ProblemLog(path.name), folded=True).text
    except Exception:  # noqa: BLE001 - an unreadable fixture has no cards to compare
        return
    cards, _ = vcard.split_cards(text)
    for card in cards:
        lines = vcard.unfold(card, [])
        properties = [p for n, line in lines if (p := vcard.parse_property(n, line))]
        if any(p.encoding == "QUOTED-PRINTABLE" for p in properties):
            continue
        general = vcard._card_record_decoding(card, properties)
        assert vcard._card_record_plain(card, properties) == general
