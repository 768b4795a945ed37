"""The Google API client of one account, and every call made through it.

:func:`google_api` builds a service with the discovery documents shipped in
google-api-python-client (``static_discovery=True``: no discovery request).
Credentials come from the token store (``karsinta auth google``), refreshed
when expired and saved back; a refresh that fails is an
:class:`~connectors.errors.UnreadableSource` telling the owner to run auth
again. Tests and the demo inject an ``http`` and a loopback root
(:mod:`connectors.live.transport`).

:meth:`GoogleApi.call` executes one request: 429, 5xx, ``rateLimitExceeded``
and network errors are retried with backoff (:mod:`connectors.live.retry`);
an expired sync token (People API: an ``ErrorInfo`` with reason
``EXPIRED_SYNC_TOKEN``; Calendar: 410 ``fullSyncRequired``) is
:class:`CursorExpired`; the rest is an UnreadableSource naming the status and
the error's reason, never a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connectors.errors import RetriableSourceError, UnreadableSource
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

READ_SCOPES = (
    "https://www.googleapis.com/auth/contacts.readonly",
    "https://www.googleapis.com/auth/contacts.other.readonly",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/gmail.metadata",
)
WRITE_SCOPES = (
    "https://www.googleapis.com/auth/contacts",
    "https://www.googleapis.com/auth/contacts.other.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/gmail.modify",
)
#: what each API's base URL is below an injected root
SERVICE_PATHS = {"people": "", "calendar": "calendar/v3/", "gmail": ""}
EXPIRED_REASONS = frozenset({"EXPIRED_SYNC_TOKEN", "fullSyncRequired", "SYNC_TOKEN_EXPIRED"})
PASSING_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED", "backendError"}
)


def error_reasons(content: bytes | str | None) -> set[str]:
    """The reasons a Google error body gives (ErrorInfo details, legacy errors, status)."""
    try:
        data = json.loads(content or b"{}")
    except (ValueError, TypeError):
        return set()
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return set()
    reasons: set[str] = set()
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("reason"):
            reasons.add(str(detail["reason"]))
    for legacy in error.get("errors") or []:
        if isinstance(legacy, dict) and legacy.get("reason"):
            reasons.add(str(legacy["reason"]))
    if error.get("status"):
        reasons.add(str(error["status"]))
    return reasons


@dataclass
class GoogleApi:
    """One built service of one account, with its retry policy."""

    service: Any
    account: str
    file: str
    retry: RetryPolicy

    def call(self, request: Any) -> dict[str, Any]:
        """Execute ``request`` (retried when the failure may pass); its JSON body."""
        try:
            return with_retries(lambda: self._once(request), self.file, self.retry)
        except Gone:
            raise UnreadableSource(
                self.file, "Google said the list is not there (HTTP 404)", "list_gone"
            ) from None

    def get(self, request: Any) -> dict[str, Any] | None:
        """Execute a request for one item: None when the item is gone (404, 410)."""
        try:
            return with_retries(lambda: self._once(request, item=True), self.file, self.retry)
        except Gone:
            return None

    def _once(self, request: Any, item: bool = False) -> dict[str, Any]:
        import httplib2
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError

        try:
            result = request.execute(num_retries=0)
        except HttpError as exc:
            status = int(exc.resp.status)
            reasons = error_reasons(exc.content)
            if status == 404 or (item and status == 410):
                raise Gone from None
            if reasons & EXPIRED_REASONS or status == 410:
                raise CursorExpired from None
            if status == 429 or status >= 500 or reasons & PASSING_REASONS:
                wait = retry_after_seconds(exc.resp.get("retry-after"))
                raise Passing(f"HTTP {status}", wait) from None
            if status == 401:
                raise auth_again("google", self.account, self.file, EXPIRED) from None
            if status == 403 and reasons & {
                "insufficientPermissions",
                "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            }:
                raise lacks_permission("google", self.account, self.file) from None
            words = ", ".join(sorted(r for r in reasons if r.replace("_", "").isalnum()))
            raise refused("Google", status, f", {words}" if words else "", self.file) from None
        except RefreshError:
            raise auth_again("google", self.account, self.file, EXPIRED) from None
        except (httplib2.HttpLib2Error, TransportError, OSError, TimeoutError) as exc:
            raise Passing(type(exc).__name__) from None
        return result if isinstance(result, dict) else {}

    def pages(self, make: Any, items_key: str, **params: Any) -> tuple[list[dict[str, Any]], dict]:
        """Every item of a paged list (``pageToken`` / ``nextPageToken``), and the last page."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.call(make(**params, **({"pageToken": token} if token else {})))
            items.extend(page.get(items_key) or [])
            token = page.get("nextPageToken")
            if not token:
                return items, page


def _credentials(account: str, file: str, scopes: tuple[str, ...] | None) -> Any:
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    store = token_store()
    data = store.load("google", account)
    if data is None:
        raise auth_again("google", account, file, NOT_CONNECTED)
    try:
        credentials = Credentials.from_authorized_user_info(data)
    except ValueError:
        raise auth_again("google", account, file, EXPIRED) from None
    if not credentials.valid:
        try:
            credentials.refresh(Request())
        except RefreshError:
            raise auth_again("google", account, file, EXPIRED) from None
        except TransportError:
            raise RetriableSourceError(
                file,
                "Google could not be reached (network)",
                "service_unreachable",
                service="Google",
            ) from None
        store.save("google", account, json.loads(credentials.to_json()))
    return credentials


def google_api(api: str, version: str, account: str, file: str) -> GoogleApi:
    """The service ``api`` of ``account`` (injected in tests and the demo)."""
    from googleapiclient.discovery import build

    transport = injected("google", account)
    if transport is not None:
        import httplib2

        options = None
        if transport.root:
            options = {"api_endpoint": transport.root.rstrip("/") + "/" + SERVICE_PATHS[api]}
        service = build(
            api,
            version,
            http=transport.http or httplib2.Http(timeout=30),
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )
        return GoogleApi(service, account, file, transport.retry)
    credentials = _credentials(account, file, None)
    service = build(
        api, version, credentials=credentials, static_discovery=True, cache_discovery=False
    )
    return GoogleApi(service, account, file, RetryPolicy())


__all__ = [
    "READ_SCOPES",
    "WRITE_SCOPES",
    "CursorExpired",
    "Gone",
    "GoogleApi",
    "error_reasons",
    "google_api",
]
