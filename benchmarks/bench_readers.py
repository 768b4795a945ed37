"""How fast the table readers are, and how much memory they take (issue #13).

Generates its files deterministically (fixed seed) into a cache folder, then
measures each read in a fresh process (so peak RSS is that read's own):

- a CSV order list of ``--csv-mb`` megabytes through ``read_source``
  (spreadsheet connector: parse, map, dates, finalize);
- an XLSX of ``--xlsx-rows`` rows: the grid as the spreadsheet connector loads
  it (python-calamine) against openpyxl's read-only mode on the same file.

Prints time (wall, and CPU: the figure to compare on a busy machine), rows/s,
peak RSS and the XLSX ratio. Run from the repository:
``python -m benchmarks.bench_readers [--csv-mb 50] [--xlsx-rows 200000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.memory import peak_rss_mib

CACHE = Path(os.environ.get("KARSINTA_BENCH_CACHE", Path(tempfile.gettempdir()) / "karsinta-bench"))
HEADER = ["Tilausnumero", "Nimi", "Sähköposti", "Puhelin", "Tilauspäivä", "Summa", "Osoite", "Tila"]
FIRST = ["Aino", "Eero", "Liisa", "Matti", "Sanna", "Jukka", "Päivi", "Öljy"]
LAST = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen"]


def _row(rng: random.Random, n: int) -> list[str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return [
        str(100000 + n),
        f"{first} {last}",
        f"{first.lower()}.{last.lower()}{n % 5000}@example.fi",
        f"040 {rng.randrange(1000000, 9999999)}",
        f"{rng.randrange(1, 29)}.{rng.randrange(1, 13)}.{rng.randrange(2015, 2026)}",
        f"{rng.randrange(10, 900)},{rng.randrange(0, 100):02d}",
        f"Kauppakatu {rng.randrange(1, 99)}, Kouvola",
        rng.choice(["Maksettu", "Avoin", "Maksettu", "Maksettu"]),
    ]


def make_csv(megabytes: int) -> Path:
    path = CACHE / f"orders-{megabytes}mb.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    target = megabytes * 1_000_000
    size, n = 0, 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        line = ";".join(HEADER) + "\r\n"
        handle.write(line)
        while size < target:
            n += 1
            line = ";".join(_row(rng, n)) + "\r\n"
            handle.write(line)
            size += len(line.encode("utf-8"))
    tmp.replace(path)
    return path


def make_xlsx(rows: int) -> Path:
    path = CACHE / f"orders-{rows}.xlsx"
    if path.exists():
        return path
    import openpyxl

    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Tilaukset")
    sheet.append(HEADER)
    for n in range(1, rows + 1):
        sheet.append(_row(rng, n))
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.replace(path)
    return path


# ------------------------------------------------------------- measured reads


def _read_source(path: str) -> int:
    from connectors.base import SourceSpec, read_source

    result = read_source(SourceSpec(id="b", connector="spreadsheet", path=Path(path)))
    if result.error is not None:
        raise SystemExit(str(result.error))
    return len(result.traces)


def _calamine(path: str) -> int:
    from connectors import tabular

    grid = tabular.load_grid(Path(path), "bench.xlsx")
    return len(grid.text[0]) - 1


def _openpyxl(path: str) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count - 1


MEASURES = {"read_source": _read_source, "calamine": _calamine, "openpyxl": _openpyxl}


def _child(measure: str, path: str) -> None:
    # Imports are not the reader's time.
    import openpyxl  # noqa: F401

    import connectors.spreadsheet  # noqa: F401

    start, cpu_start = time.perf_counter(), time.process_time()
    rows = MEASURES[measure](path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak = peak_rss_mib()
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "peak_mib": peak}))


def measure(name: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, a generated file
        [sys.executable, "-m", "benchmarks.bench_readers", "--child", name, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    size = path.stat().st_size / 1e6
    print(
        f"{name:12} {path.name:22} {size:7.1f} MB {result['rows']:>9} rows "
        f"{result['seconds']:7.2f} s (CPU {result['cpu']:6.2f} s) "
        f"{result['rows'] / result['seconds']:>10,.0f} rows/s peak {result['peak_mib']:6.0f} MiB"
    )
    return result


def ratios(csv_mb: int = 50, xlsx_rows: int = 200_000) -> dict[str, object]:
    """The CSV read (target: 50 MB in < 10 s and 500 MB) and the XLSX ratio (target >= 5x)."""
    csv = measure("read_source", make_csv(csv_mb))
    xlsx_path = make_xlsx(xlsx_rows)
    fast = measure("calamine", xlsx_path)
    slow = measure("openpyxl", xlsx_path)
    return {
        f"csv {csv_mb} MB read_source s": round(csv["seconds"], 2),
        f"csv {csv_mb} MB CPU s": round(csv["cpu"], 2),
        f"csv {csv_mb} MB peak MiB": round(csv["peak_mib"]),
        "csv target": "50 MB in < 10 s, < 500 MB",
        f"xlsx {xlsx_rows} rows: calamine vs openpyxl read-only": round(
            slow["seconds"] / fast["seconds"], 1
        ),
        "xlsx ratio in CPU time": round(slow["cpu"] / fast["cpu"], 1),
        "xlsx target": ">= 5x",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv-mb", type=int, default=50)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    csv_path = make_csv(args.csv_mb)
    xlsx_path = make_xlsx(args.xlsx_rows)
    measure("read_source", csv_path)
    fast = measure("calamine", xlsx_path)
    slow = measure("openpyxl", xlsx_path)
    print(
        f"XLSX: calamine grid is {slow['seconds'] / fast['seconds']:.1f}x openpyxl read-only "
        f"({slow['cpu'] / fast['cpu']:.1f}x in CPU time)"
    )
    measure("read_source", xlsx_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
