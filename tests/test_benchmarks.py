"""The benchmark runs (at the tiny size): every stage measured. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.runtime import PREFECT_SWITCH, use_prefect


@pytest.mark.slow
def test_tiny_workload_runs_every_stage(tmp_path: Path) -> None:
    from benchmarks.run import stages, table
    from benchmarks.workload import workspace

    folder = workspace("tiny", cache=tmp_path)
    assert workspace("tiny", cache=tmp_path) == folder  # cached: found, not rebuilt
    records = stages(folder)
    names = [r["stage"] for r in records]
    for connector in ("spreadsheet", "accounting", "outlook_csv", "google_csv", "vcard", "ics"):
        read = [r for r in records if r["stage"].strip().startswith(f"read {connector} ")]
        assert read, connector
        assert all(r["rows"] > 0 for r in read if "poistopyynnot" not in r["stage"]), connector
    assert any(n.strip().startswith("read folder ") for n in names)
    parts = [r for r in records if r.get("part")]
    (together,) = [r for r in records if r["stage"].startswith("read all (")]
    assert together["rows"] == sum(r["rows"] for r in parts) > 0
    assert names[-3:] == ["resolve", "evaluate", "render"]
    render = records[-1]
    assert render["rows"] == records[-2]["rows"] > 0
    assert render["html_mb"] > 0
    assert render["xlsx_mb"] > 0
    assert all(r["rss_mb"] > 0 for r in records)
    assert "render" in table("tiny", records)


@pytest.mark.slow
def test_a_stage_profile_names_where_the_time_goes(tmp_path: Path) -> None:
    from benchmarks.profile import report, review_parts

    parts = review_parts("tiny", cache=tmp_path)
    assert set(parts) == {"read", "resolve", "evaluate", "render"}
    listing = report(parts["render"], 15)
    assert listing.startswith("wall ")
    assert "ncalls" in listing
    assert "tottime" in listing
    assert str(Path.cwd()) + "/" not in listing  # paths made short
    assert "reports/" in listing  # the proposal's own code is among the top functions


@pytest.mark.slow
def test_the_owners_next_commands_are_timed(tmp_path: Path) -> None:
    """The review as a user runs it, again in the same month, and apply --dry-run."""
    from benchmarks.run import cli_times

    records = cli_times("tiny", 1, prefect=False, cache=tmp_path)
    assert [r["stage"] for r in records] == [
        "karsinta review",
        "karsinta review again (same month)",
        "karsinta apply --dry-run (nothing marked)",
    ]
    assert all(r["seconds"] > 0 for r in records)


@pytest.mark.parametrize(
    ("asked", "env", "expected"),
    [
        (False, {}, False),  # the one-shot default: plain calls, no embedded server
        (True, {}, True),  # --prefect
        (False, {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, True),  # a server is there
        (False, {PREFECT_SWITCH: "1"}, True),
        (False, {PREFECT_SWITCH: "0"}, False),
    ],
)
def test_when_one_shot_commands_use_prefect(
    monkeypatch: pytest.MonkeyPatch, asked: bool, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv(PREFECT_SWITCH, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert use_prefect(asked) is expected


@pytest.mark.slow
def test_component_comparisons_give_their_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.bench_readers as bench_readers
    from benchmarks.run import COMPONENTS, reader_ratios

    monkeypatch.setattr(bench_readers, "CACHE", tmp_path)
    figures = reader_ratios(tiny=True)
    assert set(figures) == set(COMPONENTS)
    ics = figures["benchmarks.bench_ics"]
    assert ics["generated ratio"] > 0
    readers = figures["benchmarks.bench_readers"]
    assert readers["csv 1 MB read_source s"] > 0
    assert readers["xlsx 2000 rows: calamine vs openpyxl read-only"] > 0
    engine = figures["benchmarks.bench_engine"]
    assert engine["traces"] == 2_000
    assert engine["identity + engine traces/s"] > 0
    assert (tmp_path / "orders-1mb.csv").is_file()  # the cache given, not the shared one


_CHILD_AFTER_A_BIG_PARENT = """
import resource, subprocess, sys
ballast = b"x" * (300 * 2**20)  # the parent builds a large workload
child = subprocess.run(
    [sys.executable, "-c",
     "import resource; from benchmarks.memory import peak_rss_mib;"
     "print(peak_rss_mib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"],
    capture_output=True, text=True, check=True,
)
print(child.stdout)
"""


def test_a_benchmark_child_reports_its_own_peak_not_its_parents() -> None:
    """The L table once showed 2 GiB before a single read: the workload built by the
    parent, inherited by Linux's ru_maxrss across fork and exec."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _CHILD_AFTER_A_BIG_PARENT],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    own, inherited = (float(v) for v in done.stdout.split())
    assert own < 150
    assert own < inherited or inherited < 300  # where the kernel does not carry it over
