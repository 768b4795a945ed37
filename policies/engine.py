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
  no rule, a register with no policy, an identity that is ambiguous, an
  erasure request from someone who is not a customer.

Precedence: statutory holds (and the policy's extra holds) always win; then
erasure requests (all of the subject's traces in the register dated on or
before the request — or undated — are due at request date + the register's
deadline; the request log itself follows its own rule); then marketing
opt-outs (a ``marketing`` trace with status ``opted_out`` is due today); then the kind's
rule. ``while_customer`` traces are due when every other trace of the
subject in the register, bookkeeping records aside, is due — the latest of
those due dates, and never before the latest bookkeeping activity. If such
another trace is active or cannot be dated, the customer relationship is
ongoing and the trace is kept.

Dates are local dates (``datetime64[us]`` at midnight). Periods are calendar
periods (policies.periods). Work is vectorised per register, kind and anchor;
calendar arithmetic runs once per distinct date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from connectors.trace import DATE_DTYPE
from policies import findings as fnd
from policies.identity import resolve
from policies.law import StatutoryRules
from policies.periods import (
    Period,
    add_days,
    add_period,
    as_timestamp,
    fi_date,
    fiscal_year_end_of,
    map_dates,
    year_end_after_fiscal_year,
)
from policies.schema import Anchor, HoldRule, LastOf, RegisterPolicy, RetentionRule

DECISIONS = ("delete", "hold", "keep", "review")

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
    "review_reason": "string",
    "review_reason_en": "string",
}

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

NOT_CUSTOMER = (
    "not_customer",
    "Ei asiakas: henkilöllä ei ole asiakkuuteen viittaavaa merkintää, joten tietoja ei "
    "ehdoteta poistettaviksi",
    "Not a customer: the person has no customer trace, so nothing is proposed",
)

# States of the rule computation.
OK, ACTIVE, ONGOING, UNDATED, NO_RULE, NO_POLICY, NO_OTHER, STATUTORY_UNKNOWN, WC = (
    "ok",
    "active",
    "ongoing",
    "undated",
    "no_rule",
    "no_policy",
    "no_other",
    "statutory_unknown",
    "while_customer",
)
#: States no override changes: no rule or policy (review), records the law keeps.
_FIXED = [NO_RULE, NO_POLICY, STATUTORY_UNKNOWN]
_REVIEW_STATES = {
    UNDATED: R_UNDATED,
    NO_RULE: R_NO_RULE,
    NO_POLICY: R_NO_POLICY,
    NO_OTHER: R_NO_OTHER,
}


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


def _nat(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype=DATE_DTYPE)


def _text(index: pd.Index, value: Any = pd.NA) -> pd.Series:
    return pd.Series(value, index=index, dtype="string")


