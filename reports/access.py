"""The art. 15 access report for one person, and its machine-readable copy (art. 20).

``tietopyynto-YYYY-MM-DD-REF.html`` (fi or en) lists every trace of the
person in every source: what it is, where it is, the identifiers as found,
its dates, and what the policy says of it (retention), with the purposes,
legal bases, recipients, transfers and regular sources the policy states.
``.json`` and ``.csv`` carry the same traces. Nothing about any other
person: only the person's own traces (policies.identity subjects found by
strong keys) and name-only matches marked as such. Every value is escaped
(Jinja autoescape; CSV cells through reports.cells.csv_cell) and every file
is owner-only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from policies.periods import en_date, fi_date
from policies.schema import RegisterPolicy
from reports.cells import csv_cell, template_env, write_text_file
from reports.texts import kind_name
from reports.view import location_text

if TYPE_CHECKING:
    from flows.requests import PersonView

FIELDS = ("name", "email", "phone", "hetu", "customer_no", "event_date", "end_date", "status")
TEXTS = {
    "title": ("Tiedot, joita meillä on sinusta", "The data we hold about you"),
    "intro": (
        "Tämä on vastaus pyyntöösi saada pääsy tietoihisi (EU:n tietosuoja-asetus 15 art.). "
        "Alla ovat kaikki sinua koskevat tiedot kaikista järjestelmistämme sekä se, mihin "
        "niitä käytetään, kenelle niitä luovutetaan ja kuinka kauan niitä säilytetään.",
        "This answers your request for access to your data (GDPR art. 15). Below is every "
        "record about you in all our systems, what it is used for, to whom it is disclosed "
        "and how long it is kept.",
    ),
    "records": ("Tiedot", "Records"),
    "source": ("Järjestelmä", "System"),
    "where": ("Sijainti", "Location"),
    "kind": ("Tietolaji", "Kind"),
    "data": ("Tiedot", "Data"),
    "retention": ("Säilytys", "Retention"),
    "purposes": ("Käyttötarkoitukset ja oikeusperuste", "Purposes and legal basis"),
    "recipients": ("Vastaanottajat", "Recipients"),
    "processors": ("Käsittelijät", "Processors"),
    "transfers": ("Siirrot EU/ETA:n ulkopuolelle", "Transfers outside the EU/EEA"),
    "sources": ("Tietolähteet", "Sources of the data"),
    "rules": ("Säilytysajat", "Retention periods"),
    "none": ("ei ole", "none"),
    "name_only": (
        "Tämä tieto vastaa sinua vain nimen perusteella; tarkistamme, onko se sinun.",
        "This record matches you by name only; we will check whether it is yours.",
    ),
    "shared": (
        "Osa tiedoista on tunnisteella, jota käyttää myös toinen henkilö; ne tarkistetaan "
        "käsin ennen kuin niitä luovutetaan.",
        "Some records carry an identifier that another person uses too; they are checked "
        "by hand before they are disclosed.",
    ),
    "rights": (
        "Sinulla on oikeus pyytää tietojesi oikaisemista tai poistamista ja oikeus tehdä "
        "valitus tietosuojavaltuutetulle (tietosuoja.fi).",
        "You have the right to ask for your data to be corrected or erased, and to lodge a "
        "complaint with the Data Protection Ombudsman (tietosuoja.fi).",
    ),
    "copy": (
        "Koneluettava kopio: {json} ja {csv}.",
        "A machine-readable copy: {json} and {csv}.",
    ),
}


def _t(lang: str) -> Any:
    index = 1 if lang == "en" else 0
    return lambda key: TEXTS[key][index]


def _value(value: Any, lang: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp | date):
        return en_date(value) if lang == "en" else fi_date(value)
    return str(value)


def records(view: PersonView, lang: str) -> list[dict[str, Any]]:
    """One plain dict per trace of the person (what every format shows)."""
    decisions = view.decisions.set_index("trace_id")
    loose = set(
        view.decisions.loc[
            view.decisions["review_code"].isin(["no_key", "name_match"]).fillna(False).astype(bool)
            & ~view.decisions["subject_id"].isin(list(view.subjects)),
            "trace_id",
        ]
    )
    suffix = "_en" if lang == "en" else "_fi"
    out = []
    for row in view.traces.sort_values(["source", "kind"]).to_dict(orient="records"):
        decision = decisions.loc[row["trace_id"]]
        out.append(
            {
                "source": str(row["source"]),
                "register": str(row["register"]),
                "kind": kind_name(str(row["kind"]), lang),
                "where": location_text(row["locator"], row.get("label"), lang),
                "fields": {f: _value(row[f], lang) for f in FIELDS if _value(row[f], lang)},
                "categories": _value(row["found_categories"], lang),
                "retention": _value(decision["rule_text" + suffix], lang),
                "name_only": row["trace_id"] in loose,
            }
        )
    return out


def policy_facts(policies: Mapping[str, RegisterPolicy], lang: str) -> list[dict[str, Any]]:
    """What each register's policy states: purposes, recipients, retention, sources."""
    out = []
    for register, policy in sorted(policies.items()):
        out.append(
            {
                "register": policy.name or register,
                "controller": policy.controller.name,
                "contact": policy.controller.email or policy.controller.phone or "",
                "purposes": [
                    p.kuvaus + (f" ({p.legal_basis_text})" if p.legal_basis_text else "")
                    for p in policy.purposes
                ],
                "recipients": [
                    r.name + (f": {r.kuvaus}" if r.kuvaus else "") for r in policy.recipients
                ],
                "processors": [
                    r.name + (f": {r.kuvaus}" if r.kuvaus else "") for r in policy.processors
                ],
                "transfers": [
                    " ".join(x for x in (t.recipient, t.country or "", t.safeguard or "") if x)
                    for t in policy.transfers
                ],
                "sources": list(policy.sources),
                "rules": [
                    f"{kind_name(kind, lang)}: "
                    + ((rule.description_en or rule.kuvaus) if lang == "en" else rule.kuvaus)
                    for kind, rule in sorted(policy.retention.items())
                ],
            }
        )
    return out


