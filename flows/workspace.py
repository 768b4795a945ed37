"""The workspace: one folder per business, with ``karsinta.yaml`` listing its sources.

Example::

    business: Tmi Krista Kohonen
    language: fi                      # fi or en: the language of the reports
    registers:
      asiakasrekisteri:
        policy: rekisterit/asiakasrekisteri.yaml
    allowed_roots: [/srv/exports]     # optional: folders outside the workspace sources may be in
    undo_days: 30                     # days apply keeps its undo copies (.karsinta/kumoa/)
    sources:
      - id: asiakkaat
        connector: spreadsheet
        path: aineisto/asiakkaat.xlsx  # relative to the workspace folder
        register: asiakasrekisteri
        kind: order
        system_of_record: true         # the owner's own file: apply may rewrite it
        options:
          columns: {name: Nimi, email: Sähköposti, event_date: Tilauspäivä}

Credentials never live here: a key that looks like one (password, token,
secret, api_key ...) is an error. Errors name the file, the line and the field.

Sources are confined to the workspace: a source whose path, every symbolic
link followed, leads outside the workspace folder (``../x.csv``, an absolute
path, a link to ``/etc/passwd``) is an error naming the source and its line,
and is neither read nor changed, unless it lies under a folder the config
names in ``allowed_roots``. Karsinta's own state (``.karsinta/``) is never a
source.

The workspace also owns the machinery every run shares: the lock that lets
one apply run at a time (:func:`workspace_lock`, an OS file lock a killed
process releases) and the sweep of what a killed run left behind
(:func:`sweep_leftovers`: temporary copies, and undo copies past their
window).
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.base import SourceSpec, connector_names, get_connector
from connectors.configfile import Loc, describe_errors, load_yaml, where_said
from connectors.errors import ApplyRefused, ConfigError
from connectors.messages import Said, say
from connectors.safe_write import sweep_temp_files
from flows.notify import NotifyConfig

CONFIG_NAME = "karsinta.yaml"
STATE_NAME = ".karsinta"
LOCK_NAME = "apply.lock"
UNDO_NAME = "kumoa"
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|client[_-]?secret|refresh|credential)", re.I
)


class RegisterRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: Path = Field(description="the register policy YAML, relative to the workspace")


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    business: str = Field(min_length=1)
    language: Literal["fi", "en"] = "fi"
    registers: dict[str, RegisterRef] = Field(default_factory=dict)
    sources: list[SourceSpec] = Field(default_factory=list)
    allowed_roots: list[Path] = Field(
        default_factory=list,
        description="folders outside the workspace that sources may lie in (named explicitly)",
    )
    undo_days: int = Field(
        default=30, ge=0, le=3650, description="days apply keeps its undo copies of changed files"
    )
    notify: NotifyConfig | None = Field(
        default=None, description="the owner's SMTP server for notifications (flows.notify)"
    )


class Workspace:
    """A loaded, validated workspace: its folder and its config."""

    def __init__(self, root: Path, config: WorkspaceConfig) -> None:
        self.root = root
        self.config = config

    @property
    def sources(self) -> list[SourceSpec]:
        """The sources with their paths made absolute."""
        return [
            source.model_copy(update={"path": (self.root / source.path).resolve()})
            for source in self.config.sources
        ]

    def policy_path(self, register: str) -> Path:
        return (self.root / self.config.registers[register].policy).resolve()

    @property
    def output_dir(self) -> Path:
        return self.root / "raportit"

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_NAME

    @property
    def undo_dir(self) -> Path:
        """Where apply keeps owner-only copies of the files it changes (``undo_days``)."""
        return self.state_dir / UNDO_NAME

    def key(self) -> str:
        """This workspace's random id, created on first use (owner-only file).

        A proposal names the workspace it came from; apply refuses another's.
        """
        path = self.state_dir / "workspace-id"
        try:
            return path.read_text("ascii").strip()
        except FileNotFoundError:
            pass
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        value = secrets.token_hex(16)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        return value


def _secret_keys(data: Any, path: Loc = ()) -> list[Loc]:
    found: list[Loc] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _SECRET_KEY.search(key):
                found.append((*path, key))
            found.extend(_secret_keys(value, (*path, key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(_secret_keys(item, (*path, index)))
    return found


def _consistency(config: WorkspaceConfig, lines: dict[Loc, int]) -> list[str]:
    """Source ids are unique and every source names a declared register."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        if source.id in seen:
            problems.append(
                where_said(lines, ("sources", index, "id"), Said("cfg_id_twice", id=source.id))
            )
        seen.add(source.id)
        if source.register not in config.registers:
            known: str = ", ".join(sorted(config.registers)) or Said("cfg_none_declared")
            problem = Said("cfg_no_register", register=source.register, known=known)
            problems.append(where_said(lines, ("sources", index, "register"), problem))
    return problems


