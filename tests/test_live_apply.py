"""Apply end to end against a local Microsoft Graph: review, approve, apply, look at the account.

An approved contact is deleted, an approved appointment redacted (the policy
anonymises appointments), approved messages go to Deleted Items, and nothing
else is touched. A delete the service refuses is recorded as failed in the
ledger and done by the next apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.apply import apply_proposal
from flows.demo.live import TRASH_ID, FakeGraph, serving
from flows.workspace import Workspace, load_workspace
from tests.test_apply import approve_all, ledger_rows, review_now
from tests.test_microsoft import contact, event, message

TODAY = date(2026, 11, 1)
ACCOUNT = "yritys-outlook"

POLICY: dict[str, Any] = {
    "name": "Asiakasrekisteri",
    "controller": {"name": "Testiyritys"},
    "purposes": [{"kuvaus": "asiakassuhde", "legal_basis": "contract"}],
    "customer_kinds": ["appointment"],
    "retention": {
        "appointment": {
            "keep": "1 vuosi",
            "after": "event_date",
            "action": "anonymise",
            "kuvaus": "1 v tapaamisesta",
        },
        "message": {"keep": "1 vuosi", "after": "event_date", "kuvaus": "1 v viestistä"},
        "contact": {"keep": "while_customer", "kuvaus": "asiakkuuden ajan"},
    },
    "erasure": {"deadline": "2 vrk", "kuvaus": "2 vrk"},
}


def make_workspace(root: Path) -> Workspace:
    root.mkdir(parents=True)
    sources = [
        {"id": f"outlook-{name}", "connector": f"graph_{name}", "path": f"tilit/{name}",
         "register": "asiakkaat", "system_of_record": True, "options": {"account": ACCOUNT}}
        for name in ("contacts", "calendar", "mail")
    ]  # fmt: skip
    config = {
        "business": "Testiyritys",
        "registers": {"asiakkaat": {"policy": "rekisteri.yaml"}},
        "sources": sources,
    }
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    (root / "rekisteri.yaml").write_text(yaml.safe_dump(POLICY, allow_unicode=True), "utf-8")
    return load_workspace(root)


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(owner="omistaja@example.fi")
    old, new = "vanha@example.fi", "uusi@example.fi"
    fake.put("contacts", {**contact(1), "emailAddresses": [{"address": old}]})
    fake.put("contacts", {**contact(2), "emailAddresses": [{"address": new}]})
    fake.put("events", event("e-old", "2024-03-01", old, fake.owner))
    fake.put("events", event("e-new", "2026-10-01", new, fake.owner))
    fake.put("messages", message("m-old", "2024-03-02T10:00:00Z", old, fake.owner))
    fake.put("messages", message("m-new", "2026-10-02T10:00:00Z", fake.owner, new))
    with serving(fake, ACCOUNT):
        yield fake


def test_approved_changes_are_made_in_the_account_and_nothing_else(
    graph: FakeGraph, tmp_path: Path
) -> None:
    ws = make_workspace(tmp_path / "yritys")
    proposal = Path(review_now(ws, TODAY).files.xlsx)
    assert approve_all(proposal) == 3  # the old customer's contact, appointment and message

    report = apply_proposal(ws, proposal, TODAY)

    assert sorted((line.outcome, line.connector) for line in report.lines) == [
        ("done", "graph_calendar"),
        ("done", "graph_contacts"),
        ("done", "graph_mail"),
    ]
    assert set(graph.items["contacts"]) == {"c2"}  # only the approved contact went
    redacted = graph.items["events"]["e-old"]
    assert redacted["attendees"] == []
    assert "vanha" not in str(redacted)
    assert graph.items["events"]["e-new"]["subject"] == "Valmennus"
    assert graph.items["messages"]["m-old"]["parentFolderId"] == TRASH_ID
    assert graph.items["messages"]["m-new"]["parentFolderId"] == "inbox"
    assert report.receipt is not None
    receipt = Path(report.receipt.html).read_text("utf-8")
    assert "Poistetut-kansioon: palautettavissa" in receipt  # recoverable, says the receipt
    changes = [(m, p) for m, p, _ in graph.log if m != "GET"]
    assert sorted(changes) == [
        ("DELETE", "/v1.0/me/contacts/c1"),
        ("PATCH", "/v1.0/me/events/e-old"),
        ("POST", "/v1.0/me/messages/m-old/move"),
    ]


def test_a_failing_delete_is_recorded_failed_and_done_by_the_next_apply(
    graph: FakeGraph, tmp_path: Path
) -> None:
    ws = make_workspace(tmp_path / "yritys")
    proposal = Path(review_now(ws, TODAY).files.xlsx)
    approve_all(proposal)
    graph.fail("DELETE", "/me/contacts/", 503, times=100)

    first = apply_proposal(ws, proposal, TODAY)

    outcomes = {line.connector: line.outcome for line in first.lines}
    assert outcomes["graph_contacts"] == "failed"
    assert first.exit_code == 1
    assert "c1" in graph.items["contacts"]
    assert any(row[1] == "failed" for row in ledger_rows(ws))
    graph.faults.clear()

    second = apply_proposal(ws, proposal, TODAY)

    assert {line.connector: line.outcome for line in second.lines}["graph_contacts"] == "done"
    assert "c1" not in graph.items["contacts"]
    assert second.exit_code == 0
