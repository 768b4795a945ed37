"""The register policy: one YAML file that is both the privacy notice and the machine's rules.

A register policy holds everything a privacy notice (tietosuojaseloste) says —
controller, purposes and their legal basis, data subjects, data categories,
sources, recipients, processors, transfers outside the EU/EEA, security — so
the same file drives the deletion proposal and the GDPR art. 30 record. Its
texts are Finnish (``kuvaus``), for the owner to read and check against the
notice; an optional ``description_en`` serves English reports.

Retention, per kind (``retention: {order: {...}, contact: {...}}``):

- ``keep``: a period (``2 kk``, ``6 vuotta``, ``{months: 2}``), or
  ``while_customer`` (until every other trace of the subject in the register,
  bookkeeping and patient records aside, is due — never before the trace's
  own date; a consent given after the relationship's last activity is kept
  until withdrawn), or ``statutory`` (the law decides: the trace is kept as
  long as the statutory rules of policies/law/fi.yaml say, and never
  proposed when the law's period cannot be computed);
- ``at_least`` (``while_customer`` only): "but at least this period after
  the trace's own date" (``at_least: 2 vuotta``); it also ends a consent
  given after the relationship's last activity, which otherwise is kept
  until withdrawn. A trace of such a rule with no date of its own is
  reviewed;
- ``after``: ``event_date`` / ``end_date`` of the trace itself,
  ``{last: order}`` (the subject's latest trace of that kind: "two months
  after the last order" expires all of the subject's orders together),
  ``relationship_end`` (the subject's latest customer activity in the
  register), ``fiscal_year_end`` (the last day of the fiscal year the trace
  belongs to), ``fiscal_year_calendar_end`` (31 December of the year in which
  that fiscal year ended — how Kirjanpitolaki 2:10 counts);
- ``action``: ``delete`` or ``anonymise``.

Where a notice is vague the file records the chosen reading as an
``interpretation: {text: ..., confirmed: false}`` for the owner to confirm;
unconfirmed interpretations are a finding in the report.

A policy may add holds (``holds:``) and opt in to optional statutory holds
(``optional_statutory_holds:``); it may never shorten a statutory hold:
:func:`load_policy` checks the policy against the statutory rules and rejects
a rule or hold that would let a statutory record go earlier. Errors name the
file, the line and the field (connectors.configfile).
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from connectors.configfile import (
    Loc,
    coded,
    describe_errors,
    error_text,
    load_yaml,
    where_said,
)
from connectors.errors import ConfigError
from connectors.messages import Said
from connectors.trace import CATEGORIES, STATUSES
from policies.periods import Period, fiscal_year_end_of, next_day, year_end_after_fiscal_year

if TYPE_CHECKING:
    from policies.law import StatutoryRules

KIND_PATTERN = r"^[a-z][a-z0-9_]*$"
AnchorWord = Literal[
    "event_date", "end_date", "relationship_end", "fiscal_year_end", "fiscal_year_calendar_end"
]
KeepWord = Literal["while_customer", "statutory"]
LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
#: GDPR art. 6(1) points, for the inventory.
LEGAL_BASIS_TEXT: dict[str, tuple[str, str]] = {
    "consent": ("suostumus (6 art. 1 a)", "consent (art. 6(1)(a))"),
    "contract": ("sopimus (6 art. 1 b)", "contract (art. 6(1)(b))"),
    "legal_obligation": ("lakisääteinen velvoite (6 art. 1 c)", "legal obligation (art. 6(1)(c))"),
    "vital_interests": ("elintärkeä etu (6 art. 1 d)", "vital interests (art. 6(1)(d))"),
    "public_task": ("yleinen etu (6 art. 1 e)", "public task (art. 6(1)(e))"),
    "legitimate_interests": (
        "oikeutettu etu (6 art. 1 f)",
        "legitimate interests (art. 6(1)(f))",
    ),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interpretation(_Model):
    """How a vague sentence of the notice was read; the owner confirms it."""

    text: str = Field(min_length=1, description="the reading, in Finnish")
    confirmed: bool = False


class LastOf(_Model):
    """Anchor: the subject's latest trace of a kind (``{last: order}``)."""

    last: str = Field(pattern=KIND_PATTERN)


Anchor = AnchorWord | LastOf


def anchor_name(anchor: Anchor | None) -> str:
    """A short stable name of an anchor: ``event_date``, ``last:order`` ..."""
    if anchor is None:
        return ""
    return f"last:{anchor.last}" if isinstance(anchor, LastOf) else anchor


