"""Fictional Finnish people for the demo: names, e-mails, phones, henkilötunnus.

Everything is drawn from one ``random.Random`` so a seed gives the same people
every time. The data is made to look like what owners really have: Finnish
names with ä and ö, Swedish-speaking names, phone numbers typed four different
ways, e-mail addresses with odd capitals or stray spaces. The henkilötunnus
values are valid (correct check character) but belong to no one: individual
numbers are drawn at random and the names never match a real register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from connectors import trace as tr

FEMALE = (
    "Aino", "Anna", "Anneli", "Eeva", "Elina", "Emilia", "Hanna", "Heli", "Helmi", "Iida",
    "Ilona", "Jaana", "Jenna", "Johanna", "Kaisa", "Katja", "Kirsi", "Laura", "Leena", "Liisa",
    "Maija", "Marjo", "Merja", "Mervi", "Minna", "Noora", "Outi", "Päivi", "Pirjo", "Riikka",
    "Sari", "Satu", "Sirpa", "Säde", "Tiina", "Tuula", "Ulla", "Venla", "Sanni", "Milla",
)  # fmt: skip
MALE = (
    "Aki", "Antti", "Eero", "Esa", "Hannu", "Heikki", "Jari", "Juha", "Jussi", "Jyrki", "Kalle",
    "Kari", "Lauri", "Markku", "Matti", "Mikko", "Olli", "Pasi", "Pekka", "Petri", "Risto",
    "Sami", "Seppo", "Teemu", "Timo", "Tuomas", "Ville", "Väinö", "Jouni", "Ari",
)  # fmt: skip
SURNAMES = (
    "Mäkelä", "Hämäläinen", "Järvinen", "Määttä", "Lähteenmäki", "Pöyhönen", "Väisänen",
    "Kärkkäinen", "Kivelä", "Räsänen", "Heikkinen", "Koskinen", "Laine", "Lehtonen", "Niemi",
    "Nieminen", "Ojala", "Rantanen", "Salminen", "Turunen", "Virtanen", "Korhonen", "Mattila",
    "Saarinen", "Hyvönen", "Kääriäinen", "Töyrylä", "Ylönen", "Äijälä", "Hietala", "Kokkonen",
    "Peltola", "Seppälä", "Lindroos", "Honkanen", "Kauppinen", "Leppänen", "Miettinen",
    "Pitkänen", "Söderholm", "Rönkkö", "Ahonen", "Pelkonen", "Vähämäki", "Ylä-Jääski",
    "Karjalainen", "Tuominen", "Jokinen", "Hakala", "Aaltonen", "Heinonen", "Lehtinen",
    "Hiltunen", "Väänänen", "Rämö", "Kettunen", "Mäenpää", "Hyttinen", "Sipilä", "Öst",
)  # fmt: skip
SV_FEMALE = ("Ulrika", "Karin", "Linnéa", "Ebba", "Märta", "Åsa", "Johanna", "Sofia")
SV_MALE = ("Sven", "Johan", "Fredrik", "Mats", "Björn", "Henrik", "Anders", "Mikael")
SV_SURNAMES = (
    "Lindqvist", "Nyström", "Åberg", "Sjöberg", "Grönroos", "Holmström", "Wikström",
    "Sundqvist", "Blomqvist", "Öhman", "Ekström", "Björklund",
)  # fmt: skip

EMAIL_DOMAINS = (
    ("gmail.com", 9),
    ("hotmail.com", 3),
    ("outlook.com", 2),
    ("luukku.com", 1),
    ("elisanet.fi", 1),
    ("live.fi", 1),
    ("icloud.com", 1),
    ("suomi24.fi", 1),
)
STREETS = (
    "Kauppakatu", "Koulukatu", "Rantatie", "Kirkkokatu", "Myllytie", "Koivukuja", "Pihlajatie",
    "Asemakatu", "Hämeenkatu", "Puistotie", "Peltotie", "Tehtaankatu", "Mäntytie", "Vaahterakuja",
)  # fmt: skip
MOBILE_PREFIXES = ("040", "041", "044", "045", "046", "050")
#: Area codes of landlines (without the leading 0) and the subscriber number's length.
LANDLINE_AREAS = (("9", 7), ("17", 7), ("13", 6), ("2", 7), ("3", 7), ("14", 6), ("6", 7))

#: The four ways owners type a mobile number, plus E.164 as some systems store it.
PHONE_STYLES = ("spaced", "intl", "compact", "dash", "e164")
#: How an e-mail address may look in a source (same address, different spelling).
EMAIL_STYLES = ("lower", "capitalised", "upper", "padded", "mixed_domain")

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "Ä": "a", "Ö": "o", "Å": "a"})


def hetu_check_char(birth: date, individual: int) -> str:
    """The check character of a henkilötunnus: DDMMYYNNN modulo 31 into the table."""
    number = int(f"{birth:%d%m%y}{individual:03d}")
    return _HETU_CHECK[number % 31]


def make_hetu(birth: date, individual: int) -> str:
    """A valid henkilötunnus for a birth date and an individual number (2-899)."""
    if not 2 <= individual <= 899:
        raise ValueError("individual number must be 002-899")
    if 1900 <= birth.year <= 1999:
        sign = "-"
    elif 2000 <= birth.year <= 2099:
        sign = "A"
    else:
        sign = "+"
    return f"{birth:%d%m%y}{sign}{individual:03d}{hetu_check_char(birth, individual)}"


def make_ytunnus(rng: random.Random) -> str:
    """A valid-looking Y-tunnus (business id) with a correct check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    while True:
        digits = [rng.randint(1, 3)] + [rng.randint(0, 9) for _ in range(6)]
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder == 1:
            continue
        check = 0 if remainder == 0 else 11 - remainder
        return "".join(map(str, digits)) + f"-{check}"


