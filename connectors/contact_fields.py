"""What the contact connectors share: reading the file, and turning CSV rows into contacts.

Google Contacts and Outlook both export one contact per CSV row, with the
identifiers spread over many columns (``E-mail 1 - Value`` ... or ``E-mail
Address``, ``E-mail 2 Address`` ...). Each connector finds its columns
(:class:`ContactColumns`); :func:`csv_records` then makes the raw records the
same way for both: name, every e-mail and phone, the categories whose columns
hold something, every non-empty cell as text (so a henkilötunnus written in
Notes is found), and a content hash as the record id (contact exports carry
no id of their own, and the hash stays the same as long as the row does).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from connectors import tabular, textfile
from connectors.base import Connector, ProblemLog, SourceSpec, display_path
from connectors.errors import UnreadableSource

#: What Outlook writes into an empty date column (depends on the Windows locale).
EMPTY_PLACEHOLDERS = frozenset(
    {"0.0.00", "0.0.0000", "00.00.00", "00.00.0000", "0/0/00", "1/0/00", "0/0/0000", "1/0/0000"}
)
_PLACEHOLDERS = sorted(EMPTY_PLACEHOLDERS)


# ------------------------------------------------------------------ reading


def read_contact_text(path: Path, file: str, log: ProblemLog) -> str:
    """The text of a contact export (vCard too); UnreadableSource when empty, binary or too large.

    A file that mixes UTF-8 and Windows-1252 is decoded line by line
    (:func:`connectors.tabular.csv_text`) and reported.
    """
    text, legacy = tabular.csv_text(path, file)
    if legacy:
        log.add(None, None, "", code="encoding_mixed_file")
    return text


def head_text(head: bytes) -> str:
    """The first bytes of a file as text for sniffing; '' when it is not text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[: len(head) - len(head) % 2]
    try:
        text, _ = textfile.decode(head, "")
    except (UnreadableSource, UnicodeDecodeError):
        return ""
    return text.lstrip("\ufeff")


def header_cells(text: str) -> list[str]:
    """The cells of the first line of a CSV text, with the most likely separator."""
    return _first_row(text, csv_delimiter(text))


def csv_delimiter(text: str) -> str:
    """The separator that splits the header into the most cells.

    Counting quoted cells right matters: a ';'-separated Finnish export may
    have more commas than semicolons in its header, inside quoted names.
    """
    best, best_count = ",", 0
    for sep in (",", ";", "\t"):
        count = len(_first_row(text, sep))
        if count > best_count:
            best, best_count = sep, count
    return best


def _first_row(text: str, sep: str) -> list[str]:
    sample = text[:65536]
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=sep):
            if any(cell.strip() for cell in row):
                return [cell.strip().lstrip("\ufeff") for cell in row]
    except csv.Error:
        return []
    return []


def read_contact_csv(path: Path, file: str, log: ProblemLog) -> pd.DataFrame:
    """A contact CSV as a frame of stripped text cells plus ``_row`` (header = row 1).

    Read by :mod:`connectors.tabular` like every CSV: a file that mixes
    encodings is decoded line by line, and short, long or cut rows are
    reported (a cut export must not keep half a contact silently).
    """
    table = tabular.load_table(path, file)
    tabular.report_structure(table, log)
    frame = table.text.copy()
    frame["_row"] = table.rows
    return frame


# ------------------------------------------------------------------ columns


def header_key(text: str) -> str:
    """A header compared without case and with its spacing collapsed."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def columns_matching(columns: Iterable[str], pattern: re.Pattern[str]) -> list[str]:
    """The columns whose folded header matches ``pattern`` (search), in file order."""
    return [c for c in columns if c != "_row" and pattern.search(header_key(c))]


def first_column(columns: Iterable[str], *candidates: str) -> str | None:
    """The first candidate header present (compared with :func:`header_key`)."""
    index = {header_key(c): c for c in columns if c != "_row"}
    for candidate in candidates:
        if header_key(candidate) in index:
            return index[header_key(candidate)]
    return None


@dataclass
class ContactColumns:
    """Where a contact CSV keeps what a trace needs; column names as in the file."""

    full_name: list[str] = field(default_factory=list)
    name_parts: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    hetu: str | None = None
    organisation: list[str] = field(default_factory=list)
    #: the column of labels / categories that the filter option looks at
    groups: str | None = None
    #: category code -> the columns that hold data of that category
    categories: dict[str, list[str]] = field(default_factory=dict)

    @property
    def identifies(self) -> bool:
        """True when the file has a column that can tell who a row is."""
        return bool(self.full_name or self.name_parts or self.emails or self.phones)

    def field_names(self, frame: pd.DataFrame | None) -> dict[str, str]:
        """The file's names for the raw fields, for problem reports.

        Several e-mail or phone columns are named together; columns that are
        empty in every row are left out, so a problem points where the data is.
        """

        def used(columns: list[str]) -> list[str]:
            if frame is None:
                return columns
            filled = [c for c in columns if c in frame.columns and (frame[c] != "").any()]
            return filled or columns

        names: dict[str, str] = {}
        if self.emails:
            names["emails"] = " / ".join(used(self.emails))
        if self.phones:
            names["phones"] = " / ".join(used(self.phones))
        if self.hetu:
            names["hetu"] = self.hetu
        return names


# ------------------------------------------------------------------ records


def _holds_text(cells: np.ndarray) -> bool:
    """True when some cell of a column of text is not empty."""
    try:
        return bool("".join(cells.tolist()))
    except TypeError:  # not all text
        return bool((cells != "").any())


def content_ids(cells: np.ndarray, positions: list[int], width: int) -> list[str]:
    """:func:`content_id` of each row of ``width`` cells, given its cells at ``positions``.

    ``cells`` (rows x positions) are the row's only non-empty cells: the
    separators the empty ones would add are put back, so that the id is
    the one of the whole row.
    """
    if not positions:
        return [content_id([""] * width)] * len(cells)
    gaps = np.empty(len(positions), dtype=object)
    gaps[:] = [SEPARATOR * (b - a) for a, b in zip([0, *positions], positions, strict=False)]
    tail = SEPARATOR * (width - 1 - positions[-1])
    sha256 = hashlib.sha256
    return [
        sha256(("".join(row) + tail).encode("utf-8")).hexdigest()[:20]
        for row in (gaps + cells).tolist()
    ]


SEPARATOR = "\x1f"


def content_id(values: Iterable[str]) -> str:
    """A stable record id from a record's content (the same content, the same id)."""
    digest = hashlib.sha256(SEPARATOR.join(values).encode("utf-8")).hexdigest()
    return digest[:20]


