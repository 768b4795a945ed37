"""The decisions of one review, one row per trace, as a CSV for audit.

Written by the report stage beside the proposal (``raportit/paatokset-YYYY-MM.csv``,
owner-only) and on request with ``karsinta review --decisions FILE.csv``. It
says, per trace: where it is (source, file, row / UID / invoice number ...),
what it is, whose (the subject's keyed id, no name), what was decided, by
which rule or hold, and why a review. Semicolon-separated and UTF-8 with a
BOM, as Finnish Excel opens it; every cell goes through
:func:`reports.cells.csv_cell` (no formulas).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from reports.cells import csv_cells, owner_only_file
from reports.view import ReviewRun, join_traces, parse_locators

#: column -> (Finnish header, English header)
HEADERS: dict[str, tuple[str, str]] = {
    "source": ("lähde", "source"),
    "file": ("tiedosto", "file"),
    "locator": ("sijainti", "location"),
    "kind": ("tietolaji", "kind"),
    "subject_id": ("henkilön tunniste", "subject id"),
    "decision": ("päätös", "decision"),
    "due_date": ("erääntyy", "due date"),
    "rule_id": ("sääntö", "rule"),
    "hold_id": ("säilytysperuste", "hold"),
    "hold_until": ("säilytetään asti", "held until"),
    "review_code": ("tarkistuksen syykoodi", "review code"),
    "review_reason": ("tarkistuksen syy", "review reason"),
}
#: Locator keys that say where a record is (names and attendees are left out).
LOCATOR_KEYS = (
    "sheet",
    "row",
    "rows",
    "line",
    "index",
    "uid",
    "id",
    "invoice_no",
    "customer_no",
    "order_no",
    "path",
)


def decisions_file_name(today: date) -> str:
    return f"paatokset-{today.year:04d}-{today.month:02d}.csv"


def locator_text(locator: Any) -> tuple[str, str]:
    """(file name, where in it) from a trace's locator JSON."""
    try:
        where = json.loads(locator) if isinstance(locator, str) else {}
    except json.JSONDecodeError:
        where = {}
    if not isinstance(where, dict):
        return "", ""
    file = PurePath(str(where["file"])).name if where.get("file") else ""
    parts = []
    for key in LOCATOR_KEYS:
        value = where.get(key)
        if value is None or value == "" or (key == "rows" and len(value) < 2):
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        parts.append(f"{key} {value}")
    return file, "; ".join(parts)


def locator_texts(locators: list[Any]) -> tuple[list[str], list[str]]:
    """:func:`locator_text` of many locators: (file names, where in them)."""
    names: dict[str, str] = {}
    keys_of: dict[tuple[str, ...], list[str]] = {}
    files: list[str] = []
    places: list[str] = []
    for where in parse_locators(locators):
        file = where.get("file")
        if file:
            text = str(file)
            name = names.get(text)
            if name is None:
                name = names[text] = PurePath(text).name
            files.append(name)
        else:
            files.append("")
        shape = tuple(where)
        keys = keys_of.get(shape)
        if keys is None:
            keys = keys_of[shape] = [k for k in LOCATOR_KEYS if k in where]
        parts = []
        for key in keys:
            value = where[key]
            if value is None or value == "" or (key == "rows" and len(value) < 2):
                continue
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            parts.append(f"{key} {value}")
        places.append("; ".join(parts))
    return files, places


def decision_rows(run: ReviewRun) -> list[list[str]]:
    """The CSV's rows (header first), one per decision, in source and location order."""
    lang = run.lang
    en = lang == "en"
    decisions = join_traces(run.decisions, run.traces, ["locator"])
    files, places = locator_texts(decisions["locator"].to_numpy().tolist())
    count = len(decisions)
    columns: dict[str, Any] = {
        "file": files,
        "locator": places,
        "review_reason": decisions["review_reason_en" if en else "review_reason"],
    }
    cells = [
        csv_cells(
            columns[c] if c in columns else decisions[c] if c in decisions else [None] * count,
            lang,
        )
        for c in HEADERS
    ]
    rows = [[HEADERS[c][1 if en else 0] for c in HEADERS]]
    return rows + [list(row) for row in zip(*cells, strict=True)]


def write_decisions_csv(run: ReviewRun, path: Path) -> Path:
    """Write the run's decisions to ``path`` (owner-only, atomic); returns the path."""
    with owner_only_file(path) as temp, open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writerows(decision_rows(run))
    return path