def ascii_fold(text: str) -> str:
    """ä -> a, ö -> o, å -> a: how Finns spell their names in e-mail addresses."""
    return text.translate(_FOLD)


@dataclass
class Person:
    """One fictional person and every identifier the demo may write about them."""

    first: str
    last: str
    female: bool
    birth: date
    individual: int
    mobile: str  # national digits without the leading 0, e.g. "401234567"
    email: str  # canonical lower-case address
    street: str
    postcode: str
    city: str
    #: unique within a business; what the demo keys its bookkeeping on (never id())
    serial: int = 0
    tags: list[str] = field(default_factory=list)
    #: a landline as (area code, subscriber number) when that is the person's only phone
    landline: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def hetu(self) -> str:
        return make_hetu(self.birth, self.individual)

    @property
    def e164(self) -> str:
        if self.landline:
            return f"+358{self.landline[0]}{self.landline[1]}"
        return f"+358{self.mobile}"

    @property
    def address(self) -> str:
        return self.street

    def phone(self, style: str = "spaced") -> str:
        """The phone number (mobile, or the landline) as an owner might have typed it."""
        if self.landline:
            area, number = self.landline
            return {
                "spaced": f"0{area} {number[:-4]} {number[-4:]}",
                "intl": f"+358 {area} {number}",
                "compact": f"0{area}{number}",
                "dash": f"0{area}-{number}",
                "e164": self.e164,
            }[style]
        national = "0" + self.mobile
        prefix, rest = national[:3], national[3:]
        if style == "spaced":
            return f"{prefix} {rest[:3]} {rest[3:]}"
        if style == "intl":
            return f"+358 {self.mobile[:2]} {self.mobile[2:]}"
        if style == "compact":
            return national
        if style == "dash":
            return f"{prefix}-{rest}"
        if style == "e164":
            return self.e164
        raise ValueError(f"unknown phone style {style}")

    def email_as(self, style: str = "lower") -> str:
        """The e-mail address as it may appear in a source (case and spaces vary)."""
        local, domain = self.email.split("@")
        if style == "lower":
            return self.email
        if style == "capitalised":
            parts = [p[:1].upper() + p[1:] for p in local.split(".")]
            return ".".join(parts) + "@" + domain
        if style == "upper":
            return self.email.upper()
        if style == "padded":
            return f" {self.email} "
        if style == "mixed_domain":
            return local + "@" + domain[:1].upper() + domain[1:]
        raise ValueError(f"unknown e-mail style {style}")


