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
    "help_did_you_mean": ("Tarkoititko: {name}", "Did you mean: {name}"),
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
    # check's column suggestions (connectors.detect.describe_columns)
    "check_mask": ("(arvo?)", "(a value?)"),
    "check_format_fits": (
        "kirjanpitomuoto '{name}' sopii ({title}): connector: accounting, "
        "options: {{format: {name}}}",
        "accounting format '{name}' fits ({title}): connector: accounting, "
        "options: {{format: {name}}}",
    ),
    "check_format_closest": (
        "lähimmästä kirjanpitomuodosta '{name}' puuttuu {missing}: nimeä sarakkeet "
        "uudelleen viennissä tai määritä kullekin roolille sarake asetuksessa 'columns'",
        "closest accounting format '{name}' lacks column(s) {missing}: rename them in the "
        "export, or map each role to a column in 'columns'",
    ),
    "check_spreadsheet_reads": (
        "spreadsheet-liitin lukisi: {pairs}",
        "the spreadsheet connector would read: {pairs}",
    ),
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
    # the help's placeholders (argparse metavar=): English as argparse would write them
    "meta_command": ("KOMENTO", "COMMAND"),
    "meta_dir": ("KANSIO", "dir"),
    "meta_today": ("PÄIVÄ", "TODAY"),
    "meta_seed": ("SIEMEN", "SEED"),
    "meta_file": ("TIEDOSTO", "file"),
    "meta_kind": ("LAJI", "KIND"),
    "meta_limit": ("MÄÄRÄ", "LIMIT"),
    "meta_workspace": ("TYÖTILA", "WORKSPACE"),
    "meta_decisions": ("TIEDOSTO.csv", "FILE.csv"),
    "meta_email": ("SÄHKÖPOSTI", "EMAIL"),
    "meta_phone": ("PUHELIN", "PHONE"),
    "meta_hetu": ("HETU", "HETU"),
    "meta_request": ("LÄHDE:RIVI", "SOURCE:ROW"),
    "meta_account": ("TILI", "ACCOUNT"),
    "meta_client_secrets": ("TIEDOSTO", "CLIENT_SECRETS"),
    "meta_client_id": ("TUNNUS", "CLIENT_ID"),
    "meta_tenant": ("VUOKRALAINEN", "TENANT"),
    # karsinta auth (flows.cli.cmd_auth, flows.auth, connectors.live.tokens)
    "auth_forgotten": (
        "Tilin '{account}' tunniste poistettu",
        "Token of account '{account}' removed",
    ),
    "auth_nothing_stored": (
        "Tilille '{account}' ei ole tallennettu tunnistetta",
        "No token stored for account '{account}'",
    ),
    "auth_need_secrets": (
        "google: anna --client-secrets TIEDOSTO (katso README)",
        "google: give --client-secrets FILE (see README)",
    ),
    "auth_need_client_id": (
        "microsoft: anna --client-id TUNNUS (katso README)",
        "microsoft: give --client-id ID (see README)",
    ),
    "auth_bad_account": (
        "tilin nimessä on 1–64 kirjainta, numeroa tai merkkiä '.', '_' ja '-'",
        "an account name is 1-64 letters, digits, '.', '_' or '-'",
    ),
    "auth_no_client_file": (
        "{file}: OAuth-asiakastiedostoa ei löydy (lataa se Google Cloud -konsolista, katso README)",
        "{file}: the OAuth client file is not there (download it from Google Cloud console, "
        "see README)",
    ),
    "auth_not_desktop": (
        "{file}: ei ole työpöytäsovelluksen ('Desktop app') OAuth-asiakastiedosto",
        "{file}: not an OAuth client file of type 'Desktop app'",
    ),
    # run_local_server fills {url} itself
    "auth_open_browser": ("Avaa selaimessa:\n{{url}}", "Open in a browser:\n{{url}}"),
    "auth_browser_done": (
        "Karsinta on yhdistetty; voit sulkea ikkunan.",
        "Karsinta is connected; you may close this window.",
    ),
    "auth_device_code": (
        "Kirjaudu millä tahansa laitteella: avaa {url} ja anna koodi {code}",
        "Sign in on any device: open {url} and enter the code {code}",
    ),
    "auth_could_not_start": (
        "kirjautumista ei voitu aloittaa ({error})",
        "sign-in could not start ({error})",
    ),
    "auth_failed": (
        "kirjautuminen ei onnistunut ({error}); yritä uudelleen",
        "sign-in failed ({error}); try again",
    ),
    "auth_read_only": ("vain luku", "read only"),
    "auth_read_delete": ("luku ja poisto", "read and delete"),
    "auth_connected": (
        "Tili '{account}' yhdistetty ({rights}); tunniste tallennettu: {where}",
        "Account '{account}' connected ({rights}); token stored in: {where}",
    ),
    "token_store_file": (
        "tiedosto {folder} (vain omistaja voi lukea)",
        "file {folder} (readable by the owner only)",
    ),
    "token_store_keyring": ("käyttöjärjestelmän avainnippu", "the OS keyring"),
    # forget, access and requests: their counts, one "label: value" line each (flows.cli)
    "count_state": ("tila", "state"),
    "count_deadline": ("määräaika", "deadline"),
    "count_overdue_days": ("myöhässä päivää", "days overdue"),
    "count_traces": ("merkintöjä", "traces"),
    "count_sources": ("lähteitä", "sources"),
    "count_decision_delete": ("poistetaan", "to delete"),
    "count_decision_hold": ("säilytetään lain perusteella", "kept by law"),
    "count_decision_keep": ("säilytetään", "kept"),
    "count_decision_review": ("tarkistettavia", "to review"),
    "count_shared_identity": (
        "tunniste yhteinen toisen henkilön kanssa",
        "identifier shared with another person",
    ),
    "count_name_only": ("vain nimellä löydettyjä merkintöjä", "traces found by name only"),
    "count_requests": ("pyyntöjä", "requests"),
    "count_open": ("avoimia", "open"),
    "count_prepared_erasure": ("valmisteltuja poistopyyntöjä", "erasure requests prepared"),
    "count_prepared_access": ("valmisteltuja tietopyyntöjä", "access requests prepared"),
    "count_near": ("määräaika lähellä", "deadline near"),
    "count_overdue": ("myöhässä", "overdue"),
    "count_blocked": ("säilytysvelvoite estää", "blocked by a legal hold"),
    "count_undated": ("ilman päivämäärää", "without a date"),
    "count_not_prepared": ("valmistelematta", "not prepared"),
    "count_notified": ("ilmoitus lähetetty", "notification sent"),
    "count_yes": ("kyllä", "yes"),
    "count_no": ("ei", "no"),
    # refusals of apply (flows.apply) and of forget / access (flows.requests)
    "refused_not_proposal": (
        "{name}: ei ole Karsinnan poistoehdotus",
        "{name}: not a Karsinta deletion proposal",
    ),
    "refused_no_file": ("{name}: tiedostoa ei löydy", "{name}: file not found"),
    "refused_old_format": (
        "{name}: tehty Karsinnan aiemmalla versiolla; aja kuukausikatsaus uudelleen ja "
        "merkitse uusi ehdotus",
        "{name}: made by an earlier version of Karsinta; run the monthly review again and "
        "mark the new proposal",
    ),
    "refused_repeated": (
        "{name}: sama ehdotuksen rivi on tiedostossa useammin kuin kerran (rivit {rows}); "
        "poista kopiot tai aja kuukausikatsaus uudelleen ja merkitse uusi ehdotus",
        "{name}: the same proposal row appears more than once (rows {rows}); remove the "
        "copies, or run the monthly review again and mark the new proposal",
    ),
    "refused_other_workspace": (
        "{name}: tämä ehdotus on tehty toiselle työtilalle; aja apply siinä työtilassa, "
        "joka sen teki",
        "{name}: this proposal was made for another workspace; run apply in the workspace "
        "that made it",
    ),
    "refused_earlier_month": (
        "{name}: ehdotus on kuukaudelta {month}, tätä kuukautta aiemmalta; aja "
        "kuukausikatsaus uudelleen ja merkitse uusi ehdotus",
        "{name}: the proposal is of {month}, an earlier month than today's; run the monthly "
        "review again and mark the new proposal",
    ),
    "person_bad_email": (
        "--email: ei ole kelvollinen sähköpostiosoite",
        "--email: not a valid email",
    ),
    "person_bad_phone": ("--phone: ei ole kelvollinen puhelinnumero", "--phone: not a valid phone"),
    "person_bad_hetu": ("--hetu: ei ole kelvollinen henkilötunnus", "--hetu: not a valid hetu"),
    "person_bad_request": (
        "--request: anna pyyntölokin lähteen tunniste ja rivi, esim. poistopyynnot:5",
        "--request: give the request log's source id and row, e.g. poistopyynnot:5",
    ),
    "person_none": (
        "anna --email, --phone, --hetu tai --request LÄHDE:RIVI",
        "give --email, --phone, --hetu or --request SOURCE:ROW",
    ),
    "person_no_row": (
        "--request: lähteessä '{source}' ei ole riviä {row}",
        "--request: row {row} of source '{source}' not found",
    ),
    "person_not_found": (
        "tästä henkilöstä ei ole merkintöjä missään lähteessä (haettu vain vahvoilla tunnisteilla)",
        "no trace of this person in any source (searched by strong keys only)",
    ),
    "forget_not_logged": (
        "tämän henkilön poistopyyntöä ei ole kirjattu: lisää se tiedostoon {where} "
        "(päivä, nimi, sähköposti) ja aja forget uudelleen; apply päättää kirjatun pyynnön "
        "perusteella",
        "no erasure request of this person is logged: add it to {where} (date, name, e-mail) "
        "and run forget again; apply decides from the logged request",
    ),
    "forget_no_log": (
        "tämän henkilön poistopyyntöä ei ole kirjattu: lisää se pyyntölokiin (lähde, jonka "
        "kind on erasure_request; päivä, nimi, sähköposti) ja aja forget uudelleen; apply "
        "päättää kirjatun pyynnön perusteella",
        "no erasure request of this person is logged: add it to a request log (a source of "
        "kind erasure_request) (date, name, e-mail) and run forget again; apply decides from "
        "the logged request",
    ),
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
    # the forms read without a date_format option, in each language's own letters
    "not_a_date_usual": (
        "ei ole päivämäärä (odotettu muoto pp.kk.vvvv, vvvv-kk-pp tai pp/kk/vvvv)",
        "not a date (expected d.m.yyyy, yyyy-mm-dd or d/m/yyyy)",
    ),
    "not_a_date_usual_no_slash": (
        "ei ole päivämäärä (odotettu muoto pp.kk.vvvv tai vvvv-kk-pp)",
        "not a date (expected d.m.yyyy or yyyy-mm-dd)",
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
    # accounting, contact exports, vCard, folder and mailboxes (issue #14's last edges)
    "no_invoice_date_column": (
        "laskun päivämäärälle ei löytynyt saraketta: määritä '{role_name}' asetuksessa 'columns' "
        "(ilman sitä laskut menevät tarkistettaviksi eivätkä avoimet laskut pidä mitään)",
        "no column for the invoice date was found: map '{role_name}' in the 'columns' option "
        "(without it, invoices go to review and open ones hold nothing)",
    ),
    "no_invoice_status_column": (
        "laskun tilalle ei löytynyt saraketta: määritä '{role_name}' asetuksessa 'columns' "
        "(ilman sitä laskut menevät tarkistettaviksi eivätkä avoimet laskut pidä mitään)",
        "no column for the invoice status was found: map '{role_name}' in the 'columns' option "
        "(without it, invoices go to review and open ones hold nothing)",
    ),
    "encoding_mixed_file": (
        "tiedostossa on sekä UTF-8- että Windows-1252-tekstiä; jokainen rivi luettiin erikseen",
        "the file mixes UTF-8 and Windows-1252 text; each line was decoded on its own",
    ),
    "contact_no_keys": (
        "yhdelläkään rivillä ei ole sähköpostiosoitetta eikä puhelinnumeroa niissä "
        "sarakkeissa, joista {connector} ne lukee: onko liitin oikea? (karsinta inspect "
        "TIEDOSTO näyttää sopivan)",
        "no row has an e-mail address or a phone number that {product} keeps in its "
        "columns: is this the right connector? (karsinta inspect FILE shows the one that fits)",
    ),
    "contact_no_keys_columns": (
        "yhdelläkään rivillä ei ole sähköpostiosoitetta eikä puhelinnumeroa näissä "
        "sarakkeissa, joista {connector} ne lukee: onko liitin oikea? (karsinta inspect "
        "TIEDOSTO näyttää sopivan)",
        "no row has an e-mail address or a phone number that {product} keeps in these "
        "columns: is this the right connector? (karsinta inspect FILE shows the one that fits)",
    ),
    "vcard_bad_fold": (
        "rivi ei ole ominaisuus; luettu edellisen rivin jatkoksi (väärin taitettu)",
        "line is not a property; read as the continuation of the line before (badly folded)",
    ),
    "vcard_not_a_property": (
        "rivi ei ole ominaisuus; ohitettu",
        "line is not a property; skipped",
    ),
    "vcard_no_value": (
        "rivillä ei ole kaksoispistettä eikä arvoa; ohitettu",
        "line has no ':' and no value; skipped",
    ),
    "vcard_cut_off": (
        "kortti on katkennut (ei END:VCARD-riviä); luettu niin pitkälle kuin sitä on",
        "card is cut off (no END:VCARD); read as far as it goes",
    ),
    "qp_charset_guessed": (
        "quoted-printable-arvolla ei ole merkistöä (CHARSET) eikä se ole UTF-8:aa; luettu "
        "merkistönä {charset} (arvaus: tarkista nimen kirjaimet)",
        "quoted-printable value has no CHARSET and is not UTF-8; decoded as {charset} "
        "(a guess: check the name's letters)",
    ),
    "folder_link_outside": (
        "linkki kansion ulkopuolelle; ei luettu",
        "a link leading outside the folder; not read",
    ),
    "folder_name_no_match": (
        "tiedostonimi ei vastaa mallia (rivi = tiedoston järjestysnumero nimen mukaan)",
        "file name does not match the pattern (row = the file's number in name order)",
    ),
    "folder_name_not_a_date": (
        "tiedostonimen päivämäärä ei ole päivämäärä",
        "the date in the file name is not a date",
    ),
    "folder_too_large_to_scan": (
        "liian suuri henkilötunnusten ja terveyssanojen etsimiseen",
        "too large to scan for henkilötunnus and health words",
    ),
    "folder_not_text": ("ei voitu lukea tekstinä", "could not be read as text"),
    "folder_unreadable": ("ei voitu lukea", "could not be read"),
    "max_messages": (
        "vain {limit} uusinta viestiä luettiin; suurenna asetusta max_messages, jos haluat "
        "lukea vanhemmat",
        "only the newest {limit} messages were read; raise max_messages to read older ones",
    ),
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
    "is_folder_export": ("on kansio, ei vientitiedosto", "is a folder, not an export file"),
    "file_larger_than": (
        "tiedosto on suurempi kuin {mib} MiB",
        "file is larger than {mib} MiB",
    ),
    "unknown_encoding": ("tuntematon merkistö '{encoding}'", "unknown encoding '{encoding}'"),
    "not_valid_text": (
        "ei ole kelvollista {encoding}-tekstiä",
        "not valid {encoding} text",
    ),
    "no_sheets": ("työkirjassa ei ole taulukoita", "workbook has no sheets"),
    "sheet_empty": ("taulukko on tyhjä", "sheet is empty"),
    "no_header_row_below": (
        "otsikkoriviä ei ole rivillä {row} eikä sen alapuolella",
        "no header row at or below row {row}",
    ),
    "format_column_missing": (
        "näyttää muodolta {format}, mutta saraketta '{column}' ei löydy (aseta asetus "
        "'format' tai määritä sarake asetuksessa 'columns')",
        "looks like {format} but column '{column}' not found "
        "(set the 'format' option or map the column in 'columns')",
    ),
    "unknown_accounting_export": (
        "ei ole tunnettu kirjanpito-ohjelman vienti; aseta asetus 'format' (tunnetut: {known})",
        "not a known accounting export; set the 'format' option (known: {known})",
    ),
    "not_vcard": (
        "ei ole vCard-tiedosto: BEGIN:VCARD-riviä ei löydy",
        "not a vCard file: no BEGIN:VCARD line",
    ),
    "not_this_export": (
        "ei sovi liittimelle {connector}: ei nimi-, sähköposti- eikä puhelinsaraketta",
        "not {product}: no name, e-mail or phone column",
    ),
    "group_column_missing": (
        "asetus '{option}' on annettu, mutta tiedostossa ei ole saraketta '{column}'",
        "option '{option}' is set but the file has no {column} column",
    ),
    "cannot_write": (
        "ei voida avata kirjoitettavaksi ({error})",
        "cannot be opened for writing ({error})",
    ),
    "sheet_gone": ("taulukkoa ei enää löytynyt", "the sheet was not found again"),
    "header_gone": ("otsikkoriviä ei enää löytynyt", "the header row was not found again"),
    "columns_differ": (
        "sarakkeet luettiin kirjoittaessa eri tavalla",
        "the columns read differently for the writer",
    ),
    "broken_bom_text": ("rikkinäistä {codec}-tekstiä", "broken {codec} text"),
    # live accounts (connectors.live, connectors.google, connectors.microsoft)
    "auth_missing": (
        "tilin '{account}' valtuutus puuttuu: aja `{command}` uudelleen; tästä lähteestä ei "
        "poisteta mitään ennen sitä",
        "the authorisation of account '{account}' is missing: run `{command}` again; nothing "
        "is deleted from this source until then",
    ),
    "lacks_permission": (
        "tililtä puuttuu tarvittava lupa: aja `{command}` (poistoihin --allow-delete)",
        "the account lacks a permission: run `{command}` (with --allow-delete for apply)",
    ),
    "service_failed": (
        "palvelu ei vastannut {attempts} yrityksellä ({what}); yritetään ensi kerralla uudelleen",
        "the service failed {attempts} times ({what}); it will be tried again on the next run",
    ),
    "service_refused": (
        "{service} hylkäsi pyynnön (HTTP {status}{words})",
        "{service} refused the request (HTTP {status}{words})",
    ),
    "service_unreachable": (
        "{service} ei ole tavoitettavissa (verkko)",
        "{service} could not be reached (network)",
    ),
    "list_gone": (
        "Googlen mukaan listaa ei ole (HTTP 404)",
        "Google said the list is not there (HTTP 404)",
    ),
    "foreign_link": (
        "Graph antoi linkin toiseen palvelimeen; sitä ei seurattu",
        "Graph gave a link to another host; not followed",
    ),
    "not_json": (
        "Microsoft Graph vastasi muulla kuin JSONilla",
        "Microsoft Graph answered with something else than JSON",
    ),
    "state_not_a_folder": ("tilakansio ei ole kansio", "the state folder is not a folder"),
    "not_a_folder": ("ei ole kansio", "not a folder"),
    "auth_expired": (
        "tilin '{account}' valtuutus ei ole enää voimassa: aja `{command}` uudelleen; tästä "
        "lähteestä ei poisteta mitään ennen sitä",
        "the authorisation of account '{account}' is no longer valid: run `{command}` again; "
        "nothing is deleted from this source until then",
    ),
    "bad_options": (
        "virheelliset liittimen asetukset: {details}",
        "invalid connector options: {details}",
    ),
}


