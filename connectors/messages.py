"""Every line a user sees, in Finnish and English: one catalogue, the workspace's language.

``say(lang, key, **values)`` formats one message; ``plural(lang, n, key)``
gives the count with the right form of the word (Finnish: ``1 ongelma``,
``2 ongelmaa``); ``problem_text(lang, code, **params)`` renders a read
problem by its code (:class:`connectors.base.Problem`). Values put into a
message are never customer data: file names, source ids, counts, column
names, formats.

It lives in connectors/ (the lowest layer) so that connectors' problems,
reports and the command line all render from it; :mod:`flows.messages`
re-exports it.
"""

from __future__ import annotations

from typing import Any

#: key -> (Finnish, English); {placeholders} are filled by say()
MESSAGES: dict[str, tuple[str, str]] = {
    "check_unreadable": ("Lähde '{source}': {error}", "Source '{source}': {error}"),
    "check_holds": (
        "  lähde voi sisältää lakisääteisen pidon: rekisterissä '{register}' ei ehdoteta "
        "poistoja ennen kuin se luetaan",
        "  it can carry a legal hold: no deletion is proposed in register '{register}' "
        "until it reads",
    ),
    "check_columns": ("  sarakkeet tiedostossa: {columns}", "  columns found: {columns}"),
    "check_none": ("(ei yhtään)", "(none)"),
    "check_problem": ("Lähde '{source}': {problem}", "Source '{source}': {problem}"),
    "check_more": ("Lähde '{source}': ... ja {more}", "Source '{source}': ... and {more}"),
    "check_ok": ("kunnossa", "OK"),
    "check_summary": (
        "{business}: {sources}, {registers} – {status}",
        "{business}: {sources}, {registers} - {status}",
    ),
    "config_error": ("Virhe tiedostossa {file}:", "Error in {file}:"),
    "error": ("Virhe: {error}", "Error: {error}"),
    # review (flows.console.print_review)
    "review_counts": ("  {sources}, {traces}, {people}", "  {sources}, {traces}, {people}"),
    "review_unreadable": ("{count} ei luettavissa", "{count} unreadable"),
    "review_problems": ("{problems} lukiessa", "{problems} while reading"),
    "review_decisions": (
        "  poistetaan {delete}, säilytetään lain perusteella {hold}, tarkistettavia {review}, "
        "havaintoja {findings}",
        "  to delete {delete}, kept by law {hold}, to review {review}, findings {findings}",
    ),
    "review_unchanged": (
        "  ei muutoksia edelliseen ehdotukseen",
        "  no changes since the previous proposal",
    ),
    "review_rejected": (
        "{count} hylätty aiemmin, ei ehdoteta uudelleen",
        "{count} rejected earlier, not proposed again",
    ),
    "review_postponed": ("{count} siirretty ensi kuuhun", "{count} postponed to next month"),
    "review_waiting": ("{count} odottaa käsin poistoa", "{count} waiting for manual deletion"),
    "review_earlier": ("  aiemmat päätöksesi: {said}", "  your earlier decisions: {said}"),
    "review_new_version": (
        "  [bold]Edellisessä ehdotuksessa oli merkintöjä: se säilyi ennallaan. Uusi versio "
        "on nyt voimassa[/bold] ({carried} siirretty muuttumattomille riveille):",
        "  [bold]The previous proposal had marks: it was kept as it was. This new version "
        "is now current[/bold] ({carried} carried over to unchanged rows):",
    ),
    # apply (flows.console.print_apply)
    "apply_already": (
        "Ei mitään uutta: jo tehty {when}: {rows}{on_list}",
        "Nothing new: already done on {when}: {rows}{on_list}",
    ),
    "apply_no_file": ("Ehdotustiedostoa ei löydy: {file}", "Proposal file not found: {file}"),
    "apply_on_list": (
        " (niistä {count} tehtävälistallasi)",
        " ({count} of them on your checklist)",
    ),
    "apply_done": ("tehty", "done"),
    "apply_would": ("tehtäisiin", "would be done"),
    "apply_manual": ("tehtävälistalla", "on the checklist"),
    "apply_skipped": ("ohitettu", "skipped"),
    "apply_failed": ("epäonnistui", "failed"),
    "apply_not_approved": ("ei hyväksytty", "not approved"),
    "apply_dry_run": (
        "Koeajo: mitään ei muutettu. Nämä rivit muutettaisiin:",
        "Dry run: nothing changed. These rows would change:",
    ),
    "apply_delete": ("poista", "delete"),
    "apply_to_checklist": (" (tehtävälistalle)", " (to the checklist)"),
    "apply_row": ("  rivi {row:>4}  {rest}", "  row {row:>4}  {rest}"),
    "apply_unknown": (
        "[yellow]![/yellow] Tuntematon merkintä ({rows}): ei hyväksytty "
        "(kirjoita hyväksy, hylkää tai siirrä)",
        "[yellow]![/yellow] Unknown mark ({rows}): not approved "
        "(write approve, reject or postpone)",
    ),
    "apply_reason": (
        "[yellow]![/yellow] {label} ({rows}): {reason}",
        "[yellow]![/yellow] {label} ({rows}): {reason}",
    ),
    "apply_waiting": (
        "  Käsin poistettavaksi tehtävälistalle kuitissa: {rows}",
        "  Waiting for you on the checklist in the receipt: {rows}",
    ),
}

