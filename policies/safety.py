"""The run-level safety rule: a faulty read blocks the deletions it could make wrong.

The engine decides per trace from what it was given. A read with problems
may have lost something that would change a decision, so (DESIGN.md, safety
rules):

- **Fail closed on holds.** A source that can carry a hold (its kind is one
  that an active statutory hold or a policy hold of its register reads) that
  is unreadable, or that lost rows, means no deletion in its register on this
  run: ``delete`` -> ``review``, code ``hold_source_unreadable``.
- **A row problem blocks only whom it can touch**: the subjects of the traces
  that came from the faulty row, and of every trace in the register that
  shares a strong key (e-mail, phone, henkilötunnus, customer number) with
  them, or, when they have no strong key, their folded name. Code
  ``row_problem``.
- A faulty row with no readable identity (no trace came from it, or its
  trace has neither key nor name) is a *lost row*: its whole source stays
  blocked (code ``source_blocked``), and so does every subject with a trace
  in that source.
- A warning, or a problem in a field that is no key, date, status or kind
  (a note, an amount), blocks nothing.

Pure: the reads' traces, problems and row index in, decisions and a report
out. Texts name files, rows and fields, never a value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from connectors.base import Problem, ReadResult
from connectors.trace import split_multi
from policies.law import StatutoryRules
from policies.schema import RegisterPolicy

#: review_code values set here
ROW_PROBLEM = "row_problem"
SOURCE_BLOCKED = "source_blocked"
HOLD_SOURCE_UNREADABLE = "hold_source_unreadable"

#: Problem roles that cannot change a decision.
HARMLESS_ROLES = frozenset({"other"})
#: Trace columns that tie a row to a person (strong keys).
KEY_COLUMNS = ("email", "phone", "hetu", "customer_no")

REASON_FI = "lähteen luvussa oli virheitä: korjaa ne, niin poisto ehdotetaan ensi kerralla"
REASON_EN = "the source was read with errors: fix them and the deletion is proposed next time"
ROW_REASON = (
    "henkilön rivillä {where} oli virhe: korjaa se, niin poisto ehdotetaan ensi kerralla",
    "a row of this person had an error ({where}): fix it and the deletion is proposed next time",
)
SOURCE_REASON = (
    "lähteessä {file} on rivi, jota ei voitu liittää kehenkään: korjaa se, "
    "niin poistot ehdotetaan ensi kerralla",
    "{file} has a faulty row that cannot be tied to anyone: fix it and the deletions "
    "are proposed next time",
)
HOLD_REASON = (
    "{file} voi sisältää säilytysvelvoitteen (esim. avoimen laskun), eikä sitä voitu lukea "
    "kokonaan: tässä rekisterissä ei ehdoteta poistoja ennen kuin se korjataan",
    "{file} may carry a legal hold (an open invoice, for one) and could not be read in "
    "full: no deletion is proposed in this register until it is fixed",
)
#: What the owner calls a source of each kind, in the banner ("Laskutiedostoa ...").
SOURCE_NOUN_FI = {
    "invoice": "Laskutiedostoa",
    "client_record": "Potilasasiakirjoja",
    "customer": "Asiakasrekisteriä",
}


@dataclass(frozen=True)
class RegisterBlock:
    """A register with no deletion this run: a hold-carrying source failed."""

    register: str
    source: str
    file: str
    #: ``unreadable`` or ``lost_rows``
    cause: str
    #: what was wrong: the read error, or the faulty rows (file, row, field; no values)
    details: tuple[str, ...]
    kind: str | None = None

    def text(self, lang: str = "fi") -> str:
        """One plain sentence for the top of the proposal."""
        what = "; ".join(self.details)
        if lang == "en":
            verb = "could not be read" if self.cause == "unreadable" else "lost rows"
            return (
                f"{self.file} {verb} ({what}): no deletion is proposed in register "
                f"'{self.register}' until it is fixed"
            )
        noun = SOURCE_NOUN_FI.get(self.kind or "", "Lähdettä")
        verb = "ei voitu lukea" if self.cause == "unreadable" else "ei voitu lukea kokonaan"
        return (
            f"{noun} {self.file} {verb} ({what}): poistoja ei ehdoteta rekisterissä "
            f"'{self.register}' ennen kuin se korjataan"
        )


@dataclass(frozen=True)
class SourceBlock:
    """A source whose faulty rows could not be tied to anyone: all its deletions wait."""

    source: str
    file: str
    #: the faulty rows (file, row, field; no values) for the owner to fix
    problems: tuple[str, ...]


@dataclass
class SafetyReport:
    """What the safety rule blocked, for the proposal and the command line."""

    registers: list[RegisterBlock] = field(default_factory=list)
    sources: list[SourceBlock] = field(default_factory=list)
    #: review_code -> decisions turned from delete into review
    blocked: dict[str, int] = field(default_factory=dict)

    @property
    def blocked_registers(self) -> frozenset[str]:
        return frozenset(b.register for b in self.registers)


# ------------------------------------------------------------------ holds


def hold_kinds(policy: RegisterPolicy, law: StatutoryRules) -> frozenset[str] | None:
    """The kinds some active hold of the register reads; None when a hold reads every kind."""
    holds = [*law.active_for(policy.optional_statutory_holds), *policy.holds]
    if any(not h.kinds for h in holds):
        return None
    return frozenset(k for h in holds for k in h.kinds)


def carries_hold(
    kinds: Collection[str], policy: RegisterPolicy | None, law: StatutoryRules
) -> bool:
    """Can a source of these kinds hold a trace of its register (an open invoice)?"""
    if policy is None:
        return False  # a register with no policy proposes no deletion anyway
    read = hold_kinds(policy, law)
    return read is None or bool(set(kinds) & read)


# ------------------------------------------------------------------- rule


def blocking(problem: Problem) -> bool:
    """May this problem change a decision? (Warnings and notes/amounts cannot.)"""
    return problem.severity == "error" and problem.role not in HARMLESS_ROLES


def _has_identity(traces: pd.DataFrame) -> pd.Series:
    keyed = traces[list(KEY_COLUMNS)].notna().any(axis=1)
    return keyed | traces["name_key"].notna()


@dataclass
class _Faults:
    tied: set[str] = field(default_factory=set)  # trace ids of faulty rows with identity
    where: dict[str, str] = field(default_factory=dict)  # trace id -> "file, row N"
    lost: list[Problem] = field(default_factory=list)


def _faults(result: ReadResult, identity: pd.Series) -> _Faults:
    """Sort one read's blocking problems into rows tied to traces and lost rows."""
    out = _Faults()
    problems = [p for p in result.problems if blocking(p)]
    if not problems:
        return out
    # The trace ids of each faulty row only (a read may have a hundred thousand rows).
    wanted = {p.row for p in problems if p.row is not None}
    trace_rows = result.trace_rows.dropna()
    hit = trace_rows[trace_rows["row"].isin(wanted)]
    by_row: dict[int, list[str]] = {}
    for row, trace_id in zip(hit["row"].tolist(), hit["trace_id"].tolist(), strict=True):
        by_row.setdefault(int(row), []).append(str(trace_id))
    for problem in problems:
        ids = by_row.get(problem.row, []) if problem.row is not None else []
        known = [i for i in ids if bool(identity.get(i, False))]
        if not known:
            out.lost.append(problem)
            continue
        out.tied.update(known)
        for trace_id in known:
            out.where.setdefault(trace_id, f"{problem.file}, row {problem.row}")
    return out


