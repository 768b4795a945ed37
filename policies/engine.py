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

Dates are local dates (``datetime64[us]`` at midnight). Periods are calendar
periods (policies.periods). Work is vectorised per register, kind and anchor;
calendar arithmetic runs once per distinct date.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
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

# States of the rule computation (the review states double as review codes).
OK, ACTIVE, ONGOING, CONSENT, UNDATED, NO_RULE, NO_POLICY, NO_OTHER, STATUTORY_UNKNOWN, WC = (
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


def _date_text(value: Any, en: bool) -> str:
    """A date as the rule and hold texts show it; NA -> ""."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat() if en else fi_date(value)


def _texts_per_distinct(columns: list[pd.Series], build: Callable[..., str | None]) -> pd.Series:
    """``build(*values)`` once per distinct combination of the columns' values, per row.

    A million rows carry a few thousand distinct (rule, label, date)
    combinations: the texts are built once each and spread back by integer
    codes, not concatenated row by row. Missing values reach ``build`` as None;
    a None result is a missing text.
    """
    index = columns[0].index
    combined = np.zeros(len(index), dtype=np.int64)
    per_column = []
    for column in columns:  # kept compact (< rows) by factorizing after each column
        codes, distinct = pd.factorize(column)
        per_column.append((codes, [*distinct.tolist(), None]))  # code -1: missing
        combined, _ = pd.factorize(combined * (len(distinct) + 1) + (codes + 1))
    _, first_rows = np.unique(combined, return_index=True)
    picked = [[values[c] for c in codes[first_rows]] for codes, values in per_column]
    texts = [build(*combo) for combo in zip(*picked, strict=True)]
    out = np.array([*texts, None], dtype=object)[combined]
    return pd.Series(out, index=index, dtype="string")


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
            "review_code",
            "review_reason",
            "review_reason_en",
        ):
            df[column] = subjects[column].to_numpy()
        df["in_scope"] = df["in_scope"].astype(bool)
        df["is_customer"] = df["is_customer"].astype(bool)
        df["review_code"] = df["review_code"].astype("string")
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
        df["deadline"] = _nat(index)
        df["held"] = False
        df["hold_until"] = _nat(index)
        df["hold_id"] = _text(index)
        df["hold_fi"] = _text(index)
        df["hold_en"] = _text(index)
        df["hold_source"] = _text(index)
        df["stat_until"] = _nat(index)
        df["stat_unknown"] = False
        df["barred"] = False  # held only by a claim that may be time-barred
        df["barred_trigger"] = False  # the open invoice that may be time-barred
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
    fi, en = rule.kuvaus.strip(), (rule.description_en or rule.kuvaus).strip()
    if rule.at_least is not None:
        fi += f" ({rule.at_least_text()})"
        en += f" ({rule.at_least_text(en=True)})"
    return fi, en


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


def _time_barred(
    w: _Frame,
    rows: pd.DataFrame,
    hold: HoldRule,
    register: str,
    policy: RegisterPolicy,
    today: pd.Timestamp,
) -> pd.Series:
    """Trigger rows whose claim is past its limitation period (fi.yaml ``limitation``).

    The claim lasts through its limitation date (anchor + period) and may be
    time-barred from the next day. An undated trigger never is (fail closed);
    a status the limitation does not name (``collection``: interrupted)
    neither.
    """
    if hold.limitation is None:
        return pd.Series(False, index=rows.index)
    limitation = hold.limitation
    limited = rows["status"].isin(limitation.statuses).fillna(False).astype(bool)
    value = _anchor(w.df, rows, limitation.after, register, policy)
    limit = add_period(value.date.where(limited & (value.state == OK)), limitation.keep)
    return (limit.notna() & (limit < today)).astype(bool)


def _hold_targets(
    df: pd.DataFrame, in_register: pd.Series, rows: pd.DataFrame, until: pd.Series, hold: HoldRule
) -> tuple[pd.Index, pd.Series]:
    """The rows the trigger ``rows`` hold, and the last day each is held (NaT: indefinite)."""
    if hold.scope == "trace":
        return rows.index, until
    # Per subject the longest hold; any indefinite (NaT) one makes it indefinite.
    by_subject = rows["subject_id"]
    indefinite = until.isna().groupby(by_subject).any()
    per_subject = until.groupby(by_subject).max().mask(indefinite)
    targets = in_register & df["subject_id"].isin(per_subject.index)
    if hold.spares:
        targets &= ~df["kind"].isin(hold.spares)
    return df.index[targets], _map_date(df.loc[targets, "subject_id"], per_subject)


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
        barred = _time_barred(w, rows, hold, register, policy, today)
        if barred.any():
            df.loc[rows.index[barred.to_numpy()], "barred_trigger"] = True
            barred_index, _ = _hold_targets(df, in_register, rows.loc[barred], until[barred], hold)
            df.loc[barred_index, "barred"] = True
        active = (until.isna() | (until >= today)) & ~barred
        if not active.any():
            continue
        target_index, target_until = _hold_targets(
            df, in_register, rows.loc[active], until[active], hold
        )
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
    # Due at once (GDPR art. 17: "without undue delay"); the notice's deadline is
    # when it must be done, and what days overdue count from.
    deadline = add_period(request_date.where(applies), policy.erasure.deadline)
    take = applies & (df["due"].isna() | (request_date <= df["due"]))
    df.loc[take, "due"] = request_date[take]
    df.loc[take, "deadline"] = deadline[take]
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


def _latest_of(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Row-wise the later of two date Series (NaT loses), and where ``b`` won."""
    b_wins = b.notna() & (a.isna() | (b > a))
    return a.mask(b_wins, b), b_wins


def _while_customer(
    w: _Frame,
    mask: pd.Series,
    bookkeeping: frozenset[str],
    at_least: Mapping[str, Period],
) -> None:
    """Due date of while_customer traces from the subject's other traces (see module doc).

    ``at_least`` maps a kind to its rule's ``at_least`` period, where it has one.
    """
    df = w.df
    wc = mask & (df["state"] == WC)
    if not wc.any():
        return
    # Records the law keeps: their dates count, their (missing) due dates do not.
    # Request logs (erasure, access) prove a request was handled: not customer activity.
    in_play = mask & (df["state"] != WC) & ~df["kind"].isin(list(REQUEST_KINDS))
    aside = in_play & (df["kind"].isin(list(bookkeeping)) | (df["state"] == STATUTORY_UNKNOWN))
    others = in_play & ~aside
    other = df.loc[others]
    blocked = other["due"].isna().groupby(other["subject_id"]).any()
    last_due = other["due"].groupby(other["subject_id"]).max()
    set_aside = df.loc[aside]
    last_aside = set_aside["latest"].groupby(set_aside["subject_id"]).max()
    activity = df.loc[in_play]
    last_activity = activity["latest"].groupby(activity["subject_id"]).max()

    rows = df.loc[wc]
    subject = rows["subject_id"]
    own = rows["latest"]
    index = rows.index
    due, _ = _latest_of(_map_date(subject, last_due), _map_date(subject, last_aside))
    has_other = due.notna()
    fi = pd.Series("muut tiedot erääntyvät", index=index, dtype="string")
    en = pd.Series("the other data falls due", index=index, dtype="string")
    # The rule's floor: at least a period after the trace's own date.
    floor = _nat(index)
    floor_fi = _text(index, "")
    floor_en = _text(index, "")
    needs_date = pd.Series(False, index=index)
    for kind, period in at_least.items():
        of_kind = rows["kind"] == kind
        needs_date |= of_kind
        floor = floor.mask(of_kind, add_period(own.where(of_kind), period))
        floor_fi = floor_fi.mask(of_kind, f"{period.text_fi()} merkinnän omasta päivämäärästä")
        floor_en = floor_en.mask(of_kind, f"{period.text_en()} after the trace's own date")
    # Never due before its own date, nor before the floor: the latest one is shown.
    for candidate, label_fi, label_en in (
        (own, "merkinnän oma päivämäärä", "the trace's own date"),
        (floor, floor_fi, floor_en),
    ):
        due, won = _latest_of(due, candidate.where(has_other))
        fi = fi.mask(won, label_fi)
        en = en.mask(won, label_en)
    # Given after the relationship's last activity: a consent of its own.
    activity_date = _map_date(subject, last_activity)
    after = own.notna() & activity_date.notna() & (own > activity_date)

    state = pd.Series(OK, index=index, dtype="string")
    state = state.mask(~has_other, NO_OTHER)
    state = state.mask(has_other & after & ~needs_date, CONSENT)
    state = state.mask(has_other & needs_date & own.isna(), UNDATED)
    state = state.mask(_map_flag(subject, blocked), ONGOING)
    ok = state == OK
    df.loc[wc, "state"] = state
    df.loc[wc, "due"] = due.where(ok)
    df.loc[wc, "trigger"] = due.where(ok)
    df.loc[wc, "trigger_fi"] = fi.where(ok, "")
    df.loc[wc, "trigger_en"] = en.where(ok, "")


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
        at_least = {k: r.at_least for k, r in policy.retention.items() if r.at_least}
        _while_customer(w, in_register, law.bookkeeping_kinds, at_least)
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
    code = _text(index)
    reason = _text(index)
    reason_en = _text(index)
    state = df["state"]
    due = df["due"]

    def review(where: pd.Series, review_code: Any, fi: Any, en: Any) -> None:
        nonlocal decision, code, reason, reason_en
        take = where & decision.isna()
        decision = decision.mask(take, "review")
        code = code.mask(take, review_code)
        reason = reason.mask(take, fi)
        reason_en = reason_en.mask(take, en)

    has_erasure = (
        (df["kind"] == "erasure_request")
        .groupby([df["register"], df["subject_id"]])
        .transform("any")
    )
    # Identity trouble first (no strong key, a name-only match, conflicting keys):
    # review with identity's reason, whatever the trace's scope or dates say.
    identity = df["review_code"].notna()
    review(identity, df["review_code"], df["review_reason"], df["review_reason_en"])

    # Not a customer (a register with no policy has no customer kinds either: its
    # traces are reviewed): kept and never proposed — unless they asked for erasure.
    out_of_scope = ~df["in_scope"] & (state != NO_POLICY) & ~identity
    review(out_of_scope & has_erasure, "erasure_non_customer", *R_ERASURE_NON_CUSTOMER)
    decision = decision.mask(out_of_scope & decision.isna(), "keep")

    for state_code, (fi, en) in _REVIEW_STATES.items():
        review(state == state_code, state_code, fi, en)
    undecided = decision.isna()
    statutory = undecided & (state == STATUTORY_UNKNOWN)
    decision = decision.mask(statutory, "hold")
    kept = undecided & state.isin(list(_KEPT_STATES))
    decision = decision.mask(kept, "keep")
    rest = undecided & ~statutory & ~kept
    is_due = rest & due.notna() & (due <= today)
    decision = decision.mask(is_due & df["held"], "hold")
    # Due, and held only by a claim that may be time-barred: a person decides.
    review(is_due & df["barred"], "claim_time_barred", *R_CLAIM_TIME_BARRED)
    decision = decision.mask(is_due & decision.isna(), "delete")
    decision = decision.mask(rest & decision.isna(), "keep")

    rule_id = df["rule_id"].mask(out_of_scope, NOT_CUSTOMER[0])
    rule_fi = _rule_text(df, out_of_scope, "rule_fi", "trigger_fi", en=False)
    rule_en = _rule_text(df, out_of_scope, "rule_en", "trigger_en", en=True)
    show_hold = df["held"] & ~out_of_scope
    hold_fi = _hold_text(df["hold_fi"].where(show_hold), df["hold_until"], en=False)
    hold_en = _hold_text(df["hold_en"].where(show_hold), df["hold_until"], en=True)
    no_due = [*_KEPT_STATES, STATUTORY_UNKNOWN]
    due_out = due.where(~out_of_scope & ~state.isin(no_due))
    # An erasure counts its days overdue from the notice's deadline, not from the request.
    overdue_from = df["deadline"].where(df["erasure"] & df["deadline"].notna(), due_out)
    overdue = (today - overdue_from).dt.days
    days_overdue = overdue.where((decision == "delete") & (overdue > 0), 0).where(
        decision == "delete"
    )

    is_review = decision == "review"
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
            "hold_text_fi": hold_fi,
            "hold_text_en": hold_en,
            "hold_source": df["hold_source"].where(show_hold),
            "hold_until": df["hold_until"].where(show_hold),
            "days_overdue": days_overdue,
            "erasure_request": (df["erasure"] & ~out_of_scope).astype(bool),
            "review_code": code.where(is_review),
            "review_reason": reason.where(is_review),
            "review_reason_en": reason_en.where(is_review),
        }
    )
    return out.astype(DECISION_COLUMNS)


