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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from connectors.base import Connector, ProblemLog, SourceSpec, display_path, register
from connectors.contact_fields import (
    ContactColumns,
    columns_matching,
    csv_records,
    first_column,
    head_text,
    header_cells,
    header_key,
    read_contact_csv,
    wanted_groups,
)
from connectors.errors import UnreadableSource

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


def google_columns(columns: list[str]) -> ContactColumns:
    """Where this Google export keeps names, e-mails, phones and the rest."""
    given = first_column(columns, "Given Name", "First Name")
    middle = first_column(columns, "Additional Name", "Middle Name")
    family = first_column(columns, "Family Name", "Last Name")
    full = first_column(columns, "Name")
    return ContactColumns(
        full_name=[full] if full else [],
        name_parts=[c for c in (given, middle, family) if c],
        emails=columns_matching(columns, _EMAIL),
        phones=columns_matching(columns, _PHONE),
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


@register
class GoogleCsvConnector(Connector):
    """Reads a Google Contacts CSV export (current or legacy, UTF-8 or UTF-16)."""

    name: ClassVar[str] = "google_csv"
    title: ClassVar[str] = "Google Contacts CSV"
    default_kind: ClassVar[str] = "contact"
    options_model: ClassVar[type[BaseModel]] = GoogleCsvOptions
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def __init__(self) -> None:
        self._columns: ContactColumns | None = None
        self._frame: pd.DataFrame | None = None

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

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> pd.DataFrame:
        assert isinstance(options, GoogleCsvOptions)
        file = display_path(source.path)
        frame = read_contact_csv(source.path, file, log)
        columns = [c for c in frame.columns if c != "_row"]
        cols = google_columns(columns)
        if not cols.identifies:
            raise UnreadableSource(
                file, "not a Google Contacts export: no name, e-mail or phone column"
            )
        wanted = wanted_groups(options.labels)
        if wanted is not None and cols.groups is None:
            raise UnreadableSource(
                file, "option 'labels' is set but the file has no Labels or Group Membership column"
            )
        self._columns, self._frame = cols, frame
        return csv_records(
            frame, cols, multi_separator=MULTI, group_separator=GROUP_SPLIT, wanted=wanted
        )

    def field_names(self, options: Any) -> Mapping[str, str]:
        if self._columns is None:
            return {}
        return self._columns.field_names(self._frame)
