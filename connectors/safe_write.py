"""Changing files so that a crash at any moment leaves every file whole.

* :func:`replace_atomically`: a new version is written to a temporary file
  beside the original (``.karsinta-<random>.tmp``), fsynced, given the
  original's mode, owner and group, renamed over it, and the folder fsynced.
* :func:`copy_owner_only`: the same for a copy (the undo copies apply keeps).
* :func:`sweep_temp_files`: a killed process leaves its temporary file
  behind (it holds customer data); the next apply or review removes it.
  Only files named like ours are touched.
* :func:`crash_point`: a named point after a durable change (a rename, a
  ledger commit, the receipt) where the crash tests kill the process.
  ``KARSINTA_APPLY_ABORT_AT=rename:2`` exits hard at the second rename;
  nothing happens when it is not set.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

TEMP_PREFIX = ".karsinta-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.karsinta-[0-9a-f]{16}\.tmp$")
#: the crash tests' hook: ``<point>:<n>`` exits (code 86) at the n-th time ``point`` is reached
ABORT_AT_ENV = "KARSINTA_APPLY_ABORT_AT"
ABORT_EXIT = 86
CRASH_POINTS = ("rename", "commit", "receipt")

_reached: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Exit hard here when the crash test asks for it (see the module docstring)."""
    wanted = os.environ.get(ABORT_AT_ENV, "")
    if not wanted.startswith(name + ":"):
        return
    _reached[name] += 1
    count = wanted.split(":", 1)[1]
    if count.isdigit() and _reached[name] >= int(count):
        os._exit(ABORT_EXIT)


def temp_path(folder: Path) -> Path:
    """A fresh temporary file name in ``folder`` that the sweep recognises."""
    return folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def sweep_temp_files(folder: Path) -> int:
    """Remove the temporary files a killed rewrite left in ``folder``; how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if _TEMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed += 1
    if removed:
        fsync_dir(folder)
    return removed


def _keep_owner(temp: Path, original: os.stat_result) -> None:
    """Give ``temp`` the original's owner, group and mode (as far as we are allowed)."""
    if os.geteuid() == 0 or original.st_uid == os.geteuid():
        # not a member of the group: the owner stays, the group is ours
        with suppress(PermissionError):
            os.chown(temp, original.st_uid, original.st_gid)
    os.chmod(temp, original.st_mode & 0o7777)


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write a new version of ``path`` beside it, fsync, rename over it, fsync the folder.

    The new file keeps the original's mode, owner and group.
    """
    original = path.stat()
    temp = temp_path(path.parent)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    try:
        write(temp)
        with open(temp, "rb") as reader:
            os.fsync(reader.fileno())
        _keep_owner(temp, original)
        os.replace(temp, path)
        fsync_dir(path.parent)
        crash_point("rename")
    finally:
        if temp.exists():
            temp.unlink()


def copy_owner_only(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (mode 0600), atomically; folders made 0700."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target.parent, 0o700)  # whatever the umask
    temp = temp_path(target.parent)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out, open(source, "rb") as data:
            shutil.copyfileobj(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
        fsync_dir(target.parent)
    finally:
        if temp.exists():
            temp.unlink()


def fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


__all__ = [
    "ABORT_AT_ENV",
    "CRASH_POINTS",
    "copy_owner_only",
    "crash_point",
    "fsync_dir",
    "replace_atomically",
    "sweep_temp_files",
    "temp_path",
]
