"""The export formats the demo writes, each as the real software writes it.

- Finnish invoice export ("fi_invoices"): semicolon CSV, Windows-1252,
  dd.mm.yyyy, decimal comma (Procountor, Netvisor and the like).
- Zoho Invoice export: comma CSV, one row per invoice line, ISO dates, the
  header names of Zoho's own export (a subset of its 80+ columns).
- Outlook contacts CSV: every field quoted, Windows-1252, the Finnish
  localised header set or the English desktop one, "0/0/00" for no birthday.
- Google Contacts CSV: the current header set ("First Name", "Labels",
  "E-mail 1 - Value" ...), labels joined with " ::: ".
- iPhone vCard 3.0: ``PRODID -//Apple Inc.//iPhone OS ...``, ``itemN`` groups.
- The erasure request log the owner keeps in Excel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flows.demo.writers import Sheet, csv_text, vcard_escape, vcard_text, write_text, write_xlsx

# ------------------------------------------------------------------ invoices

FI_INVOICE_HEADERS = (
    "Laskunumero", "Laskun päivämäärä", "Eräpäivä", "Asiakasnumero", "Asiakkaan nimi",
    "Sähköposti", "Y-tunnus/Hetu", "Summa", "Tila",
)  # fmt: skip
#: The same export after a software update shortened a column name: a reader
#: configured for ``fi_invoices`` must refuse it, not guess.
FI_INVOICE_HEADERS_RENAMED = tuple(
    "Laskun pvm" if h == "Laskun päivämäärä" else h for h in FI_INVOICE_HEADERS
)


@dataclass
class Invoice:
    number: str
    issued: date
    due: date
    customer_no: str
    name: str
    email: str
    id_code: str  # Y-tunnus or henkilötunnus, often blank
    amount: float
    status: str  # the software's own word: Maksettu, Avoin, Perinnässä ...
    item: str = ""
    phone: str = ""  # Zoho's billing phone


def fi_money(amount: float) -> str:
    return f"{amount:.2f}".replace(".", ",")


def write_fi_invoices(path: Path, invoices: Sequence[Invoice], *, renamed: bool = False) -> None:
    """The Finnish invoice export; ``renamed`` writes the header of another version."""
    rows = [
        (
            inv.number,
            f"{inv.issued:%d.%m.%Y}",
            f"{inv.due:%d.%m.%Y}",
            inv.customer_no,
            inv.name,
            inv.email,
            inv.id_code,
            fi_money(inv.amount),
            inv.status,
        )
        for inv in sorted(invoices, key=lambda i: (i.issued, i.number))
    ]
    headers = FI_INVOICE_HEADERS_RENAMED if renamed else FI_INVOICE_HEADERS
    write_text(path, csv_text(headers, rows, delimiter=";"), encoding="cp1252")


ZOHO_HEADERS = (
    "Invoice Date", "Invoice ID", "Invoice Number", "Invoice Status", "Customer Name",
    "Company Name", "Customer ID", "Due Date", "Template Name", "Currency Code", "Exchange Rate",
    "Item Name", "Item Desc", "Quantity", "Item Price", "Item Total", "SubTotal", "Total",
    "Balance", "Payment Terms Label", "Last Payment Date", "Notes", "Billing Address",
    "Billing City", "Billing Country", "Billing Code", "Billing Phone",
)  # fmt: skip
#: Zoho's export as an older template names its date column.
ZOHO_HEADERS_RENAMED = tuple("Date" if h == "Invoice Date" else h for h in ZOHO_HEADERS)

_ZOHO_STATUS = {"Maksettu": "Paid", "Avoin": "Sent", "Erääntynyt": "Overdue"}


def write_zoho_invoices(
    path: Path, invoices: Sequence[Invoice], ids: dict[str, str], *, renamed: bool = False
) -> None:
    """Zoho Invoice's CSV export; ``ids`` gives each invoice its long Zoho id.

    ``renamed`` writes the header of an older template (see ZOHO_HEADERS_RENAMED).
    """
    rows = []
    for inv in sorted(invoices, key=lambda i: (i.issued, i.number)):
        status = _ZOHO_STATUS.get(inv.status, inv.status)
        paid = status == "Paid"
        total = f"{inv.amount:.2f}"
        rows.append(
            (
                f"{inv.issued:%Y-%m-%d}",
                ids[inv.number],
                inv.number,
                status,
                inv.name,
                "",
                inv.customer_no,
                f"{inv.due:%Y-%m-%d}",
                "Standard Template",
                "EUR",
                "1.00",
                inv.item,
                "",
                "1.00",
                total,
                total,
                total,
                total,
                "0.00" if paid else total,
                "Net 14",
                f"{inv.due:%Y-%m-%d}" if paid else "",
                "Kiitos asioinnista!",
                "",
                "",
                "Finland",
                "",
                inv.phone,
            )
        )
    headers = ZOHO_HEADERS_RENAMED if renamed else ZOHO_HEADERS
    write_text(path, csv_text(headers, rows, newline="\n"))


# ------------------------------------------------------------------ contacts


@dataclass
class Contact:
    """One address-book entry, written into any of the three contact formats."""

    first: str
    last: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # Outlook categories / Google labels
    notes: str = ""
    company: str = ""
    title: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    birthday: date | None = None

    @property
    def display(self) -> str:
        return f"{self.first} {self.last}".strip()


OUTLOOK_EN = (
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex",
    "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type",
    "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes",
    "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority", "Private",
    "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4",
    "Web Page",
)  # fmt: skip

#: The same columns as a Finnish-language Outlook names them in its CSV export.
OUTLOOK_FI = (
    "Tervehdys", "Etunimi", "Toinen nimi", "Sukunimi", "Jälkiliite", "Yritys", "Osasto",
    "Tehtävänimike", "Lähiosoite (työ)", "Lähiosoite 2 (työ)", "Lähiosoite 3 (työ)",
    "Postitoimipaikka (työ)", "Osavaltio (työ)", "Postinumero (työ)", "Maa tai alue (työ)",
    "Lähiosoite (koti)", "Lähiosoite 2 (koti)", "Lähiosoite 3 (koti)", "Postitoimipaikka (koti)",
    "Osavaltio (koti)", "Postinumero (koti)", "Maa tai alue (koti)", "Muu lähiosoite",
    "Muu lähiosoite 2", "Muu lähiosoite 3", "Muu postitoimipaikka", "Muu osavaltio",
    "Muu postinumero", "Muu maa tai alue", "Avustajan puhelin", "Faksi (työ)", "Puhelin (työ)",
    "Puhelin 2 (työ)", "Takaisinsoitto", "Autopuhelin", "Yrityksen vaihde", "Faksi (koti)",
    "Puhelin (koti)", "Puhelin 2 (koti)", "ISDN", "Matkapuhelin", "Muu faksi", "Muu puhelin",
    "Hakulaite", "Ensisijainen puhelin", "Radiopuhelin", "Tekstipuhelin", "Teleksi", "Tili",
    "Merkkipäivä", "Avustajan nimi", "Laskutustiedot", "Syntymäpäivä", "Postilokero (työ)",
    "Luokat", "Lapset", "Hakemistopalvelin", "Sähköpostiosoite", "Sähköpostin tyyppi",
    "Sähköpostin näyttönimi", "Sähköpostiosoite 2", "Sähköpostin 2 tyyppi",
    "Sähköpostin 2 näyttönimi", "Sähköpostiosoite 3", "Sähköpostin 3 tyyppi",
    "Sähköpostin 3 näyttönimi", "Sukupuoli", "Henkilötunnus", "Harrastukset",
    "Postilokero (koti)", "Nimikirjaimet", "Internet-vapaa/varattu", "Avainsanat", "Kieli",
    "Sijainti", "Esimiehen nimi", "Matka", "Muistiinpanot", "Toimisto", "Organisaatiotunnus",
    "Muu postilokero", "Prioriteetti", "Yksityinen", "Ammatti", "Suosittelija",
    "Luottamuksellisuus", "Puoliso", "Käyttäjä 1", "Käyttäjä 2", "Käyttäjä 3", "Käyttäjä 4",
    "Web-sivu",
)  # fmt: skip

_OUTLOOK_WORDS = {
    "en": {"nodate": "0/0/00", "gender": "Unspecified", "normal": "Normal", "false": "False",
           "country": "Finland", "date": "%m/%d/%Y"},
    "fi": {"nodate": "0.0.00", "gender": "Määrittämätön", "normal": "Normaali",
           "false": "Epätosi", "country": "Suomi", "date": "%d.%m.%Y"},
}  # fmt: skip


def write_outlook_csv(path: Path, contacts: Sequence[Contact], language: str = "en") -> None:
    """Outlook desktop's "Export to a file > Comma Separated Values" output."""
    words = _OUTLOOK_WORDS[language]
    rows = []
    for c in contacts:
        row = dict.fromkeys(OUTLOOK_EN, "")
        row.update(
            {
                "First Name": c.first,
                "Last Name": c.last,
                "Company": c.company,
                "Job Title": c.title,
                "Notes": c.notes,
                "Categories": ";".join(c.groups),
            }
        )
        if c.street:
            row.update(
                {
                    "Home Street": c.street,
                    "Home City": c.city,
                    "Home Postal Code": c.postcode,
                    "Home Country/Region": words["country"],
                }
            )
        phones = list(c.phones)
        if phones:
            row["Mobile Phone"] = phones.pop(0)
        if phones:
            row["Home Phone"] = phones.pop(0)
        for n, email in enumerate(c.emails[:3], start=1):
            prefix = "E-mail" if n == 1 else f"E-mail {n}"
            row[f"{prefix} Address"] = email
            row[f"{prefix} Type"] = "SMTP"
            row[f"{prefix} Display Name"] = f"{c.display} ({email.strip()})"
        row["Anniversary"] = words["nodate"]
        row["Birthday"] = f"{c.birthday:{words['date']}}" if c.birthday else words["nodate"]
        row["Gender"] = words["gender"]
        row["Initials"] = "".join(part[:1] + "." for part in (c.first, c.last) if part)
        row["Priority"] = words["normal"]
        row["Private"] = words["false"]
        row["Sensitivity"] = words["normal"]
        rows.append([row[h] for h in OUTLOOK_EN])
    headers = OUTLOOK_FI if language == "fi" else OUTLOOK_EN
    write_text(path, csv_text(headers, rows, quote_all=True), encoding="cp1252")