#: accounting format name -> its Finnish title (the English one is the format's own title)
FORMAT_TITLES_FI: dict[str, str] = {
    "fi_invoices": "suomalainen laskuvienti (Laskunumero;Laskun päivämäärä;...)",
    "fi_customers": "suomalainen asiakasrekisterin vienti (Asiakasnumero;Nimi;...)",
    "zoho_invoices": "Zoho Invoicen laskuvienti",
    "freshbooks_invoices": "FreshBooksin laskurivivienti",
    "wave_invoices": "Wave Accountingin tapahtumavienti (laskut)",
    "zoho_contacts": "Zoho Invoicen yhteystietovienti",
    "wave_clients": "Waven asiakasvienti",
    "freshbooks_clients": "FreshBooksin asiakasvienti",
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


def format_title(lang: str, name: str, title: str) -> str:
    """An accounting format's title in ``lang`` (``title``, its own English one, as fallback)."""
    return title if lang == "en" else FORMAT_TITLES_FI.get(name, title)


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


# ------------------------------------------------ configuration files (issue #14)

#: a config problem's words; key -> (Finnish, English)
CONFIG_MESSAGES: dict[str, tuple[str, str]] = {
    # where a problem is
    "cfg_at_line": (
        "rivi {line}, kenttä '{field}': {problem}",
        "line {line}, field '{field}': {problem}",
    ),
    "cfg_at_field": ("kenttä '{field}': {problem}", "field '{field}': {problem}"),
    "cfg_top": ("(ylin taso)", "(top level)"),
    # the file as a whole
    "cfg_not_found": ("tiedostoa ei löydy", "file not found"),
    "cfg_not_utf8": ("tiedosto ei ole UTF-8-tekstiä", "not UTF-8 text"),
    "cfg_empty": ("tiedosto on tyhjä", "file is empty"),
    "cfg_yaml_line": (
        "rivi {line}: YAML-muoto on virheellinen (tarkista sisennys, kaksoispisteet ja "
        "lainausmerkit)",
        "line {line}: not valid YAML ({detail})",
    ),
    "cfg_yaml": ("YAML-muoto on virheellinen", "somewhere: not valid YAML ({detail})"),
    # pydantic's error types
    "cfg_missing": ("pakollinen kenttä puuttuu", "Field required"),
    "cfg_extra_forbidden": (
        "tuntematon kenttä (kirjoitusvirhe?)",
        "Extra inputs are not permitted",
    ),
    "cfg_int": ("pitää olla kokonaisluku", "Input should be a valid integer"),
    "cfg_float": ("pitää olla luku", "Input should be a valid number"),
    "cfg_bool": ("pitää olla true tai false", "Input should be a valid boolean"),
    "cfg_string": ("pitää olla teksti", "Input should be a valid string"),
    "cfg_list": ("pitää olla luettelo", "Input should be a valid list"),
    "cfg_dict": ("pitää olla avain–arvo-rakenne", "Input should be a valid dictionary"),
    "cfg_date": (
        "pitää olla päivämäärä muodossa VVVV-KK-PP",
        "Input should be a valid date in the format YYYY-MM-DD",
    ),
    "cfg_literal": ("sallitut arvot: {expected}", "Input should be {expected}"),
    "cfg_ge": ("pienin sallittu arvo on {ge}", "Input should be greater than or equal to {ge}"),
    "cfg_gt": ("pitää olla suurempi kuin {gt}", "Input should be greater than {gt}"),
    "cfg_le": ("suurin sallittu arvo on {le}", "Input should be less than or equal to {le}"),
    "cfg_lt": ("pitää olla pienempi kuin {lt}", "Input should be less than {lt}"),
    "cfg_too_short": ("liian lyhyt (vähintään {min_length})", "too short (at least {min_length})"),
    "cfg_too_long": ("liian pitkä (enintään {max_length})", "too long (at most {max_length})"),
    "cfg_pattern": ("arvo on väärää muotoa", "String should match pattern '{pattern}'"),
    "cfg_invalid": ("arvo ei kelpaa tähän kenttään", "invalid value"),
    # our own validators
    "cfg_period_text": (
        "jakso kirjoitetaan esimerkiksi '2 kk', '3 kuukautta', '6 vuotta', '30 päivää' tai '2 vrk'",
        "a period is written like '2 months', '6 years', '30 days' (or '2 kk', '6 vuotta', "
        "'2 vrk')",
    ),
    "cfg_period_zero": (
        "jakson pitää olla pidempi kuin nolla",
        "a period must be longer than zero",
    ),
    "cfg_keep_bad": (
        "{problem} – tai 'while_customer' tai 'statutory'",
        "{problem} — or 'while_customer' or 'statutory'",
    ),
    "cfg_period_needs_after": (
        "jakso tarvitsee kentän 'after' (event_date, end_date, {{last: laji}} ...)",
        "a period needs 'after' (event_date, end_date, {{last: kind}} ...)",
    ),
    "cfg_keep_no_after": (
        "'keep: {keep}' ei ota kenttää 'after'",
        "'keep: {keep}' takes no 'after'",
    ),
    "cfg_after_empty": ("'after' on tyhjä luettelo", "'after' is an empty list"),
    "cfg_at_least": (
        "'at_least' sopii vain kohtaan 'keep: while_customer'",
        "'at_least' goes with 'keep: while_customer' only",
    ),
    "cfg_unknown_category": (
        "tuntematon tietoryhmän koodi; tunnetut: {known}",
        "unknown category code; known: {known}",
    ),
    # connector options (connectors/*.py option models)
    "cfg_unknown_format": (
        "tuntematon muoto; tunnetut: {known}",
        "unknown format; known: {known}",
    ),
    "cfg_regex": (
        "ei ole kelvollinen säännöllinen lauseke (virhe merkin {pos} kohdalla)",
        "not a valid regular expression ({detail})",
    ),
    "cfg_content_groups": (
        "sisällön lausekkeessa pitää olla nimetty ryhmä 'email' tai 'customer_no'",
        "the content pattern needs a named group 'email' or 'customer_no'",
    ),
    "cfg_pattern_groups": (
        "lausekkeessa pitää olla nimetty ryhmä, jokin näistä: {known}",
        "the pattern needs a named group: one of {known}",
    ),
    "cfg_name_groups": (
        "lausekkeessa pitää olla nimetty ryhmä (?P<name>...) tai (?P<email>...)",
        "needs a named group (?P<name>...) or (?P<email>...)",
    ),
    "cfg_strftime": (
        "käytä strftime-koodeja, esim. '{example}'",
        "use strftime codes, e.g. '{example}'",
    ),
    "cfg_unknown_role": (
        "tuntematon sarakkeen rooli {unknown}; tunnetut: {known}",
        "unknown role {unknown}; known: {known}",
    ),
    "cfg_email": ("ei ole kelvollinen sähköpostiosoite", "not a valid e-mail address"),
    "cfg_unknown_status": (
        "tuntematon tila {unknown}; tunnetut: {known}",
        "unknown status {unknown}; known: {known}",
    ),
    "cfg_kind_word": (
        "laji kirjoitetaan pienillä kirjaimilla, numeroilla ja merkillä '_'",
        "a kind is lower-case letters, digits and '_'",
    ),
    "cfg_fiscal_form": (
        "kirjoita tilikauden loppu muodossa päivä.kuukausi., esim. '31.12.'",
        "write the fiscal year end as day.month., e.g. '31.12.'",
    ),
    "cfg_fiscal_day": ("päivää ei ole (tavallisessa) vuodessa", "not a day of a (common) year"),
    "cfg_raw": ("{text}", "{text}"),
    "cfg_joined": ("{items}", "{items}"),
    "cfg_until_period": (
        "'until: period' tarvitsee kentät 'keep' ja 'after'",
        "'until: period' needs 'keep' and 'after'",
    ),
    "cfg_until_no_keep": (
        "'until: {until}' ei ota kenttiä 'keep' eikä 'after'",
        "'until: {until}' takes no 'keep' or 'after'",
    ),
    "cfg_settled_statuses": (
        "'until: settled' tarvitsee tilat ('statuses'), jotka tarkoittavat avointa",
        "'until: settled' needs the 'statuses' that mean unsettled",
    ),
    "cfg_spares_scope": (
        "'spares' sopii vain kohtaan 'scope: subject'",
        "'spares' goes with 'scope: subject' only",
    ),
    "cfg_spares_trigger": (
        "pito ei voi säästää lajeja, jotka käynnistävät sen",
        "a hold cannot spare the kinds that trigger it",
    ),
    "cfg_limitation": (
        "'limitation' sopii vain kohtaan 'until: settled'",
        "'limitation' goes with 'until: settled' only",
    ),
    "cfg_limitation_statuses": (
        "vanhentumisen tilat {extra} eivät ole kohdassa 'statuses'",
        "limitation statuses {extra} are not among 'statuses'",
    ),
    "cfg_kind_no_rule": (
        "asiakaslajilla '{kind}' ei ole säilytyssääntöä",
        "customer kind '{kind}' has no retention rule",
    ),
    "cfg_last_not_kind": (
        "'last: {last}' ei ole tämän rekisterin laji ({kinds})",
        "'last: {last}' is not a kind of this register ({kinds})",
    ),
    "cfg_both_kept": (
        "tietoryhmät {both} on sekä ilmoitettu että merkitty 'not_kept'",
        "categories {both} are both declared and 'not_kept'",
    ),
    "cfg_no_statute": (
        "'statutory', mutta mikään lakisääteinen sääntö ei koske lajia '{kind}'",
        "'statutory', but no statutory rule covers kind '{kind}'",
    ),
    "cfg_held_by_law": (
        "laji '{kind}' on lakisääteisesti säilytettävä ({id}, {source}): käytä "
        "'keep: statutory'; käytäntö ei voi lyhentää lakisääteistä säilytystä",
        "kind '{kind}' is held by law ({id}, {source}): use 'keep: statutory'; a policy "
        "cannot shorten a statutory hold",
    ),
    "cfg_while_customer_short": (
        "'while_customer' voi olla lyhyempi kuin lakisääteinen {id} ({source}); käytä "
        "'keep: statutory' tai pidempää jaksoa",
        "'while_customer' may be shorter than the statutory {id} ({source}); use "
        "'keep: statutory' or a longer period",
    ),
    "cfg_shorter": (
        "lyhyempi kuin lakisääteinen {id} ({source}); käytäntö voi pidentää lakisääteistä "
        "säilytystä, ei koskaan lyhentää",
        "shorter than the statutory {id} ({source}); a policy may lengthen a statutory "
        "hold, never shorten it",
    ),
    "cfg_optional": (
        "vain lakisääteiset säännöt voivat olla valinnaisia",
        "only statutory rules can be optional",
    ),
    "cfg_no_rule": (
        "lakisääteistä sääntöä '{extends}' ei ole; tunnetut: {known}",
        "no statutory rule '{extends}'; known: {known}",
    ),
    "cfg_cover_kinds": (
        "pitää kattaa jokainen säännön {id} laji: {kinds}",
        "must cover every kind of {id}: {kinds}",
    ),
    "cfg_spares_law": (
        "{id} säilyttää lajit {spared}; käytäntö voi pidentää lakisääteistä säilytystä, ei "
        "koskaan lyhentää",
        "{id} keeps kinds {spared}; a policy may lengthen a statutory hold, never shorten it",
    ),
    "cfg_until_earlier": (
        "{id} kestää kunnes '{until}'; kiinteä jakso voisi päättää sen aiemmin",
        "{id} lasts until '{until}'; a fixed period could end it earlier",
    ),
    "cfg_not_optional": (
        "ei ole valinnainen lakisääteinen sääntö; tunnetut: {known}",
        "not an optional statutory rule; known: {known}",
    ),
    # the workspace config's own checks
    "cfg_id_twice": (
        "lähteen tunnus '{id}' on käytössä kahdesti",
        "source id '{id}' is used twice",
    ),
    "cfg_no_register": (
        "rekisteri '{register}' ei ole rekisterien joukossa ({known})",
        "register '{register}' is not among the registers ({known})",
    ),
    "cfg_none_declared": ("yhtään ei ole määritetty", "none declared"),
    "cfg_outside": (
        "lähde '{id}' on työtilan ulkopuolella (symboliset linkit seurattu), sitä ei lueta eikä "
        "muuteta; siirrä se työtilaan tai nimeä sen kansio kohdassa allowed_roots",
        "source '{id}' lies outside the workspace (symbolic links followed) and is not read or "
        "changed; move it into the workspace or name its folder in allowed_roots",
    ),
    "cfg_credential": (
        "tunnus ei kuulu työtilan asetuksiin; poista se ja yhdistä tili komennolla karsinta "
        "auth google|microsoft --account NIMI (tunnus säilytetään käyttöjärjestelmän "
        "avainnipussa, muuten vain omistajan luettavassa 0600-tiedostossa)",
        "credentials never go in the workspace config; remove it and connect the account "
        "with: karsinta auth google|microsoft --account NAME (the token is kept in the OS "
        "keyring, else in an owner-only 0600 file)",
    ),
    "cfg_unknown_connector": (
        "tuntematon liitin '{name}'; tunnetut: {known}",
        "unknown connector '{name}'; known: {known}",
    ),
    # the workspace key (flows.keyed)
    "key_empty": ("työtilan avaintiedosto on tyhjä", "the workspace key file is empty"),
    "key_not_key": (
        "työtilan avaintiedosto ei ole avain (odotettiin 64 heksadesimaalinumeroa)",
        "the workspace key file is not a key (64 hex digits expected)",
    ),
    "key_short": (
        "työtilan avain on liian lyhyt ({size} tavua; vähintään {least})",
        "the workspace key is too short ({size} bytes; at least {least})",
    ),
    "key_missing": (
        "työtilan avain puuttuu, mutta työtilassa on kirjanpito poistoista; palauta tiedosto "
        "varmuuskopiosta (uusi avain ei täsmäisi tallennettuihin tunnisteisiin)",
        "the workspace key is missing but the workspace has a ledger; restore the file from a "
        "backup (a new key would not match the stored ids)",
    ),
    # notifications (flows.notify)
    "smtp_no_password": (
        "SMTP-salasanaa ei ole avainnipussa (palvelu '{service}') eikä tässä tiedostossa",
        "the SMTP password is not in the keyring (service '{service}') nor in this file",
    ),
    "smtp_password_mode": (
        "SMTP-salasanatiedoston pitää olla vain omistajan luettavissa (chmod 600)",
        "the SMTP password file must be readable by the owner only (chmod 600)",
    ),
    "smtp_plain": (
        "notify.security 'none' on sallittu vain paikalliselle palvelimelle (loopback)",
        "notify.security 'none' is allowed on loopback only",
    ),
    "notify_not_sent": ("ilmoitusta ei lähetetty: {reason}", "notification not sent: {reason}"),
    "notify_requests_subject": (
        "Karsinta: {ready} uutta pyyntöä valmiina, {near} määräaika lähellä, {overdue} myöhässä",
        "Karsinta: {ready} new requests ready, {near} due soon, {overdue} overdue",
    ),
    "notify_prepared": ("Valmiit ehdotukset ja raportit: {n}", "Prepared: {n}"),
    "notify_open": ("Avoimet pyynnöt: {n}", "Open requests: {n}"),
    "notify_near": ("Määräaika 2 päivän sisällä: {n}", "Deadline within 2 days: {n}"),
    "notify_overdue": ("Myöhässä: {n}", "Overdue: {n}"),
    "notify_blocked": ("Säilytysvelvoite estää: {n}", "Blocked by a hold: {n}"),
    "notify_files": ("Tiedostot: {folder}", "Files: {folder}"),
    "notify_proposal_subject": (
        "Karsinta: poistoehdotus {month} valmiina ({delete} poistettavaa)",
        "Karsinta: deletion proposal {month} ready ({delete} to delete)",
    ),
    "notify_proposal_ready": (
        "Poistoehdotus {month} on valmis.",
        "The deletion proposal {month} is ready.",
    ),
    "notify_open_requests": ("Avoimia pyyntöjä: {n}", "Open requests: {n}"),
    "notify_login_refused": (
        "palvelin ei hyväksynyt käyttäjätunnusta tai salasanaa",
        "the server refused the username or password",
    ),
    "notify_address_refused": (
        "palvelin ei hyväksynyt lähettäjän tai vastaanottajan osoitetta",
        "the server refused the sender's or a recipient's address",
    ),
    "notify_tls": ("suojattu yhteys (TLS) epäonnistui", "the secure connection (TLS) failed"),
    "notify_no_host": ("palvelimen nimeä ei löytynyt", "the server's name was not found"),
    "notify_refused": ("palvelin kieltäytyi yhteydestä", "the server refused the connection"),
    "notify_timeout": ("palvelin ei vastannut ajoissa", "the server did not answer in time"),
    "notify_other": ("yhteysvirhe ({name})", "connection error ({name})"),
    "notify_to_delete": ("Poistettavia: {n}", "To delete: {n}"),
    "notify_to_review": ("Tarkistettavia: {n}", "To check by hand: {n}"),
    "notify_unreadable": (
        "Lähteitä, joita ei voitu lukea: {n}",
        "Sources that could not be read: {n}",
    ),
    "notify_open_it": ("Avaa se: {file}", "Open it: {file}"),
    # the demo's console lines (flows.demo)
    "demo_root": ("Karsinta-demo: {root}", "Karsinta demo: {root}"),
    "demo_day": (
        "Päivä {day}, siemen {seed}. Asiakkaat ovat keksittyjä.",
        "Day {day}, seed {seed}. The customers are made up.",
    ),
    "demo_working": (
        "{business}: poistoehdotus ja seloste...",
        "{business}: deletion proposal and record...",
    ),
}
MESSAGES.update(CONFIG_MESSAGES)


class Said(str):
    """A message that is English as a ``str`` (logs, old callers) and knows its catalogue key.

    ``text(lang)`` says it in ``lang``; a value that is itself :class:`Said`
    is said in the same language. ``en`` overrides the English words (a
    third-party message kept as it was).
    """

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, en: str | None = None, **values: Any) -> Said:
        self = super().__new__(cls, en if en is not None else say("en", key, **values))
        self.key, self.values = key, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy: key, English, values
        return (_said_again, (self.key, str.__str__(self), self.values))

    def text(self, lang: str) -> str:
        if lang == "en":
            return str.__str__(self)
        return say(lang, self.key, **{k: text_in(lang, v) for k, v in self.values.items()})


def _said_again(key: str, en: str, values: dict[str, Any]) -> Said:
    return Said(key, en=en, **values)


def text_in(lang: str, message: Any) -> str:
    """``message`` in ``lang`` when it is :class:`Said` (a tuple of them: joined), else as it is."""
    if isinstance(message, tuple):
        return "; ".join(text_in(lang, item) for item in message)
    return message.text(lang) if isinstance(message, Said) else str(message)