class RetentionRule(_Model):
    """How long one kind of trace is kept, and what happens then."""

    keep: Period | KeepWord = Field(union_mode="left_to_right")
    after: Anchor | list[Anchor] | None = Field(
        default=None,
        union_mode="left_to_right",
        description="the anchor, or a list: the latest of those that apply",
    )
    at_least: Period | None = Field(
        default=None,
        description="while_customer only: but at least this long after the trace's own date",
    )
    action: Literal["delete", "anonymise"] = "delete"
    kuvaus: str = Field(min_length=1, description="the rule in words, Finnish")
    description_en: str | None = None
    notice_quote: str | None = Field(default=None, description="the notice's own sentence")
    interpretation: Interpretation | None = None

    @field_validator("keep", mode="before")
    @classmethod
    def _keep(cls, value: Any) -> Any:
        # One clear message instead of one per member of the union.
        if value in ("while_customer", "statutory") or isinstance(value, Period):
            return value
        try:
            return Period.model_validate(value)
        except ValidationError as exc:
            items = tuple(error_text(err) for err in exc.errors())
            problem = Said("cfg_joined", en="; ".join(items), items=items)
            raise coded("cfg_keep_bad", problem=problem) from None

    @property
    def anchors(self) -> list[Anchor]:
        """``after`` as a list (empty for while_customer / statutory)."""
        if self.after is None:
            return []
        return list(self.after) if isinstance(self.after, list) else [self.after]

    @model_validator(mode="after")
    def _anchor_fits_keep(self) -> RetentionRule:
        if isinstance(self.keep, Period) and self.after is None:
            raise coded("cfg_period_needs_after")
        if not isinstance(self.keep, Period) and self.after is not None:
            raise coded("cfg_keep_no_after", keep=self.keep)
        if isinstance(self.after, list) and not self.after:
            raise coded("cfg_after_empty")
        if self.at_least is not None and self.keep != "while_customer":
            raise coded("cfg_at_least")
        return self

    def at_least_text(self, en: bool = False) -> str:
        """The ``at_least`` part of the rule in words ("" when there is none)."""
        if self.at_least is None:
            return ""
        if en:
            return f"at least {self.at_least.text_en()} after its own date"
        return f"vähintään {self.at_least.text_fi()} merkinnän omasta päivämäärästä"


class Limitation(_Model):
    """When an unsettled claim may have expired (laki velan vanhentumisesta 728/2003).

    A trigger with one of ``statuses`` whose ``after`` date plus ``keep`` has
    passed no longer holds anything: the traces it held go to review (the
    claim may be time-barred, or a reminder may have interrupted the
    limitation: only the owner knows). Other statuses (``collection``:
    limitation interrupted) and undated triggers keep holding.
    """

    keep: Period
    after: Anchor = Field(union_mode="left_to_right")
    statuses: list[str] = Field(min_length=1)
    source: str = Field(min_length=1, description="the legal source")


