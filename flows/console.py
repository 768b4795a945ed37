"""What the command line prints: short, Finnish-first, never a customer's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from reports.cells import inert
from reports.proposal import file_stem

console = Console(highlight=False)


def shown(value: Any) -> str:
    """A value from outside (a path, a problem line) made inert for the terminal:
    rich markup in it is printed as written, invisible format characters as escapes."""
    return escape(inert(str(value)))


def plural(count: int, one: str, many: str) -> str:
    """``1 ongelma``, ``2 ongelmaa``: the count with the right form of the word."""
    return f"{count} {one if count == 1 else many}"


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
    console.print(f"[bold]{shown(title)}[/bold]")
    console.print(
        f"  {plural(counts['sources'], 'lähde', 'lähdettä')}, "
        f"{plural(counts['traces'], 'merkintä', 'merkintää')}, "
        f"{plural(counts['subjects'], 'henkilö', 'henkilöä')}"
        + (
            f", [red]{counts['unreadable_sources']} ei luettavissa[/red]"
            if counts["unreadable_sources"]
            else ""
        )
        + (
            f", [yellow]{plural(counts['problems'], 'ongelma', 'ongelmaa')} lukiessa[/yellow]"
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
        console.print(f"  [yellow]![/yellow] {shown(line)}", markup=True, soft_wrap=True)
    if counts.get("unchanged"):
        console.print("  ei muutoksia edelliseen ehdotukseen")
    remembered = [
        (counts.get("rejected_earlier", 0), "hylätty aiemmin, ei ehdoteta uudelleen"),
        (counts.get("postponed", 0), "siirretty ensi kuuhun"),
        (counts.get("waiting_manual", 0), "odottaa käsin poistoa"),
    ]
    said = [f"{n} {text}" for n, text in remembered if n]
    if said:
        console.print("  aiemmat päätöksesi: " + ", ".join(said), soft_wrap=True)
    html = str(counts.get("proposal_html") or stem + ".html")
    xlsx = str(counts.get("proposal_xlsx") or stem + ".xlsx")
    if int(counts.get("version") or 1) > 1:
        console.print(
            "  [bold]Edellisessä ehdotuksessa oli merkintöjä: se säilyi ennallaan. Uusi versio "
            f"on nyt voimassa[/bold] ({counts.get('marks_carried', 0)} hyväksyntää siirretty "
            "muuttumattomille riveille) / the marked proposal was kept; this version is current:",
            soft_wrap=True,
        )
    console.print(f"  {inert(str(root / 'raportit' / html))}", markup=False)
    console.print(f"  {inert(str(root / 'raportit' / xlsx))}", markup=False)


def _rows_text(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def print_apply(result: dict[str, Any], output_dir: Path) -> None:
    """What apply did (or, in a dry run, would do), row by row; never a customer's data.

    Rows are named by the proposal's row number, the source, the place in it
    (row, record id, invoice number, calendar UID) and the action: what the
    owner's own XLSX already shows her.
    """
    from reports.receipt_texts import rt

    fi, en = rt("fi"), rt("en")

    def say(text: str, *, markup: bool = True) -> None:
        console.print(text, markup=markup, soft_wrap=True)  # one line per row, never wrapped

    lines: list[dict[str, Any]] = result.get("lines") or []
    already = result.get("already")
    if already:
        count, when, manual = already
        on_list = (
            f" ({manual} niistä tehtävälistallasi / {manual} of them on your checklist)"
            if manual
            else ""
        )
        say(
            f"Ei mitään uutta: {count} riviä tehtiin jo {when} "
            f"/ nothing new: {count} rows were already done on {when}{on_list}"
        )
    labels = {
        "done": "tehty / done",
        "would": "tehtäisiin / would be done",
        "manual": "tehtävälistalla / on the checklist",
        "skipped": "ohitettu / skipped",
        "failed": "epäonnistui / failed",
        "not_approved": "ei hyväksytty / not approved",
    }
    if not already:
        for key, label in labels.items():
            if result.get(key):
                say(f"{result[key]:5d}  {label}")
    if result.get("dry_run"):
        changes = [line for line in lines if line["outcome"] in ("would", "manual")]
        say(
            "Koeajo: mitään ei muutettu. Nämä rivit muutettaisiin "
            "/ dry run: nothing changed. These rows would change:"
        )
        for line in changes:
            action = (
                fi(f"todo_{line['action']}")
                if line["action"] == "anonymise"
                else ("poista / delete")
            )
            how = "" if line["outcome"] == "would" else " (tehtävälistalle / to the checklist)"
            where = f"  {inert(str(line['where']))}" if line["where"] else ""
            say(
                f"  rivi/row {line['row']:>4}  {line['source']}{where}  {action}{how}",
                markup=False,
            )
        if not changes:
            say("  (ei yhtään / none)")
    unknown = [line["row"] for line in lines if line["decision"] == "unknown"]
    if unknown:
        say(
            f"[yellow]![/yellow] Tuntematon merkintä riveillä {_rows_text(unknown)}: ei hyväksytty "
            "(kirjoita hyväksy, hylkää tai siirrä) / unknown mark on rows "
            f"{_rows_text(unknown)}: not approved (write approve, reject or postpone)"
        )
    for outcome in ("skipped", "failed"):
        reasons: dict[str, list[int]] = {}
        for line in lines:
            if line["outcome"] == outcome and line["reason"]:
                reasons.setdefault(str(line["reason"]), []).append(int(line["row"]))
        for reason, rows in reasons.items():
            say(
                f"[yellow]![/yellow] {labels[outcome]}, riveillä / rows {_rows_text(rows)}: "
                f"{fi('reason_' + reason)} / {en('reason_' + reason)}"
            )
    if result.get("manual") and not result.get("dry_run") and not already:
        say(
            f"  {result['manual']} riviä odottaa käsin poistoa: tehtävälista on kuitissa "
            f"/ {result['manual']} rows wait for you on the checklist in the receipt"
        )
    if result.get("receipt_html"):
        say(f"  {output_dir / str(result['receipt_html'])}", markup=False)
        say(f"  {output_dir / str(result['receipt_xlsx'])}", markup=False)
