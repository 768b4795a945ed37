"""Leoprana / Siiri Himberg, Riihimäki: yoga classes and private sessions.

The notice: name and contact details for the customer relationship,
marketing by consent, booking through Varaa heti; health details asked in
private sessions are NOT stored; erasure on request "without delay". It
names no retention period.

Sources: the Google Calendar export (weekly class series with the students as
attendees, private sessions, the owner's own appointments), Google Contacts
(customers labelled "Asiakkaat"), the newsletter list, the invoice export and
the erasure log.
"""

from __future__ import annotations

from datetime import date, timedelta

from flows.demo.calendar import CalEvent, google, google_uid, write_calendar
from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_fi_invoices,
    write_google_csv,
)
from flows.demo.people import Person
from flows.demo.scenario import Scenario
from flows.demo.writers import csv_text, write_text

PRIVATE_TITLES = ("Hammaslääkäri", "Äidin synttärit", "Kampaaja")
HEALTH_NOTE = "Yksityistunnilla kerrottu: alaselän kipuja ja migreeniä, ei syviä eteentaivutuksia."
LOCATION = "Joogasali, Kumelantie 8, 11120 Riihimäki"


class Leoprana(Scenario):
    key = "leoprana"
    business = "Leoprana"
    owner = ("Siiri Himberg", "siiri.yoga@gmail.com")
    places = (
        ("11100", "Riihimäki"), ("11120", "Riihimäki"), ("11130", "Riihimäki"),
        ("12100", "Oitti"), ("05800", "Hyvinkää"), ("13100", "Hämeenlinna"), ("12700", "Loppi"),
    )  # fmt: skip

    def write(self) -> None:
        rng = self.rng
        self.events: list[CalEvent] = []
        self.contacts: list[Contact] = []
        self.subscribers: list[tuple[Person, date, str]] = []
        self.invoices: list[Invoice] = []
        self.requests: list[ErasureRequest] = []
        self.numbers: dict[int, str] = {}
        self.broken = -1

        # Spring term class: ended about half a year ago; one week off, one moved.
        start = self.weekday_on_or_before(self.ago(300), 1)
        spring = [self.people.person(swedish=n == 4) for n in range(6)]
        event = self.class_series("Hathajooga (ti)", start, 16, 18, spring)
        event.exdates.append(event.start + timedelta(weeks=5))
        planned = event.start + timedelta(weeks=9)
        event.moved[planned] = self.at(planned.date() + timedelta(days=1), 18, 30)
        for p in spring:
            self.mark(p, "class_ended", expect="keep", last_class=event.last_date or start)
            self.invoice(p, start, "Kausimaksu, Hathajooga (ti)", 150.0)
            self.activity(p, event.last_date)

        # The current class: a weekly series with no end.
        start = self.weekday_on_or_before(self.ago(120), 3)
        current = [self.people.person() for _ in range(6)] + spring[:2]
        self.class_series("Yin-jooga (to)", start, None, 19, current)
        for p in current:
            self.mark(p, "endless_series", expect="keep", series_start=start)
            for month in range(0, 120, 60):
                self.invoice(p, start + timedelta(days=month), "Yin-jooga, 10 kerran kortti", 120.0)

        # An old morning class, three years ago.
        start = self.weekday_on_or_before(self.ago(1200), 0)
        old = [self.people.person() for _ in range(4)]
        event = self.class_series("Aamujooga (ma)", start, 12, 7, old)
        for p in old:
            self.mark(p, "old_class", expect="delete", last_class=event.last_date or start)
            self.invoice(p, start, "Kausimaksu, Aamujooga (ma)", 130.0)
            self.activity(p, event.last_date)
        self.mark(
            old[0],
            "open_invoice_hold",
            expect="hold",
            note="the term fee of the old class was never paid",
        )
        self.hold = old[0].serial

        # Private sessions: attendees, and one typed as a name in the title only.
        for _ in range(4):
            p = self.people.person()
            day = self.ago(rng.randint(-10, 500))
            self.events.append(
                CalEvent(
                    uid=google_uid(rng),
                    summary="Yksityistunti",
                    start=self.at(day, 12),
                    attendees=[(p.name, self.email(p, "kalenteri"))],
                    organizer=self.owner,
                    location=LOCATION,
                )
            )
            age = (self.today - day).days
            expect = "delete" if age > 400 else ("keep" if age < 330 else None)
            self.mark(p, "private_session", source="kalenteri", expect=expect, session=day)
            self.invoice(p, day, "Yksityistunti 60 min", 65.0)
            self.contact(p, 1.0)
        p = self.people.person()
        day = self.ago(rng.randint(30, 200))
        event = CalEvent(
            uid=google_uid(rng),
            summary=f"Yksityistunti: {p.name}",
            start=self.at(day, 13),
            organizer=self.owner,
        )
        self.events.append(event)
        # A name alone never decides: review (the old truth None left it to the dates).
        self.mark(
            p,
            "calendar_name_only",
            source="kalenteri",
            expect="review",
            session=day,
            note="only a name in the event title; no e-mail anywhere",
        )
        self.record(p, "kalenteri", "review", uid=event.uid)
        self.messy_cases(current[2], old)

        for p in spring + old + current[:6]:
            self.contact(p, 0.8)
        health = current[0]
        self.contact(health, 1.0)
        card = next(c for c in self.contacts if (c.first, c.last) == (health.first, health.last))
        card.notes = HEALTH_NOTE
        self.mark(health, "health_note", note="the notice says health details are not stored")

        for p in spring + current[:6] + old:
            if rng.random() < 0.6:
                self.subscribers.append((p, self.ago(rng.randint(60, 900)), "Tilaaja"))
                self.mark(p, source="uutiskirje")
        resubscribed = old[1]
        self.subscribers = [s for s in self.subscribers if s[0] is not resubscribed]
        self.subscribers.append((resubscribed, self.ago(rng.randint(20, 250)), "Tilaaja"))
        self.mark(
            resubscribed,
            "resubscribed",
            source="uutiskirje",
            note="the morning class ended years ago; subscribed to the newsletter this year",
        )
        for p, day, _ in self.subscribers:
            self.consented(p, "uutiskirje", day)
        opted = current[1]
        self.subscribers = [s for s in self.subscribers if s[0] is not opted]
        self.subscribers.append((opted, self.ago(25), "Perunut"))
        self.mark(opted, "marketing_opt_out", source="uutiskirje")
        self.expect_in(opted, "uutiskirje", "delete")
        for n in range(2):
            p = self.people.person()
            self.subscribers.append(
                (p, self.ago(rng.randint(30, 600)), "Perunut" if n else "Tilaaja")
            )
            self.mark(
                p,
                "newsletter_only",
                source="uutiskirje",
                expect="never",
                note="on the newsletter list only: no customer history",
            )
            if n == 0:  # the deliberately broken row: a date typed by hand that does not exist
                self.broken = p.serial
                self.mark(p, "broken_row", note="joined on 31.6., a date that does not exist")

        asker = spring[2]
        request = self.ago(45)
        self.requests.append(ErasureRequest(request, asker.name, self.email(asker, "poisto")))
        self.mark(
            asker, "erasure_overdue", source="poistopyynnot", expect="delete", request_date=request
        )

        self.private_events()
        self.write_files()

    def messy_cases(self, active: Person, old: list[Person]) -> None:
        """Issue #8: private sessions typed as 'Aino K.' with no attendee; a landline."""
        rng = self.rng
        for n, (p, why) in enumerate(
            ((active, "in the current class"), (old[0], "an unpaid invoice holds them"))
        ):
            event = CalEvent(
                uid=google_uid(rng),
                summary=f"Yksityistunti: {p.first} {p.last[0]}.",
                start=self.at(self.ago(430 + 60 * n), 12),
                organizer=self.owner,
                location=LOCATION,
            )
            self.events.append(event)
            self.record(p, "kalenteri", "review", uid=event.uid, note=f"keyless entry; {why}")
            self.mark(p, "keyless_calendar")
        p = self.people.person(landline=True, born=(1945, 1960))
        day = self.ago(rng.randint(430, 600))
        self.events.append(
            CalEvent(
                uid=google_uid(rng),
                summary="Yksityistunti",
                start=self.at(day, 11),
                attendees=[(p.name, self.email(p, "kalenteri"))],
                organizer=self.owner,
                location=LOCATION,
            )
        )
        self.mark(p, "landline", "private_session", source="kalenteri", expect="delete")
        self.invoice(p, day, "Yksityistunti 60 min", 65.0)
        self.contacts.append(
            Contact(p.first, p.last, [self.email(p, "yhteystiedot")], [p.phone("spaced")],
                    groups=["Asiakkaat"])
        )  # fmt: skip
        self.mark(p, source="yhteystiedot")

    # ----------------------------------------------------------- building

    def class_series(
        self, title: str, start: date, count: int | None, hour: int, students: list[Person]
    ) -> CalEvent:
        event = CalEvent(
            uid=google_uid(self.rng),
            summary=title,
            start=self.at(start, hour),
            minutes=75,
            count=count,
            use_until=count is not None,
            attendees=[(p.name, self.email(p, "kalenteri")) for p in students],
            organizer=self.owner,
            location=LOCATION,
            description="Ota oma alusta mukaan. Peruutukset Varaa hetin kautta.",
        )
        self.events.append(event)
        for p in students:
            self.mark(p, source="kalenteri")
        return event

    def private_events(self) -> None:
        """Siiri's own appointments; the birthday has her mother as a guest."""
        mother = self.people.person(female=True, last="Himberg", born=(1950, 1960))
        for title, days, hour in zip(PRIVATE_TITLES, (40, 10, -5), (9, 17, 15), strict=True):
            guests = [("Äiti", mother.email)] if title.startswith("Äidin") else []
            self.events.append(
                CalEvent(
                    uid=google_uid(self.rng),
                    summary=title,
                    start=self.at(self.ago(days), hour),
                    attendees=guests,
                    organizer=self.owner if guests else None,
                )
            )
        self.contacts.append(
            Contact(
                mother.first,
                mother.last,
                [mother.email],
                [mother.phone("spaced")],
                groups=["Perhe"],
            )
        )
        self.mark(
            mother,
            "friend_not_customer",
            source="kalenteri",
            expect="never",
            note="a guest at a private event and family in the contacts",
        )
        self.mark(mother, source="yhteystiedot")
        for _ in range(2):
            p = self.people.person()
            self.contacts.append(
                Contact(
                    p.first,
                    p.last,
                    [p.email],
                    [self.phone(p, "yhteystiedot")],
                    groups=["Ystävät"],
                    birthday=p.birth,
                )
            )
            self.mark(p, "friend_not_customer", source="yhteystiedot", expect="never")

    def contact(self, person: Person, chance: float) -> None:
        if any(c.first == person.first and c.last == person.last for c in self.contacts):
            return
        if self.rng.random() < chance:
            self.contacts.append(
                Contact(
                    person.first,
                    person.last,
                    [self.email(person, "yhteystiedot")],
                    [self.phone(person, "yhteystiedot")],
                    groups=["Asiakkaat"],
                )
            )
            self.mark(person, source="yhteystiedot")

    def invoice(self, person: Person, day: date, item: str, amount: float) -> None:
        number = self.numbers.setdefault(person.serial, str(501 + len(self.numbers)))
        due = day + timedelta(days=14)
        status = "Maksettu" if due < self.today else "Avoin"
        self.invoices.append(
            Invoice("", day, due, number, person.name, person.email, "", amount, status, item)
        )
        self.mark(person, source="laskut")
        self.activity(person, day)

    def joined(self, person: Person, day: date) -> str:
        """The join date as Siiri typed it into her sheet (once, a day that does not exist)."""
        if person.serial == self.broken:
            return f"31.6.{day.year}"
        return f"{day.day}.{day.month}.{day.year}"

    # -------------------------------------------------------------- files

    def write_files(self) -> None:
        path = self.source(
            "kalenteri", "ics", "kalenteri.ics", "appointment",
            {"calendar_name": "Leoprana",
             "owner_emails": [self.owner[1]],
             "exclude_title_pattern": "(?i)^(" + "|".join(PRIVATE_TITLES) + ")",
             "name_pattern": r"^Yksityistunti[:\s-]+(?P<name>.+)$"},
        )  # fmt: skip
        write_calendar(path, google("Leoprana"), self.events, self.stamp)

        path = self.source(
            "yhteystiedot", "google_csv", "yhteystiedot.csv", "contact", {"labels": ["Asiakkaat"]}
        )
        write_google_csv(path, sorted(self.contacts, key=lambda c: (c.first, c.last)))

        path = self.source(
            "uutiskirje", "spreadsheet", "uutiskirje.csv", "marketing",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Liittynyt",
                         "status": "Tila"},
             "status_map": {"Tilaaja": "active", "Perunut": "opted_out"}},
        )  # fmt: skip
        rows = [
            (p.name, self.email(p, "uutiskirje"), self.joined(p, day), word)
            for p, day, word in sorted(self.subscribers, key=lambda s: (s[1], s[0].name))
        ]
        write_text(path, csv_text(("Nimi", "Sähköposti", "Liittynyt", "Tila"), rows))

        path = self.source(
            "laskut", "accounting", "laskut.csv", "invoice", {"format": "fi_invoices"}
        )
        invoices = sorted(self.invoices, key=lambda i: (i.issued, i.customer_no))
        for number, invoice in enumerate(invoices, start=1201):
            invoice.number = str(number)
        held = self.numbers[self.hold]
        next(i for i in invoices if i.customer_no == held).status = "Erääntynyt"
        write_fi_invoices(path, invoices, renamed=self.broken_invoices)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, self.requests, when=self.stamp, author=self.owner[0])
