"""Connectors: every source a small business keeps turns into traces.

Public surface: :func:`read_source`, :class:`SourceSpec`, :class:`ReadResult`,
:class:`Problem`, :func:`detect`, and the trace contract in
:mod:`connectors.trace`. Errors are documented in :mod:`connectors.errors`.
"""

from connectors.base import Problem, ReadResult, SourceSpec, read_source

__all__ = ["Problem", "ReadResult", "SourceSpec", "read_source"]