def _keys_by_column(frame: pd.DataFrame) -> dict[str, set[str]]:
    """Per key column, every strong key of the traces (multi-valued cells split)."""
    out: dict[str, set[str]] = {}
    for column in KEY_COLUMNS:
        values = frame[column].dropna()
        if values.empty:
            continue
        # Most cells hold one value: only the ';'-joined ones are split.
        multi = values.str.contains(";", regex=False).to_numpy(dtype=bool)
        single = values[~multi].str.strip()
        keys = set(single[single != ""].astype(str))
        for value in values[multi]:
            keys.update(split_multi(value))
        if keys:
            out[column] = keys
    return out


def _holding(values: pd.Series, wanted: set[str]) -> np.ndarray:
    """Per cell: does it hold one of ``wanted`` (a ';'-joined cell split, parts stripped)?"""
    out = np.zeros(len(values), dtype=bool)
    present = np.flatnonzero(values.notna().to_numpy(dtype=bool))
    if not len(present):
        return out
    cells = values.iloc[present]
    multi = cells.str.contains(";", regex=False).to_numpy(dtype=bool)
    out[present[~multi]] = cells[~multi].str.strip().isin(wanted).to_numpy(dtype=bool)
    out[present[multi]] = [
        any(part in wanted for part in split_multi(cell)) for cell in cells[multi].tolist()
    ]
    return out


def _touched(traces: pd.DataFrame, tied: set[str]) -> pd.Series:
    """Traces the faulty rows can touch: same register and a shared key, or name if keyless.

    The faulty rows' keys are gathered per column; every trace of the register
    is then looked up in them (a hash lookup per cell, no key text made per trace).
    """
    faulty = traces["trace_id"].isin(tied)
    touched = faulty.copy()
    for register in traces.loc[faulty, "register"].unique():
        in_register = (traces["register"] == register).to_numpy(dtype=bool, na_value=False)
        mine = traces[faulty.to_numpy(dtype=bool) & in_register]
        where = np.flatnonzero(in_register)
        for column, keys in _keys_by_column(mine).items():
            hit = _holding(traces[column].iloc[where], keys)
            touched.iloc[where[hit]] = True
        keyless = mine[mine[list(KEY_COLUMNS)].isna().all(axis=1)]
        names = set(keyless["name_key"].dropna())
        if names:
            touched |= in_register & traces["name_key"].isin(names)
    return touched


