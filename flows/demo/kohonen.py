"""Tmi Krista Kohonen, Kouvola: coaching and product orders.

The notice: order data is kept two months after the last order; coaching
data three months (after the coaching ends); data is erased on request unless
open invoices or debt collection prevent it. It declares henkilötunnus.

Sources: the owner's own order list (Excel, system of record), her Apple
calendar with the coaching series, Outlook contacts (Finnish Outlook), the
accounting software's invoice export, and her erasure request log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flows.demo.calendar import CalEvent, apple, apple_uid, write_calendar
from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_fi_invoices,
    write_outlook_csv,
)
from flows.demo.people import Person
from flows.demo.scenario import Scenario
from flows.demo.writers import Sheet, write_xlsx

PRODUCTS = (
    ("Kollageenijauhe 300 g", 39.90),
    ("Omega-3 kapselit 120 kpl", 29.90),
    ("Magnesium + B6 90 tabl.", 19.90),
    ("Proteiinijauhe vanilja 750 g", 44.90),
    ("D-vitamiini 50 µg 200 tabl.", 12.90),
    ("Hyvinvointiopas (kirja)", 24.00),
    ("Teepaketti Rauha", 14.50),
)
ORDER_HEADERS = (
    "Tilausnro", "Tilauspäivä", "Nimi", "Sähköposti", "Puhelin", "Osoite", "Postinumero",
    "Postitoimipaikka", "Tuote", "Määrä", "Summa (€)", "Lisätiedot",
)  # fmt: skip


@dataclass
class Order:
    person: Person
    day: date
    product: str
    qty: int
    price: float
    note: str = ""
    garbage: str | None = None  # what was typed in the date cell instead of a date


class Kohonen(Scenario):
    key = "kohonen"
    business = "Tmi Krista Kohonen"
    owner = ("Krista Kohonen", "kristakatariina@outlook.com")
    places = (
        ("45100", "Kouvola"), ("45130", "Kouvola"), ("45700", "Kuusankoski"),
        ("45360", "Valkeala"), ("47200", "Elimäki"), ("46800", "Anjalankoski"),
        ("45610", "Koria"),
    )  # fmt: skip

    def write(self) -> None:
        rng = self.rng
        self.orders: list[Order] = []
        self.events: list[CalEvent] = []
        self.invoices: list[Invoice] = []
        self.contacts: list[Contact] = []
        self.requests: list[ErasureRequest] = []
        self.customer_nos: dict[int, str] = {}
        #: the status of a person's latest invoice when it is not simply paid
        self.hold_status: dict[int, str] = {}

        # Order customers whose last order is well over two months old.
        for n in range(7):
            p = self.people.person(swedish=n == 3)
            days = sorted(rng.sample(range(80, 700), rng.randint(1, 3)))
            for d in days:
                self.order(p, self.ago(d))
            truth = self.mark(
                p,
                "expired_orders",
                source="tilaukset",
                expect="delete",
                last_order=self.ago(days[0]),
            )
            if n == 0:
                self.orders[-1].note = f"Laskulle, hetu {p.hetu}"
                truth.tags.append("hetu_in_notes")
            self.contact(p, chance=0.7)

        # Recent order customers (last order within the last 45 days).
        recent: list[Person] = []
        for n in range(6):
            p = self.people.person()
            last = rng.randint(3, 45)
            self.order(p, self.ago(last))
            if n == 0:  # old orders too: "after the last order" keeps them all
                self.order(p, self.ago(rng.randint(250, 400)))
                self.mark(p, "old_orders_kept_by_last")
            self.mark(
                p, "recent_order", source="tilaukset", expect="keep", last_order=self.ago(last)
            )
            self.contact(p, chance=0.8)
            recent.append(p)

        # A same-name contact that shares no e-mail or phone with the customer.
        namesake_of = recent[1]
        other = self.people.namesake(namesake_of)
        self.contacts.append(self.contact_for(other, groups=[]))
        self.mark(
            other,
            "name_only_match",
            source="yhteystiedot",
            expect="review",
            note="same name as an order customer, no shared e-mail or phone",
        )
        self.mark(namesake_of, "has_namesake")

        # Old orders, but an invoice is still open / in debt collection.
        p = self.people.person()
        self.order(p, self.ago(250))
        self.order(p, self.ago(200))
        self.mark(
            p,
            "expired_orders",
            "open_invoice_hold",
            source="tilaukset",
            expect="hold",
            last_order=self.ago(200),
        )
        self.contact(p, chance=1.0)
        self.hold_status[p.serial] = "Avoin"
        p = self.people.person(swedish=True)
        self.order(p, self.ago(400))
        self.mark(
            p,
            "expired_orders",
            "collection_hold",
            source="tilaukset",
            expect="hold",
            last_order=self.ago(400),
        )
        self.hold_status[p.serial] = "Perinnässä"
        self.in_collection = p

        # A customer who asked to be erased 40 days ago (overdue).
        p = self.people.person()
        self.order(p, self.ago(50))
        self.contact(p, chance=1.0)
        request = self.ago(40)
        self.requests.append(ErasureRequest(request, p.name, p.email_as("capitalised")))
        self.mark(
            p,
            "recent_order",
            "erasure_overdue",
            source="tilaukset",
            expect="delete",
            request_date=request,
            last_order=self.ago(50),
        )
        self.mark(p, source="poistopyynnot")

        # A customer of long ago with two orders three weeks apart.
        p = self.people.person()
        self.order(p, self.ago(500))
        self.order(p, self.ago(480))
        self.mark(p, "expired_orders", source="tilaukset", expect="delete",
                  last_order=self.ago(480))  # fmt: skip

        self.messy_orders()
        self.coaching(recent)
        self.keyless_entries()
        self.private_events()
        self.friends()
        self.write_files()

    def messy_orders(self) -> None:
        """Issue #8: an order date typed wrong, and a customer with only a landline."""
        rng = self.rng
        p = self.people.person()
        self.order(p, self.ago(rng.randint(200, 500)))
        self.order(p, self.ago(rng.randint(20, 120)))
        self.orders[-1].garbage = f"15.13.{self.ago(60).year}"
        self.mark(
            p,
            "garbage_date",
            source="tilaukset",
            expect="review",
            note="one order's date is 15.13.: that row may keep the person, so nothing of "
            "theirs is proposed until it is fixed",
        )
        self.contact(p, chance=1.0)
        p = self.people.person(landline=True, born=(1940, 1960))
        last = rng.randint(100, 400)
        self.order(p, self.ago(last))
        self.mark(
            p, "landline", "expired_orders", source="tilaukset", expect="delete",
            last_order=self.ago(last),
        )  # fmt: skip
        self.contact(p, chance=1.0)

    def keyless_entries(self) -> None:
        """Issue #8: coaching calls typed as 'Matti K. – sparraus', no attendee.

        The title abbreviates the surname, so nothing ties the entry to the
        customer: it must go to review, never be deleted on its own date, even
        when the real person is active or under a debt-collection hold.
        """
        people = [
            (self.endless_coachee, "active"),
            (self.in_collection, "collection hold"),
            (self.expired_coachee, "engagement over"),
        ]
        for n, (p, why) in enumerate(people):
            event = CalEvent(
                uid=apple_uid(self.rng),
                summary=f"{p.first} {p.last[0]}. – sparraus",
                start=self.at(self.ago(150 + 40 * n), 18),
                minutes=30,
                location="Puhelin",
            )
            self.events.append(event)
            self.record(
                p, "valmennukset", "review", uid=event.uid, note=f"keyless entry; person {why}"
            )
            self.mark(p, "keyless_calendar")

    # ----------------------------------------------------------- building

    def product(self) -> tuple[str, int, float]:
        name, price = self.rng.choice(PRODUCTS)
        return name, self.rng.choice((1, 1, 1, 2, 3)), price

    def order(self, person: Person, day: date) -> None:
        self.orders.append(Order(person, day, *self.product()))

    def contact_for(self, person: Person, groups: list[str]) -> Contact:
        email_style, phone_style = self.style(person, "yhteystiedot")
        return Contact(
            person.first,
            person.last,
            [person.email_as(email_style)],
            [person.phone(phone_style)],
            groups=groups,
            street=person.street,
            postcode=person.postcode,
            city=person.city,
        )

    def contact(self, person: Person, chance: float) -> None:
        if self.rng.random() < chance:
            self.contacts.append(self.contact_for(person, ["Asiakkaat"]))
            self.mark(person, source="yhteystiedot")

    def coaching(self, recent: list[Person]) -> None:
        """Coaching series in the calendar: ended, recent, endless, and a moved one."""
        owner = self.owner

        def series(
            person: Person, start: date, count: int | None, weeks: int, hour: int
        ) -> CalEvent:
            email_style, _ = self.style(person, "valmennukset")
            event = CalEvent(
                uid=apple_uid(self.rng),
                summary=f"Valmennus: {person.name}",
                start=self.at(start, hour),
                count=count,
                interval_weeks=weeks,
                use_until=count is not None and self.rng.random() < 0.5,
                attendees=[(person.name, person.email_as(email_style))],
                organizer=owner,
                location=self.rng.choice(("Teams", "Puhelin", "Kauppalankatu 11, Kouvola")),
            )
            self.events.append(event)
            return event

        for n in range(2):
            p = self.people.person()
            start = self.weekday_on_or_before(self.ago(420 - n * 160), 1 + n)
            event = series(p, start, 6 + 2 * n, 2 - n, 16)
            self.mark(
                p,
                "engagement_expired",
                source="valmennukset",
                expect="delete",
                engagement_end=event.last_date or start,
            )
            self.invoice(p, start, "Valmennuspaketti", 480.0)
            self.contact(p, chance=1.0)
            self.expired_coachee = p

        p = self.people.person()
        event = series(p, self.weekday_on_or_before(self.ago(120), 0), 6, 2, 12)
        self.mark(
            p,
            "engagement_recent",
            source="valmennukset",
            expect="keep",
            engagement_end=event.last_date or self.today,
        )
        self.invoice(p, event.first_date, "Valmennuspaketti", 480.0)
        self.contact(p, chance=1.0)

        p = self.people.person()
        event = series(p, self.weekday_on_or_before(self.ago(150), 3), None, 2, 17)
        self.mark(
            p, "endless_series", source="valmennukset", expect="keep", series_start=event.first_date
        )
        for month in range(5):
            self.invoice(p, self.ago(140 - 30 * month), "Valmennus, kuukausimaksu", 160.0)
        self.contact(p, chance=1.0)
        self.endless_coachee = p

        # Last session moved a month later: a correct reader counts the new date.
        p = self.people.person()
        start = self.weekday_on_or_before(self.ago(140), 1)
        event = series(p, start, 6, 1, 15)
        planned = event.start + timedelta(weeks=5)
        event.moved[planned] = self.at(planned.date() + timedelta(days=30), 17)
        event.exdates.append(event.start + timedelta(weeks=2))
        self.mark(
            p,
            "moved_occurrence",
            "engagement_recent",
            source="valmennukset",
            expect="keep",
            planned_end=planned.date(),
            engagement_end=event.last_date or self.today,
        )
        self.invoice(p, start, "Valmennuspaketti", 420.0)

        # A one-off session with a recent order customer (joins by e-mail).
        p = recent[2]
        series(p, self.ago(15), 1, 1, 10)
        self.mark(p, source="valmennukset")

    def private_events(self) -> None:
        """The owner's own appointments: no customer in them."""
        for title, days, hour in (
            ("Hammaslääkäri", 30, 9),
            ("Kampaaja", -3, 15),
            ("Mummon 80v synttärit", 60, 14),
        ):
            self.events.append(
                CalEvent(
                    uid=apple_uid(self.rng), summary=title, start=self.at(self.ago(days), hour)
                )
            )

    def friends(self) -> None:
        """Friends and family in the address book: never customers."""
        for n, group in enumerate(("Ystävät", "Ystävät", "Perhe")):
            p = self.people.person()
            self.contacts.append(self.contact_for(p, [group]))
            self.mark(p, "friend_not_customer", source="yhteystiedot", expect="never")
            if n == 0:  # a lunch with a friend: an event with an attendee, not coaching
                self.events.append(
                    CalEvent(
                        uid=apple_uid(self.rng),
                        summary=f"Lounas {p.first}n kanssa",
                        start=self.at(self.ago(20), 11),
                        attendees=[(p.name, p.email)],
                        organizer=self.owner,
                    )
                )
                self.mark(p, source="valmennukset")

    def invoice(self, person: Person, day: date, item: str, amount: float) -> None:
        number = self.customer_nos.setdefault(person.serial, str(1001 + len(self.customer_nos)))
        due = day + timedelta(days=14)
        status = "Maksettu" if due < self.today else "Avoin"
        email_style, _ = self.style(person, "laskut")
        self.invoices.append(
            Invoice(
                "",
                day,
                due,
                number,
                person.name,
                person.email_as(email_style).strip(),
                "",
                amount,
                status,
                item,
            )
        )
        self.mark(person, source="laskut")

    # -------------------------------------------------------------- files

    def write_files(self) -> None:
        author = self.owner[0]
        rows = []
        for order in self.orders:
            self.invoice(order.person, order.day, order.product, order.price * order.qty)
        numbered = sorted(self.orders, key=lambda o: (o.day, o.person.name))
        for number, order in enumerate(numbered, start=3001):
            p = order.person
            email_style, phone_style = self.style(p, "tilaukset")
            rows.append(
                (
                    number,
                    order.garbage or order.day,
                    p.name,
                    p.email_as(email_style),
                    p.phone(phone_style),
                    p.street,
                    p.postcode,
                    p.city,
                    order.product,
                    order.qty,
                    round(order.price * order.qty, 2),
                    order.note or None,
                )
            )
        path = self.source(
            "tilaukset", "spreadsheet", "tilaukset.xlsx", "order",
            {"sheet": "Tilaukset",
             "columns": {"record_id": "Tilausnro", "name": "Nimi", "email": "Sähköposti",
                         "phone": "Puhelin", "event_date": "Tilauspäivä"},
             "categories": {"address": ["Osoite", "Postinumero", "Postitoimipaikka"],
                            "note": ["Lisätiedot"]}},
            system_of_record=True,
        )  # fmt: skip
        sheet = Sheet(
            "Tilaukset",
            ORDER_HEADERS,
            rows,
            widths={"Nimi": 22, "Sähköposti": 32, "Tuote": 30, "Lisätiedot": 30},
        )
        write_xlsx(path, [sheet], when=self.stamp, author=author)

        path = self.source(
            "valmennukset", "ics", "valmennukset.ics", "engagement",
            {"title_pattern": r"^Valmennus|sparraus$", "owner_emails": [self.owner[1]],
             "name_pattern": r"^(?P<name>.+?)\s+[–-]\s+sparraus$"},
        )  # fmt: skip
        write_calendar(path, apple("Valmennukset"), self.events, self.stamp)

        path = self.source("yhteystiedot", "outlook_csv", "yhteystiedot.csv", "contact")
        contacts = sorted(self.contacts, key=lambda c: (c.last, c.first))
        write_outlook_csv(path, contacts, language="fi")

        path = self.source(
            "laskut", "accounting", "laskut.csv", "invoice", {"format": "fi_invoices"}
        )
        ordered = sorted(self.invoices, key=lambda i: (i.issued, i.customer_no))
        latest = {inv.name + inv.customer_no: inv for inv in ordered}
        for person_id, status in self.hold_status.items():
            customer_no = self.customer_nos[person_id]
            for invoice in latest.values():
                if invoice.customer_no == customer_no:
                    invoice.status = status
        for number, invoice in enumerate(ordered, start=10001):
            invoice.number = str(number)
        write_fi_invoices(path, ordered, renamed=self.broken_invoices)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, self.requests, when=self.stamp, author=author)
