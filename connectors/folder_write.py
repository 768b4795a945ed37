"""Removing approved documents from a folder the owner keeps (their system of record).

Called through :meth:`connectors.folder.FolderConnector.write`, only for a
folder source marked ``system_of_record`` and only with approved requests.
Before a file is removed it is read again the way the connector reads it,
and its trace id and fingerprint must still be the ones the owner approved
(a summary edited since the proposal is left alone). The path must stay
inside the folder (no ``..``, no symbolic link out of it).

Files are removed one by one (a folder has no atomic multi-file change);
each request gets its own result, and the folder is fsynced after each.
The undo copy of a removed file is apply's (``.karsinta/kumoa/``).
Messages never quote a file name: file names of summaries are customer names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from connectors.base import (
    ProblemLog,
    SourceSpec,
    WriteRequest,
    WriteResult,
    display_path,
)
from connectors.errors import UnreadableSource
from connectors.keyed import Hasher
from connectors.safe_write import crash_point, fsync_dir


def write_folder(
    source: SourceSpec, options: Any, requests: Sequence[WriteRequest], ids: Hasher
) -> list[WriteResult]:
    """Remove each approved, unchanged document; one result per request."""
    from connectors.folder import FolderOptions, list_files, read_one

    opts: FolderOptions = options
    folder = source.path
    if not folder.is_dir():
        raise UnreadableSource(display_path(folder), "not a folder", "not_a_folder")
    listing = list_files(folder, opts)
    numbers = {relative: n for n, relative in enumerate(listing, start=1)}
    pattern = re.compile(opts.pattern)
    results: list[WriteResult] = []
    removed = False
    for request in requests:
        if request.action != "delete":
            results.append(WriteResult(request.trace_id, False, "a document can only be deleted"))
            continue
        relative = str(request.locator.get("path") or "")
        problem = _unsafe(folder, relative)
        if problem is None and relative not in numbers:
            problem = "the file is no longer in the folder"
        if problem is None:
            log = ProblemLog(display_path(folder))
            record = read_one(folder, relative, numbers[relative], pattern, opts, log)
            problem = _changed(record, request, source.id, ids)
        if problem is not None:
            results.append(WriteResult(request.trace_id, False, problem))
            continue
        try:
            (folder / relative).unlink()
        except OSError as exc:
            results.append(
                WriteResult(request.trace_id, False, f"could not remove ({type(exc).__name__})")
            )
            continue
        removed = True
        fsync_dir((folder / relative).parent)
        crash_point("rename")
        results.append(WriteResult(request.trace_id, True, "delete"))
    if removed:
        fsync_dir(folder)
    return results


def _unsafe(folder: Path, relative: str) -> str | None:
    """Why ``relative`` is not a plain file inside ``folder`` (None when it is)."""
    if not relative:
        return "the request names no file"
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        return "the path leads outside the folder"
    target = folder / relative
    if target.is_symlink():
        return "the file is a symbolic link"
    try:
        target.resolve().relative_to(folder.resolve())
    except ValueError:
        return "the path leads outside the folder"
    return None


def _changed(
    record: dict[str, Any], request: WriteRequest, source_id: str, ids: Hasher
) -> str | None:
    """Compare the file as read now with the approved trace (same hashes as finalize)."""
    record_id = str(record["record_id"])
    if ids.trace_id(source_id, record_id) != request.trace_id:
        return "the file is another record now"
    texts = "\n".join(str(t) for t in record["texts"] if t is not None)
    fingerprint = hashlib.sha256(f"{texts}\x1f{record_id}".encode()).hexdigest()[:32]
    if fingerprint != request.fingerprint:
        return "the file was changed after the proposal"
    return None


__all__ = ["write_folder"]
