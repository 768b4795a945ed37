"""Prover Oy / Piia Tulisalo, Seinäjoki: coaching for client companies.

The notice: the register is maintained at least every five years, removing
inactive customers; whoever asks for erasure is erased within two days;
coaching summaries are kept two years after the active assignment. Its
sources: Outlook address book and calendar, assignment contracts, the
per-client coaching summaries, the newsletter (Mailchimp), invoicing.

Sources here: the Outlook calendar export (Windows time zone name, the
organiser is Piia, attendees at the client companies' domains), Outlook
contacts (English headers, category filter), the assignment list in Excel,
the folder of coaching summaries, the Mailchimp audience export, the invoice
export and the erasure log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flows.demo.calendar import HELSINKI, CalEvent, outlook, outlook_uid, write_calendar
from flows.demo.formats import (
    Contact,
    ErasureRequest,
    Invoice,
    write_erasure_log,
    write_fi_invoices,
    write_outlook_csv,
)
from flows.demo.people import Person, make_ytunnus
from flows.demo.scenario import Scenario
from flows.demo.writers import Sheet, csv_text, set_mtime, write_text, write_xlsx

COMPANIES = (
    ("Lakeuden Konepaja Oy", "lakeudenkonepaja.fi"),
    ("Pohjanmaan Puutuote Oy", "pohjanmaanpuutuote.fi"),
    ("Kyrönmaan Energia Oy", "kyronmaanenergia.fi"),
    ("Seinäjoen Hoivapalvelut Oy", "sjkhoivapalvelut.fi"),
    ("Vaasan Satamalogistiikka Oy", "vaasansatamalogistiikka.fi"),
)
ACCOUNTANT = ("Tilipalvelu Kivistö Oy", "tilipalvelukivisto.fi")
TITLES = (
    "Tuotantopäällikkö",
    "Henkilöstöpäällikkö",
    "Tiiminvetäjä",
    "Myyntijohtaja",
    "Palveluesimies",
    "Talouspäällikkö",
    "Projektipäällikkö",
)
GOALS = (
    "Esimiestyön selkeyttäminen muutostilanteessa",
    "Oman johtamistyylin kirkastaminen",
    "Tiimin vuorovaikutuksen kehittäminen",
    "Urasuunnitelma seuraavalle kolmelle vuodelle",
    "Ajanhallinta ja priorisointi uudessa roolissa",
)
HEALTH_GOAL = "Jaksaminen ja uupumus kevään kiireiden jälkeen"
ENGAGEMENT_HEADERS = (
    "Asiakas",
    "Yritys",
    "Sähköposti",
    "Puhelin",
    "Alkupäivä",
    "Loppupäivä",
    "Tila",
    "Coaching-tunnit",
)
MAILCHIMP_HEADERS = (
    "Email Address",
    "First Name",
    "Last Name",
    "Phone Number",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "CONFIRM_TIME",
    "LAST_CHANGED",
    "TAGS",
    "Email Marketing",
)
SUMMARY_DIR = "coaching-koonnit"


@dataclass
class Company:
    name: str
    domain: str
    ytunnus: str
    number: str


@dataclass
class Coachee:
    person: Person
    company: Company | None
    start: date
    end: date | None
    sessions: list[date] = field(default_factory=list)
    goal: str = ""
    garbage_end: bool = False  # the end date cell holds a day that does not exist


class Prover(Scenario):
    key = "prover"
    business = "Prover Oy"
    register = "asiakas-ja-markkinointirekisteri"
    owner = ("Piia Tulisalo", "piia@piiatulisalo.fi")
    places = (
        ("60100", "Seinäjoki"), ("60120", "Seinäjoki"), ("60200", "Seinäjoki"),
        ("61500", "Isokyrö"), ("62100", "Lapua"), ("65100", "Vaasa"), ("61300", "Kurikka"),
        ("60800", "Ilmajoki"),
    )  # fmt: skip

    def write(self) -> None:
        rng = self.rng
        self.companies = [
            Company(name, domain, make_ytunnus(rng), str(301 + n))
            for n, (name, domain) in enumerate(COMPANIES)
        ]
        self.coachees: list[Coachee] = []
        self.events: list[CalEvent] = []
        self.invoices: list[Invoice] = []
        self.contacts: list[Contact] = []
        self.subscribers: list[tuple[Person, datetime, str]] = []
        self.requests: list[ErasureRequest] = []
        self.collection: Person | None = None

        for n in range(5):  # active assignments
            c = self.coachee(self.ago(rng.randint(30, 200)), None, endless=n == 0)
            tags = ("endless_series",) if n == 0 else ()
            self.mark(c.person, "active_engagement", *tags, expect="keep")
        recent = []
        for _ in range(4):  # ended within the last year
            end = self.ago(rng.randint(90, 330))
            c = self.coachee(end - timedelta(days=rng.randint(90, 200)), end)
            self.mark(c.person, "summary_recent", expect="keep", engagement_end=end)
            recent.append(c)
        older = []
        for _ in range(5):  # ended two to four years ago: summaries are due
            end = self.ago(rng.randint(800, 1450))
            c = self.coachee(end - timedelta(days=rng.randint(90, 250)), end)
            # Only the summaries are due: the rest follows the five-year maintenance
            # (the old truth "delete" for all of them was wrong).
            self.mark(
                c.person,
                "summary_expired",
                expect="keep",
                engagement_end=end,
                note="summaries are due two years after the assignment; other traces "
                "follow the five-year maintenance",
            )
            self.expect_in(c.person, "koonnit", "delete")
            older.append(c)
        for _ in range(3):  # ended more than five years ago: everything is due
            end = self.ago(rng.randint(2000, 2250))
            c = self.coachee(end - timedelta(days=rng.randint(90, 200)), end)
            self.mark(
                c.person, "inactive_5y", "summary_expired", expect="delete", engagement_end=end
            )

        # Private clients who pay themselves; one bill is with a collection agency.
        c = self.coachee(self.ago(1100), self.ago(900), private=True)
        self.collection = c.person
        self.mark(
            c.person,
            "collection_hold",
            "summary_expired",
            expect="hold",
            engagement_end=c.end or self.today,
        )
        c = self.coachee(self.ago(100), None, private=True)
        self.mark(c.person, "active_engagement", expect="keep")
        end = self.ago(rng.randint(120, 300))
        c = self.coachee(end - timedelta(days=120), end, private=True)
        self.mark(c.person, "summary_recent", expect="keep", engagement_end=end)

        health = older[1]
        health.goal = HEALTH_GOAL
        self.mark(
            health.person, "health_note", note="a coaching summary speaks of exhaustion (uupumus)"
        )

        pending, overdue = recent[0].person, older[0].person
        for person, days, tag, expect in (
            (pending, 1, "erasure_pending", "delete"),  # proposed the day it arrives
            (overdue, 5, "erasure_overdue", "delete"),
        ):
            day = self.ago(days)
            self.requests.append(ErasureRequest(day, person.name, self.email(person, "poisto")))
            self.mark(
                person,
                tag,
                source="poistopyynnot",
                expect=expect,
                request_date=day,
                note="the notice promises erasure within two days",
            )

        self.messy_cases()
        self.newsletter()
        self.others()
        self.write_files()

    def messy_cases(self) -> None:
        """Issue #8: a garbage end date, a landline, keyless entries, a re-subscriber."""
        rng = self.rng
        end = self.ago(rng.randint(2000, 2250))
        c = self.coachee(end - timedelta(days=rng.randint(90, 200)), end)
        c.garbage_end = True
        self.mark(
            c.person,
            "garbage_date",
            expect="review",
            note="the assignment's end date is 31.9.: nothing of theirs is proposed until "
            "it is fixed",
        )
        end = self.ago(rng.randint(2000, 2250))
        c = self.coachee(end - timedelta(days=120), end, private=True, landline=True)
        self.mark(c.person, "landline", "inactive_5y", expect="delete", engagement_end=end)
        end = self.ago(rng.randint(2000, 2250))
        c = self.coachee(end - timedelta(days=rng.randint(90, 200)), end)
        self.mark(
            c.person,
            "resubscribed",
            "inactive_5y",
            expect="delete",
            engagement_end=end,
            note="inactive for five years, but subscribed to the newsletter again this year",
        )
        when = self.at(self.ago(rng.randint(20, 250)), 19)
        self.subscribers.append((c.person, when, "Subscribed"))
        self.mark(c.person, source="uutiskirje")
        self.consented(c.person, "uutiskirje", when.date())
        self.resubscribed = c.person
        # Old calls typed as "Coaching / Matti K.": no attendee, the surname abbreviated.
        active = next(x for x in self.coachees if x.end is None and x.company)
        held = self.collection
        assert held is not None
        for n, (p, why) in enumerate(
            ((active.person, "assignment active"), (held, "debt collection"), (c.person, "due"))
        ):
            event = CalEvent(
                uid=outlook_uid(rng),
                summary=f"Coaching / {p.first} {p.last[0]}.",
                start=self.at(self.ago(1850 + 40 * n), 14),
                minutes=60,
                organizer=self.owner,
                location="Puhelin",
            )
            self.events.append(event)
            self.record(p, "kalenteri", "review", uid=event.uid, note=f"keyless entry; {why}")
            self.mark(p, "keyless_calendar")

    # ----------------------------------------------------------- building

    def coachee(
        self,
        start: date,
        end: date | None,
        *,
        endless: bool = False,
        private: bool = False,
        landline: bool = False,
    ) -> Coachee:
        rng = self.rng
        company = None if private else rng.choice(self.companies)
        person = self.people.person(domain=company.domain if company else None, landline=landline)
        c = Coachee(person, company, start, end, goal=rng.choice(GOALS))
        start = self.weekday_on_or_before(start, rng.randint(0, 4))
        last = end or self.today + timedelta(days=rng.randint(20, 60))
        count = max(2, (last - start).days // 14 + 1)
        c.sessions = [start + timedelta(days=14 * k) for k in range(count)]
        self.coachees.append(c)
        # A moved last session may fall two days later: _settle_consents allows for it.
        self.activity(person, *c.sessions, c.end)
        if company:
            event = CalEvent(
                uid=outlook_uid(rng),
                summary=f"{'Työnohjaus' if endless else 'Coaching'} / {person.name}",
                start=self.at(start, rng.choice((8, 10, 13, 15))),
                minutes=90,
                count=None if endless else count,
                interval_weeks=2,
                attendees=[(person.name, self.email(person, "kalenteri"))],
                organizer=self.owner,
                location=rng.choice(("Microsoft Teams -kokous", company.name, "Kauppakatu 9 A 4")),
            )
            # Draw unconditionally: the people must not depend on the run date.
            skip_one = rng.random() < 0.5
            if count > 4 and skip_one:
                event.exdates.append(event.start + timedelta(weeks=4))
            if not endless and len(self.events) == 2:
                last_planned = event.start + timedelta(weeks=2 * (count - 1))
                event.moved[last_planned] = last_planned + timedelta(days=2, hours=1)
            self.events.append(event)
            self.mark(person, source="kalenteri")
            self.invoice_company(c)
            self.contact(c, 0.85)
        else:
            self.invoice_private(c)
            self.contact(c, 0.5)
        self.mark(person, source="toimeksiannot")
        if any(d <= self.today for d in c.sessions):
            self.mark(person, source="koonnit")
        return c

    def invoice_company(self, c: Coachee) -> None:
        assert c.company is not None
        for day in (c.sessions[0], c.end):
            if day is None or day > self.today:
                continue
            due = day + timedelta(days=14)
            self.invoices.append(
                Invoice(
                    "",
                    day,
                    due,
                    c.company.number,
                    c.company.name,
                    f"laskut@{c.company.domain}",
                    c.company.ytunnus,
                    1450.0,
                    "Maksettu" if due < self.today else "Avoin",
                    f"Coaching-toimeksianto {c.person.name}",
                )
            )

    def invoice_private(self, c: Coachee) -> None:
        number = str(401 + sum(1 for x in self.coachees if x.company is None))
        for day in (c.sessions[0], c.end):
            if day is None or day > self.today:
                continue
            due = day + timedelta(days=14)
            p = c.person
            self.invoices.append(
                Invoice(
                    "",
                    day,
                    due,
                    number,
                    p.name,
                    self.email(p, "laskut").strip(),
                    "",
                    480.0,
                    "Maksettu" if due < self.today else "Avoin",
                    "Coaching 4 x 60 min",
                )
            )
        self.mark(c.person, source="laskut")

    def contact(self, c: Coachee, chance: float) -> None:
        if self.rng.random() < chance:
            p = c.person
            self.contacts.append(
                Contact(
                    p.first,
                    p.last,
                    [self.email(p, "yhteystiedot")],
                    [self.phone(p, "yhteystiedot")],
                    groups=["Asiakkaat"],
                    company=c.company.name if c.company else "",
                    title=self.rng.choice(TITLES) if c.company else "",
                )
            )
            self.mark(p, source="yhteystiedot")

    def newsletter(self) -> None:
        rng = self.rng
        for c in self.coachees:
            if c.person is self.resubscribed:
                continue
            if rng.random() < 0.5:
                when = self.at(self.ago(rng.randint(20, 1500)), rng.randint(7, 22))
                self.subscribers.append((c.person, when, "Subscribed"))
                self.mark(c.person, source="uutiskirje")
                self.consented(c.person, "uutiskirje", when.date())
        opted = self.coachees[5].person
        self.subscribers = [s for s in self.subscribers if s[0] is not opted]
        self.subscribers.append((opted, self.at(self.ago(40), 20), "Unsubscribed"))
        self.mark(opted, "marketing_opt_out", source="uutiskirje")
        self.expect_in(opted, "uutiskirje", "delete")
        for _ in range(3):
            p = self.people.person()
            self.subscribers.append((p, self.at(self.ago(rng.randint(10, 900)), 12), "Subscribed"))
            self.mark(
                p,
                "newsletter_only",
                source="uutiskirje",
                expect="never",
                note="subscribed to the blog newsletter; no customer history",
            )

    def others(self) -> None:
        """The accountant and friends in Outlook; the owner's own calendar entries."""
        accountant = self.people.person(domain=ACCOUNTANT[1])
        self.contacts.append(
            Contact(
                accountant.first,
                accountant.last,
                [accountant.email],
                [accountant.phone("spaced")],
                ["Yhteistyökumppanit"],
                company=ACCOUNTANT[0],
                title="Kirjanpitäjä",
            )
        )
        self.events.append(
            CalEvent(
                uid=outlook_uid(self.rng),
                summary="Tilinpäätöspalaveri",
                start=self.at(self.ago(150), 9),
                attendees=[(accountant.name, accountant.email)],
                organizer=self.owner,
            )
        )
        self.mark(
            accountant,
            "partner_not_customer",
            source="yhteystiedot",
            expect="never",
            note="the accountant: category Yhteistyökumppanit, domain not a client's",
        )
        self.mark(accountant, source="kalenteri")
        for groups in (["Ystävät"], []):
            p = self.people.person()
            self.contacts.append(Contact(p.first, p.last, [p.email], [p.phone("intl")], groups))
            self.mark(p, "friend_not_customer", source="yhteystiedot", expect="never")
        for title, days, hour in (("Hammaslääkäri", 12, 8), ("Vanhempainilta", -4, 18)):
            self.events.append(
                CalEvent(
                    uid=outlook_uid(self.rng),
                    summary=title,
                    start=self.at(self.ago(days), hour),
                    private=True,
                )
            )

    # -------------------------------------------------------------- files

    def summary_text(self, c: Coachee, day: date, n: int) -> str:
        p = c.person
        lines = [
            "COACHING-KOONTI",
            f"Asiakas: {p.name}",
            f"Organisaatio: {c.company.name if c.company else '-'}",
            f"Päivämäärä: {day.day}.{day.month}.{day.year}",
            f"Lähetetty asiakkaalle: {p.email}",
            "",
            "Tavoite",
            c.goal,
            "",
            "Keskustelun pääkohdat",
            f"- Tapaaminen {n}: nykytilanne ja mitä on muuttunut edellisestä kerrasta",
            "- Vahvuudet, joihin voi nojata",
            "",
            "Sovitut seuraavat askeleet",
            "- Kokeillaan sovittua toimintatapaa kahden viikon ajan",
            "- Seuraavalla kerralla käydään läpi havainnot",
        ]
        return "\r\n".join(lines) + "\r\n"

    def write_files(self) -> None:
        rng = self.rng
        author = self.owner[0]
        path = self.source(
            "kalenteri", "ics", "kalenteri.ics", "appointment",
            {"owner_emails": [self.owner[1]],
             "attendee_domains": [company.domain for company in self.companies],
             "name_pattern": r"^(?:Coaching|Työnohjaus)\s*/\s*(?P<name>.+)$"},
        )  # fmt: skip
        write_calendar(path, outlook("Kalenteri"), self.events, self.stamp)

        path = self.source(
            "yhteystiedot",
            "outlook_csv",
            "yhteystiedot.csv",
            "contact",
            {"categories": ["Asiakkaat"]},
        )
        write_outlook_csv(path, sorted(self.contacts, key=lambda c: (c.last, c.first)), "en")

        rows = []
        for c in sorted(self.coachees, key=lambda c: (c.start, c.person.name)):
            p = c.person
            done = [d for d in c.sessions if d <= self.today]
            rows.append(
                (
                    p.name,
                    c.company.name if c.company else "",
                    self.email(p, "toimeksiannot"),
                    self.phone(p, "toimeksiannot"),
                    c.start,
                    f"31.9.{c.end.year}" if c.end and c.garbage_end else c.end,
                    "Päättynyt" if c.end else "Käynnissä",
                    len(done) * 1.5,
                )
            )
        path = self.source(
            "toimeksiannot", "spreadsheet", "toimeksiannot.xlsx", "engagement",
            {"columns": {"name": "Asiakas", "email": "Sähköposti", "phone": "Puhelin",
                         "event_date": "Alkupäivä", "end_date": "Loppupäivä", "status": "Tila"},
             "status_map": {"Käynnissä": "active", "Päättynyt": "ended"},
             "categories": {"organisation": ["Yritys"]}},
            system_of_record=True,
        )  # fmt: skip
        sheet = Sheet(
            "Toimeksiannot",
            ENGAGEMENT_HEADERS,
            rows,
            widths={"Asiakas": 22, "Yritys": 28, "Sähköposti": 36},
        )
        write_xlsx(path, [sheet], when=self.stamp, author=author)

        folder = self.source(
            "koonnit",
            "folder",
            SUMMARY_DIR,
            "summary",
            {
                "include": ["*.txt"],
                "content_pattern": r"Lähetetty asiakkaalle:\s*(?P<email>\S+@\S+)",
            },
            system_of_record=True,
        )
        folder.mkdir(parents=True, exist_ok=True)
        for c in self.coachees:
            done = [d for d in c.sessions if d <= self.today]
            for n, day in enumerate(done[:: max(1, len(done) // 3)][:3], start=1):
                file = folder / f"{c.person.name} {day.isoformat()}.txt"
                write_text(file, self.summary_text(c, day, n))
                set_mtime(
                    file,
                    datetime.combine(day, datetime.min.time()).replace(hour=16, tzinfo=HELSINKI),
                )

        path = self.source(
            "uutiskirje", "spreadsheet", "uutiskirje.csv", "marketing",
            {"columns": {"email": "Email Address", "first_name": "First Name",
                         "last_name": "Last Name",
                         "event_date": "LAST_CHANGED", "status": "Email Marketing"},
             "status_map": {"Subscribed": "active", "Unsubscribed": "opted_out"}},
        )  # fmt: skip
        audience: list[tuple[object, ...]] = []
        for p, when, word in sorted(self.subscribers, key=lambda s: (s[1], s[0].name)):
            optin = f"{when:%Y-%m-%d %H:%M:%S}"
            changed = when + timedelta(minutes=rng.randint(1, 600))
            audience.append(
                (
                    self.email(p, "uutiskirje").strip(),
                    p.first,
                    p.last,
                    "",
                    rng.randint(1, 5),
                    optin,
                    optin,
                    f"{changed:%Y-%m-%d %H:%M:%S}",
                    '"Blogi"',
                    word,
                )
            )
        write_text(path, csv_text(MAILCHIMP_HEADERS, audience, newline="\n"))

        path = self.source(
            "laskut", "accounting", "laskut.csv", "invoice", {"format": "fi_invoices"}
        )
        invoices = sorted(self.invoices, key=lambda i: (i.issued, i.customer_no))
        for number, invoice in enumerate(invoices, start=20101):
            invoice.number = str(number)
        if self.collection is not None:
            name = self.collection.name
            [i for i in invoices if i.name == name][-1].status = "Perinnässä"
        write_fi_invoices(path, invoices, renamed=self.broken_invoices)

        path = self.source(
            "poistopyynnot", "spreadsheet", "poistopyynnot.xlsx", "erasure_request",
            {"columns": {"name": "Nimi", "email": "Sähköposti", "event_date": "Päivämäärä"}},
        )  # fmt: skip
        write_erasure_log(path, self.requests, when=self.stamp, author=author)
