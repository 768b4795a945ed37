"""What the command line prints: short, Finnish-first, never a customer's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from reports.proposal import file_stem

console = Console(highlight=False)


@contextmanager
def status(text: str, quiet: bool) -> Iterator[None]:
    """A spinner on the terminal while a long step runs (nothing when quiet)."""
    if quiet or not console.is_terminal:
        yield
        return
    with console.status(text):
        yield


def print_review(root: Path, counts: dict[str, Any], name: str | None = None) -> None:
    """The summary of one review: counts and where the proposal is."""
    year, month = (int(part) for part in str(counts["month"]).split("-"))
    from datetime import date

    stem = file_stem(date(year, month, 1))
    title = name or str(root)
    console.print(f"[bold]{title}[/bold]")
    console.print(
        f"  {counts['sources']} lähdettä, {counts['traces']} merkintää, "
        f"{counts['subjects']} henkilöä"
        + (
            f", [red]{counts['unreadable_sources']} ei luettavissa[/red]"
            if counts["unreadable_sources"]
            else ""
        )
        + (
            f", [yellow]{counts['problems']} ongelmaa lukiessa[/yellow]"
            if counts["problems"]
            else ""
        )
    )
    console.print(
        f"  poistetaan {counts['decision_delete']}, säilytetään lain perusteella "
        f"{counts['decision_hold']}, tarkistettavia {counts['decision_review']}, "
        f"havaintoja {counts['findings']}"
    )
    for line in counts.get("problem_list", [])[:20]:
        console.print(f"  [yellow]![/yellow] {line}", markup=True, soft_wrap=True)
    if counts.get("unchanged"):
        console.print("  ei muutoksia edelliseen ehdotukseen")
    console.print(f"  {root / 'raportit' / (stem + '.html')}", markup=False)
    console.print(f"  {root / 'raportit' / (stem + '.xlsx')}", markup=False)
