"""The fixed texts of the apply receipt and the manual checklist, in Finnish and English."""

from __future__ import annotations

from collections.abc import Callable

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Kuitti poistoista", "Receipt of deletions"),
    "title_dry": ("Koeajo: mitä poistettaisiin", "Dry run: what would be deleted"),
    "intro": (
        "Tämä kuitti kertoo, mitä hyväksymillesi riveille tehtiin. Rivit viittaavat "
        "poistoehdotuksen riveihin: katso henkilö ehdotuksesta. Kuitissa ei ole asiakkaiden "
        "nimiä eikä yhteystietoja.",
        "This receipt says what was done to the rows you approved. The rows refer to the rows "
        "of the deletion proposal: look the person up there. The receipt holds no customer "
        "names or contact details.",
    ),
    "proposal": ("Poistoehdotus", "Proposal"),
    "applied_at": ("Ajettu", "Applied at"),
    "counts": ("Yhteenveto", "Summary"),
    "checklist": (
        "Tehtävälista: poista itse näistä järjestelmistä",
        "Checklist: delete these yourself",
    ),
    "checklist_intro": (
        "Karsinta ei voi muuttaa näitä järjestelmiä. Etsi henkilö poistoehdotuksen "
        "rivin perusteella ja poista tieto itse.",
        "Karsinta cannot change these systems. Find the person by the proposal row and "
        "delete the data yourself.",
    ),
    "bottom_up": (
        "Taulukoissa rivit on lueteltu alhaalta ylöspäin: poista alhaalta ylöspäin, niin "
        "rivinumerot eivät muutu.",
        "In spreadsheets the rows are listed bottom-up: delete from the bottom up, so the row "
        "numbers do not change.",
    ),
    "lines": ("Kaikki rivit", "All rows"),
    "nothing": ("Ei mitään tässä kohdassa.", "Nothing here."),
    "col_row": ("Ehdotuksen rivi", "Proposal row"),
    "col_source": ("Lähde", "Source"),
    "col_kind": ("Tietolaji", "Kind"),
    "col_file": ("Tiedosto", "File"),
    "col_where": ("Kohta", "Where"),
    "col_date": ("Päivä", "Date"),
    "col_decision": ("Päätös", "Decision"),
    "col_outcome": ("Tulos", "Outcome"),
    "col_reason": ("Syy", "Reason"),
    "col_todo": ("Tehtävä", "To do"),
    "sheet_lines": ("Kuitti", "Receipt"),
    "sheet_checklist": ("Tehtävälista", "Checklist"),
    "row": ("rivi", "row"),
    "invoice": ("lasku", "invoice"),
    "customer": ("asiakasnumero", "customer number"),
    "proposal_row": ("ehdotuksen rivi", "proposal row"),
    # decisions
    "decision_approve": ("hyväksy", "approve"),
    "decision_reject": ("hylkää", "reject"),
    "decision_postpone": ("siirrä", "postpone"),
    "decision_none": ("ei merkitty", "not marked"),
    "decision_unknown": ("tuntematon merkintä", "unknown mark"),
    # outcomes
    "outcome_done": ("tehty", "done"),
    "outcome_would": ("tehtäisiin", "would be done"),
    "outcome_skipped": ("ohitettu", "skipped"),
    "outcome_failed": ("epäonnistui", "failed"),
    "outcome_manual": ("tehtävälistalla", "on the checklist"),
    "outcome_not_approved": ("ei hyväksytty", "not approved"),
    # reasons
    "reason_rejected": ("hylkäsit rivin", "you rejected the row"),
    "reason_postponed": ("siirsit rivin", "you postponed the row"),
    "reason_not_marked": ("rivillä ei ole päätöstä", "the row has no decision"),
    "reason_unknown_word": (
        "päätössarakkeessa on muu kuin hyväksy / hylkää / siirrä",
        "the decision is not approve / reject / postpone",
    ),
    "reason_already_done": ("tehty jo aiemmin", "done already earlier"),
    "reason_already_manual": ("tehtävälistalla jo aiemmin", "on the checklist already earlier"),
    "reason_missing": (
        "tietoa ei enää löydy lähteestä (ei arvailla)",
        "the record is no longer in the source (nothing guessed)",
    ),
    "reason_changed": (
        "tietoa on muutettu ehdotuksen jälkeen (ei arvailla)",
        "the record was changed after the proposal (nothing guessed)",
    ),
    "reason_no_longer_due": (
        "ei enää poistettava: tilanne muuttui ehdotuksen jälkeen (esim. uusi tilaus)",
        "no longer due: things changed after the proposal (e.g. a new order)",
    ),
    "reason_source_problems": (
        "lähteen luvussa oli virheitä: siitä ei poisteta mitään",
        "the source read had problems: nothing is deleted from it",
    ),
    "reason_source_unreadable": (
        "lähdettä ei voitu lukea: siitä ei poisteta mitään",
        "the source could not be read: nothing is deleted from it",
    ),
    "reason_source_unknown": (
        "lähdettä ei ole enää työtilan asetuksissa",
        "the source is no longer in the workspace config",
    ),
    "reason_cells_changed": (
        "rivin näkyvät tiedot eivät enää vastaa sen tunnistetta (rivejä lajiteltu, kopioitu "
        "tai muokattu): riviä ei hyväksytty",
        "the row's visible cells no longer match its id (rows sorted, pasted or edited): "
        "nothing approved on it",
    ),
    "reason_action_changed": (
        "Karsinta päätyy nyt eri toimenpiteeseen kuin ehdotuksessa (ei arvailla)",
        "Karsinta now decides another action than the proposal's (nothing guessed)",
    ),
    "reason_completed": (
        "keskeytyneen ajon kesken jäänyt poisto todettu tehdyksi",
        "an interrupted run's change found done",
    ),
    "reason_write_error": ("lähdettä ei voitu muuttaa", "the source could not be changed"),
    "reason_writer": ("kirjoittaja hylkäsi rivin", "the writer refused the row"),
    "reason_manual": (
        "Karsinta ei voi muuttaa tätä lähdettä",
        "Karsinta cannot change this source",
    ),
    # checklist actions per system
    "todo_outlook_csv": ("Poista yhteystieto Outlookista", "Delete the contact in Outlook"),
    "todo_google_csv": (
        "Poista yhteystieto Google-yhteystiedoista",
        "Delete the contact in Google Contacts",
    ),
    "todo_vcard": (
        "Poista yhteystieto puhelimen tai osoitekirjan yhteystiedoista",
        "Delete the contact in the phone or address book",
    ),
    "todo_ics": (
        "Poista tapahtuma tai henkilö tapahtumasta kalenterista",
        "Delete the event, or the person from it, in the calendar",
    ),
    "todo_accounting": (
        "Poista asiakkaan tiedot kirjanpito-ohjelmasta",
        "Delete the customer's data in the accounting software",
    ),
    "todo_spreadsheet": ("Poista rivi taulukosta", "Delete the row in the spreadsheet"),
    "todo_spreadsheet_anonymise": (
        "Tyhjennä henkilötiedot taulukon riviltä (päivät ja summat jäävät)",
        "Blank the personal data in the spreadsheet row (keep dates and amounts)",
    ),
    "todo_folder": ("Poista asiakirja kansiosta", "Delete the document in the folder"),
    # live accounts (when the source is not marked system_of_record, or cannot be changed)
    "todo_google_contacts": (
        "Poista yhteystieto Google-yhteystiedoista",
        "Delete the contact in Google Contacts",
    ),
    "todo_google_other_contacts": (
        "Poista osoite Google-yhteystietojen kohdasta Muut yhteystiedot (Googlen rajapinta "
        "ei salli sen poistamista)",
        "Delete the address in Google Contacts, Other contacts (Google's API cannot delete it)",
    ),
    "todo_google_calendar": (
        "Poista tapahtuma tai henkilö tapahtumasta Google-kalenterista",
        "Delete the event, or the person from it, in Google Calendar",
    ),
    "todo_gmail": ("Siirrä viesti Gmailin roskakoriin", "Move the message to the Gmail trash"),
    "todo_graph_contacts": ("Poista yhteystieto Outlookista", "Delete the contact in Outlook"),
    "todo_graph_calendar": (
        "Poista tapahtuma tai henkilö tapahtumasta Outlook-kalenterista",
        "Delete the event, or the person from it, in the Outlook calendar",
    ),
    "todo_graph_mail": (
        "Siirrä viesti Outlookin Poistetut-kansioon",
        "Move the message to Deleted Items in Outlook",
    ),
    "todo_other": ("Poista tieto järjestelmästä", "Delete the record in the system"),
    "todo_anonymise": (
        "Tyhjennä henkilötiedot (päivät ja summat jäävät)",
        "Blank the personal data (keep dates and amounts)",
    ),
}


