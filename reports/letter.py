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


#: the letter's sentences: key -> (Finnish, English)
LETTER: dict[str, tuple[str, str]] = {
    "hello": ("Hei,", "Hello,"),
    "handled": (
        "kiitos pyynnöstäsi poistaa henkilötietosi. {controller} on käsitellyt sen; "
        "määräaika on {deadline}.",
        "thank you for your request to erase your personal data. {controller} has "
        "handled it; the deadline is {deadline}.",
    ),
    "erased": ("Sinusta poistetaan seuraavat tiedot:", "The following data about you is erased:"),
    "held": (
        "Laki velvoittaa säilyttämään toistaiseksi seuraavat tiedot:",
        "The law requires us to keep the following data for now:",
    ),
    "held_until": ("  - {hold} (säilytetään {until} asti)", "  - {hold} (kept until {until})"),
    "held_open": (
        "  - {hold} (säilytetään, kunnes asia on selvitetty)",
        "  - {hold} (kept until the matter is settled)",
    ),
    "held_after": (
        "Ne poistetaan, kun velvoite päättyy; niitä ei käytetä muuhun.",
        "It will be erased when the obligation ends; it is not used otherwise.",
    ),
    "review": (
        "Osa tiedoista tarkistetaan käsin ennen poistoa (esimerkiksi tieto, joka voi "
        "kuulua samannimiselle tai samaa osoitetta käyttävälle henkilölle); kerromme, "
        "kun ne on käsitelty.",
        "Some records need to be checked by hand before erasure (for example, a "
        "record that may belong to someone else with the same name or address); we "
        "will tell you when they are handled.",
    ),
    "logged": (
        "Pyyntösi ja sen käsittely kirjataan, jotta voimme osoittaa sen tulleen hoidetuksi.",
        "We keep a note of your request and its handling, as proof that it was handled.",
    ),
    "complain": (
        "Jos et ole tyytyväinen pyyntösi käsittelyyn, sinulla on oikeus tehdä valitus "
        "valvontaviranomaiselle: {ombudsman}.",
        "If you are not satisfied with how your request was handled, you have the right "
        "to lodge a complaint with the supervisory authority: {ombudsman}.",
    ),
    "regards": ("Ystävällisin terveisin", "Kind regards,"),
}


def letter_text(
    run: ReviewRun, state: RequestState, policies: Sequence[RegisterPolicy], lang: str
) -> str:
    """The letter's text for the person in ``run`` (a one-person ReviewRun)."""
    lang = "en" if lang == "en" else "fi"

    def say(key: str, **values: str) -> str:
        return LETTER[key][lang == "en"].format(**values)

    decisions = run.decisions
    own = decisions[~decisions["kind"].isin(["erasure_request", "access_request"])]
    coming = (own["decision"] == "keep") & own["erasure_request"].astype(bool)
    erased = own[(own["decision"] == "delete") | coming]
    held = own[own["decision"] == "hold"]
    review = own[own["decision"] == "review"]
    controller = policies[0].controller.name if policies else run.business
    contact = policies[0].controller.email if policies and policies[0].controller.email else ""
    deadline = _day(state.deadline, lang)
    lines = [say("hello"), "", say("handled", controller=controller, deadline=deadline), ""]
    if len(erased):
        lines += [say("erased"), *(f"  - {item}" for item in _kinds(erased, lang)), ""]
    if len(held):
        lines.append(say("held"))
        for hold in state.holds:
            text = hold.text_en if lang == "en" else hold.text_fi
            until = _day(hold.until, lang)
            held_line = say("held_until", hold=text, until=until) if until else None
            lines.append(held_line or say("held_open", hold=text))
        lines += [f"    ({item})" for item in _kinds(held, lang)]
        lines += [say("held_after"), ""]
    if len(review):
        lines += [say("review"), ""]
    lines += [
        say("logged"),
        "",
        say("complain", ombudsman=OMBUDSMAN[lang]),
        "",
        say("regards"),
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
