"""Google Calendar (Calendar API v3): ``google_calendar``.

``events.list`` on the calendar named in the source (``options.calendar``,
default ``primary``), with paging and a sync token (``showDeleted`` so that a
later run learns what was cancelled; a 410 ``fullSyncRequired`` means one full
read). Recurring events are read as series (``singleEvents=false``): a series
is one trace per attendee whose date is its *last* occurrence, with the
rule, its cancelled occurrences and its moved ones applied
(:func:`connectors.ics_series.series_dates`, the same rules as ``.ics``
exports); a series with no end is ongoing (the first occurrence, status
active). Attendees are the identities; the owner (``self``, the organiser
when it is the owner) and rooms are not data subjects. An event nobody
attends is not a trace.

Apply can delete an event, redact it (summary, description and attendees
blanked) or, when the event has other people whose rows were not approved,
remove only the approved attendees. Invitations are never sent
(``sendUpdates=none``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.errors import RowError
from connectors.google.client import CursorExpired, GoogleApi, google_api
from connectors.ics_series import Schedule, series_dates
from connectors.ics_values import TimeReader, split_line
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.records import NO_TITLE
from connectors.live.state import Snapshot, SyncState

PAGE_SIZE = 2500
REDACTED = "(poistettu / removed)"


class CalendarOptions(LiveOptions):
    calendar: str = Field(default="primary", description="the calendar id ('primary' = own)")


def _ical_time(start: dict[str, Any]) -> str:
    """DTSTART-style ``;VALUE=DATE:20260304`` or ``;TZID=Zone:20260304T100000``."""
    if start.get("date"):
        return ";VALUE=DATE:" + str(start["date"]).replace("-", "")
    text = str(start.get("dateTime") or "")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    zone_name = start.get("timeZone") or "Europe/Helsinki"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = "Europe/Helsinki", ZoneInfo("Europe/Helsinki")
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f";TZID={zone_name}:{moment:%Y%m%dT%H%M%S}"


def _schedule(event: dict[str, Any], exdates: list[str], times: TimeReader) -> Schedule:
    """The event's schedule, read by the same rules as an ``.ics`` export's VEVENT.

    Google gives the recurrence as iCalendar lines (``RRULE:...``,
    ``EXDATE;TZID=...:...``, ``RDATE;VALUE=DATE:...``).
    """

    def times_of(text: str) -> list[Any]:
        _, params, value = split_line(text)
        return times.many(value, params)

    schedule = Schedule(times_of("DTSTART" + _ical_time(event["start"]))[0])
    original = event.get("originalStartTime")
    if original:
        schedule.recurrence_id = times_of("RECURRENCE-ID" + _ical_time(original))[0]
    for line in [*(str(rule) for rule in event.get("recurrence") or []), *exdates]:
        name, params, value = split_line(line)
        if name == "RRULE" and value.strip():
            schedule.rrules.append(value)
        elif name in ("EXDATE", "RDATE"):
            target = schedule.exdates if name == "EXDATE" else schedule.rdates
            target.extend(times.many(value, params))
    return schedule


def _people(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(e-mail, name) of the attendees who are data subjects."""
    organizer = event.get("organizer") or {}
    owner = organizer.get("email", "").casefold() if organizer.get("self") else ""
    out = []
    for attendee in event.get("attendees") or []:
        email = str(attendee.get("email") or "")
        if not email or attendee.get("self") or attendee.get("resource"):
            continue
        if email.casefold() == owner:
            continue
        out.append((email, str(attendee.get("displayName") or "")))
    return out


def series_records(master_id: str, events: list[dict[str, Any]], row: int | None) -> list[dict]:
    """One raw record per attendee of one event or series (master + its instances)."""
    master = next((e for e in events if e.get("id") == master_id), None)
    live = [e for e in events if e.get("status") != "cancelled"]
    if master is None or master.get("status") == "cancelled" or not master.get("start"):
        return []
    people: dict[str, str] = {}
    for event in live:
        for email, name in _people(event):
            people.setdefault(email.casefold(), name)
    if not people:
        return []
    exdates = [
        "EXDATE" + _ical_time(e["originalStartTime"])
        for e in events
        if e is not master and e.get("status") == "cancelled" and e.get("originalStartTime")
    ]
    try:
        times = TimeReader()
        schedules = [_schedule(master, exdates, times)]
        schedules += [
            _schedule(e, [], times)
            for e in live
            if e is not master and e.get("originalStartTime") and e.get("start")
        ]
        dates = series_dates(schedules)
    except (RowError, ValueError, KeyError, IndexError):
        dates = None
    summary = str(master.get("summary") or "")
    description = str(master.get("description") or "")
    label = summary or NO_TITLE
    if dates is not None:
        label = f"{label} {dates.first.day}.{dates.first.month}.{dates.first.year}"
    texts = [summary, description, *sorted(people), *sorted(n for n in people.values() if n)]
    for event in live:
        if event is not master:
            texts += [str(event.get("summary") or ""), str(event.get("description") or "")]
    return [
        {
            "record_id": f"{master_id}/{email}",
            "row": row,
            "name": name or None,
            "emails": [email],
            "event_date": None if dates is None else (dates.first if dates.ongoing else dates.last),
            "end_date": None if dates is None else dates.last,
            "status": "active" if dates is not None and dates.ongoing else None,
            "label": label,
            "locator": {"id": master_id},
            "texts": texts,
            "categories": ["note"] if description else [],
        }
        for email, name in sorted(people.items())
    ]


