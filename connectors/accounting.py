"""Invoice and customer exports of accounting software.

An invoice is bookkeeping material (kept six years, Kirjanpitolaki 2:10), and
an open invoice or one in debt collection holds the customer's other data:
this connector's job is to get the invoice number, date, customer and status
right. The known exports are data in :mod:`connectors.accounting_formats`;
``format: auto`` recognises them by their headers.

Exports that write one row per invoice line (Zoho, FreshBooks, Wave) give one
trace per invoice: the rows are grouped by invoice number, problems name the
invoice's first row, and the locator lists all its rows.

The business-id / henkilötunnus field is passed to finalize as the explicit
``hetu``: a valid henkilötunnus there is a person's, a valid Y-tunnus makes
the category ``business_id``, anything else is a problem naming the header.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors import headers, tabular, textfile
from connectors.accounting_formats import FORMATS, AccountingFormat, detect
from connectors.base import Connector, ProblemLog, SourceSpec, display_path, register
from connectors.configfile import coded
from connectors.errors import UnreadableSource
from connectors.spreadsheet import ROLES as SHEET_ROLES
from connectors.spreadsheet import check_roles, check_status_map, field_names, raw_frame

ROLES = (*SHEET_ROLES, "invoice_no", "due_date", "business_id", "amount")


class AccountingOptions(BaseModel):
    """Options of an accounting source (docs/connectors.md, made from this class)."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(
        default="auto",
        description="auto (recognised by the headers) or one of: " + ", ".join(FORMATS),
    )
    columns: dict[str, str | list[str]] | None = Field(
        default=None,
        description="role -> header(s), over the format's own: " + ", ".join(ROLES),
    )
    status_map: dict[str, str] = Field(
        default_factory=dict, description="status word -> status ('' = the word carries none)"
    )
    date_format: str | None = Field(
        default=None, description="strftime codes (default: the format's, else as spreadsheet)"
    )
    delimiter: str | None = Field(
        default=None, min_length=1, max_length=1, description="CSV separator (default: sniffed)"
    )
    encoding: str | None = Field(default=None, description="CSV encoding (default: detected)")

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value != "auto" and value not in FORMATS:
            raise coded("cfg_unknown_format", known=", ".join(["auto", *FORMATS]))
        return value

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_roles(value, ROLES)

    @field_validator("status_map")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        return check_status_map(value)


@register
class AccountingConnector(Connector):
    """Invoice and customer exports (Finnish generic, Zoho, FreshBooks, Wave)."""

    name: ClassVar[str] = "accounting"
    title: ClassVar[str] = "Accounting export (invoices / customers)"
    default_kind: ClassVar[str] = "invoice"
    options_model: ClassVar[type[BaseModel]] = AccountingOptions
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def __init__(self) -> None:
        self._field_names: dict[str, str] = {}

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        """High score when the header row is one of the known exports'."""
        if not head or tabular.is_workbook(head):
            return 0
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head[: len(head) - len(head) % 2]
        elif b"\n" in head:
            head = head[: head.rindex(b"\n")]  # never a UTF-8 letter cut in half
        try:
            text, _ = textfile.decode(head, str(path))
            first = next((line for line in text.splitlines() if line.strip()), "")
            headers = next(csv.reader([first], delimiter=tabular.sniff_separator(first)), [])
        except Exception:  # noqa: BLE001 - sniffing never fails, it just says no
            return 0
        fmt, _ = detect([h.strip().lstrip("\ufeff") for h in headers])
        if fmt is None:
            return 0
        return 95 if fmt.name.startswith("fi_") else 90

    def field_names(self, options: Any) -> Mapping[str, str]:
        return self._field_names

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> pd.DataFrame:
        opts: AccountingOptions = options
        file = display_path(source.path)
        if source.path.is_dir():
            raise UnreadableSource(file, "is a folder, not an export file", "is_folder_export")
        table = tabular.load_table(
            source.path, file, delimiter=opts.delimiter, encoding=opts.encoding
        )
        tabular.report_structure(table, log)
        fmt = choose_format(opts.format, table.columns, file)
        explicit = {**fmt.required(), **(opts.columns or {})}
        colmap = tabular.resolve(
            table.columns,
            file,
            explicit=explicit,
            auto=with_synonyms(fmt.optional(), fmt.record),
            explicit_categories=None,
            auto_categories=fmt.categories,
            table=table,
        )
        key_role = "invoice_no" if fmt.record == "invoice" else "customer_no"
        tabular.require_identifiers(colmap, file)
        tabular.report_empty_columns(table, colmap, opts.columns, log)
        if fmt.record == "invoice":
            for role, what in (("event_date", "date"), ("status", "status")):
                if not colmap.has(role) and not (role == "status" and fmt.receivable):
                    code = f"no_invoice_{what}_column"
                    log.add(None, None, "", role=role, code=code, role_name=role)
        self._field_names = field_names(colmap, table)
        picked = tabular.pick(table, colmap)
        return records(picked, colmap, table, fmt, opts, source, log, key_role)


