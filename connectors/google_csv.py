"""Google Contacts CSV exports: the current format and the legacy one.

Current (contacts.google.com, "Google CSV"): ``First Name, Middle Name,
Last Name, ..., Birthday, Notes, Photo, Labels, E-mail 1 - Label, E-mail 1 -
Value, Phone 1 - Label, Phone 1 - Value, Address 1 - Formatted ...``.
Legacy (old Gmail contact manager): ``Name, Given Name, Additional Name,
Family Name, ..., Group Membership, E-mail 1 - Type, E-mail 1 - Value ...``,
sometimes UTF-16 with tabs. In both, one cell may hold several values joined
with ``' ::: '`` (two addresses of the same type), and the labels cell looks
like ``'* myContacts ::: Asiakkaat'``.

One trace per contact row. The record id is a hash of the row (the export has
no contact id); the locator names the row.
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

MULTI = " ::: "
#: The labels cell: "* myContacts ::: Asiakkaat" (older files: "* My Contacts ::: Test").
GROUP_SPLIT = r"\s*:::\s*"

_EMAIL = re.compile(r"^e-?mail \d+ - value$")
_PHONE = re.compile(r"^phone \d+ - value$")
_ADDRESS = re.compile(
    r"^address \d+ - (formatted|street|city|po box|region|postal code|country|extended address)$"
)
_ORGANISATION = re.compile(r"^organi[sz]ation( \d+ -)? (name|title|department)$")
_RELATION = re.compile(r"^relation \d+ - value$")


class GoogleCsvOptions(BaseModel):
    """Options of a Google Contacts CSV source."""

    model_config = ConfigDict(extra="forbid")

    labels: list[str] | None = Field(
        default=None,
        min_length=1,
        description="only contacts with one of these labels (Labels / Group Membership)",
    )


def google_columns(columns: list[str], cells: Any = None) -> ContactColumns:
    """Where this Google export keeps names, e-mails, phones and the rest."""
    given = first_column(columns, "Given Name", "First Name")
    middle = first_column(columns, "Additional Name", "Middle Name")
    family = first_column(columns, "Family Name", "Last Name")
    full = first_column(columns, "Name")
    return ContactColumns(
        full_name=[full] if full else [],
        name_parts=[c for c in (given, middle, family) if c],
        emails=_union(columns, columns_matching(columns, _EMAIL), "email", cells),
        phones=_union(columns, columns_matching(columns, _PHONE), "phone", cells),
        organisation=columns_matching(columns, _ORGANISATION),
        groups=first_column(columns, "Labels", "Group Membership"),
        categories={
            "address": columns_matching(columns, _ADDRESS),
            "birth_date": [c for c in (first_column(columns, "Birthday"),) if c],
            "note": [c for c in (first_column(columns, "Notes"),) if c],
            "organisation": columns_matching(columns, _ORGANISATION),
            "photo": [c for c in (first_column(columns, "Photo"),) if c],
            "next_of_kin": columns_matching(columns, _RELATION),
        },
    )


def _union(columns: list[str], own: list[str], role: str, cells: Any) -> list[str]:
    """Google's own value columns, plus those the synonym table finds, in file order."""
    found = set(own) | set(headers.find_all(columns, role, cells))
    return [c for c in columns if c in found]


@register
class GoogleCsvConnector(ContactCsvConnector):
    """Reads a Google Contacts CSV export (current or legacy, UTF-8 or UTF-16)."""

    name: ClassVar[str] = "google_csv"
    title: ClassVar[str] = "Google Contacts CSV"
    options_model: ClassVar[type[BaseModel]] = GoogleCsvOptions
    product: ClassVar[str] = "a Google Contacts export"
    group_option: ClassVar[str] = "labels"
    group_column: ClassVar[str] = "Labels or Group Membership"
    multi_separator: ClassVar[str | None] = MULTI
    group_separator: ClassVar[str] = GROUP_SPLIT
    columns_for = staticmethod(google_columns)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        headers = {header_key(h) for h in header_cells(head_text(head))}
        if {"given name", "family name"} <= headers:
            return 90
        if "first name" in headers and headers & {"labels", "e-mail 1 - value"}:
            return 90
        if "e-mail 1 - value" in headers or "phone 1 - value" in headers:
            return 60
        return 0
