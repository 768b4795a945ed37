"""A folder of per-customer documents, such as coaching summaries.

One trace per file. The customer and the date come from the file name by a
regular expression with optional named groups ``name``, ``email``,
``customer_no`` and ``date`` ("Maija Mehiläinen 2025-03-14.docx",
"2025-03-14_maija.mehilainen@example.fi.txt"); without a date in the name the
file's modification time is used, as a Helsinki local date. The contents of
.txt and .md files (and the text of .docx files) are scanned for
henkilötunnus and health words.

File names are personal data here: the name of the file *is* the customer's
name. So a problem never quotes a file name. It names the folder, and as
"row" the file's number in the sorted listing (name order, ignoring case,
counting from 1, hidden files left out), with the field "file name". The
owner finds the file by sorting the folder by name; ``karsinta inspect``
shows the same numbering next to each trace's label. The trace itself keeps
the file name (label, locator): traces are the owner's data and go only into
the owner's own reports.
"""

from __future__ import annotations

import fnmatch
import html
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors import textfile
from connectors.base import (
    Capability,
    Connector,
    ProblemLog,
    SourceSpec,
    WriteRequest,
    WriteResult,
    display_path,
    register,
)
from connectors.configfile import coded
from connectors.errors import SourceError, UnreadableSource
from connectors.keyed import Hasher

HELSINKI = ZoneInfo("Europe/Helsinki")
FILE_NAME = "file name"
#: Contents of these are read as text; the others are traces by name only.
TEXT_SUFFIXES = frozenset({".txt", ".md"})
DOCX_SUFFIXES = frozenset({".docx", ".docm"})
#: Bigger documents are not scanned (a summary is a few pages).
MAX_SCAN_BYTES = 20 * 2**20
#: Never customer documents: editor lock files and system files.
SYSTEM_FILES = ("~$*", "Thumbs.db", "desktop.ini", "*.tmp")
GROUPS = ("name", "email", "customer_no", "date")


