"""Microsoft 365 / Outlook.com accounts as sources, through Microsoft Graph over HTTP.

Connectors: ``graph_contacts``, ``graph_calendar``, ``graph_mail``. Each
source names the account ``karsinta auth microsoft`` connected
(``options.account``) and keeps its delta links and snapshot in its ``path``
folder. :mod:`connectors.microsoft.client` makes every request (an injected
session and token provider in tests and the demo, MSAL's token cache
otherwise).
"""
