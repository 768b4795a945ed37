"""Keyed ids: the one place where record ids, identifiers and fingerprints become ids at rest.

Every id Karsinta stores (trace ids in the ledger, the decision store, Prefect's
task names and the proposal's hidden columns) is an HMAC-SHA-256 with the
workspace key, never a plain hash: a plain SHA-256 of a record id can be
checked against a guessed e-mail address or a file name such as
``'Name 2026-07-13.txt'``. Without the key nobody can test a guess.

``Hasher(key)`` with the workspace key (``flows.keyed.workspace_hasher``);
``run_hasher()`` is a random key for this process only (``karsinta inspect``
without a workspace: ids are stable within the run and mean nothing after it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from functools import cache

#: the shortest workspace key accepted, in bytes
MIN_KEY_BYTES = 32
#: hex digits of a record's keyed hash in its trace id
RECORD_HASH_DIGITS = 16
#: SHA-256's block size: HMAC pads (or first hashes) the key to it
_BLOCK = 64


def hmac_sha256_many(
    key: bytes, messages: Iterable[bytes], digits: int = 64, prefix: bytes = b""
) -> list[str]:
    """HMAC-SHA-256 of ``prefix`` + each message as ``digits`` hex digits, in fewer steps.

    The same values as ``hmac.digest(key, prefix + message, "sha256").hex()[:digits]``:
    HMAC (RFC 2104) is sha256(key ^ opad + sha256(key ^ ipad + text)), so the two
    keyed states are made once and copied for each message (about 2.5 times faster
    than a one-shot HMAC per message, which keys both states every time).
    """
    block = key if len(key) <= _BLOCK else hashlib.sha256(key).digest()
    block = block.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    inner.update(prefix)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    out: list[str] = []
    append = out.append
    for message in messages:
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        append(second.hexdigest()[:digits])
    return out


class Hasher:
    """HMAC-SHA-256 with one workspace's key. Its repr never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"a workspace key must be at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "Hasher(<key hidden>)"

    def digest(self, text: str, digits: int = 64) -> str:
        """The keyed hash of any text, as ``digits`` hex digits."""
        # hmac.digest: OpenSSL's one-shot HMAC in C, the same bytes as hmac.new(...).digest().
        return hmac.digest(self._key, text.encode("utf-8"), "sha256").hex()[:digits]

    def record_hash(self, record_id: str) -> str:
        """The opaque part of a trace id: a keyed hash of the record's own id."""
        return self.digest("record\x1f" + record_id, RECORD_HASH_DIGITS)

    def record_hashes(self, record_ids: Iterable[str]) -> list[str]:
        """:meth:`record_hash` of many record ids, the same HMAC in fewer steps."""
        return hmac_sha256_many(
            self._key,
            (rid.encode("utf-8") for rid in record_ids),
            RECORD_HASH_DIGITS,
            prefix=b"record\x1f",
        )

    def trace_id(self, source_id: str, record_id: str) -> str:
        """``source:`` + the keyed record hash: what every stored trace id is."""
        return f"{source_id}:{self.record_hash(record_id)}"

    def fingerprint(self, fingerprint: str) -> str:
        """A record's content fingerprint as stored at rest (ledger plan, decision store)."""
        return self.digest("fingerprint\x1f" + fingerprint, 32)

    def id_hash(self, kind: str, value: str) -> str:
        """A strong identifier (``"email"``, ``"a@b.fi"``) as a keyed hash."""
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def subject_hash(self, identifiers: Iterable[tuple[str, str]]) -> str | None:
        """One hash of all of a record's strong identifiers (None when it has none)."""
        parts = sorted({f"{k}:{v}" for k, v in identifiers})
        if not parts:
            return None
        return hmac.new(self._key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


@cache
def run_hasher() -> Hasher:
    """A random key for this process only: ids that cannot be linked to any workspace."""
    return Hasher(secrets.token_bytes(MIN_KEY_BYTES))


__all__ = ["MIN_KEY_BYTES", "Hasher", "run_hasher"]
