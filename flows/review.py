"""The monthly review flow: read every source, decide, write the owner's proposal.

Tasks are per source and per stage, never per record. Sources are read
concurrently; one broken source is reported and the rest of the run goes on,
and no deletion is proposed from a source whose read had problems
(policies.safety). What Prefect stores is kept free of customer data: flow
parameters are a path, a date and a language; task results are not
persisted; error texts name file, row and field only; the one artifact
carries counts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.base import ReadResult, SourceSpec, display_path, read_source
from connectors.errors import KarsintaError
from connectors.keyed import Hasher
from connectors.trace import empty_traces
from flows.beside import Beside
from flows.keyed import workspace_hasher
from flows.ledger import reappeared, workspace_secret
from flows.reading import read_plain, workers
from flows.runtime import (
    NO_CACHE,
    ThreadPool,
    artifact,
    call,
    flow,
    in_flow_run,
    task,
)
from flows.workspace import Workspace, apply_running, load_workspace, sweep_leftovers
from policies.engine import Evaluation, evaluate
from policies.law import load_statutory_rules
from policies.safety import SafetyReport, apply_safety
from policies.schema import RegisterPolicy, load_policy
from reports.view import ReviewRun, SourceSummary, file_stem

if TYPE_CHECKING:
    from flows.decisions import Mark
    from reports.proposal import ProposalFiles

HELSINKI = ZoneInfo("Europe/Helsinki")
STATE_FILE = "review-state.json"
#: exit codes of ``karsinta review`` (README, ``karsinta review --help``)
EXIT_CLEAN = 0
EXIT_ROW_PROBLEMS = 1
EXIT_UNREADABLE = 3


def helsinki_today() -> date:
    return datetime.now(HELSINKI).date()


# ---------------------------------------------------------------------- tasks


@task(name="read-source", persist_result=False, cache_policy=NO_CACHE)
def read_source_task(source: SourceSpec, ids: Hasher) -> ReadResult:
    return read_source(source, ids)


def read_all(sources: list[SourceSpec], ids: Hasher) -> list[ReadResult]:
    """Read all sources concurrently.

    ``read_source`` never raises (a failed read is a ReadResult with its
    error), and live-account connectors retry their own calls with backoff
    (connectors.live), so no retry is needed here. ``ids`` is the workspace's
    keyed-id helper (``flows.keyed.workspace_hasher``).
    """
    if not in_flow_run():  # a one-shot command's plain mode (flows.runtime, flows.reading)
        return read_plain(sources, ids, meanwhile=_load_reports)
    futures = [
        read_source_task.with_options(task_run_name=f"read-{source.id}").submit(source, ids)
        for source in sources
    ]
    return [future.result() for future in futures]


def _load_reports() -> None:
    """What the reports need (openpyxl, Jinja and the page's compiled template), loaded
    while worker processes read: this process would otherwise only wait for them."""
    from reports.decisions_csv import write_decisions_csv  # noqa: F401
    from reports.proposal import warm

    warm()


@task(name="evaluate", persist_result=False, cache_policy=NO_CACHE)
def evaluate_task(
    workspace: Workspace,
    policies: dict[str, RegisterPolicy],
    results: list[ReadResult],
    today: date,
) -> tuple[Evaluation, SafetyReport]:
    return decide_safely(workspace, policies, results, today)


def decide(
    workspace: Workspace,
    policies: dict[str, RegisterPolicy],
    results: list[ReadResult],
    today: date,
) -> Evaluation:
    """The engine over what was read, with the run's safety rule.

    Shared by the review and by apply (which decides again on its fresh read):
    customers-only sources make customers, and nothing is deleted that a
    faulty read could make wrong (policies.safety).
    """
    return decide_safely(workspace, policies, results, today)[0]


def decide_safely(
    workspace: Workspace,
    policies: dict[str, RegisterPolicy],
    results: list[ReadResult],
    today: date,
) -> tuple[Evaluation, SafetyReport]:
    """:func:`decide`, with what the safety rule blocked (for the proposal's opening)."""
    customer_sources = frozenset(s.id for s in workspace.config.sources if s.customers_only)
    traces = combined_traces(results)
    law = load_statutory_rules()
    evaluation = evaluate(traces, policies, law, today, customer_sources)
    decisions, report = apply_safety(evaluation.decisions, traces, results, policies, law)
    return dataclasses.replace(evaluation, decisions=decisions), report


@task(name="render-proposal", persist_result=False, cache_policy=NO_CACHE)
def render_task(
    run: ReviewRun, out_dir: Path, requests: Callable[[], list[dict[str, Any]]] | None = None
) -> ProposalFiles:
    """The proposal; ``requests``: gives the open requests once the view is made (plain runs)."""
    from reports.proposal import write_proposal

    if in_flow_run():  # a Prefect task runner's thread: no fork (run.requests is set)
        return write_proposal(run, out_dir)
    rows = len(run.decisions)
    return write_proposal(run, out_dir, lambda work: Beside(work, rows=rows).result, requests)


@task(name="write-decisions", persist_result=False, cache_policy=NO_CACHE)
def decisions_csv_task(run: ReviewRun, out_dir: Path) -> Path:
    from reports.decisions_csv import decisions_file_name, write_decisions_csv

    return write_decisions_csv(run, out_dir / decisions_file_name(run.today))


# ----------------------------------------------------------------- helpers


def load_policies(workspace: Workspace) -> dict[str, RegisterPolicy]:
    """Every register's policy; ConfigError naming file, line and field when invalid."""
    law = load_statutory_rules()
    return {
        register: load_policy(workspace.policy_path(register), law)
        for register in workspace.config.registers
    }


def combined_traces(results: list[ReadResult]) -> pd.DataFrame:
    frames = [r.traces for r in results if not r.unreadable and len(r.traces)]
    return pd.concat(frames, ignore_index=True) if frames else empty_traces()


def summaries(results: list[ReadResult], lang: str = "fi") -> list[SourceSummary]:
    """Each source's summary for the proposal page, its problems in ``lang``."""
    return [
        SourceSummary(
            id=r.source.id,
            connector=r.source.connector,
            file=display_path(r.source.path),
            register=r.source.register,
            traces=len(r.traces),
            problems=tuple(p.text(lang) for p in r.problems),
            error=r.error.describe(lang) if r.error else None,
        )
        for r in results
    ]


# ----------------------------------------------- the proposal and its marks


@dataclass(frozen=True)
class Published:
    """Where this month's proposal went, and what the decision store changed in it."""

    version: int
    carried: int
    rejected: int
    postponed: int
    waiting: int
    marks_read: int
    files: ProposalFiles | None = None


def latest_version(out_dir: Path, today: date) -> int:
    """The highest version of this month's proposal XLSX on disk (0 when none)."""
    version = 0
    while (out_dir / f"{file_stem(today, version + 1)}.xlsx").exists():
        version += 1
    return version


def read_marks(workspace: Workspace, path: Path) -> tuple[bool, list[Mark]]:
    """(anything written on the proposal, the marks on its verified rows).

    A file that cannot be read as ours counts as marked: it is never
    overwritten (it may hold the owner's work).
    """
    from flows.apply import read_proposal
    from flows.decisions import Mark

    try:
        proposal = read_proposal(path, workspace_secret(workspace.state_dir))
    except KarsintaError:
        return True, []
    written = any(r.mark or r.comment for r in (*proposal.rows, *proposal.unverified))
    marks = [
        Mark(
            trace_id=row.trace_id,
            fingerprint=row.fingerprint,
            rule_id=row.rule_id,
            decision=row.decision,
            month=proposal.month,
            note=row.comment,
        )
        for row in proposal.rows
        if row.decision in ("approve", "reject", "postpone")
    ]
    return written, marks


def prepare(workspace: Workspace, run: ReviewRun, results: list[ReadResult]) -> Published:
    """Before writing: read this month's marked proposal into the decision store,
    choose the file version, and let the store say what is not proposed again.

    A proposal with marks is never overwritten: the new one is the next
    version (``poistoehdotus-2026-11-v2.xlsx``), carrying this month's
    approvals on unchanged rows. An unmarked proposal is overwritten.
    """
    from flows.decisions import gone_from_checklist, open_store, remembered

    run.row_key = workspace_secret(workspace.state_dir)
    out_dir = workspace.output_dir
    version = latest_version(out_dir, run.today)
    marks_read = 0
    with open_store(workspace.state_dir) as store:
        if version:
            current = out_dir / f"{file_stem(run.today, version)}.xlsx"
            marks: list[Mark] = []
            if untouched(workspace, run.month, current):  # as written: nothing on it
                written = False
            else:
                written, marks = read_marks(workspace, current)
            marks_read = store.record(marks, "review", None) if marks else 0
            if written:  # never overwritten: the new proposal is the next version
                version += 1
        version = max(version, 1)
        clean = frozenset(r.source.id for r in results if not r.unreadable and not r.problems)
        latest = store.latest()
        gone = gone_from_checklist(latest, run.traces, clean, store)
        if gone:
            store.record_done(gone)
            latest = store.latest()
        run.memory = remembered(run.decisions, run.traces, latest, store, run.month)
    run.stem = file_stem(run.today, version)
    states = [m.state for m in run.memory.hidden.values()]
    return Published(
        version=version,
        carried=len(run.memory.carried),
        rejected=states.count("rejected"),
        postponed=states.count("postponed"),
        waiting=states.count("waiting"),
        marks_read=marks_read,
    )


def publish(workspace: Workspace, run: ReviewRun, results: list[ReadResult]) -> Published:
    """prepare, write the proposal, remember its digest (the review without Prefect)."""
    from reports.proposal import write_proposal

    plan = prepare(workspace, run, results)
    files = write_proposal(run, workspace.output_dir)
    remember(workspace, run.month, files)
    return dataclasses.replace(plan, files=files)


def _state_path(workspace: Workspace) -> Path:
    return workspace.state_dir / STATE_FILE


def _state(workspace: Workspace) -> dict[str, Any]:
    """The review's state file (hashes only, no data); empty when missing or unreadable."""
    try:
        state = json.loads(_state_path(workspace).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def previous_digest(workspace: Workspace, month: str) -> str | None:
    """The digest of the last proposal of an earlier month (hashes only, no data)."""
    history = _state(workspace).get("proposals", [])
    earlier = [p for p in history if p.get("month") != month]
    return earlier[-1]["digest"] if earlier else None


def remember(workspace: Workspace, month: str, files: ProposalFiles) -> None:
    from reports.cells import write_text_file

    state = _state(workspace)
    history = [p for p in state.get("proposals", []) if p.get("month") != month]
    entry = {"month": month, "digest": files.digest, "proposal_id": files.proposal_id}
    mac = file_mac(workspace, files.xlsx)
    if mac is not None:
        entry.update(xlsx=files.xlsx.name, xlsx_mac=mac)
    history.append(entry)
    state["proposals"] = history[-24:]
    write_text_file(_state_path(workspace), json.dumps(state, indent=2))


def file_mac(workspace: Workspace, path: Path) -> str | None:
    """A keyed hash of a file's bytes (None when it cannot be read)."""
    secret = workspace_secret(workspace.state_dir)
    try:
        with open(path, "rb") as handle:
            mac = hashlib.file_digest(handle, lambda: hmac.new(secret, digestmod="sha256"))
    except OSError:
        return None
    return mac.hexdigest()


def untouched(workspace: Workspace, month: str, path: Path) -> bool:
    """The month's proposal XLSX is byte for byte as the review wrote it.

    Then nobody has marked or saved it, and it is not read again (at 100 000
    rows that took seconds); a file opened and saved, even unchanged, is
    read in full.
    """
    history: list[dict[str, Any]] = _state(workspace).get("proposals", [])
    entry = next((p for p in history if p.get("month") == month), {})
    wanted = entry.get("xlsx_mac")
    if entry.get("xlsx") != path.name or not isinstance(wanted, str):
        return False
    found = file_mac(workspace, path)
    return found is not None and hmac.compare_digest(found, wanted)


def counts_markdown(business_key: str, counts: dict[str, Any], title: str) -> str:
    """The flow's artifact: counts only, never a value from a source."""
    lines = [f"# Karsinta: {title}", "", "| | |", "|---|---|"]
    lines += [
        f"| {key} | {value} |"
        for key, value in counts.items()
        if key != "month" and not isinstance(value, dict)
    ]
    lines += ["", f"workspace `{business_key[:12]}`"]
    return "\n".join(lines)


@dataclass
class ReviewOutcome:
    """What a review run leaves in memory for the command line and tests."""

    counts: dict[str, Any]
    files: ProposalFiles
    run: ReviewRun
    evaluation: Evaluation
    results: list[ReadResult]
    decisions_csv: Path | None = None


@dataclass
class Observation:
    """The sources read and decided on one day (the stages before any report)."""

    policies: dict[str, RegisterPolicy]
    results: list[ReadResult]
    traces: pd.DataFrame
    evaluation: Evaluation
    safety: SafetyReport = dataclasses.field(default_factory=SafetyReport)


def observe(workspace: Workspace, today: date) -> Observation:
    """Read every source (concurrently, one task each) and evaluate the traces."""
    policies = load_policies(workspace)
    if not apply_running(workspace):  # an apply's temporary file is not a leftover
        sweep_leftovers(workspace)
    results = read_all(workspace.sources, workspace_hasher(workspace))
    evaluation, safety = call(evaluate_task, workspace, policies, results, today)
    return Observation(policies, results, combined_traces(results), evaluation, safety)


def open_requests(
    workspace: Workspace, seen: Observation, today: date, lang: str
) -> list[dict[str, Any]]:
    """Every open erasure and access request, for the proposal (never lost from sight)."""
    from flows.requests import status_of
    from reports.request_status import status_rows

    return [row for row in status_rows(status_of(workspace, seen, today), lang) if row["open"]]


def review(workspace: Workspace, today: date, lang: str | None = None) -> ReviewOutcome:
    """The review's stages in order (called inside the flow, tasks for each stage)."""
    seen = observe(workspace, today)
    results, traces, evaluation = seen.results, seen.traces, seen.evaluation
    lang = lang or workspace.config.language
    run = ReviewRun(
        business=workspace.config.business,
        registers={register: policy.name for register, policy in seen.policies.items()},
        today=today,
        lang=lang,
        traces=traces,
        decisions=evaluation.decisions,
        # people erased by an earlier apply who turned up again (from the ledger's hashes)
        findings=[*reappeared(workspace.state_dir, traces), *evaluation.findings],
        sources=summaries(results, lang),
        workspace_key=workspace.key(),
        safety=seen.safety,
    )
    run.previous_digest = previous_digest(workspace, run.month)
    # The requests' state is read after prepare has recorded this month's marks.
    plan = prepare(workspace, run, results)
    out_dir = workspace.output_dir
    rows = len(run.decisions)
    if in_flow_run():
        run.requests = open_requests(workspace, seen, today, run.lang)
        files = call(render_task, run, out_dir)
        csv_path = call(decisions_csv_task, run, out_dir)
    else:
        # A plain run works out the open requests in a forked child while this process
        # makes the proposal's view, then writes the accountant's CSV in another while
        # this one writes the XLSX (flows.beside): two cores, two streams of work.
        asked = Beside(open_requests, workspace, seen, today, run.lang, rows=rows)
        csv: list[Beside[Path]] = []

        def requests_then_csv() -> list[dict[str, Any]]:
            csv.append(Beside(decisions_csv_task.fn, run, out_dir, rows=rows))
            return asked.result()

        files = render_task.fn(run, out_dir, requests_then_csv)
        csv_path = csv[0].result() if csv else decisions_csv_task.fn(run, out_dir)
    remember(workspace, run.month, files)
    decided = evaluation.decisions["decision"].value_counts()
    counts: dict[str, Any] = {
        "month": run.month,
        "open_requests": len(run.requests),
        "sources": len(results),
        "unreadable_sources": sum(r.unreadable for r in results),
        "problems": sum(len(r.problems) for r in results),
        "warnings": sum(p.severity == "warning" for r in results for p in r.problems),
        "blocked_registers": len(seen.safety.blocked_registers),
        "traces": len(traces),
        "subjects": int(evaluation.decisions["subject_id"].nunique()),
        **{f"decision_{d}": int(decided.get(d, 0)) for d in ("delete", "hold", "keep", "review")},
        **{f"blocked_{code}": n for code, n in sorted(seen.safety.blocked.items())},
        "findings": len(run.findings),
        "unchanged": files.unchanged,
        "by_source": decisions_by_source(evaluation.decisions, results),
        "proposal_html": files.html.name,
        "proposal_xlsx": files.xlsx.name,
        "version": plan.version,
        "marks_carried": plan.carried,
        "rejected_earlier": plan.rejected,
        "postponed": plan.postponed,
        "waiting_manual": plan.waiting,
    }
    return ReviewOutcome(counts, files, run, evaluation, results, csv_path)


def decisions_by_source(decisions: pd.DataFrame, results: list[ReadResult]) -> dict[str, Any]:
    """Per source id: decisions per kind of decision (counts only), every source listed."""
    table = decisions.groupby(["source", "decision"]).size()
    out: dict[str, Any] = {}
    for result in results:
        source = result.source.id
        counts = table.loc[source] if source in table.index.get_level_values(0) else None
        out[source] = {
            d: int(counts.get(d, 0)) if counts is not None else 0
            for d in ("delete", "hold", "keep", "review")
        }
    return out


def exit_code(counts: Mapping[str, Any]) -> int:
    """The review's exit code: 0 clean, 1 row problems, 3 a source unreadable.

    (2 is kept for "could not run at all": an invalid config or policy.)
    Warnings alone (an impossible phone on a row with an e-mail) leave it 0.
    """
    if counts.get("unreadable_sources"):
        return EXIT_UNREADABLE
    if int(counts.get("problems", 0)) > int(counts.get("warnings", 0)):
        return EXIT_ROW_PROBLEMS
    return EXIT_CLEAN


def problem_lines(outcome: ReviewOutcome) -> list[str]:
    """Every read problem and unreadable source as text (file, row, field; never a value)."""
    lang = outcome.run.lang
    lines = [r.error.text(lang) for r in outcome.results if r.error]
    if outcome.run.safety is not None:
        lines = [b.text(lang) for b in outcome.run.safety.registers] + lines
    lines += [p.text(lang) for r in outcome.results for p in r.problems]
    return lines


# ----------------------------------------------------------------------- flow


@flow(
    name="monthly_review",
    persist_result=False,
    task_runner=ThreadPool(max_workers=workers()),
    log_prints=False,
    validate_parameters=True,
)
def monthly_review(
    workspace: str, today: str | None = None, lang: str | None = None
) -> dict[str, Any]:
    """The monthly review of one workspace. Parameters: a path, a date, a language.

    Returns counts only (nothing personal); the proposal files are in the
    workspace's ``raportit/`` folder.
    """
    ws = load_workspace(Path(workspace))
    run_date = date.fromisoformat(today) if today else helsinki_today()
    outcome = review(ws, run_date, lang)
    from flows.notify import notify_proposal

    outcome.counts["notified"] = notify_proposal(ws, outcome.counts, outcome.run.lang)
    artifact(
        counts_markdown(ws.key(), outcome.counts, f"monthly review {outcome.counts['month']}"),
        key="karsinta-monthly-review",
        description="Counts only: no customer data.",
    )
    # The return value is not persisted; problems name file, row and field only.
    return {**outcome.counts, "lang": outcome.run.lang, "problem_list": problem_lines(outcome)}
