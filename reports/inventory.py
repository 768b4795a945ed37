"""The processing inventory: the GDPR art. 30 record ("seloste käsittelytoimista").

The accountant asks for it at year end. Per register it gives the fields the
Data Protection Ombudsman's guidance lists — controller and contact,
purposes and legal basis, data subject groups, data categories, recipients,
transfers outside the EU/EEA and their safeguards, erasure periods per
category (the retention rules in words and the statutory holds that apply),
security measures, regular sources — filled from the register policy, and
beside it what Karsinta observed: the sources connected to the register,
people and records per kind, the oldest record, the share of records past
their period, and the register's findings.

It holds no customer's personal data, only aggregates: the personal columns
of the traces (name, e-mail, phone, henkilötunnus, label, locator) are never
read here; identity resolution uses them only to count people.

Two files, written owner-only and atomically (reports.cells):
``seloste-kasittelytoimista-YYYY-MM-DD.html`` (one self-contained printable
page) and ``.xlsx`` (a summary sheet and one sheet per register); English
names them ``processing-record-YYYY-MM-DD``. Both render the same document
model (:class:`RegisterRecord` made of :class:`Block` s), so the two cannot
say different things. Unconfirmed interpretations are marked in words
("Vahvistamaton tulkinta:") in both, and in yellow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from jinja2 import Environment
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from connectors.trace import CATEGORIES, DATE_DTYPE
from policies.findings import (
    Finding,
    interpretation_findings,
    notice_findings,
    sort_findings,
)
from policies.identity import resolve
from policies.law import StatutoryRules, load_statutory_rules
from policies.periods import en_date, fi_date
from policies.schema import (
    LEGAL_BASIS_TEXT,
    HoldRule,
    Interpretation,
    LastOf,
    RegisterPolicy,
    RetentionRule,
)
from reports.cells import (
    DATE_FORMAT_EN,
    DATE_FORMAT_FI,
    owner_only_file,
    set_cell,
    template_env,
    write_text_file,
)
from reports.inventory_texts import ANCHOR_WORDS, CATEGORY_EN, LAST_OF_WORDS, it
from reports.texts import kind_name
from reports.view import SourceSummary

LANGS = ("fi", "en")

#: observed_stats columns and dtypes. ``kind`` is NA on a register's total row.
STATS_COLUMNS: dict[str, str] = {
    "register": "string",
    "kind": "string",
    "has_rule": "boolean",
    "subjects": "Int64",
    "traces": "Int64",
    "dated": "Int64",
    "oldest": DATE_DTYPE,
    "past_period": "Int64",
    "past_share": "Float64",
}


@dataclass
class InventoryInput:
    """Everything the record is made of; ``policies`` maps a register id to its policy.

    ``traces`` is a contract-valid trace frame, ``decisions`` the engine's
    (DECISION_COLUMNS; may be empty when no review has run: the share past
    period is then not known). ``law`` defaults to the Finnish statutory rules.
    """

    business: str
    today: date
    lang: str
    policies: dict[str, RegisterPolicy]
    traces: pd.DataFrame
    decisions: pd.DataFrame
    findings: list[Finding]
    sources: list[SourceSummary]
    law: StatutoryRules | None = None


# ------------------------------------------------------------ observed stats


def registers_of(inv: InventoryInput) -> list[str]:
    """Registers in the record: those with a policy (in their order), then any other seen."""
    seen: set[str] = set()
    if not inv.traces.empty:
        seen |= {str(r) for r in inv.traces["register"].dropna().unique()}
    seen |= {s.register for s in inv.sources}
    seen |= {f.register for f in inv.findings}
    return list(inv.policies) + sorted(seen - set(inv.policies))


def _subject_ids(inv: InventoryInput, traces: pd.DataFrame) -> pd.Series:
    """The subject of each trace: the engine's when it decided every trace, else resolved.

    Identity resolution is deterministic, so both give the same ids.
    """
    decisions = inv.decisions
    if not decisions.empty and "subject_id" in decisions:
        mapping = decisions.drop_duplicates("trace_id").set_index("trace_id")["subject_id"]
        ids = traces["trace_id"].map(mapping)
        if ids.notna().all():
            return ids.astype("string")
    kinds = {register: policy.customer_kinds for register, policy in inv.policies.items()}
    return resolve(traces, kinds)["subject_id"].astype("string").set_axis(traces.index)


def _past_flags(inv: InventoryInput, traces: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(decided, past): whether the engine decided a trace, and whether its period has ended.

    Past = delete or hold with a due date on or before today: a record held by
    a law whose period the data cannot tell (patient records) is not past.
    """
    decisions = inv.decisions
    false = pd.Series(False, index=traces.index)
    if decisions.empty:
        return false, false
    today = pd.Timestamp(inv.today)
    rows = decisions.drop_duplicates("trace_id").set_index("trace_id")
    due = pd.to_datetime(rows["due_date"])
    past = rows["decision"].isin(["delete", "hold"]) & due.notna() & (due <= today)
    decided = traces["trace_id"].isin(rows.index)
    flags = traces["trace_id"].map(past.astype(bool)).fillna(False).astype(bool)
    return decided.astype(bool), flags


