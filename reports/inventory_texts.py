"""Fixed texts of the processing inventory (seloste käsittelytoimista), Finnish and English.

Kept apart from reports.texts so the inventory's wording can change without
touching the proposal's. :func:`it` looks a key up here first and then in
reports.texts (shared column names, severities); a missing key is a bug and
raises KeyError.

Headings follow the fields the Data Protection Ombudsman lists for the record
of processing activities (GDPR art. 30(1)).
"""

from __future__ import annotations

from collections.abc import Callable

from reports.texts import TEXTS as SHARED_TEXTS

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Seloste käsittelytoimista", "Record of processing activities"),
    "subtitle": ("EU:n tietosuoja-asetuksen 30 artikla", "GDPR Article 30"),
    "prepared": ("Laadittu", "Prepared on"),
    "business": ("Yritys", "Business"),
    "intro": (
        "Seloste kokoaa rekistereittäin tiedot, jotka tietosuojavaltuutetun ohjeen mukaan "
        "kuuluvat selosteeseen käsittelytoimista. Rekisterin kuvaus on poimittu rekisterin "
        "käsittelyohjeesta (tietosuojaselosteen sisältö); havaitut tiedot ovat Karsinnan "
        "laskemia yhteenvetoja luetuista lähteistä. Seloste ei sisällä yhdenkään asiakkaan "
        "henkilötietoja.",
        "This record gathers, per register, the information the Data Protection Ombudsman's "
        "guidance lists for the record of processing activities. The description comes from "
        "the register policy (the content of the privacy notice); the observed figures are "
        "aggregates Karsinta computed from the sources it read. The record contains no "
        "customer's personal data.",
    ),
    "intro_lang": (
        "",
        "Texts quoted from a register policy are in Finnish where the policy has no English "
        "version.",
    ),
    "unconfirmed_intro": (
        "Keltaisella merkityt kohdat ovat vahvistamattomia tulkintoja: selosteen "
        "epämääräinen kohta on luettu tietyllä tavalla, eikä omistaja ole vielä vahvistanut "
        "tulkintaa.",
        "Items marked in yellow are unconfirmed interpretations: a vague sentence of the notice "
        "was given a concrete reading that the owner has not confirmed yet.",
    ),
    "summary": ("Yhteenveto", "Summary"),
    "contents": ("Rekisterit", "Registers"),
    "sheet_summary": ("Yhteenveto", "Summary"),
    # summary columns
    "col_register_id": ("Tunnus", "Id"),
    "col_register_name": ("Rekisteri", "Register"),
    "col_controller": ("Rekisterinpitäjä", "Controller"),
    "col_sources": ("Lähteitä", "Sources"),
    "col_subjects": ("Henkilöitä", "People"),
    "col_traces": ("Merkintöjä", "Records"),
    "col_findings": ("Havaintoja", "Findings"),
    "col_unconfirmed": ("Vahvistamattomia tulkintoja", "Unconfirmed interpretations"),
    # sections
    "sec_controller": (
        "Rekisterinpitäjä ja yhteyshenkilö",
        "Controller and contact person",
    ),
    "sec_register": ("Rekisteri ja tietosuojaseloste", "Register and privacy notice"),
    "sec_purposes": (
        "Käsittelyn tarkoitukset ja oikeusperuste",
        "Purposes of the processing and legal basis",
    ),
    "sec_subjects": ("Rekisteröityjen ryhmät", "Categories of data subjects"),
    "sec_categories": ("Henkilötietoryhmät", "Categories of personal data"),
    "sec_not_kept": (
        "Tiedot, joita selosteen mukaan ei tallenneta",
        "Data the notice says is not stored",
    ),
    "sec_sources": ("Säännönmukaiset tietolähteet", "Regular sources of the data"),
    "sec_recipients": (
        "Vastaanottajat (tietojen luovutukset)",
        "Recipients (disclosures)",
    ),
    "sec_processors": ("Henkilötietojen käsittelijät", "Processors"),
    "sec_transfers": (
        "Siirrot EU:n tai ETA:n ulkopuolelle ja suojatoimet",
        "Transfers outside the EU/EEA and their safeguards",
    ),
    "sec_retention": (
        "Poistamisen määräajat tietoryhmittäin",
        "Time limits for erasure, per category",
    ),
    "sec_holds": (
        "Lakisääteiset ja muut säilytysvelvoitteet",
        "Statutory and other retention obligations",
    ),
    "holds_intro": (
        "Nämä velvoitteet menevät säilytysaikojen edelle: tietoa ei poisteta, ennen kuin "
        "velvoite päättyy.",
        "These obligations override the periods above: data is not erased before the "
        "obligation ends.",
    ),
    "sec_erasure": ("Poistopyynnöt", "Erasure requests"),
    "sec_security": (
        "Tekniset ja organisatoriset turvatoimet",
        "Technical and organisational security measures",
    ),
    "sec_automated": (
        "Automaattinen päätöksenteko ja profilointi",
        "Automated decision-making and profiling",
    ),
    "sec_observed_sources": (
        "Havaittu: rekisteriin liitetyt lähteet",
        "Observed: sources connected to the register",
    ),
    "sec_observed": (
        "Havaittu: tiedot tietolajeittain",
        "Observed: records per kind",
    ),
    "observed_intro": (
        "Henkilöt on yhdistetty vahvoilla tunnisteilla (sähköposti, puhelin, henkilötunnus, "
        "asiakasnumero). Säilytysaika umpeutunut = merkinnät, joiden säilytysaika on "
        "päättynyt (poistettavat ja lain perusteella säilytettävät), osuutena päivätyistä "
        "merkinnöistä.",
        "People are joined on strong identifiers (e-mail, phone, henkilötunnus, customer "
        "number). Past period = records whose retention period has ended (to delete, or kept "
        "by law), as a share of the dated records.",
    ),
    "sec_findings": ("Havainnot", "Findings"),
    "no_policy": (
        "Tälle rekisterille ei ole käsittelyohjetta: selosteen tiedot puuttuvat. Laadi "
        "rekisterille käsittelyohje (tietosuojaseloste).",
        "This register has no policy: the record's content is missing. Write a policy "
        "(privacy notice) for the register.",
    ),
    # field labels
    "f_name": ("Nimi", "Name"),
    "f_business_id": ("Y-tunnus", "Business ID"),
    "f_address": ("Osoite", "Address"),
    "f_domicile": ("Kotipaikka", "Domicile"),
    "f_phone": ("Puhelin", "Phone"),
    "f_email": ("Sähköposti", "E-mail"),
    "f_contact_name": ("Yhteyshenkilö", "Contact person"),
    "f_contact_phone": ("Yhteyshenkilön puhelin", "Contact person's phone"),
    "f_contact_email": ("Yhteyshenkilön sähköposti", "Contact person's e-mail"),
    "f_contact_address": ("Yhteyshenkilön osoite", "Contact person's address"),
    "f_register_id": ("Rekisterin tunnus", "Register id"),
    "f_register_name": ("Rekisterin nimi", "Register name"),
    "f_description": ("Kuvaus", "Description"),
    "f_notice_title": ("Tietosuojaseloste", "Privacy notice"),
    "f_notice_date": ("Selosteen päiväys", "Date of the notice"),
    "f_notice_url": ("Selosteen osoite", "Address of the notice"),
    "f_fiscal_year_end": ("Tilikausi päättyy", "Fiscal year ends"),
    "f_deadline": ("Määräaika", "Deadline"),
    "f_automated": ("Automaattinen päätöksenteko", "Automated decisions"),
    # table columns
    "col_purpose": ("Tarkoitus", "Purpose"),
    "col_legal_basis": ("Oikeusperuste", "Legal basis"),
    "col_interpretation": ("Tulkinta", "Interpretation"),
    "col_subject_group": ("Rekisteröityjen ryhmä", "Data subject category"),
    "col_data_category": ("Tietoryhmä", "Data category"),
    "col_category_code": ("Luokka", "Class"),
    "col_source_text": ("Tietolähde", "Source"),
    "col_recipient": ("Vastaanottaja", "Recipient"),
    "col_processor": ("Käsittelijä", "Processor"),
    "col_description": ("Kuvaus", "Description"),
    "col_country": ("Maa", "Country"),
    "col_safeguard": ("Suojatoimi", "Safeguard"),
    "col_retention": ("Säilytysaika", "Retention"),
    "col_rule_words": ("Sääntö", "Rule"),
    "col_notice_quote": ("Selosteen sanamuoto", "The notice's wording"),
    "col_obligation": ("Velvoite", "Obligation"),
    "col_applies_to": ("Koskee", "Applies to"),
    "col_legal_source": ("Lähde", "Legal source"),
    "col_measure": ("Turvatoimi", "Measure"),
    "col_source_id": ("Lähde", "Source"),
    "col_reader": ("Lukija", "Reader"),
    "col_file_name": ("Tiedosto", "File"),
    "col_read": ("Luku", "Read"),
    "col_people": ("Henkilöitä", "People"),
    "col_records": ("Merkintöjä", "Records"),
    "col_dated": ("Päivättyjä", "Dated"),
    "col_oldest": ("Vanhin merkintä", "Oldest record"),
    "col_past": ("Säilytysaika umpeutunut", "Past period"),
    "col_past_share": ("Osuus päivätyistä", "Share of dated"),
    "col_rule_exists": ("Säilytyssääntö", "Retention rule"),
    # values
    "not_stated": ("ei ilmoitettu", "not stated"),
    "none_listed": ("Käsittelyohjeessa ei ole näitä tietoja.", "The policy lists none."),
    "no_transfers": (
        "Tietoja ei siirretä EU:n tai ETA:n ulkopuolelle.",
        "No data is transferred outside the EU/EEA.",
    ),
    "no_recipients": (
        "Tietoja ei luovuteta säännönmukaisesti.",
        "No regular disclosures.",
    ),
    "no_sources_connected": (
        "Rekisteriin ei ole liitetty luettavia lähteitä.",
        "No sources are connected to this register.",
    ),
    "no_findings": ("Ei havaintoja.", "No findings."),
    "unconfirmed": ("Vahvistamaton tulkinta:", "Unconfirmed interpretation:"),
    "confirmed": ("Vahvistettu tulkinta:", "Confirmed interpretation:"),
    "missing_safeguard": (
        "Suojatoimea ei ole ilmoitettu",
        "No safeguard stated",
    ),
    "all_kinds": ("Kaikki", "All"),
    "rule_yes": ("on", "yes"),
    "rule_no": ("puuttuu", "missing"),
    "read_ok": ("luettu", "read"),
    "read_failed": ("ei voitu lukea", "could not be read"),
    "read_problems": ("ongelmaa", "problems"),
    "while_customer": (
        "niin kauan kuin asiakkuus jatkuu",
        "while the customer relationship lasts",
    ),
    "statutory": (
        "lain mukaan (ks. säilytysvelvoitteet)",
        "as the law requires (see the retention obligations)",
    ),
    "latest_of": ("myöhäisin näistä:", "the latest of:"),
    "all_kinds_hold": ("kaikki tietolajit", "every kind"),
    "statutory_rule": ("lakisääteinen", "statutory"),
    "policy_rule": ("käsittelyohjeen", "the policy's"),
    "footer": (
        "Karsinta · seloste käsittelytoimista · ei asiakkaiden henkilötietoja",
        "Karsinta · record of processing activities · no customer personal data",
    ),
}

