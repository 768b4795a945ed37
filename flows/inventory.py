"""The processing inventory flow: the art. 30 record for the accountant.

Reads the sources and evaluates them like the monthly review (the record
shows what Karsinta observed: subjects and traces per kind, the oldest trace,
the share past its period), then writes the record from the register
policies. The record holds aggregates only, never a customer's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flows.reading import workers
from flows.review import counts_markdown, helsinki_today, observe, summaries
from flows.runtime import NO_CACHE, ThreadPool, artifact, call, flow, task
from flows.workspace import Workspace, load_workspace
from reports.inventory import InventoryInput, write_inventory


@dataclass(frozen=True)
class InventoryFiles:
    html: Path
    xlsx: Path


@task(name="render-inventory", persist_result=False, cache_policy=NO_CACHE)
def render_inventory_task(inventory: InventoryInput, out_dir: Path) -> InventoryFiles:
    html, xlsx = write_inventory(inventory, out_dir)
    return InventoryFiles(html, xlsx)


def inventory(workspace: Workspace, today: date, lang: str | None = None) -> InventoryFiles:
    seen = observe(workspace, today)
    record = InventoryInput(
        business=workspace.config.business,
        today=today,
        lang=lang or workspace.config.language,
        policies=seen.policies,
        traces=seen.traces,
        decisions=seen.evaluation.decisions,
        findings=seen.evaluation.findings,
        sources=summaries(seen.results),
    )
    return call(render_inventory_task, record, workspace.output_dir)


@flow(
    name="processing_inventory",
    persist_result=False,
    task_runner=ThreadPool(max_workers=workers()),
    log_prints=False,
)
def processing_inventory(
    workspace: str, today: str | None = None, lang: str | None = None
) -> dict[str, Any]:
    """The art. 30 record of one workspace. Parameters: a path, a date, a language."""
    ws = load_workspace(Path(workspace))
    run_date = date.fromisoformat(today) if today else helsinki_today()
    files = inventory(ws, run_date, lang)
    counts: dict[str, Any] = {"registers": len(ws.config.registers), "sources": len(ws.sources)}
    artifact(
        counts_markdown(ws.key(), counts, f"processing inventory {run_date.isoformat()}"),
        key="karsinta-processing-inventory",
        description="Counts only: no customer data.",
    )
    return {**counts, "html": files.html.name, "xlsx": files.xlsx.name}
