"""The contract every connector passes, on every sample and fixture file.

Use :func:`check_contract` from a connector's test module; it reads the
source twice and asserts what DESIGN.md promises of every connector's output.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from connectors import trace as tr
from connectors.base import Problem, ReadResult, SourceSpec, read_source

E164 = re.compile(r"^\+[1-9]\d{5,14}$")


def check_contract(spec: SourceSpec, *, allow_unreadable: bool = False) -> ReadResult:
    """Read ``spec`` twice and check the trace contract; return the first result."""
    first = read_source(spec)
    second = read_source(spec)
    if not allow_unreadable:
        assert first.error is None, f"unreadable: {first.error}"
    traces = first.traces
    tr.validate(traces)
    assert list(traces.columns) == list(tr.COLUMNS)
    assert traces["trace_id"].is_unique
    # Stable across two reads: same ids, same fingerprints, same order.
    assert traces["trace_id"].tolist() == second.traces["trace_id"].tolist()
    assert traces["fingerprint"].tolist() == second.traces["fingerprint"].tolist()
    assert (traces["source"] == spec.id).all()
    assert traces["trace_id"].str.startswith(spec.id + ":").all()
    for emails in traces["email"].dropna():
        for email in tr.split_multi(emails):
            assert email == email.strip().lower()
            assert "@" in email
    for phones in traces["phone"].dropna():
        for phone in tr.split_multi(phones):
            assert E164.match(phone), phone
    for hetu in traces["hetu"].dropna():
        assert tr.normalise_hetu(hetu) == hetu
    for locator in traces["locator"]:
        assert isinstance(json.loads(locator), dict)
    for problem in first.problems:
        assert isinstance(problem, Problem)
        assert problem.message
        _assert_no_values_in(problem, traces)
    if first.error is not None:
        _assert_no_values_in(first.error, traces)
    return first


def _assert_no_values_in(problem: object, traces: pd.DataFrame) -> None:
    """Problem texts never quote a person's identifiers."""
    text = str(problem)
    for column in ("name", "email_raw", "phone_raw", "hetu"):
        for value in traces[column].dropna():
            for part in tr.split_multi(value):
                if len(part) >= 6:
                    assert part not in text, f"problem quotes a {column}"
