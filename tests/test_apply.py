"""Apply without Prefect: the core on small hand-made workspaces and on the demo.

The proposal XLSX is the one the review writes (same sheet, hidden columns
and ``_karsinta`` sheet); for hand-made workspaces it is built here from a
real read of the sources, so trace ids and fingerprints are the real ones.
What is checked is what the owner relies on: only approved rows change,
changed records are left alone, the file keeps its other sheets, styles and
formulas, a deleted value is nowhere in the new file, a killed run finishes
on the next run without doing anything twice, and no customer value reaches
the ledger or the receipt.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.styles import Font, PatternFill

from connectors.base import ReadResult, SourceSpec, WriteRequest, WriteResult, read_source
from connectors.errors import ApplyRefused
from connectors.keyed import Hasher
from flows.apply import (
    ABORT_ENV,
    apply_proposal,
    decision_of,
    write_plain,
)
from flows.cli import main
from flows.keyed import workspace_hasher
from flows.ledger import ledger_path, open_ledger, workspace_secret
from flows.workspace import Workspace, load_workspace
from reports.proposal import CHECK_COLUMNS, FORMAT_VERSION, ID_HEADERS, META_SHEET, row_check

TODAY = date(2026, 11, 1)
ROOT = Path(__file__).resolve().parent.parent

PEOPLE = [
    ("Aino Arvelo", "aino.arvelo@example.fi", "0401234561"),
    ("Bertta Bergman", "bertta.bergman@example.fi", "0401234562"),
    ("Cecilia Cederholm", "cecilia.c@example.fi", "0401234563"),
    ("Dora Dahlström", "dora.dahl@example.fi", "0401234564"),
    ("Eino Erkkilä", "eino.erkkila@example.fi", "0401234565"),
    ("Frans Forsman", "frans.forsman@example.fi", "0401234566"),
]


# ------------------------------------------------------------------ builders


def write_orders(path: Path) -> None:
    """An order workbook with a styled header, a per-row formula, a totals sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tilaukset"
    sheet.append(
        ["Tilausnro", "Tilauspäivä", "Nimi", "Sähköposti", "Puhelin", "Osoite", "Määrä", "Hinta"]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFFF00")
    for number, (name, email, phone) in enumerate(PEOPLE, start=1):
        row = number + 1
        sheet.append(
            [1000 + number, date(2024, 1, number), name, email, phone, f"Katu {number}", number, 10]
        )
        sheet.cell(row=row, column=9).value = f"=G{row}*H{row}"
    sheet.cell(row=1, column=9).value = "Summa"
    sums = book.create_sheet("Summat")
    sums["A1"] = "Yhteensä"
    sums["B1"] = "=SUM(Tilaukset!I2:I7)"
    sums["A2"] = "Ensimmäinen"
    sums["B2"] = "=Tilaukset!I2"
    sums["A1"].font = Font(italic=True)
    book.save(path)


def write_customers_csv(path: Path) -> None:
    """A Windows-1252, semicolon, CRLF customer list with some quoted fields."""
    lines = ['"Asiakasnro";Nimi;Sähköposti;Puhelin;Liittynyt;Lisätiedot']
    for number, (name, email, phone) in enumerate(PEOPLE, start=1):
        lines.append(f'{number};"{name}";{email};{phone};1.{number}.2023;"muistio; {number}"')
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def make_workspace(root: Path) -> Workspace:
    """Orders (XLSX), customers (CSV), summaries (folder) of record; an export that is not."""
    data = root / "aineisto"
    data.mkdir(parents=True)
    write_orders(data / "tilaukset.xlsx")
    write_customers_csv(data / "asiakkaat.csv")
    write_customers_csv(data / "vienti.csv")
    folder = data / "koonnit"
    folder.mkdir()
    for name, email, _ in PEOPLE[:3]:
        text = f"Koonti: {name}\nLähetetty asiakkaalle: {email}\n"
        (folder / f"{name} 2024-03-01.txt").write_text(text, "utf-8")
    mapping = {"name": "Nimi", "email": "Sähköposti", "phone": "Puhelin"}
    config = {
        "business": "Testiyritys",
        "registers": {"asiakasrekisteri": {"policy": "rekisteri.yaml"}},
        "sources": [
            {
                "id": "tilaukset",
                "connector": "spreadsheet",
                "path": "aineisto/tilaukset.xlsx",
                "register": "asiakasrekisteri",
                "kind": "order",
                "system_of_record": True,
                "options": {
                    "sheet": "Tilaukset",
                    "columns": {**mapping, "record_id": "Tilausnro", "event_date": "Tilauspäivä"},
                    "categories": {"address": ["Osoite"]},
                },
            },
            {
                "id": "asiakkaat",
                "connector": "spreadsheet",
                "path": "aineisto/asiakkaat.csv",
                "register": "asiakasrekisteri",
                "kind": "customer",
                "system_of_record": True,
                "options": {"columns": {**mapping, "customer_no": "Asiakasnro"}},
            },
            {
                "id": "koonnit",
                "connector": "folder",
                "path": "aineisto/koonnit",
                "register": "asiakasrekisteri",
                "kind": "summary",
                "system_of_record": True,
                "options": {"content_pattern": r"Lähetetty asiakkaalle:\s*(?P<email>\S+)"},
            },
            {
                "id": "vienti",
                "connector": "spreadsheet",
                "path": "aineisto/vienti.csv",
                "register": "asiakasrekisteri",
                "kind": "contact",
                "options": {"columns": mapping},
            },
        ],
    }
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    (root / "rekisteri.yaml").write_text(yaml.safe_dump(POLICY, allow_unicode=True), "utf-8")
    return load_workspace(root)


#: The test register's policy: on TODAY every record of the hand-made workspace is due.
POLICY: dict[str, Any] = {
    "name": "Testirekisteri",
    "controller": {"name": "Testiyritys"},
    "purposes": [{"kuvaus": "asiakassuhde", "legal_basis": "contract"}],
    "customer_kinds": ["order"],
    "retention": {
        "order": {"keep": "2 kk", "after": {"last": "order"}, "kuvaus": "2 kk viimeisestä"},
        "customer": {"keep": "while_customer", "kuvaus": "asiakkuuden ajan"},
        "contact": {"keep": "while_customer", "kuvaus": "asiakkuuden ajan"},
        "summary": {"keep": "2 vuotta", "after": "event_date", "kuvaus": "2 v koonnista"},
    },
    "erasure": {"deadline": "2 vrk", "kuvaus": "2 vrk"},
}


def traces_of(ws: Workspace, source_id: str) -> list[dict[str, Any]]:
    spec = next(s for s in ws.sources if s.id == source_id)
    result = read_source(spec, workspace_hasher(ws))
    assert result.clean, [str(p) for p in result.problems] + [str(result.error)]
    return result.traces.to_dict(orient="records")


def write_proposal_xlsx(
    ws: Workspace,
    rows: list[tuple[str | None, dict[str, Any], str]],
    *,
    month: str = "2026-11",
    key: str | None = None,
    name: str | None = None,
) -> Path:
    """A proposal XLSX laid out as the review writes it: (decision word, trace, action) per
    row, each with its keyed check value over the ids and the visible cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ehdotus"
    sheet.append(
        ["Päätös", "Henkilö", "Lähde", "Sijainti", "Tietolaji", "Toimenpide", "Sääntö",
         "Peruste", "Poistopäivä", "Myöhässä (pv)", "Kommentti", *ID_HEADERS]
    )  # fmt: skip
    secret = workspace_secret(ws.state_dir)
    for word, trace, action in rows:
        visible = [word, trace["name"], trace["source"], trace["label"], trace["kind"],
                   action, "2 kk viimeisestä tilauksesta", None, None, None, None]  # fmt: skip
        rule = f"retention.{trace['kind']}"
        check = row_check(
            secret,
            trace["trace_id"],
            trace["fingerprint"],
            action,
            rule,
            [visible[c - 1] for c in CHECK_COLUMNS],
        )
        sheet.append([*visible, trace["trace_id"], trace["fingerprint"], action, rule, check])
    meta = book.create_sheet(META_SHEET)
    for item in [
        ("format", FORMAT_VERSION),
        ("proposal_id", f"test-{month}-0001"),
        ("workspace_key", key or ws.key()),
        ("month", month),
        ("run_date", f"{month}-01"),
        ("lang", "fi"),
        ("decision_column", "1"),
        ("comment_column", "11"),
        ("check_columns", ",".join(map(str, CHECK_COLUMNS))),
    ]:
        meta.append(list(item))
    out = ws.output_dir / (name or f"poistoehdotus-{month}.xlsx")
    out.parent.mkdir(exist_ok=True)
    book.save(out)
    return out


def set_action(ws: Workspace, kind: str, action: str) -> None:
    """Make the engine's action for ``kind`` ``action`` (e.g. anonymise orders)."""
    policy = yaml.safe_load((ws.root / "rekisteri.yaml").read_text("utf-8"))
    policy["retention"][kind]["action"] = action
    (ws.root / "rekisteri.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), "utf-8")


def zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def ledger_rows(ws: Workspace) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(ledger_path(ws.state_dir))
    try:
        return db.execute(
            "SELECT trace_id, outcome, reason, decision, action FROM actions ORDER BY seq"
        ).fetchall()
    finally:
        db.close()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "yritys")


def by_name(traces: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(t["name"]): t for t in traces}


# --------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hyväksy", "approve"),
        (" Hyväksy ", "approve"),
        ("APPROVE", "approve"),
        ("hylkää", "reject"),
        ("Reject", "reject"),
        ("siirrä", "postpone"),
        ("postpone", "postpone"),
        (None, "none"),
        ("  ", "none"),
        ("kyllä", "unknown"),
    ],
)
def test_decision_words(word: str | None, expected: str) -> None:
    assert decision_of(word) == expected