def observed_stats(inv: InventoryInput) -> pd.DataFrame:
    """Per register: a total row (kind NA), then one row per kind. No personal data.

    Kinds are the policy's retention kinds (also when nothing was observed)
    and any other kind observed (``has_rule`` False). ``subjects`` counts
    people (strong-key identity), ``dated`` the records with an event or end
    date, ``oldest`` the earliest such date, ``past_period`` the records whose
    period has ended (engine decision delete or hold, due on or before today)
    and ``past_share`` that count among the dated records the engine decided
    (NA when nothing dated was decided).
    """
    traces = inv.traces.reset_index(drop=True)
    if traces.empty:
        work = pd.DataFrame(
            {
                "register": pd.Series(dtype="string"),
                "kind": pd.Series(dtype="string"),
                "subject": pd.Series(dtype="string"),
                "date": pd.Series(dtype=DATE_DTYPE),
                "decided": pd.Series(dtype=bool),
                "past": pd.Series(dtype=bool),
            }
        )
    else:
        decided, past = _past_flags(inv, traces)
        work = pd.DataFrame(
            {
                "register": traces["register"].astype("string").fillna(""),
                "kind": traces["kind"].astype("string"),
                "subject": _subject_ids(inv, traces),
                "date": traces["event_date"]
                .astype(DATE_DTYPE)
                .fillna(traces["end_date"].astype(DATE_DTYPE)),
                "decided": decided,
                "past": past,
            }
        )
    rows: list[dict[str, Any]] = []
    for register in registers_of(inv):
        policy = inv.policies.get(register)
        in_register = work[work["register"] == register]
        rows.append(_stats_row(register, None, None, in_register))
        declared = list(policy.retention) if policy else []
        observed = sorted(set(in_register["kind"].dropna()) - set(declared))
        for kind in declared + observed:
            rows.append(
                _stats_row(
                    register, kind, kind in declared, in_register[in_register["kind"] == kind]
                )
            )
    frame = pd.DataFrame(rows, columns=list(STATS_COLUMNS))
    return frame.astype(STATS_COLUMNS)


def _stats_row(
    register: str, kind: str | None, has_rule: bool | None, rows: pd.DataFrame
) -> dict[str, Any]:
    dated = rows["date"].notna()
    judged = dated & rows["decided"]
    past = int((judged & rows["past"]).sum())
    return {
        "register": register,
        "kind": kind,
        "has_rule": has_rule,
        "subjects": int(rows["subject"].nunique()),
        "traces": len(rows),
        "dated": int(dated.sum()),
        "oldest": rows["date"].min() if dated.any() else pd.NaT,
        "past_period": past,
        "past_share": past / int(judged.sum()) if judged.any() else pd.NA,
    }


# ------------------------------------------------------------ document model


@dataclass(frozen=True)
class Marked:
    """A text with a marker both outputs show: an interpretation, a missing field."""

    label: str
    text: str
    cls: str  # unconfirmed, confirmed, missing


@dataclass(frozen=True)
class Percent:
    value: float


@dataclass
class Block:
    """One part of a register's record: a heading and a table.

    ``headers`` empty means a field list: each row is (label, value).
    """

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    intro: str = ""
    empty: str = ""