def render_html(
    business: str,
    items: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    today: date,
    lang: str,
    shared: bool,
    copies: tuple[str, str],
) -> str:
    env = template_env()
    text = _t(lang)
    return env.get_template("access.html.j2").render(
        t=text,
        lang=lang,
        business=business,
        day=_value(today, lang),
        items=items,
        facts=facts,
        shared=shared,
        copy_line=text("copy").format(json=copies[0], csv=copies[1]),
    )


def csv_text(items: list[dict[str, Any]], lang: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = ["source", "register", "kind", "where", *FIELDS, "categories", "retention"]
    writer.writerow(header)
    for item in items:
        values = [item["source"], item["register"], item["kind"], item["where"]]
        values += [item["fields"].get(f, "") for f in FIELDS]
        values += [item["categories"], item["retention"]]
        writer.writerow([csv_cell(v, lang) for v in values])
    return "\ufeff" + buffer.getvalue()


def write_access(
    out_dir: Path,
    stem: str,
    business: str,
    view: PersonView,
    policies: Mapping[str, RegisterPolicy],
    today: date,
    lang: str,
) -> tuple[Path, Path, Path]:
    """Write the HTML report, the JSON and the CSV copy (owner-only); their paths."""
    items = records(view, lang)
    facts = policy_facts(policies, lang)
    html_path = out_dir / f"{stem}.html"
    json_path = out_dir / f"{stem}.json"
    csv_path = out_dir / f"{stem}.csv"
    payload = {
        "controller": business,
        "date": today.isoformat(),
        "records": items,
        "registers": facts,
    }
    write_text_file(json_path, json.dumps(payload, ensure_ascii=False, indent=2))
    write_text_file(csv_path, csv_text(items, lang))
    write_text_file(
        html_path,
        render_html(business, items, facts, today, lang, view.shared,
                    (json_path.name, csv_path.name)),
    )  # fmt: skip
    return html_path, json_path, csv_path
