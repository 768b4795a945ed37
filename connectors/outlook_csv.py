"""Outlook contact CSV exports: Outlook desktop, Outlook.com, and Finnish Outlook.

Outlook desktop writes ``First Name, Middle Name, Last Name, ..., E-mail
Address, E-mail 2 Address, E-mail 3 Address, Business Phone, Home Phone,
Mobile Phone, ..., Business Street, Home Street, ..., Birthday, Notes,
Categories``, usually in Windows-1252 and comma separated; Outlook.com the
same names with lower-case words (``First name``, ``Mobile phone``). A
Finnish Outlook translates the headers (``Etunimi, Sukunimi,
Sähköpostiosoite, Matkapuhelin, Työpuhelin, Kotipuhelin, Luokat, Yritys,
Muistiinpanot, Syntymäpäivä, Kotiosoite ...``) and may separate with ``;``.
Headers are therefore recognised by pattern, in both languages, not by a
fixed list. Rows that stop early (missing trailing fields) are fine.

One trace per contact row; the record id is a hash of the row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from connectors import headers
from connectors.base import register
from connectors.contact_fields import (
    ContactColumns,
    ContactCsvConnector,
    columns_matching,
    first_column,
    head_text,
    header_cells,
    header_key,
)

#: Categories cell: "Asiakkaat;VIP" (Outlook uses the list separator of Windows).
GROUP_SPLIT = r"[;,]"

#: E-mail Address, E-mail 2 Address, Sähköpostiosoite, Sähköposti 2: osoite, Sähköpostiosoite 2
_EMAIL = re.compile(r"^(e-?mail|sähköposti)( ?\d+)?( ?[:\-]? ?-?(address|osoite))?( ?\d+)?$")
#: Business Phone 2, Mobile phone, Pager, Home Fax, Matkapuhelin, Työpuhelin 2, Kotifaksi
_PHONE = re.compile(
    r"(phone|puhelin|fax|faksi|pager|hakulaite|callback|takaisinsoitto|isdn)( \d+)?$"
)
#: Business Street, Home City, Other Postal Code, Home Address, Business Address PO Box
_ADDRESS_EN = re.compile(
    r"^(business|home|other) (street|city|state|postal code|country|address)|address po box$"
)
#: Kotiosoite, Työosoite: katuosoite, Lähiosoite (koti), Postinumero (työ), Koti: kaupunki
_ADDRESS_FI = re.compile(r"osoite|postinumero|postitoimipaikka|postilokero|kaupunki|lääni")
_NOT_ADDRESS_FI = re.compile(r"sähköpost|viesti|verkko|web|internet|im-")
_ORGANISATION = re.compile(r"^(company|yritys|department|osasto)$")
_BIRTHDAY = re.compile(r"^(birthday|syntymäpäivä|syntymäaika)$")
_NOTES = re.compile(r"^(notes|muistiinpanot|huomautukset|lisätiedot)$")
_KIN = re.compile(r"^(spouse|children|puoliso|lapset)$")


class OutlookCsvOptions(BaseModel):
    """Options of an Outlook contacts CSV source."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] | None = Field(
        default=None,
        min_length=1,
        description="only contacts with one of these Outlook categories (Categories / Luokat)",
    )


def outlook_columns(columns: list[str], cells: Any = None) -> ContactColumns:
    """Where this Outlook export keeps names, e-mails, phones and the rest.

    Names, e-mails and phones are found by meaning, in every language of
    :mod:`connectors.headers` (a Russian or Japanese Outlook's headers too).
    """
    first = first_column(columns, *headers.SYNONYMS["first_name"])
    middle = first_column(columns, *headers.SYNONYMS["middle_name"])
    last = first_column(columns, *headers.SYNONYMS["last_name"])
    full = first_column(columns, *headers.SYNONYMS["name"])
    addresses = columns_matching(columns, _ADDRESS_EN) + [
        c
        for c in columns_matching(columns, _ADDRESS_FI)
        if not _NOT_ADDRESS_FI.search(header_key(c)) and not _EMAIL.search(header_key(c))
    ]
    return ContactColumns(
        full_name=[full] if full else [],
        name_parts=[c for c in (first, middle, last) if c],
        emails=_union(columns, columns_matching(columns, _EMAIL), "email", cells),
        phones=_union(columns, columns_matching(columns, _PHONE), "phone", cells),
        hetu=first_column(columns, *headers.SYNONYMS["hetu"]),
        organisation=columns_matching(columns, _ORGANISATION),
        groups=first_column(columns, "Categories", "Luokat"),
        categories={
            "address": addresses,
            "birth_date": columns_matching(columns, _BIRTHDAY),
            "note": columns_matching(columns, _NOTES),
            "organisation": columns_matching(columns, _ORGANISATION),
            "next_of_kin": columns_matching(columns, _KIN),
        },
    )


def _union(columns: list[str], own: list[str], role: str, cells: Any) -> list[str]:
    """The columns Outlook's own patterns find, and the synonym table's, in file order."""
    found = set(own) | set(headers.find_all(columns, role, cells))
    return [c for c in columns if c in found]


@register
class OutlookCsvConnector(ContactCsvConnector):
    """Reads an Outlook contacts CSV export (English or Finnish headers)."""

    name: ClassVar[str] = "outlook_csv"
    title: ClassVar[str] = "Outlook contacts CSV"
    options_model: ClassVar[type[BaseModel]] = OutlookCsvOptions
    product: ClassVar[str] = "an Outlook contacts export"
    group_option: ClassVar[str] = "categories"
    group_column: ClassVar[str] = "Categories"
    #: Outlook never joins values in a cell; a Google export read with this connector does.
    multi_separator: ClassVar[str | None] = " ::: "
    group_separator: ClassVar[str] = GROUP_SPLIT
    columns_for = staticmethod(outlook_columns)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        found = {header_key(h) for h in header_cells(head_text(head))}
        if found & {"e-mail address", "sähköpostiosoite"}:
            if found & {"first name", "last name", "etunimi", "sukunimi"}:
                return 85
            return 75
        if {"etunimi", "sukunimi", "matkapuhelin"} <= found:
            return 50
        return localized_score(list(found))


def localized_score(folded: list[str]) -> int:
    """An Outlook export in another language: first and last name, e-mail and phone columns.

    Outlook writes ``E-mail Type`` / ``E-mail Display Name`` beside each
    address in every language; that pair is its mark.
    """
    if any(re.search(r"\d+ - value$", h) for h in folded):
        return 0  # Google's layout ("E-mail 1 - Value")
    roles = {headers.role_of(h) for h in folded}
    typed = any(headers.MULTI_PATTERNS["email"].search(h) and headers.NOT_A_VALUE.search(h)
                for h in folded)  # fmt: skip
    if {"first_name", "last_name", "email"} <= roles and "phone" in roles:
        return 75 if typed else 45
    return 0
