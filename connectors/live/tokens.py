"""Where an account's tokens live: outside the workspace, readable by the owner only.

``karsinta auth`` stores what the provider gave (Google's authorised-user
JSON, Microsoft's MSAL token cache) under ``(provider, account)``; the
connectors load it. The store is

* the OS keyring (``keyring``) when it is importable and has a working
  backend, else
* one file per account in ``KARSINTA_TOKEN_DIR`` (default
  ``~/.config/karsinta/tokens``), the folder 0700 and the file 0600.

``KARSINTA_TOKEN_STORE=file`` forces the file store (tests, servers without a
keyring). :func:`token_store` says which one is used in words the owner reads.
Nothing here ever prints or logs a token.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Protocol

from connectors.errors import UnreadableSource
from connectors.messages import problem_text, say
from connectors.safe_write import fsync_dir, temp_path

TOKEN_DIR_ENV = "KARSINTA_TOKEN_DIR"  # noqa: S105 - a variable name
TOKEN_STORE_ENV = "KARSINTA_TOKEN_STORE"  # noqa: S105 - a variable name
KEYRING_SERVICE = "karsinta"
PROVIDERS = ("google", "microsoft")
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class TokenStore(Protocol):
    """Loads and saves one account's token data (a JSON-able dict)."""

    description: str

    def load(self, provider: str, account: str) -> dict[str, Any] | None: ...

    def save(self, provider: str, account: str, data: dict[str, Any]) -> None: ...

    def forget(self, provider: str, account: str) -> bool: ...


def check_account(provider: str, account: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")
    if not ACCOUNT_NAME.match(account):
        raise ValueError("an account name is 1-64 letters, digits, '.', '_' or '-'")


def token_dir() -> Path:
    configured = os.environ.get(TOKEN_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "karsinta" / "tokens"


class FileTokenStore:
    """One 0600 JSON file per account in a 0700 folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or token_dir()
        self.description = (
            f"tiedosto {self.folder} (vain omistaja voi lukea) / "
            f"file {self.folder} (readable by the owner only)"
        )

    def _path(self, provider: str, account: str) -> Path:
        check_account(provider, account)
        return self.folder / f"{provider}-{account}.json"

    def load(self, provider: str, account: str) -> dict[str, Any] | None:
        path = self._path(provider, account)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        data = json.loads(text)
        return data if isinstance(data, dict) else None

    def save(self, provider: str, account: str, data: dict[str, Any]) -> None:
        path = self._path(provider, account)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        write_owner_only(path, json.dumps(data, sort_keys=True))

    def forget(self, provider: str, account: str) -> bool:
        path = self._path(provider, account)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True


class KeyringTokenStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    description = "käyttöjärjestelmän avainnippu / the OS keyring"

    def __init__(self, keyring: Any) -> None:
        self._keyring = keyring

    def load(self, provider: str, account: str) -> dict[str, Any] | None:
        check_account(provider, account)
        text = self._keyring.get_password(KEYRING_SERVICE, f"{provider}:{account}")
        return None if text is None else json.loads(text)

    def save(self, provider: str, account: str, data: dict[str, Any]) -> None:
        check_account(provider, account)
        self._keyring.set_password(
            KEYRING_SERVICE, f"{provider}:{account}", json.dumps(data, sort_keys=True)
        )

    def forget(self, provider: str, account: str) -> bool:
        check_account(provider, account)
        try:
            self._keyring.delete_password(KEYRING_SERVICE, f"{provider}:{account}")
        except Exception:  # noqa: BLE001 - keyring backends raise their own types
            return False
        return True


def _working_keyring() -> Any | None:
    """The keyring module when it has a real backend, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring means: use the file
        return None
    if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__.lower():
        return None
    return keyring


def token_store() -> TokenStore:
    """The keyring when it works (and the file store is not forced), else the file store."""
    if os.environ.get(TOKEN_STORE_ENV, "").lower() != "file":
        found = _working_keyring()
        if found is not None:
            return KeyringTokenStore(found)
    return FileTokenStore()


def write_owner_only(path: Path, text: str) -> None:
    """Write ``path`` (mode 0600) atomically: a crash leaves the old or the new file."""
    temp = temp_path(path.parent)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        fsync_dir(path.parent)
    finally:
        if temp.exists():
            temp.unlink()


def auth_again(provider: str, account: str, file: str, why: str) -> UnreadableSource:
    """The error of an account whose authorisation is missing or no longer valid.

    ``why`` is :data:`NOT_CONNECTED` or :data:`EXPIRED` (its catalogue code).
    """
    params = {"account": account, "command": f"karsinta auth {provider} --account {account}"}
    return UnreadableSource(file, problem_text("en", why, **params), why, **params)


def lacks_permission(provider: str, account: str, file: str) -> UnreadableSource:
    """The error of an account that was connected without a permission the call needs."""
    params = {"command": f"karsinta auth {provider} --account {account}"}
    return UnreadableSource(
        file, problem_text("en", "lacks_permission", **params), "lacks_permission", **params
    )


def refused(service: str, status: int, words: str, file: str) -> UnreadableSource:
    """The error of a request the service refused (``words``: its reason codes, or "")."""
    params = {"service": service, "status": status, "words": words}
    return UnreadableSource(
        file, problem_text("en", "service_refused", **params), "service_refused", **params
    )


def describe_store(store: TokenStore, lang: str | None = None) -> str:
    """Where ``store`` keeps tokens, in ``lang`` (None: its own two-language description)."""
    if lang is None:
        return store.description
    if isinstance(store, FileTokenStore):
        return say(lang, "token_store_file", folder=store.folder)
    if isinstance(store, KeyringTokenStore):
        return say(lang, "token_store_keyring")
    return store.description


#: catalogue codes of auth_again's two reasons
NOT_CONNECTED = "auth_missing"
EXPIRED = "auth_expired"


__all__ = [
    "EXPIRED",
    "NOT_CONNECTED",
    "FileTokenStore",
    "KeyringTokenStore",
    "TokenStore",
    "auth_again",
    "check_account",
    "describe_store",
    "lacks_permission",
    "refused",
    "token_dir",
    "token_store",
    "write_owner_only",
]
