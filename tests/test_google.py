"""Google connectors against the real client library (static discovery, HttpMockSequence).

Each test lays out the API's answers as Google documents them and asserts the
exact requests the connector made: page tokens, sync tokens, the full resync
after an expired sync token (matched on the ErrorInfo reason), metadata-only
Gmail reads, and apply's writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from googleapiclient.http import HttpMockSequence

from connectors.base import SourceSpec, WriteRequest, get_connector, read_source
from connectors.keyed import Hasher
from connectors.live.retry import RetryPolicy
from connectors.live.transport import Transport, inject

ACCOUNT = "leoprana-google"
ROOT = "http://127.0.0.1:9/"
IDS = Hasher(b"k" * 32)


class Recording(HttpMockSequence):
    """HttpMockSequence that remembers each request (method, path, query, body)."""

    def __init__(self, iterable: list[tuple[dict[str, str], Any]]) -> None:
        super().__init__(
            [(r, b if isinstance(b, str | bytes) else json.dumps(b)) for r, b in iterable]
        )
        self.requests: list[tuple[str, str, dict[str, list[str]], Any]] = []

    def request(
        self, uri: str, method: str = "GET", body: Any = None, *args: Any, **kw: Any
    ) -> Any:
        parts = urlsplit(uri)
        self.requests.append((method, parts.path, parse_qs(parts.query), body))
        return super().request(uri, method, body, *args, **kw)


OK = {"status": "200"}


@contextmanager
def google(responses: list[tuple[dict[str, str], Any]], sleep: Any = None) -> Iterator[Recording]:
    http = Recording(responses)
    retry = RetryPolicy(attempts=3, sleep=sleep or (lambda _: None))
    with inject("google", ACCOUNT, Transport(http=http, root=ROOT, retry=retry)):
        yield http


def spec(tmp_path: Path, connector: str, **options: Any) -> SourceSpec:
    return SourceSpec(
        id=connector.replace("_", "-"),
        connector=connector,
        path=tmp_path / "tilit" / connector,
        register="r",
        options={"account": ACCOUNT, **options},
    )


def person(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "resourceName": f"people/c{number}",
        "etag": f"e{number}",
        "names": [{"displayName": f"Asiakas {number}"}],
        "emailAddresses": [{"value": f"asiakas{number}@example.fi"}],
        "phoneNumbers": [
            {"value": f"040 123 45{number:02d}", "canonicalForm": f"+35840123450{number}"}
        ],
        **extra,
    }


def expired_sync_token() -> dict[str, Any]:
    return {
        "error": {
            "code": 400,
            "message": "Sync token is expired. Clear local cache and retry call without the "
            "sync token.",
            "status": "FAILED_PRECONDITION",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "EXPIRED_SYNC_TOKEN",
                    "domain": "people.googleapis.com",
                }
            ],
        }
    }


def emails(result: Any) -> list[str]:
    return sorted(result.traces["email"].dropna())


# ------------------------------------------------------------------ contacts


def test_contacts_pages_then_sync_token_then_expired_token_full_read(tmp_path: Path) -> None:
    source = spec(tmp_path, "google_contacts")
    first_pages = [
        (OK, {"connections": [person(1), person(2, addresses=[{"formattedValue": "Katu 1"}])],
              "nextPageToken": "p2"}),
        (OK, {"connections": [person(3)], "nextSyncToken": "s1", "totalItems": 3}),
    ]  # fmt: skip
    with google(first_pages) as http:
        result = read_source(source)
    assert result.clean, result.error
    assert emails(result) == ["asiakas1@example.fi", "asiakas2@example.fi", "asiakas3@example.fi"]
    (m1, path1, q1, _), (_m2, _, q2, _) = http.requests
    assert (m1, path1) == ("GET", "/v1/people/me/connections")
    assert q1["personFields"] == [
        "names,emailAddresses,phoneNumbers,addresses,birthdays,biographies,metadata"
    ]
    assert q1["requestSyncToken"] == ["true"]
    assert "pageToken" not in q1
    assert "syncToken" not in q1
    assert q2["pageToken"] == ["p2"]

    # Second run: only the changes since s1; a deleted person leaves.
    changes = [
        (OK, {"connections": [{"resourceName": "people/c2", "metadata": {"deleted": True}},
                              person(4)], "nextSyncToken": "s2"}),
    ]  # fmt: skip
    with google(changes) as http:
        result = read_source(source)
    assert emails(result) == ["asiakas1@example.fi", "asiakas3@example.fi", "asiakas4@example.fi"]
    assert http.requests[0][2]["syncToken"] == ["s1"]

    # Third run: the token expired (the ErrorInfo reason); one full read.
    with google(
        [
            ({"status": "400"}, expired_sync_token()),
            (OK, {"connections": [person(5)], "nextSyncToken": "s3"}),
        ]
    ) as http:
        result = read_source(source)
    assert result.clean
    assert emails(result) == ["asiakas5@example.fi"]
    assert http.requests[0][2]["syncToken"] == ["s2"]
    assert "syncToken" not in http.requests[1][2]


def test_a_400_with_another_reason_is_not_a_resync(tmp_path: Path) -> None:
    source = spec(tmp_path, "google_contacts")
    with google([(OK, {"connections": [person(1)], "nextSyncToken": "s1"})]):
        read_source(source)
    bad = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "x",
                     "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest"}]},
           }  # fmt: skip
    with google([({"status": "400"}, bad)]) as http:
        result = read_source(source)
    assert result.unreadable
    assert "INVALID_ARGUMENT" in str(result.error)
    assert len(http.requests) == 1  # no full read after an ordinary bad request


def test_rate_limit_is_retried_with_its_retry_after(tmp_path: Path) -> None:
    waits: list[float] = []
    answers = [
        (
            {"status": "429", "retry-after": "3"},
            {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}},
        ),
        ({"status": "503"}, {"error": {"code": 503}}),
        (OK, {"connections": [person(1)], "nextSyncToken": "s1"}),
    ]
    with google(answers, sleep=waits.append):
        result = read_source(spec(tmp_path, "google_contacts"))
    assert result.clean
    assert waits == [3.0, 2.0]  # the server's wait, then backoff


def test_other_contacts_are_read_and_cannot_be_deleted(tmp_path: Path) -> None:
    with google([(OK, {"otherContacts": [person(7)], "nextSyncToken": "o1"})]) as http:
        result = read_source(spec(tmp_path, "google_other_contacts"))
    assert emails(result) == ["asiakas7@example.fi"]
    assert http.requests[0][1] == "/v1/otherContacts"
    assert "cannot be deleted through the API" in result.traces["label"].iloc[0]
    assert not get_connector("google_other_contacts").capabilities
    from reports.receipt_texts import rt, todo_key

    checklist = rt("en")(todo_key("google_other_contacts", "delete"))
    assert "Google's API cannot delete it" in checklist


def test_delete_contact_only_when_still_the_approved_one(tmp_path: Path) -> None:
    source = spec(tmp_path, "google_contacts")
    with google([(OK, {"connections": [person(1), person(2)], "nextSyncToken": "s1"})]):
        traces = read_source(source, IDS).traces.set_index("email")
    ok = traces.loc["asiakas1@example.fi"]
    changed = traces.loc["asiakas2@example.fi"]
    requests = [
        WriteRequest(ok["trace_id"], json.loads(ok["locator"]), "delete", ok["fingerprint"]),
        WriteRequest(
            changed["trace_id"], json.loads(changed["locator"]), "delete", changed["fingerprint"]
        ),
    ]
    answers = [
        (OK, person(1)),  # people.get c1: unchanged
        (OK, ""),  # deleteContact c1
        (OK, person(2, emailAddresses=[{"value": "uusi@example.fi"}])),  # c2 changed since
    ]
    connector = get_connector("google_contacts")()
    options = connector.options_model.model_validate(source.options)
    with google(answers) as http:
        results = connector.write(source, options, requests, IDS)
    assert [(r.done, r.message) for r in results] == [
        (True, "contact deleted"),
        (False, "the record was changed after the proposal"),
    ]
    calls = [(m, p) for m, p, _, _ in http.requests]
    assert calls == [
        ("GET", "/v1/people/c1"),
        ("DELETE", "/v1/people/c1:deleteContact"),
        ("GET", "/v1/people/c2"),
    ]


# ------------------------------------------------------------------ calendar


def g_event(event_id: str, start: str, *attendees: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "calendar#event",
        "id": event_id,
        "status": "confirmed",
        "summary": "Jooga",
        "organizer": {"email": "siiri@example.fi", "self": True},
        "start": {"dateTime": start, "timeZone": "Europe/Helsinki"},
        "end": {"dateTime": start, "timeZone": "Europe/Helsinki"},
        "attendees": [{"email": "siiri@example.fi", "self": True, "organizer": True}]
        + [
            {"email": a, "displayName": a.split("@")[0], "responseStatus": "accepted"}
            for a in attendees
        ],
        **extra,
    }


def test_calendar_series_one_trace_per_attendee_at_its_last_occurrence(tmp_path: Path) -> None:
    series = g_event(
        "s1", "2024-01-08T18:00:00+02:00", "liisa@example.fi",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )  # fmt: skip
    # The last occurrence (29.1.) was moved to 31.1.; the second one cancelled.
    moved = g_event(
        "s1_20240129T160000Z", "2024-01-31T18:00:00+02:00", "liisa@example.fi",
        recurringEventId="s1", originalStartTime={"dateTime": "2024-01-29T18:00:00+02:00"},
    )  # fmt: skip
    cancelled = {"id": "s1_20240115T160000Z", "status": "cancelled", "recurringEventId": "s1",
                 "originalStartTime": {"dateTime": "2024-01-15T18:00:00+02:00"}}  # fmt: skip
    endless = g_event("s2", "2025-02-03T10:00:00+02:00", "olli@example.fi",
                      recurrence=["RRULE:FREQ=WEEKLY"])  # fmt: skip
    alone = g_event("e1", "2025-05-05T23:30:00+03:00", "pekka@example.fi")
    nobody = g_event("e2", "2025-05-06T10:00:00+03:00")
    answers = [
        (OK, {"items": [series, moved, cancelled], "nextPageToken": "p2"}),
        (OK, {"items": [endless, alone, nobody], "nextSyncToken": "c1"}),
    ]
    with google(answers) as http:
        result = read_source(
            spec(tmp_path, "google_calendar", calendar="jooga@group.calendar.google.com")
        )
    assert result.clean, result.error
    traces = result.traces.set_index("email")
    assert sorted(traces.index) == ["liisa@example.fi", "olli@example.fi", "pekka@example.fi"]
    assert traces.loc["liisa@example.fi", "event_date"].date() == date(2024, 1, 31)
    assert traces.loc["olli@example.fi", "status"] == "active"
    assert traces.loc["pekka@example.fi", "event_date"].date() == date(2025, 5, 5)
    _method, path, query, _ = http.requests[0]
    assert path == "/calendar/v3/calendars/jooga%40group.calendar.google.com/events"
    assert query["singleEvents"] == ["false"]
    assert query["showDeleted"] == ["true"]
    assert http.requests[1][2]["pageToken"] == ["p2"]


def test_calendar_410_full_sync_required_reads_everything_once(tmp_path: Path) -> None:
    source = spec(tmp_path, "google_calendar")
    with google([(OK, {"items": [g_event("e1", "2025-01-01T10:00:00+02:00", "a@example.fi")],
                       "nextSyncToken": "c1"})]):  # fmt: skip
        read_source(source)
    gone = {"error": {"code": 410, "message": "Sync token is no longer valid.",
                      "errors": [{"domain": "calendar", "reason": "fullSyncRequired"}]},
            }  # fmt: skip
    answers = [
        ({"status": "410"}, gone),
        (
            OK,
            {
                "items": [g_event("e2", "2025-02-01T10:00:00+02:00", "b@example.fi")],
                "nextSyncToken": "c2",
            },
        ),
    ]
    with google(answers) as http:
        result = read_source(source)
    assert emails(result) == ["b@example.fi"]
    assert http.requests[0][2]["syncToken"] == ["c1"]
    assert "syncToken" not in http.requests[1][2]


def test_calendar_redacts_an_approved_event_and_removes_one_of_two_attendees(
    tmp_path: Path,
) -> None:
    source = spec(tmp_path, "google_calendar")
    both = g_event("e1", "2025-01-01T10:00:00+02:00", "a@example.fi", "b@example.fi")
    one = g_event("e2", "2025-01-02T10:00:00+02:00", "c@example.fi", description="muistiinpano")
    with google([(OK, {"items": [both, one], "nextSyncToken": "c1"})]):
        traces = read_source(source, IDS).traces.set_index("email")
    requests = [
        WriteRequest(t["trace_id"], json.loads(t["locator"]), "anonymise", t["fingerprint"])
        for _, t in traces.loc[["a@example.fi", "c@example.fi"]].iterrows()
    ]
    connector = get_connector("google_calendar")()
    options = connector.options_model.model_validate(source.options)
    answers = [(OK, {"items": [], "nextSyncToken": "c2"}), (OK, {}), (OK, {})]
    with google(answers) as http:
        results = connector.write(source, options, requests, IDS)
    assert all(r.done for r in results), results
    patches = {p: json.loads(b) for m, p, _, b in http.requests if m == "PATCH"}
    e1 = patches["/calendar/v3/calendars/primary/events/e1"]
    assert [a["email"] for a in e1["attendees"]] == ["siiri@example.fi", "b@example.fi"]
    assert "summary" not in e1  # b's event keeps its title
    e2 = patches["/calendar/v3/calendars/primary/events/e2"]
    assert e2 == {"summary": "(poistettu / removed)", "description": "", "attendees": []}
    sends = [q.get("sendUpdates") for m, _, q, _ in http.requests if m == "PATCH"]
    assert sends == [["none"], ["none"]]


# ------------------------------------------------------------------ gmail


def g_message(
    message_id: str, millis: int, sender: str, to: str, labels: list[str] | None = None
) -> dict:
    return {
        "id": message_id,
        "threadId": "t" + message_id,
        "labelIds": labels or ["INBOX"],
        "internalDate": str(millis),
        "payload": {
            "mimeType": "multipart/alternative",
            "headers": [
                {"name": "From", "value": sender},
                {"name": "To", "value": to},
                {"name": "Date", "value": "Mon, 3 Mar 2025 22:30:00 +0000"},
            ],
        },
    }


def test_gmail_reads_headers_only_and_fetches_only_new_messages(tmp_path: Path) -> None:
    source = spec(tmp_path, "gmail", labels=["INBOX"])
    march_4_helsinki = 1741041000000  # 2025-03-03T22:30:00Z
    answers = [
        (OK, {"emailAddress": "siiri@example.fi", "messagesTotal": 2}),
        (OK, {"messages": [{"id": "m1", "threadId": "t1"}], "nextPageToken": "n2"}),
        (OK, {"messages": [{"id": "m2", "threadId": "t2"}], "resultSizeEstimate": 2}),
        (OK, g_message("m1", march_4_helsinki, "Liisa <liisa@example.fi>", "siiri@example.fi")),
        (
            OK,
            g_message("m2", march_4_helsinki, "siiri@example.fi", "a@example.fi, B <b@example.fi>"),
        ),
    ]
    with google(answers) as http:
        result = read_source(source)
    assert result.clean, result.error
    assert emails(result) == ["a@example.fi", "b@example.fi", "liisa@example.fi"]
    assert set(result.traces["event_date"].dt.date) == {date(2025, 3, 4)}
    gets = [q for m, p, q, _ in http.requests if p.startswith("/gmail/v1/users/me/messages/")]
    assert all(q["format"] == ["metadata"] for q in gets)
    assert all(q["metadataHeaders"] == ["From", "To", "Cc", "Date"] for q in gets)
    assert http.requests[1][2]["labelIds"] == ["INBOX"]
    assert http.requests[2][2]["pageToken"] == ["n2"]

    # Next run: m1 known, m3 new -> only m3's headers are fetched.
    answers = [
        (OK, {"emailAddress": "siiri@example.fi"}),
        (OK, {"messages": [{"id": "m3"}, {"id": "m1"}]}),
        (OK, g_message("m3", march_4_helsinki, "c@example.fi", "siiri@example.fi")),
    ]
    with google(answers) as http:
        result = read_source(source)
    assert emails(result) == ["c@example.fi", "liisa@example.fi"]
    assert [p for _, p, _, _ in http.requests][-1] == "/gmail/v1/users/me/messages/m3"


def test_gmail_trashes_a_message_only_when_every_counterpart_is_approved(tmp_path: Path) -> None:
    source = spec(tmp_path, "gmail", labels=["INBOX"])
    one = g_message("m1", 1741041000000, "liisa@example.fi", "siiri@example.fi")
    two = g_message("m2", 1741041000000, "siiri@example.fi", "a@example.fi, b@example.fi")
    answers = [
        (OK, {"emailAddress": "siiri@example.fi"}),
        (OK, {"messages": [{"id": "m1"}, {"id": "m2"}]}),
        (OK, one),
        (OK, two),
    ]
    with google(answers):
        traces = read_source(source, IDS).traces.set_index("email")
    requests = [
        WriteRequest(t["trace_id"], json.loads(t["locator"]), "delete", t["fingerprint"])
        for _, t in traces.loc[["liisa@example.fi", "a@example.fi"]].iterrows()
    ]
    connector = get_connector("gmail")()
    options = connector.options_model.model_validate(source.options)
    answers = [
        (OK, one),  # m1 read again: unchanged
        (OK, {"emailAddress": "siiri@example.fi"}),
        (OK, {**one, "labelIds": ["TRASH"]}),  # messages.trash answers with the message
        (OK, two),  # m2 read again: b was not approved
    ]
    with google(answers) as http:
        results = connector.write(source, options, requests, IDS)
    by_trace = {r.trace_id: r for r in results}
    liisa = by_trace[traces.loc["liisa@example.fi", "trace_id"]]
    a = by_trace[traces.loc["a@example.fi", "trace_id"]]
    assert liisa.done
    assert "30 days" in liisa.message
    assert not a.done
    assert "not approved" in a.message
    assert ("POST", "/gmail/v1/users/me/messages/m1/trash") in [
        (m, p) for m, p, _, _ in http.requests
    ]
    assert not any(p.endswith("m2/trash") for _, p, _, _ in http.requests)
