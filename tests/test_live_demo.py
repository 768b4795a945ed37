"""The demo's live business: Prover's Outlook account on a local Graph, no network."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flows.demo.live_business import build_live_business
from flows.keyed import workspace_hasher
from flows.review import decide, load_policies
from flows.workspace import load_workspace

TODAY = date(2026, 11, 1)


def test_the_live_demo_account_reads_cleanly_and_proposes_only_former_clients(
    tmp_path: Path,
) -> None:
    from connectors.base import read_source

    live = build_live_business(tmp_path, TODAY, 2026)
    ws = load_workspace(live.workspace)
    with live.serving():
        results = [read_source(s, workspace_hasher(ws)) for s in ws.sources]
    assert [r.error for r in results] == [None, None, None]
    assert all(r.clean for r in results)
    assert [len(r.traces) for r in results] == [8, 7, 6]  # contacts, meetings, mail
    decisions = decide(ws, load_policies(ws), results, TODAY).decisions
    deleted = decisions[decisions["decision"] == "delete"]
    assert sorted(deleted["kind"]) == ["appointment"] * 3 + ["contact"] * 3
    assert live.graph.log  # the sources were really read over HTTP from the local server


def test_the_same_seed_gives_the_same_account(tmp_path: Path) -> None:
    one = build_live_business(tmp_path / "a", TODAY, 7).graph.items
    two = build_live_business(tmp_path / "b", TODAY, 7).graph.items
    assert one == two
