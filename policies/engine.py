"""The engine: traces + register policies + statutory rules + today -> decisions.

A pure function (:func:`evaluate`): no I/O, no clock. One decision per trace:

- ``delete`` — due (due_date <= today) and nothing holds it;
- ``hold`` — due, but a legal hold keeps it (hold id, text, hold_until; NaT
  = indefinite or not computable), or a record the law keeps for a period
  the data cannot tell (patient records);
- ``keep`` — not yet due (with its due date), active (an endless calendar
  series, an active engagement), or not a customer (rule ``not_customer``:
  the safety rule "only customers are ever proposed");
- ``review`` — the engine cannot decide safely: no usable date, a kind with
  no rule, a register with no policy, an identity that is ambiguous, a
  trace with no strong key, an erasure request from someone who is not a
  customer, an open claim that may be time-barred.

Every review row carries a machine-readable ``review_code`` (a plain
string column; the run-level safety rules add codes of their own, e.g.
``source_blocked``, ``row_problem``, ``hold_source_unreadable``). The
engine's codes (:data:`REVIEW_CODES`):

- ``no_key`` — the trace has no strong key (e-mail, E.164 phone, valid
  henkilötunnus, customer number): a name alone never decides; the reason
  says when the name matches a customer's (policies.identity);
- ``name_match`` — the trace's own keys make it no customer, but its name
  is a customer's: it may be the customer's other card;
- ``identity_conflict`` — the subject's keys conflict (two henkilötunnus);
- ``undated`` — the rule needs a date the trace (or the subject) lacks;
- ``no_rule`` — the register has no retention rule for the kind;
- ``no_policy`` — the register has no policy;
- ``no_other`` — a while_customer trace whose subject has nothing else;
- ``erasure_non_customer`` — an erasure request from a non-customer;
- ``claim_time_barred`` — due, and held only by an open claim past its
  limitation period (fi.yaml ``limitation``): is it still collectable?

Precedence: statutory holds (and the policy's extra holds) always win; then
erasure requests (all of the subject's traces in the register dated on or
before the request — or undated — are due on the request date, proposed at
once; the register's deadline, request date + ``erasure.deadline``, is when
it must be done, and days overdue count from it; the request log itself
follows its own rule, and request logs are never customer activity); then marketing
opt-outs (a ``marketing`` trace with status ``opted_out`` is due today); then the kind's
rule. A subject hold keeps the subject's traces except the kinds it
``spares`` (an open invoice does not keep a marketing consent).

``while_customer`` traces are due when every other trace of the subject in
the register is due — the latest of those due dates. Records the law keeps
(bookkeeping records, and patient records whose period cannot be told) are
set aside: their dates count as activity (the due date is never before
them) but they do not make the relationship ongoing. A trace is never due
before its own date; a rule's ``at_least`` period after its own date is a
floor. A while_customer trace dated after the relationship's last activity
(a newsletter subscription given after the last order) is a consent of its
own: kept until withdrawn ("suostumus voimassa"), or until ``at_least``
after its own date when the rule has one. If another trace is active or
cannot be dated, the relationship is ongoing and the trace is kept.

Dates are local dates (``datetime64[us]`` at midnight; the engine reads them
as day numbers, so a time of day in a date column is ignored). Periods are
calendar periods (policies.periods). Work is vectorised per register, kind
and anchor on numpy arrays: registers, kinds, statuses and subjects as
integer codes (identity's), dates as day numbers, texts as codes into small
tables; a text is written once per distinct combination and spread back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from connectors.trace import DATE_DTYPE
from policies import findings as fnd
from policies.identity import (
    REVIEWS,
    Identity,
    factorize_present,
    identify,
    string_array,
    subject_column,
)
from policies.law import StatutoryRules
from policies.periods import (
    NAT,
    Period,
    add_period_days,
    as_timestamp,
    day_date,
    day_number,
    fiscal_year_end_days,
    from_days,
    to_days,
    year_end_after_fiscal_year_days,
)
from policies.schema import Anchor, HoldRule, LastOf, RegisterPolicy, RetentionRule

DECISIONS = ("delete", "hold", "keep", "review")
#: request logs: kept as proof that a request was handled, never customer activity
REQUEST_KINDS = frozenset({"erasure_request", "access_request"})

DECISION_COLUMNS: dict[str, str] = {
    "trace_id": "string",
    "subject_id": "string",
    "register": "string",
    "source": "string",
    "kind": "string",
    "decision": "string",
    "action": "string",
    "due_date": DATE_DTYPE,
    "trigger_date": DATE_DTYPE,
    "rule_id": "string",
    "rule_text_fi": "string",
    "rule_text_en": "string",
    "hold_id": "string",
    "hold_text_fi": "string",
    "hold_text_en": "string",
    "hold_source": "string",
    "hold_until": DATE_DTYPE,
    "days_overdue": "Int64",
    "erasure_request": "bool",
    "review_code": "string",
    "review_reason": "string",
    "review_reason_en": "string",
}

#: The review codes the engine gives (see the module docstring).
REVIEW_CODES = frozenset(
    {
        "no_key",
        "name_match",
        "identity_conflict",
        "undated",
        "no_rule",
        "no_policy",
        "no_other",
        "erasure_non_customer",
        "claim_time_barred",
    }
)

#: Kind names in the rule texts ("viimeisin tilaus").
KIND_FI: dict[str, str] = {
    "contact": "yhteystieto",
    "appointment": "käynti",
    "order": "tilaus",
    "invoice": "lasku",
    "engagement": "toimeksianto",
    "summary": "koonti",
    "marketing": "markkinointilupa",
    "erasure_request": "poistopyyntö",
    "client_record": "potilasasiakirja",
    "customer": "asiakastieto",
}

_ANCHOR_FI = {
    "event_date": "tapahtumapäivä",
    "end_date": "päättymispäivä",
    "relationship_end": "asiakkuuden viimeisin tapahtuma",
    "fiscal_year_end": "tilikausi päättyi",
    "fiscal_year_calendar_end": "tilikauden päättymisvuosi päättyi",
}
_ANCHOR_EN = {
    "event_date": "event date",
    "end_date": "end date",
    "relationship_end": "latest customer activity",
    "fiscal_year_end": "fiscal year ended",
    "fiscal_year_calendar_end": "year of the fiscal year end ended",
}

# Review reasons (Finnish, English).
R_UNDATED = ("merkinnällä ei ole käyttökelpoista päivämäärää", "the trace has no usable date")
R_NO_RULE = ("tälle tietolajille ei ole säilytyssääntöä", "no retention rule for this kind")
R_NO_POLICY = ("rekisterillä ei ole käsittelyohjetta", "the register has no policy")
R_NO_OTHER = (
    "asiakkuuden kestoa ei voi päätellä: henkilöllä ei ole muita merkintöjä",
    "the relationship's length cannot be told: the person has no other traces",
)
R_ERASURE_NON_CUSTOMER = (
    "poistopyyntö henkilöltä, jolla ei ole asiakkuutta: hoida käsin",
    "an erasure request from a person who is not a customer: handle by hand",
)
R_CLAIM_TIME_BARRED = (
    "avoin lasku on mahdollisesti vanhentunut: tarkista, onko saatava yhä perittävissä",
    "the open invoice may be time-barred: check whether the claim can still be collected",
)

NOT_CUSTOMER = (
    "not_customer",
    "Ei asiakas: henkilöllä ei ole asiakkuuteen viittaavaa merkintää, joten tietoja ei "
    "ehdoteta poistettaviksi",
    "Not a customer: the person has no customer trace, so nothing is proposed",
)


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` returns."""

    decisions: pd.DataFrame
    findings: list[fnd.Finding] = field(default_factory=list)
    subjects: pd.DataFrame = field(default_factory=pd.DataFrame)

    def counts(self) -> dict[str, int]:
        """Decisions per kind of decision (safe to log: no personal data)."""
        values = self.decisions["decision"].value_counts()
        return {d: int(values.get(d, 0)) for d in DECISIONS}


