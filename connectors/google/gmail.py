"""Gmail (Gmail API), metadata only: ``gmail``.

Which messages: those with one of the source's labels (``options.labels``,
default inbox and sent), newest first, at most ``max_messages`` (more is a
warning that names the limit, never silence). Of each message only the
headers From, To, Cc and Date are read (``format=metadata``; the
``gmail.metadata`` scope cannot read a body at all). One trace per
(message, counterpart address) with the message's date and the address as
its e-mail key: the engine joins it to a customer by that key. The account's
own addresses are not counterparts.

Incremental: the snapshot keeps each message's date and addresses; a later
run lists the ids again (cheap) and fetches headers only for new messages.

Apply moves an approved message to the trash (``messages.trash``): Gmail
keeps it there for 30 days, recoverable, and empties it after. A message
that also concerns people whose rows were not approved is left alone.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.google.client import GoogleApi, google_api
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.records import header_addresses, header_date, mail_records, millis_date
from connectors.live.state import Snapshot, SyncState

HEADERS = ["From", "To", "Cc", "Date"]
PAGE_SIZE = 500
TRASHED = "moved to the trash (recoverable in Gmail for 30 days)"


class GmailOptions(LiveOptions):
    labels: list[str] = Field(default_factory=lambda: ["INBOX", "SENT"], min_length=1)
    max_messages: int = Field(default=5000, ge=1, le=200_000)
    #: the owner's other addresses (aliases) that are not counterparts
    own_addresses: list[str] = Field(default_factory=list)


def message_summary(message: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot keeps of a message: its date and its addresses (no subject, no body)."""
    headers = {
        str(h.get("name", "")).casefold(): str(h.get("value", ""))
        for h in (message.get("payload") or {}).get("headers") or []
    }
    when = millis_date(message.get("internalDate")) or header_date(headers.get("date"))
    people = header_addresses([headers.get("from"), headers.get("to"), headers.get("cc")])
    return {"date": when.isoformat() if when else None, "people": [list(p) for p in people]}


def summary_records(message_id: str, kept: dict[str, Any], own: frozenset[str], row: int | None):
    from datetime import date

    when = date.fromisoformat(kept["date"]) if kept.get("date") else None
    people = [(str(n), str(a)) for n, a in kept.get("people") or []]
    return mail_records(message_id, when, people, own, row=row)


class GmailClient:
    def __init__(self, api: GoogleApi, options: GmailOptions) -> None:
        self.api = api
        self.options = options
        self._own: frozenset[str] | None = None

    def own(self) -> frozenset[str]:
        if self._own is None:
            profile = self.api.call(self.api.service.users().getProfile(userId="me"))
            found = {str(profile.get("emailAddress") or "").casefold()}
            found |= {a.casefold() for a in self.options.own_addresses}
            self._own = frozenset(a for a in found if a)
        return self._own

    def get(self, message_id: str) -> dict[str, Any] | None:
        request = (
            self.api.service.users()
            .messages()
            .get(userId="me", id=message_id, format="metadata", metadataHeaders=HEADERS)
        )
        return self.api.get(request)


@register
class GmailConnector(LiveConnector):
    """Messages to and from customers, as traces with the message date (headers only)."""

    name: ClassVar[str] = "gmail"
    title: ClassVar[str] = "Gmail (live account, headers only)"
    default_kind: ClassVar[str] = "message"
    provider: ClassVar[str] = "google"
    options_model: ClassVar[type[BaseModel]] = GmailOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DELETE})

    def client(self, source: SourceSpec, options: Any) -> GmailClient:
        return GmailClient(
            google_api("gmail", "v1", options.account, display_path(source.path)), options
        )

    def _ids(self, client: GmailClient, log: ProblemLog) -> list[str]:
        messages = client.api.service.users().messages()
        seen: dict[str, None] = {}
        limit = client.options.max_messages
        for label in client.options.labels:
            token: str | None = None
            while len(seen) < limit:
                extra = {"pageToken": token} if token else {}
                page = client.api.call(
                    messages.list(userId="me", labelIds=[label], maxResults=PAGE_SIZE, **extra)
                )
                for message in page.get("messages") or []:
                    seen.setdefault(str(message["id"]), None)
                token = page.get("nextPageToken")
                if not token:
                    break
            if len(seen) >= limit and token:
                log.add(
                    None,
                    "max_messages",
                    "",
                    role="other",
                    severity="warning",
                    code="max_messages",
                    limit=limit,
                )
                break
        return list(seen)[:limit]

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        snapshot = state.load("gmail")
        own = client.own()
        kept: dict[str, dict[str, Any]] = {}
        for message_id in self._ids(client, log):
            known = snapshot.items.get(message_id)
            if known is None:
                message = client.get(message_id)
                if message is None:
                    continue  # deleted between the listing and now
                known = message_summary(message)
            kept[message_id] = known
        state.save("gmail", Snapshot(None, kept))
        out: list[dict[str, Any]] = []
        for number, (message_id, summary) in enumerate(sorted(kept.items()), 1):
            out += summary_records(message_id, summary, own, number)
        return out

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        message = client.get(item_id)
        if message is None or "TRASH" in (message.get("labelIds") or []):
            return None
        records = summary_records(item_id, message_summary(message), client.own(), None)
        return Item(item_id, message, records)

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        client.api.call(client.api.service.users().messages().trash(userId="me", id=item.id))
        return TRASHED
