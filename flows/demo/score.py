"""Score a demo business's decisions against what its manifest says is true.

Each trace the review decided is attributed to a fictional person of the
manifest (:class:`flows.demo.scenario.PersonTruth`): first by the records the
manifest knows by their place (a calendar entry's UID: entries with no
attendee carry no key), then by the person's e-mail address or phone number
(normalised, as the connectors give them). A trace's truth is, in order, the
record's own expectation, the person's expectation for that source
(``by_source``), what the law keeps whatever the person's fate
(:data:`KEPT_BY_LAW`), and the person's ``expect``. ``None`` is not scored.

- **wrongful**: a ``delete`` of a trace whose truth is not ``delete`` (keep,
  hold, review, never), or of a trace no person of the manifest owns: the
  demo cannot vouch for it. A wrong deletion cannot be undone, so the goal
  is zero.
- **missed**: truth ``delete``, decision anything else.
- **recall**: proposed / due, over the traces whose truth is ``delete``.

Used by tests/test_demo_score.py and by a developer:
``python -m flows.demo.score [--today YYYY-MM-DD] [--seed N] [--broken-invoices]``
prints each business's score. The score names person keys ("kohonen-07"),
sources and kinds, never a name, e-mail or phone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from flows.demo.scenario import BusinessManifest, DemoManifest, PersonTruth, RecordTruth

#: Kinds whose records are kept whatever happens to the person: bookkeeping
#: records (6 years, Kirjanpitolaki 2:10), patient records (the law's own
#: periods) and the erasure request log (proof that the request was handled).
KEPT_BY_LAW: dict[str, str] = {
    "invoice": "keep",
    "client_record": "hold",
    "erasure_request": "keep",
}


@dataclass(frozen=True)
class TraceScore:
    """One scored trace: no customer data, only ids the demo made up."""

    trace_id: str
    source: str
    kind: str
    person: str | None  # the manifest's person key
    truth: str | None
    decision: str

    def __str__(self) -> str:
        who = self.person or "(no person)"
        return f"{who} {self.source}/{self.kind}: truth {self.truth}, decided {self.decision}"


@dataclass
class BusinessScore:
    """How one business's decisions compare with its manifest."""

    business: str
    register: str
    traces: list[TraceScore] = field(default_factory=list)

    @property
    def deletions(self) -> list[TraceScore]:
        return [t for t in self.traces if t.decision == "delete"]

    @property
    def wrongful(self) -> list[TraceScore]:
        """Proposed for deletion, but the truth says otherwise (or nobody owns it)."""
        return [t for t in self.deletions if t.truth != "delete"]

    @property
    def due(self) -> list[TraceScore]:
        return [t for t in self.traces if t.truth == "delete"]

    @property
    def missed(self) -> list[TraceScore]:
        return [t for t in self.due if t.decision != "delete"]

    @property
    def recall(self) -> float:
        """Share of what is due that was proposed (1.0 when nothing is due)."""
        due = len(self.due)
        return 1.0 if due == 0 else (due - len(self.missed)) / due

    def summary(self) -> str:
        """Counts, then each wrongful and missed trace (person keys, never values)."""
        lines = [
            f"{self.business}: {len(self.traces)} traces, {len(self.deletions)} proposed, "
            f"{len(self.due)} due, {len(self.wrongful)} wrongful, {len(self.missed)} missed, "
            f"recall {self.recall:.1%}"
        ]
        for label, items in (("wrongful", self.wrongful), ("missed", self.missed)):
            grouped = Counter(str(t) for t in items)
            lines += [f"  {label}: {text}" + (f" (x{n})" if n > 1 else "") for text, n in
                      sorted(grouped.items())]  # fmt: skip
        return "\n".join(lines)


# ------------------------------------------------------------------ attribution


def _keys(value: Any) -> list[str]:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _locator_matches(locator: str | None, wanted: dict[str, Any]) -> bool:
    if not locator:
        return False
    try:
        found = json.loads(locator)
    except ValueError:
        return False
    return all(found.get(k) == v for k, v in wanted.items())