class FolderOptions(BaseModel):
    """Options of a folder source (docs/connectors.md, made from this class)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str = r"^(?P<name>.+?)[ _-]+(?P<date>\d{4}-\d{2}-\d{2})"
    date_format: str | None = None
    date_from_mtime: bool = True
    recursive: bool = False
    include: list[str] = Field(default_factory=lambda: ["*"])
    #: a regex on the document's text with a named group ``email`` (and/or ``customer_no``):
    #: a line the owner always writes, e.g. r"Lähetetty asiakkaalle:\s*(?P<email>\S+@\S+)".
    #: Only what this pattern names becomes an identifier; other addresses in the text do not.
    content_pattern: str | None = None

    @field_validator("content_pattern")
    @classmethod
    def _content_compiles(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise coded("cfg_regex", detail=exc.msg, pos=(exc.pos or 0) + 1) from None
        if not {"email", "customer_no"} & set(compiled.groupindex):
            raise coded("cfg_content_groups")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise coded("cfg_regex", detail=exc.msg, pos=(exc.pos or 0) + 1) from None
        if not set(compiled.groupindex) & set(GROUPS):
            raise coded("cfg_pattern_groups", known=", ".join(GROUPS))
        return value

    @field_validator("date_format")
    @classmethod
    def _strftime(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise coded("cfg_strftime", example="%Y%m%d")
        return value


@register
class FolderConnector(Connector):
    """One trace per document in a folder of per-customer files."""

    name: ClassVar[str] = "folder"
    title: ClassVar[str] = "Folder of customer documents"
    default_kind: ClassVar[str] = "summary"
    options_model: ClassVar[type[BaseModel]] = FolderOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DELETE})

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> int:
        return 40 if path.is_dir() else 0

    def field_names(self, options: Any) -> Mapping[str, str]:
        # Everything the connector takes from a file name is reported as the file name.
        return {
            "name": FILE_NAME,
            "emails": FILE_NAME,
            "customer_no": FILE_NAME,
            "event_date": FILE_NAME,
        }

    def write(
        self, source: SourceSpec, options: Any, requests: list[WriteRequest], ids: Hasher
    ) -> list[WriteResult]:
        """Remove approved documents (connectors.folder_write)."""
        from connectors.folder_write import write_folder

        return write_folder(source, options, requests, ids)

    def extract(self, source: SourceSpec, options: Any, log: ProblemLog) -> list[dict[str, Any]]:
        opts: FolderOptions = options
        folder = source.path
        if not folder.is_dir():
            raise UnreadableSource(display_path(folder), "not a folder", "not_a_folder")
        pattern = re.compile(opts.pattern)
        out = []
        inside = folder.resolve()
        for number, relative in enumerate(list_files(folder, opts), start=1):
            if not leads_inside(folder / relative, inside):
                # A symbolic link out of the folder is not followed (nor read, nor changed).
                log.add(number, FILE_NAME, "", code="folder_link_outside")
                continue
            out.append(read_one(folder, relative, number, pattern, opts, log))
        return out


def leads_inside(path: Path, folder: Path) -> bool:
    """Does ``path``, every symbolic link followed, end inside ``folder`` (resolved)?"""
    try:
        path.resolve(strict=True).relative_to(folder)
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def list_files(folder: Path, opts: FolderOptions) -> list[str]:
    """Relative POSIX paths of the documents, in the order problems number them."""
    found = [rel for rel in _walk(folder, opts.recursive) if _included(rel, opts.include)]
    return sorted(found, key=lambda rel: (rel.casefold(), rel))


def _walk(folder: Path, recursive: bool) -> Iterator[str]:
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")] if recursive else []
        base = Path(root).relative_to(folder)
        for name in files:
            if name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in SYSTEM_FILES):
                continue
            if (Path(root) / name).is_file():
                yield (base / name).as_posix()


def _included(relative: str, include: list[str]) -> bool:
    name = relative.rsplit("/", 1)[-1].casefold()
    return any(
        fnmatch.fnmatchcase(name, glob.casefold())
        or fnmatch.fnmatchcase(relative.casefold(), glob.casefold())
        for glob in include
    )


def read_one(
    folder: Path,
    relative: str,
    number: int,
    pattern: re.Pattern[str],
    opts: FolderOptions,
    log: ProblemLog,
) -> dict[str, Any]:
    """The raw record of one file; problems name its number, never its name."""
    path = folder / relative
    file_name = path.name
    stem = path.stem
    groups: dict[str, str | None] = {}
    match = pattern.search(stem)
    if match is None:
        log.add(number, FILE_NAME, "", code="folder_name_no_match")
    else:
        groups = {g: match.groupdict().get(g) for g in GROUPS}
    event_date: date | None = None
    if groups.get("date"):
        try:
            event_date = textfile.parse_date(groups["date"], opts.date_format)
        except (ValueError, OverflowError):
            log.add(number, FILE_NAME, "", code="folder_name_not_a_date")
    elif opts.date_from_mtime:
        event_date = _mtime_date(path)
    texts = [relative]
    categories = []
    contents = _contents(path, number, log)
    if contents:
        texts.append(contents)
        categories.append("note")
    name = groups.get("name")
    emails = [groups["email"]] if groups.get("email") else []
    customer_no = groups.get("customer_no")
    if opts.content_pattern and contents:
        for found in re.finditer(opts.content_pattern, contents):
            named = found.groupdict()
            if named.get("email"):
                emails.append(named["email"].strip().rstrip(".,;"))
            customer_no = customer_no or named.get("customer_no")
    return {
        "record_id": relative,
        "row": number,
        "name": name.replace("_", " ").strip() if name else None,
        "emails": emails,
        "customer_no": customer_no,
        "event_date": event_date,
        "label": file_name,
        "locator": {"path": relative},
        "texts": texts,
        "categories": categories,
    }


def _mtime_date(path: Path) -> date:
    """The file's modification time as a local date in Helsinki."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=HELSINKI).date()


def _contents(path: Path, number: int, log: ProblemLog) -> str | None:
    """The text of a .txt/.md/.docx file for scanning; None for other files."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | DOCX_SUFFIXES:
        return None
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            log.add(number, "contents", "", code="folder_too_large_to_scan")
            return None
        if suffix in DOCX_SUFFIXES:
            return docx_text(path)
        return textfile.read_text(path)[0]
    except SourceError as exc:
        if exc.message == "file is empty":
            return None
        log.add(number, "contents", "", code="folder_not_text")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        log.add(number, "contents", "", code="folder_unreadable")
    return None


_PARAGRAPH_END = re.compile(r"</w:p>|<w:br/>|<w:tab/>")
_TAG = re.compile(r"<[^>]+>")


def docx_text(path: Path) -> str:
    """The body text of a Word document, paragraph per line (stdlib only)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > 5 * MAX_SCAN_BYTES:
            raise ValueError("document too large")
        xml = archive.read(info).decode("utf-8", errors="replace")
    return html.unescape(_TAG.sub("", _PARAGRAPH_END.sub("\n", xml))).strip()