#: key -> ((Finnish one, Finnish many), (English one, English many))
WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "source": (("lähde", "lähdettä"), ("source", "sources")),
    "register": (("rekisteri", "rekisteriä"), ("register", "registers")),
    "row_problem": (("riviongelma", "riviongelmaa"), ("row problem", "row problems")),
    "problem": (("ongelma", "ongelmaa"), ("problem", "problems")),
    "trace": (("merkintä", "merkintää"), ("trace", "traces")),
    "person": (("henkilö", "henkilöä"), ("person", "people")),
    "row": (("rivi", "riviä"), ("row", "rows")),
    "day": (("päivä", "päivää"), ("day", "days")),
    "field": (("kenttä", "kenttää"), ("field", "fields")),
    "approval": (("hyväksyntä", "hyväksyntää"), ("approval", "approvals")),
    "more_problem": (("muu ongelma", "muuta ongelmaa"), ("more problem", "more problems")),
    "row_label": (("rivi", "rivit"), ("row", "rows")),
    "sheet": (("taulukko", "taulukkoa"), ("sheet", "sheets")),
}

#: Where a problem is: (Finnish, English) for the location words of Problem.text
WHERE: dict[str, tuple[str, str]] = {
    "row": ("rivi {row}", "row {row}"),
    "field": ("kenttä '{field}'", "field '{field}'"),
    "warning": (" (varoitus)", " (warning)"),
}

