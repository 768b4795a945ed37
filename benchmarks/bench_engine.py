"""Benchmark: identity resolution and the engine over synthetic traces.

Run from the repository root, on a quiet machine (timings vary with load)::

    export PYTHONPATH=$PWD
    .venv/bin/python benchmarks/bench_engine.py            # 10000 100000 1000000
    .venv/bin/python benchmarks/bench_engine.py 100000     # one size

Prints, per size, seconds and traces per second for identity resolution
alone (``resolve``) and for the whole engine (``evaluate``, which resolves
identity itself): wall-clock, and the process's CPU time (``cpu s``,
``traces/cpu-s``), which moves less when other work shares the machine.
Not a test: run it by hand and note the figures (issue #13 asks for
>= 500 000 traces/s). Peak memory: prefix the command with
``/usr/bin/time -v``. For a profile::

    .venv/bin/python -m cProfile -s cumtime benchmarks/bench_engine.py 100000 | head -60
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import pandas as pd

from connectors import trace as tr
from policies.engine import evaluate
from policies.examples import example_path
from policies.identity import resolve
from policies.law import load_statutory_rules
from policies.schema import load_policy

KINDS = np.array(["order", "engagement", "contact", "invoice", "erasure_request"])
KIND_WEIGHTS = np.array([0.5, 0.15, 0.2, 0.14, 0.01])


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` contract-valid traces of about n/4 people, in one register."""
    rng = np.random.default_rng(seed)
    people = max(1, n // 4)
    person = rng.integers(0, people, n)
    kind = rng.choice(KINDS, n, p=KIND_WEIGHTS)
    days = rng.integers(0, 2000, n)
    event = pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")
    email = pd.Series([f"asiakas{p}@example.fi" for p in person], dtype="string")
    phone = pd.Series([f"+35840{p:07d}" for p in person], dtype="string")
    has_phone = rng.random(n) < 0.5
    has_email = ~has_phone | (rng.random(n) < 0.5)
    status = np.where(
        kind == "invoice", rng.choice(["paid", "open", "collection"], n, p=[0.95, 0.04, 0.01]), None
    )
    frame = pd.DataFrame(
        {
            "trace_id": pd.Series([f"src:{i:012x}" for i in range(n)], dtype="string"),
            "source": pd.Series("src", index=range(n), dtype="string"),
            "register": pd.Series("asiakasrekisteri", index=range(n), dtype="string"),
            "kind": pd.Series(kind, dtype="string"),
            "label": pd.Series(pd.NA, index=range(n), dtype="string"),
            "name": pd.Series([f"Asiakas {p}" for p in person], dtype="string"),
            "name_key": pd.Series([f"asiakas {p}" for p in person], dtype="string"),
            "email": email.where(has_email),
            "email_raw": email.where(has_email),
            "phone": phone.where(has_phone),
            "phone_raw": phone.where(has_phone),
            "hetu": pd.Series(pd.NA, index=range(n), dtype="string"),
            "customer_no": pd.Series(pd.NA, index=range(n), dtype="string"),
            "event_date": pd.Series(event, dtype=tr.DATE_DTYPE),
            "end_date": pd.Series(event, dtype=tr.DATE_DTYPE).where(kind == "engagement"),
            "status": pd.Series(status, dtype="string"),
            "found_categories": pd.Series("", index=range(n), dtype="string"),
            "locator": pd.Series("{}", index=range(n), dtype="string"),
            "fingerprint": pd.Series("x", index=range(n), dtype="string"),
        }
    )
    return frame[list(tr.COLUMNS)]


def main(sizes: list[int]) -> None:
    law = load_statutory_rules()
    policy = load_policy(example_path("kohonen"), law)
    policies = {"asiakasrekisteri": policy}
    print(
        f"{'traces':>10} {'identity s':>11} {'identity/s':>11} {'evaluate s':>11} {'traces/s':>10}"
        f" {'cpu s':>7} {'traces/cpu-s':>13}"
    )
    for n in sizes:
        traces = synthetic(n)
        start = time.perf_counter()
        resolve(traces, {"asiakasrekisteri": policy.customer_kinds})
        identity = time.perf_counter() - start
        start = time.perf_counter()
        cpu_start = time.process_time()
        result = evaluate(traces, policies, law, date(2026, 11, 1))
        cpu = time.process_time() - cpu_start
        total = time.perf_counter() - start
        assert len(result.decisions) == n
        print(
            f"{n:>10} {identity:>11.2f} {n / identity:>11.0f} {total:>11.2f} {n / total:>10.0f}"
            f" {cpu:>7.2f} {n / cpu:>13.0f}"
        )


def ratios(n: int = 1_000_000) -> dict[str, object]:
    """Identity and the engine over ``n`` synthetic traces (target >= 500 000 traces/s)."""
    law = load_statutory_rules()
    policy = load_policy(example_path("kohonen"), law)
    traces = synthetic(n)
    start = time.perf_counter()
    resolve(traces, {"asiakasrekisteri": policy.customer_kinds})
    identity = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), time.process_time()
    result = evaluate(traces, {"asiakasrekisteri": policy}, law, date(2026, 11, 1))
    cpu = time.process_time() - cpu_start
    total = time.perf_counter() - start
    assert len(result.decisions) == n
    return {
        "traces": n,
        "identity traces/s": round(n / identity),
        "identity + engine traces/s": round(n / total),
        "identity + engine traces/CPU-s": round(n / cpu),
        "target": ">= 500 000 traces/s",
    }


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
