"""Data-subject requests on time: deadlines and the state of each request.

Pure (no I/O, no clock: ``today`` is a parameter), so every rule is a table
of cases.

- An **erasure request** (GDPR art. 17) is due by the request date plus the
  register's promised deadline (``erasure.deadline``: "2 vrk", or the one
  month of art. 12(3) where the notice says "viipymättä" / "mahdollisimman
  pian"), and never later than one month (art. 12(3) is the cap).
- An **access request** (art. 15) is due in one month.
- Periods are calendar periods (policies.periods): one month after 31
  January is the last day of February. A weekend or a holiday never moves a
  deadline later: a reminder comes too early rather than too late.
- A request is **near** when its deadline is at most :data:`REMIND_DAYS`
  days away and it is not done; **overdue** by N days after its deadline.

:func:`erasure_state` reads a request's state from the engine's decisions
on the person's traces: ``done`` (nothing left to erase), ``blocked`` (a
legal hold keeps something: its reason and end date are named, GDPR art.
12(4)), ``review`` (the engine cannot decide: an identity to check, a row to
fix), ``approved`` (the owner approved; waiting to be carried out),
``proposal_ready`` or ``open``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from policies.periods import Period

#: GDPR art. 12(3): one month for any request, at most
GDPR_CAP = Period(months=1)
#: a reminder when the deadline is this many days away, or fewer
REMIND_DAYS = 2
#: request-log kinds and what they ask for
REQUEST_KINDS = {"erasure_request": "erasure", "access_request": "access"}
#: review codes of a shared address / a name-only match: never erased on a guess
SHARED_IDENTITY = "shared_identity"
SHARED_REASON = (
    "samassa tunnisteessa on kahden eri nimisen henkilön tietoja: ei poisteta arvaamalla, "
    "tarkista kenen tieto on",
    "the same identifier carries two differently named people: not erased on a guess; "
    "check whose record it is",
)
STATES = ("open", "proposal_ready", "approved", "review", "blocked", "done")


def erasure_deadline(received: date, promised: Period | None) -> date:
    """The date by which an erasure must be done: the promise, capped at one month."""
    cap = GDPR_CAP.add(received)
    if promised is None:
        return cap
    return min(promised.add(received), cap)


def access_deadline(received: date) -> date:
    """Art. 15 access requests: one month (art. 12(3))."""
    return GDPR_CAP.add(received)


def days_overdue(deadline: date, today: date) -> int:
    """Days past the deadline (0 on or before it)."""
    return max(0, (today - deadline).days)


def days_left(deadline: date, today: date) -> int:
    """Days until the deadline (negative when overdue)."""
    return (deadline - today).days


def is_near(deadline: date, today: date, done: bool = False) -> bool:
    """Remind: not done and the deadline at most REMIND_DAYS away (or passed)."""
    return not done and days_left(deadline, today) <= REMIND_DAYS


@dataclass(frozen=True)
class Hold:
    """What keeps a requested erasure from being done: the reason and until when."""

    text_fi: str
    text_en: str
    until: date | None  # None: until further notice (an open claim has no end date)


@dataclass(frozen=True)
class RequestState:
    """One request's state on ``today`` (no personal data: safe for any report)."""

    state: str
    deadline: date
    overdue: int
    near: bool
    holds: tuple[Hold, ...] = ()
    to_erase: int = 0
    kept: int = 0
    in_review: int = 0