class HoldRule(_Model):
    """A legal hold: while it lasts, matching traces are never deleted.

    ``kinds``/``statuses`` pick the traces that trigger the hold (all kinds
    when ``kinds`` is empty). ``scope: trace`` holds the triggering trace
    itself; ``scope: subject`` holds every trace of its subject in the
    register except the kinds in ``spares`` (an open claim needs the
    contact and the orders, not the marketing consent). ``until: period``
    lasts ``keep`` after ``after``; ``until: settled`` lasts while the
    trigger keeps its status (an open invoice), ended early by
    ``limitation`` (see :class:`Limitation`); ``until: unknown`` cannot be
    computed from the data (patient records: 12 years after death) — such
    traces are never proposed.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kinds: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    scope: Literal["trace", "subject"] = "trace"
    until: Literal["period", "settled", "unknown"] = "period"
    keep: Period | None = None
    after: Anchor | None = Field(default=None, union_mode="left_to_right")
    spares: list[str] = Field(
        default_factory=list, description="scope subject: kinds the hold does not keep"
    )
    limitation: Limitation | None = Field(
        default=None, description="until settled: when the unsettled claim may have expired"
    )
    bookkeeping: bool = Field(
        default=False,
        description="its kinds are bookkeeping records (kept aside by while_customer)",
    )
    optional: bool = Field(default=False, description="applies only where a policy opts in")
    extends: str | None = Field(default=None, description="the statutory rule this lengthens")
    source: str | None = Field(default=None, description="the legal source")
    kuvaus: str = Field(min_length=1)
    description_en: str | None = None

    @field_validator("statuses")
    @classmethod
    def _known_statuses(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - STATUSES)
        if unknown:
            raise coded("cfg_unknown_status", unknown=str(unknown), known=str(sorted(STATUSES)))
        return value

    @model_validator(mode="after")
    def _until_fits(self) -> HoldRule:
        if self.until == "period" and (self.keep is None or self.after is None):
            raise coded("cfg_until_period")
        if self.until != "period" and (self.keep is not None or self.after is not None):
            raise coded("cfg_until_no_keep", until=self.until)
        if self.until == "settled" and not self.statuses:
            raise coded("cfg_settled_statuses")
        if self.spares and self.scope != "subject":
            raise coded("cfg_spares_scope")
        if set(self.spares) & set(self.kinds):
            raise coded("cfg_spares_trigger")
        if self.limitation is not None:
            if self.until != "settled":
                raise coded("cfg_limitation")
            extra = sorted(set(self.limitation.statuses) - set(self.statuses))
            if extra:
                raise coded("cfg_limitation_statuses", extra=str(extra))
        return self

    @field_validator("spares")
    @classmethod
    def _spared_kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not re.match(KIND_PATTERN, kind):
                raise coded("cfg_kind_word")
        return value


class Contact(_Model):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class Controller(_Model):
    name: str = Field(min_length=1)
    business_id: str | None = Field(default=None, description="Y-tunnus")
    address: str | None = None
    domicile: str | None = Field(default=None, description="kotipaikka")
    phone: str | None = None
    email: str | None = None
    contact: Contact = Field(default_factory=Contact, description="rekisteriasioita hoitava")


class Purpose(_Model):
    kuvaus: str = Field(min_length=1)
    legal_basis: LegalBasis | None = None
    legal_basis_text: str | None = None
    interpretation: Interpretation | None = None


class DataCategory(_Model):
    kuvaus: str = Field(min_length=1)
    code: str | None = Field(default=None, description="a code of connectors.trace.CATEGORIES")

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES:
            raise coded("cfg_unknown_category", known=", ".join(sorted(CATEGORIES)))
        return value


class Party(_Model):
    name: str = Field(min_length=1)
    kuvaus: str | None = None


class Transfer(_Model):
    recipient: str = Field(min_length=1)
    country: str | None = None
    safeguard: str | None = Field(default=None, description="art. 45/46 ground, or None")
    kuvaus: str | None = None
    interpretation: Interpretation | None = None


class NoticeFacts(_Model):
    """What the published notice itself says — the source of stale-content findings."""

    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    refers_to_henkilotietolaki: bool = Field(
        default=False, description="cites the repealed Henkilötietolaki 523/1999"
    )
    privacy_shield: bool = Field(default=False, description="relies on the invalid Privacy Shield")
    mentions_legal_basis: bool = Field(default=False, description="states a GDPR art. 6 basis")
    mentions_complaint_right: bool = Field(
        default=False, description="tells of the right to complain to the Ombudsman"
    )
    mentions_retention: bool = Field(default=False, description="states how long data is kept")


class Erasure(_Model):
    """Erasure requests: the deadline the notice promises."""

    deadline: Period = Field(description="e.g. '2 vrk'; GDPR art. 12(3) allows at most 1 month")
    kuvaus: str = Field(min_length=1)
    interpretation: Interpretation | None = None


_FISCAL = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*$")


class RegisterPolicy(_Model):
    """One register: its notice's content and its retention rules."""

    version: Literal[1] = 1
    name: str = Field(min_length=1, description="rekisterin nimi")
    kuvaus: str | None = None
    controller: Controller
    notice: NoticeFacts = Field(default_factory=NoticeFacts)
    purposes: list[Purpose] = Field(min_length=1)
    data_subjects: list[str] = Field(default_factory=list)
    data_categories: list[DataCategory] = Field(default_factory=list)
    not_kept: list[str] = Field(
        default_factory=list, description="category codes the notice says are NOT stored"
    )
    sources: list[str] = Field(default_factory=list, description="säännönmukaiset tietolähteet")
    recipients: list[Party] = Field(default_factory=list, description="luovutukset")
    processors: list[Party] = Field(
        default_factory=list, description="henkilötietojen käsittelijät"
    )
    transfers: list[Transfer] = Field(default_factory=list, description="EU/ETA:n ulkopuolelle")
    security: list[str] = Field(default_factory=list)
    automated_decisions: str | None = None
    customer_kinds: list[str] = Field(min_length=1)
    retention: dict[str, RetentionRule] = Field(min_length=1)
    erasure: Erasure
    fiscal_year_end: str = Field(default="31.12.", description="tilikauden päättymispäivä d.m.")
    holds: list[HoldRule] = Field(default_factory=list)
    optional_statutory_holds: list[str] = Field(default_factory=list)

    @field_validator("fiscal_year_end")
    @classmethod
    def _fiscal(cls, value: str) -> str:
        match = _FISCAL.match(value)
        if not match:
            raise coded("cfg_fiscal_form")
        day, month = int(match.group(1)), int(match.group(2))
        try:
            date(2001, month, day)
        except ValueError:
            raise coded("cfg_fiscal_day") from None
        return f"{day}.{month}."

    @field_validator("not_kept")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise coded("cfg_unknown_category", known=", ".join(sorted(CATEGORIES)))
        return value

    @field_validator("retention")
    @classmethod
    def _kind_names(cls, value: dict[str, RetentionRule]) -> dict[str, RetentionRule]:
        for kind in value:
            if not re.match(KIND_PATTERN, kind):
                raise coded("cfg_kind_word")
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> RegisterPolicy:
        # load_policy runs these checks itself, to name the line of each problem.
        if info.context and info.context.get("deferred_checks"):
            return self
        problems = consistency_problems(self)
        if problems:
            raise ValueError(
                "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems)
            )
        return self

    # -------------------------------------------------------------- helpers

    @property
    def fiscal_day_month(self) -> tuple[int, int]:
        day, month = self.fiscal_year_end.rstrip(".").split(".")
        return int(day), int(month)

    @property
    def declared_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.data_categories if c.code)

    def interpretations(self) -> list[tuple[str, Interpretation]]:
        """Every interpretation in the file with where it is (``retention.order``)."""
        out: list[tuple[str, Interpretation]] = []
        for kind, rule in self.retention.items():
            if rule.interpretation:
                out.append((f"retention.{kind}", rule.interpretation))
        for i, purpose in enumerate(self.purposes):
            if purpose.interpretation:
                out.append((f"purposes.{i}", purpose.interpretation))
        for i, transfer in enumerate(self.transfers):
            if transfer.interpretation:
                out.append((f"transfers.{i}", transfer.interpretation))
        if self.erasure.interpretation:
            out.append(("erasure", self.erasure.interpretation))
        return out