#: English names of the category codes (Finnish ones are connectors.trace.CATEGORIES).
CATEGORY_EN: dict[str, str] = {
    "hetu": "personal identity code",
    "business_id": "business ID",
    "address": "postal address",
    "birth_date": "date of birth",
    "health_note": "health data",
    "note": "free text / note",
    "organisation": "organisation represented",
    "photo": "photograph",
    "next_of_kin": "next of kin",
    "bank_account": "bank account",
}

#: Rule anchors in words: "12 kk asiakkuuden viimeisestä tapahtumasta".
ANCHOR_WORDS: dict[str, tuple[str, str]] = {
    "event_date": ("tapahtumapäivästä", "after the record's date"),
    "end_date": ("päättymispäivästä", "after the end date"),
    "relationship_end": (
        "asiakkuuden viimeisestä tapahtumasta",
        "after the latest customer activity",
    ),
    "fiscal_year_end": ("tilikauden päättymisestä", "after the end of the fiscal year"),
    "fiscal_year_calendar_end": (
        "tilikauden päättymisvuoden lopusta",
        "after the end of the year in which the fiscal year ended",
    ),
}

LAST_OF_WORDS = ("viimeisimmästä merkinnästä ({kind})", "after the latest {kind}")


def it(lang: str) -> Callable[[str], str]:
    """The inventory's text lookup for ``lang`` ('fi' or 'en'), shared texts as fallback."""
    index = 1 if lang == "en" else 0

    def lookup(key: str) -> str:
        texts = TEXTS.get(key) or SHARED_TEXTS[key]
        return texts[index]

    return lookup
