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
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.errors import KarsintaError
from connectors.google.client import READ_SCOPES as GOOGLE_READ
from connectors.google.client import WRITE_SCOPES as GOOGLE_WRITE
from connectors.live.tokens import TokenStore, check_account, token_store
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
) -> str:
    """Run the installed-app flow and store the token; where it went (for the owner)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    check_account("google", account)
    if not client_secrets.is_file():
        raise KarsintaError(
            f"{client_secrets}: OAuth-asiakastiedostoa ei löydy / the OAuth client file is "
            "not there (download it from Google Cloud console, see README)"
        )
    try:
        flow = InstalledAppFlow.from_client_secrets_file(
            str(client_secrets), scopes=google_scopes(allow_delete)
        )
    except ValueError:
        raise KarsintaError(
            f"{client_secrets}: ei ole työpöytäsovelluksen OAuth-asiakastiedosto / not an OAuth "
            "client file of type 'Desktop app'"
        ) from None
    runner = run_flow or (
        lambda f: f.run_local_server(
            host="localhost",
            port=0,
            open_browser=True,
            authorization_prompt_message=("Avaa selaimessa / open in a browser:\n{url}"),
            success_message=(
                "Karsinta on yhdistetty; voit sulkea ikkunan. / Karsinta is connected; "
                "you may close this window."
            ),
        )
    )
    credentials = runner(flow)
    chosen = store or token_store()
    chosen.save("google", account, json.loads(credentials.to_json()))
    return chosen.description


def connect_microsoft(
    account: str,
    client_id: str,
    *,
    tenant: str = "common",
    allow_delete: bool = False,
    store: TokenStore | None = None,
    http_client: Any = None,
    say: Callable[[str], None] = print,
) -> str:
    """Run the device-code flow and store the MSAL token cache; where it went."""
    import msal

    check_account("microsoft", account)
    authority = f"{LOGIN}/{tenant}"
    cache = msal.SerializableTokenCache()
    extra = {"http_client": http_client} if http_client is not None else {}
    app = msal.PublicClientApplication(client_id, authority=authority, token_cache=cache, **extra)
    scopes = microsoft_scopes(allow_delete)
    flow = app.initiate_device_flow(scopes=scopes)
    if "user_code" not in flow:
        raise KarsintaError(
            f"kirjautumista ei voitu aloittaa / sign-in could not start ({flow.get('error')})"
        )
    say(str(flow["message"]))
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise KarsintaError(
            f"kirjautuminen ei onnistunut / sign-in failed ({result.get('error')}); try again"
        )
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
    return chosen.description


def forget(provider: str, account: str, store: TokenStore | None = None) -> bool:
    """Remove the stored token of ``account``; whether there was one."""
    check_account(provider, account)
    return (store or token_store()).forget(provider, account)


__all__ = ["connect_google", "connect_microsoft", "forget", "google_scopes", "microsoft_scopes"]
