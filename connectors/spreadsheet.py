"""Customer and order lists kept in Excel or exported as CSV.

The owner's own spreadsheet has no fixed layout: the columns are found by
their Finnish or English headers (Nimi, Sähköposti, Puhelin, Tilauspäivä ...)
or named in the source's ``columns`` option. XLSX is read with
python-calamine (fast, and real Excel dates arrive as dates); CSV in UTF-8
(with or without BOM), UTF-16 or Windows-1252, with ``;`` or ``,``.

One trace per non-blank row below the header. A cell that cannot be read (a
date that is not a date) is a problem naming the row as Excel shows it and
the column's header; the other rows go on. A column named in the options but
missing from the file stops the source: reading a renamed column as empty
would make every customer look inactive.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors import headers, tabular
from connectors import trace as tr
from connectors.base import (
    LOCATOR_JSON,
    Capability,
    Connector,
    ProblemLog,
    SourceSpec,
    WriteRequest,
    WriteResult,
    display_path,
    locator_texts,
    register,
)
from connectors.configfile import coded
from connectors.errors import UnreadableSource
from connectors.keyed import Hasher

ROLES = (
    "record_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "hetu",
    "customer_no",
    "event_date",
    "end_date",
    "status",
    "label",
)

#: role -> headers recognised without a mapping, in order of preference: the one
#: synonym table of connectors.headers (every language it knows).
AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    role: headers.SYNONYMS[role] for role in ROLES if role in headers.SYNONYMS
}

#: category code -> headers whose non-blank cells show that data is kept.
AUTO_CATEGORIES: dict[str, tuple[str, ...]] = {
    "address": (
        "Osoite",
        "Katuosoite",
        "Lähiosoite",
        "Postiosoite",
        "Postinumero",
        "Postitoimipaikka",
        "Kaupunki",
        "Address",
        "Street",
        "Street address",
        "Postal code",
        "Zip",
        "City",
    ),
    "note": (
        "Lisätiedot",
        "Lisätietoja",
        "Muistiinpanot",
        "Muistiinpano",
        "Huomiot",
        "Huomautukset",
        "Kommentit",
        "Viesti",
        "Notes",
        "Note",
        "Comments",
        "Memo",
    ),
    "birth_date": ("Syntymäaika", "Syntymäpäivä", "Birth date", "Birthday", "Date of birth"),
    "organisation": (
        "Yritys",
        "Organisaatio",
        "Yhteisö",
        "Company",
        "Organization",
        "Organisation",
    ),
    "next_of_kin": ("Lähiomainen", "Omainen", "Next of kin", "Emergency contact"),
    "bank_account": ("Tilinumero", "IBAN", "Bank account"),
    "health_note": ("Terveystiedot", "Terveydentila", "Allergiat", "Health", "Medical notes"),
    "photo": ("Kuva", "Valokuva", "Photo"),
}

#: Status words understood without a status_map (lower case; '' = no status).
STATUS_WORDS: dict[str, str] = {
    "avoin": "open",
    "maksamatta": "open",
    "maksettu": "paid",
    "perinnässä": "collection",
    "hyvitetty": "credited",
    "aktiivinen": "active",
    "voimassa": "active",
    "päättynyt": "ended",
    "päättyi": "ended",
    "peruttu": "cancelled",
    "peruutettu": "cancelled",
    "canceled": "cancelled",
    "unpaid": "open",
}


class SpreadsheetOptions(BaseModel):
    """Options of a spreadsheet source (docs/connectors.md, made from this class).

    ``columns`` names the headers of the roles it lists; roles it leaves out
    are still recognised by their usual headers, and a role mapped to ``[]``
    is switched off. ``categories`` replaces the automatic category headers
    when given (``{}`` means automatic). ``status_map`` maps a word to a status,
    or to ``""`` for a word that carries none (e.g. "Toimitettu"). Without
    ``header_row`` the header is looked for in the first ten rows.
    """

    model_config = ConfigDict(extra="forbid")

    sheet: str | None = Field(default=None, description="the sheet to read (default: the first)")
    header_row: int = Field(
        default=1, ge=1, description="the row of the headers (default: found in the first ten)"
    )
    columns: dict[str, str | list[str]] | None = Field(
        default=None,
        description="role -> header(s): " + ", ".join(ROLES) + "; a role mapped to [] is off",
    )
    categories: dict[str, list[str]] = Field(
        default_factory=dict,
        description="category code -> headers whose filled cells show that data is kept",
    )
    status_map: dict[str, str] = Field(
        default_factory=dict, description="status word -> status ('' = the word carries none)"
    )
    date_format: str | None = Field(
        default=None,
        description="strftime codes, e.g. '%m/%d/%Y'; without it d.m.yyyy, yyyy-mm-dd, and "
        "d/m/yyyy or m/d/yyyy as the column's values prove",
    )
    delimiter: str | None = Field(
        default=None, min_length=1, max_length=1, description="CSV separator (default: sniffed)"
    )
    encoding: str | None = Field(default=None, description="CSV encoding (default: detected)")

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_roles(value, ROLES)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(tr.CATEGORIES))
        if unknown:
            raise coded("cfg_unknown_category", known=", ".join(tr.CATEGORIES))
        return value

    @field_validator("status_map")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        return check_status_map(value)

    @field_validator("date_format")
    @classmethod
    def _strftime(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise coded("cfg_strftime", example="%d/%m/%Y")
        return value


def check_roles(value: dict[str, Any] | None, roles: tuple[str, ...]) -> dict[str, Any] | None:
    """Reject unknown roles in a ``columns`` option, naming the known ones."""
    if value is None:
        return None
    unknown = sorted(set(value) - set(roles))
    if unknown:
        raise coded("cfg_unknown_role", unknown=", ".join(unknown), known=", ".join(roles))
    return value


def check_status_map(value: dict[str, str]) -> dict[str, str]:
    """Status map values must be contract statuses ('' = the word carries no status)."""
    bad = sorted({v for v in value.values() if v and v not in tr.STATUSES})
    if bad:
        raise coded(
            "cfg_unknown_status", unknown=", ".join(bad), known=", ".join(sorted(tr.STATUSES))
        )
    return value


def field_names(colmap: tabular.ColumnMap, table: tabular.Table) -> dict[str, str]:
    """Raw field -> the file's header, so finalize's problems name the real column.

    Of several e-mail or phone columns, those with data are named: a problem
    points where the value is.
    """
    names: dict[str, str] = {}
    for raw, role in (
        ("emails", "email"),
        ("phones", "phone"),
        ("hetu", "hetu"),
        ("name", "name"),
        ("customer_no", "customer_no"),
        ("event_date", "event_date"),
        ("end_date", "end_date"),
        ("status", "status"),
        ("record_id", "record_id"),
    ):
        headers = colmap.roles.get(role) or []
        filled = [h for h in headers if (table.cells(h) != "").any()]
        if headers:
            names[raw] = " / ".join(filled or headers)
    if "hetu" not in names and colmap.roles.get("business_id"):
        names["hetu"] = colmap.roles["business_id"][0]
    return names


@register
class SpreadsheetConnector(Connector):
    """XLSX and CSV customer and order lists with a column mapping."""

    name: ClassVar[str] = "spreadsheet"
    title: ClassVar[str] = "Spreadsheet (XLSX / CSV)"
    default_kind: ClassVar[str] = "customer"
    options_model: ClassVar[type[BaseModel]] = SpreadsheetOptions
    suffixes: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.DELETE, Capability.REDACT}
    )

    def __init__(self) -> None:
        self._field_names: dict[str, str] = {}

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        """Low scores: any CSV may be a spreadsheet, but a contact or accounting
        connector that recognises the headers should win."""
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            return 30 if tabular.is_workbook(head) else 5
        if suffix == ".csv":
            return 10
        return 0

    def field_names(self, options: Any) -> Mapping[str, str]:
        # Known only after extract() has matched the headers (read_source calls it after).
        return self._field_names

    def write(
        self, source: SourceSpec, options: Any, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        """Delete or anonymise approved rows (connectors.spreadsheet_write)."""
        from connectors.spreadsheet_write import write_spreadsheet

        return write_spreadsheet(source, options, requests, ids)

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> pd.DataFrame:
        opts: SpreadsheetOptions = options
        file = display_path(source.path)
        if source.path.is_dir():
            raise UnreadableSource(file, "is a folder, not a spreadsheet file", "is_folder")
        table, colmap = locate_table(source.path, file, opts)
        tabular.report_structure(table, log)
        tabular.report_empty_columns(table, colmap, opts.columns, log)
        self._field_names = field_names(colmap, table)
        picked = tabular.pick(table, colmap)
        return records(picked, colmap, table, opts, log)


#: Without a header_row option, the header is looked for in this many first rows.
HEADER_SEARCH_ROWS = 10


def locate_table(
    path: Path, file: str, opts: SpreadsheetOptions
) -> tuple[tabular.Table, tabular.ColumnMap]:
    """The table and its column mapping.

    When ``header_row`` is not set and the first row does not name a customer
    column, the next rows are tried: a sheet often has a title above its
    headers. The error of the first row is the one reported.
    """
    grid = tabular.load_grid(
        path, file, sheet=opts.sheet, delimiter=opts.delimiter, encoding=opts.encoding
    )
    explicit_row = "header_row" in opts.model_fields_set
    candidates = [opts.header_row] if explicit_row else range(1, HEADER_SEARCH_ROWS + 1)
    first_error: UnreadableSource | None = None
    for header_row in candidates:
        try:
            table = grid.table(header_row)
            colmap = tabular.resolve(
                table.columns,
                file,
                explicit=opts.columns,
                auto=AUTO_COLUMNS,
                explicit_categories=opts.categories or None,
                auto_categories=AUTO_CATEGORIES,
                table=table,
            )
            tabular.require_identifiers(colmap, file)
        except UnreadableSource as exc:
            first_error = first_error or exc
            continue
        return table, colmap
    error = first_error or UnreadableSource(file, "no header row", "no_header_row")
    if path.suffix.lower() in (".xlsx", ".xlsm") and grid.is_csv:
        # Read as CSV by its content, yet no customer table: the name is what is wrong.
        raise UnreadableSource(
            file, "this file is CSV text, not an Excel workbook", "csv_not_workbook"
        ) from error
    raise error


def records(
    picked: pd.DataFrame,
    colmap: tabular.ColumnMap,
    table: tabular.Table,
    opts: SpreadsheetOptions,
    log: ProblemLog,
) -> pd.DataFrame:
    """Raw records from the picked columns (by column; dates once per distinct value)."""
    rows = picked["row"].to_numpy()
    own_id = tabular.blank_to_none(picked, "record_id")
    if own_id is None:
        own_id = np.full(len(picked), None, dtype=object)
    data: dict[str, Any] = {
        "record_id": tabular.own_or_content_ids(own_id, picked["texts"].to_numpy(dtype=object)),
        "row": rows,
        "name": tabular.compose_name(picked),
        "emails": tabular.blank_to_none(picked, "email"),
        "phones": tabular.blank_to_none(picked, "phone"),
        "hetu": tabular.hetu_or_business_id(picked),
        "customer_no": tabular.blank_to_none(picked, "customer_no"),
    }
    for role in ("event_date", "end_date"):
        header = colmap.header(role)
        if header is not None:
            data[role] = tabular.parse_dates(picked[role], rows, header, log, opts.date_format)
    header = colmap.header("status")
    if header is not None:
        words = {**STATUS_WORDS, **{k.casefold(): v for k, v in opts.status_map.items()}}
        data["status"] = tabular.map_status(picked["status"], rows, header, log, words)
    where = table.sheet or table.file.replace("\\", "/").rsplit("/", 1)[-1]
    default_label = tabular.objects([f"{where}, rivi {row}" for row in rows])
    label = tabular.blank_to_none(picked, "label")
    data["label"] = default_label if label is None else tabular.coalesce(label, default_label)
    # The locators' JSON at once (finalize's own text for {"row", "sheet", "id"}):
    # half a million small dicts would cost more memory than the traces themselves.
    data["locator"] = locator_texts(
        table.file,  # display_path(source.path), as finalize names the file
        {
            "row": rows.tolist(),
            "sheet": [table.sheet] * len(rows) if table.sheet is not None else [None] * len(rows),
            "id": own_id,
        },
    )
    data["texts"] = picked["texts"].to_numpy(dtype=object)
    data["categories"] = picked["categories"].to_numpy(dtype=object)
    frame = raw_frame(data)
    frame.attrs[LOCATOR_JSON] = True
    return frame


def raw_frame(data: Mapping[str, Any]) -> pd.DataFrame:
    """The raw records frame; text columns stay object (no per-cell dtype inference)."""
    frame = pd.DataFrame(index=pd.RangeIndex(len(data["record_id"])))
    for name, values in data.items():
        if values is None:
            continue
        if isinstance(values, pd.Series):
            frame[name] = values.to_numpy()
        elif isinstance(values, np.ndarray) and values.dtype != object:
            frame[name] = values
        else:
            frame[name] = pd.Series(tabular.objects(values), dtype=object)
    return frame