def _rule_text(
    df: pd.DataFrame, out_of_scope: pd.Series, rule: str, trigger: str, en: bool
) -> pd.Series:
    """The rule in words: the rule, its trigger and date, or why the trace is kept."""
    not_customer = NOT_CUSTOMER[2] if en else NOT_CUSTOMER[1]

    def build(text: str | None, label: str | None, day: Any, state: str, outside: bool) -> Any:
        if outside:
            return not_customer
        if text is None:
            return None
        if state in _KEPT_STATES:
            return text + _KEPT_STATES[state][1 if en else 0]
        suffix = f"{label or ''} {_date_text(day, en)}".strip()
        return f"{text} — {suffix}" if suffix else text

    columns = [df[rule], df[trigger], df["trigger"], df["state"], out_of_scope]
    return _texts_per_distinct(columns, build)


def _hold_text(text: pd.Series, until: pd.Series, en: bool) -> pd.Series:
    """The hold in words with its end ("pidetään 1.1.2027 asti"); NA where nothing holds."""

    def build(hold: str | None, day: Any) -> str | None:
        if hold is None:
            return None
        shown = _date_text(day, en)
        if en:
            return hold + (f" — held until {shown}" if shown else " — held indefinitely")
        return hold + (f" — pidetään {shown} asti" if shown else " — toistaiseksi")

    return _texts_per_distinct([text, until], build)


