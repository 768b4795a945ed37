"""The ics connector: calendar exports to appointment traces.

The contract runs over every real sample export and every fixture; the
behaviour tests read small exports written the way Google Calendar, Outlook,
Apple Calendar and Nextcloud write them, for a Finnish coach's calendar.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.base import ReadResult, SourceSpec, read_source
from connectors.ics import MAX_ICS_BYTES, IcsConnector
from connectors.textfile import NO_KEYS
from tests.conftest import sample_files
from tests.contract import check_contract
from tests.ics_reference import (
    KNOWN_DIFFERENCES,
    generated_calendar,
    reader_records,
    reference_records,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
GOOGLE = FIXTURES / "passing_google_valmennus.ics"
OUTLOOK = FIXTURES / "passing_outlook_asiakkaat.ics"
APPLE = FIXTURES / "passing_apple_leoprana.ics"
EXTREME = FIXTURES / "passing_nextcloud_extreme_rules.ics"
#: "Valmennus: Anna Korhonen" -> Anna Korhonen
TITLE_NAME = r"^[^:]+:\s*(?P<name>.+)$"
EVERY_TITLE = r"(?P<name>.+)"

SAMPLES = sample_files("ics", ".ics")
PASSING = sorted(FIXTURES.glob("passing_*.ics"))
FAILING = sorted(FIXTURES.glob("failing_*.ics"))


def spec(path: Path, **options: Any) -> SourceSpec:
    return SourceSpec(
        id="kalenteri", connector="ics", path=path, register="kohonen", options=options
    )


def read(path: Path, **options: Any) -> ReadResult:
    """Read through the contract check (twice, validated, stable ids)."""
    return check_contract(spec(path, **options))


def by_email(result: ReadResult, email: str) -> pd.Series:
    rows = result.traces[result.traces["email"] == email]
    assert len(rows) == 1, f"{len(rows)} traces for {email}"
    return rows.iloc[0]


def by_name(result: ReadResult, name: str) -> pd.Series:
    rows = result.traces[result.traces["name"] == name]
    assert len(rows) == 1, f"{len(rows)} traces named {name}"
    return rows.iloc[0]


def day(value: Any) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def emails(result: ReadResult) -> set[str]:
    return set(result.traces["email"].dropna())


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The 1-based number of the line where ``text`` starts for the nth time."""
    seen = 0
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if line.decode("utf-8", errors="replace").startswith(text):
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{text} not in {path.name}")


@pytest.fixture(scope="module")
def google() -> ReadResult:
    return read(GOOGLE)


@pytest.fixture(scope="module")
def outlook() -> ReadResult:
    return read(OUTLOOK)


# ------------------------------------------------------------------ contract


@pytest.mark.samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_contract_on_every_sample(samples: Path, path: Path) -> None:
    result = read(path)
    assert _beyond_keyless(result, path) == []  # real exports: nothing to complain about
    assert result.traces["kind"].eq("appointment").all()
    assert not result.traces["label"].isna().any()


@pytest.mark.samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_contract_on_every_sample_with_every_title_a_customer(samples: Path, path: Path) -> None:
    """Every event then gives a trace, so every series' dates are computed."""
    result = read(path, name_pattern=EVERY_TITLE)
    assert _beyond_keyless(result, path) == []
    dated = result.traces["event_date"].notna()
    assert dated.all(), "a sample event got no date"


def _beyond_keyless(result: ReadResult, path: Path) -> list[Any]:
    """The problems besides the keyless-file warning, which must be there exactly when due.

    A calendar whose events name no e-mail or phone (a holiday calendar, a
    schedule) gives only keyless traces or none: one warning, never silence.
    """
    keyed = bool(result.traces[["email", "phone"]].notna().any().any())
    keyed = keyed or b"BEGIN:VEVENT" not in path.read_bytes().upper()
    keyless = [p for p in result.problems if p.message == NO_KEYS]
    assert [(p.row, p.field, p.severity) for p in keyless] == (
        [] if keyed else [(None, "ATTENDEE", "warning")]
    )
    return [p for p in result.problems if p.message != NO_KEYS]


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.name)
@pytest.mark.parametrize("options", [{}, {"name_pattern": TITLE_NAME}], ids=["plain", "titles"])
def test_contract_on_passing_fixtures(path: Path, options: dict[str, Any]) -> None:
    result = read(path, **options)
    assert result.problems == []
    if options:  # every fixture event has a customer in its title or attendees
        assert len(result.traces) > 0


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.name)
def test_failing_fixtures_give_problems_or_unreadable_never_values(path: Path) -> None:
    result = check_contract(spec(path, name_pattern=TITLE_NAME), allow_unreadable=True)
    assert result.error is not None or result.problems
    messages = [str(p) for p in result.problems] + ([str(result.error)] if result.error else [])
    for word in _value_words(path):
        for message in messages:
            assert word not in message, f"a problem quotes the file's content ({path.name})"