def _confinement(config: WorkspaceConfig, root: Path, lines: dict[Loc, int]) -> list[str]:
    """Every source lies, symbolic links followed, in the workspace or an allowed root."""
    allowed = [root, *((root / extra).resolve() for extra in config.allowed_roots)]
    state = (root / STATE_NAME).resolve()
    problems: list[str] = []
    for index, source in enumerate(config.sources):
        where = (root / source.path).resolve()
        inside = any(where.is_relative_to(folder) for folder in allowed)
        if inside and not where.is_relative_to(state):
            continue
        problems.append(
            where_said(lines, ("sources", index, "path"), Said("cfg_outside", id=source.id))
        )
    return problems


def _credential_problem(secret: Loc, lines: dict[Loc, int]) -> str:
    """The one line about a credential in the config: its key, and where it belongs."""
    return where_said(lines, secret, Said("cfg_credential"))


def _dotted(loc: Loc) -> str:
    return ".".join(map(str, loc))


def _not_about(secrets_found: list[Loc], problems: list[str]) -> list[str]:
    """``problems`` without those about a credential key already named (named once)."""
    fields = tuple(f"field '{_dotted(secret)}':" for secret in secrets_found)
    return [p for p in problems if not any(field in p for field in fields)]


def config_path(location: Path) -> Path:
    """``location`` itself when it is a file, else its ``karsinta.yaml``."""
    return location if location.is_file() else location / CONFIG_NAME


def load_workspace(location: Path) -> Workspace:
    """Load and validate a workspace; ConfigError listing every problem otherwise."""
    path = config_path(location)
    file = str(path)
    data, lines = load_yaml(path)
    secrets_found = _secret_keys(data)
    problems = [_credential_problem(secret, lines) for secret in secrets_found]
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        found = describe_errors(exc, lines)
        raise ConfigError(file, problems + _not_about(secrets_found, found)) from None
    problems.extend(_consistency(config, lines))
    for index, source in enumerate(config.sources):
        loc: Loc = ("sources", index)
        try:
            connector = get_connector(source.connector)
        except KeyError:
            known = ", ".join(connector_names())
            problem = Said("cfg_unknown_connector", name=source.connector, known=known)
            problems.append(where_said(lines, (*loc, "connector"), problem))
            continue
        try:
            connector.options_model.model_validate(source.options)
        except ValidationError as exc:
            found = describe_errors(exc, lines, prefix=(*loc, "options"))
            problems.extend(_not_about(secrets_found, found))
    root = path.parent.resolve()
    problems.extend(_confinement(config, root, lines))
    if problems:
        raise ConfigError(file, problems)
    return Workspace(root, config)


# ------------------------------------------------------------------ the lock

_held: dict[Path, int] = {}


def _started_text(descriptor: int) -> str:
    """HH:MM (local time) the running holder wrote into the lock file, or '?'."""
    try:
        text = os.pread(descriptor, 64, 0).decode("ascii").strip()
        return datetime.fromisoformat(text).astimezone().strftime("%H:%M")
    except (OSError, ValueError, UnicodeDecodeError):
        return "?"


@contextmanager
def workspace_lock(workspace: Workspace) -> Iterator[None]:
    """One apply per workspace at a time: the second is refused, never interleaved.

    An OS file lock (flock) on ``.karsinta/apply.lock``: the kernel releases it
    when the holder exits, even when killed. Re-entrant within one process
    (the command line takes it before Prefect starts; the flow takes it again).
    """
    workspace.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = (workspace.state_dir / LOCK_NAME).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            started = _started_text(descriptor)
            language = workspace.config.language
            raise ApplyRefused(say(language, "apply_running", started=started)) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, datetime.now(UTC).isoformat(timespec="seconds").encode(), 0)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(descriptor)  # closing releases the lock


def apply_running(workspace: Workspace) -> bool:
    """Is an apply running in this workspace (in another process)?"""
    path = workspace.state_dir / LOCK_NAME
    if not path.exists() or path.resolve() in _held:
        return False
    descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


# ------------------------------------------------------------ the leftovers


def undo_stamp(moment: datetime) -> str:
    """The name prefix of one apply run's undo folder (UTC, sortable)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _undo_time(name: str) -> datetime | None:
    try:
        return datetime.strptime(name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def sweep_leftovers(workspace: Workspace, now: datetime | None = None) -> dict[str, int]:
    """Remove what killed runs left and undo copies past ``undo_days``; counts only.

    Call it holding :func:`workspace_lock` (an apply's temporary file is not
    a leftover while it runs); the review calls it only when no apply runs.
    """
    moment = now or datetime.now(UTC)
    temps = 0
    folders = {workspace.state_dir}
    for source in workspace.sources:
        folders.add(source.path if source.path.is_dir() else source.path.parent)
    for folder in sorted(folders):
        temps += sweep_temp_files(folder)
    expired = 0
    undo = workspace.undo_dir
    if undo.is_dir():
        limit = moment - timedelta(days=workspace.config.undo_days)
        for run in sorted(undo.iterdir()):
            made = _undo_time(run.name)
            if run.is_dir() and not run.is_symlink() and made is not None and made < limit:
                shutil.rmtree(run)
                expired += 1
            elif run.is_dir() and not run.is_symlink():
                for below, _, _ in os.walk(run):
                    temps += sweep_temp_files(Path(below))
        temps += sweep_temp_files(undo)
    return {"temp_files": temps, "undo_runs": expired}
