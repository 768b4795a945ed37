"""The owner hears about it: an optional e-mail when a proposal or a request is ready,
or a request's deadline is within two days.

Configured in ``karsinta.yaml``::

    notify:
      smtp_host: smtp.example.fi
      smtp_port: 587            # 587 STARTTLS (default), 465 SSL
      security: starttls        # starttls / ssl / none (none: loopback only)
      username: omistaja@example.fi
      sender: karsinta@example.fi
      to: [omistaja@example.fi]

The password never lives in the config: it is read from the OS keyring
(service ``karsinta-smtp``, the username) when the ``keyring`` package is
installed, else from ``.karsinta/smtp-password``, which must be readable by
the owner only (mode 0600; a wider file is refused). The message holds
counts and file paths only: no name, address, phone or henkilötunnus.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import stat
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.errors import ConfigError
from connectors.messages import Said, say

if TYPE_CHECKING:
    from flows.workspace import Workspace

KEYRING_SERVICE = "karsinta-smtp"
PASSWORD_FILE = "smtp-password"  # noqa: S105 - a file name, not a password
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class NotifyConfig(BaseModel):
    """Where the owner's notifications go (no password here: keyring or a 0600 file)."""

    model_config = ConfigDict(extra="forbid")

    smtp_host: str = Field(min_length=1)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    sender: str = Field(min_length=3)
    to: list[str] = Field(min_length=1)


def smtp_password(config: NotifyConfig, state_dir: Path) -> str | None:
    """The SMTP password: keyring first, else the owner-only file; None when no login."""
    if not config.username:
        return None
    try:
        import keyring  # optional dependency
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            value = keyring.get_password(KEYRING_SERVICE, config.username)
        except Exception:  # noqa: BLE001 - no usable keyring backend: try the file
            value = None
        if value:
            return str(value)
    path = state_dir / PASSWORD_FILE
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(str(path), [Said("smtp_no_password", service=KEYRING_SERVICE)]) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(str(path), [Said("smtp_password_mode")])
    return path.read_text("utf-8").strip()


def message_text(counts: Mapping[str, Any], folder: Path, lang: str = "fi") -> tuple[str, str]:
    """(subject, body) in ``lang`` from counts and the reports folder: no customer data."""
    near, overdue = int(counts.get("near", 0)), int(counts.get("overdue", 0))
    ready = int(counts.get("prepared_erasure", 0)) + int(counts.get("prepared_access", 0))
    subject = say(lang, "notify_requests_subject", ready=ready, near=near, overdue=overdue)
    lines = [
        "Karsinta",
        "",
        say(lang, "notify_prepared", n=ready),
        say(lang, "notify_open", n=int(counts.get("open", 0))),
        say(lang, "notify_near", n=near),
        say(lang, "notify_overdue", n=overdue),
        say(lang, "notify_blocked", n=int(counts.get("blocked", 0))),
        "",
        say(lang, "notify_files", folder=folder),
    ]
    for key in ("status_html", "proposal_html"):
        if counts.get(key):
            lines.append(f"  {folder / str(counts[key])}")
    return subject, "\n".join(lines) + "\n"


def send(config: NotifyConfig, password: str | None, subject: str, body: str) -> None:
    """Send one message through the owner's SMTP server (TLS unless on loopback)."""
    if config.security == "none" and config.smtp_host not in LOOPBACK:
        raise ConfigError("karsinta.yaml", [Said("smtp_plain")])
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
    message["Subject"] = subject
    message.set_content(body)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if config.security == "ssl":
        client = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, context=context, timeout=30)
    else:
        client = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=30)
    with client:
        if config.security == "starttls":
            client.starttls(context=context)
        if config.username and password:
            client.login(config.username, password)
        client.send_message(message)


def should_notify(counts: Mapping[str, Any]) -> bool:
    """Something new is ready, or a deadline is near or passed."""
    keys = ("prepared_erasure", "prepared_access", "near", "overdue", "proposal_ready")
    return any(int(counts.get(k, 0) or 0) for k in keys)


def notify_requests(workspace: Workspace, counts: Mapping[str, Any]) -> bool:
    """Send the owner a notification when there is news; False when none is configured.

    A failed send is reported as one line (no value) and does not fail the run.
    """
    config = workspace.config.notify
    if config is None or not should_notify(counts):
        return False
    lang = workspace.config.language
    subject, body = message_text(counts, workspace.output_dir, lang)
    try:
        send(config, smtp_password(config, workspace.state_dir), subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        _not_sent(exc, lang)
        return False
    return True


def proposal_message(counts: Mapping[str, Any], folder: Path, lang: str) -> tuple[str, str]:
    """(subject, body) for a finished monthly review: counts and the file, no customer data."""
    month = str(counts.get("month", ""))
    delete, review = int(counts.get("decision_delete", 0)), int(counts.get("decision_review", 0))
    requests = int(counts.get("open_requests", 0))
    unreadable = int(counts.get("unreadable_sources", 0))
    file = folder / str(counts.get("proposal_html", ""))
    subject = say(lang, "notify_proposal_subject", month=month, delete=delete)
    lines = [
        say(lang, "notify_proposal_ready", month=month),
        "",
        say(lang, "notify_to_delete", n=delete),
        say(lang, "notify_to_review", n=review),
        say(lang, "notify_open_requests", n=requests),
        say(lang, "notify_unreadable", n=unreadable),
        "",
        say(lang, "notify_open_it", file=file),
    ]
    return subject, "\n".join(lines) + "\n"


def notify_proposal(workspace: Workspace, counts: Mapping[str, Any], lang: str) -> bool:
    """Tell the owner the monthly proposal is ready; False when no notification is configured.

    A failed send is one line on stderr (no value) and does not fail the review.
    """
    config = workspace.config.notify
    if config is None:
        return False
    subject, body = proposal_message(counts, workspace.output_dir, lang)
    try:
        send(config, smtp_password(config, workspace.state_dir), subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        _not_sent(exc, lang)
        return False
    return True


#: what went wrong with a send, by the exception's kind (most specific first)
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (smtplib.SMTPAuthenticationError, "notify_login_refused"),
    (smtplib.SMTPRecipientsRefused, "notify_address_refused"),
    (smtplib.SMTPSenderRefused, "notify_address_refused"),
    (ssl.SSLError, "notify_tls"),
    (socket.gaierror, "notify_no_host"),
    (ConnectionRefusedError, "notify_refused"),
    (TimeoutError, "notify_timeout"),
)


def _not_sent(exc: BaseException, lang: str) -> None:
    """The one line a failed send leaves on stderr: why, in ``lang``; never a value."""
    import sys

    key = next((key for kind, key in _REASONS if isinstance(exc, kind)), None)
    reason = say(lang, key) if key else say(lang, "notify_other", name=type(exc).__name__)
    print(say(lang, "notify_not_sent", reason=reason), file=sys.stderr)
