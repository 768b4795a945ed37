"""Kehobalanssi / Sanna-Kaisa Lehto: a body-care web shop and treatments.

The notice: customer register for orders and the customer relationship; it
declares name, organisation, contact details, order history and age or birth
date (not henkilötunnus); data is erased on request unless open invoices or
debt collection prevent it. It names no retention period.

Sources: the web shop's order export (UTF-8 with BOM, commas, ISO dates, a
birth date column), Google Contacts (customers and friends, no label filter),
the newsletter subscriber export, Zoho Invoice's invoice export (treatments)
and the erasure log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_google_csv,
    write_zoho_invoices,
)
from flows.demo.people import Person
from flows.demo.scenario import Scenario
from flows.demo.writers import csv_text, write_text

ORDER_HEADERS = (
    "Order Number", "Order Date", "Order Status", "Billing First Name", "Billing Last Name",
    "Billing Email", "Billing Phone", "Billing Address 1", "Billing Postcode", "Billing City",
    "Billing Country", "Date of Birth", "Order Total", "Payment Method", "Item Names",
    "Customer Note",
)  # fmt: skip
PRODUCTS = (
    ("Hierontaöljy laventeli 100 ml", 24.90),
    ("Kehonkuorinta ruusu 200 g", 29.00),
    ("Magnesiumsuihke 100 ml", 19.50),
    ("Kylpysuola eukalyptus 500 g", 14.90),
    ("Lahjakortti: hieronta 60 min", 65.00),
    ("Lämpötyyny kirsikankivi", 34.00),
)
TREATMENTS = (("Klassinen hieronta 60 min", 65.0), ("Kehonhuolto 90 min", 90.0))
PAYMENTS = ("Paytrail", "Paytrail", "MobilePay", "Klarna-lasku")
NEWSLETTER_HEADERS = ("Email", "First name", "Last name", "Status", "Subscribed on")


@dataclass
class WebOrder:
    person: Person
    when: datetime
    items: list[tuple[str, float]]
    status: str = "completed"
    note: str = ""
    garbage_date: bool = False  # the shop wrote its "no date" value for this order


class Kehobalanssi(Scenario):
    key = "kehobalanssi"
    business = "Kehobalanssi / Sanna-Kaisa Lehto"
    owner = ("Sanna-Kaisa Lehto", "sanna-kaisa@kehobalanssi.fi")
    places = (
        ("00100", "Helsinki"), ("00530", "Helsinki"), ("02100", "Espoo"), ("33100", "Tampere"),
        ("20100", "Turku"), ("40100", "Jyväskylä"), ("90100", "Oulu"), ("65100", "Vaasa"),
        ("15110", "Lahti"), ("70100", "Kuopio"),
    )  # fmt: skip

    def write(self) -> None:
        rng = self.rng
        self.orders: list[WebOrder] = []
        self.invoices: list[Invoice] = []
        self.contacts: list[Contact] = []
        self.subscribers: list[tuple[Person, datetime, str]] = []
        self.requests: list[ErasureRequest] = []
        self.numbers: dict[int, str] = {}
        customers: list[Person] = []

        for n in range(14):  # last order more than three years ago
            p = self.people.person(swedish=n in (2, 9))
            days = sorted(rng.sample(range(3 * 365 + 60, 6 * 365), rng.randint(1, 3)))
            for d in days:
                self.order(p, self.ago(d))
            self.mark(p, "old_customer", expect="delete", last_order=self.ago(days[0]))
            customers.append(p)
        for n in range(12):  # ordered within the last six months
            p = self.people.person(swedish=n == 5)
            days = sorted(rng.sample(range(2, 180), rng.randint(1, 3)))
            for d in days:
                self.order(p, self.ago(d))
            self.mark(p, "recent_order", expect="keep", last_order=self.ago(days[0]))
            customers.append(p)
        noted = self.orders[3]
        noted.note = f"Maksan laskulla, henkilötunnukseni on {noted.person.hetu}"
        self.mark(
            noted.person,
            "hetu_in_notes",
            note="a henkilötunnus in the order note; the notice declares none",
        )
        self.orders[-1].status = "processing"
        self.orders[5].status = "cancelled"

        # Treatment customers invoiced through Zoho (phone is the only shared key).
        for p in customers[10:16]:
            day = self.ago(rng.randint(20, 700))
            self.invoice(p, day, *rng.choice(TREATMENTS), status="Maksettu")
        for _ in range(3):
            p = self.people.person()
            day = self.ago(rng.randint(10, 400))
            self.invoice(p, day, *rng.choice(TREATMENTS), status="Maksettu")
            self.mark(
                p,
                "treatment_only",
                expect="keep",
                treatment=day,
                note="only invoices: bookkeeping records kept by law",
            )

        # Old orders, an overdue treatment invoice, and an erasure request.
        p = self.people.person()
        self.order(p, self.ago(1100))
        self.invoice(p, self.ago(300), *TREATMENTS[1], status="Erääntynyt")
        request = self.ago(50)
        self.requests.append(ErasureRequest(request, p.name, self.email(p, "poisto")))
        self.mark(
            p,
            "old_customer",
            "open_invoice_hold",
            "erasure_overdue",
            source="poistopyynnot",
            expect="hold",
            request_date=request,
            note="asked for erasure, but the overdue invoice holds the data",
        )

        for p in customers:
            if rng.random() < 0.5:
                self.contacts.append(
                    Contact(
                        p.first,
                        p.last,
                        [self.email(p, "yhteystiedot")],
                        [self.phone(p, "yhteystiedot")],
                        groups=["Asiakkaat"],
                    )
                )
                self.mark(p, source="yhteystiedot")
            if rng.random() < 0.45:
                when = datetime.combine(self.ago(rng.randint(10, 1500)), datetime.min.time())
                self.subscribers.append(
                    (p, when + timedelta(seconds=rng.randint(0, 86399)), "subscribed")
                )
                self.mark(p, source="uutiskirje")
                self.consented(p, "uutiskirje", when.date())
        opted = customers[-2]
        self.subscribers = [s for s in self.subscribers if s[0] is not opted]
        self.subscribers.append((opted, self.at(self.ago(12), 21, 4), "unsubscribed"))
        self.mark(opted, "marketing_opt_out", source="uutiskirje")
        self.expect_in(opted, "uutiskirje", "delete")  # an opt-out is due at once

        self.messy_cases()

        for groups in (["Ystävät"], [], ["Perhe"]):
            p = self.people.person()
            self.contacts.append(
                Contact(
                    p.first, p.last, [p.email], [p.phone("spaced")], groups=groups, birthday=p.birth
                )
            )
            self.mark(p, "friend_not_customer", source="yhteystiedot", expect="never")
        self.write_files()

    def messy_cases(self) -> None:
        """Issue #8: a garbage order date, a landline, a re-subscribed former customer."""
        rng = self.rng
        # An old customer whose newer order row has the shop's "no date" value: that
        # row may be the one that keeps them, so none of their data can be proposed.
        p = self.people.person()
        self.order(p, self.ago(rng.randint(3 * 365 + 60, 5 * 365)))
        self.order(p, self.ago(rng.randint(30, 300)))
        self.orders[-1].garbage_date = True
        self.mark(
            p,
            "garbage_date",
            source="tilaukset",
            expect="review",
            note="an order row dated 0000-00-00: the person's fate waits for the fix",
        )
        # A customer of long ago whose only phone is a landline: decided like anyone.
        p = self.people.person(landline=True, born=(1940, 1960))
        self.order(p, self.ago(rng.randint(3 * 365 + 60, 5 * 365)))
        self.mark(p, "landline", "old_customer", source="tilaukset", expect="delete")
        self.contacts.append(
            Contact(p.first, p.last, [self.email(p, "yhteystiedot")], [p.phone("spaced")])
        )
        self.mark(p, source="yhteystiedot")
        # A former customer who subscribed to the newsletter again this year.
        p = self.people.person()
        days = sorted(rng.sample(range(3 * 365 + 60, 5 * 365), 2))
        for d in days:
            self.order(p, self.ago(d))
        joined = self.at(self.ago(rng.randint(20, 250)), 20, 15)
        self.subscribers.append((p, joined, "subscribed"))
        self.mark(
            p,
            "resubscribed",
            "old_customer",
            source="tilaukset",
            expect="delete",
            last_order=self.ago(days[0]),
            note="old orders are due; the new subscription is kept until withdrawn",
        )
        self.mark(p, source="uutiskirje")
        self.consented(p, "uutiskirje", joined.date())

    # ----------------------------------------------------------- building

    def order(self, person: Person, day: date) -> None:
        items = self.rng.sample(PRODUCTS, self.rng.randint(1, 3))
        when = self.at(day, self.rng.randint(7, 22), self.rng.randint(0, 59))
        self.orders.append(WebOrder(person, when, items))
        self.mark(person, source="tilaukset")
        self.activity(person, day)

    def invoice(self, person: Person, day: date, item: str, price: float, status: str) -> None:
        number = self.numbers.setdefault(person.serial, f"{2700000000123 + len(self.numbers)}")
        due = day + timedelta(days=14)
        if status == "Maksettu" and due >= self.today:
            status = "Avoin"
        self.invoices.append(
            Invoice(
                "",
                day,
                due,
                number,
                person.name,
                "",
                "",
                price,
                status,
                item,
                phone=self.phone(person, "zoho"),
            )
        )
        self.mark(person, source="laskut")
        self.activity(person, day)

    # -------------------------------------------------------------- files

    def write_files(self) -> None:
        rows = []
        ordered = sorted(self.orders, key=lambda o: (o.when, o.person.name))
        for number, o in enumerate(ordered, start=10245):
            p = o.person
            total = sum(price for _, price in o.items)
            rows.append(
                (
                    number,
                    "0000-00-00 00:00:00" if o.garbage_date else f"{o.when:%Y-%m-%d %H:%M:%S}",
                    o.status,
                    p.first,
                    p.last,
                    self.email(p, "tilaukset").strip(),
                    self.phone(p, "tilaukset"),
                    p.street,
                    p.postcode,
                    p.city,
                    "FI",
                    p.birth.isoformat(),
                    f"{total:.2f}",
                    self.rng.choice(PAYMENTS),
                    ", ".join(name for name, _ in o.items),
                    o.note,
                )
            )
        path = self.source(
            "tilaukset", "spreadsheet", "tilaukset.csv", "order",
            {"columns": {"record_id": "Order Number", "first_name": "Billing First Name",
                         "last_name": "Billing Last Name", "email": "Billing Email",
                         "phone": "Billing Phone", "event_date": "Order Date"},
             "categories": {"address": ["Billing Address 1", "Billing Postcode", "Billing City"],
                            "birth_date": ["Date of Birth"], "note": ["Customer Note"]}},
        )  # fmt: skip
        write_text(path, csv_text(ORDER_HEADERS, rows, newline="\n"), bom=True)

        path = self.source("yhteystiedot", "google_csv", "yhteystiedot.csv", "contact")
        write_google_csv(path, sorted(self.contacts, key=lambda c: (c.first, c.last)))

        path = self.source(
            "uutiskirje", "spreadsheet", "uutiskirje.csv", "marketing",
            {"columns": {"email": "Email", "first_name": "First name", "last_name": "Last name",
                         "status": "Status", "event_date": "Subscribed on"},
             "status_map": {"subscribed": "active", "unsubscribed": "opted_out"}},
        )  # fmt: skip
        subscribers = sorted(self.subscribers, key=lambda s: (s[1], s[0].name))
        audience = [
            (self.email(p, "uutiskirje"), p.first, p.last, word, f"{when:%Y-%m-%d %H:%M:%S}")
            for p, when, word in subscribers
        ]
        write_text(path, csv_text(NEWSLETTER_HEADERS, audience, newline="\n"))

        path = self.source(
            "laskut", "accounting", "laskut-zoho.csv", "invoice", {"format": "zoho_invoices"}
        )
        invoices = sorted(self.invoices, key=lambda i: (i.issued, i.customer_no))
        ids = {}
        for n, invoice in enumerate(invoices, start=1):
            invoice.number = f"INV-{n:06d}"
            ids[invoice.number] = str(2520018000000073144 + 17 * n)
        write_zoho_invoices(path, invoices, ids, renamed=self.broken_invoices)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, self.requests, when=self.stamp, author=self.owner[0])
