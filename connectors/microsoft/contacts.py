"""Outlook / Microsoft 365 contacts (Graph): ``graph_contacts``.

With ``options.folder`` (a contact folder id) the folder is read through its
delta query (``/me/contactFolders/{id}/contacts/delta``), following
``@odata.nextLink`` and keeping the ``@odata.deltaLink`` for the next run; a
contact with ``@removed`` leaves the snapshot, and a 410 means one full read.
Without a folder the default contacts (``/me/contacts``) are read in full.
One trace per contact; apply can delete an approved contact.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.retry import CursorExpired
from connectors.live.state import Snapshot, SyncState
from connectors.microsoft.client import GraphApi, graph_api

FIELDS = (
    "id,displayName,emailAddresses,businessPhones,homePhones,mobilePhone,homeAddress,"
    "businessAddress,otherAddress,birthday,personalNotes"
)
LABEL = "Outlook-yhteystieto / Outlook contact"


class GraphContactsOptions(LiveOptions):
    folder: str | None = Field(default=None, description="a contact folder id (delta reads)")


def contact_record(contact: dict[str, Any]) -> dict[str, Any]:
    emails = [
        str(e.get("address")) for e in contact.get("emailAddresses") or [] if e.get("address")
    ]
    phones = [*(contact.get("businessPhones") or []), *(contact.get("homePhones") or [])]
    if contact.get("mobilePhone"):
        phones.append(contact["mobilePhone"])
    addresses = [
        " ".join(str(v) for v in (contact.get(k) or {}).values() if v)
        for k in ("homeAddress", "businessAddress", "otherAddress")
    ]
    notes = str(contact.get("personalNotes") or "")
    categories = []
    if any(addresses):
        categories.append("address")
    if contact.get("birthday"):
        categories.append("birth_date")
    if notes:
        categories.append("note")
    name = contact.get("displayName") or None
    return {
        "record_id": str(contact["id"]),
        "name": name,
        "emails": emails,
        "phones": [str(p) for p in phones if p],
        "label": LABEL,
        "locator": {"id": str(contact["id"])},
        "texts": [name, *emails, *map(str, phones), notes, *addresses],
        "categories": categories,
    }


@register
class GraphContactsConnector(LiveConnector):
    name: ClassVar[str] = "graph_contacts"
    title: ClassVar[str] = "Outlook / Microsoft 365 contacts (live account)"
    default_kind: ClassVar[str] = "contact"
    provider: ClassVar[str] = "microsoft"
    options_model: ClassVar[type[BaseModel]] = GraphContactsOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DELETE})

    def client(self, source: SourceSpec, options: Any) -> GraphApi:
        return graph_api(options.account, display_path(source.path))

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        if options.folder is None:
            contacts, _ = client.pages("/me/contacts", {"$select": FIELDS, "$top": 200})
            return [contact_record(c) for c in contacts if c.get("id")]
        key = f"contacts-{options.folder}"
        snapshot = state.load(key)
        first = f"/me/contactFolders/{options.folder}/contacts/delta"
        known: dict[str, dict[str, Any]] = {}
        try:
            if snapshot.cursor:
                changes, cursor = client.pages(snapshot.cursor)
                known = dict(snapshot.items)
            else:
                changes, cursor = client.pages(first, {"$select": FIELDS})
        except CursorExpired:
            changes, cursor = client.pages(first, {"$select": FIELDS})
        for contact in changes:
            if not contact.get("id"):
                continue
            if "@removed" in contact:
                known.pop(contact["id"], None)
            else:
                known[contact["id"]] = contact
        state.save(key, Snapshot(cursor, known))
        return [contact_record(c) for _, c in sorted(known.items())]

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        contact = client.get(f"/me/contacts/{item_id}", {"$select": FIELDS})
        if contact is None:
            return None
        return Item(item_id, contact, [contact_record(contact)])

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        client.request("DELETE", f"/me/contacts/{item.id}")
        return "contact deleted"