def _value_words(path: Path) -> set[str]:
    """Words of the values in a fixture (what a problem must never quote)."""
    words: set[str] = set()
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        if name.split(";")[0] in ("BEGIN", "END", "VERSION", "PRODID", "X-WR-CALNAME"):
            continue
        words.update(w for w in re.findall(r"[\w-]{5,}", value or name) if not w.isupper())
    return words


# ------------------------------------------------------------ Google export


def test_weekly_series_with_exdate_on_last_date_ends_a_week_earlier(google: ReadResult) -> None:
    matti = by_email(google, "matti.meikalainen@example.com")
    assert day(matti["event_date"]) == date(2024, 3, 19)  # UNTIL 26.3., which is excluded
    assert day(matti["end_date"]) == date(2024, 3, 19)
    assert pd.isna(matti["status"])
    assert matti["kind"] == "appointment"


def test_moved_last_occurrence_counts_at_its_new_date(google: ReadResult) -> None:
    liisa = by_email(google, "liisa.virtanen@example.fi")
    assert day(liisa["event_date"]) == date(2024, 2, 27)  # 22.2. moved to 27.2.
    assert liisa["label"] == "Valmennus: Liisa Virtanen 1.2.2024"


def test_last_occurrence_moved_earlier_is_no_longer_the_last(google: ReadResult) -> None:
    juha = by_email(google, "juha.nieminen@example.com")
    assert day(juha["event_date"]) == date(2024, 3, 11)  # 18.3. moved to 6.3.


def test_series_without_end_is_active_from_its_first_occurrence(google: ReadResult) -> None:
    pekka = by_email(google, "pekka.korhonen@example.com")
    assert pekka["status"] == "active"
    assert pd.isna(pekka["end_date"])
    assert day(pekka["event_date"]) == date(2024, 2, 15)  # 15.1. is an EXDATE


def test_uppercase_mailto_and_mixed_case_address_are_normalised(google: ReadResult) -> None:
    liisa = by_email(google, "liisa.virtanen@example.fi")
    assert liisa["email_raw"] == "Liisa.Virtanen@Example.FI"
    assert liisa["name"] == "Liisa Virtanen"


def test_owner_and_organiser_are_never_customers(google: ReadResult) -> None:
    # Krista organises, attends every event, and names the calendar after her address.
    assert "krista.kohonen@example.fi" not in emails(google)
    assert not google.traces["name"].eq("Krista Kohonen").any()


def test_address_written_as_cn_is_not_a_name(google: ReadResult) -> None:
    assert pd.isna(by_email(google, "matti.meikalainen@example.com")["name"])


def test_private_event_is_skipped_unless_asked(google: ReadResult) -> None:
    assert "helena@hammasklinikka.example" not in emails(google)
    included = read(GOOGLE, skip_private=False)
    assert "helena@hammasklinikka.example" in emails(included)
    # the clinic organised it; the owner attended: neither is a customer
    assert "ajanvaraus@hammasklinikka.example" not in emails(included)
    assert "krista.kohonen@example.fi" not in emails(included)


def test_exclude_title_pattern_skips_the_owners_own_events(google: ReadResult) -> None:
    assert "sari.ystava@example.com" in emails(google)
    result = read(GOOGLE, exclude_title_pattern=r"^oma:")
    assert "sari.ystava@example.com" not in emails(result)
    assert len(result.traces) == len(google.traces) - 1


def test_title_pattern_keeps_only_customer_events() -> None:
    result = read(GOOGLE, title_pattern=r"^valmennus\b")
    assert emails(result) == {
        "matti.meikalainen@example.com",
        "liisa.virtanen@example.fi",
        "juha.nieminen@example.com",
        "ville.lahtinen@example.com",
        "sanna.laine@example.com",
        "timo.heikkinen@example.com",
    }


def test_customer_from_the_title_when_the_event_has_no_attendees(google: ReadResult) -> None:
    assert not google.traces["name"].eq("Anna Korhonen").any()
    result = read(GOOGLE, name_pattern=TITLE_NAME)
    anna = by_name(result, "Anna Korhonen")
    assert pd.isna(anna["email"])
    assert day(anna["event_date"]) == date(2024, 2, 28)
    locator = json.loads(anna["locator"])
    assert locator["attendee"] == "Anna Korhonen"
    assert locator["uid"] == "9c1e3g5i7k9m1o3q5s7u9w1y3a@google.com"
    # Titles only speak for events without attendees; the owner's own day names no one.
    assert len(result.traces) == len(google.traces) + 1


