"""What a column header means, whatever language and spelling the export uses.

ONE table of header synonyms per *role* (the raw fields a table column can
fill: e-mail, phone, name, date, status, number, customer number ...), in
Finnish, Swedish, English, German and the other languages Outlook exports its
contact CSV in (French, Spanish, Portuguese, Italian, Dutch, Polish, Russian,
Japanese). Every CSV-like connector (spreadsheet, accounting, Google and
Outlook contacts) and ``inspect``'s detection use it, so that "Sähköposti",
"E-postadress", "E-Mail-Adresse", "Adresse de messagerie", "Адрес эл. почты"
and "電子メール アドレス" are all the e-mail.

Two ways to match:

- :data:`SYNONYMS`: exact headers (compared without case, spacing, ``_`` or
  ``-``) for single-valued roles, in order of preference;
- :data:`MULTI_PATTERNS`: for e-mail and phone, where an export has several
  columns of one role (``Email Home`` / ``Email Work`` / ``Email Other``, two
  ``Phone`` columns, ``Business Phone 2``), a pattern that finds them all,
  with :data:`NOT_A_VALUE` excluding the columns *about* an address
  (``E-mail Type``, ``E-mail Display Name``, ``E-mail 1 - Label``).

A column found only by the broad pattern (not an exact synonym) is kept only
when its cells look like values of the role (:func:`looks_like`): a column
"Sähköpostilupa" (marketing consent, "kyllä") is not an address column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np


def key(header: str) -> str:
    """A header compared without case, with ``_``/``-``/spacing collapsed, ``(2)`` kept."""
    return re.sub(r"[\s_\-]+", " ", header.lstrip("\ufeff")).strip().casefold()


#: role -> exact headers, in order of preference (first match wins for one-value roles).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": ("Tilausnumero", "Tilausnro", "Order number", "Order ID", "Order no", "ID"),
    "name": (
        # fi
        "Nimi",
        "Koko nimi",
        "Asiakkaan nimi",
        "Asiakas",
        "Näyttönimi",
        # sv
        "Namn",
        "Fullständigt namn",
        "Kundnamn",
        "Kund",
        "Visningsnamn",
        # en
        "Name",
        "Full name",
        "Display name",
        "Customer name",
        "Customer",
        "Client name",
        "Client",
        # de
        "Vollständiger Name",
        "Anzeigename",
        "Kundenname",
        "Kunde",
        # fr / es / it / nl / pl / ru / ja
        "Nom complet",
        "Nombre completo",
        "Nome completo",
        "Volledige naam",
        "Imię i nazwisko",
        "Полное имя",
        "表示名",
    ),
    "first_name": (
        "Etunimi",
        "Etunimet",
        "Förnamn",
        "First name",
        "Given name",
        "Firstname",
        "Vorname",
        "Prénom",
        "Nombre",
        "Nome",
        "Voornaam",
        "Imię",
        "Имя",
        "名",
        "Primeiro nome",
    ),
    "last_name": (
        "Sukunimi",
        "Efternamn",
        "Last name",
        "Family name",
        "Surname",
        "Lastname",
        "Nachname",
        "Nom",
        "Apellidos",
        "Apellido",
        "Cognome",
        "Achternaam",
        "Nazwisko",
        "Фамилия",
        "姓",
        "Sobrenome",
        "Apelido",
    ),
    "middle_name": (
        "Toinen nimi",
        "Mellannamn",
        "Middle name",
        "Additional name",
        "Weitere Vornamen",
        "Deuxième prénom",
        "Segundo nombre",
        "Secondo nome",
        "Tweede voornaam",
        "Drugie imię",
        "Отчество",
        "ミドル ネーム",
    ),
    "email": (
        "Sähköposti",
        "Sähköpostiosoite",
        "S-posti",
        "Sposti",
        "E-post",
        "E-postadress",
        "Email",
        "E-mail",
        "Email address",
        "E-mail address",
        "Mail",
        "E-Mail-Adresse",
        "Adresse de messagerie",
        "Courriel",
        "Dirección de correo electrónico",
        "Correo electrónico",
        "Indirizzo posta elettronica",
        "Indirizzo e-mail",
        "E-mailadres",
        "Adres e-mail",
        "Endereço de email",
        "Endereço de correio eletrónico",
        "Адрес эл. почты",
        "Электронная почта",
        "電子メール アドレス",
        "電子メール",
    ),
    "phone": (
        "Puhelin",
        "Puhelinnumero",
        "Puh",
        "Puh.",
        "Matkapuhelin",
        "GSM",
        "Telefon",
        "Telefonnummer",
        "Mobiltelefon",
        "Phone",
        "Phone number",
        "Mobile",
        "Mobile phone",
        "Telephone",
        "Tel",
        "Téléphone",
        "Tél. mobile",
        "Teléfono",
        "Teléfono móvil",
        "Móvil",
        "Telefono",
        "Cellulare",
        "Telefoon",
        "Mobiele telefoon",
        "Telefon komórkowy",
        "Telefone",
        "Telemóvel",
        "Celular",
        "Телефон",
        "Мобильный телефон",
        "電話",
        "携帯電話",
    ),
    "hetu": (
        "Henkilötunnus",
        "Hetu",
        "Sotu",
        "Y-tunnus/Hetu",
        "Personal identity code",
        "Personnummer",
        "Government ID Number",
        "Henkilöllisyystunnus",
    ),
    "customer_no": (
        "Asiakasnumero",
        "Asiakasnro",
        "Asiakas nro",
        "Kundnummer",
        "Customer number",
        "Customer no",
        "Customer ID",
        "Client ID",
        "Account number",
        "Kundennummer",
        "Numéro de client",
        "Número de cliente",
        "Codice cliente",
        "Klantnummer",
        "Numer klienta",
    ),
    "invoice_no": (
        "Laskunumero",
        "Laskun numero",
        "Laskunro",
        "Fakturanummer",
        "Invoice number",
        "Invoice no",
        "Invoice #",
        "Invoice ID",
        "Rechnungsnummer",
        "Numéro de facture",
        "Número de factura",
        "Numero fattura",
        "Factuurnummer",
        "Numer faktury",
    ),
    "event_date": (
        "Tilauspäivä",
        "Tilauspvm",
        "Tilattu",
        "Ostopäivä",
        "Käyntipäivä",
        "Laskun päivämäärä",
        "Laskupäivä",
        "Laskutuspäivä",
        "Päivämäärä",
        "Pvm",
        "Päivä",
        "Datum",
        "Fakturadatum",
        "Orderdatum",
        "Order date",
        "Invoice date",
        "Date issued",
        "Transaction date",
        "Date",
        "Rechnungsdatum",
        "Bestelldatum",
        "Date de facture",
        "Fecha",
        "Fecha de factura",
        "Data fattura",
        "Factuurdatum",
        "Data",
        "Data faktury",
    ),
    "end_date": (
        "Loppupäivä",
        "Päättymispäivä",
        "Päättyy",
        "Slutdatum",
        "End date",
        "Enddatum",
        "Date de fin",
        "Fecha de fin",
        "Data di fine",
        "Einddatum",
    ),
    "due_date": (
        "Eräpäivä",
        "Förfallodatum",
        "Due date",
        "Fälligkeitsdatum",
        "Date d'échéance",
        "Fecha de vencimiento",
        "Data di scadenza",
        "Vervaldatum",
        "Termin płatności",
    ),
    "status": (
        "Tila",
        "Laskun tila",
        "Status",
        "Invoice status",
        "Statut",
        "Estado",
        "Stato",
        "Staat",
        "Состояние",
    ),
    "amount": (
        "Summa",
        "Yhteensä",
        "Loppusumma",
        "Belopp",
        "Summa att betala",
        "Amount",
        "Total",
        "Betrag",
        "Montant",
        "Importe",
        "Importo",
        "Bedrag",
        "Kwota",
    ),
    "business_id": ("Y-tunnus", "Y-tunnus/Hetu", "Business ID", "Organisationsnummer", "VAT ID"),
}

_EMAIL_WORDS = (
    r"e ?mail|sähköposti|s ?posti|e ?post|courriel|messagerie|correo|posta elettronica"
    r"|e ?mailadres|adres e ?mail|correio|эл\. почты|электронн|почта|メール"
)
_PHONE_WORDS = (
    r"phone|puhelin|puh\b|gsm|telefon|téléphone|tél\b|teléfono|telefono|telefone|telemóvel"
    r"|móvil|movil|cellulare|celular|mobile|mobil|handy|telefoon|komórkowy|телефон|電話|携帯"
    r"|fax|faksi"
)
#: role -> a pattern (searched in the folded header) for every column of a multi role.
MULTI_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(_EMAIL_WORDS),
    "phone": re.compile(_PHONE_WORDS),
}
#: Headers about an address or number, not the value: type, label, display name, consent.
NOT_A_VALUE = re.compile(
    r"type|tyyppi|typ\b|tipo|label|näyttönimi|display|anzeige|affich|nom complet|visning"
    r"|lupa|consent|opt|marketing|newsletter|verified|vahvist|primary ?\?|kieli|language"
    r"|отображ|表示|種類"
)

_EMAIL_VALUE = re.compile(r"[^@\s]@[^@\s]")
_PHONE_VALUE = re.compile(r"^[+()\d][\d\s().\-/+]{4,}$")


def looks_like(role: str, cells: np.ndarray) -> bool:
    """Do the non-blank cells look like values of ``role``? (Blank columns do.)

    Half of the filled cells must: one mistyped value is a row problem to
    report, not a reason to ignore the column.
    """
    filled = [str(v) for v in cells if v is not None and str(v).strip()]
    if not filled:
        return True
    sample = filled[:2000]
    pattern = _EMAIL_VALUE if role == "email" else _PHONE_VALUE
    hits = sum(1 for v in sample if pattern.search(v.strip()))
    return hits * 2 >= len(sample)


def find(columns: Sequence[str], role: str) -> str | None:
    """The first column that is an exact synonym of ``role`` (in preference order)."""
    index: dict[str, str] = {}
    for column in columns:
        index.setdefault(key(column), column)
    for candidate in SYNONYMS.get(role, ()):
        if key(candidate) in index:
            return index[key(candidate)]
    return None


def find_all(
    columns: Sequence[str],
    role: str,
    cells: Callable[[str], np.ndarray] | None = None,
    *,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Every column of a multi role (e-mail, phone), in file order.

    Exact synonyms (also with a number or ``(2)`` after them: ``Email 2``,
    ``Phone (2)``) always count; other headers that mention the role
    (``Email Home``, ``Business Phone``, ``Sähköposti 2: osoite``) count when
    their cells look like the role's values (``cells`` gives a column's cells;
    without it the header alone decides).
    """
    pattern = MULTI_PATTERNS[role]
    exact = {key(s) for s in SYNONYMS[role]}
    skip = set(exclude)
    out: list[str] = []
    for column in columns:
        if column in skip or column == "_row":
            continue
        folded = key(column)
        bare = re.sub(r"\s*(\(\d+\)|\d+)$", "", folded).strip()
        if folded in exact or bare in exact:
            out.append(column)
            continue
        if not pattern.search(folded) or NOT_A_VALUE.search(folded):
            continue
        if cells is None or looks_like(role, cells(column)):
            out.append(column)
    return out


def role_of(header: str) -> str | None:
    """The role an exact synonym gives ``header`` (None when it is no known header)."""
    folded = key(header)
    for role, names in SYNONYMS.items():
        if any(key(n) == folded for n in names):
            return role
    for role, pattern in MULTI_PATTERNS.items():
        if pattern.search(folded) and not NOT_A_VALUE.search(folded):
            return role
    return None