# The work is done on numpy arrays, one entry per trace: registers, kinds,
# statuses and subjects as integer codes, dates as int64 day numbers
# (periods.NAT where missing), texts as codes into small tables (a rule, a
# trigger label, a hold), turned into strings once per distinct combination.

# States of the rule computation, as codes (a review state's name is its review code).
OK, ACTIVE, ONGOING, CONSENT, UNDATED, NO_RULE, NO_POLICY, NO_OTHER, STATUTORY_UNKNOWN, WC = range(
    10
)
_STATE_NAMES = (
    "ok",
    "active",
    "ongoing",
    "consent",
    "undated",
    "no_rule",
    "no_policy",
    "no_other",
    "statutory_unknown",
    "while_customer",
)
#: An anchor that does not apply to the trace (no state of its own).
_NONE = -1
#: States no override changes: no rule or policy (review), records the law keeps.
_FIXED = [NO_RULE, NO_POLICY, STATUTORY_UNKNOWN]
_REVIEW_STATES = {
    UNDATED: R_UNDATED,
    NO_RULE: R_NO_RULE,
    NO_POLICY: R_NO_POLICY,
    NO_OTHER: R_NO_OTHER,
}
#: States kept with no due date, and what the rule text adds (fi, en).
_KEPT_STATES = {
    ACTIVE: (" — voimassa", " — active"),
    ONGOING: (" — asiakkuus jatkuu", " — relationship ongoing"),
    CONSENT: (
        " — suostumus voimassa (annettu asiakkuuden viimeisimmän tapahtuman jälkeen)",
        " — consent valid (given after the latest customer activity)",
    ),
}

# Decisions as codes (-1: not decided yet).
_DELETE, _HOLD, _KEEP, _REVIEW = range(4)

# Trigger labels (fi, en) the engine itself gives.
_L_NONE = ("", "")
_L_STATUTORY = ("lakisääteinen säilytys päättyy", "statutory retention ends")
_L_ERASURE = ("poistopyyntö", "erasure request")
_L_OTHERS = ("muut tiedot erääntyvät", "the other data falls due")
_L_OWN = ("merkinnän oma päivämäärä", "the trace's own date")

# Reviews: identity's (policies.identity.REVIEWS, index 0 = none), then the engine's.
_REVIEWS: list[tuple[str | None, str | None, str | None]] = [
    *REVIEWS,
    ("erasure_non_customer", *R_ERASURE_NON_CUSTOMER),
    ("claim_time_barred", *R_CLAIM_TIME_BARRED),
    *((_STATE_NAMES[s], *texts) for s, texts in _REVIEW_STATES.items()),
]
_REVIEW_INDEX = {code: i for i, (code, _, _) in enumerate(_REVIEWS) if i >= len(REVIEWS)}


class _Table:
    """Interned tuples of texts, by code."""

    def __init__(self, *first: tuple[Any, ...]) -> None:
        self.items: list[tuple[Any, ...]] = []
        self._codes: dict[tuple[Any, ...], int] = {}
        for item in first:
            self.code(item)

    def code(self, item: tuple[Any, ...]) -> int:
        found = self._codes.get(item)
        if found is None:
            found = self._codes[item] = len(self.items)
            self.items.append(item)
        return found

    def column(self, codes: np.ndarray, part: int = 0) -> pd.api.extensions.ExtensionArray:
        """Part ``part`` of each code's item as a "string" array (code -1 or None: missing)."""
        values = np.array(
            [*(pd.NA if item[part] is None else item[part] for item in self.items), pd.NA],
            dtype=object,
        )
        return string_array(values[codes])