def test_only_approved_unchanged_rows_are_deleted(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Aino Arvelo"], "delete"),
            ("hylkää", orders["Bertta Bergman"], "delete"),
            ("Siirrä", orders["Cecilia Cederholm"], "delete"),
            (None, orders["Dora Dahlström"], "delete"),
            ("APPROVE", orders["Eino Erkkilä"], "delete"),
        ],
    )
    # The owner edits Eino's row after the proposal: it must be skipped, not guessed.
    path = ws.root / "aineisto" / "tilaukset.xlsx"
    book = openpyxl.load_workbook(path)
    book["Tilaukset"]["F6"] = "Uusi katu 9"
    book.save(path)

    report = apply_proposal(ws, proposal, TODAY)

    outcome = {line.row.number: (line.outcome, line.reason) for line in report.lines}
    assert outcome == {
        2: ("done", None),
        3: ("not_approved", "rejected"),
        4: ("not_approved", "postponed"),
        5: ("not_approved", "not_marked"),
        6: ("skipped", "changed"),
    }
    names = [t["name"] for t in traces_of(ws, "tilaukset")]
    assert "Aino Arvelo" not in names
    assert {"Bertta Bergman", "Cecilia Cederholm", "Dora Dahlström", "Eino Erkkilä"} <= set(names)
    assert report.exit_code == 0  # a changed record is skipped and listed: not a failure


