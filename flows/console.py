"""What the command line prints: short, Finnish-first, never a customer's data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from connectors.messages import plural as plural_of
from connectors.messages import rows_text, say
from reports.view import file_stem

#: Lines are never broken by the program (soft wrap): a path printed across two
#: lines cannot be copied whole from a terminal or a log file.
console = Console(highlight=False, soft_wrap=True)


def inert(text: str) -> str:
    """reports.cells.inert, imported when first needed (reports.cells brings openpyxl and
    Jinja: a review loads them while its sources are read, not before)."""
    from reports.cells import inert as shown

    return shown(text)


def shown(value: Any) -> str:
    """A value from outside (a path, a problem line) made inert for the terminal:
    rich markup in it is printed as written, invisible format characters as escapes."""
    return escape(inert(str(value)))


def plural(count: int, one: str, many: str) -> str:
    """``1 ongelma``, ``2 ongelmaa``: the count with the right form of the word.

    For words of the catalogue use :func:`connectors.messages.plural`.
    """
    return f"{count} {one if count == 1 else many}"


@contextmanager
def status(text: str, quiet: bool) -> Iterator[None]:
    """A spinner on the terminal while a long step runs (nothing when quiet)."""
    if quiet or not console.is_terminal:
        yield
        return
    with console.status(text):
        yield


def print_review(
    root: Path, counts: dict[str, Any], name: str | None = None, lang: str | None = None
) -> None:
    """The summary of one review in ``lang`` (the review's own language when None)."""
    lang = lang or str(counts.get("lang") or "fi")
    year, month = (int(part) for part in str(counts["month"]).split("-"))
    from datetime import date

    stem = file_stem(date(year, month, 1))
    title = name or str(root)
    console.print(f"[bold]{shown(title)}[/bold]")
    line = say(
        lang,
        "review_counts",
        sources=plural_of(lang, counts["sources"], "source"),
        traces=plural_of(lang, counts["traces"], "trace"),
        people=plural_of(lang, counts["subjects"], "person"),
    )
    if counts["unreadable_sources"]:
        unreadable = say(lang, "review_unreadable", count=counts["unreadable_sources"])
        line += f", [red]{unreadable}[/red]"
    if counts["problems"]:
        problems = say(
            lang, "review_problems", problems=plural_of(lang, counts["problems"], "problem")
        )
        line += f", [yellow]{problems}[/yellow]"
    console.print(line)
    console.print(
        say(
            lang,
            "review_decisions",
            delete=counts["decision_delete"],
            hold=counts["decision_hold"],
            review=counts["decision_review"],
            findings=counts["findings"],
        )
    )
    for problem in counts.get("problem_list", [])[:20]:
        console.print(f"  [yellow]![/yellow] {shown(problem)}", markup=True, soft_wrap=True)
    if counts.get("unchanged"):
        console.print(say(lang, "review_unchanged"))
    said = [
        say(lang, key, count=counts.get(field, 0))
        for field, key in (
            ("rejected_earlier", "review_rejected"),
            ("postponed", "review_postponed"),
            ("waiting_manual", "review_waiting"),
        )
        if counts.get(field, 0)
    ]
    if said:
        console.print(say(lang, "review_earlier", said=", ".join(said)), soft_wrap=True)
    html = str(counts.get("proposal_html") or stem + ".html")
    xlsx = str(counts.get("proposal_xlsx") or stem + ".xlsx")
    if int(counts.get("version") or 1) > 1:
        carried = plural_of(lang, int(counts.get("marks_carried", 0)), "approval")
        console.print(say(lang, "review_new_version", carried=carried), soft_wrap=True)
    console.print(f"  {inert(str(root / 'raportit' / html))}", markup=False)
    console.print(f"  {inert(str(root / 'raportit' / xlsx))}", markup=False)


#: apply's outcome -> its label in the catalogue
APPLY_LABELS = {
    "done": "apply_done",
    "would": "apply_would",
    "manual": "apply_manual",
    "skipped": "apply_skipped",
    "failed": "apply_failed",
    "not_approved": "apply_not_approved",
}


def print_apply(result: dict[str, Any], output_dir: Path, lang: str = "fi") -> None:
    """What apply did (or, in a dry run, would do), row by row, in ``lang``; no customer data.

    Rows are named by the proposal's row number, the source, the place in it
    (row, record id, invoice number, calendar UID) and the action: what the
    owner's own XLSX already shows her.
    """
    from reports.receipt_texts import rt

    text = rt(lang)

    def out(line: str, *, markup: bool = True) -> None:
        console.print(line, markup=markup, soft_wrap=True)  # one line per row, never wrapped

    lines: list[dict[str, Any]] = result.get("lines") or []
    already = result.get("already")
    if already:
        count, when, manual = already
        on_list = say(lang, "apply_on_list", count=manual) if manual else ""
        rows = plural_of(lang, int(count), "row")
        out(say(lang, "apply_already", when=when, rows=rows, on_list=on_list))
    if not already:
        for key, label in APPLY_LABELS.items():
            if result.get(key):
                out(f"{result[key]:5d}  {say(lang, label)}")
    if result.get("dry_run"):
        changes = [line for line in lines if line["outcome"] in ("would", "manual")]
        out(say(lang, "apply_dry_run"))
        for line in changes:
            action = (
                text(f"todo_{line['action']}")
                if line["action"] == "anonymise"
                else say(lang, "apply_delete")
            )
            how = "" if line["outcome"] == "would" else say(lang, "apply_to_checklist")
            where = f"  {inert(str(line['where']))}" if line["where"] else ""
            rest = f"{line['source']}{where}  {action}{how}"
            out(say(lang, "apply_row", row=line["row"], rest=rest), markup=False)
        if not changes:
            out("  " + say(lang, "check_none"))
    unknown = [int(line["row"]) for line in lines if line["decision"] == "unknown"]
    if unknown:
        out(say(lang, "apply_unknown", rows=rows_text(lang, unknown)))
    for outcome in ("skipped", "failed"):
        reasons: dict[str, list[int]] = {}
        for line in lines:
            if line["outcome"] == outcome and line["reason"]:
                reasons.setdefault(str(line["reason"]), []).append(int(line["row"]))
        for reason, numbers in reasons.items():
            out(
                say(
                    lang,
                    "apply_reason",
                    label=say(lang, APPLY_LABELS[outcome]),
                    rows=rows_text(lang, numbers),
                    reason=text("reason_" + reason),
                )
            )
    if result.get("manual") and not result.get("dry_run") and not already:
        out(say(lang, "apply_waiting", rows=plural_of(lang, int(result["manual"]), "row")))
    if result.get("receipt_html"):
        out(f"  {output_dir / str(result['receipt_html'])}", markup=False)
        out(f"  {output_dir / str(result['receipt_xlsx'])}", markup=False)