def _texts_per_distinct(
    keys: np.ndarray, build: Callable[[int], tuple[str | None, str | None]]
) -> tuple[np.ndarray, np.ndarray]:
    """``build(key)`` (fi, en) once per distinct integer key, spread back per row.

    A million rows carry a few thousand distinct (rule, label, date)
    combinations: the texts are built once each and spread back by codes,
    not concatenated row by row. A None text is missing.
    """
    codes, distinct = pd.factorize(keys)
    texts = [build(k) for k in distinct.tolist()]
    fi = np.array([pd.NA if t[0] is None else t[0] for t in texts] + [pd.NA], dtype=object)
    en = np.array([pd.NA if t[1] is None else t[1] for t in texts] + [pd.NA], dtype=object)
    return fi[codes], en[codes]


def _date_texts(days: int) -> tuple[str, str]:
    """A day number as the rule and hold texts show it (fi, en); NAT -> ""."""
    if days == NAT:
        return "", ""
    day = day_date(days)
    return f"{day.day}.{day.month}.{day.year}", day.isoformat()


def _day_codes(days: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(1 + days - first per row, 0 where missing; first; width): dates as small codes."""
    valid = days != NAT
    if not valid.any():
        return np.zeros(len(days), dtype=np.int64), 0, 1
    first = int(days[valid].min())
    codes = np.where(valid, days - first + 1, 0)
    return codes, first, int(codes.max()) + 1


def _strings(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=object)


@dataclass
class _Anchor:
    date: np.ndarray  # day numbers of the rows asked for
    state: np.ndarray  # OK, ACTIVE, UNDATED, or _NONE (does not apply)
    label: int


@dataclass
class _Stats:
    """Per subject among some rows: any rows, latest date, any undated, any active."""

    known: np.ndarray
    latest: np.ndarray
    undated: np.ndarray
    active: np.ndarray


class _Work:
    """The traces as arrays, and the arrays the engine fills in."""

    def __init__(self, frame: pd.DataFrame, found: Identity) -> None:
        n = len(frame)
        self.n = n
        self.frame = frame
        self.found = found
        self.reg = found.registers
        self.register_names = found.register_names
        self.kind = found.kinds
        self.kind_names = found.kind_names
        self.subj = found.subject
        self.n_subjects = found.n_subjects
        status, status_names = factorize_present(_strings(frame["status"]))
        self.status = status.astype(np.int64)
        self.status_names: list[str] = status_names.tolist()
        self.event = to_days(frame["event_date"])
        self.end = to_days(frame["end_date"])
        self.latest = np.maximum(self.event, self.end)  # NAT (the minimum) loses
        self.active_status = self.status_in(["active"])
        self.is_customer = found.is_customer
        self._stats: dict[Any, _Stats] = {}
        self.review_index = np.full(n, -1, dtype=np.int64)  # set by _decide

        self.state = np.full(n, OK, dtype=np.int8)
        self.due = np.full(n, NAT, dtype=np.int64)
        self.trigger = np.full(n, NAT, dtype=np.int64)
        self.labels = _Table(_L_NONE)
        self.label = np.zeros(n, dtype=np.int64)
        self.rules = _Table()
        self.rule = np.full(n, -1, dtype=np.int64)
        self.actions = _Table()
        self.action = np.full(n, -1, dtype=np.int64)
        self.erasure = np.zeros(n, dtype=bool)
        self.deadline = np.full(n, NAT, dtype=np.int64)
        self.held = np.zeros(n, dtype=bool)
        self.hold_until = np.full(n, NAT, dtype=np.int64)
        self.holds = _Table()
        self.hold = np.full(n, -1, dtype=np.int64)
        self.stat_until = np.full(n, NAT, dtype=np.int64)
        self.stat_unknown = np.zeros(n, dtype=bool)
        self.barred = np.zeros(n, dtype=bool)  # held only by a claim that may be time-barred
        self.barred_trigger = np.zeros(n, dtype=bool)  # the open invoice that may be time-barred

    # -- codes

    def _in(self, codes: np.ndarray, names: list[str], values: Collection[str]) -> np.ndarray:
        wanted = [i for i, name in enumerate(names) if name in set(values)]
        if not wanted:
            return np.zeros(self.n, dtype=bool)
        if len(wanted) == 1:
            return codes == wanted[0]
        return np.isin(codes, wanted)

    def status_in(self, values: Collection[str]) -> np.ndarray:
        return self._in(self.status, self.status_names, values)

    def kind_in(self, values: Collection[str]) -> np.ndarray:
        return self._in(self.kind, self.kind_names, values)

    def trace_ids(self, rows: np.ndarray) -> pd.Series:
        return pd.Series(_strings(self.frame["trace_id"])[rows], dtype="string")

    # -- per subject

    def stats(self, key: Any, mask: np.ndarray) -> _Stats:
        """Per subject among ``mask`` rows (cached under ``key``: the rows never change)."""
        found = self._stats.get(key)
        if found is None:
            subject = self.subj[mask]
            latest = self.latest[mask]
            size = self.n_subjects
            found = _Stats(
                _any_per(subject, np.ones(len(subject), dtype=bool), size),
                _max_per(subject, latest, size),
                _any_per(subject, latest == NAT, size),
                _any_per(subject, self.active_status[mask], size),
            )
            self._stats[key] = found
        return found


def _any_per(groups: np.ndarray, flag: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[groups[flag]] = True
    return out


def _max_per(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per group the largest value (NAT where none, or all are missing)."""
    out = np.full(size, NAT, dtype=np.int64)
    np.maximum.at(out, groups, values)
    return out


# ------------------------------------------------------------------ anchors


def _from_stats(w: _Work, rows: np.ndarray, stats: _Stats, label: int) -> _Anchor:
    subject = w.subj[rows]
    known = stats.known[subject]
    state = np.where(known, OK, _NONE).astype(np.int8)
    state[known & stats.undated[subject]] = UNDATED
    state[known & stats.active[subject]] = ACTIVE
    return _Anchor(np.where(state == OK, stats.latest[subject], NAT), state, label)


def _anchor(
    w: _Work, rows: np.ndarray, anchor: Anchor, register: int, policy: RegisterPolicy
) -> _Anchor:
    in_register = w.reg == register
    if isinstance(anchor, LastOf):
        key = (register, "last", anchor.last)
        stats = w.stats(key, in_register & w.kind_in([anchor.last]))
        label = KIND_FI.get(anchor.last, anchor.last)
        code = w.labels.code((f"viimeisin {label}", f"latest {anchor.last}"))
        return _from_stats(w, rows, stats, code)
    code = w.labels.code((_ANCHOR_FI[anchor], _ANCHOR_EN[anchor]))
    if anchor == "relationship_end":
        stats = w.stats((register, "customer"), in_register & w.is_customer)
        return _from_stats(w, rows, stats, code)
    if anchor in ("event_date", "end_date"):
        values = (w.event if anchor == "event_date" else w.end)[rows]
        return _Anchor(values, np.where(values != NAT, OK, _NONE).astype(np.int8), code)
    day, month = policy.fiscal_day_month
    func = fiscal_year_end_days if anchor == "fiscal_year_end" else year_end_after_fiscal_year_days
    dates = func(w.event[rows], day, month)
    return _Anchor(dates, np.where(dates != NAT, OK, _NONE).astype(np.int8), code)


def _combine(values: list[_Anchor], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The latest of the anchors that apply: (date, state, label code)."""
    date_out = np.full(size, NAT, dtype=np.int64)
    label = np.zeros(size, dtype=np.int64)
    any_ok = np.zeros(size, dtype=bool)
    any_undated = np.zeros(size, dtype=bool)
    any_active = np.zeros(size, dtype=bool)
    for value in values:
        ok = value.state == OK
        better = ok & (value.date > date_out)  # an OK anchor has a date; NAT is the minimum
        date_out[better] = value.date[better]
        label[better] = value.label
        any_ok |= ok
        any_undated |= value.state == UNDATED
        any_active |= value.state == ACTIVE
    state = np.full(size, UNDATED, dtype=np.int8)
    state[any_ok] = OK
    state[any_undated] = UNDATED
    state[any_active] = ACTIVE
    return np.where(state == OK, date_out, NAT), state, label


# -------------------------------------------------------------------- rules


def _rule_texts(rule: RetentionRule) -> tuple[str, str]:
    fi, en = rule.kuvaus.strip(), (rule.description_en or rule.kuvaus).strip()
    if rule.at_least is not None:
        fi += f" ({rule.at_least_text()})"
        en += f" ({rule.at_least_text(en=True)})"
    return fi, en


def _apply_rule(
    w: _Work,
    rows: np.ndarray,
    kind: str,
    rule: RetentionRule,
    register: int,
    policy: RegisterPolicy,
) -> None:
    fi, en = _rule_texts(rule)
    w.rule[rows] = w.rules.code((f"retention.{kind}", fi, en))
    w.action[rows] = w.actions.code((rule.action,))
    if rule.keep == "while_customer":
        w.state[rows] = WC
        return
    if rule.keep == "statutory":
        until = w.stat_until[rows]
        state = np.full(len(rows), OK, dtype=np.int8)
        state[until == NAT] = UNDATED
        state[w.stat_unknown[rows]] = STATUTORY_UNKNOWN
        w.state[rows] = state
        w.due[rows] = np.where(until == NAT, NAT, until + 1)
        w.trigger[rows] = until
        w.label[rows] = w.labels.code(_L_STATUTORY)
        return
    assert isinstance(rule.keep, Period)
    anchors = [_anchor(w, rows, a, register, policy) for a in rule.anchors]
    anchor_date, state, label = _combine(anchors, len(rows))
    # A trace that is itself active (an endless series, an ongoing engagement) is kept.
    state[w.active_status[rows]] = ACTIVE
    w.state[rows] = state
    w.trigger[rows] = anchor_date
    w.label[rows] = label
    w.due[rows] = add_period_days(np.where(state == OK, anchor_date, NAT), rule.keep)


# -------------------------------------------------------------------- holds


def _hold_until(
    w: _Work, rows: np.ndarray, hold: HoldRule, register: int, policy: RegisterPolicy
) -> np.ndarray:
    """The last day each trigger row's hold lasts; NAT = indefinite or not computable."""
    if hold.until != "period":
        return np.full(len(rows), NAT, dtype=np.int64)
    assert hold.keep is not None
    assert hold.after is not None
    value = _anchor(w, rows, hold.after, register, policy)
    return add_period_days(np.where(value.state == OK, value.date, NAT), hold.keep)


def _time_barred(
    w: _Work,
    rows: np.ndarray,
    hold: HoldRule,
    register: int,
    policy: RegisterPolicy,
    today: int,
) -> np.ndarray:
    """Trigger rows whose claim is past its limitation period (fi.yaml ``limitation``).

    The claim lasts through its limitation date (anchor + period) and may be
    time-barred from the next day. An undated trigger never is (fail closed);
    a status the limitation does not name (``collection``: interrupted)
    neither.
    """
    if hold.limitation is None:
        return np.zeros(len(rows), dtype=bool)
    limitation = hold.limitation
    limited = w.status_in(limitation.statuses)[rows]
    value = _anchor(w, rows, limitation.after, register, policy)
    start = np.where(limited & (value.state == OK), value.date, NAT)
    limit = add_period_days(start, limitation.keep)
    return (limit != NAT) & (limit < today)


def _hold_targets(
    w: _Work, in_register: np.ndarray, rows: np.ndarray, until: np.ndarray, hold: HoldRule
) -> tuple[np.ndarray, np.ndarray]:
    """The rows the trigger ``rows`` hold, and the last day each is held (NAT: indefinite)."""
    if hold.scope == "trace":
        return rows, until
    # Per subject the longest hold; any indefinite (NAT) one makes it indefinite.
    subject = w.subj[rows]
    size = w.n_subjects
    per_subject = _max_per(subject, until, size)
    per_subject[_any_per(subject, until == NAT, size)] = NAT
    targets = in_register & _any_per(subject, np.ones(len(rows), dtype=bool), size)[w.subj]
    if hold.spares:
        targets &= ~w.kind_in(hold.spares)
    target_rows = np.flatnonzero(targets)
    return target_rows, per_subject[w.subj[target_rows]]


def _collect_holds(
    w: _Work,
    register: int,
    policy: RegisterPolicy,
    holds: list[tuple[HoldRule, bool]],
    today: int,
) -> None:
    """Mark held rows; ``holds`` pairs each hold with whether it is statutory."""
    in_register = w.reg == register
    for hold, statutory in holds:
        trigger = in_register.copy()
        if hold.kinds:
            trigger &= w.kind_in(hold.kinds)
        if hold.statuses:
            trigger &= w.status_in(hold.statuses)
        rows = np.flatnonzero(trigger)
        if not len(rows):
            continue
        until = _hold_until(w, rows, hold, register, policy)
        # The statutory periods also set the due date of 'keep: statutory' rules.
        if statutory and hold.scope == "trace" and not hold.statuses:
            if hold.until == "unknown":
                w.stat_unknown[rows] = True
            elif hold.until == "period":
                current = w.stat_until[rows]
                longer = (current != NAT) & (until != NAT) & (current >= until)
                w.stat_until[rows] = np.where(longer, current, until)
        barred = _time_barred(w, rows, hold, register, policy, today)
        if barred.any():
            w.barred_trigger[rows[barred]] = True
            barred_rows, _ = _hold_targets(w, in_register, rows[barred], until[barred], hold)
            w.barred[barred_rows] = True
        active = ((until == NAT) | (until >= today)) & ~barred
        if not active.any():
            continue
        target_rows, target_until = _hold_targets(w, in_register, rows[active], until[active], hold)
        current_until = w.hold_until[target_rows]
        # The longest hold is the one shown: NAT (indefinite) beats any date.
        longer = ~w.held[target_rows] | (
            (current_until != NAT) & ((target_until == NAT) | (target_until > current_until))
        )
        chosen = target_rows[longer]
        fi, en, source = _hold_texts(hold)
        w.held[chosen] = True
        w.hold_until[chosen] = target_until[longer]
        w.hold[chosen] = w.holds.code((hold.id, fi, en, source))


def _hold_texts(hold: HoldRule) -> tuple[str, str, str]:
    return hold.kuvaus.strip(), (hold.description_en or hold.kuvaus).strip(), hold.source or ""


# ---------------------------------------------------------------- overrides


def _set_rule(
    w: _Work, take: np.ndarray, rule: tuple[str, str, str], label: tuple[str, str]
) -> None:
    w.state[take] = OK
    w.label[take] = w.labels.code(label)
    w.rule[take] = w.rules.code(rule)
    w.action[take & (w.action == -1)] = w.actions.code(("delete",))


def _opt_outs(w: _Work, in_register: np.ndarray, today: int) -> None:
    opted = (
        in_register
        & w.kind_in(["marketing"])
        & w.status_in(["opted_out"])
        & ~np.isin(w.state, _FIXED)
    )
    take = opted & ((w.due == NAT) | (w.due >= today))
    w.due[take] = today
    w.trigger[take] = NAT
    rule = (
        "opt_out",
        "Markkinointikielto: markkinointitiedot poistetaan heti",
        "Marketing opt-out: marketing data is removed at once",
    )
    _set_rule(w, take, rule, _L_NONE)


def _erasures(w: _Work, in_register: np.ndarray, policy: RegisterPolicy) -> None:
    """Apply erasure requests: the subject's earlier traces are due on the request date."""
    is_request = w.kind_in(["erasure_request"])
    requests = in_register & is_request & (w.event != NAT)
    if not requests.any():
        return
    first = np.full(w.n_subjects, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, w.subj[requests], w.event[requests])
    first[first == np.iinfo(np.int64).max] = NAT
    request_date = np.where(in_register, first[w.subj], NAT)
    applies = (
        (request_date != NAT)
        & ~np.isin(w.state, _FIXED)
        & ~is_request
        & ((w.latest == NAT) | (w.latest <= request_date))
    )
    # Due at once (GDPR art. 17: "without undue delay"); the notice's deadline is
    # when it must be done, and what days overdue count from.
    deadline = add_period_days(np.where(applies, request_date, NAT), policy.erasure.deadline)
    take = applies & ((w.due == NAT) | (request_date <= w.due))
    w.due[take] = request_date[take]
    w.deadline[take] = deadline[take]
    w.trigger[take] = request_date[take]
    period_fi = policy.erasure.deadline.text_fi()
    period_en = policy.erasure.deadline.text_en()
    rule = (
        "erasure",
        f"Poistopyyntö: tiedot poistetaan {period_fi} kuluessa pyynnöstä",
        f"Erasure request: the data is removed within {period_en}",
    )
    _set_rule(w, take, rule, _L_ERASURE)
    w.erasure[take] = True


def _while_customer(
    w: _Work,
    in_register: np.ndarray,
    bookkeeping: frozenset[str],
    at_least: Mapping[str, Period],
) -> None:
    """Due date of while_customer traces from the subject's other traces (see module doc).

    ``at_least`` maps a kind to its rule's ``at_least`` period, where it has one.
    """
    wc = in_register & (w.state == WC)
    rows = np.flatnonzero(wc)
    if not len(rows):
        return
    size = w.n_subjects
    # Records the law keeps: their dates count, their (missing) due dates do not.
    # Request logs (erasure, access) prove a request was handled: not customer activity.
    in_play = in_register & ~wc & ~w.kind_in(REQUEST_KINDS)
    aside = in_play & (w.kind_in(bookkeeping) | (w.state == STATUTORY_UNKNOWN))
    others = in_play & ~aside
    blocked = _any_per(w.subj, others & (w.due == NAT), size)
    last_due = _max_per(w.subj[others], w.due[others], size)
    last_aside = _max_per(w.subj[aside], w.latest[aside], size)
    last_activity = _max_per(w.subj[in_play], w.latest[in_play], size)

    subject = w.subj[rows]
    own = w.latest[rows]
    count = len(rows)
    due = np.maximum(last_due[subject], last_aside[subject])  # NAT (the minimum) loses
    has_other = due != NAT
    label = np.full(count, w.labels.code(_L_OTHERS), dtype=np.int64)
    # The rule's floor: at least a period after the trace's own date.
    floor = np.full(count, NAT, dtype=np.int64)
    floor_label = np.zeros(count, dtype=np.int64)
    needs_date = np.zeros(count, dtype=bool)
    for kind, period in at_least.items():
        of_kind = w.kind_in([kind])[rows]
        needs_date |= of_kind
        floor[of_kind] = add_period_days(own[of_kind], period)
        floor_label[of_kind] = w.labels.code(
            (
                f"{period.text_fi()} merkinnän omasta päivämäärästä",
                f"{period.text_en()} after the trace's own date",
            )
        )
    # Never due before its own date, nor before the floor: the latest one is shown.
    for candidate, candidate_label in ((own, w.labels.code(_L_OWN)), (floor, floor_label)):
        value = np.where(has_other, candidate, NAT)
        won = value > due  # NAT is the minimum: a missing date never wins
        due = np.where(won, value, due)
        label = np.where(won, candidate_label, label)
    # Given after the relationship's last activity: a consent of its own.
    activity = last_activity[subject]
    after = (own != NAT) & (activity != NAT) & (own > activity)

    state = np.full(count, OK, dtype=np.int8)
    state[~has_other] = NO_OTHER
    state[has_other & after & ~needs_date] = CONSENT
    state[has_other & needs_date & (own == NAT)] = UNDATED
    state[blocked[subject]] = ONGOING
    ok = state == OK
    w.state[rows] = state
    w.due[rows] = np.where(ok, due, NAT)
    w.trigger[rows] = np.where(ok, due, NAT)
    w.label[rows] = np.where(ok, label, 0)


# ----------------------------------------------------------------- evaluate


def evaluate(
    traces: pd.DataFrame,
    policies: Mapping[str, RegisterPolicy],
    law: StatutoryRules,
    today: date,
    customer_sources: Collection[str] = frozenset(),
) -> Evaluation:
    """Decide every trace's fate on ``today``; see the module docstring for the rules.

    ``traces`` is a contract-valid frame (connectors.trace); ``policies``
    maps a register name (the traces' ``register``) to its policy;
    ``customer_sources`` are source ids whose every record is a customer.
    """
    today_days = day_number(as_timestamp(today).date())
    frame = traces.reset_index(drop=True)
    found = identify(
        frame, {reg: p.customer_kinds for reg, p in policies.items()}, frozenset(customer_sources)
    )
    w = _Work(frame, found)
    findings: list[fnd.Finding] = []
    categories: tuple[np.ndarray, list[str]] | None = None

    for register in sorted(range(len(w.register_names)), key=w.register_names.__getitem__):
        name = w.register_names[register]
        in_register = w.reg == register
        policy = policies.get(name)
        if policy is None:
            w.state[in_register] = NO_POLICY
            ids = w.trace_ids(np.flatnonzero(in_register))
            findings.append(fnd.no_policy_finding(name, ids))
            continue
        holds = [(h, True) for h in law.active_for(policy.optional_statutory_holds)]
        holds += [(h, False) for h in policy.holds]
        _collect_holds(w, register, policy, holds, today_days)
        kinds = np.unique(w.kind[in_register])
        for kind_code in sorted(kinds.tolist(), key=lambda k: w.kind_names[k] if k >= 0 else ""):
            of_kind = np.flatnonzero(in_register & (w.kind == kind_code))
            kind = w.kind_names[kind_code] if kind_code >= 0 else ""
            rule = policy.retention.get(kind)
            if rule is None:
                w.state[of_kind] = NO_RULE
                findings.append(fnd.no_rule_finding(name, kind, w.trace_ids(of_kind)))
                continue
            _apply_rule(w, of_kind, kind, rule, register, policy)
        _opt_outs(w, in_register, today_days)
        _erasures(w, in_register, policy)
        at_least = {k: r.at_least for k, r in policy.retention.items() if r.at_least}
        _while_customer(w, in_register, law.bookkeeping_kinds, at_least)
        if categories is None:
            codes, lists = pd.factorize(_strings(frame["found_categories"]))
            categories = (codes, [*lists.tolist(), ""])  # code -1 (missing): ""
        rows = np.flatnonzero(in_register)
        findings.extend(
            fnd.undeclared_in(
                name,
                policy,
                categories[0][rows],
                categories[1],
                found.has_hetu[rows],
                partial(_ids_of, w, rows),
            )
        )
        findings.extend(fnd.notice_findings(name, policy))
        findings.extend(fnd.interpretation_findings(name, policy))

    decisions, subjects = _decide(w, today_days)
    findings.extend(_run_findings(w, decisions))
    return Evaluation(decisions, fnd.sort_findings(findings), subjects)


def _ids_of(w: _Work, rows: np.ndarray, present: np.ndarray) -> pd.Series:
    return w.trace_ids(rows[present])


def _decide(w: _Work, today: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = w.n
    decision = np.full(n, -1, dtype=np.int8)
    review_of = np.zeros(n, dtype=np.int64)
    state = w.state
    due = w.due

    def review(where: np.ndarray, index: Any) -> None:
        take = where & (decision == -1)
        decision[take] = _REVIEW
        review_of[take] = index[take] if isinstance(index, np.ndarray) else index

    has_erasure = _any_per(w.subj, w.kind_in(["erasure_request"]), w.n_subjects)[w.subj]
    # Identity trouble first (no strong key, a name-only match, conflicting keys):
    # review with identity's reason, whatever the trace's scope or dates say.
    identity = w.found.review != 0
    review(identity, w.found.review.astype(np.int64))

    # Not a customer (a register with no policy has no customer kinds either: its
    # traces are reviewed): kept and never proposed — unless they asked for erasure.
    out_of_scope = ~w.found.in_scope & (state != NO_POLICY) & ~identity
    review(out_of_scope & has_erasure, _REVIEW_INDEX["erasure_non_customer"])
    decision[out_of_scope & (decision == -1)] = _KEEP

    for state_code in _REVIEW_STATES:
        review(state == state_code, _REVIEW_INDEX[_STATE_NAMES[state_code]])
    undecided = decision == -1
    statutory = undecided & (state == STATUTORY_UNKNOWN)
    decision[statutory] = _HOLD
    kept = undecided & np.isin(state, list(_KEPT_STATES))
    decision[kept] = _KEEP
    rest = undecided & ~statutory & ~kept
    is_due = rest & (due != NAT) & (due <= today)
    decision[is_due & w.held] = _HOLD
    # Due, and held only by a claim that may be time-barred: a person decides.
    review(is_due & w.barred, _REVIEW_INDEX["claim_time_barred"])
    decision[is_due & (decision == -1)] = _DELETE
    decision[rest & (decision == -1)] = _KEEP

    shown = ~out_of_scope
    no_due = np.isin(state, [*_KEPT_STATES, STATUTORY_UNKNOWN])
    due_out = np.where(shown & ~no_due, due, NAT)
    is_delete = decision == _DELETE
    # An erasure counts its days overdue from the notice's deadline, not from the request.
    overdue_from = np.where(w.erasure & (w.deadline != NAT), w.deadline, due_out)
    overdue = np.where(overdue_from != NAT, today - overdue_from, 0)
    days_overdue = pd.arrays.IntegerArray(np.maximum(overdue, 0) * is_delete, ~is_delete)

    show_hold = w.held & shown
    hold = np.where(show_hold, w.hold, -1)
    is_review = decision == _REVIEW
    reviews = _Table(*_REVIEWS)
    review_index = np.where(is_review, review_of, -1)
    w.review_index = review_index
    action = np.where(np.isin(decision, [_DELETE, _HOLD, _KEEP]) & shown, w.action, -1)
    not_customer = w.rules.code(NOT_CUSTOMER)
    rule = np.where(shown, w.rule, not_customer)
    rule_fi, rule_en = _rule_text(w, rule, out_of_scope)
    hold_fi, hold_en = _hold_text(w, hold)
    subject_id = subject_column(w.found)
    frame = w.frame
    register = frame["register"].astype("string").fillna("")
    trace_id = frame["trace_id"].astype("string")
    columns = {
        "trace_id": trace_id,
        "subject_id": subject_id,
        "register": register,
        "source": frame["source"].astype("string"),
        "kind": frame["kind"].astype("string"),
        "decision": _Table(*((d,) for d in DECISIONS)).column(decision.astype(np.int64)),
        "action": w.actions.column(action),
        "due_date": from_days(due_out),
        "trigger_date": from_days(np.where(shown, w.trigger, NAT)),
        "rule_id": w.rules.column(rule),
        "rule_text_fi": string_array(rule_fi),
        "rule_text_en": string_array(rule_en),
        "hold_id": w.holds.column(hold, 0),
        "hold_text_fi": string_array(hold_fi),
        "hold_text_en": string_array(hold_en),
        "hold_source": w.holds.column(hold, 3),
        "hold_until": from_days(np.where(show_hold, w.hold_until, NAT)),
        "days_overdue": days_overdue,
        "erasure_request": w.erasure & shown,
        "review_code": reviews.column(review_index, 0),
        "review_reason": reviews.column(review_index, 1),
        "review_reason_en": reviews.column(review_index, 2),
    }
    out = pd.DataFrame(columns, copy=False)
    if any(str(out[c].dtype) != str(pd.Series(dtype=t).dtype) for c, t in DECISION_COLUMNS.items()):
        out = out.astype(DECISION_COLUMNS)
    subjects = pd.DataFrame(
        {
            "trace_id": trace_id,
            "subject_id": subject_id.copy(),  # no array shared between the two frames
            "register": register,
            "in_scope": w.found.in_scope,
        },
        copy=False,
    )
    return out, subjects


def _rule_text(w: _Work, rule: np.ndarray, out_of_scope: np.ndarray) -> tuple[Any, Any]:
    """The rule in words (fi, en): the rule, its trigger and date, or why the trace is kept.

    "rule — label date" is built as a head ("rule — label", or the rule and
    why it is kept) and a tail (" date", or " — date" when there is no
    label): heads per (rule, label, state), tails per date, each once.
    """
    days, first, width = _day_codes(w.trigger)
    states = len(_STATE_NAMES)
    labels = len(w.labels.items)
    kept = np.isin(w.state, list(_KEPT_STATES))
    # A kept trace's text shows no trigger: leave its label and date out of the key.
    key = (((rule + 1) * labels + np.where(kept, 0, w.label)) * states + w.state) * width
    key += np.where(kept, 0, days)
    key[out_of_scope] = -1
    codes, distinct = pd.factorize(key)
    head_key, day = np.divmod(np.maximum(distinct, 0), width)
    rule_label, state = np.divmod(head_key, states)
    rule_code, label_code = np.divmod(rule_label, labels)
    heads: dict[int, tuple[str | None, str | None]] = {}
    for code, r, lab, st in zip(
        head_key.tolist(), rule_code.tolist(), label_code.tolist(), state.tolist(), strict=True
    ):
        if code in heads:
            continue
        if r == 0:
            heads[code] = (None, None)
            continue
        _, fi, en = w.rules.items[r - 1]
        label_fi, label_en = w.labels.items[lab]
        if st in _KEPT_STATES:
            heads[code] = (fi + _KEPT_STATES[st][0], en + _KEPT_STATES[st][1])
        else:
            heads[code] = (
                f"{fi} — {label_fi}" if label_fi else fi,
                f"{en} — {label_en}" if label_en else en,
            )
    dates = {d: _date_texts(d + first - 1 if d else NAT) for d in np.unique(day).tolist()}
    texts_fi: list[Any] = []
    texts_en: list[Any] = []
    for k, code, lab, d in zip(
        distinct.tolist(), head_key.tolist(), label_code.tolist(), day.tolist(), strict=True
    ):
        if k < 0:
            texts_fi.append(NOT_CUSTOMER[1])
            texts_en.append(NOT_CUSTOMER[2])
            continue
        head_fi, head_en = heads[code]
        if head_fi is None or head_en is None:
            texts_fi.append(pd.NA)
            texts_en.append(pd.NA)
            continue
        date_fi, date_en = dates[d]
        if not date_fi:
            texts_fi.append(head_fi)
            texts_en.append(head_en)
            continue
        joiner = " " if w.labels.items[lab][0] else " — "
        texts_fi.append(head_fi + joiner + date_fi)
        texts_en.append(head_en + (" " if w.labels.items[lab][1] else " — ") + date_en)
    texts_fi.append(pd.NA)  # code -1: never (every key is a number)
    texts_en.append(pd.NA)
    return (
        np.array(texts_fi, dtype=object)[codes],
        np.array(texts_en, dtype=object)[codes],
    )


def _hold_text(w: _Work, hold: np.ndarray) -> tuple[Any, Any]:
    """The hold in words with its end ("pidetään 1.1.2027 asti"); missing where nothing holds."""
    days, first, width = _day_codes(w.hold_until)
    key = np.where(hold >= 0, hold * width + days, -1)

    def build(key: int) -> tuple[str | None, str | None]:
        if key < 0:
            return None, None
        code, day = divmod(key, width)
        _, fi, en, _ = w.holds.items[code]
        shown_fi, shown_en = _date_texts(day + first - 1 if day else NAT)
        return (
            fi + (f" — pidetään {shown_fi} asti" if shown_fi else " — toistaiseksi"),
            en + (f" — held until {shown_en}" if shown_en else " — held indefinitely"),
        )

    return _texts_per_distinct(key, build)


def _run_findings(w: _Work, decisions: pd.DataFrame) -> list[fnd.Finding]:
    out: list[fnd.Finding] = []
    overdue = decisions["erasure_request"].to_numpy(dtype=bool) & (
        decisions["days_overdue"].fillna(0) > 0
    ).to_numpy(dtype=bool)
    code = np.array([item[0] for item in _REVIEWS], dtype=object)[w.review_index]
    no_key = (w.review_index >= 0) & (code == "no_key")
    identity = (w.review_index >= 0) & np.isin(code, ["name_match", "identity_conflict"])
    for register in sorted(range(len(w.register_names)), key=w.register_names.__getitem__):
        name = w.register_names[register]
        in_register = w.reg == register
        rows = np.flatnonzero(overdue & in_register)
        if len(rows):
            subjects = len(np.unique(w.subj[rows]))
            out.append(fnd.erasure_overdue_finding(name, w.trace_ids(rows), subjects))
    for flags, make in (
        (no_key, fnd.no_key_finding),
        (identity, fnd.identity_finding),
        (w.barred_trigger, fnd.claim_time_barred_finding),
    ):
        for register in sorted(range(len(w.register_names)), key=w.register_names.__getitem__):
            rows = np.flatnonzero(flags & (w.reg == register))
            if len(rows):
                out.append(make(w.register_names[register], w.trace_ids(rows)))
    return out


__all__ = ["DECISIONS", "DECISION_COLUMNS", "REVIEW_CODES", "Evaluation", "evaluate"]
