"""The demo generator: real export files, deterministic, with a known ground truth.

What an owner (and the later review tests) rely on: the same seed and date
give the same bytes; every workspace is a valid config whose files exist;
every export reads without trouble except the one row broken on purpose; the
people the manifest promises are in the files; and nothing printed names them.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from stdnum.fi import hetu as stdnum_hetu

from connectors.base import BUILTIN, ReadResult, get_connector, read_source
from connectors.textfile import decode
from flows.demo import DemoManifest, build_demo
from flows.demo.calendar import CalEvent
from flows.demo.people import make_hetu, make_ytunnus
from flows.demo.scenario import EXAMPLES

TODAY = date(2026, 11, 1)
SEED = 2026
BUSINESSES = ("kohonen", "kallio", "leoprana", "kehobalanssi", "prover")


def _connectors_ready() -> bool:
    try:
        for name in BUILTIN:
            get_connector(name)
    except (KeyError, ImportError):
        return False
    return True


needs_connectors = pytest.mark.skipif(
    not _connectors_ready(), reason="the connectors are not all written yet"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo(tmp_path_factory.mktemp("demo"), TODAY, SEED)


@pytest.fixture(scope="module")
def results(demo: DemoManifest) -> dict[tuple[str, str], ReadResult]:
    if not _connectors_ready():
        pytest.skip("the connectors are not all written yet")
    from flows.workspace import load_workspace

    out = {}
    for key, business in demo.businesses.items():
        for source in load_workspace(business.workspace).sources:
            out[(key, source.id)] = read_source(source)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _text_of(path: Path) -> str:
    """Every text a person could find in a source file, as the owner's program shows it."""
    if path.is_dir():
        return "\n".join(f"{p.name}\n{p.read_text('utf-8')}" for p in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row]
        book.close()
        return "\n".join(cells)
    text, _ = decode(path.read_bytes(), str(path))
    return text.replace("\r\n ", "").replace("\n ", "")  # unfold ICS / vCard lines


# ------------------------------------------------------------ determinism


def test_same_seed_and_date_give_byte_identical_files(tmp_path: Path) -> None:
    first = build_demo(tmp_path / "a", TODAY, SEED)
    second = build_demo(tmp_path / "b", TODAY, SEED)
    files_a, files_b = _files(first.root), _files(second.root)
    assert files_a.keys() == files_b.keys()
    assert len(files_a) > 30
    for name, data in files_a.items():
        assert data == files_b[name], f"{name} differs between two builds"
    folder = "prover/aineisto/coaching-koonnit"
    for name in (n for n in files_a if n.startswith(folder)):
        a, b = (first.root / name).stat().st_mtime, (second.root / name).stat().st_mtime
        assert a == b
    # Building again over an earlier demo replaces it with the same files.
    build_demo(tmp_path / "a", TODAY, SEED)
    assert _files(tmp_path / "a") == files_b


def test_another_seed_or_date_gives_other_people(demo: DemoManifest, tmp_path: Path) -> None:
    other_seed = build_demo(tmp_path / "b", TODAY, SEED + 1)
    names = {p.name for _, p in demo.all_persons()}
    assert names != {p.name for _, p in other_seed.all_persons()}
    later = build_demo(tmp_path / "c", date(2027, 3, 1), SEED)
    invoices = "kohonen/aineisto/laskut.csv"
    assert _files(demo.root)[invoices] != _files(later.root)[invoices]
    assert {p.name for _, p in later.all_persons()} == names  # same people, other dates