def groups(events: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Events by series: a master with its instances (exceptions, cancellations)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for event_id, event in sorted(events.items()):
        out.setdefault(str(event.get("recurringEventId") or event_id), []).append(event)
    return out


class CalendarClient:
    """The Calendar API of one account and calendar; syncs at most once per write."""

    def __init__(self, api: GoogleApi, calendar: str) -> None:
        self.api = api
        self.calendar = calendar
        self.synced: dict[str, list[dict[str, Any]]] | None = None

    def sync(self, state: SyncState) -> dict[str, dict[str, Any]]:
        key = f"calendar-{self.calendar}"
        snapshot = state.load(key)
        events = self.api.service.events()
        params = {
            "calendarId": self.calendar,
            "singleEvents": False,
            "showDeleted": True,
            "maxResults": PAGE_SIZE,
        }

        def run(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            extra = {"syncToken": cursor} if cursor else {}
            items, last = self.api.pages(events.list, "items", **params, **extra)
            return items, last.get("nextSyncToken")

        known: dict[str, dict[str, Any]] = {}
        if snapshot.cursor:
            try:
                changes, cursor = run(snapshot.cursor)
                known = dict(snapshot.items)
            except CursorExpired:
                changes, cursor = run(None)
        else:
            changes, cursor = run(None)
        for event in changes:
            event_id = event.get("id")
            if not event_id:
                continue
            if event.get("status") == "cancelled" and not event.get("recurringEventId"):
                known.pop(event_id, None)
                # a cancelled series takes its instances with it
                known = {k: v for k, v in known.items() if v.get("recurringEventId") != event_id}
            else:
                known[event_id] = event
        state.save(key, Snapshot(cursor, known))
        return known


@register
class GoogleCalendarConnector(LiveConnector):
    """A Google calendar's events as appointments, one trace per attendee."""

    name: ClassVar[str] = "google_calendar"
    title: ClassVar[str] = "Google Calendar (live account)"
    default_kind: ClassVar[str] = "appointment"
    provider: ClassVar[str] = "google"
    options_model: ClassVar[type[BaseModel]] = CalendarOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.DELETE, Capability.REDACT}
    )
    removes_people: ClassVar[bool] = True

    def client(self, source: SourceSpec, options: Any) -> CalendarClient:
        api = google_api("calendar", "v3", options.account, display_path(source.path))
        return CalendarClient(api, options.calendar)

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for number, (master_id, events) in enumerate(groups(client.sync(state)).items(), 1):
            out += series_records(master_id, events, number)
        return out

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        if client.synced is None:
            client.synced = groups(client.sync(self.state(source)))
        events = client.synced.get(item_id)
        if not events:
            return None
        master = next((e for e in events if e.get("id") == item_id), events[0])
        records = series_records(item_id, events, None)
        return Item(item_id, master, records) if records else None

    def _patch(self, client: Any, item: Item, body: dict[str, Any]) -> None:
        request = client.api.service.events().patch(
            calendarId=client.calendar, eventId=item.id, body=body, sendUpdates="none"
        )
        client.api.call(request)

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        request = client.api.service.events().delete(
            calendarId=client.calendar, eventId=item.id, sendUpdates="none"
        )
        client.api.call(request)
        return "event deleted"

    def redact(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        self._patch(client, item, {"summary": REDACTED, "description": "", "attendees": []})
        return "event redacted (title, description and attendees blanked)"

    def remove_people(
        self, client: Any, source: SourceSpec, options: Any, item: Item, emails: set[str]
    ) -> str:
        keep = [
            a
            for a in item.body.get("attendees") or []
            if str(a.get("email") or "").casefold() not in emails
        ]
        self._patch(client, item, {"attendees": keep})
        return "the approved attendees removed from the event (other attendees stay)"