def _date_or_none(value: object) -> date | None:
    if value is None or value is pd.NaT or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _text(value: object) -> str:
    """A hold text as shown (NA and None as "")."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _column(decisions: pd.DataFrame, name: str) -> np.ndarray:
    """A column's values as objects, NA as None (a person's few rows: no frame operations)."""
    return decisions[name].to_numpy(dtype=object, na_value=None)


def holds_of(decisions: pd.DataFrame, rows: np.ndarray | None = None) -> tuple[Hold, ...]:
    """The distinct holds among ``decisions`` (hold rows; only ``rows``, a mask, when
    given), latest end first; None = open."""
    held = _column(decisions, "decision") == "hold"
    if rows is not None:
        held &= rows
    if not held.any():
        return ()
    seen: dict[tuple[str, str], date | None] = {}
    for fi, en, until in zip(
        _column(decisions, "hold_text_fi")[held],
        _column(decisions, "hold_text_en")[held],
        _column(decisions, "hold_until")[held],
        strict=True,
    ):
        seen[(_text(fi), _text(en))] = _date_or_none(until)
    ordered = sorted(seen.items(), key=lambda kv: (kv[1] is not None, kv[1] or date.max))
    return tuple(Hold(fi, en, until) for (fi, en), until in ordered)


def erasure_state(
    decisions: pd.DataFrame,
    received: date,
    promised: Period | None,
    today: date,
    *,
    prepared: bool = False,
    approved: bool = False,
) -> RequestState:
    """The state of one erasure request from the decisions on the person's traces.

    ``decisions`` are the engine's (after the safety rule) for the person's
    traces, the request log rows included (they are kept, as proof).
    ``prepared``: a one-person proposal was written; ``approved``: the owner
    approved its rows (they wait to be carried out, e.g. on the checklist).
    """
    deadline = erasure_deadline(received, promised)
    own = np.array([kind not in REQUEST_KINDS for kind in _column(decisions, "kind")], dtype=bool)
    decision = _column(decisions, "decision").copy()
    decision[~own] = None  # the request log's own rows are kept as proof: not counted
    # due now, or set due by the request (kept until the deadline comes)
    coming = (decision == "keep") & decisions["erasure_request"].astype(bool).to_numpy()
    to_erase = int(((decision == "delete") | coming).sum())
    review = int((decision == "review").sum())
    holds = holds_of(decisions, own)
    kept = int((decision == "hold").sum())
    if to_erase == 0 and review == 0 and not holds:
        state = "done"
    elif to_erase == 0 and review == 0:
        state = "blocked"
    elif review and not to_erase:
        state = "review"
    elif approved:
        state = "approved"
    elif prepared:
        state = "proposal_ready"
    else:
        state = "open"
    # Held data is kept lawfully: the request is answered when the rest is gone.
    finished = state in ("done", "blocked")
    return RequestState(
        state=state,
        deadline=deadline,
        overdue=0 if finished else days_overdue(deadline, today),
        near=is_near(deadline, today, finished),
        holds=holds,
        to_erase=to_erase,
        kept=kept,
        in_review=review,
    )


def access_state(received: date, today: date, *, prepared: bool = False) -> RequestState:
    """An access request is done when its report is written."""
    deadline = access_deadline(received)
    return RequestState(
        state="done" if prepared else "open",
        deadline=deadline,
        overdue=0 if prepared else days_overdue(deadline, today),
        near=is_near(deadline, today, prepared),
    )


def names_conflict(names: set[str]) -> bool:
    """Do these folded names belong to two people? ("anna virtanen" / "pekka virtanen").

    A name that is part of another ("matti" / "matti virtanen") is the same
    person written shorter; two names of which neither contains the other are
    two people.
    """
    words = [frozenset(n.split()) for n in names if n]
    return any(not (a <= b or b <= a) for i, a in enumerate(words) for b in words[i + 1 :])


def shared_subjects(traces: pd.DataFrame) -> set[str]:
    """Subjects whose traces carry two people's names, or two henkilötunnus.

    ``traces`` has ``subject_id``, ``name_key`` (folded names) and ``hetu``
    columns. One e-mail address used by two people (a family's shared
    address) joins them into one subject; the names tell.
    """
    hetus: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    subjects = traces["subject_id"].tolist()
    for found, column in ((hetus, "hetu"), (names, "name_key")):
        for subject, value in zip(subjects, traces[column].tolist(), strict=True):
            if not pd.isna(subject) and not pd.isna(value):
                found.setdefault(str(subject), set()).add(str(value))
    out = {subject for subject, values in hetus.items() if len(values) > 1}
    return out | {subject for subject, values in names.items() if names_conflict(values)}


def guard_shared(decisions: pd.DataFrame, shared: set[str]) -> pd.DataFrame:
    """Deletions of a shared subject become review (code ``shared_identity``)."""
    out = decisions.copy()
    if not shared:
        return out
    take = out["subject_id"].isin(list(shared)) & (out["decision"] == "delete")
    out.loc[take, "decision"] = "review"
    out.loc[take, "review_code"] = SHARED_IDENTITY
    out.loc[take, "review_reason"] = SHARED_REASON[0]
    out.loc[take, "review_reason_en"] = SHARED_REASON[1]
    out.loc[take, "days_overdue"] = pd.NA
    return out


__all__ = [
    "GDPR_CAP",
    "REMIND_DAYS",
    "REQUEST_KINDS",
    "SHARED_IDENTITY",
    "Hold",
    "RequestState",
    "access_deadline",
    "access_state",
    "days_left",
    "days_overdue",
    "erasure_deadline",
    "erasure_state",
    "guard_shared",
    "holds_of",
    "is_near",
    "names_conflict",
    "shared_subjects",
]
