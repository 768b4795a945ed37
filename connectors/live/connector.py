"""The base class of the live connectors (Google, Microsoft 365).

A live source's ``path`` is its state folder (:mod:`connectors.live.state`),
its ``options.account`` names the account ``karsinta auth`` connected (the
tokens live outside the workspace). Reading is incremental where the provider
allows it; :meth:`LiveConnector.write` carries out approved requests item by
item, each one only after the item was read again and its records are still
the ones the owner approved.

An item (an event, a message) may carry several people's traces. It is
deleted or redacted as a whole only when every one of them is approved in
the batch; otherwise a calendar event loses only the approved attendees and
a message is left alone (the result says why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from connectors.base import (
    Capability,
    Connector,
    ProblemLog,
    SourceSpec,
    WriteRequest,
    WriteResult,
    display_path,
)
from connectors.errors import SourceError
from connectors.keyed import Hasher
from connectors.live.records import match_requests
from connectors.live.state import SyncState

ACCOUNT_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class LiveOptions(BaseModel):
    """Options every live source has: the account ``karsinta auth`` connected."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field(pattern=ACCOUNT_PATTERN, description="the name given to `karsinta auth`")


class Item:
    """One item of a live source as read again for a write: its raw records and body."""

    def __init__(self, item_id: str, body: Mapping[str, Any], records: list[dict[str, Any]]):
        self.id = item_id
        self.body = body
        self.records = records


class LiveConnector(Connector):
    """What the Google and Microsoft connectors share: state, sniffing, writes."""

    provider: ClassVar[str]
    #: the account keeps its state in the source's folder, made on first read
    keeps_state: ClassVar[bool] = True
    #: a partial change removes only the approved people (calendar) instead of refusing
    removes_people: ClassVar[bool] = False

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        return 0  # an account, never a file to detect

    def state(self, source: SourceSpec) -> SyncState:
        state = SyncState(source.path, display_path(source.path))
        state.prepare()
        return state

    # ---------------------------------------------------------------- reading

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> list[dict[str, Any]]:
        client = self.client(source, options)
        return self.read(client, self.state(source), source, options, log)

    def client(self, source: SourceSpec, options: Any) -> Any:
        """The provider client for this source's account."""
        raise NotImplementedError

    def read(
        self, client: Any, state: SyncState, source: SourceSpec, options: Any, log: ProblemLog
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    # ---------------------------------------------------------------- writing

    def fetch(self, client: Any, source: SourceSpec, options: Any, item_id: str) -> Item | None:
        """The item as it is now (None when it is gone)."""
        raise NotImplementedError

    def delete(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        """Delete (or trash) the item; the result text (no values)."""
        raise NotImplementedError

    def redact(self, client: Any, source: SourceSpec, options: Any, item: Item) -> str:
        """Blank the item's personal fields; the result text."""
        raise NotImplementedError

    def remove_people(
        self, client: Any, source: SourceSpec, options: Any, item: Item, emails: set[str]
    ) -> str:
        """Remove only these people from the item; the result text."""
        raise NotImplementedError

    def write(
        self, source: SourceSpec, options: Any, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        """Carry out each approved request on an item that still matches; one result each."""
        client = self.client(source, options)
        grouped: dict[str, list[WriteRequest]] = defaultdict(list)
        results: list[WriteResult] = []
        for request in requests:
            item_id = str(request.locator.get("id") or "")
            if not item_id:
                results.append(WriteResult(request.trace_id, False, "the request names no item"))
            else:
                grouped[item_id].append(request)
        for item_id, batch in grouped.items():
            results.extend(self._write_item(client, source, options, item_id, batch, ids))
        return results

    def _write_item(
        self,
        client: Any,
        source: SourceSpec,
        options: Any,
        item_id: str,
        batch: list[WriteRequest],
        ids: Hasher,
    ) -> list[WriteResult]:
        def all_failed(message: str) -> list[WriteResult]:
            return [WriteResult(r.trace_id, False, message) for r in batch]

        try:
            item = self.fetch(client, source, options, item_id)
        except SourceError as exc:
            return all_failed(exc.message)
        if item is None:
            return all_failed("the record is no longer there")
        verdict, others = match_requests(item.records, batch, source.id, ids)
        good = [r for r in batch if verdict[r.trace_id] is None]
        out = [
            WriteResult(r.trace_id, False, str(verdict[r.trace_id]))
            for r in batch
            if verdict[r.trace_id] is not None
        ]
        if not good:
            return out
        whole = not others and len(good) == len(batch)
        try:
            if whole:
                deleting = any(r.action == "delete" for r in good)
                if deleting and Capability.DELETE in self.capabilities:
                    message = self.delete(client, source, options, item)
                elif Capability.REDACT in self.capabilities:
                    message = self.redact(client, source, options, item)
                else:
                    return out + [
                        WriteResult(r.trace_id, False, "this source can only delete") for r in good
                    ]
            elif self.removes_people:
                emails = _emails_of(item.records, {r.trace_id for r in good}, source.id, ids)
                message = self.remove_people(client, source, options, item, emails)
            else:
                return out + [
                    WriteResult(
                        r.trace_id,
                        False,
                        "the item also concerns people whose rows were not approved; left alone",
                    )
                    for r in good
                ]
        except SourceError as exc:
            return out + [WriteResult(r.trace_id, False, exc.message) for r in good]
        return out + [WriteResult(r.trace_id, True, message) for r in good]


def _emails_of(
    records: list[dict[str, Any]], trace_ids: set[str], source_id: str, ids: Hasher
) -> set[str]:
    emails: set[str] = set()
    for record in records:
        if ids.trace_id(source_id, str(record["record_id"])) in trace_ids:
            emails |= {str(e).casefold() for e in record.get("emails") or []}
    return emails


__all__ = ["Item", "LiveConnector", "LiveOptions"]
