"""Which connector reads a given file, and which column mapping would fit it.

:func:`detect` serves ``karsinta inspect`` without ``--as``;
:func:`describe_columns` serves ``karsinta check`` when a table source cannot
be read: the columns the file has (column names are not personal data; a
"header" that looks like a value is masked), and the accounting formats or
automatic spreadsheet columns that would fit, in the owner's language
(:mod:`connectors.messages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors import trace as tr
from connectors.base import SourceSpec, all_connectors, display_path, head_bytes
from connectors.errors import SourceError
from connectors.messages import format_title, say

#: Connectors that read a table with a header row.
TABLE_CONNECTORS = frozenset({"spreadsheet", "accounting", "google_csv", "outlook_csv"})
MASK = "(arvo? / a value?)"  # both languages: a header shown where the language is not known
_DIGITS = re.compile(r"\d")


def scores(path: Path) -> dict[str, int]:
    """How sure (0-100) each connector is that it reads ``path``."""
    head = head_bytes(path)
    return {name: cls.sniff(path, head) for name, cls in all_connectors().items()}


def detect(path: Path) -> str | None:
    """The name of the connector most sure it reads ``path``, or None."""
    found = scores(path)
    best = max(found, key=lambda name: found[name], default=None)
    return best if best is not None and found[best] > 0 else None


def better_fit(path: Path, asked: str) -> str | None:
    """Another connector that fits ``path`` clearly better than the one asked for, or None.

    ``--as outlook_csv`` on a Google Contacts CSV: Google's connector knows
    its columns; the read may still work, but the user should know.
    """
    found = scores(path)
    best = max(found, key=lambda name: found[name], default=None)
    if best is None or best == asked:
        return None
    return best if found[best] >= 50 and found[best] > found.get(asked, 0) + 10 else None


def mask(lang: str | None) -> str:
    """What stands for a header cell that looks like a value: in ``lang``, else both."""
    return MASK if lang is None else say(lang, "check_mask")


def suggest_source(path: Path, connector: str, lang: str | None = None) -> dict[str, Any]:
    """The ``sources:`` entry for karsinta.yaml that reads ``path`` as inspect did.

    Connector, a kind guess, options and, for tables, the column mapping
    found (header names only, a header that looks like a value masked, the
    mask in ``lang``).
    """
    from connectors.base import get_connector

    cls = get_connector(connector)
    stem = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in path.stem).strip("._-")
    entry: dict[str, Any] = {
        "id": stem or "source",
        "connector": connector,
        "path": str(path),
        "register": "REKISTERI",
        "kind": cls.default_kind,
    }
    options: dict[str, Any] = {}
    try:
        if connector == "spreadsheet":
            options, entry["kind"] = _spreadsheet_options(path, lang)
        elif connector == "accounting":
            options, entry["kind"] = _accounting_options(path)
    except (SourceError, OSError, ValueError):
        pass
    if options:
        entry["options"] = options
    return entry


def _mapping(roles: dict[str, list[str]], lang: str | None) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for role, headers in roles.items():
        shown = [mask(lang) if looks_like_value(h) else h for h in headers]
        if shown:
            out[role] = shown[0] if len(shown) == 1 else shown
    return out


def _spreadsheet_options(path: Path, lang: str | None) -> tuple[dict[str, Any], str]:
    from connectors.spreadsheet import SpreadsheetOptions, locate_table

    table, colmap = locate_table(path, display_path(path), SpreadsheetOptions())
    options: dict[str, Any] = {}
    if table.sheet:
        options["sheet"] = table.sheet
    if table.header_index:
        options["header_row"] = table.header_index + 1
    options["columns"] = _mapping(colmap.roles, lang)
    kind = "order" if colmap.has("event_date") else "customer"
    return options, kind


def _accounting_options(path: Path) -> tuple[dict[str, Any], str]:
    from connectors import tabular
    from connectors.accounting_formats import detect as detect_format

    table = tabular.load_table(path, display_path(path))
    fmt, _ = detect_format(table.columns)
    if fmt is None:
        return {}, "invoice"
    return {"format": fmt.name}, fmt.record


@dataclass
class ColumnReport:
    """What ``check`` says about a table source's header: no cell values."""

    columns: list[str] = field(default_factory=list)
    #: lines such as "accounting format 'fi_invoices' fits ...", in the language asked for
    suggestions: list[str] = field(default_factory=list)


def looks_like_value(header: str) -> bool:
    """A header cell that is more likely a person's data (no header row above it)."""
    text = header.strip()
    if "@" in text or tr.normalise_hetu(text) or tr.find_hetus(text):
        return True
    return len(_DIGITS.findall(text)) >= 5


def _header(source: SourceSpec) -> list[str]:
    from connectors import tabular

    options: dict[str, Any] = source.options
    grid = tabular.load_grid(
        source.path,
        display_path(source.path),
        sheet=options.get("sheet"),
        delimiter=options.get("delimiter"),
        encoding=options.get("encoding"),
    )
    return grid.table(int(options.get("header_row", 1))).columns


def describe_columns(source: SourceSpec, lang: str = "en") -> ColumnReport | None:
    """The header of a table source and the mappings that fit it, in ``lang`` (None: not a table).

    Format names, role names and option names stay as karsinta.yaml spells them.
    """
    from connectors.accounting_formats import FORMATS, matches
    from connectors.spreadsheet import AUTO_COLUMNS
    from connectors.textfile import find_column

    if source.connector not in TABLE_CONNECTORS or not source.path.is_file():
        return None
    try:
        headers = _header(source)
    except (SourceError, OSError, ValueError):
        return None
    report = ColumnReport([mask(lang) if looks_like_value(h) else h for h in headers])
    fits = [f for f in FORMATS.values() if matches(f, headers) == len(f.signature)]
    for fmt in fits:
        title = format_title(lang, fmt.name, fmt.title)
        report.suggestions.append(say(lang, "check_format_fits", name=fmt.name, title=title))
    if not fits:
        scored = sorted(
            ((matches(f, headers) / len(f.signature), f) for f in FORMATS.values()),
            key=lambda pair: -pair[0],
        )
        share, closest = scored[0]
        if share >= 0.5:
            missing = [h for h in closest.signature if find_column(headers, h) is None]
            listed = ", ".join(f"'{m}'" for m in missing)
            report.suggestions.append(
                say(lang, "check_format_closest", name=closest.name, missing=listed)
            )
    auto = {
        role: found
        for role, candidates in AUTO_COLUMNS.items()
        if (found := next((c for c in (find_column(headers, x) for x in candidates) if c), None))
    }
    if auto:
        pairs = ", ".join(f"{role} <- '{header}'" for role, header in auto.items())
        report.suggestions.append(say(lang, "check_spreadsheet_reads", pairs=pairs))
    return report