@dataclass
class RegisterRecord:
    register: str
    name: str
    controller: str
    has_policy: bool
    unconfirmed: int
    blocks: list[Block] = field(default_factory=list)


def _lang(inv: InventoryInput) -> str:
    if inv.lang not in LANGS:
        raise ValueError(f"unknown report language '{inv.lang}'; known: {', '.join(LANGS)}")
    return inv.lang


def _interp(item: Interpretation | None, lang: str) -> Marked | None:
    if item is None:
        return None
    text = it(lang)
    if item.confirmed:
        return Marked(text("confirmed"), item.text.strip(), "confirmed")
    return Marked(text("unconfirmed"), item.text.strip(), "unconfirmed")


def _missing(lang: str, label_key: str = "not_stated") -> Marked:
    return Marked(it(lang)(label_key), "", "missing")


def _or_missing(value: str | None, lang: str) -> Any:
    return value.strip() if value and value.strip() else _missing(lang)


def _category(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return CATEGORY_EN.get(code, code) if lang == "en" else CATEGORIES.get(code, code)


def _basis(basis: str | None, extra: str | None, lang: str) -> Any:
    if basis is None and not extra:
        return _missing(lang)
    parts = []
    if basis is not None:
        parts.append(LEGAL_BASIS_TEXT[basis][1 if lang == "en" else 0])
    if extra:
        parts.append(extra.strip())
    return "; ".join(parts)


def rule_words(rule: RetentionRule, lang: str) -> str:
    """The rule as the machine reads it: '12 kk asiakkuuden viimeisestä tapahtumasta'."""
    text = it(lang)
    en = lang == "en"
    if rule.keep == "while_customer":
        return text("while_customer")
    if rule.keep == "statutory":
        return text("statutory")
    period = rule.keep.text_en() if en else rule.keep.text_fi()
    anchors = []
    for anchor in rule.anchors:
        if isinstance(anchor, LastOf):
            anchors.append(LAST_OF_WORDS[int(en)].format(kind=kind_name(anchor.last, lang)))
        else:
            anchors.append(ANCHOR_WORDS[anchor][int(en)])
    if len(anchors) == 1:
        return f"{period} {anchors[0]}"
    return f"{period} — {text('latest_of')} {'; '.join(anchors)}"


def _holds_for(
    policy: RegisterPolicy, law: StatutoryRules, kinds: set[str]
) -> list[tuple[HoldRule, bool]]:
    """(hold, statutory) for the law's holds and the policy's own that reach a register kind."""
    holds = [(h, True) for h in law.active_for(policy.optional_statutory_holds)]
    holds += [(h, False) for h in policy.holds]
    return [(h, s) for h, s in holds if not h.kinds or set(h.kinds) & kinds]


class _Blocks:
    """Collects a register's blocks; titles, headers and labels are text keys."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.text = it(lang)
        self.items: list[Block] = []

    def fields(self, key: str, rows: list[tuple[str, Any]], intro: str = "") -> None:
        text = self.text
        values = [[text(label), value] for label, value in rows]
        self.items.append(
            Block(key, text(f"sec_{key}"), [], values, intro=text(intro) if intro else "")
        )

    def table(
        self,
        key: str,
        columns: tuple[str, ...],
        rows: list[list[Any]],
        empty: str = "none_listed",
        intro: str = "",
    ) -> None:
        text = self.text
        self.items.append(
            Block(
                key,
                text(f"sec_{key}"),
                [text(c) for c in columns],
                rows,
                intro=text(intro) if intro else "",
                empty=text(empty) if empty else "",
            )
        )


def _policy_blocks(
    register: str, policy: RegisterPolicy, law: StatutoryRules, kinds: set[str], lang: str
) -> list[Block]:
    out = _Blocks(lang)
    text = out.text
    en = lang == "en"

    def given(value: str | None) -> Any:
        return _or_missing(value, lang)

    def words(fi: str, english: str | None) -> str:
        return ((english or fi) if en else fi).strip()

    c, notice = policy.controller, policy.notice
    out.fields(
        "controller",
        [
            ("f_name", c.name),
            ("f_business_id", given(c.business_id)),
            ("f_address", given(c.address)),
            ("f_domicile", given(c.domicile)),
            ("f_phone", given(c.phone)),
            ("f_email", given(c.email)),
            ("f_contact_name", given(c.contact.name)),
            ("f_contact_phone", given(c.contact.phone)),
            ("f_contact_email", given(c.contact.email)),
            ("f_contact_address", given(c.contact.address)),
        ],
    )
    out.fields(
        "register",
        [
            ("f_register_id", register),
            ("f_register_name", policy.name),
            *([("f_description", policy.kuvaus.strip())] if policy.kuvaus else []),
            ("f_notice_title", given(notice.title)),
            ("f_notice_date", notice.date or _missing(lang)),
            *([("f_notice_url", notice.url)] if notice.url else []),
            ("f_fiscal_year_end", policy.fiscal_year_end),
        ],
    )
    out.table(
        "purposes",
        ("col_purpose", "col_legal_basis", "col_interpretation"),
        [
            [
                p.kuvaus.strip(),
                _basis(p.legal_basis, p.legal_basis_text, lang),
                _interp(p.interpretation, lang),
            ]
            for p in policy.purposes
        ],
    )
    out.table("subjects", ("col_subject_group",), [[s] for s in policy.data_subjects])
    out.table(
        "categories",
        ("col_data_category", "col_category_code"),
        [[d.kuvaus.strip(), _category(d.code, lang)] for d in policy.data_categories],
    )
    if policy.not_kept:
        out.table(
            "not_kept", ("col_category_code",), [[_category(x, lang)] for x in policy.not_kept]
        )
    out.table("sources", ("col_source_text",), [[s] for s in policy.sources])
    out.table(
        "recipients",
        ("col_recipient", "col_description"),
        [[p.name, p.kuvaus] for p in policy.recipients],
        empty="no_recipients",
    )
    out.table(
        "processors",
        ("col_processor", "col_description"),
        [[p.name, p.kuvaus] for p in policy.processors],
    )
    out.table(
        "transfers",
        ("col_recipient", "col_country", "col_safeguard", "col_description", "col_interpretation"),
        [
            [
                t.recipient,
                given(t.country),
                t.safeguard or _missing(lang, "missing_safeguard"),
                t.kuvaus.strip() if t.kuvaus else None,
                _interp(t.interpretation, lang),
            ]
            for t in policy.transfers
        ],
        empty="no_transfers",
    )
    out.table(
        "retention",
        (
            "col_kind",
            "col_retention",
            "col_rule_words",
            "col_action",
            "col_notice_quote",
            "col_interpretation",
        ),
        [
            [
                kind_name(kind, lang),
                words(rule.kuvaus, rule.description_en),
                rule_words(rule, lang),
                text(f"action_{rule.action}"),
                rule.notice_quote.strip() if rule.notice_quote else None,
                _interp(rule.interpretation, lang),
            ]
            for kind, rule in policy.retention.items()
        ],
    )
    out.table(
        "holds",
        ("col_obligation", "col_applies_to", "col_description", "col_legal_source"),
        [
            [
                text("statutory_rule" if statutory else "policy_rule"),
                ", ".join(kind_name(k, lang) for k in h.kinds) or text("all_kinds_hold"),
                words(h.kuvaus, h.description_en),
                h.source.strip() if h.source else None,
            ]
            for h, statutory in _holds_for(policy, law, kinds)
        ],
        intro="holds_intro",
    )
    deadline = policy.erasure.deadline
    interpretation = _interp(policy.erasure.interpretation, lang)
    out.fields(
        "erasure",
        [
            ("f_deadline", deadline.text_en() if en else deadline.text_fi()),
            ("f_description", policy.erasure.kuvaus.strip()),
            *([("col_interpretation", interpretation)] if interpretation else []),
        ],
    )
    out.table("security", ("col_measure",), [[s] for s in policy.security])
    if policy.automated_decisions:
        out.fields("automated", [("f_automated", policy.automated_decisions.strip())])
    return out.items


def _source_row(source: SourceSummary, lang: str) -> list[Any]:
    text = it(lang)
    if source.error:
        status = text("read_failed")
    elif source.problems:
        status = f"{text('read_ok')}, {len(source.problems)} {text('read_problems')}"
    else:
        status = text("read_ok")
    file_name = PurePath(source.file).name if source.file else ""
    return [source.id, source.connector, file_name, source.traces, status]


def _kind_row(row: dict[str, Any], lang: str) -> list[Any]:
    text = it(lang)
    kind = row["kind"]
    is_total = kind is None or kind is pd.NA
    share = row["past_share"]
    return [
        text("all_kinds") if is_total else kind_name(str(kind), lang),
        "" if is_total else text("rule_yes" if row["has_rule"] else "rule_no"),
        int(row["subjects"]),
        int(row["traces"]),
        int(row["dated"]),
        None if pd.isna(row["oldest"]) else pd.Timestamp(row["oldest"]).date(),
        int(row["past_period"]),
        None if share is None or share is pd.NA else Percent(float(share)),
    ]


def _observed_blocks(
    stats: pd.DataFrame, sources: list[SourceSummary], findings: list[Finding], lang: str
) -> list[Block]:
    out = _Blocks(lang)
    out.table(
        "observed_sources",
        ("col_source_id", "col_reader", "col_file_name", "col_records", "col_read"),
        [_source_row(s, lang) for s in sources],
        empty="no_sources_connected",
    )
    out.table(
        "observed",
        (
            "col_kind",
            "col_rule_exists",
            "col_people",
            "col_records",
            "col_dated",
            "col_oldest",
            "col_past",
            "col_past_share",
        ),
        [_kind_row(row, lang) for row in stats.to_dict(orient="records")],
        empty="",
        intro="observed_intro",
    )
    out.table(
        "findings",
        ("col_severity", "col_finding", "col_count"),
        [
            [out.text(f"severity_{f.severity}"), f.text_en if lang == "en" else f.text_fi, f.count]
            for f in findings
        ],
        empty="no_findings",
    )
    return out.items


def register_findings(inv: InventoryInput, register: str) -> list[Finding]:
    """The register's findings: the review's, plus what its policy alone shows.

    The notice findings (repealed law, Privacy Shield, missing legal basis ...)
    and unconfirmed interpretations follow from the policy itself, so the
    record shows them also for a register the review saw no traces of, or
    when no review has run.
    """
    own = [f for f in inv.findings if f.register == register]
    policy = inv.policies.get(register)
    if policy is not None:
        codes = {f.code for f in own}
        derived = notice_findings(register, policy) + interpretation_findings(register, policy)
        own += [f for f in derived if f.code not in codes]
    return sort_findings(own)


def build_records(inv: InventoryInput, stats: pd.DataFrame | None = None) -> list[RegisterRecord]:
    """The document model: one record per register, in :func:`registers_of` order."""
    lang = _lang(inv)
    text = it(lang)
    law = inv.law or load_statutory_rules()
    stats = observed_stats(inv) if stats is None else stats
    records = []
    for register in registers_of(inv):
        policy = inv.policies.get(register)
        own = stats[stats["register"] == register]
        observed_kinds = {str(k) for k in own["kind"].dropna()}
        blocks: list[Block] = []
        if policy is None:
            blocks.append(Block("no_policy", text("sec_register"), [], [], intro=text("no_policy")))
        else:
            kinds = set(policy.retention) | observed_kinds
            blocks += _policy_blocks(register, policy, law, kinds, lang)
        blocks += _observed_blocks(
            own,
            [s for s in inv.sources if s.register == register],
            register_findings(inv, register),
            lang,
        )
        unconfirmed = (
            sum(1 for _, item in policy.interpretations() if not item.confirmed) if policy else 0
        )
        records.append(
            RegisterRecord(
                register=register,
                name=policy.name if policy else register,
                controller=policy.controller.name if policy else "",
                has_policy=policy is not None,
                unconfirmed=unconfirmed,
                blocks=blocks,
            )
        )
    return records


def _summary_rows(
    inv: InventoryInput, records: list[RegisterRecord], stats: pd.DataFrame
) -> list[list[Any]]:
    totals = stats[stats["kind"].isna()].set_index("register")
    rows = []
    for record in records:
        total = totals.loc[record.register]
        rows.append(
            [
                record.register,
                record.name,
                record.controller,
                sum(1 for s in inv.sources if s.register == record.register),
                int(total["subjects"]),
                int(total["traces"]),
                len(register_findings(inv, record.register)),
                record.unconfirmed,
            ]
        )
    return rows


def _summary_headers(lang: str) -> list[str]:
    text = it(lang)
    return [
        text("col_register_id"),
        text("col_register_name"),
        text("col_controller"),
        text("col_sources"),
        text("col_subjects"),
        text("col_traces"),
        text("col_findings"),
        text("col_unconfirmed"),
    ]


# ------------------------------------------------------------------ files


def file_stem(today: date, lang: str) -> str:
    prefix = "processing-record" if lang == "en" else "seloste-kasittelytoimista"
    return f"{prefix}-{today.isoformat()}"


def write_inventory(inv: InventoryInput, out_dir: Path) -> tuple[Path, Path]:
    """Write the HTML and XLSX record (owner-only, atomically); returns (html, xlsx)."""
    lang = _lang(inv)
    stats = observed_stats(inv)
    records = build_records(inv, stats)
    stem = file_stem(inv.today, lang)
    html_path = Path(out_dir) / f"{stem}.html"
    xlsx_path = Path(out_dir) / f"{stem}.xlsx"
    write_text_file(html_path, render_html(inv, records, stats))
    with owner_only_file(xlsx_path) as temp:
        build_workbook(inv, records, stats).save(temp)
    return html_path, xlsx_path


# ------------------------------------------------------------------- HTML


def _env() -> Environment:
    return template_env()


def _percent_text(value: float, lang: str) -> str:
    share = value * 100
    number = "<1" if 0 < share < 1 else f"{share:.0f}"
    return f"{number}%" if lang == "en" else f"{number} %"


def html_cell(value: Any, lang: str) -> dict[str, str]:
    """One cell for the template: text (escaped there), a CSS class, a marker label."""
    if value is None or value is pd.NA:
        return {"text": "", "cls": "", "label": ""}
    if isinstance(value, Marked):
        return {"text": value.text, "cls": value.cls, "label": value.label}
    if isinstance(value, Percent):
        return {"text": _percent_text(value.value, lang), "cls": "num", "label": ""}
    if isinstance(value, date):
        return {"text": en_date(value) if lang == "en" else fi_date(value), "cls": "", "label": ""}
    if isinstance(value, bool):
        return {"text": str(value), "cls": "", "label": ""}
    if isinstance(value, int | float):
        return {"text": str(value), "cls": "num", "label": ""}
    return {"text": str(value), "cls": "", "label": ""}


def _html_blocks(blocks: Iterable[Block], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "key": b.key,
            "title": b.title,
            "headers": b.headers,
            "rows": [[html_cell(v, lang) for v in row] for row in b.rows],
            "intro": b.intro,
            "empty": b.empty,
        }
        for b in blocks
    ]


def render_html(
    inv: InventoryInput, records: list[RegisterRecord], stats: pd.DataFrame | None = None
) -> str:
    lang = _lang(inv)
    stats = observed_stats(inv) if stats is None else stats
    template = _env().get_template("inventory.html.j2")
    return template.render(
        t=it(lang),
        lang=lang,
        business=inv.business,
        prepared=en_date(inv.today) if lang == "en" else fi_date(inv.today),
        summary_headers=_summary_headers(lang),
        summary=[[html_cell(v, lang) for v in row] for row in _summary_rows(inv, records, stats)],
        any_unconfirmed=any(r.unconfirmed for r in records),
        registers=[
            {
                "register": r.register,
                "name": r.name,
                "controller": r.controller,
                "has_policy": r.has_policy,
                "unconfirmed": r.unconfirmed,
                "blocks": _html_blocks(r.blocks, lang),
            }
            for r in records
        ],
    )


# ------------------------------------------------------------------- XLSX

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_SECTION_FONT = Font(bold=True, size=12, color="1F4E79")
_TITLE_FONT = Font(bold=True, size=14)
_UNCONFIRMED_FILL = PatternFill("solid", fgColor="FFF2CC")
_MISSING_FONT = Font(italic=True, color="7A5A00")
_WRAP = Alignment(wrap_text=True, vertical="top")
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_WIDTHS = [30, 42, 34, 40, 44, 40, 14, 14]
PERCENT_FORMAT = "0 %"


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\, not quoted)."""
    base = _INVALID_TITLE.sub("_", name).strip().strip("'").strip() or "register"
    title = base[:31]
    number = 2
    while title.casefold() in used:
        suffix = f"~{number}"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(title.casefold())
    return title


def _cell(sheet: Worksheet, row: int, column: int, value: Any, date_format: str) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Marked):
        set_cell(cell, f"{value.label} {value.text}".strip(), date_format)
        if value.cls == "unconfirmed":
            cell.fill = _UNCONFIRMED_FILL
        elif value.cls == "missing":
            cell.font = _MISSING_FONT
    elif isinstance(value, Percent):
        set_cell(cell, value.value, date_format)
        cell.number_format = PERCENT_FORMAT
    else:
        set_cell(cell, value, date_format)
    cell.alignment = _WRAP