def _run_findings(decisions: pd.DataFrame, w: _Frame) -> list[fnd.Finding]:
    out: list[fnd.Finding] = []
    overdue = decisions["erasure_request"] & (decisions["days_overdue"].fillna(0) > 0)
    for register, rows in decisions.loc[overdue].groupby("register"):
        out.append(
            fnd.erasure_overdue_finding(
                str(register), rows["trace_id"], rows["subject_id"].nunique()
            )
        )
    code = decisions["review_code"]
    no_key = (code == "no_key").fillna(False).to_numpy(dtype=bool)
    for register, rows in decisions.loc[no_key].groupby("register"):
        out.append(fnd.no_key_finding(str(register), rows["trace_id"]))
    identity = code.isin(["name_match", "identity_conflict"]).to_numpy(dtype=bool)
    for register, rows in decisions.loc[identity].groupby("register"):
        out.append(fnd.identity_finding(str(register), rows["trace_id"]))
    barred = w.df["barred_trigger"].to_numpy(dtype=bool)
    for register, rows in decisions.loc[barred].groupby("register"):
        out.append(fnd.claim_time_barred_finding(str(register), rows["trace_id"]))
    return out


__all__ = ["DECISIONS", "DECISION_COLUMNS", "REVIEW_CODES", "Evaluation", "evaluate"]