def test_name_pattern_may_take_an_email_from_the_title(tmp_path: Path) -> None:
    path = tmp_path / "kalenteri.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\n"
        "UID:u1\r\nDTSTART;VALUE=DATE:20240102\r\n"
        "SUMMARY:Varaus Matti Meikäläinen <Matti@Example.com>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    result = read(path, name_pattern=r"^Varaus (?P<name>[^<]+?)\s*<(?P<email>[^>]+)>")
    trace = by_email(result, "matti@example.com")
    assert trace["name"] == "Matti Meikäläinen"


def test_utc_late_evening_is_the_next_day_in_helsinki(google: ReadResult) -> None:
    ville = by_email(google, "ville.lahtinen@example.com")  # 22.30 UTC on 15 March
    assert day(ville["event_date"]) == date(2024, 3, 16)
    assert ville["label"].endswith(" 16.3.2024")


def test_health_words_in_the_description_are_found(google: ReadResult) -> None:
    sanna = by_email(google, "sanna.laine@example.com")
    assert set(sanna["found_categories"].split(",")) == {"health_note", "note"}
    matti = by_email(google, "matti.meikalainen@example.com")
    assert matti["found_categories"] == ""  # empty DESCRIPTION, no note


def test_meeting_room_is_not_a_customer(google: ReadResult) -> None:
    assert not any("resource.calendar.google.com" in e for e in emails(google))
    assert not google.traces["name"].eq("Neuvotteluhuone Kuusi").any()


def test_cancelled_booking_is_still_a_trace(google: ReadResult) -> None:
    timo = by_email(google, "timo.heikkinen@example.com")
    assert timo["status"] == "cancelled"
    assert day(timo["event_date"]) == date(2024, 3, 12)


def test_henkilotunnus_in_group_notes_is_no_ones_identifier(google: ReadResult) -> None:
    mervi = by_email(google, "mervi.aaltonen@example.fi")
    olli = by_email(google, "olli.aaltonen@example.net")
    for trace in (mervi, olli):
        assert pd.isna(trace["hetu"])
        assert "hetu" in trace["found_categories"].split(",")
    assert mervi["trace_id"] != olli["trace_id"]


def test_attendee_domains_keep_only_those_domains() -> None:
    result = read(GOOGLE, attendee_domains=["@Example.FI"])
    assert emails(result) == {"liisa.virtanen@example.fi", "mervi.aaltonen@example.fi"}


def test_calendar_name_selects_the_calendar() -> None:
    assert len(read(GOOGLE, calendar_name="Krista.Kohonen@example.fi").traces) > 0
    other = read(GOOGLE, calendar_name="Perhe")
    assert other.traces.empty
    assert [p.field for p in other.problems] == ["X-WR-CALNAME"]
    assert "krista" not in str(other.problems[0]).lower()


def test_row_label_and_locator_point_at_the_event(google: ReadResult) -> None:
    matti = by_email(google, "matti.meikalainen@example.com")
    assert matti["label"] == (
        "Valmennus: Matti Meikäläinen – viikoittainen tapaaminen / Hämäläisentalo 9.1.2024"
    )  # folded in the middle of an ä: unfolded before decoding
    locator = json.loads(matti["locator"])
    assert locator["uid"] == "7kq2v3lqv6h0s8r4bq1f9c2m5d@google.com"
    assert locator["attendee"] == "matti.meikalainen@example.com"
    assert locator["file"].endswith("passing_google_valmennus.ics")


def test_problem_rows_are_lines_of_the_file(tmp_path: Path) -> None:
    # A bad e-mail is reported by finalize at the trace's row: its BEGIN:VEVENT line.
    path = tmp_path / "kalenteri.ics"
    path.write_bytes(
        GOOGLE.read_bytes().replace(
            b"mailto:juha.nieminen@example.com", b"mailto:juha.nieminen(at)example"
        )
    )
    result = read(path)
    assert "juha.nieminen" not in str(result.problems)
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(GOOGLE, "BEGIN:VEVENT", nth=4), "ATTENDEE")
    ]


# ----------------------------------------------------------- Outlook, Apple


def test_outlook_windows_zone_and_every_second_week_until(outlook: ReadResult) -> None:
    liisa = by_email(outlook, "liisa.virtanen@example.fi")
    # 10.1., 24.1., 7.2., 21.2.; UNTIL is 28.2., which is not one of them
    assert day(liisa["event_date"]) == date(2024, 2, 21)
    assert liisa["label"] == "Valmennus Liisa Virtanen 10.1.2024"
    assert liisa["name"] == "Virtanen, Liisa"


def test_outlook_attendee_without_address_is_a_name_only_customer(outlook: ReadResult) -> None:
    pirjo = by_name(outlook, "Pirjo Mäkinen")
    assert pd.isna(pirjo["email"])
    assert day(pirjo["event_date"]) == date(2024, 4, 2)