def test_no_wall_clock_time_in_xlsx_ics_or_folder(demo: DemoManifest) -> None:
    """Timestamps come from the run date, not from when the demo was built."""
    stamp = (TODAY.year, TODAY.month, TODAY.day, 6, 0, 0)
    for xlsx in demo.root.rglob("*.xlsx"):
        with zipfile.ZipFile(xlsx) as archive:
            assert {info.date_time for info in archive.infolist()} == {stamp}
            core = archive.read("docProps/core.xml").decode()
        assert f"{TODAY.isoformat()}T06:00:00Z" in core
        assert "modified" in core
    for ics in demo.root.rglob("*.ics"):
        stamps = set(re.findall(r"^DTSTAMP:(\S+)", ics.read_text("utf-8"), re.M))
        assert stamps == {f"{TODAY:%Y%m%d}T060000Z"}
    folder = demo.businesses["prover"].workspace / "aineisto" / "coaching-koonnit"
    for file in folder.iterdir():
        day = date.fromisoformat(file.stem[-10:])
        assert pd.Timestamp(file.stat().st_mtime, unit="s", tz="Europe/Helsinki").date() == day


# --------------------------------------------------------- the workspaces


def test_five_workspaces_with_their_sources_and_registers(demo: DemoManifest) -> None:
    import yaml

    assert tuple(demo.businesses) == BUSINESSES
    for key, business in demo.businesses.items():
        config = yaml.safe_load((business.workspace / "karsinta.yaml").read_text("utf-8"))
        register = "asiakas-ja-markkinointirekisteri" if key == "prover" else "asiakasrekisteri"
        assert config["registers"] == {register: {"policy": "rekisteri.yaml"}}
        assert {s["register"] for s in config["sources"]} == {register}
        for source in business.sources:
            assert source.path.exists(), f"{key}: {source.path.name} missing"
            assert source.path.is_relative_to(business.workspace / "aineisto")
        has_example = (EXAMPLES / f"{key}.yaml").is_file()
        assert business.policy_copied == has_example
        assert (business.workspace / "rekisteri.yaml").is_file() == has_example


def test_kinds_per_business_match_the_brief(demo: DemoManifest) -> None:
    kinds = {key: {s.kind for s in b.sources} for key, b in demo.businesses.items()}
    common = {"invoice", "erasure_request"}
    assert kinds["kohonen"] == common | {"order", "engagement", "contact"}
    assert kinds["kallio"] == common | {"appointment", "client_record", "marketing", "contact"}
    assert kinds["leoprana"] == common | {"appointment", "contact", "marketing"}
    assert kinds["kehobalanssi"] == common | {"order", "contact", "marketing"}
    assert kinds["prover"] == common | {
        "appointment", "contact", "engagement", "summary", "marketing",
    }  # fmt: skip


@needs_connectors
def test_every_workspace_validates(demo: DemoManifest) -> None:
    from flows.workspace import load_workspace

    for business in demo.businesses.values():
        workspace = load_workspace(business.workspace)
        assert len(workspace.sources) == len(business.sources)


def test_each_business_has_20_to_60_customers(demo: DemoManifest) -> None:
    for key, business in demo.businesses.items():
        customers = [p for p in business.persons if p.expect not in ("never",)]
        assert 20 <= len(customers) <= 60, key


# --------------------------------------------------------- the formats