def _block(
    out: pd.DataFrame,
    mask: pd.Series,
    code: str,
    fi: str | pd.Series,
    en: str | pd.Series,
    report: SafetyReport,
) -> None:
    blocked = mask & (out["decision"] == "delete")
    if not blocked.any():
        return
    out.loc[blocked, "decision"] = "review"
    out.loc[blocked, "review_code"] = code
    out.loc[blocked, "review_reason"] = fi[blocked] if isinstance(fi, pd.Series) else fi
    out.loc[blocked, "review_reason_en"] = en[blocked] if isinstance(en, pd.Series) else en
    out.loc[blocked, "days_overdue"] = pd.NA
    report.blocked[code] = report.blocked.get(code, 0) + int(blocked.sum())


def _with_code(decisions: pd.DataFrame) -> pd.DataFrame:
    out = decisions.copy()
    if "review_code" not in out.columns:
        out["review_code"] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


def apply_safety(
    decisions: pd.DataFrame,
    traces: pd.DataFrame,
    results: Sequence[ReadResult],
    policies: Mapping[str, RegisterPolicy],
    law: StatutoryRules,
) -> tuple[pd.DataFrame, SafetyReport]:
    """Turn the deletions a faulty read could make wrong into reviews (module docstring)."""
    report = SafetyReport()
    out = _with_code(decisions)
    identity = pd.Series(
        _has_identity(traces).to_numpy(), index=traces["trace_id"].astype(str).to_numpy()
    )
    tied: set[str] = set()
    where: dict[str, str] = {}
    lost_sources: list[str] = []
    for result in results:
        source = result.source
        file = source.path.name
        policy = policies.get(source.register)
        kinds = result.kinds
        kind = source.kind or result.default_kind
        if result.unreadable:
            if carries_hold(kinds, policy, law):
                detail = result.error.message if result.error else "unreadable"
                report.registers.append(
                    RegisterBlock(source.register, source.id, file, "unreadable", (detail,), kind)
                )
            continue
        faults = _faults(result, identity)
        tied |= faults.tied
        for trace_id, text in faults.where.items():
            where.setdefault(trace_id, text)
        if faults.lost:
            lost = tuple(str(p) for p in faults.lost)
            report.sources.append(SourceBlock(source.id, file, lost))
            lost_sources.append(source.id)
            if carries_hold(kinds, policy, law):
                report.registers.append(
                    RegisterBlock(source.register, source.id, file, "lost_rows", lost, kind)
                )
    if out.empty:
        return out, report

    if tied:
        touched_ids = traces.loc[_touched(traces, tied), "trace_id"]
        touched = out["trace_id"].isin(set(touched_ids))
        subjects = out.loc[touched, "subject_id"].dropna().unique()
        mask = touched | out["subject_id"].isin(list(subjects))
        # Each person's reason names a faulty row of theirs where there is one.
        own = out.loc[out["trace_id"].isin(tied), ["trace_id", "subject_id"]].dropna()
        by_subject = {s: where[t] for t, s in zip(own["trace_id"], own["subject_id"], strict=True)}
        first = min(where.values())
        places = out["subject_id"].map(by_subject).fillna(first).astype(str)
        _block(
            out,
            mask,
            ROW_PROBLEM,
            places.map({w: ROW_REASON[0].format(where=w) for w in places.unique()}),
            places.map({w: ROW_REASON[1].format(where=w) for w in places.unique()}),
            report,
        )
    for block in report.sources:
        in_source = out["source"] == block.source
        subjects = out.loc[in_source, "subject_id"].dropna().unique()
        mask = in_source | out["subject_id"].isin(list(subjects))
        _block(
            out,
            mask,
            SOURCE_BLOCKED,
            SOURCE_REASON[0].format(file=block.file),
            SOURCE_REASON[1].format(file=block.file),
            report,
        )
    for register_block in report.registers:
        mask = out["register"] == register_block.register
        _block(
            out,
            mask,
            HOLD_SOURCE_UNREADABLE,
            HOLD_REASON[0].format(file=register_block.file),
            HOLD_REASON[1].format(file=register_block.file),
            report,
        )
    return out, report


def block_sources_with_errors(decisions: pd.DataFrame, sources: Collection[str]) -> pd.DataFrame:
    """Turn ``delete`` into ``review`` for all traces of the given sources (code source_blocked).

    A subject whose traces span a clean and a faulty source is affected too:
    the faulty source may hold the newer record that keeps the person. The
    coarse form of :func:`apply_safety`, for callers that know only which
    sources failed.
    """
    if not len(sources) or decisions.empty:
        return decisions
    out = _with_code(decisions)
    faulty = out["source"].isin(list(sources))
    subjects = out.loc[faulty, "subject_id"].dropna().unique()
    mask = faulty | out["subject_id"].isin(list(subjects))
    _block(out, mask, SOURCE_BLOCKED, REASON_FI, REASON_EN, SafetyReport())
    return out