def test_outlook_private_appointment_is_skipped(outlook: ReadResult) -> None:
    assert "laaksonen@terveysasema.example" not in emails(outlook)
    assert "laaksonen@terveysasema.example" in emails(read(OUTLOOK, skip_private=False))


def test_owner_emails_when_a_customer_sent_the_invitation(outlook: ReadResult) -> None:
    # The customer organised the meeting (an organiser is never a data subject);
    # the owner attended. Without owner_emails the owner would look like a customer.
    assert "krista@kohonen.example" in emails(outlook)
    result = read(OUTLOOK, owner_emails=["Krista@Kohonen.example"])
    assert "krista@kohonen.example" not in emails(result)
    assert "jari@salminen.example" not in emails(result)


def test_apple_email_parameter_and_organiser_as_chair() -> None:
    result = read(APPLE)
    assert emails(result) == {"kaisa.jarvinen@example.fi"}  # Siiri organises (and chairs)
    kaisa = by_email(result, "kaisa.jarvinen@example.fi")
    assert kaisa["name"] == "Kaisa Järvinen"
    assert day(kaisa["event_date"]) == date(2024, 5, 15)


def test_apple_all_day_and_floating_times_as_written() -> None:
    result = read(APPLE, name_pattern=TITLE_NAME)
    assert day(by_name(result, "Helmi Saarinen")["event_date"]) == date(2024, 6, 1)
    assert day(by_name(result, "Aino Mattila")["event_date"]) == date(2024, 5, 19)  # 23.00


def test_pathological_rules_end_in_reasonable_time() -> None:
    started = time.perf_counter()
    result = read(EXTREME, name_pattern=TITLE_NAME)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"{elapsed:.1f} s for four rules (read twice)"
    assert by_name(result, "Eero Lindqvist")["status"] == "active"  # every minute, forever
    maija = by_name(result, "Maija Lindqvist")  # every second until 2099
    assert day(maija["event_date"]) == date(2099, 12, 31)
    assert by_name(result, "Kalle Lindqvist")["status"] == "active"  # COUNT of a billion
    leena = by_name(result, "Leena Lindqvist")  # 30 February never comes
    assert leena["status"] == "active"
    assert day(leena["event_date"]) == date(2024, 1, 1)


# ---------------------------------------------------------------- samples


def sample(samples: Path, name: str) -> Path:
    return samples / "ics" / name


@pytest.mark.samples
def test_sample_sabredav_weekly_with_one_deleted(samples: Path) -> None:
    result = read(sample(samples, "sabredav_weekly_one_deleted.ics"), name_pattern=EVERY_TITLE)
    trace = by_name(result, "Test6")
    assert day(trace["event_date"]) == date(2019, 4, 22)  # 8 weeks, the 2nd deleted
    assert trace["label"] == "test6 4.3.2019"


@pytest.mark.samples
def test_sample_thunderbird_recurring_moved(samples: Path) -> None:
    result = read(sample(samples, "thunderbird_recurring_moved.ics"), name_pattern=EVERY_TITLE)
    assert day(by_name(result, "Test7")["event_date"]) == date(2019, 3, 20)
    new_event = by_name(result, "New Event")
    assert day(new_event["event_date"]) == date(2019, 3, 10)
    assert new_event["label"] == "New Event 7.3.2019"


@pytest.mark.samples
def test_sample_google_machbar(samples: Path) -> None:
    path = sample(samples, "google_machbar_feb2019.ics")
    # Its only attendee is a Google group calendar, not a person.
    plain = read(path)
    assert plain.traces.empty
    # no trace at all is not silence: the file is named as one without e-mail or phone
    assert [(p.message, p.severity) for p in plain.problems] == [(NO_KEYS, "warning")]
    result = read(path, name_pattern=EVERY_TITLE)
    by_uid = {json.loads(loc)["uid"]: i for i, loc in enumerate(result.traces["locator"])}
    repair = result.traces.iloc[by_uid["ome5r9735mpdoo3n6lpf8oi0c4@google.com"]]
    # monthly until 15.3.2019; the last, 16.2., was moved to 24.2.
    assert day(repair["event_date"]) == date(2019, 2, 24)
    assert repair["label"] == "mB-onTour: repairCafé 17.11.2018"
    hackademy = result.traces.iloc[by_uid["37jkbgv9regint2hqhlmd9risn@google.com"]]
    assert day(hackademy["event_date"]) == date(2019, 3, 13)  # 6 x Mon-Wed from 4.3.