#: problem code -> (Finnish, English). Parameters are never values from the file:
#: column names, row numbers, counts, encodings, formats, exception type names.
PROBLEMS: dict[str, tuple[str, str]] = {
    # rows (connectors.base.finalize)
    "not_a_date": ("ei ole päivämäärä", "not a date"),
    "not_a_date_expected": (
        "ei ole päivämäärä (odotettu muoto {expected})",
        "not a date (expected {expected})",
    ),
    "bad_email": ("ei ole kelvollinen sähköpostiosoite", "not a valid e-mail address"),
    "bad_phone": ("ei ole kelvollinen puhelinnumero", "not a valid phone number"),
    "bad_hetu": (
        "ei ole kelvollinen henkilötunnus eikä Y-tunnus",
        "not a valid henkilötunnus or Y-tunnus",
    ),
    "unknown_status": ("tuntematon tila", "unknown status"),
    "unknown_status_word": (
        "tuntematon tilasana ({rows}); määritä se asetuksessa 'status_map'",
        "unknown status word ({rows}); map it in the 'status_map' option",
    ),
    "not_an_amount": ("ei ole rahamäärä", "not an amount"),
    "ambiguous_date": (
        "sarakkeessa on sekä päivä- että kuukausi edellä kirjoitettuja päivämääriä, ja tämä "
        "voi olla kumpi tahansa: aseta asetus 'date_format'",
        "the column has both day-first and month-first dates, and this one could be "
        "either: set the 'date_format' option",
    ),
    "date_order_unknown": (
        "päivämäärät kuten 1/2/2024 voivat olla päivä tai kuukausi edellä, eikä sarakkeesta "
        "näy kumpi: luettu päivä edellä (suomalainen järjestys); vahvista asetuksella "
        "'date_format' ('%d/%m/%Y' tai '%m/%d/%Y')",
        "dates such as 1/2/2024 can be day-first or month-first and no date in the column "
        "tells which: read day-first (the Finnish order); set 'date_format' "
        "('%d/%m/%Y' or '%m/%d/%Y') to confirm",
    ),
    "implausible_year": (
        "vuosi ennen {first} tai jälkeen {last}: luettu kuten kirjoitettu, mutta se on usein "
        "paikkamerkki 'ei päivää' -merkitykselle",
        "a year before {first} or after {last}: read as written, but it is often a placeholder "
        "for 'no date'",
    ),
    "empty_column": (
        "asetuksissa kohtaan '{role_name}' valittu sarake on tyhjä joka rivillä: onko se oikea "
        "sarake?",
        "the column mapped to '{role_name}' is empty in every row: is it the right column?",
    ),
    "no_identifiers_in_file": (
        "jokainen tunnistesarake (nimi, sähköposti, puhelin, numero) on tyhjä joka rivillä: "
        "onko liitin ja sarakkeiden määritys oikea?",
        "every identifier column (name, e-mail, phone, number) is empty in every row: "
        "is this the right connector and mapping?",
    ),
    "no_keys": (
        "tiedostossa ei ole yhtään sähköpostiosoitetta eikä puhelinnumeroa",
        "no record in the file has an e-mail address or a phone number",
    ),
    "encoding_guessed": (
        "merkistöksi arvattiin {encoding}; tarkista, että nimet, joissa on ä, ö ja å, "
        "näkyvät oikein",
        "the character encoding was guessed as {encoding}; "
        "check that names with ä, ö and å read right",
    ),
    "encoding_mixed": (
        "tämä rivi on merkistöä {other}, muu tiedosto merkistöä {main} (sekalaiset "
        "merkistöt); rivi luettu erikseen",
        "this line is in {other} while the rest of the file is in {main} "
        "(mixed encodings); decoded on its own",
    ),
    "ends_mid_record": (
        "tiedosto päättyy lainausmerkeissä olevan kentän sisään, joka alkaa rivillä {start} "
        "tai aiemmin: sitä tietuetta ei luettu, ja sen jälkeiset tietueet puuttuvat",
        "the file ends inside a quoted field that starts on row {start} or before: "
        "that record was not read, and any records after it are missing",
    ),
    "ends_mid_row": (
        "tiedosto päättyy kesken tämän rivin: '{cut}' voi olla katkennut (ei luettu), ja "
        "'{missing}' sekä {fields} sen jälkeen puuttuvat",
        "the file ends in the middle of this row: '{cut}' may be cut short (not read), and "
        "'{missing}' and {fields} after it are missing",
    ),
    "file_cut_off": (
        "tiedosto päättyy kesken rivin {at}: se näyttää katkenneelta, ja sen jälkeiset "
        "tietueet puuttuvat",
        "the file ends in the middle of row {at}: it looks cut off, and any records after it "
        "are missing",
    ),
    "short_row": (
        "rivillä on {count}/{need} otsikkorivin kentästä: '{missing}' ja sen jälkeiset kentät "
        "puuttuvat (rikkinäinen tai katkennut tietue)",
        "the row has {count} of the header's {need} fields: '{missing}' and the fields after "
        "it are missing (a broken or cut record)",
    ),
    "long_row": (
        "rivillä on {count} kenttää, otsikkorivillä {header}: arvossa voi olla lainaamaton "
        "erotin, joten tämän rivin sarakkeet voivat olla siirtyneet",
        "the row has {count} fields, the header {header}: a value may hold an unquoted "
        "separator, so the columns of this row may be shifted",
    ),
    "encoding_mixed_lines": (
        "tiedostossa on sekä UTF-8- että Windows-1252-tekstiä; jokainen rivi luettiin erikseen "
        "(Windows-1252 riveillä {lines}): tarkista, että nimet näkyvät oikein",
        "the file mixes UTF-8 and Windows-1252 text; each line was decoded on its own "
        "(Windows-1252 on line(s) {lines}): check that names read right",
    ),
    "calendar_cut_off": (
        "tiedosto päättyy ilman END:VCALENDAR-riviä (katkennut?)",
        "the file ends without END:VCALENDAR (cut off?)",
    ),
    "vcard_outside": (
        "BEGIN:VCARD ... END:VCARD -lohkojen ulkopuolinen teksti ohitettiin",
        "text outside BEGIN:VCARD ... END:VCARD was ignored",
    ),
    "card_unreadable": (
        "korttia ei voitu lukea ({error})",
        "card could not be read ({error})",
    ),
    "no_invoice_number": ("ei laskun numeroa", "no invoice number"),
    # whole sources (connectors.errors.SourceError)
    "file_not_found": ("tiedostoa ei löydy", "file not found"),
    "file_not_readable": ("tiedostoa ei voi lukea", "file not readable"),
    "file_empty": ("tiedosto on tyhjä", "file is empty"),
    "file_too_large": ("tiedosto on liian suuri", "file is too large"),
    "could_not_read": (
        "tiedostoa ei voitu lukea ({error})",
        "could not be read ({error})",
    ),
    "column_not_found": ("saraketta '{column}' ei löydy", "column '{column}' not found"),
    "no_identifier_column": (
        "ei saraketta nimelle, sähköpostille, puhelimelle, henkilötunnukselle eikä "
        "asiakasnumerolle (määritä se asetuksessa 'columns' tai aseta 'header_row')",
        "no column for a name, e-mail, phone, henkilötunnus or customer number "
        "(map one in the 'columns' option, or set 'header_row')",
    ),
    "no_header_row": ("tiedostossa ei ole otsikkoriviä", "file has no header row"),
    "binary": ("ei ole tekstitiedosto (binäärisisältöä)", "not a text file (binary content)"),
    "not_csv": ("ei ole kelvollinen CSV-tiedosto", "not a valid CSV file"),
    "csv_not_workbook": (
        "tämä tiedosto on CSV-tekstiä, ei Excel-työkirja: anna sille .csv-pääte",
        "this file is CSV text, not an Excel workbook: give it a .csv name",
    ),
    "not_a_workbook": (
        "ei ole luettava työkirja ({error})",
        "not a readable workbook ({error})",
    ),
    "sheet_not_found": (
        "taulukkoa '{sheet}' ei löydy ({sheets})",
        "sheet '{sheet}' not found ({sheets})",
    ),
    "is_folder": ("on kansio, ei tiedosto", "is a folder, not a file"),
    "bad_options": (
        "virheelliset liittimen asetukset: {details}",
        "invalid connector options: {details}",
    ),
}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def say(lang: str, key: str, **values: Any) -> str:
    """One message in ``lang`` (fi unless en)."""
    return MESSAGES[key][_index(lang)].format(**values)


def plural(lang: str, count: int, key: str) -> str:
    """``count`` and the word ``key`` in the right number: ``1 lähde``, ``3 lähdettä``.

    Finnish takes the partitive after every count but one (``0 ongelmaa``,
    ``2 ongelmaa``), English the plural (``0 problems``).
    """
    one, many = WORDS[key][_index(lang)]
    return f"{count} {one if count == 1 else many}"


def rows_text(lang: str, numbers: list[int]) -> str:
    """``rivi 4`` / ``rivit 4, 7`` (``row 4`` / ``rows 4, 7``): row numbers with their label."""
    one, many = WORDS["row_label"][_index(lang)]
    return f"{one if len(numbers) == 1 else many} " + ", ".join(str(n) for n in numbers)


def problem_text(lang: str, code: str, **params: object) -> str:
    """A problem's description by its code in ``lang``; KeyError for an unknown code."""
    values = {
        key: plural(lang, int(value[1]), str(value[0])) if isinstance(value, tuple) else value
        for key, value in params.items()
    }
    return PROBLEMS[code][_index(lang)].format(**values)


def where(lang: str, key: str, **values: object) -> str:
    """A location word of a problem (``rivi 12`` / ``row 12``)."""
    return WHERE[key][_index(lang)].format(**values)
