"""Every fixed text of the reports, in Finnish and English.

Finnish is the default: the owner reads Finnish. ``t(lang)`` gives a lookup
for one language; a missing key is a bug and raises.
"""

from __future__ import annotations

from collections.abc import Callable

TEXTS: dict[str, tuple[str, str]] = {
    # proposal
    "proposal_title": ("Poistoehdotus", "Deletion proposal"),
    "run_date": ("Laadittu", "Prepared on"),
    "intro": (
        "Tämä ehdotus kertoo, mitkä asiakastiedot tietosuojaselosteesi ja lain mukaan "
        "kuuluu nyt poistaa, mitä laki velvoittaa säilyttämään ja miksi. Merkitse päätöksesi "
        "Excel-tiedostoon (hyväksy / hylkää / siirrä) ja aja sitten {command}.",
        "This proposal says which customer data your privacy notice and the law say should "
        "be deleted now, what the law requires you to keep, and why. Mark your decisions in "
        "the Excel file (approve / reject / postpone), then run {command}.",
    ),
    "no_changes": (
        "Ei muutoksia edelliseen ehdotukseen: samat poistot odottavat päätöstäsi.",
        "No changes since the previous proposal: the same deletions await your decision.",
    ),
    "hold_source_unreadable": (
        "Lähdettä ei voitu lukea: poistoja ei ehdoteta",
        "A source could not be read: no deletions proposed",
    ),
    "lost_rows": (
        "Rivejä, joita ei voitu liittää kehenkään: lähteen poistot odottavat korjausta",
        "Rows that cannot be tied to anyone: the source's deletions wait for a fix",
    ),
    "summary": ("Yhteenveto", "Summary"),
    "n_delete": ("poistettavaa merkintää", "records to delete"),
    "n_people": ("henkilöä", "people"),
    "n_hold": ("säilytetään lain perusteella", "kept by law"),
    "n_review": ("tarkistettavaa", "to review"),
    "n_next": ("erääntyy ensi kuussa", "due next month"),
    "action_now": ("Toimenpiteet nyt", "Action needed now"),
    "erasure_overdue": ("Myöhässä olevat poistopyynnöt", "Overdue erasure requests"),
    "open_requests": ("Avoimet pyynnöt", "Open requests"),
    "open_requests_intro": (
        "Jokainen avoin poisto- ja tarkastuspyyntö määräaikoineen. Myös säilytysvelvoitteen "
        "estämä pyyntö on tässä: vastaa pyytäjälle ja kerro, mikä tietoja pitää ja kuinka kauan.",
        "Every open erasure and access request with its deadline. A request a legal hold "
        "blocks is listed too: answer the person and say what keeps the data, and how long.",
    ),
    "erasure_overdue_intro": (
        "Näiden henkilöiden poistopyynnön määräaika on umpeutunut. Hoida nämä ensin.",
        "The deadline of these people's erasure requests has passed. Handle these first.",
    ),
    "deletions_due": ("Poistettavat tiedot henkilöittäin", "Deletions due, per person"),
    "deletions_intro": (
        "Jokaisen henkilön kohdalla näkyvät kaikki lähteet, joissa hän esiintyy.",
        "Every source in which the person appears is listed under them.",
    ),
    "held": ("Säilytetään ja miksi", "Kept, and why"),
    "held_intro": (
        "Nämä tiedot olisivat poistettavia, mutta laki tai avoin saatava pitää ne tallessa.",
        "These would be due for deletion, but the law or an open claim keeps them.",
    ),
    "next_month": ("Erääntyy ensi kuussa", "Due next month"),
    "review": ("Tarkistettavat", "To review"),
    "review_intro": (
        "Karsinta ei voi päättää näistä turvallisesti. Ne eivät ole poistoehdotuksessa.",
        "Karsinta cannot decide these safely. They are not in the deletion proposal.",
    ),
    "findings": ("Havainnot", "Findings"),
    "sources": ("Luetut lähteet", "Sources read"),
    "sources_intro": (
        "Lähteestä, jonka luvussa oli virheitä, ei ehdoteta poistoja.",
        "No deletion is proposed from a source whose read had errors.",
    ),
    "nothing": ("Ei mitään tässä kohdassa.", "Nothing here."),
    "unreadable": ("ei voitu lukea", "could not be read"),
    "problems": ("ongelmaa", "problems"),
    "traces": ("merkintää", "records"),
    # columns
    "col_decision": ("Päätös", "Decision"),
    "col_person": ("Henkilö", "Person"),
    "col_source": ("Lähde", "Source"),
    "col_where": ("Sijainti lähteessä", "Where in the source"),
    "col_kind": ("Tietolaji", "Kind"),
    "col_action": ("Toimenpide", "Action"),
    "col_rule": ("Sääntö", "Rule"),
    "col_trigger": ("Peruste", "Triggered by"),
    "col_due": ("Poistopäivä", "Deletion date"),
    "col_due_future": ("Erääntyy", "Due on"),
    "col_overdue": ("Myöhässä (pv)", "Days overdue"),
    "col_comment": ("Kommentti (vapaaehtoinen)", "Comment (optional)"),
    "col_decided": ("Päätetty", "Decided"),
    "col_note": ("Perustelusi", "Your reason"),
    # decisions remembered from earlier proposals
    "remembered": ("Aiemmin päätetyt", "Decided earlier"),
    "remembered_intro": (
        "Näistä olet jo päättänyt. Hylättyä riviä ei ehdoteta uudelleen ennen kuin tieto "
        "muuttuu; siirretty rivi ehdotetaan uudelleen ensi kuussa; hyväksytty rivi, jonka "
        "poistat itse, odottaa käsin poistoa, kunnes sitä ei enää löydy.",
        "You have decided these already. A rejected row is not proposed again until the record "
        "changes; a postponed row is proposed again next month; an approved row that you "
        "delete yourself waits until it is no longer found.",
    ),
    "remembered_rejected": ("hylätty aiemmin", "rejected earlier"),
    "remembered_postponed": ("siirretty ensi kuuhun", "postponed to next month"),
    "remembered_waiting": ("odottaa käsin poistoa", "waiting for you to delete it"),
    "n_rejected": (
        "riviä, jotka hylkäsit aiemmin, ei ehdoteta uudelleen",
        "rows you rejected earlier are not proposed again",
    ),
    "n_postponed": ("riviä siirretty ensi kuuhun", "rows postponed to next month"),
    "n_waiting": (
        "riviä odottaa käsin poistoa (tehtävälistalla)",
        "rows wait for you to delete them (on the checklist)",
    ),
    "col_hold": ("Säilytysperuste", "Held because"),
    "col_hold_until": ("Säilytetään asti", "Held until"),
    "col_reason": ("Syy", "Reason"),
    "col_outcome": ("Ratkaisu", "Outcome"),
    "col_register": ("Rekisteri", "Register"),
    "col_count": ("Määrä", "Count"),
    "col_finding": ("Havainto", "Finding"),
    "col_severity": ("Vakavuus", "Severity"),
    "col_problem": ("Ongelma", "Problem"),
    "col_file": ("Tiedosto", "File"),
    "col_connector": ("Lukija", "Reader"),
    "col_status": ("Tila", "Status"),
    "decision_delete": ("poista", "delete"),
    "decision_hold": ("säilytä (laki)", "keep (law)"),
    "decision_keep": ("säilytä", "keep"),
    "decision_review": ("tarkista", "review"),
    "action_delete": ("poista", "delete"),
    "action_anonymise": ("anonymisoi", "anonymise"),
    "severity_high": ("korkea", "high"),
    "severity_medium": ("keskitaso", "medium"),
    "severity_low": ("matala", "low"),
    "row": ("rivi", "row"),
    "days_overdue": ("{n} pv myöhässä", "{n} days overdue"),
    "unnamed": ("(nimetön)", "(no name)"),
    "until_further": ("toistaiseksi", "until further notice"),
    # xlsx
    "sheet_proposal": ("Ehdotus", "Proposal"),
    "sheet_summary": ("Yhteenveto", "Summary"),
    "sheet_held": ("Säilytettävät", "Kept by law"),
    "sheet_review": ("Tarkistettavat", "To review"),
    "xlsx_howto": (
        "Valitse jokaiselle riville Päätös-sarakkeesta: hyväksy, hylkää tai siirrä. "
        "Tyhjä tarkoittaa, ettei riviä hyväksytty. Kommentti-sarakkeeseen voit kirjoittaa "
        "syyn. Suodata vapaasti; muut solut on lukittu, jotta henkilö ei irtoa riviltään. "
        "Tallenna ja aja: karsinta apply TIEDOSTO.xlsx",
        "Choose a decision for every row: approve, reject or postpone (hyväksy / hylkää / "
        "siirrä). Blank means not approved. You may write your reason in the comment column. "
        "Filter freely; the other cells are locked so that no person comes loose from their "
        "row. Save, then run: karsinta apply FILE.xlsx",
    ),
    "business": ("Yritys", "Business"),
    "month": ("Kuukausi", "Month"),
    # a proposal of any size (reports.proposal: the page summarises, the XLSX lists all)
    "more_in_xlsx": (
        "… ja {n} muuta: kaikki rivit ovat Excel-tiedostossa.",
        "… and {n} more: every row is in the Excel file.",
    ),
    "deletion_summary": (
        "Poistettavat lähteittäin, tietolajeittain ja kuukausittain",
        "Deletions per source, kind and month",
    ),
    "col_month": ("Kuukausi", "Month"),
    "col_rows": ("Merkintöjä", "Records"),
    "col_people": ("Henkilöitä", "People"),
    "col_months": ("Kuukaudet", "Months"),
    "col_first_where": ("Ensimmäinen sijainti", "First location"),
    "col_name": ("Nimi", "Name"),
    "col_hint": ("Huomio", "Note"),
    "keyless": ("Merkinnät ilman tunnistetta", "Records without an identifier"),
    "keyless_intro": (
        "Näissä merkinnöissä on vain nimi (ei sähköpostia, puhelinta, henkilötunnusta eikä "
        "asiakasnumeroa). Nimi ei yksin riitä poistoon, joten ne odottavat katsomistasi. "
        "Samannimiset merkinnät on koottu yhdelle riville; kaikki rivit ovat Excelin "
        "välilehdellä Ilman tunnistetta.",
        "These records carry only a name (no e-mail, phone, henkilötunnus or customer "
        "number). A name alone is not enough to delete, so they wait for your look. Records "
        "with the same name are one line; every row is on the Excel sheet Without identifier.",
    ),
    "keyless_match": ("nimi täsmää asiakkaaseen", "the name matches a customer"),
    "sheet_keyless": ("Ilman tunnistetta", "Without identifier"),
}