def rt(lang: str) -> Callable[[str], str]:
    """The receipt's text lookup for ``lang`` ('fi' or 'en'); a missing key raises."""
    index = 1 if lang == "en" else 0

    def lookup(key: str) -> str:
        return TEXTS[key][index]

    return lookup


#: what a done change means where it can still be undone (live mail: the trash)
DONE_NOTES = {
    "gmail": (
        "siirretty roskakoriin: Gmail säilyttää viestin siellä 30 päivää palautettavana",
        "moved to the trash: Gmail keeps the message there for 30 days, recoverable",
    ),
    "graph_mail": (
        "siirretty Poistetut-kansioon: palautettavissa, kunnes kansio tyhjennetään",
        "moved to Deleted Items: recoverable until the folder is emptied",
    ),
}


def done_note(connector: str, lang: str) -> str | None:
    """What a done change of ``connector`` means for the owner (None: nothing to add)."""
    note = DONE_NOTES.get(connector)
    return None if note is None else note[1 if lang == "en" else 0]


def todo_key(connector: str, action: str) -> str:
    """The checklist text key for a record of ``connector`` that needs ``action``."""
    if connector == "spreadsheet" and action == "anonymise":
        return "todo_spreadsheet_anonymise"
    if action == "anonymise":
        return "todo_anonymise"
    key = f"todo_{connector}"
    return key if key in TEXTS else "todo_other"