def test_an_unchanged_row_that_is_no_longer_due_is_skipped(ws: Workspace) -> None:
    """Aino's old order is unchanged, but she ordered again after the proposal:
    "two months after the last order" now keeps all her orders."""
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    path = ws.root / "aineisto" / "tilaukset.xlsx"
    book = openpyxl.load_workbook(path)
    name, email, phone = PEOPLE[0]
    book["Tilaukset"].append([2001, date(2026, 10, 20), name, email, phone, "Katu 1", 1, 10])
    book.save(path)

    report = apply_proposal(ws, proposal, TODAY)

    assert [(line.outcome, line.reason) for line in report.lines] == [("skipped", "no_longer_due")]
    names = [t["name"] for t in traces_of(ws, "tilaukset")]
    assert names.count("Aino Arvelo") == 2  # both orders are still there


def test_xlsx_rewrite_keeps_sheets_styles_formulas_and_no_trace_of_deleted(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    gone = [PEOPLE[1], PEOPLE[2]]
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders[p[0]], "delete") for p in gone])
    path = ws.root / "aineisto" / "tilaukset.xlsx"
    mode_before = stat.S_IMODE(path.stat().st_mode)

    report = apply_proposal(ws, proposal, TODAY)
    assert report.counts["done"] == 2

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tilaukset", "Summat"]
    sheet = book["Tilaukset"]
    assert sheet["A1"].font.bold
    assert sheet["A1"].fill.fgColor.rgb.endswith("FFFF00")
    assert [sheet.cell(r, 3).value for r in range(2, 6)] == [
        PEOPLE[0][0],
        PEOPLE[3][0],
        PEOPLE[4][0],
        PEOPLE[5][0],
    ]
    # per-row formulas follow their rows; the totals shrink with the table
    assert [sheet.cell(r, 9).value for r in range(2, 6)] == [f"=G{r}*H{r}" for r in range(2, 6)]
    assert book["Summat"]["B1"].value == "=SUM(Tilaukset!I2:I5)"
    assert book["Summat"]["B2"].value == "=Tilaukset!I2"
    assert book["Summat"]["A1"].font.italic
    # no part of the new file (shared strings included) holds a deleted value
    text = zip_text(path)
    for name, email, phone in gone:
        assert name not in text
        assert email not in text
        assert phone not in text
    assert PEOPLE[0][1] in text
    assert stat.S_IMODE(path.stat().st_mode) == mode_before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_anonymise_blanks_personal_columns_and_keeps_dates_and_amounts(ws: Workspace) -> None:
    set_action(ws, "order", "anonymise")
    set_action(ws, "customer", "anonymise")
    orders = by_name(traces_of(ws, "tilaukset"))
    customers = by_name(traces_of(ws, "asiakkaat"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Dora Dahlström"], "anonymise"),
            ("hyväksy", customers["Dora Dahlström"], "anonymise"),
        ],
    )
    csv_before = (ws.root / "aineisto" / "asiakkaat.csv").read_bytes()

    report = apply_proposal(ws, proposal, TODAY)
    assert report.counts["done"] == 2

    sheet = openpyxl.load_workbook(ws.root / "aineisto" / "tilaukset.xlsx")["Tilaukset"]
    row = [c.value for c in sheet[5]]
    assert row[0] == 1004
    assert row[1].date() == date(2024, 1, 4)
    assert row[2:6] == [None, None, None, None]  # name, e-mail, phone, address blanked
    assert row[6:9] == [4, 10, "=G5*H5"]  # amounts and the formula kept
    assert "Dora" not in zip_text(ws.root / "aineisto" / "tilaukset.xlsx")

    after = (ws.root / "aineisto" / "asiakkaat.csv").read_bytes()
    before_lines, after_lines = csv_before.split(b"\r\n"), after.split(b"\r\n")
    assert len(before_lines) == len(after_lines)
    changed = [i for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b]
    assert changed == [4]
    # customer number, name, e-mail, phone, notes blanked; quoting and the date kept
    assert after_lines[4] == b';"";;;1.4.2023;""'
    assert "Sähköposti".encode("cp1252") in after  # still Windows-1252


