"""The demo: realistic exports for the five seed businesses, and a run over them.

``build_demo(dir, today, seed)`` writes ``dir/<business>/karsinta.yaml``, the
export files in ``dir/<business>/aineisto/`` and, when the example policy
exists, ``dir/<business>/rekisteri.yaml``. Everything is drawn from a seeded
``random.Random`` with dates relative to ``today``: the same seed and date give
byte-identical files. The returned :class:`DemoManifest` holds the intended
ground truth per fictional person, for tests.

``run_demo`` builds the demo and reads every source of every business,
printing what was found and every problem (file, row and field; never a
value).
"""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

from flows.demo.kallio import Kallio
from flows.demo.kehobalanssi import Kehobalanssi
from flows.demo.kohonen import Kohonen
from flows.demo.leoprana import Leoprana
from flows.demo.prover import Prover
from flows.demo.scenario import (
    DATA_DIR,
    BusinessManifest,
    DemoManifest,
    PersonTruth,
    RecordTruth,
    Scenario,
    SourceInfo,
)

__all__ = [
    "SCENARIOS",
    "BusinessManifest",
    "DemoManifest",
    "PersonTruth",
    "RecordTruth",
    "SourceInfo",
    "build_demo",
    "run_demo",
]

SCENARIOS: tuple[type[Scenario], ...] = (Kohonen, Kallio, Leoprana, Kehobalanssi, Prover)
_MARK = "# Karsinta demo"


def _clear_previous(folder: Path) -> None:
    """Remove the export files of an earlier demo build (only if it was ours)."""
    config = folder / "karsinta.yaml"
    data = folder / DATA_DIR
    if data.is_dir() and config.is_file() and config.read_text("utf-8").startswith(_MARK):
        shutil.rmtree(data)


def build_demo(
    directory: Path, today: date, seed: int, *, broken_invoices: bool = False
) -> DemoManifest:
    """Write the five demo workspaces under ``directory``; return their ground truth.

    ``broken_invoices`` (for tests, never the default) writes every business's
    invoice export with a column name its configured accounting format does
    not know, as a software update does: the source that carries the
    open-invoice and debt-collection holds is then unreadable.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    businesses: dict[str, BusinessManifest] = {}
    for scenario in SCENARIOS:
        # One stream per business: adding people to one leaves the others unchanged.
        rng = random.Random(f"karsinta-demo:{seed}:{scenario.key}")
        _clear_previous(directory / scenario.key)
        business = scenario(directory, today, rng, broken_invoices=broken_invoices)
        businesses[scenario.key] = business.build()
    return DemoManifest(directory, today, seed, businesses)


def run_demo(
    directory: Path,
    today: date | None = None,
    seed: int = 2026,
    quiet: bool = False,
    lang: str | None = None,
    as_json: bool = False,
) -> int:
    """Build the demo, then run the monthly review and the inventory for each business.

    Returns 0 when every source was readable, else 1.
    """
    import json

    from connectors.messages import say
    from flows.console import console, print_review, status
    from flows.inventory import processing_inventory
    from flows.review import monthly_review

    today = today or date.today()
    spoken = lang or "fi"  # the demo workspaces are Finnish businesses'
    manifest = build_demo(directory, today, seed)
    summary: dict[str, dict[str, object]] = {}
    if not quiet and not as_json:
        console.print(say(spoken, "demo_root", root=manifest.root.resolve()), markup=False)
        console.print(say(spoken, "demo_day", day=f"{today:%d.%m.%Y}", seed=seed))
    unreadable = 0
    for key, business in manifest.businesses.items():
        root = business.workspace.resolve()
        with status(say(spoken, "demo_working", business=key), quiet or as_json):
            counts = monthly_review(workspace=str(root), today=today.isoformat(), lang=lang)
            record = processing_inventory(workspace=str(root), today=today.isoformat(), lang=lang)
        unreadable += int(counts["unreadable_sources"])
        summary[key] = {**counts, "inventory": record}
        if not quiet and not as_json:
            console.print()
            print_review(root, counts, name=business.business)
            console.print(f"  {root / 'raportit' / str(record['html'])}", markup=False)
    # A business whose sources are a live Outlook account, served on loopback (no network).
    from flows.demo.live_business import KEY, build_live_business

    live = build_live_business(manifest.root, today, seed)
    root = live.workspace.resolve()
    with live.serving(), status(say(spoken, "demo_working", business=KEY), quiet or as_json):
        counts = monthly_review(workspace=str(root), today=today.isoformat(), lang=lang)
        record = processing_inventory(workspace=str(root), today=today.isoformat(), lang=lang)
    unreadable += int(counts["unreadable_sources"])
    summary[KEY] = {**counts, "inventory": record}
    if not quiet and not as_json:
        console.print()
        print_review(root, counts, name=live.business)
        console.print(f"  {root / 'raportit' / str(record['html'])}", markup=False)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
    return 1 if unreadable else 0