GOOGLE_HEADERS = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address",
)  # fmt: skip


def write_google_csv(path: Path, contacts: Sequence[Contact]) -> None:
    """Google Contacts' "Export > Google CSV" output (current header set)."""
    rows = []
    for c in contacts:
        row = dict.fromkeys(GOOGLE_HEADERS, "")
        row.update(
            {
                "First Name": c.first,
                "Last Name": c.last,
                "Notes": c.notes,
                "Organization Name": c.company,
                "Organization Title": c.title,
                "Labels": " ::: ".join(["* myContacts", *c.groups]),
            }
        )
        if c.birthday:
            row["Birthday"] = c.birthday.isoformat()
        for n, email in enumerate(c.emails[:2], start=1):
            row[f"E-mail {n} - Label"] = "* Home" if n == 1 else "Work"
            row[f"E-mail {n} - Value"] = email
        for n, phone in enumerate(c.phones[:2], start=1):
            row[f"Phone {n} - Label"] = "Mobile" if n == 1 else "Home"
            row[f"Phone {n} - Value"] = phone
        if c.street:
            row.update(
                {
                    "Address 1 - Label": "Home",
                    "Address 1 - Formatted": f"{c.street}\n{c.postcode} {c.city}\nSuomi",
                    "Address 1 - Street": c.street,
                    "Address 1 - City": c.city,
                    "Address 1 - Postal Code": c.postcode,
                    "Address 1 - Country": "Suomi",
                }
            )
        rows.append([row[h] for h in GOOGLE_HEADERS])
    write_text(path, csv_text(GOOGLE_HEADERS, rows))


