"""Outlook / Microsoft 365 mail (Graph), metadata only: ``graph_mail``.

``/me/messages`` with ``$select`` of the sender, the recipients and the dates
only (the ``Mail.ReadBasic`` permission cannot read a body), messages of the
last ``days`` days (``$filter`` on receivedDateTime), newest first, at most
``max_messages`` (more is a warning naming the limit). Messages in Deleted
Items are left out. One trace per (message, counterpart address), as for
Gmail (:func:`connectors.live.records.mail_records`).

Apply moves an approved message to Deleted Items (recoverable there until the
folder is emptied); a message that also concerns people whose rows were not
approved is left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from connectors.base import Capability, ProblemLog, SourceSpec, display_path, register
from connectors.live.connector import Item, LiveConnector, LiveOptions
from connectors.live.records import helsinki_date, mail_records
from connectors.live.state import SyncState
from connectors.microsoft.client import GraphApi, graph_api

FIELDS = "id,receivedDateTime,sentDateTime,from,toRecipients,ccRecipients,parentFolderId"
MOVED = "moved to Deleted Items (recoverable there until the folder is emptied)"


class GraphMailOptions(LiveOptions):
    days: int = Field(default=3650, ge=1, le=36500, description="how many days back")
    max_messages: int = Field(default=5000, ge=1, le=200_000)
    own_addresses: list[str] = Field(default_factory=list)


class MailClient:
    def __init__(self, api: GraphApi, options: GraphMailOptions) -> None:
        self.api = api
        self.options = options
        self._own: frozenset[str] | None = None
        self._trash: str | None = None

    def own(self) -> frozenset[str]:
        if self._own is None:
            me = self.api.request("GET", "/me", params={"$select": "mail,userPrincipalName"})
            found = {str(me.get(k) or "").casefold() for k in ("mail", "userPrincipalName")}
            found |= {a.casefold() for a in self.options.own_addresses}
            self._own = frozenset(a for a in found if a)
        return self._own

    def trash(self) -> str:
        if self._trash is None:
            folder = self.api.request(
                "GET", "/me/mailFolders/deleteditems", params={"$select": "id"}
            )
            self._trash = str(folder.get("id") or "deleteditems")
        return self._trash


def message_records(message: dict[str, Any], own: frozenset[str], row: int | None) -> list:
    people = []
    for who in [message.get("from"), *(message.get("toRecipients") or []),
                *(message.get("ccRecipients") or [])]:  # fmt: skip
        address = (who or {}).get("emailAddress") or {}
        if address.get("address"):
            people.append((str(address.get("name") or ""), str(address["address"])))
    when = helsinki_date(message.get("receivedDateTime") or message.get("sentDateTime"))
    return mail_records(str(message["id"]), when, people, own, row=row)


@register
class GraphMailConnector(LiveConnector):
    name: ClassVar[str] = "graph_mail"
    title: ClassVar[str] = "Outlook / Microsoft 365 mail (live account, headers only)"
    default_kind: ClassVar[str] = "message"
    provider: ClassVar[str] = "microsoft"
    options_model: ClassVar[type[BaseModel]] = GraphMailOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DELETE})

    def client(self, source: SourceSpec, options: Any) -> MailClient:
        return MailClient(graph_api(options.account, display_path(source.path)), options)

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        since = datetime.now(UTC) - timedelta(days=options.days)
        params = {
            "$select": FIELDS,
            "$filter": f"receivedDateTime ge {since:%Y-%m-%dT%H:%M:%SZ}",
            "$orderby": "receivedDateTime desc",
            "$top": 200,
        }
        messages: list[dict[str, Any]] = []
        url: str = "/me/messages"
        query: dict[str, Any] | None = params
        while len(messages) < options.max_messages:
            page = client.api.request("GET", url, params=query)
            messages.extend(page.get("value") or [])
            following = page.get("@odata.nextLink")
            if not following:
                break
            url, query = str(following), None
        else:
            log.add(
                None,
                "max_messages",
                "",
                role="other",
                severity="warning",
                code="max_messages",
                limit=options.max_messages,
            )
        trash, own = client.trash(), client.own()
        out: list[dict[str, Any]] = []
        for number, message in enumerate(messages[: options.max_messages], 1):
            if message.get("id") and message.get("parentFolderId") != trash:
                out += message_records(message, own, number)
        return out

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        message = client.api.get(f"/me/messages/{item_id}", {"$select": FIELDS})
        if message is None or message.get("parentFolderId") == client.trash():
            return None
        return Item(item_id, message, message_records(message, client.own(), None))

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        client.api.request(
            "POST", f"/me/messages/{item.id}/move", body={"destinationId": "deleteditems"}
        )
        return MOVED