#: Decision words of the XLSX dropdown, in the proposal's language: approve, reject,
#: postpone (flows.apply reads both languages, so she may type either).
DECISION_WORDS = ("hyväksy", "hylkää", "siirrä")
DECISION_WORDS_EN = ("approve", "reject", "postpone")

KIND_NAMES: dict[str, tuple[str, str]] = {
    "contact": ("yhteystieto", "contact"),
    "appointment": ("ajanvaraus", "appointment"),
    "order": ("tilaus", "order"),
    "invoice": ("lasku", "invoice"),
    "engagement": ("valmennus/toimeksianto", "engagement"),
    "summary": ("koonti", "summary"),
    "marketing": ("markkinointi", "marketing"),
    "erasure_request": ("poistopyyntö", "erasure request"),
    "client_record": ("asiakaskortti", "client record"),
    "customer": ("asiakastieto", "customer record"),
}


def t(lang: str) -> Callable[[str], str]:
    """The text lookup for ``lang`` ('fi' or 'en')."""
    index = 1 if lang == "en" else 0

    def lookup(key: str) -> str:
        return TEXTS[key][index]

    return lookup


def decision_words(lang: str) -> tuple[str, str, str]:
    """The dropdown's words (approve, reject, postpone) in ``lang``."""
    return DECISION_WORDS_EN if lang == "en" else DECISION_WORDS


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES.get(kind)
    if names is None:
        return kind
    return names[1 if lang == "en" else 0]