def test_csv_delete_keeps_every_other_record_byte_for_byte(ws: Workspace) -> None:
    customers = by_name(traces_of(ws, "asiakkaat"))
    path = ws.root / "aineisto" / "asiakkaat.csv"
    before = path.read_bytes().split(b"\r\n")
    proposal = write_proposal_xlsx(ws, [("hyväksy", customers["Bertta Bergman"], "delete")])
    assert apply_proposal(ws, proposal, TODAY).counts["done"] == 1
    after = path.read_bytes().split(b"\r\n")
    assert after == before[:2] + before[3:]


def test_folder_documents_are_removed_and_exports_go_to_the_checklist(ws: Workspace) -> None:
    summaries = by_name(traces_of(ws, "koonnit"))
    export = by_name(traces_of(ws, "vienti"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", summaries["Aino Arvelo"], "delete"),
            ("hyväksy", export["Aino Arvelo"], "delete"),
        ],
    )
    report = apply_proposal(ws, proposal, TODAY)
    folder = ws.root / "aineisto" / "koonnit"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Bertta Bergman 2024-03-01.txt",
        "Cecilia Cederholm 2024-03-01.txt",
    ]
    assert [line.outcome for line in report.lines] == ["done", "manual"]
    assert "Aino Arvelo" in (ws.root / "aineisto" / "vienti.csv").read_bytes().decode("cp1252")
    assert report.receipt is not None
    html = report.receipt.html.read_text("utf-8")
    assert "Poista rivi taulukosta" in html
    assert "vienti.csv" in html
    assert "Aino" not in html
    assert "koonnit" in html


def _approve_aino_then_break_an_email(ws: Workspace, email: str) -> tuple[Path, Path]:
    """Aino's customer row approved, then ``email`` in the customer CSV made invalid."""
    customers = by_name(traces_of(ws, "asiakkaat"))
    path = ws.root / "aineisto" / "asiakkaat.csv"
    proposal = write_proposal_xlsx(ws, [("hyväksy", customers["Aino Arvelo"], "delete")])
    text = path.read_bytes().decode("cp1252").replace(email, "ei-osoite")
    path.write_bytes(text.encode("cp1252"))
    return proposal, path


def test_a_faulty_row_blocks_only_its_person_not_the_whole_source(ws: Workspace) -> None:
    # Eino's row gets a bad e-mail: the re-read has a problem on his row only
    proposal, path = _approve_aino_then_break_an_email(ws, "eino.erkkila@example.fi")
    report = apply_proposal(ws, proposal, TODAY)
    assert [line.outcome for line in report.lines] == ["done"]
    after = path.read_bytes().decode("cp1252")
    assert "Aino Arvelo" not in after
    assert "Eino Erkkilä" in after
    assert "ei-osoite" in after


def test_a_problem_on_the_approved_persons_own_row_skips_it(ws: Workspace) -> None:
    # Aino's own row gets a bad e-mail: her phone still ties the problem to her
    proposal, path = _approve_aino_then_break_an_email(ws, "aino.arvelo@example.fi")
    before = path.read_bytes()
    report = apply_proposal(ws, proposal, TODAY)
    assert [line.outcome for line in report.lines] == ["skipped"]
    assert path.read_bytes() == before


