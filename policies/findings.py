"""Findings: what the report must point out beside the per-trace decisions.

A finding is about a register, not about a person: it carries a code, a
count, a Finnish and an English text, and the ids of the traces it concerns
— never a name, e-mail, phone number or henkilötunnus in its texts (the
texts go into reports, logs and Prefect artifacts).

Codes (severity in brackets):

- ``erasure_overdue`` (high): an erasure request's deadline has passed and
  the person's data is still there. First in the report.
- ``no_policy`` (high): traces of a register that has no policy file.
- ``no_retention_rule`` (high): a kind processed without a retention period.
- ``undeclared_data`` (high when the notice says it is *not* kept, else
  medium): personal-data categories found that the notice does not declare.
- ``identity_review`` (medium): traces that identity could not join safely
  (a name-only match, conflicting henkilötunnus).
- ``no_key_review`` (medium): traces with no strong key (no e-mail, phone,
  henkilötunnus or customer number): a name alone never decides.
- ``claim_time_barred`` (medium): open invoices past the limitation period
  (728/2003): the data they held is reviewed, not held or deleted.
- ``notice_repealed_law`` / ``notice_privacy_shield`` /
  ``notice_missing_legal_basis`` / ``notice_no_complaint_right`` /
  ``notice_no_retention`` (medium): stale or missing notice content.
- ``unconfirmed_interpretation`` (low): a vague sentence of the notice was
  given a concrete reading that the owner has not confirmed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from connectors.trace import CATEGORIES
from policies.schema import RegisterPolicy

Severity = Literal["high", "medium", "low"]
_ORDER = {
    "erasure_overdue": 0,
    "no_policy": 1,
    "no_retention_rule": 2,
    "undeclared_data": 3,
    "identity_review": 4,
    "no_key_review": 5,
    "claim_time_barred": 6,
}


@dataclass(frozen=True)
class Finding:
    """One thing the report must point out; no personal values in any text."""

    code: str
    register: str
    severity: Severity
    count: int
    text_fi: str
    text_en: str
    trace_ids: tuple[str, ...] = field(default=())
    detail: str | None = None  # a kind or category code the finding is about


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Erasure overdue first, then by severity, code and register."""
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(
        findings,
        key=lambda f: (_ORDER.get(f.code, 9), rank[f.severity], f.code, f.register, f.detail or ""),
    )


def _ids(series: pd.Series) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in series))


def notice_findings(register: str, policy: RegisterPolicy) -> list[Finding]:
    """Stale or missing content of the published notice, from ``policy.notice``."""
    notice = policy.notice
    out: list[Finding] = []
    if notice.refers_to_henkilotietolaki:
        out.append(
            Finding(
                "notice_repealed_law",
                register,
                "medium",
                1,
                "Seloste viittaa kumottuun henkilötietolakiin (523/1999). Se kumottiin "
                "1.1.2019; nykyään sovelletaan EU:n tietosuoja-asetusta ja tietosuojalakia "
                "(1050/2018).",
                "The notice refers to the repealed Personal Data Act (523/1999), repealed on "
                "1 Jan 2019; the GDPR and the Data Protection Act (1050/2018) apply.",
            )
        )
    if notice.privacy_shield:
        out.append(
            Finding(
                "notice_privacy_shield",
                register,
                "medium",
                1,
                "Seloste perustaa siirrot Yhdysvaltoihin Privacy Shield -järjestelyyn, jonka "
                "EU-tuomioistuin mitätöi 16.7.2020 (C-311/18). Kerro nykyinen siirtoperuste "
                "(esim. EU–US Data Privacy Framework tai vakiosopimuslausekkeet).",
                "The notice bases transfers to the USA on the Privacy Shield, invalidated by the "
                "CJEU on 16 July 2020 (C-311/18). State the current safeguard (e.g. the EU-US "
                "Data Privacy Framework or standard contractual clauses).",
            )
        )
    missing_basis = [p for p in policy.purposes if p.legal_basis is None]
    if not notice.mentions_legal_basis or missing_basis:
        out.append(
            Finding(
                "notice_missing_legal_basis",
                register,
                "medium",
                max(1, len(missing_basis)),
                "Selosteesta puuttuu käsittelyn oikeusperuste (tietosuoja-asetuksen 6 artikla) "
                "käyttötarkoituksittain.",
                "The notice does not state the legal basis (GDPR art. 6) for each purpose.",
            )
        )
    if not notice.mentions_complaint_right:
        out.append(
            Finding(
                "notice_no_complaint_right",
                register,
                "medium",
                1,
                "Seloste ei kerro oikeudesta tehdä valitus tietosuojavaltuutetulle "
                "(tietosuoja-asetuksen 13 art. 2 kohta d).",
                "The notice does not mention the right to lodge a complaint with the Data "
                "Protection Ombudsman (GDPR art. 13(2)(d)).",
            )
        )
    if not notice.mentions_retention:
        out.append(
            Finding(
                "notice_no_retention",
                register,
                "medium",
                1,
                "Seloste ei kerro, kuinka kauan tietoja säilytetään (tietosuoja-asetuksen "
                "13 art. 2 kohta a); käsittelyohjeen säilytysajat ovat tulkintoja.",
                "The notice does not say how long data is kept (GDPR art. 13(2)(a)); the "
                "policy's periods are interpretations.",
            )
        )
    return out