@pytest.mark.samples
def test_sample_lotus_notes_organiser_is_not_a_customer(samples: Path) -> None:
    result = read(sample(samples, "lotus_notes6_calconnect.ics"))
    trace = by_email(result, "icalparticipant@coffeebean.com")
    assert emails(result) == {"icalparticipant@coffeebean.com"}
    assert day(trace["event_date"]) == date(2005, 4, 15)  # daily for five days from 11.4.


@pytest.mark.samples
def test_sample_exchange_windows_time_zone_name(samples: Path) -> None:
    result = read(sample(samples, "exchange2010_quoted_tzid.ics"), name_pattern=EVERY_TITLE)
    assert day(result.traces["event_date"].iloc[0]) == date(2024, 10, 28)


@pytest.mark.samples
def test_sample_alarm_recipient_is_not_a_customer(samples: Path) -> None:
    assert read(sample(samples, "google_alarm_future.ics")).traces.empty


@pytest.mark.samples
def test_sample_apple_monthly_overrides_never_end(samples: Path) -> None:
    result = read(
        sample(samples, "apple_ical15_recurrence_overrides.ics"), name_pattern=EVERY_TITLE
    )
    trace = result.traces.iloc[0]
    assert trace["status"] == "active"
    assert pd.isna(trace["end_date"])


@pytest.mark.samples
def test_sample_big_outlook_calendar_is_fast(samples: Path) -> None:
    path = sample(samples, "outlook2007_germany_holidays.ics")
    started = time.perf_counter()
    result = read_source(spec(path, name_pattern=EVERY_TITLE))
    elapsed = time.perf_counter() - started
    assert len(result.traces) == 159
    assert [p.message for p in result.problems] == [NO_KEYS]  # holidays have no attendees
    assert elapsed < 5, f"{elapsed:.2f} s for 124 KB"


# ---------------------------------------------------------------- bad input


def test_truncated_file_keeps_what_came_before_the_cut() -> None:
    path = FIXTURES / "failing_truncated.ics"
    result = read(path)
    assert len(result.traces) == 3
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(path, "BEGIN:VEVENT", nth=3), None)
    ]
    assert "cut off" in result.problems[0].message


def test_a_cut_address_is_no_identifier(tmp_path: Path) -> None:
    data = (FIXTURES / "failing_truncated.ics").read_bytes()
    path = tmp_path / "katkennut.ics"
    path.write_bytes(data[: data.index(b"CN=Pekka Korhonen") + len(b"CN=Pekka Ko")])
    result = read(path)
    assert result.traces["name"].tolist() == ["Matti Meikäläinen", "Liisa Virtanen"]
    assert [p.message for p in result.problems] == ["the file ends inside this VEVENT (cut off?)"]


def test_bad_dtstart_gives_undated_traces_and_names_the_line() -> None:
    path = FIXTURES / "failing_bad_dtstart.ics"
    result = read(path)
    assert day(by_email(result, "matti.meikalainen@example.com")["event_date"]) == date(2024, 1, 5)
    for email in ("liisa.virtanen@example.fi", "pekka.korhonen@example.com"):
        assert pd.isna(by_email(result, email)["event_date"])
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(path, "DTSTART", nth=2), "DTSTART"),
        (line_of(path, "DTSTART", nth=3), "DTSTART"),
        (line_of(path, "DTSTART", nth=4), "DTSTART"),  # a duration, not a date
    ]


def test_missing_dtstart_names_the_event() -> None:
    path = FIXTURES / "failing_missing_dtstart.ics"
    result = read(path)
    liisa = by_email(result, "liisa.virtanen@example.fi")
    assert pd.isna(liisa["event_date"])
    assert pd.isna(liisa["end_date"])
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(path, "BEGIN:VEVENT"), "DTSTART")
    ]


def test_unreadable_rules_leave_the_dates_unknown() -> None:
    path = FIXTURES / "failing_bad_rrule.ics"
    result = read(path)
    assert result.traces["event_date"].isna().all()
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(path, "RRULE"), "RRULE"),
        (line_of(path, "EXDATE"), "EXDATE"),
    ]


