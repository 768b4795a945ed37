"""Microsoft Graph connectors against a local Graph (flows.demo.live.FakeGraph).

What the owner relies on: every page is read, a second run asks only for what
changed (delta link) and still gives every trace, an expired delta link means
one full read, a throttled service is waited for (Retry-After), a failing one
is reported (never 'no contacts'), and no customer value reaches an error.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from connectors.base import SourceSpec, read_source
from connectors.errors import RetriableSourceError
from flows.demo.live import FakeGraph, serving

ACCOUNT = "testitili"


def contact(number: int, **extra: object) -> dict[str, object]:
    return {
        "id": f"c{number}",
        "displayName": f"Asiakas {number}",
        "emailAddresses": [{"name": f"Asiakas {number}", "address": f"asiakas{number}@example.fi"}],
        "mobilePhone": f"+35840123456{number}",
        **extra,
    }


def event(event_id: str, day: str, *attendees: str, **extra: object) -> dict[str, object]:
    return {
        "id": event_id,
        "subject": "Valmennus",
        "bodyPreview": "",
        "type": "singleInstance",
        "start": {"dateTime": f"{day}T08:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{day}T09:00:00.0000000", "timeZone": "UTC"},
        "attendees": [
            {"type": "required", "emailAddress": {"name": a.split("@")[0], "address": a}}
            for a in attendees
        ],
        **extra,
    }


def message(message_id: str, when: str, sender: str, *to: str) -> dict[str, object]:
    return {
        "id": message_id,
        "receivedDateTime": when,
        "sentDateTime": when,
        "parentFolderId": "inbox",
        "from": {"emailAddress": {"name": "", "address": sender}},
        "toRecipients": [{"emailAddress": {"name": "", "address": a}} for a in to],
        "ccRecipients": [],
    }


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serving(fake, ACCOUNT):
        yield fake


def spec(tmp_path: Path, connector: str, **options: object) -> SourceSpec:
    return SourceSpec(
        id=connector.replace("_", "-"),
        connector=connector,
        path=tmp_path / "tilit" / connector,
        register="r",
        options={"account": ACCOUNT, **options},
    )


def emails(result: object) -> list[str]:
    return sorted(result.traces["email"].dropna())  # type: ignore[attr-defined]


def test_contacts_every_page_is_read(graph: FakeGraph, tmp_path: Path) -> None:
    for n in range(1, 6):
        graph.put("contacts", contact(n, homeAddress={"street": "Katu 1"} if n == 1 else {}))
    result = read_source(spec(tmp_path, "graph_contacts"))
    assert result.clean, result.error
    assert emails(result) == [f"asiakas{n}@example.fi" for n in range(1, 6)]
    assert result.traces["phone"].notna().all()
    assert "address" in result.traces["found_categories"].iloc[0]
    pages = [q for m, p, q in graph.log if p == "/v1.0/me/contacts"]
    assert len(pages) == 3  # 2 + 2 + 1: every nextLink followed


def test_delta_second_run_asks_only_changes_and_keeps_every_trace(
    graph: FakeGraph, tmp_path: Path
) -> None:
    for n in range(1, 4):
        graph.put("contacts", contact(n))
    source = spec(tmp_path, "graph_contacts", folder="f1")
    first = read_source(source)
    assert emails(first) == ["asiakas1@example.fi", "asiakas2@example.fi", "asiakas3@example.fi"]
    graph.remove("contacts", "c2")
    graph.put("contacts", contact(4))
    graph.log.clear()

    second = read_source(source)

    assert emails(second) == ["asiakas1@example.fi", "asiakas3@example.fi", "asiakas4@example.fi"]
    delta = [q for m, p, q in graph.log if p.endswith("/contacts/delta")]
    assert delta
    assert all("$deltatoken" in q for q in delta)
    # state kept owner-only
    folder = source.path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_an_expired_delta_link_means_one_full_read(graph: FakeGraph, tmp_path: Path) -> None:
    for n in range(1, 4):
        graph.put("contacts", contact(n))
    source = spec(tmp_path, "graph_contacts", folder="f1")
    read_source(source)
    graph.remove("contacts", "c1")
    graph.forget_delta_tokens()
    graph.log.clear()

    result = read_source(source)

    assert result.clean
    assert emails(result) == ["asiakas2@example.fi", "asiakas3@example.fi"]
    queries = [q for m, p, q in graph.log if p.endswith("/contacts/delta")]
    assert "$deltatoken" in queries[0]  # tried the link, got 410
    assert "$deltatoken" not in queries[1]  # then read everything once


def test_a_lost_state_file_means_one_full_read(graph: FakeGraph, tmp_path: Path) -> None:
    graph.put("contacts", contact(1))
    source = spec(tmp_path, "graph_contacts", folder="f1")
    read_source(source)
    for file in source.path.iterdir():
        file.write_text("{broken", "utf-8")
    assert emails(read_source(source)) == ["asiakas1@example.fi"]


def test_429_is_waited_for_with_retry_after(graph: FakeGraph, tmp_path: Path) -> None:
    graph.put("contacts", contact(1))
    waits: list[float] = []
    graph.fail("GET", "/me/contacts", 429, {"Retry-After": "7"})
    from connectors.live import transport

    injected = transport.injected("microsoft", ACCOUNT)
    assert injected is not None
    injected.retry = type(injected.retry)(attempts=3, sleep=waits.append)

    result = read_source(spec(tmp_path, "graph_contacts"))

    assert result.clean
    assert waits == [7.0]
    assert emails(result) == ["asiakas1@example.fi"]


def test_5xx_retried_then_reported_as_retriable(graph: FakeGraph, tmp_path: Path) -> None:
    graph.put("contacts", contact(1))
    graph.fail("GET", "/me/contacts", 503, times=2)
    assert read_source(spec(tmp_path, "graph_contacts")).clean  # two failures, third try works

    graph.fail("GET", "/me/contacts", 503, times=10)
    result = read_source(spec(tmp_path, "graph_contacts"))
    assert isinstance(result.error, RetriableSourceError)
    assert "asiakas" not in str(result.error)
    assert "3" in str(result.error)  # says how many times it tried


def test_401_tells_the_owner_to_run_auth_again(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("GET", "/me/contacts", 401)
    result = read_source(spec(tmp_path, "graph_contacts"))
    assert result.unreadable
    assert f"karsinta auth microsoft --account {ACCOUNT}" in str(result.error)


def test_calendar_series_is_one_trace_per_attendee_with_its_last_occurrence(
    graph: FakeGraph, tmp_path: Path
) -> None:
    owner = graph.owner
    for number, day in enumerate(["2024-01-08", "2024-01-15", "2024-01-22"], 1):
        graph.put(
            "events",
            event(f"occ{number}", day, "liisa@example.fi", owner, seriesMasterId="m1",
                  type="occurrence"),
        )  # fmt: skip
    graph.masters["m1"] = {
        "id": "m1",
        "subject": "Valmennus",
        "recurrence": {"range": {"type": "numbered", "numberOfOccurrences": 3}},
    }
    graph.put("events", event("single", "2025-05-05", "pekka@example.fi"))
    graph.put(
        "events",
        event("endless-1", "2025-06-02", "olli@example.fi", seriesMasterId="m2", type="occurrence"),
    )
    graph.masters["m2"] = {"id": "m2", "recurrence": {"range": {"type": "noEnd"}}}

    result = read_source(spec(tmp_path, "graph_calendar"))

    assert result.clean, result.error
    traces = result.traces.set_index("email")
    assert len(traces) == 3  # the owner is not a data subject
    assert traces.loc["liisa@example.fi", "event_date"].date() == date(2024, 1, 22)
    assert traces.loc["pekka@example.fi", "event_date"].date() == date(2025, 5, 5)
    assert traces.loc["olli@example.fi", "status"] == "active"  # a series with no end


def test_mail_one_trace_per_counterpart_with_the_message_date(
    graph: FakeGraph, tmp_path: Path
) -> None:
    graph.put(
        "messages",
        message("m1", "2025-03-03T22:30:00Z", graph.owner, "a@example.fi", "b@example.fi"),
    )
    graph.put("messages", message("m2", "2025-04-01T10:00:00Z", "a@example.fi", graph.owner))
    trashed = message("m3", "2025-04-02T10:00:00Z", "c@example.fi", graph.owner)
    trashed["parentFolderId"] = "deleteditems-folder"
    graph.put("messages", trashed)

    result = read_source(spec(tmp_path, "graph_mail"))

    assert result.clean, result.error
    rows = sorted(
        (e, d.date())
        for e, d in zip(result.traces["email"], result.traces["event_date"], strict=True)
    )
    # 22:30 UTC on 3 March is 4 March in Helsinki
    assert rows == [
        ("a@example.fi", date(2025, 3, 4)),
        ("a@example.fi", date(2025, 4, 1)),
        ("b@example.fi", date(2025, 3, 4)),
    ]
    asked = next(q for m, p, q in graph.log if p == "/v1.0/me/messages")
    assert "body" not in asked["$select"][0]  # metadata only


def test_no_account_connected_is_unreadable_with_the_auth_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KARSINTA_TOKEN_STORE", "file")
    monkeypatch.setenv("KARSINTA_TOKEN_DIR", str(tmp_path / "tokens"))
    result = read_source(spec(tmp_path, "graph_contacts"))
    assert result.unreadable
    assert "karsinta auth microsoft --account testitili" in str(result.error)
    assert not os.path.exists(tmp_path / "tokens")  # nothing created by a read