class PeopleFactory:
    """Draws unique fictional people for one business from a seeded generator."""

    def __init__(self, rng: random.Random, places: tuple[tuple[str, str], ...]) -> None:
        self.rng = rng
        self.places = places
        self._names: set[str] = set()
        self._surnames: set[str] = set()
        self._count = 0
        self._emails: set[str] = set()
        self._mobiles: set[str] = set()

    def person(
        self,
        *,
        swedish: bool = False,
        female: bool | None = None,
        first: str | None = None,
        last: str | None = None,
        born: tuple[int, int] = (1950, 2000),
        domain: str | None = None,
        allow_same_name: bool = False,
        landline: bool = False,
    ) -> Person:
        rng = self.rng
        if female is None:
            female = rng.random() < 0.7  # the demo businesses' customers are mostly women
        for attempt in range(1000):
            given = first or rng.choice(
                (SV_FEMALE if female else SV_MALE) if swedish else (FEMALE if female else MALE)
            )
            family = last or rng.choice(SV_SURNAMES if swedish else SURNAMES)
            # Unrelated customers rarely share a surname: prefer an unused one.
            if not last and family in self._surnames and attempt < 20:
                continue
            if allow_same_name or f"{given} {family}" not in self._names:
                break
        else:  # pragma: no cover - the pools hold thousands of combinations
            raise RuntimeError("ran out of demo names")
        self._names.add(f"{given} {family}")
        self._count += 1
        self._surnames.add(family)
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randint(0, 364))
        individual = rng.randrange(2, 899)
        if individual % 2 == (1 if female else 0):  # odd = man, even = woman
            individual += 1
        mobile = self._mobile()
        email = self._email(given, family, domain)
        street = f"{rng.choice(STREETS)} {rng.randint(1, 40)}"
        if rng.random() < 0.4:
            street += f" {rng.choice('ABC')} {rng.randint(1, 20)}"
        postcode, city = rng.choice(self.places)
        person = Person(
            given,
            family,
            female,
            birth,
            individual,
            mobile,
            email,
            street,
            postcode,
            city,
            serial=self._count,
        )
        if landline:
            person.landline = self._landline()
        assert tr.normalise_hetu(person.hetu) == person.hetu
        assert tr.normalise_phone(person.phone("spaced")) == person.e164
        return person

    def namesake(self, other: Person) -> Person:
        """A different person with the same name: shares no e-mail or phone with ``other``."""
        return self.person(
            female=other.female, first=other.first, last=other.last, allow_same_name=True
        )

    def _mobile(self) -> str:
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            number = prefix[1:] + f"{self.rng.randint(0, 9_999_999):07d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def _landline(self) -> tuple[str, str]:
        """A Finnish landline (area code, subscriber number) that is a valid number."""
        while True:
            area, digits = self.rng.choice(LANDLINE_AREAS)
            number = str(self.rng.randint(2, 8)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(digits - 1)
            )
            if tr.normalise_phone(f"0{area}{number}") == f"+358{area}{number}":
                return area, number

    def _email(self, given: str, family: str, domain: str | None) -> str:
        rng = self.rng
        first = ascii_fold(given.lower()).replace(" ", "")
        last = ascii_fold(family.lower()).replace(" ", "")
        if domain is None:
            domains, weights = zip(*EMAIL_DOMAINS, strict=True)
            domain = rng.choices(domains, weights)[0]
        patterns = (
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}.{last}",
            f"{first}.{last}{rng.randint(1, 99)}",
            f"{last}.{first}",
        )
        for _ in range(50):
            local = rng.choice(patterns)
            email = f"{local}@{domain}"
            if email not in self._emails:
                self._emails.add(email)
                return email
        email = f"{first}.{last}{len(self._emails)}@{domain}"
        self._emails.add(email)
        return email

    def style(self, kind: str) -> str:
        """A random spelling style for a phone ("phone") or e-mail ("email")."""
        if kind == "phone":
            return self.rng.choice(PHONE_STYLES)
        return self.rng.choices(EMAIL_STYLES, (6, 2, 1, 1, 1))[0]
