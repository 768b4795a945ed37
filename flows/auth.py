"""``karsinta auth google|microsoft``: connect an account, read-only unless apply needs more.

* Google: the installed-app OAuth flow (``google-auth-oauthlib``): the owner
  gives the OAuth client file they downloaded from Google Cloud console
  (``--client-secrets``, never stored in karsinta.yaml), a browser opens,
  they allow, and the authorised-user token is stored.
* Microsoft: the device-code flow (``msal``): Karsinta prints a code and an
  address, the owner signs in on any device; the MSAL token cache is stored.

Read-only scopes by default (contacts, calendar, mail headers); write scopes
(delete contacts, change events, move mail to the trash) only with
``--allow-delete``. Tokens go to the token store
(:mod:`connectors.live.tokens`): the OS keyring when it works, else an
owner-only file outside the workspace; the command says which. ``--forget``
removes the stored token (revoking the grant itself is done in the
provider's account page; the README says where).

Every line the owner reads is in ``lang`` (:mod:`connectors.messages`);
without one, the store's description stays in both languages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.errors import KarsintaError
from connectors.google.client import READ_SCOPES as GOOGLE_READ
from connectors.google.client import WRITE_SCOPES as GOOGLE_WRITE
from connectors.live.tokens import TokenStore, check_account, describe_store, token_store
from connectors.messages import say as message
from connectors.microsoft.client import READ_SCOPES as GRAPH_READ
from connectors.microsoft.client import WRITE_SCOPES as GRAPH_WRITE

LOGIN = "https://login.microsoftonline.com"


def google_scopes(allow_delete: bool) -> list[str]:
    return list(GOOGLE_WRITE if allow_delete else GOOGLE_READ)


def microsoft_scopes(allow_delete: bool) -> list[str]:
    return list(GRAPH_WRITE if allow_delete else GRAPH_READ)


def connect_google(
    account: str,
    client_secrets: Path,
    *,
    allow_delete: bool = False,
    store: TokenStore | None = None,
    run_flow: Callable[[Any], Any] | None = None,
    lang: str | None = None,
) -> str:
    """Run the installed-app flow and store the token; where it went (for the owner)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    words = lang or "fi"
    check_account("google", account)
    if not client_secrets.is_file():
        raise KarsintaError(message(words, "auth_no_client_file", file=client_secrets))
    try:
        flow = InstalledAppFlow.from_client_secrets_file(
            str(client_secrets), scopes=google_scopes(allow_delete)
        )
    except ValueError:
        raise KarsintaError(message(words, "auth_not_desktop", file=client_secrets)) from None
    runner = run_flow or (
        lambda f: f.run_local_server(
            host="localhost",
            port=0,
            open_browser=True,
            authorization_prompt_message=message(words, "auth_open_browser"),
            success_message=message(words, "auth_browser_done"),
        )
    )
    credentials = runner(flow)
    chosen = store or token_store()
    chosen.save("google", account, json.loads(credentials.to_json()))
    return describe_store(chosen, lang)


def connect_microsoft(
    account: str,
    client_id: str,
    *,
    tenant: str = "common",
    allow_delete: bool = False,
    store: TokenStore | None = None,
    http_client: Any = None,
    say: Callable[[str], None] = print,
    lang: str | None = None,
) -> str:
    """Run the device-code flow and store the MSAL token cache; where it went.

    The sign-in line is Karsinta's own, in ``lang`` (MSAL's ready-made one is English).
    """
    import msal

    words = lang or "fi"
    check_account("microsoft", account)
    authority = f"{LOGIN}/{tenant}"
    cache = msal.SerializableTokenCache()
    extra = {"http_client": http_client} if http_client is not None else {}
    app = msal.PublicClientApplication(client_id, authority=authority, token_cache=cache, **extra)
    scopes = microsoft_scopes(allow_delete)
    flow = app.initiate_device_flow(scopes=scopes)
    if "user_code" not in flow:
        raise KarsintaError(message(words, "auth_could_not_start", error=flow.get("error")))
    url = flow.get("verification_uri") or flow.get("verification_url")
    if url:
        say(message(words, "auth_device_code", url=url, code=flow["user_code"]))
    else:
        say(str(flow["message"]))
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise KarsintaError(message(words, "auth_failed", error=result.get("error")))
    chosen = store or token_store()
    chosen.save(
        "microsoft",
        account,
        {
            "client_id": client_id,
            "authority": authority,
            "scopes": scopes,
            "cache": cache.serialize(),
        },
    )
    return describe_store(chosen, lang)


def forget(provider: str, account: str, store: TokenStore | None = None) -> bool:
    """Remove the stored token of ``account``; whether there was one."""
    check_account(provider, account)
    return (store or token_store()).forget(provider, account)


__all__ = ["connect_google", "connect_microsoft", "forget", "google_scopes", "microsoft_scopes"]