def split_values(cell: str, separator: str | None) -> list[str]:
    """The values of one cell: Google joins several with ``' ::: '``."""
    if not cell:
        return []
    if not separator or separator not in cell:
        return [cell]
    return [part.strip() for part in cell.split(separator) if part.strip()]


def group_names(cell: str, separator: str) -> set[str]:
    """Labels / categories of a contact, folded: ``'* myContacts ::: Asiakkaat'``."""
    names = set()
    for part in re.split(separator, cell or ""):
        name = part.strip().removeprefix("*").strip().casefold()
        if name:
            names.add(name)
    return names


def wanted_groups(values: list[str] | None) -> set[str] | None:
    """The filter option folded the same way as :func:`group_names`; None = no filter."""
    if not values:
        return None
    return {v.strip().removeprefix("*").strip().casefold() for v in values if v.strip()}


def csv_records(
    frame: pd.DataFrame,
    cols: ContactColumns,
    *,
    multi_separator: str | None,
    group_separator: str,
    wanted: set[str] | None,
) -> pd.DataFrame:
    """Raw contact records of a contact CSV (a frame of RAW_FIELDS), one per kept row.

    ``multi_separator`` splits a cell holding several e-mails or phones
    (Google: ``' ::: '``); ``group_separator`` is a regex splitting the
    labels/categories cell; ``wanted`` the folded labels a contact must have one of.

    Works on whole columns (numpy object arrays), touches only the cells that
    hold something, and computes per distinct value where a cell needs
    parsing: an Outlook export has some ninety columns, most of them empty in
    every row. The only per-row Python is the content hash and the text join.
    """
    if wanted is not None:
        labels = frame[cols.groups] if cols.groups else pd.Series("", index=frame.index)
        keep = {cell: bool(group_names(cell, group_separator) & wanted) for cell in labels.unique()}
        frame = frame[labels.map(keep).astype(bool)]
    data_columns = [c for c in frame.columns if c != "_row"]
    rows = frame["_row"].tolist()
    count = len(rows)
    # Only the columns that hold something in some row are looked at: a column
    # empty everywhere adds nothing to a name, a key, a category or a text.
    block = frame[data_columns].to_numpy(dtype=object)
    used = [i for i in range(len(data_columns)) if _holds_text(block[:, i])]
    cells_used = block[:, used]
    filled = cells_used != ""
    position = {data_columns[i]: j for j, i in enumerate(used)}
    blank = np.full(count, "", dtype=object)

    def column(name: str | None) -> np.ndarray:
        return cells_used[:, position[name]] if name in position else blank

    def filled_in(name: str | None) -> np.ndarray:
        return filled[:, position[name]] if name in position else np.zeros(count, dtype=bool)

    def first_filled(names: list[str]) -> np.ndarray:
        out = blank.copy()
        have = np.zeros(count, dtype=bool)
        for name in names:
            take = ~have & filled_in(name)
            out[take] = column(name)[take]
            have |= take
        return out

    def append(out: np.ndarray, values: np.ndarray, mask: np.ndarray, separator: str) -> None:
        """``out[i] = separator.join(filter(None, (out[i], values[i])))`` where ``mask``."""
        both = mask & (out != "")
        only = mask & ~both
        out[only] = values[only]
        out[both] = out[both] + separator + values[both]

    def joined(names: list[str], separator: str) -> np.ndarray:
        out = blank.copy()
        for name in names:
            append(out, column(name), filled_in(name), separator)
        return out

    def multi(names: list[str]) -> np.ndarray:
        """Every value of these columns, ';'-joined (finalize splits them again)."""
        out = blank.copy()
        for name in names:
            mask = filled_in(name)
            if not mask.any():
                continue
            values = column(name).copy()
            if multi_separator:
                several = [i for i, v in enumerate(values) if multi_separator in v]
                split = [split_values(values[i], multi_separator) for i in several]
                values[several] = [";".join(parts) for parts in split]
            append(out, values, values != "", ";")
        return out

    full = first_filled(cols.full_name)
    names = full.copy()
    if cols.name_parts:
        no_full = full == ""
        names[no_full] = joined(cols.name_parts, " ")[no_full]
    emails = multi(cols.emails) if cols.emails else blank
    phones = multi(cols.phones) if cols.phones else blank
    organisation = first_filled(cols.organisation)

    # Which rows hold data of each category, column-wise.
    found = blank.copy()
    for code, headers in sorted(cols.categories.items()):
        holds = np.zeros(count, dtype=bool)
        for header in headers:
            if header in position:
                placeholder = pd.Series(column(header)).isin(_PLACEHOLDERS).to_numpy()
                holds |= filled_in(header) & ~placeholder
        if holds.any():
            found = found + np.where(holds, code + ",", "")

    texts = ["\n".join(filter(None, cells)) for cells in cells_used.tolist()]
    record_ids = content_ids(cells_used, used, len(data_columns))

    names_list = names.tolist()
    emails_list = emails.tolist()
    label = [
        n or e.split(";")[0] or o or f"Yhteystieto, rivi {r}"
        for n, e, o, r in zip(names_list, emails_list, organisation.tolist(), rows, strict=True)
    ]
    out = pd.DataFrame(
        {
            "record_id": record_ids,
            "row": rows,
            "name": [n or None for n in names_list],
            "emails": [e or None for e in emails_list],
            "phones": [p or None for p in phones.tolist()],
            "hetu": [h or None for h in column(cols.hetu).tolist()] if cols.hetu else None,
            "label": label,
            "locator": [
                {"row": r, "name": n} if n else {"row": r}
                for r, n in zip(rows, names_list, strict=True)
            ],
            "texts": texts,
            "categories": found.tolist(),
        }
    )
    return out


