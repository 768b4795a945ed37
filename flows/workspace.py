"""The workspace: one folder per business, with ``karsinta.yaml`` listing its sources.

Example::

    business: Tmi Krista Kohonen
    language: fi                      # fi or en: the language of the reports
    registers:
      asiakasrekisteri:
        policy: rekisterit/asiakasrekisteri.yaml
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
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.base import SourceSpec, get_connector
from connectors.configfile import Loc, describe_errors, line_of, load_yaml
from connectors.errors import ConfigError

CONFIG_NAME = "karsinta.yaml"
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
        return self.root / ".karsinta"

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
    problems = []
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        if source.id in seen:
            line = line_of(lines, ("sources", index, "id"))
            problems.append(
                f"line {line}, field 'sources.{index}.id': source id '{source.id}' is used twice"
            )
        seen.add(source.id)
        if source.register not in config.registers:
            line = line_of(lines, ("sources", index, "register"))
            known = ", ".join(sorted(config.registers)) or "none declared"
            problems.append(
                f"line {line}, field 'sources.{index}.register': register '{source.register}' "
                f"is not among the registers ({known})"
            )
    return problems


def config_path(location: Path) -> Path:
    """``location`` itself when it is a file, else its ``karsinta.yaml``."""
    return location if location.is_file() else location / CONFIG_NAME


def load_workspace(location: Path) -> Workspace:
    """Load and validate a workspace; ConfigError listing every problem otherwise."""
    path = config_path(location)
    file = str(path)
    data, lines = load_yaml(path)
    problems: list[str] = []
    for secret in _secret_keys(data):
        line = line_of(lines, secret)
        problems.append(
            f"line {line}, field '{'.'.join(map(str, secret))}': credentials never go in the "
            "workspace config; use `karsinta auth` (OS keyring or an owner-only token file)"
        )
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(file, problems + describe_errors(exc, lines)) from None
    problems.extend(_consistency(config, lines))
    for index, source in enumerate(config.sources):
        loc: Loc = ("sources", index)
        try:
            connector = get_connector(source.connector)
        except KeyError as exc:
            line = line_of(lines, (*loc, "connector"))
            problems.append(f"line {line}, field 'sources.{index}.connector': {exc.args[0]}")
            continue
        try:
            connector.options_model.model_validate(source.options)
        except ValidationError as exc:
            problems.extend(describe_errors(exc, lines, prefix=(*loc, "options")))
    if problems:
        raise ConfigError(file, problems)
    return Workspace(path.parent.resolve(), config)