def _header_row(sheet: Worksheet, row: int, headers: list[str], date_format: str) -> None:
    for column, header in enumerate(headers, start=1):
        _cell(sheet, row, column, header, date_format)
        cell = sheet.cell(row=row, column=column)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL


def _widths(sheet: Worksheet) -> None:
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _register_sheet(
    sheet: Worksheet, inv: InventoryInput, record: RegisterRecord, date_format: str
) -> None:
    text = it(inv.lang)
    _cell(sheet, 1, 1, f"{text('title')} — {record.name}", date_format)
    sheet.cell(row=1, column=1).font = _TITLE_FONT
    _cell(sheet, 2, 1, text("business"), date_format)
    _cell(sheet, 2, 2, inv.business, date_format)
    _cell(sheet, 3, 1, text("prepared"), date_format)
    _cell(sheet, 3, 2, inv.today, date_format)
    row = 4
    for block in record.blocks:
        row += 1
        _cell(sheet, row, 1, block.title, date_format)
        sheet.cell(row=row, column=1).font = _SECTION_FONT
        row += 1
        if block.intro:
            _cell(sheet, row, 1, block.intro, date_format)
            row += 1
        if block.headers:
            _header_row(sheet, row, block.headers, date_format)
            row += 1
        if not block.rows and block.empty:
            _cell(sheet, row, 1, block.empty, date_format)
            row += 1
        for values in block.rows:
            for column, value in enumerate(values, start=1):
                _cell(sheet, row, column, value, date_format)
            if not block.headers:
                sheet.cell(row=row, column=1).font = Font(bold=True)
            row += 1
    _widths(sheet)


