"""Bounded retries with backoff for passing failures (429, 5xx, network errors).

A provider call raises :class:`Passing` for a failure that may pass (with the
server's ``Retry-After`` when it gave one); :func:`with_retries` sleeps and
tries again, at most ``attempts`` times in all, and then raises
:class:`connectors.errors.RetriableSourceError`: the source is reported as
unreadable for this run and, like any unreadable source, blocks what it could
have held. Any other exception passes through at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from connectors.errors import RetriableSourceError
from connectors.messages import problem_text

T = TypeVar("T")


class CursorExpired(Exception):
    """The sync token or delta link is no longer valid: the connector reads everything once."""


class Gone(Exception):
    """The item asked for is gone (HTTP 404 or 410 on one item)."""


class Passing(Exception):
    """A failure that may pass: rate limited, a server error, the network."""

    def __init__(self, what: str, retry_after: float | None = None) -> None:
        self.what = what
        self.retry_after = retry_after
        super().__init__(what)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait: 1, 2, 4 ... seconds, a Retry-After honoured."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        wanted = retry_after if retry_after is not None else self.base_delay * 2**attempt
        return max(0.0, min(self.max_delay, wanted))


def retry_after_seconds(value: str | None) -> float | None:
    """The seconds of a Retry-After header (a number; an HTTP date is not trusted)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def with_retries(call: Callable[[], T], file: str, policy: RetryPolicy) -> T:
    """``call()``, tried again after a :class:`Passing` failure, at most ``attempts`` times."""
    last: Passing | None = None
    for attempt in range(policy.attempts):
        try:
            return call()
        except Passing as exc:
            last = exc
            if attempt + 1 < policy.attempts:
                policy.sleep(policy.delay(attempt, exc.retry_after))
    what = last.what if last else "failed"
    params = {"attempts": policy.attempts, "what": what}
    raise RetriableSourceError(
        file, problem_text("en", "service_failed", **params), "service_failed", **params
    )


__all__ = ["CursorExpired", "Gone", "Passing", "RetryPolicy", "retry_after_seconds", "with_retries"]
