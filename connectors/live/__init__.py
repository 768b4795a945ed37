"""What every live account (Google, Microsoft 365) shares, provider-neutral.

* :mod:`connectors.live.tokens`: where an account's tokens live, outside the
  workspace and owner-only (the OS keyring when it works, else a 0600 file).
* :mod:`connectors.live.state`: the per-source sync state (sync tokens, delta
  links and the snapshot of items that turns incremental changes into full
  traces), kept owner-only in the source's ``path`` folder.
* :mod:`connectors.live.retry`: bounded retries with backoff for rate limits,
  server errors and network errors.
* :mod:`connectors.live.transport`: the injected transport tests and the demo
  point at a local server.
* :mod:`connectors.live.records`: raw records shared by the providers (mail
  per counterpart, the check that a record is still the approved one).
* :mod:`connectors.live.connector`: the base class of the live connectors.
"""
