"""Where the time goes: a profile (cProfile) of one part of the work, in one process.

    python -m benchmarks.profile PART [--size M] [--top 20]

PART is one of the review's stages on a benchmark workload (``read``:
every source read one after the other; ``resolve``; ``evaluate``:
identity + engine as the review runs it; ``render``: the proposal page and
XLSX, without the forked helpers so that all of it is seen) or one of the
component comparisons (``ics``: the ICS reader on the generated calendar of
benchmarks/bench_ics.py; ``csv``: the 50 MB CSV of
benchmarks/bench_readers.py through read_source; ``engine``: identity +
engine on the synthetic traces of benchmarks/bench_engine.py).

Prints the part's wall time (without the profiler) and the functions
taking the most time of their own, with their calls and cumulative time,
under the profiler (which slows pure-Python code about twofold, C code not
at all: the shares, not the seconds, are the finding). These are the
profiles the README's Performance section cites for a target not met.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("read", "resolve", "evaluate", "render", "ics", "csv", "engine")


def review_parts(size: str, cache: Path | None = None) -> dict[str, Callable[[], Any]]:
    """The review's stages on the ``size`` workload, each a call that runs it again."""
    from benchmarks.run import review_run
    from benchmarks.workload import CACHE, TODAY, workspace
    from connectors.base import read_source
    from flows.keyed import workspace_hasher
    from flows.review import combined_traces, decide_safely, load_policies
    from flows.workspace import load_workspace
    from policies.identity import resolve
    from reports.proposal import write_proposal

    ws = load_workspace(workspace(size, cache=cache or CACHE))
    policies = load_policies(ws)
    ids = workspace_hasher(ws)
    kinds = {register: policy.customer_kinds for register, policy in policies.items()}

    def read() -> list[Any]:
        return [read_source(s, ids) for s in ws.sources]

    results = read()
    traces = combined_traces(results)

    decided = decide_safely(ws, policies, results, TODAY)

    def render() -> Any:
        run = review_run(ws, policies, results, traces, decided, TODAY)
        with tempfile.TemporaryDirectory() as out_dir:
            return write_proposal(run, Path(out_dir))  # the page in this process too

    return {
        "read": read,
        "resolve": lambda: resolve(traces, kinds),
        "evaluate": lambda: decide_safely(ws, policies, results, TODAY),
        "render": render,
    }


def _component(part: str) -> Callable[[], Any]:
    if part == "ics":
        from benchmarks import bench_ics
        from tests.ics_reference import generated_calendar

        folder = Path(tempfile.mkdtemp(prefix="karsinta-profile-"))
        path = folder / "generated.ics"
        path.write_bytes(generated_calendar(20_000, 2_000))
        return lambda: bench_ics.reader(path)
    if part == "csv":
        from benchmarks.bench_readers import _read_source, make_csv

        csv = make_csv(50)
        return lambda: _read_source(str(csv))
    from datetime import date

    from benchmarks.bench_engine import synthetic
    from policies.engine import evaluate
    from policies.examples import example_path
    from policies.law import load_statutory_rules
    from policies.schema import load_policy

    law = load_statutory_rules()
    policy = load_policy(example_path("kohonen"), law)
    traces = synthetic(1_000_000)
    return lambda: evaluate(traces, {"asiakasrekisteri": policy}, law, date(2026, 11, 1))


def _short(text: str) -> str:
    """Paths in the listing made short: the repository's and site-packages' prefixes cut."""
    text = text.replace(str(ROOT) + "/", "")
    return re.sub(r"\S*/site-packages/", "", text)


def report(call: Callable[[], Any], top: int) -> str:
    """The call's wall time, then its profile's top ``top`` functions by own time."""
    start = time.perf_counter()
    call()
    wall = time.perf_counter() - start
    profile = cProfile.Profile()
    profile.runcall(call)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    total = stats.total_tt  # type: ignore[attr-defined]
    listing = _short(out.getvalue()[out.getvalue().index("   ncalls") :])
    return f"wall {wall:.2f} s without the profiler; {total:.2f} s under it\n{listing}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--size", default="M", help="the workload of a review stage")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    if args.part in ("ics", "csv", "engine"):
        call = _component(args.part)
        print(f"{args.part}:")
    else:
        call = review_parts(args.size)[args.part]
        print(f"{args.part} ({args.size}):")
    print(report(call, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