def test_bad_line_folding_is_reported_and_the_text_kept() -> None:
    path = FIXTURES / "failing_bad_folding.ics"
    result = read(path)
    helmi = by_email(result, "helmi.saarinen@example.com")
    # "migreeni ja selkäkipuja" is on the line that lost its indent
    assert "health_note" in helmi["found_categories"]
    assert [(p.row, p.field) for p in result.problems] == [
        (line_of(path, "Asiakkaalla"), "DESCRIPTION"),
        (line_of(path, "tämä rivi"), None),
    ]
    assert "aino.mattila@example.com" in emails(result)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"  \r\n\r\n", "file is empty"),
        ("Nimi;Sähköposti\r\nMatti;m@example.com\r\n".encode("cp1252"), "not an iCalendar file"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Matti\r\nEND:VCARD\r\n", "not an iCalendar file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ],
    ids=["empty", "blank", "csv", "vcard", "png"],
)
def test_not_a_calendar_is_unreadable(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "kalenteri.ics"
    path.write_bytes(content)
    result = read_source(spec(path))
    assert result.error is not None
    assert message in result.error.message
    assert result.traces.empty


def test_a_folder_is_unreadable(tmp_path: Path) -> None:
    result = read_source(spec(tmp_path))
    assert result.error is not None
    assert "folder" in result.error.message


def _dense_calendar(target_bytes: int) -> tuple[bytes, int]:
    """A Google-style export packed with single appointments, one customer each."""
    head = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "X-WR-CALNAME:krista.kohonen@example.fi\r\nX-WR-TIMEZONE:Europe/Helsinki\r\n"
    )
    event = (
        "BEGIN:VEVENT\r\nDTSTART:2023{month:02d}{mday:02d}T{hour:02d}0000Z\r\n"
        "DTEND:2023{month:02d}{mday:02d}T{hour:02d}5900Z\r\nDTSTAMP:20240101T000000Z\r\n"
        "ORGANIZER;CN=Krista Kohonen:mailto:krista.kohonen@example.fi\r\n"
        "UID:{i:08d}kohonen@google.com\r\n"
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Asiakas {i};X-\r\n"
        " NUM-GUESTS=0:mailto:asiakas{i}@example.com\r\n"
        "DESCRIPTION:Valmennustapaaminen. Käydään läpi edellisen kerran tehtävät ja\r\n"
        " sovitaan seuraavat askeleet.\\nGoogle Meet: https://meet.google.com/abc-defg-hij\r\n"
        "LOCATION:Kauppalankatu 12\\, 45100 Kouvola\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
        "SUMMARY:Valmennus: Asiakas {i}\r\nTRANSP:OPAQUE\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
        "DESCRIPTION:This is an event reminder\r\nTRIGGER:-P0DT0H30M0S\r\nEND:VALARM\r\n"
        "END:VEVENT\r\n"
    )
    one = len(event.format(i=0, month=1, mday=1, hour=8).encode("utf-8"))
    count = max(1, (target_bytes - len(head)) // one)
    parts = [head]
    parts.extend(
        event.format(i=i, month=i % 12 + 1, mday=i % 28 + 1, hour=7 + i % 10) for i in range(count)
    )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8"), count


def test_fifty_megabyte_calendar_is_refused_at_once(tmp_path: Path) -> None:
    data, _ = _dense_calendar(50 * 2**20)
    assert len(data) > MAX_ICS_BYTES
    path = tmp_path / "valtava.ics"
    path.write_bytes(data)
    started = time.perf_counter()
    result = read_source(spec(path))
    elapsed = time.perf_counter() - started
    assert result.error is not None
    assert "larger than 32 MiB" in result.error.message
    assert elapsed < 2, f"{elapsed:.2f} s to refuse"


def test_dense_calendar_below_the_limit_is_read(tmp_path: Path) -> None:
    data, count = _dense_calendar(2**20)
    path = tmp_path / "tiheä.ics"
    path.write_bytes(data)
    started = time.perf_counter()
    result = read_source(spec(path))
    elapsed = time.perf_counter() - started
    assert result.error is None
    assert result.problems == []
    assert len(result.traces) == count  # the organiser (the owner) is no customer
    assert elapsed < 20, f"{elapsed:.1f} s for 1 MiB ({count} events)"


def test_utf16_export_reads_the_same(tmp_path: Path, outlook: ReadResult) -> None:
    path = tmp_path / "outlook.ics"
    path.write_bytes(OUTLOOK.read_bytes().decode("utf-8").encode("utf-16"))
    result = read(path)
    assert result.problems == []
    assert result.traces["name"].tolist() == outlook.traces["name"].tolist()
    assert result.traces["event_date"].tolist() == outlook.traces["event_date"].tolist()


def test_windows_1252_export_keeps_its_letters(tmp_path: Path) -> None:
    path = tmp_path / "vanha_outlook.ics"
    path.write_bytes(OUTLOOK.read_bytes().decode("utf-8").encode("cp1252"))
    result = read(path)
    assert result.problems == []
    assert "Pirjo Mäkinen" in result.traces["name"].tolist()


def test_concatenated_calendars_are_all_read(tmp_path: Path, outlook: ReadResult) -> None:
    path = tmp_path / "yhdistetty.ics"
    path.write_bytes(APPLE.read_bytes() + OUTLOOK.read_bytes())
    both = read(path)
    assert emails(both) == emails(read(APPLE)) | emails(outlook)
    only = read(path, calendar_name="asiakkaat")
    assert emails(only) == {"kaisa.jarvinen@example.fi"}


# ----------------------------------------------------------- sniff, options


@pytest.mark.samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sniff_recognises_every_sample(samples: Path, path: Path) -> None:
    assert IcsConnector.sniff(path, path.read_bytes()[:65536]) >= 90


def test_sniff(tmp_path: Path) -> None:
    head = OUTLOOK.read_bytes()[:65536]
    assert IcsConnector.sniff(Path("export.txt"), head) >= 90
    assert IcsConnector.sniff(Path("x.ics"), head.decode("utf-8").encode("utf-16")) >= 90
    assert IcsConnector.sniff(Path("asiakkaat.csv"), b"Nimi;Email\r\nMatti;m@x.fi\r\n") == 0
    assert 0 < IcsConnector.sniff(Path("rikki.ics"), b"garbage") < 50
    vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n"
    assert IcsConnector.sniff(Path("kortti.vcf"), vcard) == 0


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"title_pattern": "(unclosed"}, "title_pattern"),
        ({"exclude_title_pattern": "*"}, "exclude_title_pattern"),
        ({"name_pattern": "^Valmennus (.+)$"}, "name_pattern"),
        ({"owner_emails": ["not an address"]}, "owner_emails"),
        ({"calendar": "Kalenteri"}, "calendar"),
    ],
)
def test_invalid_options_name_the_option(options: dict[str, Any], option: str) -> None:
    result = read_source(spec(GOOGLE, **options))
    assert result.error is not None
    assert f"option '{option}" in result.error.message


