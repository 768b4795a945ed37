"""The published figures: the review's stages timed on the benchmark workloads.

    python -m benchmarks.run [S M L ...] [--repeat 3] [--json FILE] [--cli] [--readers]

For each size (benchmarks.workload, built once and cached) it runs the
review's stages as plain calls in a fresh process per repetition: read (each
connector alone, indented and not counted in the total; then all sources as
the review reads them, in worker processes when the workspace is large:
flows.reading), resolve (identity alone), evaluate (identity + engine, as the
review runs it), render (the proposal HTML + XLSX). Per stage: wall time,
rows/s and the process's peak RSS so far; the median of ``--repeat`` runs.
``--cli`` also times ``karsinta review`` as a user runs it, plain and with
``--prefect`` (their difference is Prefect's share), and the owner's next
commands: the review again in the month and ``apply --dry-run``. It starts
with the machine's speed (a fixed Python loop): a shared machine runs the
same code slower when its host is busy. ``--readers`` adds the
component comparisons (benchmarks/bench_ics.py, bench_readers.py,
bench_engine.py: each module's ``ratios()``), printed and kept in the JSON.

Prints a table and writes JSON (default benchmarks/results.json) that two
runs can be compared with (``--compare OLD.json``). Not a test: timings vary
with the machine; the test suite runs the tiny size once, asserting nothing
about time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.memory import peak_rss_mib
from benchmarks.workload import CACHE, SIZES, TODAY, workspace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def stages(folder: Path, today: date = TODAY) -> list[dict[str, Any]]:
    """One run of the review's stages as plain calls; one record per stage."""
    from connectors.base import read_source
    from flows import reading
    from flows.keyed import workspace_hasher
    from flows.review import (
        combined_traces,
        decide_safely,
        load_policies,
        render_task,
    )
    from flows.workspace import load_workspace
    from policies.identity import resolve

    out: list[dict[str, Any]] = []

    def timed(name: str, rows: Callable[[Any], int], call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - start
        peak = peak_rss_mib()  # this program's own, not its parent's (benchmarks.memory)
        out.append({"stage": name, "seconds": seconds, "rows": rows(value), "rss_mb": peak})
        return value

    ws = load_workspace(folder)
    policies = load_policies(ws)
    ids = workspace_hasher(ws)
    # Each source alone, one after the other (what each connector costs) ...
    for s in ws.sources:
        timed(
            f"  read {s.connector} ({s.id})",
            lambda r: len(r.traces),
            lambda s=s: read_source(s, ids),
        )
        out[-1]["part"] = True  # fmt: skip
    # ... then all of them as the review reads them (worker processes when large).
    files = [s for s in ws.sources if not reading._is_live(s)]
    processes = reading._processes(len(files), sum(reading._size(s.path) for s in files))
    how = f"{processes} processes" if processes else "threads"
    results = timed(
        f"read all ({how})",
        lambda rs: sum(len(r.traces) for r in rs),
        lambda: reading.read_plain(ws.sources, ids),
    )
    out[-1]["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    traces = combined_traces(results)
    kinds = {register: policy.customer_kinds for register, policy in policies.items()}
    timed("resolve", len, lambda: resolve(traces, kinds))
    evaluation, safety = timed(
        "evaluate",
        lambda e: len(e[0].decisions),
        lambda: decide_safely(ws, policies, results, today),
    )
    run = review_run(ws, policies, results, traces, (evaluation, safety), today)
    with tempfile.TemporaryDirectory() as out_dir:
        # as the review renders (the page in a forked child on a large run: flows.beside)
        files = timed("render", lambda _: len(traces), lambda: render_task.fn(run, Path(out_dir)))
        out[-1]["html_mb"] = files.html.stat().st_size / 2**20
        out[-1]["xlsx_mb"] = files.xlsx.stat().st_size / 2**20
    return out


def review_run(ws: Any, policies: Any, results: Any, traces: Any, decided: Any, today: date) -> Any:
    """The review's run to render, as the review makes it (``decided``: decide_safely's)."""
    from flows.review import summaries
    from reports.view import ReviewRun

    evaluation, safety = decided
    return ReviewRun(
        business=ws.config.business,
        registers={register: policy.name for register, policy in policies.items()},
        today=today,
        lang=ws.config.language,
        traces=traces,
        decisions=evaluation.decisions,
        findings=evaluation.findings,
        sources=summaries(results),
        workspace_key=ws.key(),
        row_key=b"benchmark-row-key",
        safety=safety,
    )


def _child(folder: str, queue: Any) -> None:
    queue.put(stages(Path(folder)))


def measure(size: str, repeat: int) -> list[dict[str, Any]]:
    """The median of ``repeat`` fresh-process runs, per stage."""
    folder = workspace(size)
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeat):
        queue = context.Queue()
        process = context.Process(target=_child, args=(str(folder), queue))
        process.start()
        runs.append(queue.get())
        process.join()
    merged = []
    for records in zip(*runs, strict=True):
        first = dict(records[0])
        first["seconds"] = statistics.median(r["seconds"] for r in records)
        first["rss_mb"] = max(r["rss_mb"] for r in records)
        if "worker_rss_mb" in first:
            first["worker_rss_mb"] = max(r["worker_rss_mb"] for r in records)
        first["rows_per_s"] = first["rows"] / first["seconds"] if first["seconds"] else None
        merged.append(first)
    total = sum(r["seconds"] for r in merged if not r.get("part"))
    rows = merged[-1]["rows"]
    peak = max(r["rss_mb"] for r in merged)
    merged.append(
        {
            "stage": "total (stages)",
            "seconds": total,
            "rows": rows,
            "rows_per_s": rows / total,
            "rss_mb": peak,
        }
    )
    return merged


def cli_times(
    size: str, repeat: int, *, prefect: bool = True, cache: Path | None = None
) -> list[dict[str, Any]]:
    """``karsinta review`` as a user runs it, plain and with ``--prefect``; wall time.

    After each plain review, in the same workspace, the owner's next steps:
    the review again in the same month (its proposal untouched) and
    ``karsinta apply --dry-run`` on the proposal (nothing marked: the
    proposal read and checked, nothing to carry out). A command that exits
    with 2 or more (refused, crashed) stops the benchmark: its time means nothing.
    """
    labels = {
        "plain": "karsinta review",
        "again": "karsinta review again (same month)",
        "apply": "karsinta apply --dry-run (nothing marked)",
        "prefect": "karsinta review --prefect",
    }
    times: dict[str, list[float]] = {key: [] for key in labels}
    runs = (("plain", []), ("prefect", ["--prefect"])) if prefect else (("plain", []),)
    for key, extra in runs:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as temp:
                copy = Path(temp) / "ws"
                shutil.copytree(workspace(size, cache=cache or CACHE), copy)
                env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(Path(temp) / "p")}
                env.pop("PREFECT_API_URL", None)

                def karsinta(*args: str, env: dict[str, str] = env) -> float:
                    start = time.perf_counter()
                    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
                        [sys.executable, "-m", "flows.cli", *args, "--today", TODAY.isoformat(),
                         "--quiet"],
                        env=env, check=False, capture_output=True, text=True,
                    )  # fmt: skip
                    seconds = time.perf_counter() - start
                    if done.returncode >= 2:
                        raise RuntimeError(f"karsinta {args[0]} exited {done.returncode}")
                    return seconds

                times[key].append(karsinta("review", "--workspace", str(copy), *extra))
                if key == "plain":
                    times["again"].append(karsinta("review", "--workspace", str(copy)))
                    proposals = sorted((copy / "raportit").glob("poistoehdotus-*.xlsx"))
                    times["apply"].append(karsinta("apply", str(proposals[-1]), "--dry-run"))
    records: list[dict[str, Any]] = [
        {"stage": labels[key], "seconds": statistics.median(times[key]), "rows": None}
        for key in ("plain", "again", "apply", "prefect")
        if times[key]
    ]
    if not prefect:
        return records
    share = statistics.median(times["prefect"]) - statistics.median(times["plain"])
    records.append({"stage": "Prefect's share (--prefect minus plain)", "seconds": share})
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import prefect"], check=True)
    records.append(
        {
            "stage": "import prefect (only --prefect runs pay it)",
            "seconds": time.perf_counter() - start,
        }
    )
    return records


