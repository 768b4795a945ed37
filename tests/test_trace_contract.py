"""The trace contract and its normalisers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors import trace as tr
from connectors.base import ProblemLog, SourceSpec, finalize, record_hash
from connectors.keyed import run_hasher


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Matti.Meikalainen@Example.FI ", "matti.meikalainen@example.fi"),
        ("mailto:Anna@Esimerkki.fi", "anna@esimerkki.fi"),
        ("<liisa@example.com>", "liisa@example.com"),
        ("not an address", None),
        ("", None),
        ("a@b", None),
    ],
)
def test_normalise_email(raw: str, expected: str | None) -> None:
    assert tr.normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # mobiles
        ("040 509 7337", "+358405097337"),
        ("044-5462633", "+358445462633"),
        ("045 127 0888", "+358451270888"),
        ("050 123 4567", "+358501234567"),
        ("0400 123456", "+358400123456"),
        ("+358 45 127 0888", "+358451270888"),
        ("00358 40 5005634", "+358405005634"),
        ("tel:+358-40-123-4567", "+358401234567"),
        # landlines with an area code, short and long subscriber numbers
        ("(09) 123 4567", "+35891234567"),
        ("09 1234", "+35891234"),
        ("09 1234 5678", "+358912345678"),
        ("02 123 4567", "+35821234567"),
        ("03 1234567", "+35831234567"),
        ("013 12345", "+3581312345"),
        ("017 1234567", "+358171234567"),
        ("017 123456", "+35817123456"),
        ("019 1234567", "+358191234567"),
        ("018 123456", "+35818123456"),
        ("+358 9 1234567", "+35891234567"),
        # national and service numbers, and ranges libphonenumber does not call valid
        ("010 123456", "+35810123456"),
        ("020 123456", "+35820123456"),
        ("0295 123456", "+358295123456"),
        ("0800 12345", "+35880012345"),
        ("075 1234567", "+358751234567"),
        ("073 1234567", "+358731234567"),
        # abroad
        ("+1 650-253-0000", "+16502530000"),
        ("+46 8 123 456 78", "+46812345678"),
        # impossible: too short, too long, no digits
        ("12", None),
        ("112", None),
        ("09 2", None),
        ("040 12", None),
        ("040 123", None),
        ("+358 40 123", None),
        ("050 12345678901", None),
        ("ei puhelinta", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert tr.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("131052-308T", "131052-308T"),
        ("131052-308t", "131052-308T"),
        ("131052A308T", "131052A308T"),  # 2000s
        ("010594Y9032", "010594Y9032"),  # 2023 century sign, temporary number
        ("010594Y9021", "010594Y9021"),
        ("010594Y9022", None),  # wrong check character
        ("131052-308X", None),
        ("1635892-0", None),  # a Y-tunnus is not a henkilötunnus
    ],
)
def test_normalise_hetu(raw: str, expected: str | None) -> None:
    assert tr.normalise_hetu(raw) == expected


def test_find_hetus_in_free_text() -> None:
    text = "Asiakas (hetu 131052-308T), puh 040 1234567, y-tunnus 1635892-0, väärä 131052-308X"
    assert tr.find_hetus(text) == ["131052-308T"]


@pytest.mark.parametrize(
    ("raw", "clean", "key"),
    [
        ("  Matti   Meikäläinen ", "Matti Meikäläinen", "matti meikalainen"),
        ("MEIKÄLÄINEN MATTI", "Meikäläinen Matti", "matti meikalainen"),
        ("Meikäläinen, Matti", "Meikäläinen, Matti", "matti meikalainen"),
        ("anna-liisa öhman", "Anna-Liisa Öhman", "anna liisa ohman"),
    ],
)
def test_names(raw: str, clean: str, key: str) -> None:
    assert tr.clean_name(raw) == clean
    assert tr.fold_name(raw) == key


def _spec(tmp_path: Path) -> SourceSpec:
    path = tmp_path / "x.csv"
    path.write_text("x")
    return SourceSpec(id="src", connector="spreadsheet", path=path, register="reg", kind="order")


def test_finalize_normalises_and_reports_without_values(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    log = ProblemLog("x.csv")
    records = [
        {
            "record_id": "1",
            "row": 2,
            "name": "maija mehiläinen",
            "emails": ["Maija@Example.fi", "broken-address"],
            "phones": "040 123 4567",
            "event_date": date(2026, 8, 14),
            "texts": ["Maija", "muistiinpano: hetu 131052-308T, migreeni"],
            "locator": {"row": 2},
        },
        {"record_id": "1", "row": 3, "name": "Toinen", "status": "whatever"},
    ]
    traces = finalize(records, spec, log, "order", {"emails": "Sähköposti"})
    assert traces["trace_id"].tolist() == [
        "src:" + record_hash("1", run_hasher()),
        "src:" + record_hash("1~2", run_hasher()),
    ]
    first = traces.iloc[0]
    assert first["email"] == "maija@example.fi"
    assert first["email_raw"] == "Maija@Example.fi;broken-address"
    assert first["phone"] == "+358401234567"
    # Found in the notes: reported as data present, not used as an identifier.
    assert pd.isna(first["hetu"])
    assert first["found_categories"] == "health_note,hetu"
    assert first["event_date"] == pd.Timestamp(2026, 8, 14)
    assert first["name"] == "Maija Mehiläinen"
    problems = [str(p) for p in log.problems]
    assert problems == [
        "x.csv, row 2, field 'Sähköposti': not a valid e-mail address",
        "x.csv, row 3, field 'status': unknown status",
    ]
    assert "broken-address" not in " ".join(problems)
    assert traces["event_date"].dtype == tr.DATE_DTYPE


def test_empty_traces_match_schema() -> None:
    tr.validate(tr.empty_traces())


@pytest.mark.parametrize(
    ("record", "severity"),
    [
        ({"phones": "040 12", "emails": "maija@example.fi"}, "warning"),
        ({"phones": "040 12;040 123 4567"}, "warning"),
        ({"phones": "040 12", "customer_no": "7"}, "warning"),
        ({"phones": "040 12", "name": "Maija"}, "error"),
    ],
)
def test_an_impossible_phone_is_a_warning_only_beside_another_key(
    tmp_path: Path, record: dict[str, str], severity: str
) -> None:
    log = ProblemLog("x.csv")
    finalize([{"record_id": "1", "row": 4, **record}], _spec(tmp_path), log, "order")
    (problem,) = log.problems
    assert (problem.row, problem.role, problem.severity) == (4, "phones", severity)
    assert "040 12" not in f"{problem} {problem.as_dict()}"


def test_problems_know_their_role_and_which_trace_came_from_which_row(tmp_path: Path) -> None:
    log = ProblemLog("x.csv")
    records = [
        {"record_id": "a", "row": 2, "emails": "a@example.fi", "event_date": "kesäkuu"},
        {"record_id": "b", "row": 3, "emails": "ei osoite", "locator": {"rows": [3, 4]}},
    ]
    traces = finalize(records, _spec(tmp_path), log, "order", {"event_date": "Päivä"})
    roles = {(p.row, p.field, p.role) for p in log.problems}
    assert roles == {(2, "Päivä", "event_date"), (3, "emails", "emails")}
    assert log.trace_rows["row"].tolist() == [2, 3, 4]
    ids = traces["trace_id"].tolist()
    assert log.trace_rows["trace_id"].tolist() == [ids[0], ids[1], ids[1]]


def test_read_source_gives_roles_by_the_files_column_names(tmp_path: Path) -> None:
    from connectors.base import read_source

    path = tmp_path / "laskut.csv"
    path.write_text(
        "Laskunumero;Laskun päivämäärä;Eräpäivä;Asiakasnumero;Asiakkaan nimi;Sähköposti;"
        "Y-tunnus/Hetu;Summa;Tila\n"
        "1;32.1.2025;1.2.2025;7;Kalle;k@example.fi;;paljon;Hukassa\n",
        "utf-8",
    )
    spec = SourceSpec(id="laskut", connector="accounting", path=path, register="r")
    result = read_source(spec)
    roles = {p.field: p.role for p in result.problems}
    assert roles == {"Laskun päivämäärä": "event_date", "Summa": "other", "Tila": "status"}
    assert result.kinds == {"invoice"}


# ------------------------------------------------- the Finnish mobile fast path


def _library_phone(text: str) -> str | None:
    """normalise_phone's answer through libphonenumber alone (no fast path)."""
    import phonenumbers

    from connectors import trace as tr

    text = text.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        national = phonenumbers.national_significant_number(number)
        if not phonenumbers.is_possible_number(number) or len(national) < tr.MIN_POSSIBLE_DIGITS:
            return None
        if number.italian_leading_zero:
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(
    prefix=st.sampled_from(["0", "+358", "00358", "+358 ", "0", "(0)"]),
    area=st.sampled_from([f"4{d}" for d in range(10)] + ["50", "51", "45", "46", "49"]),
    digits=st.text(alphabet="0123456789", min_size=5, max_size=9),
    sep=st.sampled_from(["", " ", "-", "."]),
)
def test_the_mobile_fast_path_agrees_with_libphonenumber(
    prefix: str, area: str, digits: str, sep: str
) -> None:
    from connectors.trace import normalise_phone

    text = f"{prefix}{area}{sep}{digits[:3]}{sep}{digits[3:]}"
    normalise_phone.cache_clear()
    assert normalise_phone(text) == _library_phone(text), text


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=8),
            st.lists(st.one_of(st.none(), st.text(max_size=4)), max_size=3),
            st.just(pd.NA),
            st.just(float("nan")),
        ),
        max_size=12,
    )
)
def test_a_record_text_is_the_same_whatever_the_column_holds(values: list[object]) -> None:
    """finalize's texts: a column of only texts and blanks takes a fast path; it gives
    what one text per value gives (a list joined by line breaks, a blank as "")."""
    from connectors.base import _texts

    def one(value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, list):
            return "\n".join(str(v) for v in value if v is not None)
        return str(value)

    column = pd.Series(values, dtype=object)
    assert _texts(column).tolist() == [one(v) for v in values]
    plain = [v for v in values if v is None or isinstance(v, str)]
    assert _texts(pd.Series(plain, dtype=object)).tolist() == [v or "" for v in plain]
