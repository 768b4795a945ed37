"""The accounting exports Karsinta knows, as data: headers, status words, quirks.

Each :class:`AccountingFormat` says which header fills which role (the roles
of :mod:`connectors.tabular`, plus ``invoice_no``, ``due_date``,
``business_id`` and ``amount``), which headers identify the format (its
*signature*: all must be present, used by ``format: auto`` and by sniffing),
and how the software words an invoice's status.

Headers in the signature are required; every other header is used when the
file has it, so an export with a column or two switched off still reads.

The Finnish formats are the generic exports of Finnish invoicing software
(semicolon CSV, Windows-1252, dd.mm.yyyy, decimal comma). The others are the
exports of Zoho Invoice, Wave and FreshBooks as found in public test fixtures
(see ../shared/samples/SOURCES.md). Zoho, FreshBooks and Wave write one row
per invoice *line*: their invoices are grouped by invoice number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from connectors.textfile import find_column

#: Finnish invoice status words (lower case) -> contract status.
FI_STATUS_WORDS: Mapping[str, str] = {
    "avoin": "open",
    "erääntynyt": "open",
    "osittain maksettu": "open",
    "maksettu": "paid",
    "perinnässä": "collection",
    "perintä": "collection",
    "hyvitetty": "credited",
}

ZOHO_INVOICE_STATUS_WORDS: Mapping[str, str] = {
    "draft": "open",
    "sent": "open",
    "viewed": "open",
    "overdue": "open",
    "unpaid": "open",
    "pending": "open",
    "partially paid": "open",
    "partiallypaid": "open",
    "open": "open",
    "paid": "paid",
    "closed": "paid",
    "void": "cancelled",
    "written off": "cancelled",
    "writtenoff": "cancelled",
}

FRESHBOOKS_INVOICE_STATUS_WORDS: Mapping[str, str] = {
    "draft": "open",
    "sent": "open",
    "resent": "open",
    "viewed": "open",
    "partial": "open",
    "overdue": "open",
    "outstanding": "open",
    "disputed": "open",
    "retry": "open",
    "failed": "open",
    "paid": "paid",
    "auto-paid": "paid",
    "auto paid": "paid",
}

CONTACT_STATUS_WORDS: Mapping[str, str] = {"active": "active", "inactive": "ended"}


@dataclass(frozen=True)
class AccountingFormat:
    """One accounting program's export: its headers and how to read them."""

    name: str
    title: str
    record: Literal["invoice", "customer"]
    #: role -> headers (several: alternatives, or all values for e-mail/phone)
    columns: Mapping[str, tuple[str, ...]]
    #: headers that identify the format; all must be present
    signature: tuple[str, ...]
    #: category code -> headers; a non-blank cell adds the code
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    status_words: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    #: one row per invoice line: group rows by invoice number
    line_items: bool = False
    #: the amount column holds line totals: an invoice's amount is their sum
    amount_is_line_total: bool = False
    #: rows without an invoice number are not invoice lines (bank lines): skip them
    skip_rows_without_invoice_no: bool = False
    #: (amount header, account-type header, receivable type): status from the balance
    receivable: tuple[str, str, str] | None = None

    def required(self) -> dict[str, list[str]]:
        """role -> its headers that are in the signature (must exist)."""
        return {
            role: [h for h in headers if h in self.signature]
            for role, headers in self.columns.items()
            if any(h in self.signature for h in headers)
        }

    def optional(self) -> dict[str, list[str]]:
        """role -> headers used when present."""
        required = self.required()
        return {
            role: [h for h in headers if h not in self.signature]
            for role, headers in self.columns.items()
            if role not in required
        }