def write_iphone_vcf(path: Path, contacts: Sequence[Contact]) -> None:
    """Contacts shared from an iPhone as one .vcf file (vCard 3.0)."""
    cards = []
    for c in contacts:
        lines = [
            "PRODID:-//Apple Inc.//iPhone OS 17.6.1//EN",
            f"N:{vcard_escape(c.last)};{vcard_escape(c.first)};;;",
            f"FN:{vcard_escape(c.display)}",
        ]
        if c.company:
            lines.append(f"ORG:{vcard_escape(c.company)};")
        item = 0
        for n, email in enumerate(c.emails):
            item += 1
            pref = ";type=pref" if n == 0 else ""
            lines.append(f"item{item}.EMAIL;type=INTERNET{pref}:{email.strip()}")
        for n, phone in enumerate(c.phones):
            kind = "type=CELL;type=VOICE" if n == 0 else "type=HOME;type=VOICE"
            lines.append(f"TEL;{kind}{';type=pref' if n == 0 else ''}:{phone}")
        if c.street:
            item += 1
            lines.append(
                f"item{item}.ADR;type=HOME;type=pref:;;{vcard_escape(c.street)};"
                f"{vcard_escape(c.city)};;{c.postcode};Suomi"
            )
            lines.append(f"item{item}.X-ABADR:fi")
        if c.notes:
            lines.append(f"NOTE:{vcard_escape(c.notes)}")
        if c.birthday:
            lines.append(f"BDAY;value=date:{c.birthday.isoformat()}")
        cards.append(lines)
    write_text(path, vcard_text(cards))


# ------------------------------------------------------------- erasure log

ERASURE_HEADERS = ("Päivämäärä", "Nimi", "Sähköposti", "Kanava", "Käsitelty")


@dataclass
class ErasureRequest:
    day: date
    name: str
    email: str
    channel: str = "sähköposti"
    handled: date | None = None


def write_erasure_log(
    path: Path, requests: Sequence[ErasureRequest], *, when: datetime, author: str
) -> None:
    """The owner's own log of erasure requests (Excel)."""
    rows = [
        (r.day, r.name, r.email, r.channel, r.handled)
        for r in sorted(requests, key=lambda r: r.day)
    ]
    sheet = Sheet("Poistopyynnöt", ERASURE_HEADERS, list(rows), widths={"Sähköposti": 32})
    write_xlsx(path, [sheet], when=when, author=author)
