"""Outlook / Microsoft 365 calendar (Graph): ``graph_calendar``.

``/me/calendarView/delta`` over a window (``years_back`` before today to
``years_ahead`` after), following ``@odata.nextLink`` and keeping the
``@odata.deltaLink``; ``@removed`` events leave the snapshot, a 410
(``SyncStateNotFound``) means one full read, and so does a window that is
within a year of its end (a fresh window is asked for).

The calendar view gives occurrences; those of one series (``seriesMasterId``)
are one trace per attendee whose date is the series' last occurrence. The
series' own pattern is asked once (``/me/events/{id}``): a series with no end
is ongoing (its first occurrence, status active), one that ends after the
window counts until its end date (never earlier than the real last
occurrence). The owner and rooms are not data subjects.

Apply can delete an event or series, redact it (subject, body and attendees
blanked) or remove only the approved attendees.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.records import NO_TITLE, helsinki_date
from connectors.live.retry import CursorExpired
from connectors.live.state import Snapshot, SyncState
from connectors.microsoft.client import GraphApi, graph_api

REDACTED = "(poistettu / removed)"
KEY = "calendar"


class GraphCalendarOptions(LiveOptions):
    years_back: int = Field(default=12, ge=1, le=50)
    years_ahead: int = Field(default=3, ge=1, le=20)


def _start(event: dict[str, Any]) -> date | None:
    start = event.get("start") or {}
    text = str(start.get("dateTime") or "")
    if event.get("isAllDay") and len(text) >= 10:
        return date.fromisoformat(text[:10])
    zone = str(start.get("timeZone") or "UTC")
    if text and zone.upper() == "UTC" and not text.endswith("Z"):
        text += "Z"
    return helsinki_date(text)


def _people(event: dict[str, Any], own: frozenset[str]) -> list[tuple[str, str]]:
    out = []
    for attendee in event.get("attendees") or []:
        address = attendee.get("emailAddress") or {}
        email = str(address.get("address") or "")
        if not email or attendee.get("type") == "resource" or email.casefold() in own:
            continue
        out.append((email, str(address.get("name") or "")))
    return out


def series_records(
    item_id: str,
    events: list[dict[str, Any]],
    master: dict[str, Any] | None,
    own: frozenset[str],
    row: int | None,
) -> list[dict[str, Any]]:
    """One raw record per attendee of an event or a series' occurrences."""
    live = [e for e in events if not e.get("isCancelled")]
    people: dict[str, str] = {}
    for event in live:
        for email, name in _people(event, own):
            people.setdefault(email.casefold(), name)
    dates = sorted(d for d in (_start(e) for e in live) if d is not None)
    if not people or not dates:
        return []
    first, last = dates[0], dates[-1]
    pattern = ((master or {}).get("recurrence") or {}).get("range") or {}
    ongoing = pattern.get("type") == "noEnd"
    if pattern.get("type") == "endDate" and pattern.get("endDate"):
        with contextlib.suppress(ValueError):
            last = max(last, date.fromisoformat(str(pattern["endDate"])[:10]))
    lead = master or live[0]
    subject = str(lead.get("subject") or "")
    preview = str(lead.get("bodyPreview") or "")
    texts = [subject, preview, *sorted(people), *sorted(n for n in people.values() if n)]
    return [
        {
            "record_id": f"{item_id}/{email}",
            "row": row,
            "name": name or None,
            "emails": [email],
            "event_date": first if ongoing else last,
            "end_date": None if ongoing else last,
            "status": "active" if ongoing else None,
            "label": f"{subject or NO_TITLE} {first.day}.{first.month}.{first.year}",
            "locator": {"id": item_id},
            "texts": texts,
            "categories": ["note"] if preview else [],
        }
        for email, name in sorted(people.items())
    ]