def test_exports_are_in_their_real_dialects(demo: DemoManifest) -> None:
    root = demo.root
    fi = (root / "kohonen/aineisto/laskut.csv").read_bytes()
    assert fi.startswith(
        "Laskunumero;Laskun päivämäärä;Eräpäivä;Asiakasnumero;Asiakkaan nimi;Sähköposti;"
        "Y-tunnus/Hetu;Summa;Tila\r\n".encode("cp1252")
    )
    with pytest.raises(UnicodeDecodeError):
        fi.decode("utf-8")  # Windows-1252, as the accounting software writes it
    assert re.search(rb";\d{2}\.\d{2}\.\d{4};\d{2}\.\d{2}\.\d{4};", fi)
    assert re.search(rb";\d+,\d{2};(Maksettu|Avoin|Perinn\xe4ss\xe4)\r\n", fi)
    assert b"Perinn\xe4ss\xe4" in fi
    assert b"Avoin" in fi

    shop = (root / "kehobalanssi/aineisto/tilaukset.csv").read_bytes()
    assert shop.startswith(b"\xef\xbb\xbfOrder Number,Order Date,")
    assert re.search(rb",\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},", shop)

    zoho = (root / "kehobalanssi/aineisto/laskut-zoho.csv").read_text("utf-8")
    assert zoho.startswith("Invoice Date,Invoice ID,Invoice Number,Invoice Status,Customer Name")
    assert ",Overdue," in zoho

    outlook_fi = (root / "kohonen/aineisto/yhteystiedot.csv").read_bytes().decode("cp1252")
    assert outlook_fi.startswith('"Tervehdys","Etunimi","Toinen nimi","Sukunimi"')
    for header in ("Sähköpostiosoite", "Matkapuhelin", "Luokat"):
        assert f'"{header}"' in outlook_fi.splitlines()[0]
    outlook_en = (root / "prover/aineisto/yhteystiedot.csv").read_bytes().decode("cp1252")
    assert outlook_en.startswith('"Title","First Name","Middle Name","Last Name"')
    assert '"0/0/00"' in outlook_en

    google = (root / "leoprana/aineisto/yhteystiedot.csv").read_text("utf-8")
    assert google.startswith("First Name,Middle Name,Last Name,Phonetic First Name")
    assert "* myContacts ::: Asiakkaat" in google
    assert "* myContacts ::: Perhe" in google

    vcf = (root / "kallio/aineisto/yhteystiedot.vcf").read_bytes().decode("utf-8")
    assert vcf.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS")
    assert "\nFN:Äiti\r\n" in vcf

    booking = (root / "kallio/aineisto/ajanvaraukset.csv").read_bytes().decode("cp1252")
    assert booking.startswith("Varaus-ID;Alkaa;")


def test_calendars_have_helsinki_zone_series_exdate_and_moved_occurrences(
    demo: DemoManifest,
) -> None:
    def read(name: str) -> str:
        return (demo.root / name).read_bytes().decode("utf-8")

    google = read("leoprana/aineisto/kalenteri.ics")
    outlook = read("prover/aineisto/kalenteri.ics")
    apple = read("kohonen/aineisto/valmennukset.ics")
    assert "PRODID:-//Google Inc//Google Calendar" in google
    assert "PRODID:-//Microsoft Corporation//Outlook" in outlook
    for text in (google, apple):
        assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\n" in text
        assert "DTSTART;TZID=Europe/Helsinki:" in text
    assert "TZID:FLE Standard Time" in outlook  # Outlook writes the Windows zone name
    for text in (google, apple, outlook):
        assert "RRULE:FREQ=WEEKLY" in text
        assert "\r\nEXDATE;TZID=" in text
        assert "\r\nRECURRENCE-ID;TZID=" in text
        assert "ORGANIZER;CN=" in text
        assert "ATTENDEE;" in text
    endless = [block for block in google.split("BEGIN:VEVENT") if "Yin-jooga" in block]
    assert endless
    assert all("COUNT=" not in b and "UNTIL=" not in b for b in endless)
    assert "SUMMARY:Hammaslääkäri" in google
    assert "SUMMARY:Äidin synttärit" in google


def test_calendar_event_occurrences_apply_exdate_and_moves() -> None:
    from datetime import datetime

    start = datetime(2026, 3, 3, 18)  # a Tuesday; summer time starts on 29 March
    event = CalEvent("u", "x", start, count=5)
    event.exdates.append(datetime(2026, 3, 10, 18))
    event.moved[datetime(2026, 3, 31, 18)] = datetime(2026, 4, 2, 18, 30)
    assert [o.date() for o in event.occurrences()] == [
        date(2026, 3, 3),
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 4, 2),
    ]
    assert event.occurrences()[2].hour == 18  # wall-clock time kept across DST
    assert CalEvent("v", "y", start, count=None).last_date is None


# --------------------------------------------------------- people


def test_henkilotunnus_generation_is_valid() -> None:
    assert make_hetu(date(1952, 10, 13), 308) == "131052-308T"  # the documented example
    assert make_hetu(date(2000, 1, 1), 2).startswith("010100A002")
    import random

    rng = random.Random(1)
    for _ in range(200):
        from stdnum.fi import ytunnus

        assert ytunnus.is_valid(make_ytunnus(rng))


