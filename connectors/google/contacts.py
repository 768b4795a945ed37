"""Google contacts (People API): ``google_contacts`` and ``google_other_contacts``.

``people.connections.list`` is read with paging and a sync token: the first
run reads every contact and keeps a snapshot (:mod:`connectors.live.state`);
later runs ask only what changed since, and a person with
``metadata.deleted`` leaves the snapshot. An expired sync token (an
``ErrorInfo`` with reason ``EXPIRED_SYNC_TOKEN``) means one full read.

"Other contacts" (addresses Gmail saved from mail) are read the same way
through ``otherContacts.list``; Google's API cannot delete them, so they have
no capability and apply puts them on the checklist ("delete it in Google
Contacts, Other contacts").

One trace per contact: the name, every e-mail address and phone number; an
address, a birthday or a note is a found category. A contact has no date of
its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.google.client import CursorExpired, GoogleApi, google_api
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.state import Snapshot, SyncState

PERSON_FIELDS = "names,emailAddresses,phoneNumbers,addresses,birthdays,biographies,metadata"
OTHER_FIELDS = "names,emailAddresses,phoneNumbers,metadata"
PAGE_SIZE = 1000
CONTACT_LABEL = "Google-yhteystieto / Google contact"
OTHER_LABEL = (
    "Googlen muu yhteystieto (ei poistettavissa rajapinnan kautta) / "
    "Google other contact (cannot be deleted through the API)"
)


def person_record(person: dict[str, Any], label: str) -> dict[str, Any]:
    """The raw record of one People API person."""
    names = person.get("names") or []
    name = next((n.get("displayName") for n in names if n.get("displayName")), None)
    emails = [e["value"] for e in person.get("emailAddresses") or [] if e.get("value")]
    phones = [
        p.get("canonicalForm") or p.get("value")
        for p in person.get("phoneNumbers") or []
        if p.get("canonicalForm") or p.get("value")
    ]
    notes = [b["value"] for b in person.get("biographies") or [] if b.get("value")]
    addresses = [
        a.get("formattedValue") or a.get("streetAddress") or ""
        for a in person.get("addresses") or []
    ]
    categories = []
    if any(addresses):
        categories.append("address")
    if person.get("birthdays"):
        categories.append("birth_date")
    if notes:
        categories.append("note")
    resource = str(person["resourceName"])
    return {
        "record_id": resource,
        "name": name,
        "emails": emails,
        "phones": phones,
        "label": label,
        "locator": {"id": resource},
        "texts": [name, *emails, *phones, *notes, *addresses],
        "categories": categories,
    }


def synced_people(
    api: GoogleApi,
    state: SyncState,
    key: str,
    make: Callable[..., Any],
    items_key: str,
    params: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Every person of a People API list, incrementally where a sync token allows."""
    snapshot = state.load(key)

    def run(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        extra = {"syncToken": cursor} if cursor else {}
        items, last = api.pages(make, items_key, **params, requestSyncToken=True, **extra)
        return items, last.get("nextSyncToken")

    people: dict[str, dict[str, Any]] = {}
    if snapshot.cursor:
        try:
            changes, cursor = run(snapshot.cursor)
            people = dict(snapshot.items)
        except CursorExpired:
            changes, cursor = run(None)
    else:
        changes, cursor = run(None)
    for person in changes:
        resource = person.get("resourceName")
        if not resource:
            continue
        if (person.get("metadata") or {}).get("deleted"):
            people.pop(resource, None)
        else:
            people[resource] = person
    state.save(key, Snapshot(cursor, people))
    return people


@register
class GoogleContactsConnector(LiveConnector):
    """The account's Google contacts; apply can delete an approved contact."""

    name: ClassVar[str] = "google_contacts"
    title: ClassVar[str] = "Google contacts (live account)"
    default_kind: ClassVar[str] = "contact"
    provider: ClassVar[str] = "google"
    options_model: ClassVar[type[BaseModel]] = LiveOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DELETE})

    def client(self, source: SourceSpec, options: Any) -> GoogleApi:
        return google_api("people", "v1", options.account, display_path(source.path))

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        connections = client.service.people().connections()
        people = synced_people(
            client,
            state,
            "contacts",
            connections.list,
            "connections",
            {"resourceName": "people/me", "personFields": PERSON_FIELDS, "pageSize": PAGE_SIZE},
        )
        return [person_record(p, CONTACT_LABEL) for _, p in sorted(people.items())]

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        person = client.get(
            client.service.people().get(resourceName=item_id, personFields=PERSON_FIELDS)
        )
        if person is None:
            return None
        return Item(item_id, person, [person_record(person, CONTACT_LABEL)])

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        client.call(client.service.people().deleteContact(resourceName=item.id))
        return "contact deleted"


@register
class GoogleOtherContactsConnector(LiveConnector):
    """'Other contacts' Gmail saved; Google's API cannot delete them (checklist)."""

    name: ClassVar[str] = "google_other_contacts"
    title: ClassVar[str] = "Google other contacts (live account, read only)"
    default_kind: ClassVar[str] = "contact"
    provider: ClassVar[str] = "google"
    options_model: ClassVar[type[BaseModel]] = LiveOptions

    def client(self, source: SourceSpec, options: Any) -> GoogleApi:
        return google_api("people", "v1", options.account, display_path(source.path))

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        people = synced_people(
            client,
            state,
            "other-contacts",
            client.service.otherContacts().list,
            "otherContacts",
            {"readMask": OTHER_FIELDS, "pageSize": PAGE_SIZE},
        )
        return [person_record(p, OTHER_LABEL) for _, p in sorted(people.items())]
