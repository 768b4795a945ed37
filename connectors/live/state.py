"""Sync state kept per live source between runs, owner-only.

A live source's ``path`` is the folder where Karsinta keeps that account's
state (``tilit/gmail``): created 0700, one 0600 JSON file per service and
calendar (``state-<key>.json``). Each holds the provider's cursor (a sync
token, a delta link, a history id) and the *snapshot*: the items read so far,
reduced to what a trace needs, so that an incremental read ("what changed
since") still gives every trace. A lost, unreadable or expired cursor means
one full read, never an error: :meth:`SyncState.load` returns an empty state
and the connector reads everything.

The state is saved only after a read finished: a read that fails half-way
leaves the previous state, and the next run starts from it again.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.errors import UnreadableSource
from connectors.live.tokens import write_owner_only

STATE_VERSION = 1
_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Snapshot:
    """A cursor and the items it covers (item id -> the item as kept)."""

    cursor: str | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: provider-specific extras (e.g. a series master's recurrence)
    extra: dict[str, Any] = field(default_factory=dict)


class SyncState:
    """The state folder of one live source."""

    def __init__(self, folder: Path, file: str) -> None:
        self.folder = folder
        self.file = file

    def _path(self, key: str) -> Path:
        return self.folder / f"state-{_KEY.sub('_', key)}.json"

    def prepare(self) -> None:
        """Create the folder owner-only (0700); refuse a file or a link in its place."""
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            raise UnreadableSource(
                self.file, "the state folder is not a folder", "state_not_a_folder"
            )
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)

    def load(self, key: str) -> Snapshot:
        """The saved state, or an empty one (a full read) when none is usable."""
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return Snapshot()
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return Snapshot()
        items = data.get("items")
        extra = data.get("extra")
        cursor = data.get("cursor")
        return Snapshot(
            cursor if isinstance(cursor, str) else None,
            items if isinstance(items, dict) else {},
            extra if isinstance(extra, dict) else {},
        )

    def save(self, key: str, snapshot: Snapshot) -> None:
        self.prepare()
        data = {
            "version": STATE_VERSION,
            "cursor": snapshot.cursor,
            "items": snapshot.items,
            "extra": snapshot.extra,
        }
        write_owner_only(self._path(key), json.dumps(data, sort_keys=True, ensure_ascii=False))


__all__ = ["Snapshot", "SyncState"]