#: Roles an accounting export may fill beyond its format's own headers (by synonym).
SYNONYM_ROLES = (
    "name",
    "email",
    "phone",
    "customer_no",
    "invoice_no",
    "event_date",
    "due_date",
    "status",
    "business_id",
)


def with_synonyms(optional: dict[str, list[str]], record: str) -> dict[str, list[str]]:
    """The format's optional headers, then the synonym table's for the roles it lacks.

    An export with its own header names ("Email" where the format says
    "Sähköposti") still has its e-mail and date read, not dropped silently.
    """
    invoice_only = ("invoice_no", "event_date", "due_date", "status")
    roles = [r for r in SYNONYM_ROLES if record == "invoice" or r not in invoice_only]
    out = {role: list(found) for role, found in optional.items()}
    for role in roles:
        out[role] = [*out.get(role, []), *headers.SYNONYMS.get(role, ())]
    return out


def choose_format(name: str, headers: list[str], file: str) -> AccountingFormat:
    """The configured format, or the one whose headers the file has."""
    if name != "auto":
        return FORMATS[name]
    fmt, near = detect(headers)
    if fmt is not None:
        return fmt
    known = ", ".join(FORMATS)
    if near is not None:
        missing = [h for h in near.signature if textfile.find_column(headers, h) is None]
        raise UnreadableSource(
            file,
            f"looks like {near.name} but column '{missing[0]}' not found "
            f"(set the 'format' option or map the column in 'columns')",
            "format_column_missing",
            format=near.name,
            column=missing[0],
        )
    raise UnreadableSource(
        file,
        f"not a known accounting export; set the 'format' option (known: {known})",
        "unknown_accounting_export",
        known=known,
    )


def records(
    picked: pd.DataFrame,
    colmap: tabular.ColumnMap,
    table: tabular.Table,
    fmt: AccountingFormat,
    opts: AccountingOptions,
    source: SourceSpec,
    log: ProblemLog,
    key_role: str,
) -> pd.DataFrame:
    """Raw records: one per invoice (lines grouped) or per customer row."""
    sums: list[str] = []
    if fmt.receivable is not None:
        picked["_receivable"] = _receivable(table, fmt.receivable, log)
        sums.append("_receivable")
    if colmap.has("amount") and fmt.amount_is_line_total:
        header = colmap.roles["amount"][0]
        picked["amount"] = tabular.parse_amounts(picked["amount"], table.rows, header, log)
        sums.append("amount")
    if fmt.line_items and colmap.has(key_role):
        frame = tabular.group(
            picked, key_role, drop_blank_key=fmt.skip_rows_without_invoice_no, sums=sums
        )
    else:
        frame = picked.reset_index(drop=True)
        frame["rows"] = [[int(r)] for r in frame["row"]]
    rows = frame["row"].to_numpy()

    key = tabular.blank_to_none(frame, key_role)
    if key is None:
        key = np.full(len(frame), None, dtype=object)
    has_key = np.fromiter((k is not None for k in key), dtype=bool, count=len(key))
    if fmt.record == "invoice":
        header = colmap.header("invoice_no") or "invoice_no"
        for row in rows[~has_key]:
            log.add(int(row), header, "", code="no_invoice_number")
    data: dict[str, Any] = {
        "record_id": tabular.own_or_content_ids(key, frame["texts"].to_numpy(dtype=object)),
        "row": rows,
        "name": tabular.compose_name(frame),
        "emails": tabular.blank_to_none(frame, "email"),
        "phones": tabular.blank_to_none(frame, "phone"),
        "hetu": tabular.hetu_or_business_id(frame),
        "customer_no": tabular.blank_to_none(frame, "customer_no"),
    }
    date_format = opts.date_format or fmt.date_format
    dates: dict[str, pd.Series] = {}
    for role in ("event_date", "end_date", "due_date"):
        date_header = colmap.header(role)
        if date_header is not None:
            dates[role] = tabular.parse_dates(frame[role], rows, date_header, log, date_format)
    data["event_date"] = dates.get("event_date")
    data["end_date"] = dates.get("end_date")
    data["status"] = _status(frame, colmap, fmt, opts, log)
    amount = None
    if colmap.has("amount"):
        if fmt.amount_is_line_total:
            amount = frame["amount"].to_numpy(dtype=float)
        else:
            amount = tabular.parse_amounts(frame["amount"], rows, colmap.roles["amount"][0], log)

    prefix = "Lasku" if fmt.record == "invoice" else "Asiakas"
    data["label"] = tabular.objects(
        [
            f"{prefix} {k}" if k is not None else f"{prefix}, rivi {r}"
            for k, r in zip(key, rows, strict=True)
        ]
    )
    if fmt.record == "customer":
        data["kind"] = np.full(len(frame), source.kind or "customer", dtype=object)
    data["locator"] = _locators(frame, key, dates.get("due_date"), amount, fmt)
    data["texts"] = frame["texts"].to_numpy(dtype=object)
    data["categories"] = frame["categories"].to_numpy(dtype=object)
    return raw_frame(data)


