"""Microsoft Graph requests of one account: paging, delta links, retries.

:class:`GraphApi` sends each request with a bearer token from its token
provider and follows ``@odata.nextLink`` to the end, returning the final
``@odata.deltaLink`` where there is one. A 429 is retried after its
``Retry-After``, a 5xx or a network error with backoff, a bounded number of
times (:mod:`connectors.live.retry`); a 410 on a delta read
(``SyncStateNotFound``) is :class:`~connectors.live.retry.CursorExpired`: the
connector reads everything once. A 401, or a token MSAL can no longer
refresh, tells the owner to run ``karsinta auth microsoft`` again. A link to
another host than the configured one is never followed (the token would go
with it).

In production the token provider is MSAL's (:func:`msal_token_provider`): the
token cache ``karsinta auth microsoft`` stored, refreshed silently and saved
back when it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connectors.errors import UnreadableSource
from connectors.live.retry import (
    CursorExpired,
    Gone,
    Passing,
    RetryPolicy,
    retry_after_seconds,
    with_retries,
)
from connectors.live.tokens import (
    EXPIRED,
    NOT_CONNECTED,
    auth_again,
    lacks_permission,
    refused,
    token_store,
)
from connectors.live.transport import injected

GRAPH = "https://graph.microsoft.com/v1.0"
AUTHORITY = "https://login.microsoftonline.com/common"
READ_SCOPES = ("User.Read", "Contacts.Read", "Calendars.Read", "Mail.ReadBasic")
WRITE_SCOPES = ("User.Read", "Contacts.ReadWrite", "Calendars.ReadWrite", "Mail.ReadWrite")
RESYNC_CODES = frozenset({"SyncStateNotFound", "SyncStateInvalid", "resyncRequired"})
TIMEOUT = 60


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass
class GraphApi:
    """Graph for one account: a base URL, an HTTP session, a token provider."""

    base: str
    session: Any
    token: Callable[[], str]
    account: str
    file: str
    retry: RetryPolicy

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        item: bool = False,
    ) -> dict[str, Any]:
        """One request (retried when the failure may pass); the JSON body ({} when none)."""
        url = path if path.startswith(("http://", "https://")) else self.base.rstrip("/") + path
        if _origin(url) != _origin(self.base):
            raise UnreadableSource(
                self.file, "Graph gave a link to another host; not followed", "foreign_link"
            )
        return with_retries(
            lambda: self._once(method, url, params, body, item), self.file, self.retry
        )

    def _once(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: dict[str, Any] | None,
        item: bool,
    ) -> dict[str, Any]:
        import requests

        headers = {
            "Authorization": f"Bearer {self.token()}",
            "Prefer": 'outlook.timezone="UTC", odata.maxpagesize=200',
        }
        try:
            response = self.session.request(
                method, url, params=params, json=body, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as exc:
            raise Passing(type(exc).__name__) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise Passing(
                f"HTTP {status}", retry_after_seconds(response.headers.get("Retry-After"))
            )
        code = _error_code(response) if status >= 400 else ""
        if item and status in (404, 410):
            raise Gone
        if status == 410 or code in RESYNC_CODES:
            raise CursorExpired
        if status == 401:
            raise auth_again("microsoft", self.account, self.file, EXPIRED)
        if status == 403:
            raise lacks_permission("microsoft", self.account, self.file)
        if status >= 400:
            words = f", {code}" if code.replace("_", "").isalnum() else ""
            raise refused("Microsoft Graph", status, words, self.file)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise UnreadableSource(
                self.file, "Microsoft Graph answered with something else than JSON", "not_json"
            ) from None
        return data if isinstance(data, dict) else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """One item; None when it is gone."""
        try:
            return self.request("GET", path, params=params, item=True)
        except Gone:
            return None

    def pages(
        self, path: str, params: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Every item of a list or delta read, following ``@odata.nextLink``; the delta link."""
        items: list[dict[str, Any]] = []
        url, query = path, params
        while True:
            page = self.request("GET", url, params=query)
            items.extend(page.get("value") or [])
            following = page.get("@odata.nextLink")
            if not following:
                return items, page.get("@odata.deltaLink")
            url, query = str(following), None


def _error_code(response: Any) -> str:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return ""
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def msal_token_provider(account: str, file: str, http_client: Any = None) -> Callable[[], str]:
    """Access tokens from the MSAL cache ``karsinta auth microsoft`` stored (refreshed silently)."""
    import msal

    store = token_store()
    data = store.load("microsoft", account)
    if data is None or not data.get("client_id") or not data.get("cache"):
        raise auth_again("microsoft", account, file, NOT_CONNECTED)
    cache = msal.SerializableTokenCache()
    cache.deserialize(str(data["cache"]))
    extra = {"http_client": http_client} if http_client is not None else {}
    app = msal.PublicClientApplication(
        str(data["client_id"]),
        authority=str(data.get("authority") or AUTHORITY),
        token_cache=cache,
        **extra,
    )
    scopes = [str(s) for s in data.get("scopes") or READ_SCOPES]

    def token() -> str:
        import requests

        accounts = app.get_accounts()
        try:
            result = app.acquire_token_silent(scopes, account=accounts[0]) if accounts else None
        except requests.RequestException as exc:
            raise Passing(type(exc).__name__) from None
        if not result or "access_token" not in result:
            raise auth_again("microsoft", account, file, EXPIRED)
        if cache.has_state_changed:
            store.save("microsoft", account, {**data, "cache": cache.serialize()})
            cache.has_state_changed = False
        return str(result["access_token"])

    return token


def graph_api(account: str, file: str) -> GraphApi:
    """Graph for ``account``: the injected transport (tests, demo) or MSAL and requests."""
    transport = injected("microsoft", account)
    if transport is not None:
        if transport.token is None or transport.session is None:
            raise ValueError("an injected Graph transport needs a session and a token provider")
        return GraphApi(
            transport.root or GRAPH,
            transport.session,
            transport.token,
            account,
            file,
            transport.retry,
        )
    import requests

    return GraphApi(
        GRAPH, requests.Session(), msal_token_provider(account, file), account, file, RetryPolicy()
    )


__all__ = ["GRAPH", "READ_SCOPES", "WRITE_SCOPES", "GraphApi", "graph_api", "msal_token_provider"]