#: The component comparisons of issue #13 and the sizes they run at (full, tiny).
COMPONENTS: dict[str, tuple[dict[str, int], dict[str, int]]] = {
    "benchmarks.bench_ics": ({}, {"events": 200, "series": 20}),
    "benchmarks.bench_readers": ({}, {"csv_mb": 1, "xlsx_rows": 2_000}),
    "benchmarks.bench_engine": ({}, {"n": 2_000}),
}


def reader_ratios(tiny: bool = False) -> dict[str, Any]:
    """Each component comparison's ``ratios()``: the readers against their references,
    identity + engine in traces/s (``tiny``: small inputs, to prove the run works)."""
    out: dict[str, Any] = {}
    for name, (full, small) in COMPONENTS.items():
        module = importlib.import_module(name)
        out[name] = module.ratios(**(small if tiny else full))
    return out


ROW = "| {:<40} | {:>8} | {:>9} | {:>10} | {:>23} |"


def table(size: str, records: list[dict[str, Any]]) -> str:
    lines = [
        f"{size}: {SIZES[size]} customers",
        ROW.format("stage", "s", "rows", "rows/s", "peak RSS MiB"),
        ROW.format("-" * 40, "-" * 8, "-" * 9, "-" * 10, "-" * 23),
    ]
    for r in records:
        rows = "" if r.get("rows") is None else f"{r['rows']:,}".replace(",", " ")
        speed = "" if not r.get("rows_per_s") else f"{r['rows_per_s']:,.0f}".replace(",", " ")
        rss = "" if r.get("rss_mb") is None else f"{r['rss_mb']:.0f}"
        stage = r["stage"]
        if r.get("worker_rss_mb"):
            rss += f" (worker {r['worker_rss_mb']:.0f})"
        if "html_mb" in r:
            stage += f" (HTML {r['html_mb']:.1f} MiB, XLSX {r['xlsx_mb']:.1f} MiB)"
        lines.append(ROW.format(stage, f"{r['seconds']:.2f}", rows, speed, rss))
    return "\n".join(lines)


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    lines = ["| size | stage | old s | new s | ratio |", "|---|---|---:|---:|---:|"]
    for size, records in new.get("sizes", {}).items():
        before = {r["stage"]: r for r in old.get("sizes", {}).get(size, [])}
        for r in records:
            if r["stage"] in before and r["seconds"]:
                was = before[r["stage"]]["seconds"]
                ratio = was / r["seconds"]
                lines.append(
                    f"| {size} | {r['stage']} | {was:.2f} | {r['seconds']:.2f} | {ratio:.1f}x |"
                )
    return "\n".join(lines)


