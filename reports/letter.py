"""The reply letter to a person who asked for erasure (Finnish or English).

Plain text the owner pastes into her reply: what is erased, what the law
keeps, why and until when, and the person's right to complain to the Data
Protection Ombudsman (tietosuojavaltuutettu, GDPR art. 77). It names kinds
of data and the systems they are in, never another person's data, and it is
written owner-only (reports.cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from policies.periods import en_date, fi_date
from policies.requests import RequestState
from policies.schema import RegisterPolicy
from reports.cells import write_text_file
from reports.texts import kind_name
from reports.view import ReviewRun

OMBUDSMAN = {
    "fi": "Tietosuojavaltuutetun toimisto, PL 800, 00531 Helsinki, tietosuoja.fi",
    "en": "Office of the Data Protection Ombudsman, P.O. Box 800, 00531 Helsinki, Finland, "
    "tietosuoja.fi",
}


def _day(value: object, lang: str) -> str:
    if value is None or value is pd.NaT or pd.isna(value):
        return ""
    return en_date(value) if lang == "en" else fi_date(value)


def _kinds(rows: pd.DataFrame, lang: str) -> list[str]:
    """'tilaus (tilaukset.xlsx)' per distinct kind and source."""
    pairs = sorted(set(zip(rows["kind"].astype(str), rows["source"].astype(str), strict=True)))
    return [f"{kind_name(kind, lang)} ({source})" for kind, source in pairs]


def letter_text(
    run: ReviewRun, state: RequestState, policies: Sequence[RegisterPolicy], lang: str
) -> str:
    """The letter's text for the person in ``run`` (a one-person ReviewRun)."""
    en = lang == "en"
    decisions = run.decisions
    own = decisions[~decisions["kind"].isin(["erasure_request", "access_request"])]
    coming = (own["decision"] == "keep") & own["erasure_request"].astype(bool)
    erased = own[(own["decision"] == "delete") | coming]
    held = own[own["decision"] == "hold"]
    review = own[own["decision"] == "review"]
    controller = policies[0].controller.name if policies else run.business
    contact = policies[0].controller.email if policies and policies[0].controller.email else ""
    lines: list[str] = []
    if en:
        lines += [
            "Hello,",
            "",
            f"thank you for your request to erase your personal data. {controller} has "
            f"handled it; the deadline is {_day(state.deadline, lang)}.",
            "",
        ]
        if len(erased):
            lines.append("The following data about you is erased:")
            lines += [f"  - {item}" for item in _kinds(erased, lang)]
            lines.append("")
        if len(held):
            lines.append("The law requires us to keep the following data for now:")
            for hold in state.holds:
                until = _day(hold.until, lang) or "until the matter is settled"
                lines.append(f"  - {hold.text_en} (kept until {until})")
            lines += [f"    ({item})" for item in _kinds(held, lang)]
            lines.append("It will be erased when the obligation ends; it is not used otherwise.")
            lines.append("")
        if len(review):
            lines.append(
                "Some records need to be checked by hand before erasure (for example, a "
                "record that may belong to someone else with the same name or address); we "
                "will tell you when they are handled."
            )
            lines.append("")
        lines += [
            "We keep a note of your request and its handling, as proof that it was handled.",
            "",
            "If you are not satisfied with how your request was handled, you have the right "
            f"to lodge a complaint with the supervisory authority: {OMBUDSMAN['en']}.",
            "",
            "Kind regards,",
            controller + (f" ({contact})" if contact else ""),
        ]
    else:
        lines += [
            "Hei,",
            "",
            f"kiitos pyynnöstäsi poistaa henkilötietosi. {controller} on käsitellyt sen; "
            f"määräaika on {_day(state.deadline, lang)}.",
            "",
        ]
        if len(erased):
            lines.append("Sinusta poistetaan seuraavat tiedot:")
            lines += [f"  - {item}" for item in _kinds(erased, lang)]
            lines.append("")
        if len(held):
            lines.append("Laki velvoittaa säilyttämään toistaiseksi seuraavat tiedot:")
            for hold in state.holds:
                until = _day(hold.until, lang) or "kunnes asia on selvitetty"
                lines.append(f"  - {hold.text_fi} (säilytetään {until} asti)")
            lines += [f"    ({item})" for item in _kinds(held, lang)]
            lines.append("Ne poistetaan, kun velvoite päättyy; niitä ei käytetä muuhun.")
            lines.append("")
        if len(review):
            lines.append(
                "Osa tiedoista tarkistetaan käsin ennen poistoa (esimerkiksi tieto, joka voi "
                "kuulua samannimiselle tai samaa osoitetta käyttävälle henkilölle); kerromme, "
                "kun ne on käsitelty."
            )
            lines.append("")
        lines += [
            "Pyyntösi ja sen käsittely kirjataan, jotta voimme osoittaa sen tulleen hoidetuksi.",
            "",
            "Jos et ole tyytyväinen pyyntösi käsittelyyn, sinulla on oikeus tehdä valitus "
            f"valvontaviranomaiselle: {OMBUDSMAN['fi']}.",
            "",
            "Ystävällisin terveisin",
            controller + (f" ({contact})" if contact else ""),
        ]
    return "\n".join(lines) + "\n"


def write_letter(
    path: Path,
    run: ReviewRun,
    state: RequestState,
    policies: Sequence[RegisterPolicy],
    lang: str,
) -> Path:
    """Write the letter (owner-only, atomically) and return its path."""
    write_text_file(path, letter_text(run, state, policies, lang))
    return path