def attribute(
    business: BusinessManifest, traces: pd.DataFrame
) -> dict[str, tuple[PersonTruth, RecordTruth | None]]:
    """trace_id -> (person, the record truth that named it, if any).

    Records known by their locator come first; then e-mail, then phone. A
    trace whose keys point at two different persons is left unattributed
    (the score then counts a deletion of it as wrongful).
    """
    by_email: dict[str, PersonTruth] = {}
    by_phone: dict[str, PersonTruth] = {}
    for person in business.persons:
        if person.email:
            by_email[person.email.lower()] = person
        if person.phone:
            by_phone[person.phone] = person
    records = [(p, r) for p in business.persons for r in p.records]
    out: dict[str, tuple[PersonTruth, RecordTruth | None]] = {}
    for row in traces.itertuples(index=False):
        trace_id = str(row.trace_id)
        named = [
            (p, r)
            for p, r in records
            if r.source == row.source and _locator_matches(row.locator, r.locator)
        ]
        if len(named) == 1:
            out[trace_id] = named[0]
            continue
        owners = {by_email[e].key: by_email[e] for e in _keys(row.email) if e in by_email}
        owners |= {by_phone[n].key: by_phone[n] for n in _keys(row.phone) if n in by_phone}
        if len(owners) == 1:
            out[trace_id] = (next(iter(owners.values())), None)
    return out


def truth_of(person: PersonTruth, record: RecordTruth | None, source: str, kind: str) -> str | None:
    """What should happen to one trace of ``person`` (see the module docstring)."""
    if record is not None:
        return record.expect
    if source in person.by_source:
        return person.by_source[source]
    if kind in KEPT_BY_LAW and person.expect is not None:
        return KEPT_BY_LAW[kind]
    return person.expect


def score(
    business: BusinessManifest, traces: pd.DataFrame, decisions: pd.DataFrame
) -> BusinessScore:
    """Score one business: ``traces`` as read, ``decisions`` as decided (by trace_id)."""
    owners = attribute(business, traces)
    decided = decisions.set_index("trace_id")["decision"].astype("string")
    out = BusinessScore(business.key, business.register)
    for row in traces.itertuples(index=False):
        trace_id = str(row.trace_id)
        decision = decided.get(trace_id)
        owner = owners.get(trace_id)
        person, record = owner if owner else (None, None)
        truth = truth_of(person, record, str(row.source), str(row.kind)) if person else None
        out.traces.append(
            TraceScore(
                trace_id,
                str(row.source),
                str(row.kind),
                person.key if person else None,
                truth,
                "missing" if decision is None or pd.isna(decision) else str(decision),
            )
        )
    return out


# ------------------------------------------------------------------- evaluation


def decide_business(business: BusinessManifest, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every source and decide, as the review does, without Prefect: (traces, decisions)."""
    from connectors.base import read_source
    from flows.review import combined_traces, decide, load_policies
    from flows.workspace import load_workspace

    workspace = load_workspace(business.workspace)
    results = [read_source(source) for source in workspace.sources]
    evaluation = decide(workspace, load_policies(workspace), results, today)
    return combined_traces(results), evaluation.decisions


def score_demo(
    manifest: DemoManifest, keys: Iterable[str] | None = None
) -> dict[str, BusinessScore]:
    """Every (or the named) demo business, decided on the manifest's date and scored."""
    out = {}
    for key in keys or manifest.businesses:
        business = manifest.businesses[key]
        traces, decisions = decide_business(business, manifest.today)
        out[key] = score(business, traces, decisions)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from flows.demo import build_demo

    parser = argparse.ArgumentParser(description="Score the demo's decisions against its truth.")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 1))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--broken-invoices", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        manifest = build_demo(
            Path(tmp), args.today, args.seed, broken_invoices=args.broken_invoices
        )
        scores = score_demo(manifest)
    for result in scores.values():
        print(result.summary())
    bad = any(s.wrongful or s.recall < 0.99 for s in scores.values())
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