def no_keys(
    frame: pd.DataFrame, cols: ContactColumns, product: str, log: ProblemLog, connector: str = ""
) -> None:
    """A contact export in which no row has an e-mail or phone is a named problem.

    Every contact would be a name only, which never decides alone: most
    likely the file is another program's export read with this connector.
    """
    if not len(frame):
        return
    keys = [c for c in cols.emails + cols.phones if c in frame.columns]
    if any((frame[c] != "").any() for c in keys):
        return
    where = " / ".join(keys) if keys else None
    code = "contact_no_keys_columns" if keys else "contact_no_keys"
    log.add(None, where, "", code=code, product=product, connector=connector or product)


class ContactCsvConnector(Connector):
    """What the Google and Outlook contact CSV connectors share: read, check, build records.

    A subclass declares its product name, how its headers map to roles
    (``columns_for``), the option holding its group filter, and the separator
    of several values in one cell.
    """

    default_kind: ClassVar[str] = "contact"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    #: how the export is called in messages ("a Google Contacts export")
    product: ClassVar[str]
    #: the option that filters by group, and the column it needs (for messages)
    group_option: ClassVar[str]
    group_column: ClassVar[str]
    multi_separator: ClassVar[str | None] = None
    #: regex splitting the group (label / category) cell
    group_separator: ClassVar[str]

    def __init__(self) -> None:
        self._columns: ContactColumns | None = None
        self._frame: pd.DataFrame | None = None

    @staticmethod
    def columns_for(columns: list[str], cells: Any = None) -> ContactColumns:
        """Where the export keeps what a trace needs; ``cells(column)`` gives a column's cells."""
        raise NotImplementedError

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> pd.DataFrame:
        file = display_path(source.path)
        frame = read_contact_csv(source.path, file, log)

        def cells(column: str) -> Any:
            """The column's non-blank cells (all a header's look-alike test reads)."""
            values = frame[column].to_numpy(dtype=object)
            return values[values != ""]

        cols = self.columns_for([c for c in frame.columns if c != "_row"], cells)
        if not cols.identifies:
            raise UnreadableSource(
                file,
                f"not {self.product}: no name, e-mail or phone column",
                "not_this_export",
                product=self.product,
                connector=self.name,
            )
        no_keys(frame, cols, self.product, log, self.name)
        wanted = wanted_groups(getattr(options, self.group_option))
        if wanted is not None and cols.groups is None:
            raise UnreadableSource(
                file,
                f"option '{self.group_option}' is set but the file has no "
                f"{self.group_column} column",
                "group_column_missing",
                option=self.group_option,
                column=self.group_column,
            )
        self._columns, self._frame = cols, frame
        return csv_records(
            frame,
            cols,
            multi_separator=self.multi_separator,
            group_separator=self.group_separator,
            wanted=wanted,
        )

    def field_names(self, options: Any) -> Mapping[str, str]:
        if self._columns is None:
            return {}
        return self._columns.field_names(self._frame)
