"""`karsinta auth`: scopes, the token store, MSAL's device flow and token-cache round trip.

MSAL runs for real with a fake ``http_client`` (no socket is opened); the
Google installed-app flow is the real ``InstalledAppFlow`` with its browser
step replaced.
"""

from __future__ import annotations

import base64
import json
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import UnreadableSource
from connectors.live.tokens import FileTokenStore, token_store
from connectors.microsoft.client import msal_token_provider
from flows.auth import connect_google, connect_microsoft, google_scopes, microsoft_scopes
from flows.cli import main

LOGIN = "https://login.microsoftonline.com/common"


@pytest.fixture(autouse=True)
def file_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tokens"
    monkeypatch.setenv("KARSINTA_TOKEN_STORE", "file")
    monkeypatch.setenv("KARSINTA_TOKEN_DIR", str(folder))
    return folder


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class Response:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code = status
        self.text = json.dumps(body)
        self.headers: dict[str, str] = {}

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeLogin:
    """Microsoft's login endpoints as MSAL calls them: discovery, device code, token."""

    def __init__(self, expires_in: int = 3600, refresh_fails: bool = False) -> None:
        self.expires_in = expires_in
        self.refresh_fails = refresh_fails
        self.posts: list[tuple[str, dict[str, Any]]] = []

    def get(self, url: str, params: Any = None, headers: Any = None, **kw: Any) -> Response:
        if "openid-configuration" in url:
            return Response(200, {
                "authorization_endpoint": f"{LOGIN}/oauth2/v2.0/authorize",
                "token_endpoint": f"{LOGIN}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{LOGIN}/oauth2/v2.0/devicecode",
                "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
            })  # fmt: skip
        if "discovery/instance" in url:
            return Response(200, {
                "tenant_discovery_endpoint": f"{LOGIN}/v2.0/.well-known/openid-configuration",
                "metadata": [{"preferred_network": "login.microsoftonline.com",
                              "aliases": ["login.microsoftonline.com"]}],
            })  # fmt: skip
        raise AssertionError(f"unexpected GET {url}")

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kw: Any
    ) -> Response:
        self.posts.append((url, dict(data or {})))
        if url.endswith("/devicecode"):
            return Response(200, {
                "device_code": "dev-123", "user_code": "ABCD-EFGH", "interval": 0,
                "expires_in": 900,
                "verification_uri": "https://microsoft.com/devicelogin",
                "message": "Go to https://microsoft.com/devicelogin and enter ABCD-EFGH",
            })  # fmt: skip
        if url.endswith("/token"):
            if (data or {}).get("grant_type") == "refresh_token" and self.refresh_fails:
                return Response(400, {"error": "invalid_grant", "error_description": "expired"})
            now = int(time.time())
            id_token = ".".join([
                _b64({"alg": "none"}),
                _b64({"iss": "https://login.microsoftonline.com/t1/v2.0", "sub": "s",
                      "aud": "app-1", "oid": "u1", "tid": "t1",
                      "preferred_username": "owner@example.fi",
                      "iat": now, "exp": now + 3600}),
                "",
            ])  # fmt: skip
            return Response(200, {
                "token_type": "Bearer", "access_token": f"at-{len(self.posts)}",
                "refresh_token": "rt-1", "expires_in": self.expires_in,
                "scope": " ".join(microsoft_scopes(False)), "id_token": id_token,
                "client_info": _b64({"uid": "u1", "utid": "t1"}),
            })  # fmt: skip
        raise AssertionError(f"unexpected POST {url}")


def test_scopes_are_read_only_unless_delete_is_allowed() -> None:
    assert all(s.endswith(("readonly", "metadata")) for s in google_scopes(False))
    assert "https://www.googleapis.com/auth/gmail.modify" in google_scopes(True)
    assert not any("Write" in s for s in microsoft_scopes(False))
    assert "Mail.ReadBasic" in microsoft_scopes(False)  # headers, never bodies
    assert "Contacts.ReadWrite" in microsoft_scopes(True)


def test_device_flow_stores_an_owner_only_cache_that_gives_tokens_without_network(
    file_store: Path,
) -> None:
    login = FakeLogin()
    said: list[str] = []
    where = connect_microsoft("prover", "app-1", http_client=login, say=said.append)
    assert "ABCD-EFGH" in said[0]
    assert str(file_store) in where
    assert "owner" in where
    token_file = file_store / "microsoft-prover.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file_store.stat().st_mode) == 0o700
    asked = next(d for u, d in login.posts if u.endswith("/devicecode"))
    assert "Contacts.Read" in asked["scope"]
    assert "ReadWrite" not in asked["scope"]
    grant = next(d for u, d in login.posts if u.endswith("/token"))
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"

    class NoNetwork(FakeLogin):
        def post(self, *a: Any, **k: Any) -> Response:
            raise AssertionError("a valid cached token needs no network")

    token = msal_token_provider("prover", "tilit/outlook", http_client=NoNetwork())
    assert token() == "at-2"


def test_a_refresh_that_fails_tells_the_owner_to_run_auth_again() -> None:
    connect_microsoft("prover", "app-1", http_client=FakeLogin(expires_in=1), say=lambda _: None)
    token = msal_token_provider(
        "prover", "tilit/outlook", http_client=FakeLogin(refresh_fails=True)
    )
    with pytest.raises(UnreadableSource) as caught:
        token()
    assert "karsinta auth microsoft --account prover" in str(caught.value)


def test_a_successful_refresh_is_saved_back() -> None:
    connect_microsoft("prover", "app-1", http_client=FakeLogin(expires_in=1), say=lambda _: None)
    before = (FileTokenStore().load("microsoft", "prover") or {})["cache"]
    token = msal_token_provider("prover", "tilit/outlook", http_client=FakeLogin())
    assert token().startswith("at-")
    assert (FileTokenStore().load("microsoft", "prover") or {})["cache"] != before


def test_google_installed_app_flow_stores_the_authorised_user(tmp_path: Path) -> None:
    secrets = tmp_path / "client.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "cs",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"],
    }}))  # fmt: skip
    seen: dict[str, Any] = {}

    def run(flow: Any) -> Any:
        from google.oauth2.credentials import Credentials

        seen["scopes"] = list(flow.oauth2session.scope)
        return Credentials(
            "at", refresh_token="rt", token_uri="https://oauth2.googleapis.com/token",
            client_id="cid.apps.googleusercontent.com", client_secret="cs", scopes=seen["scopes"],
        )  # fmt: skip

    connect_google("leoprana", secrets, run_flow=run)
    assert seen["scopes"] == google_scopes(False)
    stored = token_store().load("google", "leoprana")
    assert stored is not None
    assert stored["refresh_token"] == "rt"


def test_cli_auth_forget_and_bad_account(capsys: pytest.CaptureFixture[str]) -> None:
    FileTokenStore().save("google", "leoprana", {"refresh_token": "x"})
    assert main(["auth", "google", "--account", "leoprana", "--forget"]) == 0
    assert FileTokenStore().load("google", "leoprana") is None
    assert main(["auth", "google", "--account", "../etc", "--client-secrets", "x"]) == 2
    assert main(["auth", "microsoft", "--account", "prover"]) == 2
    err = capsys.readouterr().err
    assert "--client-id" in err