def test_running_twice_does_nothing_the_second_time(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    export = by_name(traces_of(ws, "vienti"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Aino Arvelo"], "delete"),
            ("hylkää", orders["Bertta Bergman"], "delete"),
            ("hyväksy", export["Cecilia Cederholm"], "delete"),
        ],
    )
    first = apply_proposal(ws, proposal, TODAY)
    rows = ledger_rows(ws)
    data = (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes()
    calls: list[str] = []

    def writer(source: SourceSpec, requests: list[WriteRequest], ids: Hasher) -> list[WriteResult]:
        calls.append(source.id)
        return write_plain(source, requests, ids)

    second = apply_proposal(ws, proposal, TODAY, writer=writer)
    assert calls == []
    assert ledger_rows(ws) == rows
    assert (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes() == data
    assert [line.outcome for line in first.lines] == [line.outcome for line in second.lines]
    assert [line.reason for line in second.lines] == ["already_done", "rejected", "already_manual"]


class Crash(BaseException):
    """Stands for the process dying: not caught by apply."""


def _all_rows(ws: Workspace) -> list[tuple[str | None, dict[str, Any], str]]:
    set_action(ws, "order", "anonymise")
    orders = by_name(traces_of(ws, "tilaukset"))
    customers = by_name(traces_of(ws, "asiakkaat"))
    summaries = by_name(traces_of(ws, "koonnit"))
    return [
        ("hyväksy", orders["Aino Arvelo"], "anonymise"),
        ("hyväksy", orders["Frans Forsman"], "anonymise"),
        ("hyväksy", customers["Bertta Bergman"], "delete"),
        ("hyväksy", customers["Frans Forsman"], "delete"),
        ("hyväksy", summaries["Cecilia Cederholm"], "delete"),
    ]


def _check_consistent(ws: Workspace, trace_ids: list[str]) -> None:
    """Every approved trace ends done exactly once; every pending intent got its outcome."""
    rows = ledger_rows(ws)
    for trace_id in trace_ids:
        states = [r[1] for r in rows if r[0] == trace_id]
        assert states.count("done") == 1, states
        assert states[-1] == "done"
    pending = sum(r[1] == "pending" for r in rows)
    assert pending == len(trace_ids)


@pytest.mark.parametrize("crash_after", [1, 2, 3])
def test_a_crash_after_n_batches_is_finished_by_the_next_run(
    ws: Workspace, crash_after: int
) -> None:
    rows = _all_rows(ws)
    proposal = write_proposal_xlsx(ws, rows)
    done: list[str] = []
    batches = 0

    def crashing(
        source: SourceSpec, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        nonlocal batches
        result = write_plain(source, requests, ids)
        done.extend(r.trace_id for r in requests)
        batches += 1
        if batches >= crash_after:
            raise Crash  # the change is made, 'done' is not yet recorded
        return result

    with pytest.raises(Crash):
        apply_proposal(ws, proposal, TODAY, writer=crashing)
    written_before = list(done)
    again: list[str] = []

    def counting(
        source: SourceSpec, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        again.extend(r.trace_id for r in requests)
        return write_plain(source, requests, ids)

    report = apply_proposal(ws, proposal, TODAY, writer=counting)
    assert not set(again) & set(written_before)  # nothing done twice
    assert report.counts["done"] == len(rows)
    assert report.exit_code == 0
    _check_consistent(ws, [r[1]["trace_id"] for r in rows])
    assert apply_proposal(ws, proposal, TODAY).counts["done"] == len(rows)
    names = {t["name"] for t in traces_of(ws, "tilaukset")}
    assert "Aino Arvelo" not in names
    assert "Frans Forsman" not in names


def test_a_killed_apply_process_is_finished_by_the_next_run(ws: Workspace) -> None:
    rows = _all_rows(ws)
    proposal = write_proposal_xlsx(ws, rows)
    code = (
        "import sys; from datetime import date; from pathlib import Path;"
        "from flows.apply import apply_proposal; from flows.workspace import load_workspace;"
        "apply_proposal(load_workspace(Path(sys.argv[1])), Path(sys.argv[2]), date(2026, 11, 1))"
    )
    env = {**os.environ, ABORT_ENV: "2", "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", code, str(ws.root), str(proposal)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == 86, killed.stderr.decode()[-2000:]
    states = [r[1] for r in ledger_rows(ws)]
    assert "pending" in states
    assert states.count("done") < len(rows)

    report = apply_proposal(ws, proposal, TODAY)
    assert report.counts["done"] == len(rows)
    assert any(line.reason == "completed" for line in report.lines)
    _check_consistent(ws, [r[1]["trace_id"] for r in rows])


@contextmanager
def lock_held_elsewhere(ws: Workspace) -> Iterator[None]:
    """Another process holds the workspace's apply lock until the block ends."""
    code = (
        "import sys; from pathlib import Path; from flows.workspace import load_workspace, "
        "workspace_lock\nwith workspace_lock(load_workspace(Path(sys.argv[1]))):\n"
        "    print('locked', flush=True); sys.stdin.read()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(ws.root)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_second_apply_at_the_same_time_is_refused(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    before = (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes()
    with lock_held_elsewhere(ws), pytest.raises(ApplyRefused, match="Toinen apply on jo käynnissä"):
        apply_proposal(ws, proposal, TODAY)
    assert (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes() == before
    assert apply_proposal(ws, proposal, TODAY).counts["done"] == 1  # after the first one ends


def test_dry_run_changes_nothing(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    before = (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes()
    report = apply_proposal(ws, proposal, TODAY, dry_run=True)
    assert [line.outcome for line in report.lines] == ["would"]
    assert (ws.root / "aineisto" / "tilaukset.xlsx").read_bytes() == before
    assert not ledger_path(ws.state_dir).exists()


# ---------------------------------------------------------------- refusals


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".karsinta" not in p.parts
    }


@pytest.mark.parametrize("case", ["other_workspace", "earlier_month", "not_a_proposal", "missing"])
def test_refusals_exit_2_and_change_nothing(
    ws: Workspace, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    rows: list[tuple[str | None, dict[str, Any], str]] = [
        ("hyväksy", orders["Aino Arvelo"], "delete")
    ]
    if case == "other_workspace":
        proposal = write_proposal_xlsx(ws, rows, key="0" * 32)
    elif case == "earlier_month":
        proposal = write_proposal_xlsx(ws, rows, month="2026-10")
    elif case == "not_a_proposal":
        proposal = ws.root / "aineisto" / "tilaukset.xlsx"
    else:
        proposal = ws.output_dir / "ei-ole.xlsx"
    before = _snapshot(ws.root)
    code = main(["apply", str(proposal), "--workspace", str(ws.root), "--today", "2026-11-15"])
    assert code == 2
    message = capsys.readouterr().err
    expected = {
        "other_workspace": "tehty toiselle työtilalle",  # the workspace's language (fi)
        "earlier_month": "tätä kuukautta aiemmalta",
        "not_a_proposal": "ei ole Karsinnan poistoehdotus",
        "missing": "Ehdotustiedostoa ei löydy",
    }[case]
    assert expected in message
    assert _snapshot(ws.root) == before
    assert not ledger_path(ws.state_dir).exists()


# ---------------------------------------------------- the demo, no Prefect


def review_now(workspace: Workspace, today: date) -> Any:
    """The review's stages without Prefect (the flow itself is tested in test_apply_flow):
    read, decide, and publish the proposal through the decision store."""
    from flows.ledger import reappeared
    from flows.review import combined_traces, decide, load_policies, publish
    from reports.view import ReviewRun

    policies = load_policies(workspace)
    ids = workspace_hasher(workspace)
    results: list[ReadResult] = [read_source(s, ids) for s in workspace.sources]
    traces = combined_traces(results)
    evaluation = decide(workspace, policies, results, today)
    run = ReviewRun(
        business=workspace.config.business,
        registers={k: p.name for k, p in policies.items()},
        today=today,
        lang="fi",
        traces=traces,
        decisions=evaluation.decisions,
        findings=[*reappeared(workspace.state_dir, traces), *evaluation.findings],
        sources=[],
        workspace_key=workspace.key(),
    )
    return publish(workspace, run, results)


def _demo_proposal(workspace: Workspace, today: date) -> Path:
    files = review_now(workspace, today).files
    assert files is not None
    return Path(files.xlsx)


def approve_all(proposal: Path) -> int:
    book = openpyxl.load_workbook(proposal)
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=1).value = "hyväksy"
    book.save(proposal)
    return sheet.max_row - 1


def person_values(persons: list[Any]) -> list[str]:
    """Every name, e-mail and phone (as written and in E.164) of the demo's people."""
    from connectors import trace as tr

    values: list[str] = []
    for person in persons:
        values.append(person.name)
        if person.email:
            values.append(person.email)
        if person.phone:
            values.append(person.phone)
            e164 = tr.normalise_phone(person.phone)
            if e164:
                values.append(e164)
    return [v for v in values if v]


def test_ledger_and_receipt_hold_no_customer_value(tmp_path: Path) -> None:
    from flows.demo import build_demo

    manifest = build_demo(tmp_path / "demo", TODAY, 2026)
    for key in ("kohonen", "prover"):
        business = manifest.businesses[key]
        workspace = load_workspace(business.workspace)
        proposal = _demo_proposal(workspace, TODAY)
        assert approve_all(proposal) > 0
        report = apply_proposal(workspace, proposal, TODAY)
        assert report.counts["done"] > 0
        assert report.receipt is not None
        db = sqlite3.connect(ledger_path(workspace.state_dir))
        dump = "\n".join(db.iterdump())
        db.close()
        receipt = report.receipt.html.read_text("utf-8") + zip_text(report.receipt.xlsx)
        for value in person_values(business.persons):
            assert value not in dump, (key, "ledger")
            assert value.lower() not in dump.lower(), (key, "ledger")
            assert value not in receipt, (key, "receipt")
        for path in (
            ledger_path(workspace.state_dir),
            workspace.state_dir / "ledger.key",
            report.receipt.html,
            report.receipt.xlsx,
        ):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_ledger_is_append_only(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    apply_proposal(ws, proposal, TODAY)
    with open_ledger(ws.state_dir) as ledger:
        for statement in (
            "UPDATE actions SET outcome = 'failed'",
            "DELETE FROM actions",
            "DELETE FROM erased_ids",
            "UPDATE erased_ids SET source = 'x'",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                ledger.db.execute(statement)
        assert ledger.count("erased_ids") == 2  # the e-mail and the phone
    assert [r[1] for r in ledger_rows(ws)] == ["pending", "done"]


# ----------------------------------------------- apply that tells the truth


def _print(report: Any, ws: Workspace, capsys: pytest.CaptureFixture[str]) -> str:
    """What `karsinta apply` prints for this report (the flow returns the same dict)."""
    from flows.apply import console_lines
    from flows.console import print_apply

    capsys.readouterr()
    result = {
        **report.counts,
        "exit_code": report.exit_code,
        "dry_run": report.dry_run,
        "already": list(report.already) if report.already else None,
        "lines": console_lines(report),
    }
    print_apply(result, ws.output_dir)
    return capsys.readouterr().out


def test_a_checklist_item_is_normal_exit_0(ws: Workspace) -> None:
    export = by_name(traces_of(ws, "vienti"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", export["Aino Arvelo"], "delete")])
    report = apply_proposal(ws, proposal, TODAY)
    assert [line.outcome for line in report.lines] == ["manual"]
    assert report.exit_code == 0


def test_a_failed_change_exits_1(ws: Workspace) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])

    def refusing(source: SourceSpec, requests: list[WriteRequest], ids: Any) -> list[WriteResult]:
        return [WriteResult(r.trace_id, False, "locked") for r in requests]

    report = apply_proposal(ws, proposal, TODAY, writer=refusing)
    assert [line.outcome for line in report.lines] == ["failed"]
    assert report.exit_code == 1


def test_dry_run_lists_each_row_it_would_change(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    export = by_name(traces_of(ws, "vienti"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Bertta Bergman"], "delete"),
            ("hylkää", orders["Cecilia Cederholm"], "delete"),
            ("hyväksy", export["Dora Dahlström"], "delete"),
        ],
    )
    report = apply_proposal(ws, proposal, TODAY, dry_run=True)
    out = _print(report, ws, capsys)
    assert "Koeajo" in out
    assert "rivi    2  tilaukset  Tilaukset, tunnus 1002, rivi 3  poista" in out
    assert "rivi    4  vienti  rivi 5  poista (tehtävälistalle" in out
    assert "rivi    3" not in out  # rejected: nothing would change
    for name, email, _ in PEOPLE:
        assert name not in out
        assert email not in out


def test_a_second_apply_says_nothing_new(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Aino Arvelo"], "delete"),
            ("hyväksy", orders["Bertta Bergman"], "delete"),
        ],
    )
    first = apply_proposal(ws, proposal, TODAY)
    assert first.receipt is not None
    second = apply_proposal(ws, proposal, TODAY)
    assert second.already is not None
    count, when, on_checklist = second.already
    assert (count, on_checklist) == (2, 0)
    day, month, year = (int(part) for part in when.split("."))
    assert date(year, month, day) >= date(2026, 1, 1)  # the (Helsinki) day they were done
    assert second.receipt is None  # no second receipt claiming the same work
    out = _print(second, ws, capsys)
    assert f"Ei mitään uutta: jo tehty {when}: 2 riviä" in out
    assert "nothing new" not in out.lower()  # the workspace language only
    assert "  tehty" not in out


def test_unknown_marks_are_listed_with_their_rows_and_not_approved(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("kyllä", orders["Aino Arvelo"], "delete"),
            ("Approve", orders["Bertta Bergman"], "delete"),
            ("ok", orders["Cecilia Cederholm"], "delete"),
        ],
    )
    report = apply_proposal(ws, proposal, TODAY)
    assert [(line.row.number, line.outcome) for line in report.lines] == [
        (2, "not_approved"),
        (3, "done"),
        (4, "not_approved"),
    ]
    out = _print(report, ws, capsys)
    assert "Tuntematon merkintä (rivit 2, 4): ei hyväksytty" in out
    assert "kyllä" not in out


def _rewrite(path: Path, edit: Any) -> None:
    book = openpyxl.load_workbook(path)
    edit(book.worksheets[0])
    book.save(path)


def test_a_row_whose_visible_cells_moved_is_skipped_and_listed(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Aino Arvelo"], "delete"),
            ("hylkää", orders["Bertta Bergman"], "delete"),
            ("hyväksy", orders["Cecilia Cederholm"], "delete"),
        ],
    )

    def swap_visible(sheet: Any) -> None:  # rows 2 and 3 swapped in the visible block only
        for column in range(1, 12):
            top, below = sheet.cell(2, column), sheet.cell(3, column)
            top.value, below.value = below.value, top.value

    _rewrite(proposal, swap_visible)
    report = apply_proposal(ws, proposal, TODAY)
    outcome = {line.row.number: (line.outcome, line.reason) for line in report.lines}
    assert outcome == {
        2: ("skipped", "cells_changed"),
        3: ("skipped", "cells_changed"),
        4: ("done", None),
    }
    names = {t["name"] for t in traces_of(ws, "tilaukset")}
    assert {"Aino Arvelo", "Bertta Bergman"} <= names  # neither Aino nor the rejected Bertta
    assert "Cecilia Cederholm" not in names
    out = _print(report, ws, capsys)
    assert "ohitettu (rivit 2, 3): rivin näkyvät tiedot eivät enää vastaa" in out


@pytest.mark.parametrize("column", ["visible", "hidden"])
def test_an_edited_action_is_never_obeyed(ws: Workspace, column: str) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    index = 6 if column == "visible" else 11 + ID_HEADERS.index("karsinta_action") + 1
    _rewrite(proposal, lambda sheet: setattr(sheet.cell(2, index), "value", "anonymise"))
    report = apply_proposal(ws, proposal, TODAY)
    assert [(line.outcome, line.reason) for line in report.lines] == [("skipped", "cells_changed")]
    assert "Aino Arvelo" in {t["name"] for t in traces_of(ws, "tilaukset")}


def test_an_action_the_engine_no_longer_decides_is_skipped(ws: Workspace) -> None:
    """The proposal said delete; today the policy says anonymise: nothing guessed."""
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    set_action(ws, "order", "anonymise")
    report = apply_proposal(ws, proposal, TODAY)
    assert [(line.outcome, line.reason) for line in report.lines] == [("skipped", "action_changed")]


def test_a_repeated_row_refuses_the_file_naming_the_rows(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(
        ws,
        [
            ("hyväksy", orders["Aino Arvelo"], "delete"),
            ("hyväksy", orders["Bertta Bergman"], "delete"),
        ],
    )
    _rewrite(proposal, lambda sheet: sheet.append([c.value for c in sheet[2]]))
    before = _snapshot(ws.root)
    code = main(["apply", str(proposal), "--workspace", str(ws.root), "--today", "2026-11-15"])
    assert code == 2
    assert "useammin kuin kerran (rivit 2, 4)" in capsys.readouterr().err  # the workspace: fi
    assert _snapshot(ws.root) == before


def test_the_checklist_lists_rows_bottom_up_with_stable_locators(ws: Workspace) -> None:
    export = by_name(traces_of(ws, "vienti"))
    proposal = write_proposal_xlsx(
        ws, [("hyväksy", export[p[0]], "delete") for p in (PEOPLE[1], PEOPLE[4], PEOPLE[2])]
    )
    report = apply_proposal(ws, proposal, TODAY)
    assert report.receipt is not None
    html = report.receipt.html.read_text("utf-8")
    checklist = html[html.index('id="checklist"') : html.index('id="lines"')]
    assert "poista alhaalta ylöspäin, niin rivinumerot eivät muutu" in checklist
    positions = [checklist.index(f"rivi {n}<") for n in (6, 4, 3)]
    assert positions == sorted(positions)  # bottom-up: row 6, then 4, then 3
    book = openpyxl.load_workbook(report.receipt.xlsx)
    todo = book.worksheets[1]
    assert [todo.cell(r, 5).value for r in range(2, 5)] == ["rivi 6", "rivi 4", "rivi 3"]


def test_the_cli_reads_a_proposal_once_and_a_changed_file_again(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI checks the proposal before the run; the run takes that read (a large
    proposal is read once), but only while the file is the one that was read."""
    import flows.apply

    orders = by_name(traces_of(ws, "tilaukset"))
    proposal = write_proposal_xlsx(ws, [("hyväksy", orders["Aino Arvelo"], "delete")])
    reads: list[Path] = []
    real = flows.apply.read_proposal

    def counting(path: Path, key: bytes | None = None) -> Any:
        reads.append(path)
        return real(path, key)

    monkeypatch.setattr(flows.apply, "read_proposal", counting)
    code = main(["apply", str(proposal), "--workspace", str(ws.root), "--today", "2026-11-15"])
    assert code == 0
    assert len(reads) == 1
    assert "Aino Arvelo" not in [t["name"] for t in traces_of(ws, "tilaukset")]
    assert flows.apply._last_read == {}  # taken by the run: nothing kept afterwards

    first = flows.apply.read_checked(proposal, ws, TODAY, keep=True)
    _rewrite(proposal, lambda sheet: None)  # saved again: another file
    second = flows.apply.read_checked(proposal, ws, TODAY)
    assert len(reads) == 3
    assert second.approved_at >= first.approved_at