def consistency_problems(policy: RegisterPolicy) -> list[tuple[Loc, str]]:
    """Cross-field problems: customer kinds and ``last:`` kinds must have rules, and so on."""
    problems: list[tuple[Loc, str]] = []
    kinds = set(policy.retention)
    for i, kind in enumerate(policy.customer_kinds):
        if kind not in kinds:
            problems.append((("customer_kinds", i), Said("cfg_kind_no_rule", kind=kind)))
    for kind, rule in policy.retention.items():
        for anchor in rule.anchors:
            if isinstance(anchor, LastOf) and anchor.last not in kinds:
                problems.append(
                    (
                        ("retention", kind, "after"),
                        Said("cfg_last_not_kind", last=anchor.last, kinds=", ".join(sorted(kinds))),
                    )
                )
    both = sorted(policy.declared_codes & set(policy.not_kept))
    if both:
        problems.append((("not_kept",), Said("cfg_both_kept", both=str(both))))
    return problems


# ------------------------------------------------------------ law checking

#: Probe dates: every month end and mid-month over two years, leap year included.
_PROBES = (
    [date(y, m, d) for y in (2023, 2024) for m in range(1, 13) for d in (1, 15, 28)]
    + [date(2023, m, 30) for m in (4, 6, 9, 11)]
    + [date(2024, 2, 29), date(2023, 12, 31), date(2024, 12, 31), date(2024, 8, 31)]
)


def _earliest(rule_keep: Period, after: Anchor, probe: date, fiscal: tuple[int, int]) -> date:
    """The earliest date a rule can make a trace of date ``probe`` due.

    Anchors other than the fiscal ones are never before the trace's own
    date, so the trace's date is their lower bound.
    """
    day, month = fiscal
    if after == "fiscal_year_end":
        anchor = fiscal_year_end_of(probe, day, month)
    elif after == "fiscal_year_calendar_end":
        anchor = year_end_after_fiscal_year(probe, day, month)
    else:
        anchor = probe
    return rule_keep.add(anchor)


def _statutory_due(hold: HoldRule, probe: date, fiscal: tuple[int, int]) -> date:
    assert hold.keep is not None
    assert hold.after is not None
    # A hold lasts through its last day; the trace is due the day after.
    return next_day(_earliest(hold.keep, hold.after, probe, fiscal))