def interpretation_findings(register: str, policy: RegisterPolicy) -> list[Finding]:
    open_ones = [where for where, item in policy.interpretations() if not item.confirmed]
    if not open_ones:
        return []
    places = ", ".join(open_ones)
    return [
        Finding(
            "unconfirmed_interpretation",
            register,
            "low",
            len(open_ones),
            f"Käsittelyohjeessa on {len(open_ones)} vahvistamatonta tulkintaa selosteen "
            f"epämääräisistä kohdista ({places}). Tarkista ja merkitse confirmed: true.",
            f"The policy has {len(open_ones)} unconfirmed interpretations of vague sentences "
            f"of the notice ({places}). Check them and set confirmed: true.",
            detail=places,
        )
    ]


def no_policy_finding(register: str, trace_ids: pd.Series) -> Finding:
    return Finding(
        "no_policy",
        register,
        "high",
        len(trace_ids),
        f"Rekisterille '{register}' ei ole käsittelyohjetta: {len(trace_ids)} merkintää "
        "tarkistettava käsin.",
        f"Register '{register}' has no policy: {len(trace_ids)} traces to review by hand.",
        _ids(trace_ids),
    )


def no_rule_finding(register: str, kind: str, trace_ids: pd.Series) -> Finding:
    return Finding(
        "no_retention_rule",
        register,
        "high",
        len(trace_ids),
        f"Tietoja lajia '{kind}' käsitellään ilman säilytysaikaa ({len(trace_ids)} merkintää): "
        "lisää käsittelyohjeeseen sääntö ja selosteeseen säilytysaika.",
        f"Kind '{kind}' is processed without a retention period ({len(trace_ids)} traces): "
        "add a rule to the policy and a period to the notice.",
        _ids(trace_ids),
        detail=kind,
    )


def undeclared_findings(
    register: str, policy: RegisterPolicy, frame: pd.DataFrame
) -> list[Finding]:
    """Categories found in the register's traces that its notice does not declare.

    ``frame`` has ``trace_id``, ``found_categories`` and ``hetu`` of the register's traces.
    """
    # Each distinct category list is read once; rows follow by their factorized code.
    codes, lists = pd.factorize(frame["found_categories"].astype("string").fillna(""))
    return undeclared_in(
        register,
        policy,
        codes,
        [str(value) for value in lists],
        frame["hetu"].notna().to_numpy(dtype=bool),
        lambda present: frame.loc[present, "trace_id"],
    )


