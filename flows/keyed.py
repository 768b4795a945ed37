"""The workspace key, and the keyed-id helper made from it.

``.karsinta/ledger.key`` (mode 0600) holds 32 random bytes as hex. Every id
Karsinta keeps at rest is keyed with it (:class:`connectors.keyed.Hasher`):
trace ids, the ledger's identifier hashes and plan fingerprints, the decision
store's ids. Use :func:`workspace_hasher` to get the helper::

    ids = workspace_hasher(workspace)
    ids.trace_id("asiakkaat", record_id)   # what read_source makes
    ids.fingerprint(fingerprint)           # a content fingerprint at rest
    ids.id_hash("email", "a@b.fi")         # one strong identifier

The key is made once, when the workspace is new (no ledger or other keyed
store in ``.karsinta/``): written to a temporary file (O_CREAT|O_EXCL, 0600,
fsync) and linked into place, so two first runs agree on one key. A missing,
empty, malformed or short key in a workspace that has keyed state is an
error naming the file: a new key would silently orphan every stored id.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.errors import ConfigError
from connectors.keyed import MIN_KEY_BYTES, Hasher
from connectors.messages import Said
from connectors.safe_write import fsync_dir, temp_path

if TYPE_CHECKING:
    from flows.workspace import Workspace

KEY_NAME = "ledger.key"
#: files in the state folder whose ids were made with the key (any SQLite store)
KEYED_STATE_GLOB = "*.sqlite"


def key_path(state_dir: Path) -> Path:
    return state_dir / KEY_NAME


def has_keyed_state(state_dir: Path) -> bool:
    """Does the state folder hold a store whose ids were made with the key?"""
    return state_dir.is_dir() and any(state_dir.glob(KEYED_STATE_GLOB))


def parse_key(path: Path, data: bytes) -> bytes:
    """The key in ``data``; ConfigError naming ``path`` when it is not a whole key."""
    text = data.strip()
    if not text:
        raise ConfigError(str(path), [Said("key_empty")])
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(str(path), [Said("key_not_key")]) from None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(str(path), [Said("key_short", size=len(key), least=MIN_KEY_BYTES)])
    return key


def _create(path: Path) -> bytes:
    """Make a new key file atomically; the other process's key if it won the race."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_bytes(MIN_KEY_BYTES)
    temp = temp_path(path.parent)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(value.hex().encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # fails when the file exists: never half-written, never replaced
        except FileExistsError:
            return parse_key(path, path.read_bytes())
        fsync_dir(path.parent)
    finally:
        temp.unlink(missing_ok=True)
    return value


def load_key(state_dir: Path) -> bytes:
    """The workspace key: read, or made when the workspace is new."""
    path = key_path(state_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if has_keyed_state(state_dir):
            raise ConfigError(str(path), [Said("key_missing")]) from None
        return _create(path)
    return parse_key(path, data)


def workspace_hasher(workspace: Workspace) -> Hasher:
    """The keyed-id helper of a workspace."""
    return Hasher(load_key(workspace.state_dir))


__all__ = ["KEY_NAME", "Hasher", "has_keyed_state", "load_key", "workspace_hasher"]
