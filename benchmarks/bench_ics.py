"""Benchmark: the ICS reader against icalendar + recurring-ical-events on the same files.

Usage: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_ics.py [EVENTS SERIES]``
(default 20000 events of which 2000 series). For every sample calendar in
../shared/samples/ics and one generated calendar it times

* the reference (tests/ics_reference.py): icalendar parses the file,
  x-wr-timezone applies X-WR-TIMEZONE, recurring-ical-events expands each
  series, the same customer rules give the same records;
* the reader: :meth:`connectors.ics.IcsConnector.extract` (the raw records;
  finalize, common to every connector, is not timed).

Each is timed as the best of a few runs (the reference once on the large
file), in CPU time of this process (``time.process_time``): both are
single-threaded, and wall-clock figures on a shared machine measure the
other jobs as much as the reader. The reader's ProblemLog is made before
its clock starts (it is the caller's, as in read_source). Identity of the
records is asserted by tests/test_ics.py, not here. Not a test: timing
varies with the machine; run it by hand and note the figures.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from connectors.base import ProblemLog, SourceSpec
from connectors.ics import IcsConnector, IcsOptions
from tests.ics_reference import generated_calendar, reference_records

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "ics"
EVERY_TITLE = "(?P<name>.+)"


def best_of(func: Callable[[], float], runs: int) -> float:
    """The least CPU time of ``runs`` calls (each call times itself)."""
    return min(func() for _ in range(runs))


def reader(path: Path) -> float:
    options = {"name_pattern": EVERY_TITLE}
    spec = SourceSpec(id="k", connector="ics", path=path, register="r", options=options)
    log = ProblemLog(path.name)
    started = time.process_time()
    IcsConnector().extract(spec, IcsOptions(**options), log)
    return time.process_time() - started


def reference(path: Path) -> float:
    started = time.process_time()
    reference_records(path, name_pattern=EVERY_TITLE)
    return time.process_time() - started


def comparisons(events: int = 20_000, series: int = 2_000) -> list[tuple[str, int, float, float]]:
    """(file, bytes, reference CPU s, reader CPU s) for each sample calendar and a generated one."""
    rows: list[tuple[str, int, float, float]] = []
    paths = sorted(SAMPLES.glob("*.ics")) if SAMPLES.is_dir() else []
    for path in paths:
        try:
            slow = best_of(lambda p=path: reference(p), 3)
        except Exception:  # noqa: BLE001 - icalendar refuses some real files
            slow = float("nan")
        fast = best_of(lambda p=path: reader(p), 5)
        rows.append((path.name, path.stat().st_size, slow, fast))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / f"generated_{events}_{series}.ics"
        big.write_bytes(generated_calendar(events, series))
        slow = best_of(lambda: reference(big), 1)
        fast = best_of(lambda: reader(big), 3)
        rows.append((big.name, big.stat().st_size, slow, fast))
    return rows


def _totals(rows: list[tuple[str, int, float, float]]) -> tuple[float, float]:
    """Reference and reader CPU seconds summed over the files the reference reads."""
    read = [(slow, fast) for _, _, slow, fast in rows if slow == slow]  # not NaN
    return sum(s for s, _ in read), sum(f for _, f in read)


def ratios(events: int = 20_000, series: int = 2_000) -> dict[str, object]:
    """How many times faster the reader is than the reference (CPU time), for benchmarks.run."""
    rows = comparisons(events, series)
    samples = [r for r in rows[:-1] if r[2] == r[2] and r[3]]
    name, _, slow, fast = rows[-1]
    total_slow, total_fast = _totals(rows[:-1])
    return {
        "target": ">= 20x",
        "generated calendar": name,
        "generated ratio": round(slow / fast, 1),
        "sample calendars": len(samples),
        "samples ratio (summed CPU)": round(total_slow / total_fast, 1) if total_fast else None,
        "lowest sample ratio": min((round(s / f, 1) for _, _, s, f in samples), default=None),
    }


def main(events: int = 20_000, series: int = 2_000) -> None:
    rows = comparisons(events, series)
    print(f"{'file':<45} {'bytes':>10} {'reference s':>12} {'reader s':>10} {'ratio':>7}  (CPU)")
    for name, size, slow, fast in rows:
        ratio = slow / fast if fast else float("nan")
        print(f"{name:<45} {size:>10} {slow:>12.4f} {fast:>10.4f} {ratio:>7.1f}")
    total_slow, total_fast = _totals(rows)
    print(
        f"{'all (where the reference reads the file)':<45} {'':>10} {total_slow:>12.4f} "
        f"{total_fast:>10.4f} {total_slow / total_fast:>7.1f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3:
        main(int(sys.argv[1]), int(sys.argv[2]))
    else:
        main()
