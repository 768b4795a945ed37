"""How a live connector reaches its provider, and how tests and the demo redirect it.

In production a connector builds its client from the account's tokens
(:mod:`connectors.live.tokens`). Tests and the demo *inject* a
:class:`Transport` for an account (:func:`inject`): for Google an ``http``
object (``HttpMockSequence``, or a plain ``httplib2.Http`` to a local server)
and a root URL standing for every Google API; for Microsoft Graph a base URL,
a ``requests.Session`` and a token provider. An injected root must be a
loopback address, so an injection never sends anything elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from connectors.live.retry import RetryPolicy

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Transport:
    """What one account's connectors talk through instead of the real provider."""

    #: Google: an httplib2-compatible object; None with ``root`` means a plain Http
    http: Any = None
    #: Google: root URL of every API (``http://127.0.0.1:PORT/``); Graph: the base URL
    root: str | None = None
    #: Graph: the HTTP session
    session: Any = None
    #: Graph: returns an access token
    token: Callable[[], str] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)


_lock = threading.Lock()
_injected: dict[tuple[str, str], Transport] = {}


def _check_loopback(root: str | None) -> None:
    if root is None:
        return
    host = urlsplit(root).hostname or ""
    if host not in LOOPBACK:
        raise ValueError("an injected transport must point at a loopback address")


@contextmanager
def inject(provider: str, account: str, transport: Transport) -> Iterator[Transport]:
    """Use ``transport`` for ``account`` within the block (tests, the demo)."""
    _check_loopback(transport.root)
    key = (provider, account)
    with _lock:
        previous = _injected.get(key)
        _injected[key] = transport
    try:
        yield transport
    finally:
        with _lock:
            if previous is None:
                _injected.pop(key, None)
            else:
                _injected[key] = previous


def injected(provider: str, account: str) -> Transport | None:
    with _lock:
        return _injected.get((provider, account))


__all__ = ["LOOPBACK", "Transport", "inject", "injected"]