def machine_speed(loops: int = 20_000_000) -> float:
    """Seconds for a fixed pure-Python loop, best of three: how fast this machine is now.

    On a shared (virtual) machine the same code runs up to several times
    slower when the host is busy; two runs' figures compare only as far as
    their machine speeds agree.
    """

    def once() -> float:
        start = time.perf_counter()
        total = 0
        for i in range(loops):
            total += i
        return time.perf_counter() - start

    return min(once() for _ in range(3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("sizes", nargs="*", default=["S", "M"], choices=sorted(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument(
        "--cli", action="store_true", help="time karsinta review plain and --prefect"
    )
    parser.add_argument("--readers", action="store_true", help="run the reader comparisons")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier results JSON")
    args = parser.parse_args(argv)
    speed = machine_speed()
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                          "loop_20M_s": round(speed, 2)},
                              "repeat": args.repeat, "sizes": {}}  # fmt: skip
    print(f"machine speed: a 20-million-step Python loop takes {speed:.2f} s (best of 3)\n")
    for size in args.sizes:
        records = measure(size, args.repeat)
        if args.cli:
            records += cli_times(size, args.repeat)
        result["sizes"][size] = records
        print(table(size, records), flush=True)
        print()
    if args.readers:
        result["readers"] = reader_ratios()
        for name, figures in result["readers"].items():
            print(f"{name}:")
            for key, value in figures.items():
                print(f"    {key}: {value}")
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.json}")
    if args.compare:
        earlier = json.loads(args.compare.read_text("utf-8"))
        was = earlier.get("machine", {}).get("loop_20M_s")
        if was:
            print(f"machine speed then {was:.2f} s, now {speed:.2f} s (the loop)")
        print(compare(earlier, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