FORMATS: dict[str, AccountingFormat] = {
    f.name: f
    for f in (
        AccountingFormat(
            name="fi_invoices",
            title="Finnish invoice export (Laskunumero;Laskun päivämäärä;...)",
            record="invoice",
            columns={
                "invoice_no": ("Laskunumero",),
                "event_date": ("Laskun päivämäärä",),
                "due_date": ("Eräpäivä",),
                "customer_no": ("Asiakasnumero",),
                "name": ("Asiakkaan nimi",),
                "email": ("Sähköposti",),
                "business_id": ("Y-tunnus/Hetu",),
                "amount": ("Summa",),
                "status": ("Tila",),
            },
            signature=(
                "Laskunumero",
                "Laskun päivämäärä",
                "Eräpäivä",
                "Asiakasnumero",
                "Asiakkaan nimi",
                "Sähköposti",
                "Y-tunnus/Hetu",
                "Summa",
                "Tila",
            ),
            status_words=FI_STATUS_WORDS,
        ),
        AccountingFormat(
            name="fi_customers",
            title="Finnish customer register export (Asiakasnumero;Nimi;...)",
            record="customer",
            columns={
                "customer_no": ("Asiakasnumero",),
                "name": ("Nimi",),
                "email": ("Sähköposti",),
                "phone": ("Puhelin",),
                "business_id": ("Y-tunnus/Hetu",),
            },
            signature=(
                "Asiakasnumero",
                "Nimi",
                "Sähköposti",
                "Puhelin",
                "Katuosoite",
                "Postinumero",
                "Postitoimipaikka",
                "Y-tunnus/Hetu",
            ),
            categories={"address": ("Katuosoite", "Postinumero", "Postitoimipaikka")},
        ),
        AccountingFormat(
            name="zoho_invoices",
            title="Zoho Invoice invoice export",
            record="invoice",
            columns={
                "invoice_no": ("Invoice Number",),
                "event_date": ("Invoice Date",),
                "due_date": ("Due Date",),
                "status": ("Invoice Status",),
                "name": ("Customer Name",),
                "customer_no": ("Customer ID",),
                "amount": ("Total",),
                "phone": ("Billing Phone", "Shipping Phone Number"),
            },
            signature=(
                "Invoice Date",
                "Invoice ID",
                "Invoice Number",
                "Invoice Status",
                "Customer Name",
                "Customer ID",
            ),
            categories={
                "address": (
                    "Billing Address",
                    "Billing City",
                    "Billing Code",
                    "Shipping Address",
                    "Shipping City",
                    "Shipping Code",
                ),
                "organisation": ("Company Name",),
                "note": ("Notes",),
            },
            status_words=ZOHO_INVOICE_STATUS_WORDS,
            line_items=True,
        ),
        AccountingFormat(
            name="freshbooks_invoices",
            title="FreshBooks invoice line export",
            record="invoice",
            columns={
                "invoice_no": ("Invoice #",),
                "event_date": ("Date Issued",),
                "status": ("Invoice Status",),
                "name": ("Client Name",),
                "amount": ("Line Total",),
            },
            signature=("Client Name", "Invoice #", "Date Issued", "Invoice Status"),
            status_words=FRESHBOOKS_INVOICE_STATUS_WORDS,
            line_items=True,
            amount_is_line_total=True,
        ),
        AccountingFormat(
            name="wave_invoices",
            title="Wave Accounting transaction export (invoices)",
            record="invoice",
            columns={
                "invoice_no": ("Invoice Number",),
                "event_date": ("Transaction Date",),
                "name": ("Customer",),
            },
            signature=(
                "Transaction ID",
                "Transaction Date",
                "Account Name",
                "Customer",
                "Invoice Number",
                "Account Type",
            ),
            categories={"note": ("Notes / Memo",)},
            line_items=True,
            skip_rows_without_invoice_no=True,
            receivable=("Amount (One column)", "Account Type", "System Receivable Invoice"),
        ),
        AccountingFormat(
            name="zoho_contacts",
            title="Zoho Invoice contact export",
            record="customer",
            columns={
                "customer_no": ("Customer ID",),
                "name": ("Display Name",),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "email": ("EmailID",),
                "phone": ("Phone", "MobilePhone", "Billing Phone", "Shipping Phone"),
                "status": ("Status",),
            },
            signature=("Display Name", "EmailID", "Customer ID", "Contact Type"),
            categories={
                "address": (
                    "Billing Address",
                    "Billing Street2",
                    "Billing City",
                    "Billing Code",
                    "Shipping Address",
                    "Shipping Street2",
                    "Shipping City",
                    "Shipping Code",
                ),
                "organisation": ("Company Name",),
                "note": ("Notes",),
            },
            status_words=CONTACT_STATUS_WORDS,
        ),
        AccountingFormat(
            name="wave_clients",
            title="Wave customer export",
            record="customer",
            columns={
                "customer_no": ("account_number",),
                "name": ("customer_name",),
                "first_name": ("contact_first_name",),
                "last_name": ("contact_last_name",),
                "email": ("email",),
                "phone": ("phone", "mobile", "ship-to_phone"),
            },
            signature=(
                "customer_name",
                "email",
                "contact_first_name",
                "contact_last_name",
                "account_number",
            ),
            categories={
                "address": (
                    "address_line_1",
                    "address_line_2",
                    "city",
                    "postal_code/zip_code",
                    "ship-to_address_line_1",
                    "ship-to_address_line_2",
                    "ship-to_city",
                    "ship-to_postal_code/zip_code",
                ),
                "note": ("delivery_instructions",),
            },
        ),
        AccountingFormat(
            name="freshbooks_clients",
            title="FreshBooks client export",
            record="customer",
            columns={
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "email": ("Email",),
                "phone": ("Phone",),
            },
            signature=("Organization", "First Name", "Last Name", "Email", "Province/State"),
            categories={
                "address": ("Street", "City", "Postal Code"),
                "organisation": ("Organization",),
                "note": ("Notes",),
            },
        ),
    )
}


def matches(fmt: AccountingFormat, headers: list[str]) -> int:
    """How many of the format's signature headers are present (case/space-insensitive)."""
    return sum(find_column(headers, h) is not None for h in fmt.signature)


def detect(headers: list[str]) -> tuple[AccountingFormat | None, AccountingFormat | None]:
    """(the format whose whole signature is present, else the closest partial match).

    The most specific complete match wins; a partial match (at least half the
    signature) lets an error say which format the file resembles.
    """
    present = list(headers)
    complete = [f for f in FORMATS.values() if matches(f, present) == len(f.signature)]
    if complete:
        return max(complete, key=lambda f: len(f.signature)), None
    partial = [
        (matches(f, present) / len(f.signature), f)
        for f in FORMATS.values()
        if matches(f, present) * 2 >= len(f.signature)
    ]
    return None, (max(partial, key=lambda p: p[0])[1] if partial else None)