def test_every_hetu_written_is_valid_and_born_1950_to_2000(demo: DemoManifest) -> None:
    texts = "\n".join(_text_of(s.path) for b in demo.businesses.values() for s in b.sources)
    found = re.findall(r"(?<![\w-])\d{6}[-A+]\d{3}[0-9A-Y](?![\w-])", texts)
    assert len(set(found)) >= 15
    for value in found:
        assert stdnum_hetu.is_valid(value), "an invalid henkilötunnus was generated"
        century = {"-": 1900, "+": 1800, "A": 2000}[value[6]]
        assert 1950 <= century + int(value[4:6]) <= 2000


def test_phones_are_typed_in_several_ways_and_all_valid(demo: DemoManifest) -> None:
    from connectors.trace import normalise_phone

    text = _text_of(demo.root / "kohonen/aineisto/tilaukset.xlsx")
    styles = {
        "spaced": r"\b0\d{2} \d{3} \d{4}\b",
        "intl": r"\+358 \d{2} \d{7}\b",
        "dash": r"\b0\d{2}-\d{7}\b",
        "e164": r"\+358\d{9}\b",
    }
    seen = [name for name, pattern in styles.items() if re.search(pattern, text)]
    assert len(seen) >= 3
    for match in re.findall(r"(?:\+358[ \d]{9,12}|\b0\d{2}[ -]?\d{3} ?\d{4})", text):
        assert normalise_phone(match), "an invalid phone number was generated"


def test_manifest_persons_appear_in_their_files(demo: DemoManifest) -> None:
    for key, business in demo.businesses.items():
        texts = {s.id: _text_of(s.path) for s in business.sources}
        for person in business.persons:
            assert person.sources, f"{key}: {person.key} is in no source"
            for record in person.records:  # known by place: a UID in the file
                assert str(record.locator["uid"]) in texts[record.source], f"{key}:{person.key}"
            for source in person.sources:
                text = texts[source]
                email_found = person.email is not None and person.email in text.lower()
                by_record = any(r.source == source for r in person.records)
                assert person.name in text or email_found or by_record, (
                    f"{key}:{person.key} not in {source}"
                )


def test_manifest_covers_the_situations_the_review_must_handle(demo: DemoManifest) -> None:
    tags = {tag for _, p in demo.all_persons() for tag in p.tags}
    for tag in (
        "expired_orders",
        "recent_order",
        "open_invoice_hold",
        "collection_hold",
        "erasure_overdue",
        "erasure_pending",
        "friend_not_customer",
        "endless_series",
        "name_only_match",
        "health_note",
        "hetu_in_notes",
        "broken_row",
        "moved_occurrence",
        "marketing_opt_out",
    ):
        assert tag in tags, tag
    prover = demo.businesses["prover"]
    (pending,) = prover.tagged("erasure_pending")
    (overdue,) = prover.tagged("erasure_overdue")
    assert (TODAY - pending.dates["request_date"]).days == 1
    assert (TODAY - overdue.dates["request_date"]).days == 5
    (namesake,) = demo.businesses["kohonen"].tagged("name_only_match")
    twin = [p for p in demo.businesses["kohonen"].persons if p.name == namesake.name]
    assert len(twin) == 2
    assert twin[0].email != twin[1].email
    assert twin[0].phone != twin[1].phone
    names = [p.name for _, p in demo.all_persons()]
    assert any(ch in "".join(names) for ch in "äö")
    assert any(
        n.split()[-1]
        in (
            "Lindqvist",
            "Nyström",
            "Åberg",
            "Sjöberg",
            "Grönroos",
            "Holmström",
            "Wikström",
            "Sundqvist",
            "Blomqvist",
            "Öhman",
            "Ekström",
            "Björklund",
        )
        for n in names
    )


# ------------------------------------------------ reading with the connectors