def check_against_law(policy: RegisterPolicy, law: StatutoryRules) -> list[tuple[Loc, str]]:
    """Where a policy would shorten a statutory hold, or names a rule that does not exist.

    Returns (location in the file, message) pairs; empty when the policy is fine.
    """
    problems: list[tuple[Loc, str]] = []
    fiscal = policy.fiscal_day_month
    rules = {rule.id: rule for rule in law.rules}
    mandatory = [r for r in law.rules if not r.optional]

    for kind, rule in policy.retention.items():
        covering = [r for r in mandatory if kind in r.kinds and not r.statuses]
        loc: Loc = ("retention", kind, "keep")
        if rule.keep == "statutory":
            if not covering:
                problems.append((loc, Said("cfg_no_statute", kind=kind)))
            continue
        for hold in covering:
            if hold.until == "unknown":
                problems.append(
                    (
                        loc,
                        Said("cfg_held_by_law", kind=kind, id=hold.id, source=hold.source),
                    )
                )
                continue
            if hold.until != "period":
                continue
            if rule.keep == "while_customer":
                problems.append(
                    (
                        loc,
                        Said("cfg_while_customer_short", id=hold.id, source=hold.source),
                    )
                )
                continue
            assert isinstance(rule.keep, Period)
            keep = rule.keep
            if any(
                min(_earliest(keep, a, p, fiscal) for a in rule.anchors)
                < _statutory_due(hold, p, fiscal)
                for p in _PROBES
            ):
                problems.append(
                    (
                        loc,
                        Said("cfg_shorter", id=hold.id, source=hold.source),
                    )
                )

    for i, hold in enumerate(policy.holds):
        if hold.optional:
            problems.append((("holds", i, "optional"), Said("cfg_optional")))
        if hold.extends is None:
            continue
        base = rules.get(hold.extends)
        if base is None:
            problems.append(
                (
                    ("holds", i, "extends"),
                    Said("cfg_no_rule", extends=hold.extends, known=", ".join(sorted(rules))),
                )
            )
            continue
        if set(base.kinds) - set(hold.kinds) and hold.kinds:
            problems.append(
                (("holds", i, "kinds"), Said("cfg_cover_kinds", id=base.id, kinds=str(base.kinds)))
            )
        spared = sorted(set(hold.spares) - set(base.spares))
        if spared:
            problems.append(
                (
                    ("holds", i, "spares"),
                    Said("cfg_spares_law", id=base.id, spared=str(spared)),
                )
            )
        if base.until == "period" and hold.until == "period":
            assert hold.keep is not None
            assert hold.after is not None
            if any(
                next_day(_earliest(hold.keep, hold.after, p, fiscal))
                < _statutory_due(base, p, fiscal)
                for p in _PROBES
            ):
                problems.append(
                    (
                        ("holds", i, "keep"),
                        Said("cfg_shorter", id=base.id, source=base.source),
                    )
                )
        elif base.until != "period" and hold.until == "period":
            problems.append(
                (
                    ("holds", i, "until"),
                    Said("cfg_until_earlier", id=base.id, until=base.until),
                )
            )

    for i, rule_id in enumerate(policy.optional_statutory_holds):
        base = rules.get(rule_id)
        if base is None or not base.optional:
            known = ", ".join(sorted(r.id for r in law.rules if r.optional))
            problems.append(
                (("optional_statutory_holds", i), Said("cfg_not_optional", known=known))
            )
    return problems


def _said(message: str) -> Said:
    return message if isinstance(message, Said) else Said("cfg_raw", en=message, text=message)


def parse_policy(
    data: Any, lines: dict[Loc, int], file: str, law: StatutoryRules
) -> RegisterPolicy:
    """Validate a loaded YAML document as a policy, then against the law."""
    try:
        policy = RegisterPolicy.model_validate(data, context={"deferred_checks": True})
    except ValidationError as exc:
        raise ConfigError(file, describe_errors(exc, lines)) from None
    problems = consistency_problems(policy) or check_against_law(policy, law)
    if problems:
        out: list[str] = [
            where_said(
                lines,
                loc,
                message if isinstance(message, Said) else Said("cfg_raw", en=message, text=message),
            )
            for loc, message in problems
        ]
        raise ConfigError(file, out)
    return policy


def load_policy(path: Path, law: StatutoryRules | None = None) -> RegisterPolicy:
    """Load and validate a register policy YAML; ConfigError naming file, line and field.

    ``law`` defaults to the Finnish statutory rules (policies/law/fi.yaml).
    """
    from policies.law import load_statutory_rules

    data, lines = load_yaml(Path(path))
    return parse_policy(data, lines, str(path), law or load_statutory_rules())