# ------------------------------------------- quirks of real exports (issue #10)


def test_quirky_recurrences_read_right() -> None:
    """All-day series with a UTC UNTIL, BYDAY with blanks, an empty EXDATE, a date-only
    UNTIL of a timed series and an UNTIL in year 9999: each read to its real last date."""
    result = read(FIXTURES / "passing_quirky_recurrences.ics")
    assert result.problems == []
    expected = {
        # UNTIL is Helsinki midnight of Monday 25.3. written in UTC (24.3. 22:00Z)
        "matti.meikalainen@example.com": date(2024, 3, 25),
        # MO, TU from Tuesday 2.1., five times: 2.1. 8.1. 9.1. 15.1. 16.1.
        "liisa.virtanen@example.fi": date(2024, 1, 16),
        # an empty EXDATE excludes nothing: 5.1. 12.1. 19.1.
        "pekka.korhonen@example.com": date(2024, 1, 19),
        # UNTIL=20240112 of a 09:00 series includes 12.1.
        "sanna.laine@example.com": date(2024, 1, 12),
        # yearly until 31.12.9999: the last occurrence is read as it is
        "timo.heikkinen@example.com": date(9999, 2, 1),
    }
    for email, last in expected.items():
        trace = by_email(result, email)
        assert day(trace["event_date"]) == last, email
        assert day(trace["end_date"]) == last, email


def test_bare_vevent_without_calendar_is_read() -> None:
    result = read(FIXTURES / "passing_bare_vevent.ics")
    assert result.problems == []
    assert day(by_email(result, "aino.mattila@example.com")["event_date"]) == date(2024, 3, 15)


def test_placeholder_year_is_a_named_problem_not_a_date() -> None:
    path = FIXTURES / "failing_placeholder_dates.ics"
    result = read(path)
    helmi = by_email(result, "helmi.saarinen@example.com")
    assert pd.isna(helmi["event_date"])  # never 1.1.0001 (nor 2001): review, not delete
    assert day(by_email(result, "kaisa.jarvinen@example.fi")["event_date"]) == date(2024, 1, 5)
    [problem] = result.problems
    assert (problem.row, problem.field) == (line_of(path, "DTSTART"), "DTSTART")
    assert "before 1900" in problem.message


def test_a_problem_in_an_event_is_tied_to_its_traces_only() -> None:
    """The run-level safety rule maps a problem's row to traces via trace_rows."""
    path = FIXTURES / "failing_bad_rrule.ics"
    result = read(path)
    rows = result.trace_rows
    for problem in result.problems:
        tied = set(rows[rows["row"] == problem.row]["trace_id"])
        assert len(tied) == 1, f"row {problem.row} is tied to {len(tied)} traces"
    liisa = by_email(result, "liisa.virtanen@example.fi")["trace_id"]
    pekka = by_email(result, "pekka.korhonen@example.com")["trace_id"]
    assert set(rows[rows["row"] == line_of(path, "RRULE")]["trace_id"]) == {liisa}
    assert set(rows[rows["row"] == line_of(path, "EXDATE")]["trace_id"]) == {pekka}


def test_cut_off_event_is_tied_to_its_trace() -> None:
    result = read(FIXTURES / "failing_truncated.ics")
    [problem] = result.problems
    rows = result.trace_rows
    assert len(rows[rows["row"] == problem.row]) == 1