#: The rows broken on purpose: (business, source, column) -> how many.
BROKEN_ROWS = {
    ("leoprana", "uutiskirje", "Liittynyt"): 1,  # 31.6., a day that does not exist
    ("kohonen", "tilaukset", "Tilauspäivä"): 1,  # 15.13.
    ("kallio", "ajanvaraukset", "Alkaa"): 1,  # 31.11.
    ("kehobalanssi", "tilaukset", "Order Date"): 1,  # the shop's 0000-00-00
    ("prover", "toimeksiannot", "Loppupäivä"): 1,  # 31.9.
}


def test_every_source_reads_and_only_the_broken_rows_are_problems(
    demo: DemoManifest, results: dict[tuple[str, str], ReadResult]
) -> None:
    assert len(results) == sum(len(b.sources) for b in demo.businesses.values())
    for (key, source), result in results.items():
        assert not result.unreadable, f"{key}/{source}: {result.error}"
        assert len(result.traces), f"{key}/{source} gave no traces"
    problems = [(k, p) for k, r in results.items() for p in r.problems]
    found: dict[tuple[str, str, str], int] = {}
    for (key, source), problem in problems:
        where = (key, source, str(problem.field))
        found[where] = found.get(where, 0) + 1
    assert found == BROKEN_ROWS, [str(p) for _, p in problems]
    for key, business in demo.businesses.items():  # one garbage date per tagged person
        broken = sum(n for (k, _, f), n in BROKEN_ROWS.items() if k == key and f != "Liittynyt")
        assert len(business.tagged("garbage_date")) == broken, key
    (problem,) = [p for (k, s), p in problems if (k, s) == ("leoprana", "uutiskirje")]
    assert problem.field == "Liittynyt"
    (person,) = demo.businesses["leoprana"].tagged("broken_row")
    lines = (demo.root / "leoprana/aineisto/uutiskirje.csv").read_text("utf-8").splitlines()
    (row,) = [n for n, line in enumerate(lines, start=1) if line.startswith(person.name + ",")]
    assert problem.row == row
    assert ",31.6." in lines[row - 1]


def test_identities_normalise_across_sources(
    demo: DemoManifest, results: dict[tuple[str, str], ReadResult]
) -> None:
    """The same person spelled differently in two sources gets the same keys."""
    for key, business in demo.businesses.items():
        traces = pd.concat([r.traces for (k, _), r in results.items() if k == key])
        emails = set(traces["email"].dropna().str.split(";").explode())
        phones = set(traces["phone"].dropna().str.split(";").explode())
        for person in business.persons:
            if len(person.sources) < 2 or person.expect == "never":
                continue  # friends may be filtered out by a label or category option
            if person.has("calendar_name_only"):
                continue
            assert person.email in emails or person.phone in phones, f"{key}:{person.key}"


def test_calendar_truth_matches_what_the_reader_sees(
    demo: DemoManifest, results: dict[tuple[str, str], ReadResult]
) -> None:
    kohonen = results[("kohonen", "valmennukset")].traces
    for person in demo.businesses["kohonen"].persons:
        mine = kohonen[kohonen["email"] == person.email]
        if person.has("moved_occurrence") or person.has("engagement_expired"):
            (end,) = mine["event_date"].dt.date
            assert end == person.dates["engagement_end"]
        if person.has("endless_series"):
            (row,) = mine.itertuples()
            assert row.status == "active"
            assert pd.isna(row.end_date)
        if person.has("friend_not_customer"):
            assert mine.empty  # a lunch with a friend is not coaching
    leoprana = results[("leoprana", "kalenteri")].traces
    for person in demo.businesses["leoprana"].persons:
        mine = leoprana[leoprana["email"] == person.email]
        if person.has("class_ended") and not person.has("endless_series"):
            assert set(mine["event_date"].dt.date) == {person.dates["last_class"]}
        if person.has("friend_not_customer"):
            assert mine.empty  # the private birthday party is excluded by its title
    prover = results[("prover", "kalenteri")].traces
    for person in demo.businesses["prover"].persons:
        if person.has("partner_not_customer"):
            assert prover[prover["email"] == person.email].empty


