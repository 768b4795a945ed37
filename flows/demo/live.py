"""A Microsoft 365 account served by a local test server, for the demo and the tests.

:class:`FakeGraph` is a small Microsoft Graph on ``127.0.0.1``: contacts (a
list and a folder's delta query), a calendar view with delta, series
masters, mail, and the writes apply makes (delete a contact or an event,
patch an event, move a message to Deleted Items). Lists are paged
(``@odata.nextLink`` with a ``$skiptoken``) and delta reads end with an
``@odata.deltaLink`` whose token is the server's change counter, so an
incremental read gets only what changed (deleted items as ``@removed``).
Faults can be queued (``fail``): a status with headers for the next matching
requests, as a throttled or failing service gives them. Every request is
logged (method, path, query) so a test can assert what was asked.

:func:`serving` starts it and injects it for an account
(:mod:`connectors.live.transport`), so ``karsinta demo`` shows a live source
without a network or an account.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.live.retry import RetryPolicy
from connectors.live.transport import Transport, inject

PAGE = 2
TRASH_ID = "deleteditems-folder"
COLLECTIONS = {"contacts": "contacts", "events": "events", "messages": "messages"}


@dataclass
class Fault:
    method: str
    path: str
    status: int
    headers: dict[str, str]
    times: int
    body: dict[str, Any] = field(default_factory=dict)


class FakeGraph:
    """The account's data, its change counter and its request log."""

    def __init__(self, owner: str = "omistaja@example.fi") -> None:
        self.owner = owner
        self.items: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}
        self.version: dict[str, dict[str, int]] = {c: {} for c in COLLECTIONS}
        self.removed: dict[str, dict[str, int]] = {c: {} for c in COLLECTIONS}
        self.masters: dict[str, dict[str, Any]] = {}
        self.counter = 1
        self.oldest_token = 0
        self.log: list[tuple[str, str, dict[str, list[str]]]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------- the data

    def put(self, collection: str, item: dict[str, Any]) -> None:
        with self.lock:
            self.counter += 1
            self.items[collection][item["id"]] = copy.deepcopy(item)
            self.version[collection][item["id"]] = self.counter
            self.removed[collection].pop(item["id"], None)

    def remove(self, collection: str, item_id: str) -> bool:
        with self.lock:
            if item_id not in self.items[collection]:
                return False
            self.counter += 1
            del self.items[collection][item_id]
            self.removed[collection][item_id] = self.counter
            return True

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        headers: dict[str, str] | None = None,
        times: int = 1,
        code: str | None = None,
    ) -> None:
        """The next ``times`` requests whose path starts with ``path`` get ``status``."""
        body = {"error": {"code": code or f"Http{status}", "message": "test fault"}}
        self.faults.append(Fault(method, path, status, headers or {}, times, body))

    def forget_delta_tokens(self) -> None:
        """Every delta token given so far is no longer known (410 SyncStateNotFound)."""
        self.oldest_token = self.counter + 1

    @property
    def base(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/v1.0"

    # ------------------------------------------------------------- serving

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _send(
                self, status: int, body: Any = None, headers: dict[str, str] | None = None
            ) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                fake.log.append((method, parts.path, query))
                if self.headers.get("Authorization") != "Bearer test-token":
                    self._send(401, {"error": {"code": "InvalidAuthenticationToken"}})
                    return
                for fault in fake.faults:
                    if (
                        fault.times > 0
                        and fault.method == method
                        and parts.path.startswith("/v1.0" + fault.path)
                    ):
                        fault.times -= 1
                        self._send(fault.status, fault.body, fault.headers)
                        return
                status, answer = fake.route(method, parts.path.removeprefix("/v1.0"), query, body)
                self._send(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def transport(self) -> Transport:
        import requests

        return Transport(
            root=self.base,
            session=requests.Session(),
            token=lambda: "test-token",
            retry=RetryPolicy(attempts=3, sleep=lambda _: None),
        )

    # ------------------------------------------------------------- routes

    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        segments = [s for s in path.split("/") if s]
        with self.lock:
            if segments == ["me"]:
                return 200, {"mail": self.owner, "userPrincipalName": self.owner}
            if segments == ["me", "mailFolders", "deleteditems"]:
                return 200, {"id": TRASH_ID}
            if segments[:2] == ["me", "contactFolders"] and segments[-1] == "delta":
                return self._delta("contacts", path, query)
            if segments == ["me", "calendarView", "delta"]:
                return self._delta("events", path, query)
            if segments == ["me", "contacts"]:
                return self._list("contacts", path, query)
            if segments == ["me", "messages"]:
                items = {k: v for k, v in self.items["messages"].items()}
                return self._page(list(items.values()), path, query)
            if len(segments) >= 3 and segments[1] in ("contacts", "events", "messages"):
                return self._item(method, segments[1], segments[2], segments[3:], body)
        return 404, {"error": {"code": "ResourceNotFound"}}

    def _page(
        self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]
    ) -> tuple[int, Any]:
        skip = int((query.get("$skiptoken") or ["0"])[0])
        page = items[skip : skip + PAGE]
        answer: dict[str, Any] = {"value": copy.deepcopy(page)}
        if skip + PAGE < len(items):
            answer["@odata.nextLink"] = f"{self.base}{path}?$skiptoken={skip + PAGE}"
        return 200, answer

    def _list(self, collection: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        return self._page(list(self.items[collection].values()), path, query)

    def _delta(self, collection: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        token = query.get("$deltatoken")
        since = int(token[0]) if token else 0
        if token and since < self.oldest_token:
            return 410, {"error": {"code": "SyncStateNotFound", "message": "resync"}}
        changed = [
            item for key, item in self.items[collection].items()
            if self.version[collection][key] > since
        ]  # fmt: skip
        changed += [
            {"id": key, "@removed": {"reason": "deleted"}}
            for key, at in self.removed[collection].items()
            if since and at > since
        ]
        skip = int((query.get("$skiptoken") or ["0"])[0])
        page = changed[skip : skip + PAGE]
        answer: dict[str, Any] = {"value": copy.deepcopy(page)}
        if skip + PAGE < len(changed):
            extra = f"&$deltatoken={since}" if token else ""
            answer["@odata.nextLink"] = f"{self.base}{path}?$skiptoken={skip + PAGE}{extra}"
        else:
            answer["@odata.deltaLink"] = f"{self.base}{path}?$deltatoken={self.counter}"
        return 200, answer

    def _item(
        self, method: str, collection: str, item_id: str, rest: list[str], body: Any
    ) -> tuple[int, Any]:
        items = self.items[collection]
        if collection == "events" and item_id in self.masters and method == "GET":
            return 200, copy.deepcopy(self.masters[item_id])
        if collection == "events" and item_id in self.masters and method == "DELETE":
            del self.masters[item_id]
            for key in [k for k, v in items.items() if v.get("seriesMasterId") == item_id]:
                self._drop(collection, key)
            return 204, None
        if item_id not in items:
            return 404, {"error": {"code": "ErrorItemNotFound"}}
        if method == "GET":
            return 200, copy.deepcopy(items[item_id])
        if method == "DELETE":
            self._drop(collection, item_id)
            return 204, None
        if method == "PATCH":
            items[item_id].update(body or {})
            self.counter += 1
            self.version[collection][item_id] = self.counter
            return 200, copy.deepcopy(items[item_id])
        if method == "POST" and rest == ["move"]:
            items[item_id]["parentFolderId"] = TRASH_ID
            self.counter += 1
            self.version[collection][item_id] = self.counter
            return 201, copy.deepcopy(items[item_id])
        return 405, {"error": {"code": "MethodNotAllowed"}}

    def _drop(self, collection: str, item_id: str) -> None:
        self.counter += 1
        del self.items[collection][item_id]
        self.removed[collection][item_id] = self.counter


@contextmanager
def serving(fake: FakeGraph, account: str) -> Iterator[FakeGraph]:
    """Serve ``fake`` on loopback and point ``account``'s connectors at it."""
    fake.start()
    try:
        with inject("microsoft", account, fake.transport()):
            yield fake
    finally:
        fake.stop()


__all__ = ["FakeGraph", "serving"]
