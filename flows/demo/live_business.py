"""The demo's live account: Prover's Outlook (Microsoft 365), served by a local Graph.

Prover's notice names the Outlook address book, the Outlook calendar and
coaching summaries e-mailed to the client. This business has no exports at
all: its three sources are the live connectors ``graph_contacts``,
``graph_calendar`` and ``graph_mail`` for the account ``prover-outlook``,
answered by :class:`flows.demo.live.FakeGraph` on 127.0.0.1 while the demo
runs, so ``karsinta demo`` shows live sources working without a network or an
account. Fictional people, dates relative to the run date, drawn from a
seeded generator:

* former clients whose last meeting (a weekly series for one) was six years
  ago: their contact, meetings and mail are due under the five-year rule;
* current clients met last month, and one in an open-ended weekly series;
* a friend in the address book who never was a client: never proposed.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from flows.demo.live import FakeGraph, serving
from flows.demo.scenario import EXAMPLES, POLICY_NAME

KEY = "prover-outlook"
BUSINESS = "Prover Oy (Outlook-tili)"
ACCOUNT = "prover-outlook"
OWNER = "toimisto@prover.example"
REGISTER = "asiakas-ja-markkinointirekisteri"
FIRST = ("Aino", "Eero", "Helmi", "Ilmari", "Kerttu", "Lauri", "Matilda", "Onni", "Saara")
LAST = ("Aaltonen", "Heikkilä", "Jokela", "Karjalainen", "Lehtinen", "Niemi", "Rantanen")
_MARK = "# Karsinta demo"


@dataclass
class LiveBusiness:
    workspace: Path
    graph: FakeGraph
    business: str = BUSINESS

    @contextmanager
    def serving(self) -> Iterator[FakeGraph]:
        with serving(self.graph, ACCOUNT) as fake:
            yield fake


def _person(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}".lower().translate(str.maketrans("äö", "ao")) + "@example.fi"
        if email not in used:
            used.add(email)
            return f"{first} {last}", email


def _event(event_id: str, day: date, name: str, email: str, **extra: object) -> dict:
    return {
        "id": event_id,
        "subject": "Coaching-tapaaminen",
        "bodyPreview": "",
        "type": "singleInstance",
        "isAllDay": False,
        "start": {"dateTime": f"{day.isoformat()}T08:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{day.isoformat()}T09:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Prover", "address": OWNER}},
        "attendees": [
            {"type": "required", "emailAddress": {"name": "Prover", "address": OWNER}},
            {"type": "required", "emailAddress": {"name": name, "address": email}},
        ],
        **extra,
    }


def _message(message_id: str, day: date, email: str) -> dict:
    return {
        "id": message_id,
        "receivedDateTime": f"{day.isoformat()}T12:00:00Z",
        "sentDateTime": f"{day.isoformat()}T12:00:00Z",
        "parentFolderId": "sentitems",
        "from": {"emailAddress": {"name": "Prover", "address": OWNER}},
        "toRecipients": [{"emailAddress": {"name": "", "address": email}}],
        "ccRecipients": [],
    }


def build_live_business(directory: Path, today: date, seed: int) -> LiveBusiness:
    """Write the workspace (config and policy; no exports) and fill its Outlook account."""
    root = Path(directory) / KEY
    config_file = root / "karsinta.yaml"
    if root.exists() and config_file.is_file() and config_file.read_text("utf-8").startswith(_MARK):
        shutil.rmtree(root / "tilit", ignore_errors=True)  # the state of an earlier build
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"karsinta-demo:{seed}:{KEY}")
    graph = FakeGraph(owner=OWNER)
    used: set[str] = set()
    number = 0

    def contact(name: str, email: str) -> None:
        nonlocal number
        number += 1
        graph.put(
            "contacts",
            {
                "id": f"contact-{number}",
                "displayName": name,
                "emailAddresses": [{"name": name, "address": email}],
                "mobilePhone": f"+358 40 {rng.randint(1000000, 9999999)}",
            },
        )

    for index in range(3):  # former clients: due
        name, email = _person(rng, used)
        contact(name, email)
        last = today - timedelta(days=6 * 365 + rng.randint(10, 200))
        if index == 0:
            for week in range(4):
                day = last - timedelta(weeks=3 - week)
                graph.put(
                    "events",
                    _event(f"old-{index}-{week}", day, name, email, type="occurrence",
                           seriesMasterId=f"series-old-{index}"),
                )  # fmt: skip
            graph.masters[f"series-old-{index}"] = {
                "id": f"series-old-{index}",
                "recurrence": {"range": {"type": "numbered", "numberOfOccurrences": 4}},
            }
        else:
            graph.put("events", _event(f"old-{index}", last, name, email))
        graph.put("messages", _message(f"mail-old-{index}", last + timedelta(days=1), email))
    for index in range(3):  # current clients: kept
        name, email = _person(rng, used)
        contact(name, email)
        day = today - timedelta(days=rng.randint(5, 40))
        graph.put("events", _event(f"new-{index}", day, name, email))
        graph.put("messages", _message(f"mail-new-{index}", day + timedelta(days=1), email))
    name, email = _person(rng, used)  # an open-ended weekly series: ongoing
    contact(name, email)
    start = today - timedelta(days=7 * 365)
    graph.put(
        "events",
        _event("weekly-1", start, name, email, type="occurrence", seriesMasterId="series-weekly"),
    )
    graph.masters["series-weekly"] = {
        "id": "series-weekly",
        "recurrence": {"range": {"type": "noEnd"}},
    }
    name, email = _person(rng, used)  # a friend: never a client
    contact(name, email)

    sources = [
        {"id": f"outlook-{part}", "connector": f"graph_{part}", "path": f"tilit/{part}",
         "register": REGISTER, **({"kind": kind} if kind else {}),
         "options": {"account": ACCOUNT}}
        for part, kind in (("contacts", None), ("calendar", None), ("mail", "summary"))
    ]  # fmt: skip
    header = (
        f"{_MARK}: {BUSINESS}.\n"
        "# Live sources: an Outlook account served by a local test server while the demo runs.\n"
        f"# Generated for the run date {today.isoformat()}.\n"
    )
    config = {
        "business": BUSINESS,
        "language": "fi",
        "registers": {REGISTER: {"policy": POLICY_NAME}},
        "sources": sources,
    }
    config_file.write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8"
    )
    shutil.copyfile(EXAMPLES / "prover.yaml", root / POLICY_NAME)
    return LiveBusiness(root, graph)


__all__ = ["ACCOUNT", "BUSINESS", "KEY", "LiveBusiness", "build_live_business"]
