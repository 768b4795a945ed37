"""The owner's notification: SMTP to a local test server, with no customer data in it."""

from __future__ import annotations

import email
import email.policy
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from connectors.errors import ConfigError
from flows.notify import NotifyConfig, message_text, send, should_notify, smtp_password


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


COUNTS = {
    "requests": 3,
    "open": 2,
    "prepared_erasure": 1,
    "prepared_access": 1,
    "near": 1,
    "overdue": 0,
    "blocked": 1,
    "status_html": "pyynnot-2026-11-01.html",
}


def test_the_message_reaches_the_owner_with_counts_and_a_path_only(
    inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    handler, port = inbox
    config = NotifyConfig(
        smtp_host="127.0.0.1",
        smtp_port=port,
        security="none",
        sender="karsinta@example.fi",
        to=["omistaja@example.fi"],
    )
    subject, body = message_text(COUNTS, tmp_path / "raportit")
    send(config, None, subject, body)
    (raw,) = handler.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(message["Subject"]).startswith("Karsinta: 2 uutta")
    body_text = message.get_content()
    assert "pyynnot-2026-11-01.html" in body_text
    # nothing but counts, words and the path: no address, no name
    assert "@" not in body_text


def test_notification_only_when_there_is_news() -> None:
    assert should_notify(COUNTS)
    assert not should_notify({"requests": 4, "open": 0, "near": 0, "overdue": 0})


def test_plain_smtp_is_refused_off_loopback() -> None:
    config = NotifyConfig(
        smtp_host="smtp.example.fi", security="none", sender="k@example.fi", to=["o@example.fi"]
    )
    with pytest.raises(ConfigError, match="loopback"):
        send(config, None, "s", "b")


def test_the_password_file_must_be_owner_only(tmp_path: Path) -> None:
    config = NotifyConfig(
        smtp_host="smtp.example.fi", username="o@example.fi", sender="k@e.fi", to=["o@e.fi"]
    )
    with pytest.raises(ConfigError, match="keyring"):
        smtp_password(config, tmp_path)
    path = tmp_path / "smtp-password"
    path.write_text("salasana\n")
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="owner only") as raised:
        smtp_password(config, tmp_path)
    assert "salasana" not in str(raised.value)
    os.chmod(path, 0o600)
    assert smtp_password(config, tmp_path) == "salasana"


def test_the_workspace_config_takes_the_server_but_never_a_password(tmp_path: Path) -> None:
    from flows.workspace import load_workspace

    base = "business: Testi\nregisters: {}\nsources: []\n"
    (tmp_path / "karsinta.yaml").write_text(
        base + "notify:\n  smtp_host: smtp.example.fi\n  sender: k@e.fi\n  to: [o@e.fi]\n"
    )
    assert load_workspace(tmp_path).config.notify is not None
    (tmp_path / "karsinta.yaml").write_text(
        base + "notify:\n  smtp_host: h\n  sender: k@e.fi\n  to: [o@e.fi]\n  password: x\n"
    )
    with pytest.raises(ConfigError, match="credentials"):
        load_workspace(tmp_path)


def test_the_monthly_review_tells_the_owner_its_proposal_is_ready(
    inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    from datetime import date

    import yaml

    from flows.demo import build_demo
    from flows.review import monthly_review

    handler, port = inbox
    manifest = build_demo(tmp_path / "demo", date(2026, 11, 1), 2026)
    business = manifest.businesses["prover"]
    config_path = business.workspace / "karsinta.yaml"
    config = yaml.safe_load(config_path.read_text("utf-8"))
    config["notify"] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "sender": "karsinta@example.fi",
        "to": ["omistaja@example.fi"],
    }
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    counts = monthly_review(str(business.workspace), "2026-11-01")
    assert counts["notified"] is True
    (raw,) = handler.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(message["Subject"]).startswith("Karsinta: poistoehdotus 2026-11 valmiina")
    body = message.get_content()
    assert str(counts["proposal_html"]) in body
    assert f"Poistettavia: {counts['decision_delete']}" in body
    for person in business.persons:  # counts and a path: nobody's name, e-mail or phone
        assert person.name not in body
        assert not person.email or person.email not in body
        assert not person.phone or person.phone not in body