def undeclared_in(
    register: str,
    policy: RegisterPolicy,
    codes: np.ndarray,
    lists: list[str],
    hetu: np.ndarray,
    trace_ids: Callable[[np.ndarray], pd.Series],
) -> list[Finding]:
    """:func:`undeclared_findings` from factorized ``found_categories``.

    ``codes`` index ``lists`` (the distinct comma-joined category lists) per
    trace, ``hetu`` tells which traces carry a henkilötunnus, and
    ``trace_ids(present)`` gives the ids of the traces a boolean mask picks.
    """
    found_in = [set(value.split(",")) for value in lists]
    out: list[Finding] = []
    declared = policy.declared_codes
    for code in sorted(CATEGORIES):
        if code in declared:
            continue
        listed = np.array([code in found for found in found_in], dtype=bool)
        present = listed[codes] if listed.any() else np.zeros(len(codes), dtype=bool)
        if code == "hetu":
            present = present | hetu
        if not present.any():
            continue
        ids = trace_ids(present)
        label = CATEGORIES[code]
        if code in policy.not_kept:
            severity: Severity = "high"
            fi = (
                f"Rekisteristä löytyi tietoja luokasta '{label}' ({len(ids)} merkintää), vaikka "
                "seloste sanoo, ettei niitä tallenneta."
            )
            en = (
                f"Data of category '{code}' was found in the register ({len(ids)} traces) "
                "although the notice says it is not stored."
            )
        else:
            severity = "medium"
            fi = (
                f"Rekisteristä löytyi tietoja luokasta '{label}' ({len(ids)} merkintää), mutta "
                "seloste ei mainitse niitä: lisää ne selosteeseen tai poista tiedot."
            )
            en = (
                f"Data of category '{code}' was found in the register ({len(ids)} traces) but "
                "the notice does not declare it: declare it or remove the data."
            )
        out.append(
            Finding("undeclared_data", register, severity, len(ids), fi, en, _ids(ids), code)
        )
    return out


def erasure_overdue_finding(register: str, trace_ids: pd.Series, subjects: int) -> Finding:
    return Finding(
        "erasure_overdue",
        register,
        "high",
        subjects,
        f"Poistopyynnön määräaika on ylittynyt: {subjects} henkilön tiedot ovat yhä "
        f"rekisterissä ({len(trace_ids)} merkintää). Hoida nämä ensin.",
        f"Erasure request deadline passed: the data of {subjects} people is still in the "
        f"register ({len(trace_ids)} traces). Handle these first.",
        _ids(trace_ids),
    )


def identity_finding(register: str, trace_ids: pd.Series) -> Finding:
    return Finding(
        "identity_review",
        register,
        "medium",
        len(trace_ids),
        f"{len(trace_ids)} merkintää ei voitu yhdistää henkilöön varmasti (vain nimi täsmää "
        "tai tunnisteet ovat ristiriidassa): tarkista käsin.",
        f"{len(trace_ids)} traces could not be joined to a person safely (name-only match or "
        "conflicting identifiers): review by hand.",
        _ids(trace_ids),
    )


def no_key_finding(register: str, trace_ids: pd.Series) -> Finding:
    return Finding(
        "no_key_review",
        register,
        "medium",
        len(trace_ids),
        f"{len(trace_ids)} merkintää ilman tunnistetta (ei sähköpostia, puhelinnumeroa, "
        "henkilötunnusta eikä asiakasnumeroa): nimi ei yksin riitä poistoon, tarkista käsin.",
        f"{len(trace_ids)} traces without an identifier (no e-mail, phone number, "
        "henkilötunnus or customer number): a name alone is not enough to delete; review "
        "by hand.",
        _ids(trace_ids),
    )


def claim_time_barred_finding(register: str, trace_ids: pd.Series) -> Finding:
    return Finding(
        "claim_time_barred",
        register,
        "medium",
        len(trace_ids),
        f"{len(trace_ids)} avointa laskua on mahdollisesti vanhentunut (laki velan "
        "vanhentumisesta 728/2003): tarkista, onko saatava yhä perittävissä. Niiden "
        "pitämät tiedot ovat tarkistettavina.",
        f"{len(trace_ids)} open invoices may be time-barred (Act on the Limitation of Debts "
        "728/2003): check whether the claim can still be collected. The data they held is "
        "up for review.",
        _ids(trace_ids),
    )
