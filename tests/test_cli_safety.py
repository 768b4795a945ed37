"""The command line on a broken workspace: check, review's exit codes, the decisions CSV."""

from __future__ import annotations

import csv
import io
import shutil
import stat
from pathlib import Path

import pytest

from flows.cli import main
from policies.examples import example_path

CONFIG = """\
business: Tmi Testi
registers:
  asiakasrekisteri:
    policy: rekisteri.yaml
sources:
  - id: tilaukset
    connector: spreadsheet
    path: tilaukset.csv
    register: asiakasrekisteri
    kind: order
  - id: laskut
    connector: accounting
    path: laskut.csv
    register: asiakasrekisteri
    options: {format: fi_invoices}
"""
ORDERS = (
    "Nimi;Sähköposti;Puhelin;Tilauspäivä\n"
    "Maija Mehiläinen;maija@example.fi;;14.3.2025\n"
    "Pekka Puupää;pekka@example.fi;09 123 4567;10.1.2025\n"
    '"=HYPERLINK(""http://x"")";hyper@example.fi;;1.2.2025\n'
)
INVOICE_HEADER = (
    "Laskunumero;Laskun päivämäärä;Eräpäivä;Asiakasnumero;Asiakkaan nimi;Sähköposti;"
    "Y-tunnus/Hetu;Summa;{status}\n"
)
INVOICE_ROW = "1042;10.1.2025;24.1.2025;7;Kalle Könönen;kalle@example.fi;;120,00;Avoin\n"


def workspace(tmp_path: Path, status_header: str = "Tila") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "karsinta.yaml").write_text(CONFIG, "utf-8")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    (tmp_path / "tilaukset.csv").write_text(ORDERS, "utf-8")
    header = INVOICE_HEADER.format(status=status_header)
    (tmp_path / "laskut.csv").write_text(header + INVOICE_ROW, "utf-8")
    return tmp_path