def build_workbook(
    inv: InventoryInput, records: list[RegisterRecord], stats: pd.DataFrame | None = None
) -> Workbook:
    lang = _lang(inv)
    text = it(lang)
    stats = observed_stats(inv) if stats is None else stats
    date_format = DATE_FORMAT_EN if lang == "en" else DATE_FORMAT_FI
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    used: set[str] = set()
    summary.title = sheet_title(text("sheet_summary"), used)
    _cell(summary, 1, 1, f"{text('title')} ({text('subtitle')})", date_format)
    summary.cell(row=1, column=1).font = _TITLE_FONT
    lines: list[list[Any]] = [
        [text("business"), inv.business],
        [text("prepared"), inv.today],
        [text("intro")],
    ]
    if text("intro_lang"):
        lines.append([text("intro_lang")])
    if any(r.unconfirmed for r in records):
        lines.append([Marked("", text("unconfirmed_intro"), "unconfirmed")])
    row = 2
    for values in lines:
        for column, value in enumerate(values, start=1):
            _cell(summary, row, column, value, date_format)
        if len(values) == 1:
            summary.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
            summary.row_dimensions[row].height = 64
        row += 1
    row += 1
    _header_row(summary, row, _summary_headers(lang), date_format)
    summary.freeze_panes = None
    for values in _summary_rows(inv, records, stats):
        row += 1
        for column, value in enumerate(values, start=1):
            _cell(summary, row, column, value, date_format)
    _widths(summary)
    for record in records:
        sheet = workbook.create_sheet(sheet_title(record.register, used))
        _register_sheet(sheet, inv, record, date_format)
    workbook.active = 0
    return workbook


__all__ = [
    "STATS_COLUMNS",
    "Block",
    "InventoryInput",
    "RegisterRecord",
    "build_records",
    "build_workbook",
    "file_stem",
    "observed_stats",
    "render_html",
    "rule_words",
    "write_inventory",
]
