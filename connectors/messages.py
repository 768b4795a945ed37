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
    "status_apply": (
        "Tarkistetaan ja toteutetaan hyväksytyt poistot...",
        "Checking and carrying out the approved deletions...",
    ),
    "status_inventory": (
        "Laaditaan seloste käsittelytoimista...",
        "Writing the record of processing activities...",
    ),
    "status_review": (
        "Luetaan lähteet ja laaditaan poistoehdotus...",
        "Reading the sources and preparing the deletion proposal...",
    ),
    "help_error": ("{prog}: virhe: {message}", "{prog}: error: {message}"),
    "inspect_read_as": ("{path} luettu lukijalla {connector}", "{path} read as {connector}"),
    "inspect_unreadable": ("Ei luettavissa:", "Unreadable:"),
    "inspect_counts": ("{traces}, {problems}", "{traces}, {problems}"),
    "inspect_more": ("... ja {n} muuta (--limit)", "... and {n} more (--limit)"),
    "inspect_problems": ("Ongelmat", "Problems"),
    "inspect_detected": ("Tunnistettu: {detected}", "Detected: {detected}"),
    "inspect_detected_as": (
        "Tunnistettu: {detected} (luettu lukijalla {asked})",
        "Detected: {detected} (read as {asked})",
    ),
    "inspect_better": (
        "Huom: tiedosto näyttää {better}-vienniltä, ei {asked}: kokeile --as {better}",
        "Note: the file fits '{better}' better than '{asked}': try --as {better}",
    ),
    "inspect_paste": ("Liitä karsinta.yaml-tiedostoon:", "Paste into karsinta.yaml:"),
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
    "apply_running": (
        "Toinen apply on jo käynnissä tässä työtilassa (aloitettu {started}); odota sen "
        "loppumista.",
        "Another apply is running in this workspace (started {started}); wait for it to finish.",
    ),
    # the command line's help (flows.cli): built in the help language before any workspace
    "help_usage": ("käyttö: ", "usage: "),
    "help_positionals": ("argumentit", "positional arguments"),
    "help_options": ("valinnat", "options"),
    "help_commands": ("komennot", "commands"),
    "help_help": ("näytä tämä ohje ja lopeta", "show this help message and exit"),
    "help_bad_date": ("anna päivämäärä muodossa VVVV-KK-PP", "give the date as YYYY-MM-DD"),
    "help_description": (
        "Pitää pienyrityksen tietosuojaselosteen säilytyslupaukset.",
        "Keeps a small business's privacy-notice retention promises.",
    ),
    "help_demo": (
        "rakenna esittelytyötilat ja aja käsittely niille",
        "build the demo workspaces and run the pipeline on them",
    ),
    "help_demo_dir": (
        "kansio esittelytyötiloille (oletus karsinta-demo)",
        "the folder for the demo workspaces (default karsinta-demo)",
    ),
    "help_today": ("ajopäivä (VVVV-KK-PP)", "the run date (YYYY-MM-DD)"),
    "help_seed": ("esittelydatan generaattorin siemen", "seed of the demo data generator"),
    "help_quiet_demo": ("tulosta vain virheet", "print only errors"),
    "help_lang": (
        "raporttien kieli (oletus: työtilan kieli)",
        "the reports' language (default: the workspace's)",
    ),
    "help_json": ("koneluettava yhteenveto", "machine-readable summary"),
    "help_json_output": ("koneluettava tuloste", "machine-readable output"),
    "help_workspace": (
        "työtilan kansio tai sen karsinta.yaml (oletus .)",
        "the workspace folder or its karsinta.yaml (default .)",
    ),
    "help_quiet": ("tulosta vain virheet", "print only errors"),
    "help_inspect": (
        "näytä, mitä Karsinta lukee yhdestä vientitiedostosta",
        "show what Karsinta reads from one export file",
    ),
    "help_inspect_file": ("luettava vientitiedosto", "the export file to read"),
    "help_inspect_as": (
        "lue tiedosto tällä liittimellä (oletus: tunnistettu)",
        "read the file with this connector (default: detected)",
    ),
    "help_kind": (
        "mitä tietueet ovat (oletus muodon mukaan)",
        "what the records are (default by format)",
    ),
    "help_limit": ("näytettävät rivit (vain taulukko)", "rows to show (table only)"),
    "help_check": (
        "tarkista työtila ja sen säilytyssäännöt",
        "validate a workspace and its policies",
    ),
    "help_check_quiet": ("tulosta vain se, mikä on vialla", "print only what is wrong"),
    "help_check_epilog": (
        "Lukee jokaisen lähteen (kuten review) ja kertoo, mikä menisi vikaan.\n"
        "paluukoodit: 0 kaikki luettavissa, 1 riviongelmia, 2 virheellinen asetus tai\n"
        "sääntö, 3 lähdettä ei voitu lukea (sen sarakkeet ja sopivat määritykset näytetään).\n",
        "Reads every source (as review does) and reports what would go wrong.\n"
        "exit codes: 0 all readable, 1 row problems, 2 invalid config or policy,\n"
        "3 a source could not be read (its columns and the mappings that would fit are shown).\n",
    ),
    "help_review": (
        "aja kuukausikatsaus nyt: poistoehdotus (HTML + XLSX)",
        "run the monthly review now: the deletion proposal (HTML + XLSX)",
    ),
    "help_review_epilog": (
        "paluukoodit:\n"
        "  0  jokainen lähde luettiin ongelmitta (varoitukset sallittu)\n"
        "  1  valmis, mutta joillakin riveillä oli ongelmia: niiden henkilöiden poistot\n"
        "     odottavat (katso ehdotus)\n"
        "  2  ei voitu ajaa: työtilan asetus tai säilytyssääntö on virheellinen\n"
        "  3  lähdettä ei voitu lukea: jos siinä voi olla lakisääteinen pito (laskut,\n"
        "     potilastiedot), sen rekisterissä ei ehdoteta poistoja ennen korjausta\n",
        "exit codes:\n"
        "  0  every source read cleanly (warnings allowed)\n"
        "  1  done, but some rows had problems: their people's deletions wait (see the proposal)\n"
        "  2  could not run: the workspace config or a policy is invalid\n"
        "  3  a source could not be read: if it can carry a legal hold (invoices, patient\n"
        "     records), no deletion is proposed in its register until it is fixed\n",
    ),
    "help_decisions": (
        "kirjoita jokaisen merkinnän päätös myös tähän (puolipiste-CSV, vain omistajalle); "
        "se kirjoitetaan aina tiedostoon raportit/paatokset-VVVV-KK.csv",
        "also write every trace's decision here (semicolon CSV, owner-only); "
        "it is always written as raportit/paatokset-YYYY-MM.csv",
    ),
    "help_prefect": (
        "aja Prefect-flow'na (oletus, kun PREFECT_API_URL on asetettu; muuten vaiheet "
        "ajetaan tavallisina kutsuina käynnistämättä Prefectin sisäistä palvelinta)",
        "run as a Prefect flow run (default when PREFECT_API_URL is set; otherwise the stages "
        "run as plain calls, without starting Prefect's embedded server)",
    ),
    "help_inventory": (
        "kirjoita seloste käsittelytoimista (GDPR 30 art.)",
        "write the record of processing activities (GDPR art. 30)",
    ),
    "help_apply": (
        "toteuta ehdotus-XLSX:ssä hyväksytyt rivit",
        "carry out the rows approved in a proposal XLSX",
    ),
    "help_apply_file": (
        "merkitty poistoehdotus-VVVV-KK.xlsx",
        "the marked poistoehdotus-YYYY-MM.xlsx",
    ),
    "help_apply_workspace": (
        "työtila (oletus: ehdotuksen raportit/-kansion yläkansio, muuten .)",
        "the workspace (default: the proposal's raportit/ folder's parent, else '.')",
    ),
    "help_dry_run": (
        "kerro, mitä tehtäisiin; älä muuta mitään",
        "say what would be done; change nothing",
    ),
    "help_serve": (
        "aja kuukausikatsaus kuun 1. päivänä ja pyynnöt päivittäin",
        "run the monthly review on the 1st of every month and requests daily",
    ),
    "help_forget": (
        "yhden henkilön poisto nyt: yhden henkilön ehdotus ja vastauskirje",
        "one person's erasure now: a one-person proposal and a reply letter",
    ),
    "help_access": (
        "yhden henkilön tiedot (GDPR 15 art.): raportti hänelle, JSON ja CSV mukana",
        "one person's data (GDPR art. 15): a report for them, with JSON and CSV",
    ),
    "help_email": ("henkilön sähköpostiosoite", "the person's e-mail address"),
    "help_phone": ("henkilön puhelinnumero", "the person's phone number"),
    "help_hetu": ("henkilön henkilötunnus", "the person's henkilötunnus"),
    "help_request": (
        "pyyntölokin rivi, esim. poistopyynnot:5 (lähteen tunniste ja rivinumero)",
        "a request log row, e.g. poistopyynnot:5 (the source id and the row number)",
    ),
    "help_letter_lang": (
        "vastauskirjeen kieli (oletus: raportin kieli)",
        "the reply letter's language (default: the report language)",
    ),
    "help_requests": (
        "päivittäinen pyyntöajo: valmistele uusien pyyntöjen tarpeet, listaa kaikki pyynnöt",
        "the daily requests run: prepare what new requests need, list every request",
    ),
    "help_auth": (
        "yhdistä Google- tai Microsoft-tili (vain luku, ellei --allow-delete)",
        "connect a Google or Microsoft account (read-only unless --allow-delete)",
    ),
    "help_auth_description": (
        "Yhdistä tili. Tunnisteet tallennetaan työtilan ulkopuolelle vain omistajan "
        "luettaviksi (käyttöjärjestelmän avainnippu, muuten 0600-tiedosto); katso README "
        "'Connecting accounts'.",
        "Connect a live account. Tokens are stored outside the workspace, "
        "owner-only (OS keyring, else a 0600 file); see README 'Connecting accounts'.",
    ),
    "help_provider": ("tilin palveluntarjoaja", "the account's provider"),
    "help_account": (
        "nimi, jota lähteet käyttävät (options.account)",
        "the name the sources use (options.account)",
    ),
    "help_allow_delete": (
        "myös applyn tarvitsemat oikeudet (poista yhteystietoja, muuta tapahtumia, siirrä "
        "postia roskakoriin)",
        "also the permissions apply needs (delete contacts, change events, trash mail)",
    ),
    "help_client_secrets": (
        "Google: OAuth-asiakkaan JSON-tiedosto",
        "Google: the OAuth client JSON file",
    ),
    "help_client_id": (
        "Microsoft: sovellusrekisteröinnin tunnus",
        "Microsoft: the app registration's id",
    ),
    "help_tenant": (
        "Microsoft: vuokralainen (oletus common)",
        "Microsoft: tenant (default common)",
    ),
    "help_auth_forget": ("poista tallennettu tunniste", "remove the stored token"),
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
    "inspect_trace": (("merkintä", "merkintää"), ("trace", "traces")),
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
    # ics (connectors.ics, connectors.ics_series): problems of calendar files
    "ics_cut_inside": (
        "tiedosto päättyy tämän {component}-osan sisällä (katkennut?)",
        "the file ends inside this {component} (cut off?)",
    ),
    "ics_outside": ("osa kalenterin ulkopuolella", "component outside of a calendar"),
    "ics_lone_end": (
        "END-rivi ilman vastaavaa BEGIN-riviä; rivi ohitettiin",
        "END without a matching BEGIN; line ignored",
    ),
    "ics_not_closed_calendar": (
        "tätä {component}-osaa ei ole suljettu (uusi kalenteri alkaa)",
        "this {component} is not closed (a new calendar begins)",
    ),
    "ics_not_closed_begin": (
        "tätä {component}-osaa ei ole suljettu (uusi {other} alkaa)",
        "this {component} is not closed (a new {other} begins)",
    ),
    "ics_not_closed_end": (
        "tätä {component}-osaa ei ole suljettu (END:{other} tulee ensin)",
        "this {component} is not closed (END:{other} comes first)",
    ),
    "ics_calendar_not_closed_calendar": (
        "tätä riviä edeltävää kalenteria ei ole suljettu (uusi kalenteri alkaa)",
        "the calendar before this line is not closed (a new calendar begins)",
    ),
    "ics_calendar_not_closed_begin": (
        "tätä riviä edeltävää kalenteria ei ole suljettu (uusi {other} alkaa)",
        "the calendar before this line is not closed (a new {other} begins)",
    ),
    "ics_calendar_not_closed_end": (
        "tätä riviä edeltävää kalenteria ei ole suljettu (END:{other} tulee ensin)",
        "the calendar before this line is not closed (END:{other} comes first)",
    ),
    "ics_folding_joined": (
        "ei ole iCalendar-rivi (rikkinäinen rivitys); liitetty tekstiin",
        "not an iCalendar line (broken line folding); joined to the text",
    ),
    "ics_folding_ignored": (
        "ei ole iCalendar-rivi (rikkinäinen rivitys?); rivi ohitettiin",
        "not an iCalendar line (broken line folding?); line ignored",
    ),
    "ics_timezone_unreadable": (
        "aikavyöhykkeen määritystä ei voitu lukea; ohitettiin",
        "time zone definition could not be read; ignored",
    ),
    "ics_no_such_calendar": (
        "tiedostossa ei ole kalenteria, jonka nimi on asetuksessa calendar_name; mitään ei luettu",
        "no calendar in the file has the name given in option calendar_name; nothing read",
    ),
    "ics_no_start": ("puuttuu; tapahtumalla ei ole päivää", "missing; the event has no date"),
    "ics_empty_start": ("tyhjä; tapahtumalla ei ole päivää", "empty; the event has no date"),
    "ics_date_no_value": (
        "rivillä ei ole kaksoispistettä eikä arvoa; tapahtumalla ei ole päivää",
        "line has no ':' and no value; the event has no date",
    ),
    "ics_date_no_date": (
        "ei päivämäärää; tapahtumalla ei ole päivää",
        "no date; the event has no date",
    ),
    "ics_date_invalid": (
        "ei ole kelvollinen päivämäärä tai aika; tapahtumalla ei ole päivää",
        "not a valid date or date-time; the event has no date",
    ),
    "ics_date_not_a_date": (
        "ei ole päivämäärä tai aika; tapahtumalla ei ole päivää",
        "not a date or date-time; the event has no date",
    ),
    "ics_date_placeholder": (
        "vuotta {year} aiempi päivä on paikkamerkki, ei päivämäärä; tapahtumalla ei ole päivää",
        "a date before {year} is a placeholder, not a date; the event has no date",
    ),
    "ics_date_unreadable": (
        "arvoa ei voi lukea; tapahtumalla ei ole päivää",
        "the value cannot be read; the event has no date",
    ),
    "ics_rule_not_computed": (
        "toistosääntöä ei voitu laskea",
        "the recurrence could not be computed",
    ),
    "ics_rule_empty": ("toistosääntö on tyhjä", "the rule is empty"),
    "ics_rule_not_single": ("ei ole yksi toistosääntö", "not a single rule"),
    "ics_until_no_value": (
        "UNTIL: rivillä ei ole kaksoispistettä eikä arvoa",
        "UNTIL: line has no ':' and no value",
    ),
    "ics_until_no_date": ("UNTIL: ei päivämäärää", "UNTIL: no date"),
    "ics_until_invalid": (
        "UNTIL: ei ole kelvollinen päivämäärä tai aika",
        "UNTIL: not a valid date or date-time",
    ),
    "ics_until_not_a_date": ("UNTIL: ei ole päivämäärä tai aika", "UNTIL: not a date or date-time"),
    "ics_until_placeholder": (
        "UNTIL: vuotta {year} aiempi päivä on paikkamerkki, ei päivämäärä",
        "UNTIL: a date before {year} is a placeholder, not a date",
    ),
    "ics_until_unreadable": ("UNTIL: arvoa ei voi lukea", "UNTIL: the value cannot be read"),
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
