"""The command line's messages: the catalogue lives in :mod:`connectors.messages`.

Connectors may not import flows, and their problems render from the same
catalogue, so it sits in the lowest layer; this module keeps the old name.
"""

from __future__ import annotations

from connectors.messages import MESSAGES, WORDS, plural, say

__all__ = ["MESSAGES", "WORDS", "plural", "say"]
