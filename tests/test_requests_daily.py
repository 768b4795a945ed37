"""The daily requests run on a demo workspace that receives a request."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import yaml

from flows.demo import build_demo
from flows.requests import (
    find_subjects,
    load_state,
    observe_plain,
    person_from,
    reference,
    requests_run,
)
from flows.workspace import load_workspace

#: the demo is built and read three times (about fifteen seconds)
pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 4)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    manifest = build_demo(tmp_path_factory.mktemp("demo"), TODAY, 2026)
    business = manifest.businesses["prover"]
    root = business.workspace
    asked = [p for p in business.persons if p.email and not p.tags[-1].startswith("erasure")]
    newcomer, reader, broken = asked[0], asked[1], asked[2]
    # an erasure request logged today... well, three days ago: "2 vrk" is already past
    log = root / "aineisto" / "poistopyynnot.xlsx"
    book = openpyxl.load_workbook(log)
    sheet = book.worksheets[0]
    sheet.append([TODAY - timedelta(days=3), newcomer.name, newcomer.email, "puhelin", None])
    book.save(log)
    # an access request log, with an unrelated person's row broken (a date that is no date)
    access_log = root / "aineisto" / "tietopyynnot.csv"
    access_log.write_text(
        "Päivämäärä;Nimi;Sähköposti\n"
        f"{TODAY.day}.{TODAY.month}.{TODAY.year};{reader.name};{reader.email}\n"
        f"32.13.2026;{broken.name};{broken.email}\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((root / "karsinta.yaml").read_text("utf-8"))
    register = config["sources"][0]["register"]
    config["sources"].append(
        {
            "id": "tietopyynnot",
            "connector": "spreadsheet",
            "path": "aineisto/tietopyynnot.csv",
            "register": register,
            "kind": "access_request",
        }
    )
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    workspace = load_workspace(root)
    first = requests_run(workspace, TODAY)
    second = requests_run(workspace, TODAY)
    return {"root": root, "first": first, "second": second, "people": (newcomer, reader, broken)}


def test_a_request_gets_its_proposal_and_report_the_same_day(run: dict[str, object]) -> None:
    first = run["first"]
    assert isinstance(first, dict)
    assert first["prepared_erasure"] >= 1
    assert first["prepared_access"] == 1
    root = run["root"]
    assert isinstance(root, Path)
    files = {p.name for p in (root / "raportit").iterdir()}
    assert any(n.startswith(f"poistopyynto-{TODAY.isoformat()}") for n in files)
    assert any(n.startswith(f"tietopyynto-{TODAY.isoformat()}") for n in files)


def test_a_second_run_prepares_nothing_again(run: dict[str, object]) -> None:
    second = run["second"]
    assert isinstance(second, dict)
    assert second["prepared_erasure"] == 0
    assert second["prepared_access"] == 0


def test_every_request_is_on_the_status_list_with_its_state(run: dict[str, object]) -> None:
    root, first = run["root"], run["first"]
    assert isinstance(root, Path)
    assert isinstance(first, dict)
    html = (root / "raportit" / str(first["status_html"])).read_text("utf-8")
    assert html.count("<tr class=") == first["requests"]
    assert "myöhässä" in html  # the request of three days ago, promised in 2 vrk
    assert first["undated"] == 1  # the broken row is listed, not dropped


def test_an_unrelated_broken_row_does_not_block_the_erasure(run: dict[str, object]) -> None:
    root, people = run["root"], run["people"]
    assert isinstance(root, Path)
    assert isinstance(people, tuple)
    workspace = load_workspace(root)
    seen = observe_plain(workspace, TODAY)
    subjects = find_subjects(seen, person_from(email=people[0].email))
    stem = f"poistopyynto-{TODAY.isoformat()}-{reference(workspace, subjects)}"
    sheet = openpyxl.load_workbook(root / "raportit" / f"{stem}.xlsx").worksheets[0]
    assert sheet.max_row > 1  # the newcomer's rows are proposed despite the broken row
    blocked = seen.evaluation.decisions["review_code"].eq("row_problem").fillna(False)
    assert blocked.any()  # ... which does block its own person


def test_the_state_holds_no_customer_data(run: dict[str, object]) -> None:
    root = run["root"]
    assert isinstance(root, Path)
    text = (root / ".karsinta" / "requests.json").read_text("utf-8")
    people = run["people"]
    assert isinstance(people, tuple)
    for person in people:
        assert person.email not in text
        assert person.name not in text
    assert load_state(load_workspace(root))
    json.loads(text)


def test_the_monthly_proposal_lists_every_open_request(run: dict[str, object]) -> None:
    from flows.review import review

    root, people = run["root"], run["people"]
    assert isinstance(root, Path)
    outcome = review(load_workspace(root), TODAY)
    html = outcome.files.html.read_text("utf-8")
    section = html.split('id="open-requests"', 1)[1].split("</div>", 1)[0]
    assert "Avoimet pyynnöt" in html
    assert outcome.counts["open_requests"] == section.count("<tr class=")
    assert outcome.counts["open_requests"] >= 3  # the demo's, plus today's erasure and access
    assert "myöhässä" in section  # overdue ones say by how much
    assert "päivämäärä puuttuu" in section  # a broken log row is listed, not dropped
    for person in people:  # log file and row only: nobody's name or e-mail
        assert person.name not in section
        assert person.email not in section