def _status(
    frame: pd.DataFrame,
    colmap: tabular.ColumnMap,
    fmt: AccountingFormat,
    opts: AccountingOptions,
    log: ProblemLog,
) -> np.ndarray | None:
    header = colmap.header("status")
    rows = frame["row"].to_numpy()
    if header is not None:
        words = {**fmt.status_words, **{k.casefold(): v for k, v in opts.status_map.items()}}
        return tabular.map_status(frame["status"], rows, header, log, words)
    if "_receivable" in frame:
        # Wave has no status column: an invoice is paid when its receivable is settled.
        balance = frame["_receivable"].to_numpy(dtype=float)
        status = np.where(np.abs(balance) < 0.005, "paid", "open").astype(object)
        status[np.isnan(balance)] = None
        return status
    return None


def _receivable(table: tabular.Table, spec: tuple[str, str, str], log: ProblemLog) -> np.ndarray:
    """Each row's amount when it is a receivable line, else 0 (NaN without the columns)."""
    amount_header, type_header, receivable = spec
    amount_col = textfile.find_column(table.columns, amount_header)
    type_col = textfile.find_column(table.columns, type_header)
    if amount_col is None or type_col is None:
        return np.full(len(table.rows), np.nan)
    amounts = tabular.parse_amounts(table.cells(amount_col), table.rows, amount_col, log)
    wanted = receivable.casefold()
    is_receivable = np.array([t.casefold() == wanted for t in table.cells(type_col)], dtype=bool)
    return np.where(is_receivable, amounts, 0.0)


def _locators(
    frame: pd.DataFrame,
    key: np.ndarray,
    due: pd.Series | None,
    amount: np.ndarray | None,
    fmt: AccountingFormat,
) -> list[dict[str, Any]]:
    """Where each record is: invoice / customer number and every row it spans."""
    out: list[dict[str, Any]] = []
    key_name = "invoice_no" if fmt.record == "invoice" else "customer_no"
    due_iso = (
        due.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        if due is not None
        else np.full(len(frame), None, dtype=object)
    )
    for i, (row, rows) in enumerate(zip(frame["row"], frame["rows"], strict=True)):
        locator: dict[str, Any] = {"row": int(row)}
        if fmt.line_items:
            locator["rows"] = [int(r) for r in rows]
        if key[i] is not None:
            locator[key_name] = str(key[i])
        if isinstance(due_iso[i], str):
            locator["due_date"] = due_iso[i]
        if amount is not None and not np.isnan(amount[i]):
            locator["amount"] = f"{float(amount[i]):.2f}"
        out.append(locator)
    return out