def test_check_passes_a_readable_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--workspace", str(workspace(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "2 lähdettä, 1 rekisteri – kunnossa" in out  # the workspace's language, plurals right
    assert main(["check", "--quiet", "--workspace", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""  # --quiet: only what is wrong


def test_check_speaks_english_in_an_english_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace(tmp_path, status_header="Maksun tila")
    config = root / "karsinta.yaml"
    config.write_text("language: en\n" + config.read_text("utf-8"), "utf-8")
    assert main(["check", "--workspace", str(root)]) == 3
    captured = capsys.readouterr()
    assert "Source 'laskut'" in captured.err
    assert "columns found:" in captured.err
    assert "closest accounting format 'fi_invoices' lacks column(s) 'Tila'" in captured.err
    assert "1 unreadable" in captured.out
    assert "row problems" not in captured.out  # no "0 row problems"
    assert "Lähde" not in captured.err + captured.out


def test_check_names_the_invoice_file_its_columns_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace(tmp_path, status_header="Maksun tila")
    assert main(["check", "--workspace", str(root)]) == 3
    captured = capsys.readouterr()
    err = captured.err
    assert "Lähde 'laskut'" in err
    assert "laskut.csv" in err
    assert "saraketta 'Tila' ei löydy" in err
    assert "sarakkeet tiedostossa: Laskunumero, Laskun päivämäärä" in err
    assert "Maksun tila" in err
    assert (
        "lähimmästä kirjanpitomuodosta 'fi_invoices' puuttuu 'Tila'" in err
    )  # the fix, in Finnish
    assert "accounting format" not in err
    assert "rekisterissä 'asiakasrekisteri' ei ehdoteta poistoja" in err
    assert "Kalle" not in err + captured.out  # column names, never values
    assert "1 ei luettavissa" in captured.out


def test_check_masks_a_header_that_is_a_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace(tmp_path)
    # No header row: the "header" is a customer's row.
    (root / "laskut.csv").write_text(INVOICE_ROW * 2, "utf-8")
    assert main(["check", "--workspace", str(root)]) == 3
    err = capsys.readouterr().err
    assert "kalle@example.fi" not in err
    assert "(arvo?)" in err
    assert "a value?" not in err  # the mask in the workspace's language


@pytest.mark.slow
def test_review_exit_codes_and_decisions_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace(tmp_path / "ws")
    target = tmp_path / "audit.csv"
    args = ["review", "--workspace", str(root), "--today", "2026-11-01", "--quiet"]
    assert main([*args, "--decisions", str(target)]) == 0
    written = root / "raportit" / "paatokset-2026-11.csv"
    for path in (written, target):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["lähde", "tiedosto", "sijainti"]
    assert len(body) == 4  # one row per trace: three orders, one invoice
    assert {r[0] for r in body} == {"tilaukset", "laskut"}
    assert "row 2" in {r[2] for r in body if r[0] == "tilaukset"}
    assert any("invoice_no 1042" in r[2] for r in body)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in body for cell in r)
    assert "Maija" not in raw.decode("utf-8-sig")  # who: a keyed subject id, not a name

    # A broken row (a date that is not one) on a row with an e-mail: exit 1.
    orders = (root / "tilaukset.csv").read_text("utf-8").replace("14.3.2025", "14.13.2025")
    (root / "tilaukset.csv").write_text(orders, "utf-8")
    assert main([*args, "--json"]) == 1
    capsys.readouterr()

    # The invoice export cannot be read: exit 3, and no deletion in the register.
    (root / "laskut.csv").write_text(INVOICE_HEADER.format(status="Maksun tila"), "utf-8")
    assert main([*args, "--json"]) == 3
    import json

    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["decision_delete"] == 0
    assert counts["blocked_registers"] == 1
    assert counts["by_source"]["laskut"] == {"delete": 0, "hold": 0, "keep": 0, "review": 0}
    html = (root / "raportit" / "poistoehdotus-2026-11.html").read_text("utf-8")
    opening = html[: html.index('id="action-now"')]
    assert "Laskutiedostoa laskut.csv ei voitu lukea" in opening


def test_decisions_csv_one_row_per_trace_and_no_formula(tmp_path: Path) -> None:
    from reports.decisions_csv import write_decisions_csv
    from tests.conftest import small_review_run

    sheet = "=cmd|' /C calc'!A0"
    extra = {
        "trace_id": "tilaukset:z9",
        "source": "tilaukset",
        "register": "asiakasrekisteri",
        "kind": "order",
        "email": "z@example.fi",
        "event_date": "2025-02-01",
        "locator": '{"file": "=1+1.xlsx", "row": 9, "sheet": "' + sheet + '"}',
    }
    run = small_review_run(hostile=True, extra_rows=[extra], faulty=frozenset({"tilaukset"}))
    path = write_decisions_csv(run, tmp_path / "paatokset.csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == len(run.decisions)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=1+1.xlsx" in cells  # a file name that is a formula is written as text
    by_location = {row[2]: row for row in rows[1:]}
    kalle = by_location["row 2; invoice_no 1042"]
    assert (kalle[0], kalle[1], kalle[3]) == ("laskut", "laskut.csv", "invoice")
    held = [row for row in rows[1:] if row[5] == "hold"]
    assert held
    assert {row[8] for row in held} == {"avoin_saatava"}  # Kalle's orders, by his open claim
    blocked = [row for row in rows[1:] if row[10] == "source_blocked"]
    assert blocked  # the orders wait for their faulty source
    assert all(row[5] == "review" for row in blocked)


def test_the_command_as_installed_exits_with_the_review_s_code_and_all_its_output(
    tmp_path: Path,
) -> None:
    """`karsinta` leaves without freeing its heap object by object (flows.cli.run): the
    exit code, the piped output (block-buffered) and the files are all there."""
    import json
    import os
    import subprocess
    import sys

    root = workspace(tmp_path / "ws")
    orders = (root / "tilaukset.csv").read_text("utf-8").replace("14.3.2025", "14.13.2025")
    (root / "tilaukset.csv").write_text(orders, "utf-8")
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "review", "--workspace", str(root),
         "--today", "2026-11-01", "--json"],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # a row problem: its person waits
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["traces"] == 4
    assert counts["problems"] >= 1
    assert (root / "raportit" / "poistoehdotus-2026-11.xlsx").stat().st_size > 0
    assert (root / "raportit" / "paatokset-2026-11.csv").stat().st_size > 0
