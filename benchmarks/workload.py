"""The benchmark workload: a realistic synthetic workspace of any size, built on the demo.

One business (Tmi Krista Kohonen's notice, ``policies/examples/kohonen.yaml``)
with ``customers`` people and about ten traces each, in seven sources that
use every file connector, written by the demo generator's own writers
(``flows.demo``): the order list (spreadsheet, XLSX), the invoice export
(accounting, Windows-1252 CSV), Outlook, Google and iPhone contacts
(outlook_csv, google_csv, vcard), the coaching calendar (ics) and the
coaching summaries folder (folder), plus the erasure request log
(spreadsheet). Realistic noise: e-mail and phone spelled differently per
source, people in several contact books, open invoices and debt collection
(holds), name-only calendar entries (keyless reviews), a few broken dates
(row problems), erasure requests.

Deterministic: the same size and seed give the same files. Built workspaces
are cached under ``benchmarks/.cache/<size>-<seed>/`` (git-ignored).

    python -m benchmarks.workload S        # builds (or finds) the S workspace
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

from flows.demo.calendar import CalEvent, google, google_uid, write_calendar
from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_fi_invoices,
    write_google_csv,
    write_iphone_vcf,
    write_outlook_csv,
)
from flows.demo.kohonen import ORDER_HEADERS, PRODUCTS, Kohonen
from flows.demo.people import Person
from flows.demo.writers import Sheet, write_text, write_xlsx
from policies.examples import example_path

#: customers per size; ``tiny`` is the test suite's
SIZES = {"tiny": 60, "S": 500, "M": 20_000, "L": 100_000}
TODAY = date(2026, 11, 1)
SEED = 13
CACHE = Path(__file__).resolve().parent / ".cache"
DONE = ".complete"


class Workload(Kohonen):
    """Kohonen's business at scale: the same sources and notice, many more customers."""

    key = "bench"

    def __init__(self, root: Path, customers: int, seed: int) -> None:
        super().__init__(root, TODAY, random.Random(f"karsinta-bench:{seed}:{customers}"))
        self.customers = customers

    def write(self) -> None:
        rng = self.rng
        orders: list[tuple[date | str, Person]] = []
        invoices: list[Invoice] = []
        outlook: list[Contact] = []
        gmail: list[Contact] = []
        iphone: list[Contact] = []
        events: list[CalEvent] = []
        requests: list[ErasureRequest] = []
        summaries: list[tuple[Person, date]] = []
        for n in range(self.customers):
            p = self.people.person(allow_same_name=True)
            last = self.ago(rng.randint(1, 4 * 365))
            days = sorted(
                {last - timedelta(days=rng.randint(0, 700)) for _ in range(rng.randint(1, 7))}
            )
            days = [d for d in days if d <= last] or [last]
            for day in days:
                # about one order row in 500 has a date that is no date: a row problem
                orders.append(("31.6.2024" if rng.random() < 0.002 else day, p))
            if rng.random() < 0.8:
                customer_no = str(10_000 + n)
                for day in rng.sample(days, k=min(len(days), rng.randint(1, 3))):
                    roll = rng.random()
                    status = "Perinnässä" if roll < 0.01 else "Avoin" if roll < 0.04 else "Maksettu"
                    invoices.append(
                        Invoice(
                            "", day, day + timedelta(days=14), customer_no, p.name,
                            self.email(p, "laskut"), "", round(rng.uniform(12, 300), 2), status,
                        )
                    )  # fmt: skip
            contact = Contact(p.first, p.last, [p.email], [p.phone("spaced")])
            for book, share in ((outlook, 0.8), (gmail, 0.6), (iphone, 0.5)):
                if rng.random() < share:
                    book.append(contact)
            if rng.random() < 0.35:
                start = self.at(last - timedelta(days=rng.randint(0, 200)), rng.randint(8, 17))
                events.append(
                    CalEvent(
                        google_uid(rng), f"{p.name} – sparraus", start,
                        count=rng.choice((1, 1, 4, 6)),
                        attendees=[(p.name, self.email(p, "valmennukset"))],
                        organizer=self.owner,
                    )
                )  # fmt: skip
            if rng.random() < 0.02:  # booked by phone: a name and nothing else
                start = self.at(self.ago(rng.randint(30, 900)), 12)
                events.append(
                    CalEvent(google_uid(rng), f"{p.first} {p.last[0]}. – sparraus", start)
                )
            if rng.random() < 0.05:
                summaries.append((p, last))
            if rng.random() < 0.005:
                requests.append(ErasureRequest(self.ago(rng.randint(1, 60)), p.name, p.email))
        self._write_sources(orders, invoices, outlook, gmail, iphone, events, requests, summaries)

    def _write_sources(  # type: ignore[no-untyped-def]
        self, orders, invoices, outlook, gmail, iphone, events, requests, summaries
    ) -> None:
        author = self.owner[0]
        rows = []
        for number, (day, p) in enumerate(orders, start=3001):
            product, price = PRODUCTS[number % len(PRODUCTS)]
            email_style, phone_style = self.style(p, "tilaukset")
            rows.append(
                (
                    number, day, p.name, p.email_as(email_style), p.phone(phone_style),
                    p.street, p.postcode, p.city, product, 1, price, None,
                )
            )  # fmt: skip
        path = self.source(
            "tilaukset", "spreadsheet", "tilaukset.xlsx", "order",
            {"sheet": "Tilaukset",
             "columns": {"record_id": "Tilausnro", "name": "Nimi", "email": "Sähköposti",
                         "phone": "Puhelin", "event_date": "Tilauspäivä"},
             "categories": {"address": ["Osoite", "Postinumero", "Postitoimipaikka"]}},
            system_of_record=True,
        )  # fmt: skip
        write_xlsx(path, [Sheet("Tilaukset", ORDER_HEADERS, rows)], when=self.stamp, author=author)

        path = self.source(
            "laskut", "accounting", "laskut.csv", "invoice", {"format": "fi_invoices"}
        )
        invoices.sort(key=lambda i: (i.issued, i.customer_no))
        for number, invoice in enumerate(invoices, start=10_001):
            invoice.number = str(number)
        write_fi_invoices(path, invoices)

        write_outlook_csv(
            self.source("outlook", "outlook_csv", "yhteystiedot.csv", "contact"), outlook, "fi"
        )
        write_google_csv(self.source("google", "google_csv", "google.csv", "contact"), gmail)
        write_iphone_vcf(self.source("iphone", "vcard", "iphone.vcf", "contact"), iphone)

        path = self.source(
            "valmennukset", "ics", "valmennukset.ics", "engagement",
            {"title_pattern": r"sparraus$", "owner_emails": [self.owner[1]],
             "name_pattern": r"^(?P<name>.+?)\s+[–-]\s+sparraus$"},
        )  # fmt: skip
        write_calendar(path, google("Valmennukset"), events, self.stamp)

        folder = self.source(
            "koonnit", "folder", "koonnit", "engagement",
            {"include": ["*.txt"],
             "content_pattern": r"Lähetetty asiakkaalle:\s*(?P<email>\S+@\S+)"},
        )  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        for p, day in summaries:
            text = f"Valmennuksen koonti {day.isoformat()}\nLähetetty asiakkaalle: {p.email}\n"
            file = folder / f"{p.name} {day.isoformat()}.txt"
            if not file.exists():  # a namesake on the same day: one file is enough
                write_text(file, text)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, requests, when=self.stamp, author=author)


def workspace(size: str, seed: int = SEED, cache: Path = CACHE) -> Path:
    """The workspace folder of ``size`` (built once, then found in the cache)."""
    root = cache / f"{size}-{seed}"
    folder = root / Workload.key
    if (root / DONE).is_file():
        return folder
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    Workload(root, SIZES[size], seed).build()
    shutil.copyfile(example_path("kohonen"), folder / "rekisteri.yaml")
    (root / DONE).write_text("ok\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    for name in sys.argv[1:] or ["S"]:
        print(workspace(name))
