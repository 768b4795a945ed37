"""Tmi Terhi Kallio, Hyvinkää: a psychotherapist.

The notice: data is kept as long as the customer relationship lasts (or
longer by agreement); marketing by consent, which the client can withdraw.
It declares henkilötunnus and next of kin. Client records of a health
professional follow the patient-records law, whatever the notice says.

Sources: the booking system's CSV export (Windows-1252, semicolons), the
client cards kept in Excel (henkilötunnus column, notes with health data),
the marketing consent list, the iPhone address book (with her friends and
family, who are not clients), the invoice export and the erasure log.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_fi_invoices,
    write_iphone_vcf,
)
from flows.demo.people import Person
from flows.demo.scenario import Scenario
from flows.demo.writers import Sheet, csv_text, write_text, write_xlsx

BOOKING_HEADERS = (
    "Varaus-ID", "Alkaa", "Päättyy", "Palvelu", "Asiakas", "Sähköposti", "Puhelin",
    "Varauksen tila", "Varattu", "Lisätiedot",
)  # fmt: skip
CARD_HEADERS = (
    "Asiakasnro", "Nimi", "Henkilötunnus", "Sähköposti", "Puhelin", "Osoite", "Postinumero",
    "Postitoimipaikka", "Lähiomainen", "Hoito alkoi", "Viimeisin käynti", "Muistiinpanot",
)  # fmt: skip
CONSENT_HEADERS = ("Nimi", "Sähköposti", "Puhelin", "Lupa", "Päivitetty")
SESSION = ("Psykoterapia 45 min", 45, 95.0)
FIRST_VISIT = ("Ensikäynti 60 min", 60, 110.0)
NOTES = (
    "Masennus, Kela-kuntoutuspsykoterapia.",
    "Ahdistuneisuus ja paniikkioireet, lääkitys lääkärin kautta.",
    "Uupumus työssä, sairausloma keväällä.",
    "Parisuhdekriisi, yksilökäynnit.",
    "Unettomuus ja masennusoireet; lähete työterveyslääkäriltä.",
)


@dataclass
class Client:
    person: Person
    number: str
    start: date
    last: date
    sessions: list[date]
    kin: str
    note: str


class Kallio(Scenario):
    key = "kallio"
    business = "Tmi Terhi Kallio"
    owner = ("Terhi Kallio", "terhi.kallio@outlook.com")
    places = (
        ("05800", "Hyvinkää"), ("05830", "Hyvinkää"), ("05900", "Hyvinkää"),
        ("05880", "Hyvinkää"), ("11100", "Riihimäki"), ("01900", "Nurmijärvi"),
        ("04400", "Järvenpää"), ("05400", "Jokela"),
    )  # fmt: skip

    def write(self) -> None:
        rng = self.rng
        self.clients: list[Client] = []
        self.bookings: list[tuple[Person, datetime, tuple[str, int, float], str]] = []
        self.invoices: list[Invoice] = []
        self.contacts: list[Contact] = []
        self.consents: list[tuple[Person, str, date]] = []
        self.requests: list[ErasureRequest] = []
        self.collection: set[int] = set()
        #: (person, booking start) of the one booking whose start was typed wrong
        self.garbage: tuple[int, datetime] | None = None

        for _ in range(9):
            start = self.ago(rng.randint(60, 700))
            client = self.client(start, end=self.today + timedelta(days=14))
            self.mark(client.person, "active_client", expect="keep", last_visit=client.last)
            self.maybe_contact(client.person, 0.8)
            self.consent(client.person, 0.6)
        opted_out = self.clients[2].person
        self.consents = [c for c in self.consents if c[0] is not opted_out]
        self.consents.append((opted_out, "Kielletty", self.ago(rng.randint(20, 120))))
        self.mark(
            opted_out,
            "marketing_opt_out",
            source="markkinointiluvat",
            note="marketing consent withdrawn: the marketing row is due at once",
        )
        self.expect_in(opted_out, "markkinointiluvat", "delete")

        for n in range(6):
            end = self.ago(rng.randint(3 * 365 + 30, 5 * 365))
            client = self.client(end - timedelta(days=rng.randint(90, 500)), end=end)
            self.mark(
                client.person,
                "ended_client",
                expect="delete",
                last_visit=client.last,
                note="client relationship ended years ago; the client record itself is "
                "kept by the patient-records law",
            )
            self.maybe_contact(client.person, 0.5)
            self.consent(client.person, 0.5)
            if n == 0:
                self.clients[-1].person.tags.append("swedish")

        recent: list[Client] = []
        for _ in range(3):
            end = self.ago(rng.randint(60, 200))
            client = self.client(end - timedelta(days=rng.randint(120, 400)), end=end)
            self.mark(client.person, "ended_recently", expect="keep", last_visit=client.last)
            self.maybe_contact(client.person, 0.8)
            recent.append(client)

        # An unpaid bill from years ago, now with a collection agency.
        end = self.ago(900)
        client = self.client(end - timedelta(days=200), end=end)
        self.collection.add(client.person.serial)
        self.mark(
            client.person, "ended_client", "collection_hold", expect="hold", last_visit=client.last
        )

        # A client whose therapy ended this year asked three days ago to be erased.
        asker = recent[0].person
        request = self.ago(3)
        self.requests.append(
            ErasureRequest(request, asker.name, asker.email_as("upper"), "puhelin")
        )
        self.mark(
            asker,
            "erasure_pending",
            source="poistopyynnot",
            expect="delete",
            request_date=request,
            note="erasure asked 3 days ago: proposed at once (the one-month deadline is when "
            "it must be done); the client record itself is kept by the patient-records law",
        )

        self.messy_cases()

        # Someone who has only booked a first visit next week.
        p = self.people.person()
        first = self.at(self.today + timedelta(days=5), 14)
        self.bookings.append((p, first, FIRST_VISIT, "Vahvistettu"))
        self.mark(
            p, "booking_only", source="ajanvaraukset", expect="keep", first_visit=first.date()
        )

        self.friends()
        self.write_files()

    def messy_cases(self) -> None:
        """Issue #8: a booking typed with a garbage date, a landline, a re-subscriber."""
        rng = self.rng
        end = self.ago(rng.randint(3 * 365 + 30, 4 * 365))
        client = self.client(end - timedelta(days=rng.randint(90, 300)), end=end)
        self.garbage = (client.person.serial, self.at(client.sessions[-2], 0))
        self.mark(
            client.person,
            "garbage_date",
            "ended_client",
            expect="review",
            note="one booking's start is 31.11.: that row may keep the client, so nothing "
            "of theirs is proposed until it is fixed",
        )
        end = self.ago(rng.randint(3 * 365 + 30, 4 * 365))
        client = self.client(end - timedelta(days=rng.randint(90, 300)), end=end, landline=True)
        self.mark(client.person, "landline", "ended_client", expect="delete")
        self.maybe_contact(client.person, 1.0)
        end = self.ago(rng.randint(3 * 365 + 30, 5 * 365))
        client = self.client(end - timedelta(days=rng.randint(90, 300)), end=end)
        self.mark(
            client.person,
            "resubscribed",
            "ended_client",
            expect="delete",
            last_visit=client.last,
            note="therapy ended years ago; a new marketing consent this year is kept",
        )
        day = self.ago(rng.randint(20, 250))
        self.consents.append((client.person, "Sallittu", day))
        self.mark(client.person, source="markkinointiluvat")
        self.consented(client.person, "markkinointiluvat", day)

    # ----------------------------------------------------------- building

    def client(self, start: date, end: date, landline: bool = False) -> Client:
        rng = self.rng
        person = self.people.person(swedish=rng.random() < 0.1, landline=landline)
        step = rng.choice((7, 14, 14))
        sessions = [start + timedelta(days=k * step) for k in range(200)]
        sessions = [d for d in sessions if d <= end][-30:]
        if sessions[0] != start:
            sessions.insert(0, start)
        hour = rng.choice((9, 10, 12, 14, 16))
        # A child generator: how many sessions there are depends on the run date, and the
        # people drawn after this client must not.
        local = random.Random(rng.getrandbits(64))
        for n, day in enumerate(sessions):
            service = FIRST_VISIT if day == start else SESSION
            state = "Peruttu" if local.random() < 0.05 and n > 0 else "Toteutunut"
            if day > self.today:
                state = "Vahvistettu"
            self.bookings.append((person, self.at(day, hour), service, state))
        last = max(d for d in sessions if d <= self.today) if sessions[0] <= self.today else start
        partner = self.people.person(female=not person.female)
        kin = f"{rng.choice(('Puoliso', 'Äiti', 'Sisar', 'Puoliso'))} {partner.first}, " + (
            partner.phone("spaced")
        )
        client = Client(
            person, str(101 + len(self.clients)), start, last, sessions, kin, rng.choice(NOTES)
        )
        self.clients.append(client)
        self.activity(person, *sessions)
        self.mark(person, source="ajanvaraukset")
        self.mark(person, source="asiakaskortit")
        self.bill(client)
        return client

    def bill(self, client: Client) -> None:
        """One invoice per month of sessions (the last 12 months of them)."""
        months: dict[tuple[int, int], list[date]] = {}
        for day in client.sessions:
            if day <= self.today:
                months.setdefault((day.year, day.month), []).append(day)
        for (year, month), days in sorted(months.items())[-12:]:
            invoice_day = min(max(days) + timedelta(days=3), self.today)
            due = invoice_day + timedelta(days=14)
            status = "Maksettu" if due < self.today else "Avoin"
            p = client.person
            self.activity(p, invoice_day)
            self.invoices.append(
                Invoice(
                    "",
                    invoice_day,
                    due,
                    client.number,
                    p.name,
                    p.email,
                    p.hetu,
                    SESSION[2] * len(days),
                    status,
                    f"Psykoterapia {month}/{year}",
                )
            )
        self.mark(client.person, source="laskut")

    def maybe_contact(self, person: Person, chance: float) -> None:
        if self.rng.random() < chance:
            self.contacts.append(
                Contact(
                    person.first,
                    person.last,
                    [self.email(person, "yhteystiedot")],
                    [self.phone(person, "yhteystiedot")],
                )
            )
            self.mark(person, source="yhteystiedot")

    def consent(self, person: Person, chance: float) -> None:
        if self.rng.random() < chance:
            day = self.ago(self.rng.randint(30, 900))
            self.consents.append((person, "Sallittu", day))
            self.mark(person, source="markkinointiluvat")
            self.consented(person, "markkinointiluvat", day)

    def friends(self) -> None:
        """Family and friends in the phone: never clients."""
        mother = self.people.person(female=True, last="Kallio", born=(1945, 1955))
        self.contacts.append(Contact("Äiti", "", [], [mother.phone("spaced")]))
        truth = self.mark(mother, "friend_not_customer", source="yhteystiedot", expect="never")
        truth.name = "Äiti"
        truth.email = None
        sister = self.people.person(female=True, last="Kallio", born=(1965, 1980))
        friends = [sister, self.people.person(), self.people.person(female=False)]
        for p in friends:
            self.contacts.append(
                Contact(
                    p.first, p.last, [p.email], [self.phone(p, "yhteystiedot")], birthday=p.birth
                )
            )
            self.mark(p, "friend_not_customer", source="yhteystiedot", expect="never")

    # -------------------------------------------------------------- files

    def write_files(self) -> None:
        author = self.owner[0]
        rng = self.rng
        rows = []
        ordered = sorted(self.bookings, key=lambda b: (b[1], b[0].name))
        for number, (p, start, service, state) in enumerate(ordered, start=40001):
            end = start + timedelta(minutes=service[1])
            booked = datetime.combine(
                start.date() - timedelta(days=rng.randint(2, 20)),
                time(rng.randint(8, 21), rng.randint(0, 59)),
            )
            note = "Kela-kuntoutus" if service is SESSION and rng.random() < 0.2 else ""
            typed = f"{start:%d.%m.%Y %H:%M}"
            if self.garbage == (p.serial, self.at(start.date(), 0)):
                typed = f"31.11.{start.year} {start:%H:%M}"
            rows.append(
                (
                    f"V{number}",
                    typed,
                    f"{end:%d.%m.%Y %H:%M}",
                    service[0],
                    p.name,
                    self.email(p, "ajanvaraukset").strip(),
                    self.phone(p, "ajanvaraukset"),
                    state,
                    f"{booked:%d.%m.%Y %H:%M}",
                    note,
                )
            )
        path = self.source(
            "ajanvaraukset", "spreadsheet", "ajanvaraukset.csv", "appointment",
            {"delimiter": ";", "encoding": "cp1252",
             "columns": {"record_id": "Varaus-ID", "name": "Asiakas", "email": "Sähköposti",
                         "phone": "Puhelin", "event_date": "Alkaa"},
             "categories": {"note": ["Lisätiedot"]}},
        )  # fmt: skip
        text = csv_text(BOOKING_HEADERS, rows, delimiter=";")
        write_text(path, text, encoding="cp1252")

        cards = []
        for c in sorted(self.clients, key=lambda c: int(c.number)):
            p = c.person
            cards.append(
                (
                    int(c.number),
                    p.name,
                    p.hetu,
                    p.email,
                    p.phone("spaced"),
                    p.street,
                    p.postcode,
                    p.city,
                    c.kin,
                    c.start,
                    c.last,
                    c.note,
                )
            )
        path = self.source(
            "asiakaskortit", "spreadsheet", "asiakaskortit.xlsx", "client_record",
            {"columns": {"record_id": "Asiakasnro", "customer_no": "Asiakasnro", "name": "Nimi",
                         "hetu": "Henkilötunnus", "email": "Sähköposti", "phone": "Puhelin",
                         "event_date": "Viimeisin käynti"},
             "categories": {"address": ["Osoite", "Postinumero", "Postitoimipaikka"],
                            "next_of_kin": ["Lähiomainen"], "note": ["Muistiinpanot"]}},
            system_of_record=True,
        )  # fmt: skip
        sheet = Sheet(
            "Asiakkaat",
            CARD_HEADERS,
            cards,
            widths={"Nimi": 22, "Sähköposti": 32, "Lähiomainen": 30, "Muistiinpanot": 50},
        )
        write_xlsx(path, [sheet], when=self.stamp, author=author)

        consents = sorted(self.consents, key=lambda c: (c[0].last, c[0].first))
        path = self.source(
            "markkinointiluvat", "spreadsheet", "markkinointiluvat.xlsx", "marketing",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "phone": "Puhelin",
                         "status": "Lupa", "event_date": "Päivitetty"},
             "status_map": {"Kielletty": "opted_out", "Sallittu": "active"}},
            system_of_record=True,
        )  # fmt: skip
        consent_rows = [
            (p.name, self.email(p, "markkinointiluvat"), p.phone("compact"), word, day)
            for p, word, day in consents
        ]
        write_xlsx(
            path,
            [
                Sheet(
                    "Luvat",
                    CONSENT_HEADERS,
                    list(consent_rows),
                    widths={"Nimi": 22, "Sähköposti": 32},
                )
            ],
            when=self.stamp,
            author=author,
        )

        path = self.source("yhteystiedot", "vcard", "yhteystiedot.vcf", "contact")
        write_iphone_vcf(path, sorted(self.contacts, key=lambda c: (c.last, c.first)))

        path = self.source(
            "laskut", "accounting", "laskut.csv", "invoice", {"format": "fi_invoices"}
        )
        invoices = sorted(self.invoices, key=lambda i: (i.issued, i.customer_no))
        for number, invoice in enumerate(invoices, start=2201):
            invoice.number = str(number)
        for client in self.clients:
            if client.person.serial in self.collection:
                mine = [i for i in invoices if i.customer_no == client.number]
                mine[-1].status = "Perinnässä"
        write_fi_invoices(path, invoices, renamed=self.broken_invoices)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, self.requests, when=self.stamp, author=author)