def _map_date(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    """``keys.map(mapping)`` as dates, also when ``mapping`` is empty."""
    if mapping.empty:
        return _nat(keys.index)
    return keys.map(mapping).astype(DATE_DTYPE)


def _map_flag(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    if mapping.empty:
        return pd.Series(False, index=keys.index)
    true_keys = mapping.index[mapping.to_numpy(dtype=bool)]
    return keys.isin(true_keys).astype(bool)


def _date_texts(series: pd.Series, en: bool = False) -> pd.Series:
    values = series.dropna().unique()
    mapping = {v: (pd.Timestamp(v).date().isoformat() if en else fi_date(v)) for v in values}
    return series.map(mapping).astype("string").fillna("")


class _Frame:
    """The working frame: traces, subjects and the columns the engine fills in."""

    def __init__(self, traces: pd.DataFrame, subjects: pd.DataFrame) -> None:
        base = traces.reset_index(drop=True)
        df = pd.DataFrame(
            {
                "trace_id": base["trace_id"].astype("string"),
                "source": base["source"].astype("string"),
                "register": base["register"].astype("string").fillna(""),
                "kind": base["kind"].astype("string"),
                "status": base["status"].astype("string"),
                "event_date": base["event_date"].astype(DATE_DTYPE),
                "end_date": base["end_date"].astype(DATE_DTYPE),
                "found_categories": base["found_categories"].astype("string"),
                "hetu": base["hetu"].astype("string"),
            }
        )
        for column in (
            "subject_id",
            "in_scope",
            "is_customer",
            "review_reason",
            "review_reason_en",
        ):
            df[column] = subjects[column].to_numpy()
        df["in_scope"] = df["in_scope"].astype(bool)
        df["is_customer"] = df["is_customer"].astype(bool)
        df["latest"] = df[["event_date", "end_date"]].max(axis=1).astype(DATE_DTYPE)
        index = df.index
        df["state"] = _text(index, OK)
        df["due"] = _nat(index)
        df["trigger"] = _nat(index)
        df["trigger_fi"] = _text(index, "")
        df["trigger_en"] = _text(index, "")
        df["rule_id"] = _text(index)
        df["rule_fi"] = _text(index)
        df["rule_en"] = _text(index)
        df["action"] = _text(index)
        df["erasure"] = False
        df["held"] = False
        df["hold_until"] = _nat(index)
        df["hold_id"] = _text(index)
        df["hold_fi"] = _text(index)
        df["hold_en"] = _text(index)
        df["hold_source"] = _text(index)
        df["stat_until"] = _nat(index)
        df["stat_unknown"] = False
        self.df = df


# ------------------------------------------------------------------ anchors


@dataclass
class _AnchorValue:
    date: pd.Series  # aligned to the rows asked for
    state: pd.Series  # OK, ACTIVE, UNDATED, or "none" (does not apply)
    label_fi: str
    label_en: str


def _subject_stats(df: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Per subject among ``mask`` rows: latest date, any undated, any active."""
    sub = df.loc[mask, ["subject_id", "latest", "status"]]
    grouped = sub.groupby("subject_id", sort=False)
    return pd.DataFrame(
        {
            "latest": grouped["latest"].max(),
            "undated": sub["latest"].isna().groupby(sub["subject_id"], sort=False).any(),
            "active": sub["status"]
            .eq("active")
            .fillna(False)
            .groupby(sub["subject_id"], sort=False)
            .any(),
        }
    )


def _from_stats(rows: pd.DataFrame, stats: pd.DataFrame, fi: str, en: str) -> _AnchorValue:
    subject = rows["subject_id"]
    known = subject.isin(stats.index)
    latest = _map_date(subject, stats["latest"])
    undated = _map_flag(subject, stats["undated"])
    active = _map_flag(subject, stats["active"])
    state = pd.Series("none", index=rows.index, dtype="string")
    state = state.mask(known, OK).mask(known & undated, UNDATED).mask(known & active, ACTIVE)
    return _AnchorValue(latest.where(state == OK), state, fi, en)


def _own_date(rows: pd.DataFrame, column: str, name: str) -> _AnchorValue:
    values = rows[column]
    state = pd.Series("none", index=rows.index, dtype="string").mask(values.notna(), OK)
    return _AnchorValue(values, state, _ANCHOR_FI[name], _ANCHOR_EN[name])


def _anchor(
    df: pd.DataFrame, rows: pd.DataFrame, anchor: Anchor, register: str, policy: RegisterPolicy
) -> _AnchorValue:
    in_register = df["register"] == register
    if isinstance(anchor, LastOf):
        stats = _subject_stats(df, in_register & (df["kind"] == anchor.last))
        label = KIND_FI.get(anchor.last, anchor.last)
        return _from_stats(rows, stats, f"viimeisin {label}", f"latest {anchor.last}")
    if anchor == "relationship_end":
        stats = _subject_stats(df, in_register & df["is_customer"])
        return _from_stats(rows, stats, _ANCHOR_FI[anchor], _ANCHOR_EN[anchor])
    if anchor in ("event_date", "end_date"):
        return _own_date(rows, anchor, anchor)
    day, month = policy.fiscal_day_month
    func = fiscal_year_end_of if anchor == "fiscal_year_end" else year_end_after_fiscal_year
    dates = map_dates(rows["event_date"], lambda d: func(d, day, month))
    state = pd.Series("none", index=rows.index, dtype="string").mask(dates.notna(), OK)
    return _AnchorValue(dates, state, _ANCHOR_FI[anchor], _ANCHOR_EN[anchor])


def _combine(
    values: list[_AnchorValue], index: pd.Index
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """The latest of the anchors that apply: (date, state, label_fi, label_en)."""
    date_out = _nat(index)
    label_fi = _text(index, "")
    label_en = _text(index, "")
    any_ok = pd.Series(False, index=index)
    any_undated = pd.Series(False, index=index)
    any_active = pd.Series(False, index=index)
    for value in values:
        ok = value.state == OK
        better = ok & (date_out.isna() | (value.date > date_out))
        date_out = date_out.mask(better, value.date)
        label_fi = label_fi.mask(better, value.label_fi)
        label_en = label_en.mask(better, value.label_en)
        any_ok |= ok
        any_undated |= value.state == UNDATED
        any_active |= value.state == ACTIVE
    state = pd.Series(UNDATED, index=index, dtype="string")
    state = state.mask(any_ok, OK).mask(any_undated, UNDATED).mask(any_active, ACTIVE)
    return date_out.where(state == OK), state, label_fi, label_en


# -------------------------------------------------------------------- rules


def _rule_texts(rule: RetentionRule) -> tuple[str, str]:
    return rule.kuvaus.strip(), (rule.description_en or rule.kuvaus).strip()


def _apply_rule(
    w: _Frame,
    mask: pd.Series,
    kind: str,
    rule: RetentionRule,
    register: str,
    policy: RegisterPolicy,
) -> None:
    df = w.df
    rows = df.loc[mask]
    index = rows.index
    fi, en = _rule_texts(rule)
    df.loc[index, "rule_id"] = f"retention.{kind}"
    df.loc[index, "rule_fi"] = fi
    df.loc[index, "rule_en"] = en
    df.loc[index, "action"] = rule.action
    if rule.keep == "while_customer":
        df.loc[index, "state"] = WC
        return
    if rule.keep == "statutory":
        unknown = rows["stat_unknown"]
        until = rows["stat_until"]
        state = pd.Series(OK, index=index, dtype="string")
        state = state.mask(until.isna(), UNDATED).mask(unknown, STATUTORY_UNKNOWN)
        df.loc[index, "state"] = state
        df.loc[index, "due"] = add_days(until, 1)
        df.loc[index, "trigger"] = until
        df.loc[index, "trigger_fi"] = "lakisääteinen säilytys päättyy"
        df.loc[index, "trigger_en"] = "statutory retention ends"
        return
    assert isinstance(rule.keep, Period)
    anchors = [_anchor(df, rows, a, register, policy) for a in rule.anchors]
    anchor_date, state, label_fi, label_en = _combine(anchors, index)
    # A trace that is itself active (an endless series, an ongoing engagement) is kept.
    state = state.mask(rows["status"].eq("active").fillna(False), ACTIVE)
    df.loc[index, "state"] = state
    df.loc[index, "trigger"] = anchor_date
    df.loc[index, "trigger_fi"] = label_fi
    df.loc[index, "trigger_en"] = label_en
    df.loc[index, "due"] = add_period(anchor_date.where(state == OK), rule.keep)


# -------------------------------------------------------------------- holds


def _hold_until(
    w: _Frame, rows: pd.DataFrame, hold: HoldRule, register: str, policy: RegisterPolicy
) -> pd.Series:
    """The last day each trigger row's hold lasts; NaT = indefinite or not computable."""
    if hold.until != "period":
        return _nat(rows.index)
    assert hold.keep is not None
    assert hold.after is not None
    value = _anchor(w.df, rows, hold.after, register, policy)
    return add_period(value.date.where(value.state == OK), hold.keep)


def _hold_texts(hold: HoldRule) -> tuple[str, str, str]:
    return hold.kuvaus.strip(), (hold.description_en or hold.kuvaus).strip(), hold.source or ""


def _collect_holds(
    w: _Frame,
    register: str,
    policy: RegisterPolicy,
    holds: list[tuple[HoldRule, bool]],
    today: pd.Timestamp,
) -> None:
    """Mark held rows; ``holds`` pairs each hold with whether it is statutory."""
    df = w.df
    in_register = df["register"] == register
    for hold, statutory in holds:
        trigger = in_register.copy()
        if hold.kinds:
            trigger &= df["kind"].isin(hold.kinds)
        if hold.statuses:
            trigger &= df["status"].isin(hold.statuses).fillna(False)
        if not trigger.any():
            continue
        rows = df.loc[trigger]
        until = _hold_until(w, rows, hold, register, policy)
        # The statutory periods also set the due date of 'keep: statutory' rules.
        if statutory and hold.scope == "trace" and not hold.statuses:
            if hold.until == "unknown":
                df.loc[rows.index, "stat_unknown"] = True
            elif hold.until == "period":
                current = df.loc[rows.index, "stat_until"]
                df.loc[rows.index, "stat_until"] = current.where(
                    current.notna() & (current >= until), until
                )
        active = until.isna() | (until >= today)
        if not active.any():
            continue
        if hold.scope == "trace":
            target_index = rows.index[active.to_numpy()]
            target_until = until[active]
        else:
            act = rows.loc[active]
            per_subject = (
                until[active]
                .groupby(act["subject_id"])
                .agg(lambda s: pd.NaT if s.isna().any() else s.max())
            )
            targets = in_register & df["subject_id"].isin(per_subject.index)
            target_index = df.index[targets]
            target_until = _map_date(df.loc[targets, "subject_id"], per_subject)
        current_held = df.loc[target_index, "held"]
        current_until = df.loc[target_index, "hold_until"]
        # The longest hold is the one shown: NaT (indefinite) beats any date.
        longer = ~current_held | (
            current_until.notna() & (target_until.isna() | (target_until > current_until))
        )
        chosen = target_index[longer.to_numpy()]
        fi, en, source = _hold_texts(hold)
        df.loc[chosen, "held"] = True
        df.loc[chosen, "hold_until"] = target_until[longer]
        df.loc[chosen, "hold_id"] = hold.id
        df.loc[chosen, "hold_fi"] = fi
        df.loc[chosen, "hold_en"] = en
        df.loc[chosen, "hold_source"] = source


# ---------------------------------------------------------------- overrides


def _opt_outs(w: _Frame, mask: pd.Series, today: pd.Timestamp) -> None:
    df = w.df
    opted = (
        mask
        & (df["kind"] == "marketing")
        & df["status"].eq("opted_out").fillna(False)
        & ~df["state"].isin(_FIXED)
    )
    take = opted & (df["due"].isna() | (df["due"] >= today))
    df.loc[take, "due"] = today
    df.loc[take, "state"] = OK
    df.loc[take, "trigger"] = pd.NaT
    df.loc[take, "trigger_fi"] = ""
    df.loc[take, "trigger_en"] = ""
    df.loc[take, "rule_id"] = "opt_out"
    df.loc[take, "rule_fi"] = "Markkinointikielto: markkinointitiedot poistetaan heti"
    df.loc[take, "rule_en"] = "Marketing opt-out: marketing data is removed at once"
    df.loc[take, "action"] = df.loc[take, "action"].fillna("delete")


def _erasures(w: _Frame, mask: pd.Series, policy: RegisterPolicy) -> pd.Series:
    """Apply erasure requests; returns the rows whose due date an erasure request set."""
    df = w.df
    requests = mask & (df["kind"] == "erasure_request") & df["event_date"].notna()
    if not requests.any():
        return pd.Series(False, index=df.index)
    first = df.loc[requests].groupby("subject_id")["event_date"].min()
    request_date = _map_date(df["subject_id"], first).where(mask)
    applies = (
        mask
        & request_date.notna()
        & ~df["state"].isin(_FIXED)
        & (df["kind"] != "erasure_request")
        & (df["latest"].isna() | (df["latest"] <= request_date))
    )
    deadline = add_period(request_date.where(applies), policy.erasure.deadline)
    take = applies & (df["due"].isna() | (deadline <= df["due"]))
    df.loc[take, "due"] = deadline[take]
    df.loc[take, "state"] = OK
    df.loc[take, "trigger"] = request_date[take]
    df.loc[take, "trigger_fi"] = "poistopyyntö"
    df.loc[take, "trigger_en"] = "erasure request"
    df.loc[take, "rule_id"] = "erasure"
    period_fi = policy.erasure.deadline.text_fi()
    period_en = policy.erasure.deadline.text_en()
    df.loc[take, "rule_fi"] = f"Poistopyyntö: tiedot poistetaan {period_fi} kuluessa pyynnöstä"
    df.loc[take, "rule_en"] = f"Erasure request: the data is removed within {period_en}"
    df.loc[take, "action"] = df.loc[take, "action"].fillna("delete")
    df.loc[take, "erasure"] = True
    return take


def _while_customer(w: _Frame, mask: pd.Series, bookkeeping: frozenset[str]) -> None:
    """Due date of while_customer traces from the subject's other traces (see module doc)."""
    df = w.df
    wc = mask & (df["state"] == WC)
    if not wc.any():
        return
    others = mask & (df["state"] != WC) & ~df["kind"].isin(list(bookkeeping))
    books = mask & df["kind"].isin(list(bookkeeping))
    other = df.loc[others]
    blocked = other["due"].isna().groupby(other["subject_id"]).any()
    last_due = other["due"].groupby(other["subject_id"]).max()
    last_books = df.loc[books, "latest"].groupby(df.loc[books, "subject_id"]).max()
    subject = df.loc[wc, "subject_id"]
    due = _map_date(subject, last_due)
    books_date = _map_date(subject, last_books)
    due = due.where(books_date.isna() | (due >= books_date), books_date)
    is_blocked = _map_flag(subject, blocked)
    state = pd.Series(OK, index=subject.index, dtype="string")
    state = state.mask(due.isna(), NO_OTHER).mask(is_blocked, ONGOING)
    df.loc[wc, "state"] = state
    df.loc[wc, "due"] = due.where(state == OK)
    df.loc[wc, "trigger"] = due.where(state == OK)
    df.loc[wc, "trigger_fi"] = pd.Series("muut tiedot erääntyvät", index=subject.index).where(
        state == OK, ""
    )
    df.loc[wc, "trigger_en"] = pd.Series("the other data falls due", index=subject.index).where(
        state == OK, ""
    )


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
    today_ts = as_timestamp(today)
    subjects = resolve(
        traces, {reg: p.customer_kinds for reg, p in policies.items()}, frozenset(customer_sources)
    )
    w = _Frame(traces, subjects)
    df = w.df
    found: list[fnd.Finding] = []
    erasure_rows = pd.Series(False, index=df.index)

    for register in sorted(df["register"].unique()):
        in_register = df["register"] == register
        policy = policies.get(register)
        if policy is None:
            df.loc[in_register, "state"] = NO_POLICY
            found.append(fnd.no_policy_finding(register, df.loc[in_register, "trace_id"]))
            continue
        holds = [(h, True) for h in law.active_for(policy.optional_statutory_holds)]
        holds += [(h, False) for h in policy.holds]
        _collect_holds(w, register, policy, holds, today_ts)
        for kind in sorted(df.loc[in_register, "kind"].unique()):
            mask = in_register & (df["kind"] == kind)
            rule = policy.retention.get(kind)
            if rule is None:
                df.loc[mask, "state"] = NO_RULE
                found.append(fnd.no_rule_finding(register, kind, df.loc[mask, "trace_id"]))
                continue
            _apply_rule(w, mask, kind, rule, register, policy)
        _opt_outs(w, in_register, today_ts)
        erasure_rows |= _erasures(w, in_register, policy)
        _while_customer(w, in_register, law.bookkeeping_kinds)
        found.extend(fnd.undeclared_findings(register, policy, df.loc[in_register]))
        found.extend(fnd.notice_findings(register, policy))
        found.extend(fnd.interpretation_findings(register, policy))

    decisions = _decide(w, today_ts)
    found.extend(_run_findings(decisions, w))
    subjects_out = subjects[["trace_id", "subject_id", "register", "in_scope"]].copy()
    return Evaluation(decisions, fnd.sort_findings(found), subjects_out)


def _decide(w: _Frame, today: pd.Timestamp) -> pd.DataFrame:
    df = w.df
    index = df.index
    decision = _text(index)
    reason = _text(index)
    reason_en = _text(index)
    state = df["state"]
    due = df["due"]

    has_erasure = (
        (df["kind"] == "erasure_request")
        .groupby([df["register"], df["subject_id"]])
        .transform("any")
    )
    # A register with no policy has no customer kinds either: its traces are reviewed.
    out_of_scope = ~df["in_scope"] & (state != NO_POLICY)
    identity = df["review_reason"].notna()

    # Review states first (after scope and identity).
    for code, (fi, en) in _REVIEW_STATES.items():
        take = decision.isna() & ~out_of_scope & ~identity & (state == code)
        decision = decision.mask(take, "review")
        reason = reason.mask(take, fi)
        reason_en = reason_en.mask(take, en)
    undecided = decision.isna() & ~out_of_scope & ~identity
    statutory = undecided & (state == STATUTORY_UNKNOWN)
    decision = decision.mask(statutory, "hold")
    ongoing = undecided & state.isin([ACTIVE, ONGOING])
    decision = decision.mask(ongoing, "keep")
    rest = undecided & ~statutory & ~ongoing
    is_due = rest & due.notna() & (due <= today)
    decision = decision.mask(is_due & df["held"], "hold")
    decision = decision.mask(is_due & ~df["held"], "delete")
    decision = decision.mask(rest & ~is_due, "keep")

    # Identity trouble: review, with identity's reason.
    decision = decision.mask(identity, "review")
    reason = reason.mask(identity, df["review_reason"])
    reason_en = reason_en.mask(identity, df["review_reason_en"])

    # Not a customer: kept and never proposed — unless they asked for erasure, or
    # identity says the trace may be a customer's.
    out_of_scope = out_of_scope & ~identity
    asked = out_of_scope & has_erasure
    decision = decision.mask(out_of_scope, "keep").mask(asked, "review")
    reason = reason.mask(asked, R_ERASURE_NON_CUSTOMER[0])
    reason_en = reason_en.mask(asked, R_ERASURE_NON_CUSTOMER[1])

    rule_id = df["rule_id"].mask(out_of_scope, NOT_CUSTOMER[0])
    rule_fi = _rule_text(df, "rule_fi", "trigger_fi", en=False).mask(out_of_scope, NOT_CUSTOMER[1])
    rule_en = _rule_text(df, "rule_en", "trigger_en", en=True).mask(out_of_scope, NOT_CUSTOMER[2])
    active_text = state.isin([ACTIVE, ONGOING]) & ~out_of_scope
    rule_fi = rule_fi.mask(active_text & (state == ACTIVE), df["rule_fi"] + " — voimassa")
    rule_fi = rule_fi.mask(active_text & (state == ONGOING), df["rule_fi"] + " — asiakkuus jatkuu")
    rule_en = rule_en.mask(active_text & (state == ACTIVE), df["rule_en"] + " — active")
    rule_en = rule_en.mask(
        active_text & (state == ONGOING), df["rule_en"] + " — relationship ongoing"
    )

    show_hold = df["held"] & ~out_of_scope
    hold_suffix_fi = _date_texts(df["hold_until"]).map(
        lambda s: f" — pidetään {s} asti" if s else " — toistaiseksi"
    )
    hold_suffix_en = _date_texts(df["hold_until"], en=True).map(
        lambda s: f" — held until {s}" if s else " — held indefinitely"
    )
    due_out = due.where(~out_of_scope & ~state.isin([ACTIVE, ONGOING, STATUTORY_UNKNOWN]))
    overdue = (today - due_out).dt.days
    days_overdue = overdue.where((decision == "delete") & (overdue > 0), 0).where(
        decision == "delete"
    )

    out = pd.DataFrame(
        {
            "trace_id": df["trace_id"],
            "subject_id": df["subject_id"],
            "register": df["register"],
            "source": df["source"],
            "kind": df["kind"],
            "decision": decision,
            "action": df["action"].where(decision.isin(["delete", "hold", "keep"]) & ~out_of_scope),
            "due_date": due_out,
            "trigger_date": df["trigger"].where(~out_of_scope),
            "rule_id": rule_id,
            "rule_text_fi": rule_fi,
            "rule_text_en": rule_en,
            "hold_id": df["hold_id"].where(show_hold),
            "hold_text_fi": (df["hold_fi"] + hold_suffix_fi).where(show_hold),
            "hold_text_en": (df["hold_en"] + hold_suffix_en).where(show_hold),
            "hold_source": df["hold_source"].where(show_hold),
            "hold_until": df["hold_until"].where(show_hold),
            "days_overdue": days_overdue,
            "erasure_request": (df["erasure"] & ~out_of_scope).astype(bool),
            "review_reason": reason.where(decision == "review"),
            "review_reason_en": reason_en.where(decision == "review"),
        }
    )
    return out.astype(DECISION_COLUMNS)


def _rule_text(df: pd.DataFrame, rule: str, trigger: str, en: bool) -> pd.Series:
    dates = _date_texts(df["trigger"], en=en)
    label = df[trigger].fillna("")
    suffix = (label + " " + dates).str.strip()
    text = df[rule].fillna("")
    joined = text.where(suffix == "", text + " — " + suffix)
    return joined.where(df[rule].notna()).astype("string")


def _run_findings(decisions: pd.DataFrame, w: _Frame) -> list[fnd.Finding]:
    out: list[fnd.Finding] = []
    overdue = decisions["erasure_request"] & (decisions["days_overdue"].fillna(0) > 0)
    for register, rows in decisions.loc[overdue].groupby("register"):
        out.append(
            fnd.erasure_overdue_finding(
                str(register), rows["trace_id"], rows["subject_id"].nunique()
            )
        )
    identity = w.df["review_reason"].notna()
    for register, rows in decisions.loc[identity.to_numpy()].groupby("register"):
        out.append(fnd.identity_finding(str(register), rows["trace_id"]))
    return out


__all__ = ["DECISIONS", "DECISION_COLUMNS", "Evaluation", "evaluate"]