# ------------------------------------------------ the library reference (issue #13)

REFERENCE_FILES = [*SAMPLES, *PASSING]


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_reader_gives_the_traces_the_libraries_give(path: Path) -> None:
    """Identity with icalendar + x-wr-timezone + recurring-ical-events, file by file."""
    if path.name in KNOWN_DIFFERENCES:
        pytest.skip("the library reads a quirk of this file wrongly; asserted elsewhere")
    assert reader_records(path, name_pattern=EVERY_TITLE) == reference_records(
        path, name_pattern=EVERY_TITLE
    )
    assert reader_records(path) == reference_records(path)


def test_reader_gives_the_library_traces_on_a_generated_calendar(tmp_path: Path) -> None:
    path = tmp_path / "generated.ics"
    path.write_bytes(generated_calendar(400, 80))
    records = reader_records(path)
    assert len(records) > 300
    assert records == reference_records(path)


@pytest.mark.samples
def test_sample_override_removed_by_exdate_still_counts(samples: Path) -> None:
    result = read(
        sample(samples, "apple_ical15_recurrence_overrides.ics"), name_pattern=EVERY_TITLE
    )
    assert day(result.traces["event_date"].iloc[0]) == date(2004, 2, 24)


# ---------------------------------------------------------------- encodings and silence


def test_mixed_encodings_give_right_names_and_name_the_odd_line() -> None:
    result = read(FIXTURES / "failing_mixed_encodings.ics")
    assert set(result.traces["name"]) == {"Väinö Äijälä", "Sirpa Pöllö", "Eeva Hämäläinen"}
    assert [(p.row, p.severity) for p in result.problems] == [(19, "warning")]
    assert "mixed encodings" in result.problems[0].message
    assert "Eeva" not in str(result.problems[0])


def test_calendar_in_windows_1252_reads_as_it_did(tmp_path: Path) -> None:
    text = _unfolded(GOOGLE)
    path = tmp_path / "cp1252.ics"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    assert _names(read(path)) == _names(read(GOOGLE))


def test_calendar_in_utf16_without_bom_reads_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "utf16.ics"
    path.write_bytes(_unfolded(GOOGLE).encode("utf-16-le"))
    assert _names(read(path)) == _names(read(GOOGLE))
    assert read(path).problems == []


def _unfolded(path: Path) -> str:
    """The text of a UTF-8 calendar (a fold there may split a letter's bytes)."""
    return re.sub(rb"\r?\n[ \t]", b"", path.read_bytes()).decode("utf-8")


def _names(result: ReadResult) -> list[str]:
    return sorted(result.traces["name"].dropna())


def test_keyless_calendar_is_one_warning_and_blocks_nothing() -> None:
    result = read(GOOGLE, attendee_domains=["nowhere.example"], name_pattern=TITLE_NAME)
    assert len(result.traces) > 0
    assert result.traces[["email", "phone"]].isna().all().all()
    assert [(p.row, p.field, p.severity) for p in result.problems] == [
        (None, "ATTENDEE", "warning")
    ]
    assert result.errors == []


_ZONED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VTIMEZONE\r
TZID:{tzid}\r
BEGIN:STANDARD\r
DTSTART:19701025T040000\r
TZOFFSETFROM:+0300\r
TZOFFSETTO:{offset}\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:tz-1\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID={tzid}:20261231T233000\r
DTEND;TZID={tzid}:20261231T235900\r
SUMMARY:Valmennus\r
ATTENDEE;CN=Anna Korhonen:mailto:anna@example.fi\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize(
    ("tzid", "offset", "problem", "expected"),
    [
        # a zone the tz database knows: its own definition is not read (the database wins)
        ("Europe/Helsinki", "+0200", False, date(2026, 12, 31)),
        ("Europe/Helsinki", "broken", False, date(2026, 12, 31)),
        # the file's own zone: read, and used (-10 h puts 23:30 on the next day in Helsinki)
        ("Oma vyöhyke", "-1000", False, date(2027, 1, 1)),
        # the file's own zone, unreadable: named, as before
        ("Oma vyöhyke 2", "broken", True, None),
    ],
)
def test_a_files_own_time_zone_is_read_only_when_the_database_does_not_know_it(
    tmp_path: Path, tzid: str, offset: str, problem: bool, expected: date | None
) -> None:
    path = tmp_path / "vyohyke.ics"
    path.write_text(_ZONED.format(tzid=tzid, offset=offset), encoding="utf-8", newline="")
    result = read(path)
    codes = {p.code for p in result.problems}
    assert ("ics_timezone_unreadable" in codes) is problem
    if expected is not None:
        assert day(by_email(result, "anna@example.fi")["event_date"]) == expected