class CalendarClient:
    def __init__(self, api: GraphApi, options: GraphCalendarOptions) -> None:
        self.api = api
        self.options = options
        self.synced: dict[str, list[dict[str, Any]]] | None = None
        self.masters: dict[str, Any] = {}
        self._own: frozenset[str] | None = None

    def own(self) -> frozenset[str]:
        if self._own is None:
            me = self.api.request("GET", "/me", params={"$select": "mail,userPrincipalName"})
            self._own = frozenset(
                str(me.get(k) or "").casefold() for k in ("mail", "userPrincipalName") if me.get(k)
            )
        return self._own

    def sync(self, state: SyncState) -> dict[str, list[dict[str, Any]]]:
        """The events by series (or by id), the snapshot brought up to date."""
        snapshot = state.load(KEY)
        now = datetime.now(UTC)
        end_text = snapshot.extra.get("window_end")
        stale = not end_text or str(end_text) < f"{now + timedelta(days=365):%Y-%m-%d}"
        known: dict[str, dict[str, Any]] = {}
        masters: dict[str, Any] = {}
        try:
            if snapshot.cursor and not stale:
                changes, cursor = self.api.pages(snapshot.cursor)
                known, masters = dict(snapshot.items), dict(snapshot.extra.get("masters") or {})
                window_end = str(end_text)
            else:
                raise CursorExpired
        except CursorExpired:
            start = now - timedelta(days=365 * self.options.years_back)
            end = now + timedelta(days=365 * self.options.years_ahead)
            window_end = f"{end:%Y-%m-%d}"
            changes, cursor = self.api.pages(
                "/me/calendarView/delta",
                {
                    "startDateTime": f"{start:%Y-%m-%dT00:00:00Z}",
                    "endDateTime": f"{end:%Y-%m-%dT00:00:00Z}",
                },
            )
        for event in changes:
            if not event.get("id"):
                continue
            if "@removed" in event:
                known.pop(event["id"], None)
            else:
                known[event["id"]] = event
        by_item: dict[str, list[dict[str, Any]]] = {}
        for event_id, event in sorted(known.items()):
            by_item.setdefault(str(event.get("seriesMasterId") or event_id), []).append(event)
        for master_id, events in by_item.items():
            if any(e.get("seriesMasterId") for e in events) and master_id not in masters:
                master = self.api.get(
                    f"/me/events/{master_id}", {"$select": "id,subject,bodyPreview,recurrence"}
                )
                masters[master_id] = master
        masters = {k: v for k, v in masters.items() if k in by_item}
        state.save(KEY, Snapshot(cursor, known, {"window_end": window_end, "masters": masters}))
        self.masters = masters
        return by_item


@register
class GraphCalendarConnector(LiveConnector):
    name: ClassVar[str] = "graph_calendar"
    title: ClassVar[str] = "Outlook / Microsoft 365 calendar (live account)"
    default_kind: ClassVar[str] = "appointment"
    provider: ClassVar[str] = "microsoft"
    options_model: ClassVar[type[BaseModel]] = GraphCalendarOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.DELETE, Capability.REDACT}
    )
    removes_people: ClassVar[bool] = True

    def client(self, source: SourceSpec, options: Any) -> CalendarClient:
        return CalendarClient(graph_api(options.account, display_path(source.path)), options)

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        own = client.own()
        out: list[dict[str, Any]] = []
        for number, (item_id, events) in enumerate(client.sync(state).items(), 1):
            out += series_records(item_id, events, client.masters.get(item_id), own, number)
        return out

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        if client.synced is None:
            client.synced = client.sync(self.state(source))
        events = client.synced.get(item_id)
        if not events:
            return None
        body = client.api.get(f"/me/events/{item_id}", {"$select": "id,attendees"})
        if body is None:
            return None
        records = series_records(item_id, events, client.masters.get(item_id), client.own(), None)
        return Item(item_id, body, records) if records else None

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        client.api.request("DELETE", f"/me/events/{item.id}")
        return "event deleted"

    def redact(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        body = {
            "subject": REDACTED,
            "body": {"contentType": "text", "content": ""},
            "attendees": [],
        }
        client.api.request("PATCH", f"/me/events/{item.id}", body=body)
        return "event redacted (subject, body and attendees blanked)"

    def remove_people(
        self, client: Any, source: SourceSpec, options: Any, item: Item, emails: set[str]
    ) -> str:
        keep = [
            a
            for a in item.body.get("attendees") or []
            if str((a.get("emailAddress") or {}).get("address") or "").casefold() not in emails
        ]
        client.api.request("PATCH", f"/me/events/{item.id}", body={"attendees": keep})
        return "the approved attendees removed from the event (other attendees stay)"