def test_found_categories_show_what_the_notices_must_declare(
    results: dict[tuple[str, str], ReadResult],
) -> None:
    def categories(key: str, source: str) -> set[str]:
        found = results[(key, source)].traces["found_categories"]
        return {c for text in found for c in text.split(",") if c}

    assert "health_note" in categories("leoprana", "yhteystiedot")
    assert {"hetu", "health_note", "next_of_kin"} <= categories("kallio", "asiakaskortit")
    assert "hetu" in categories("kehobalanssi", "tilaukset")
    assert "birth_date" in categories("kehobalanssi", "tilaukset")
    statuses = set(results[("kallio", "markkinointiluvat")].traces["status"].dropna())
    assert statuses == {"active", "opted_out"}
    invoices = set(results[("kohonen", "laskut")].traces["status"].dropna())
    assert {"paid", "open", "collection"} <= invoices


# ------------------------------------------------------------ run_demo / CLI


def _customer_values(manifest: DemoManifest) -> list[str]:
    values = []
    for _, person in manifest.all_persons():
        values.append(person.name)
        if person.email:
            values.append(person.email)
        if person.phone:
            values.append(person.phone)
    return values


@pytest.mark.slow
@needs_connectors
def test_karsinta_demo_command_returns_0_and_prints_no_customer_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    assert main(["demo", str(tmp_path / "demo"), "--today", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "Tmi Krista Kohonen" in out
    assert "Prover Oy" in out
    assert "uutiskirje.csv, rivi " in out  # the problem line in the owner's language
    assert "kenttä 'Liittynyt'" in out  # the broken row is reported
    manifest = build_demo(tmp_path / "again", TODAY, SEED)
    for value in _customer_values(manifest):
        assert value not in out, "the demo output names a customer"
    assert re.search(r"\b\d{6}[-A+]\d{3}[0-9A-Y]\b", out) is None


@pytest.mark.slow
@needs_connectors
def test_an_unreadable_source_is_reported_and_gives_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    manifest = build_demo(tmp_path, TODAY, SEED)
    kallio = manifest.businesses["kallio"]
    (kallio.workspace / "aineisto" / "yhteystiedot.vcf").write_bytes(b"\x00\x01 not a vcard")
    code = main(["review", "--workspace", str(kallio.workspace), "--today", "2026-11-01"])
    assert code == 3  # a source could not be read (1 is for row problems only)
    out = capsys.readouterr().out
    assert "yhteystiedot.vcf" in out
    assert "1 ei luettavissa" in out
    # The other sources went on: the proposal exists and lists deletions.
    assert (kallio.workspace / "raportit" / "poistoehdotus-2026-11.xlsx").exists()


def test_run_demo_defaults_to_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.demo as demo_module
    import flows.inventory
    import flows.review

    seen: list[tuple[str, str | None]] = []

    def fake_review(workspace: str, today: str | None, lang: str | None) -> dict[str, object]:
        seen.append((workspace, today))
        return {"unreadable_sources": 0}

    monkeypatch.setattr(flows.review, "monthly_review", fake_review)
    monkeypatch.setattr(
        flows.inventory, "processing_inventory", lambda workspace, today, lang: {"html": "x"}
    )
    assert demo_module.run_demo(tmp_path, quiet=True) == 0
    assert {today for _, today in seen} == {date.today().isoformat()}
    assert len(seen) == 6  # the five businesses and the live Outlook account
    config = (tmp_path / "kohonen" / "karsinta.yaml").read_text("utf-8")
    assert date.today().isoformat() in config


def test_workspace_holds_only_config_policy_and_exports(demo: DemoManifest) -> None:
    """The ground truth stays in memory: nothing in the workspace gives the answers away."""
    for business in demo.businesses.values():
        entries = {p.name for p in business.workspace.iterdir()}
        assert entries <= {"karsinta.yaml", "rekisteri.yaml", "aineisto"}
        config = (business.workspace / "karsinta.yaml").read_text("utf-8")
        assert "expect" not in config
        assert "friend" not in config
