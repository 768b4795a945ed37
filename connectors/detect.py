"""Which connector reads a given file (for ``karsinta inspect`` without ``--as``)."""

from __future__ import annotations

from pathlib import Path

from connectors.base import all_connectors, head_bytes


def detect(path: Path) -> str | None:
    """The name of the connector most sure it reads ``path``, or None."""
    head = head_bytes(path)
    scores = {name: cls.sniff(path, head) for name, cls in all_connectors().items()}
    best = max(scores, key=lambda name: scores[name], default=None)
    return best if best is not None and scores[best] > 0 else None
