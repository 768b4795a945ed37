"""What every demo business shares: its folder, its sources, and its ground truth.

A :class:`Scenario` writes one business's export files under
``<dir>/<key>/aineisto/``, its ``karsinta.yaml`` and (when the example policy
exists) ``rekisteri.yaml``. While it writes, it records what each fictional
person is meant to show (:class:`PersonTruth`): the tags name the situation
("expired_orders", "collection_hold", "friend_not_customer" ...) and
``expect`` the outcome the notice and the law call for. Later tests compare
the monthly review's decisions with this truth, and check that no report
quotes a person's name or e-mail.

``expect`` values (for the person's customer traces as a whole):

- ``delete``  due: proposed for deletion (bookkeeping records kept by law)
- ``keep``    not yet due
- ``hold``    due, but an open or collected invoice holds the traces
- ``review``  the engine cannot decide safely (name-only match, broken date)
- ``never``   not a customer (a friend in the phone): never proposed
- ``None``    depends on a period the notice leaves open (the policy decides)

Where a person's traces have different fates, ``by_source`` gives the
expectation for the traces of one source (a re-subscribed former customer:
``{"uutiskirje": "keep"}`` beside ``expect="delete"`` for the orders), and
``records`` names single records the demo knows by their place in the file
(a calendar entry by its UID): how the score (flows.demo.score) attributes a
trace that carries no e-mail or phone to the person it is about.
Bookkeeping records, patient records and the erasure log are kept by law or
as proof whatever ``expect`` says (flows.demo.score.KEPT_BY_LAW).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar

import yaml

from flows.demo.people import PeopleFactory, Person

POLICY_NAME = "rekisteri.yaml"
DATA_DIR = "aineisto"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "policies" / "examples"


@dataclass
class RecordTruth:
    """One record of a person known by its place: the source and part of its locator."""

    source: str
    locator: dict[str, Any]
    expect: str | None
    note: str = ""


@dataclass
class PersonTruth:
    """The intended ground truth for one fictional person in one business."""

    key: str
    name: str
    email: str | None
    phone: str | None
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    expect: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    note: str = ""
    #: expectation for this person's traces in one source, overriding ``expect``
    by_source: dict[str, str | None] = field(default_factory=dict)
    #: records without a key of their own, known by their locator (see RecordTruth)
    records: list[RecordTruth] = field(default_factory=list)

    def has(self, tag: str) -> bool:
        return tag in self.tags


@dataclass
class SourceInfo:
    id: str
    connector: str
    kind: str
    path: Path


@dataclass
class BusinessManifest:
    """One demo workspace: where it is, its sources, and who is in it."""

    key: str
    business: str
    workspace: Path
    register: str
    sources: list[SourceInfo]
    persons: list[PersonTruth]
    policy_copied: bool

    def tagged(self, tag: str) -> list[PersonTruth]:
        return [p for p in self.persons if tag in p.tags]

    def person(self, key: str) -> PersonTruth:
        return next(p for p in self.persons if p.key == key)


@dataclass
class DemoManifest:
    """Everything :func:`flows.demo.build_demo` made; not written to disk."""

    root: Path
    today: date
    seed: int
    businesses: dict[str, BusinessManifest]

    def all_persons(self) -> list[tuple[str, PersonTruth]]:
        return [(key, p) for key, b in self.businesses.items() for p in b.persons]


class Scenario:
    """Base of the five demo businesses. Subclasses implement :meth:`write`."""

    key: ClassVar[str]
    business: ClassVar[str]
    register: ClassVar[str] = "asiakasrekisteri"
    owner: ClassVar[tuple[str, str]]  # (name, e-mail)
    places: ClassVar[tuple[tuple[str, str], ...]]

    def __init__(
        self, root: Path, today: date, rng: random.Random, *, broken_invoices: bool = False
    ) -> None:
        self.root = root / self.key
        #: write the invoice export with a header its configured format does not know
        self.broken_invoices = broken_invoices
        self.data = self.root / DATA_DIR
        self.today = today
        self.rng = rng
        self.people = PeopleFactory(rng, self.places)
        #: the export time stamped into files: 06:00 UTC on the run date
        self.stamp = datetime.combine(today, time(6, 0), tzinfo=UTC)
        self._sources: list[dict[str, Any]] = []
        self._infos: list[SourceInfo] = []
        self._truth: dict[str, PersonTruth] = {}
        self._keys: dict[int, str] = {}
        self._styles: dict[tuple[int, str], tuple[str, str]] = {}
        #: dates of each person's dated records, and their marketing consents
        self._activity: dict[int, list[date]] = {}
        self._consents: list[tuple[Person, str, date]] = []

    # ----------------------------------------------------------- helpers

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """A local (naive, Helsinki wall-clock) time on ``day``."""
        return datetime.combine(day, time(hour, minute))

    def weekday_on_or_before(self, day: date, weekday: int) -> date:
        return day - timedelta(days=(day.weekday() - weekday) % 7)

    def style(self, person: Person, source: str) -> tuple[str, str]:
        """How one source spells this person's e-mail and phone (stable per source)."""
        key = (person.serial, source)
        if key not in self._styles:
            self._styles[key] = (self.people.style("email"), self.people.style("phone"))
        return self._styles[key]

    def email(self, person: Person, source: str) -> str:
        return person.email_as(self.style(person, source)[0])

    def phone(self, person: Person, source: str) -> str:
        return person.phone(self.style(person, source)[1])

    def source(
        self,
        id: str,
        connector: str,
        filename: str,
        kind: str,
        options: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Path:
        """Declare a source in karsinta.yaml; returns the path to write it to."""
        entry: dict[str, Any] = {
            "id": id,
            "connector": connector,
            "path": f"{DATA_DIR}/{filename}",
            "register": self.register,
            "kind": kind,
        }
        entry.update(extra)
        if options:
            entry["options"] = options
        self._sources.append(entry)
        path = self.data / filename
        self._infos.append(SourceInfo(id, connector, kind, path))
        return path

    def mark(
        self,
        person: Person,
        *tags: str,
        source: str | None = None,
        expect: str | None = None,
        note: str | None = None,
        **dates: date,
    ) -> PersonTruth:
        """Record ground truth about ``person`` (tags and sources accumulate)."""
        key = self._keys.get(person.serial)
        if key is None:
            key = f"{self.key}-{len(self._keys) + 1:02d}"
            self._keys[person.serial] = key
            self._truth[key] = PersonTruth(key, person.name, person.email, person.e164)
        truth = self._truth[key]
        for tag in tags:
            if tag not in truth.tags:
                truth.tags.append(tag)
        if source and source not in truth.sources:
            truth.sources.append(source)
        if expect is not None:
            truth.expect = expect
        if note:
            truth.note = note
        truth.dates.update(dates)
        return truth

    def activity(self, person: Person, *days: date | None) -> None:
        """Record dates of ``person``'s records (orders, visits, invoices ...)."""
        self._activity.setdefault(person.serial, []).extend(d for d in days if d is not None)

    def consented(self, person: Person, source: str, day: date) -> None:
        """A marketing consent or subscription of ``person``, dated ``day``."""
        self._consents.append((person, source, day))

    def _settle_consents(self) -> None:
        """A consent's fate when the person's other data is due (or held).

        Given after the relationship's last activity, a consent is not overdue:
        it is kept until withdrawn. Given before, it goes with the rest of the
        person's data, and an open claim does not hold it (only what the claim
        needs). Within three days of the last activity it is left unscored
        (None): times of day and moved occurrences make the order uncertain.
        """
        for person, source, day in self._consents:
            truth = self._truth.get(self._keys.get(person.serial, ""))
            if truth is None or source in truth.by_source:
                continue
            if truth.expect not in ("delete", "hold"):
                continue
            last = max(self._activity.get(person.serial, []), default=None)
            if last is None:
                continue
            gap = (day - last).days
            if gap > 3:
                truth.by_source[source] = "keep"
            elif gap < -3:
                truth.by_source[source] = "delete"
            else:
                truth.by_source[source] = None

    def expect_in(self, person: Person, source: str, expect: str) -> PersonTruth:
        """This person's traces in ``source`` are meant to end as ``expect``."""
        truth = self.mark(person, source=source)
        truth.by_source[source] = expect
        return truth

    def record(
        self, person: Person, source: str, expect: str, note: str = "", **locator: Any
    ) -> PersonTruth:
        """A record of ``person`` with no key of its own, known by its locator (a UID)."""
        truth = self.mark(person, source=source)
        truth.records.append(RecordTruth(source, dict(locator), expect, note))
        return truth

    # ------------------------------------------------------------- build

    def write(self) -> None:  # pragma: no cover - every business overrides it
        raise NotImplementedError

    def build(self) -> BusinessManifest:
        self.data.mkdir(parents=True, exist_ok=True)
        self.write()
        self._settle_consents()
        config = {
            "business": self.business,
            "language": "fi",
            "registers": {self.register: {"policy": POLICY_NAME}},
            "sources": self._sources,
        }
        header = (
            f"# Karsinta demo: {self.business}.\n"
            "# Fictional customers; the export files are in aineisto/.\n"
            f"# Generated for the run date {self.today.isoformat()}.\n"
        )
        text = header + yaml.safe_dump(
            config, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
        )
        (self.root / "karsinta.yaml").write_text(text, encoding="utf-8")
        example = EXAMPLES / f"{self.key}.yaml"
        copied = example.is_file()
        if copied:
            shutil.copyfile(example, self.root / POLICY_NAME)
        return BusinessManifest(
            key=self.key,
            business=self.business,
            workspace=self.root,
            register=self.register,
            sources=list(self._infos),
            persons=list(self._truth.values()),
            policy_copied=copied,
        )
