"""Google accounts as sources: contacts (People API), calendar (Calendar API v3), Gmail.

Connectors (``connector:`` in karsinta.yaml): ``google_contacts``,
``google_other_contacts``, ``google_calendar``, ``gmail``. Each source names
the account ``karsinta auth google`` connected (``options.account``) and keeps
its sync state in its ``path`` folder. :mod:`connectors.google.client` builds
the API client (or the injected one of tests and the demo) and runs every call
with bounded retries.
"""
