"""The ``karsinta`` command.

Exit codes: 0 fine, 1 done but with problems to look at (review: a source
read with problems; apply: a change that failed), 2 could not be done
(invalid config, a refused proposal, another apply running); ``review`` and
``check`` say 3 when a source could not be read (see ``karsinta review --help``).
No traceback reaches the user: errors are
printed as one clear line naming the file, row and field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.base import ReadResult, SourceSpec, connector_names, owner_only_umask, read_source
from connectors.detect import detect
from connectors.errors import ApplyRefused, ConfigError, KarsintaError
from flows.runtime import use_prefect

REVIEW_EPILOG = """exit codes:
  0  every source read cleanly (warnings allowed)
  1  done, but some rows had problems: their people's deletions wait (see the proposal)
  2  could not run: the workspace config or a policy is invalid
  3  a source could not be read: if it can carry a legal hold (invoices, patient
     records), no deletion is proposed in its register until it is fixed
"""
CHECK_EPILOG = """Reads every source (as review does) and reports what would go wrong.
exit codes: 0 all readable, 1 row problems, 2 invalid config or policy,
3 a source could not be read (its columns and the mappings that would fit are shown).
"""

PREFECT_HELP = (
    "run as a Prefect flow run (default when PREFECT_API_URL is set; otherwise the stages "
    "run as plain calls, without starting Prefect's embedded server)"
)

INSPECT_COLUMNS = [
    "kind",
    "label",
    "name",
    "email",
    "phone",
    "customer_no",
    "event_date",
    "end_date",
    "status",
    "found_categories",
]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("give the date as YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="karsinta",
        description="Keeps a small business's privacy-notice retention promises.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="build the demo workspaces and run the pipeline on them")
    demo.add_argument("dir", nargs="?", type=Path, default=Path("karsinta-demo"))
    demo.add_argument("--today", type=_date, default=None, help="the run date (YYYY-MM-DD)")
    demo.add_argument("--seed", type=int, default=2026, help="seed of the demo data generator")
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--lang", choices=("fi", "en"), default=None)
    demo.add_argument("--json", action="store_true", help="machine-readable summary")

    inspect = sub.add_parser("inspect", help="show what Karsinta reads from one export file")
    inspect.add_argument("file", type=Path)
    inspect.add_argument("--as", dest="connector", choices=connector_names(), default=None)
    inspect.add_argument("--kind", default=None, help="what the records are (default by format)")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.add_argument("--limit", type=int, default=50, help="rows to show (table only)")

    check = sub.add_parser("check", help="validate a workspace and its policies")
    check.add_argument("--workspace", type=Path, default=Path("."))

    check.epilog = CHECK_EPILOG
    check.formatter_class = argparse.RawDescriptionHelpFormatter

    for name, text in (
        ("review", "run the monthly review now: the deletion proposal (HTML + XLSX)"),
        ("inventory", "write the record of processing activities (GDPR art. 30)"),
    ):
        command = sub.add_parser(
            name,
            help=text,
            epilog=REVIEW_EPILOG if name == "review" else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == "review":
            command.add_argument(
                "--decisions",
                type=Path,
                default=None,
                metavar="FILE.csv",
                help="also write every trace's decision here (semicolon CSV, owner-only); "
                "it is always written as raportit/paatokset-YYYY-MM.csv",
            )
        command.add_argument("--workspace", type=Path, default=Path("."))
        command.add_argument("--today", type=_date, default=None, help="the run date (YYYY-MM-DD)")
        command.add_argument("--lang", choices=("fi", "en"), default=None)
        command.add_argument("--quiet", action="store_true", help="print only errors")
        command.add_argument("--json", action="store_true", help="machine-readable summary")
        command.add_argument("--prefect", action="store_true", help=PREFECT_HELP)

    apply = sub.add_parser("apply", help="carry out the rows approved in a proposal XLSX")
    apply.add_argument("file", type=Path, help="the marked poistoehdotus-YYYY-MM.xlsx")
    apply.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help="the workspace (default: the proposal's raportit/ folder's parent, else '.')",
    )
    apply.add_argument(
        "--dry-run", action="store_true", help="say what would be done; change nothing"
    )
    apply.add_argument("--today", type=_date, default=None, help="the run date (YYYY-MM-DD)")
    apply.add_argument("--quiet", action="store_true", help="print only errors")
    apply.add_argument("--json", action="store_true", help="machine-readable summary")
    apply.add_argument("--prefect", action="store_true", help=PREFECT_HELP)

    serve = sub.add_parser("serve", help="run the monthly review on the 1st of every month")
    serve.add_argument("--workspace", type=Path, default=Path("."))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    owner_only_umask()
    args = _parser().parse_args(argv)
    handler = {
        "demo": cmd_demo,
        "inspect": cmd_inspect,
        "check": cmd_check,
        "review": cmd_review,
        "inventory": cmd_inventory,
        "serve": cmd_serve,
        "apply": cmd_apply,
    }[args.command]
    try:
        return int(handler(args))
    except ConfigError as exc:
        print(f"Error in {exc.file}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KarsintaError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


# ------------------------------------------------------------------- inspect


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def inspect_result(file: Path, connector: str | None, kind: str | None) -> ReadResult:
    name = connector or detect(file) or "spreadsheet"
    spec = SourceSpec(id=_source_id(file), connector=name, path=file, register="inspect", kind=kind)
    return read_source(spec)


def _source_id(file: Path) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in file.stem)
    return cleaned.strip("._-") or "source"


def cmd_inspect(args: argparse.Namespace) -> int:
    result = inspect_result(args.file, args.connector, args.kind)
    if args.json:
        payload = {
            "file": str(args.file),
            "connector": result.source.connector,
            "error": str(result.error) if result.error else None,
            "traces": [
                {key: _json_value(value) for key, value in row.items()}
                for row in result.traces.to_dict(orient="records")
            ],
            "problems": [problem.as_dict() for problem in result.problems],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return result.exit_code
    _print_result(result, args.limit)
    return result.exit_code


def _print_result(result: ReadResult, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)  # a file or a pipe: no need to squeeze
    console.print(f"[bold]{result.source.path}[/bold] read as [bold]{result.source.connector}[/]")
    if result.error:
        console.print(f"[red]Unreadable:[/red] {result.error}", markup=True)
        return
    traces = result.traces
    console.print(f"{len(traces)} traces, {len(result.problems)} problems")
    if len(traces):
        table = Table(show_lines=False)
        for column in INSPECT_COLUMNS:
            # Identifiers never wrap mid-address; free text may.
            wraps = column in ("label", "name", "found_categories")
            table.add_column(column, no_wrap=not wraps, overflow="fold", min_width=6)
        for _, row in traces.head(limit).iterrows():
            table.add_row(
                *("" if pd.isna(row[c]) else str(_json_value(row[c])) for c in INSPECT_COLUMNS)
            )
        console.print(table)
        if len(traces) > limit:
            console.print(f"... and {len(traces) - limit} more (--limit)")
    if result.problems:
        console.print("[bold]Problems[/bold]")
        for problem in result.problems:
            console.print(f"  - {problem}", markup=False)


# --------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    """Validate config and policies, then read every source and say what is wrong.

    Sources are read in full (a normal export reads in well under a second);
    an unreadable table source shows its columns and which format or mapping
    would fit. Exit codes as ``review``'s.
    """
    from connectors.detect import describe_columns
    from flows.review import EXIT_CLEAN, EXIT_ROW_PROBLEMS, EXIT_UNREADABLE, load_policies
    from flows.workspace import load_workspace
    from policies.law import load_statutory_rules
    from policies.safety import blocking, carries_hold

    workspace = load_workspace(args.workspace)
    policies = load_policies(workspace)
    law = load_statutory_rules()
    unreadable = problems = 0
    for source in workspace.sources:
        result = read_source(source)
        if result.unreadable:
            unreadable += 1
            print(f"Source '{source.id}': {result.error}", file=sys.stderr)
            if carries_hold(result.kinds, policies.get(source.register), law):
                print(
                    f"  it can carry a legal hold: no deletion is proposed in register "
                    f"'{source.register}' until it reads",
                    file=sys.stderr,
                )
            report = describe_columns(source)
            if report is not None:
                print(f"  columns found: {', '.join(report.columns) or '(none)'}", file=sys.stderr)
                for line in report.suggestions:
                    print(f"  - {line}", file=sys.stderr)
            continue
        errors = [p for p in result.problems if blocking(p)]
        problems += len(errors)
        for problem in result.problems[:CHECK_PROBLEM_LINES]:
            print(f"Source '{source.id}': {problem}", file=sys.stderr)
        if len(result.problems) > CHECK_PROBLEM_LINES:
            more = len(result.problems) - CHECK_PROBLEM_LINES
            print(f"Source '{source.id}': ... and {more} more problems", file=sys.stderr)
    status = (
        "OK"
        if not unreadable and not problems
        else f"{unreadable} unreadable, {problems} row problems"
    )
    print(
        f"{workspace.config.business}: {len(workspace.config.sources)} sources, "
        f"{len(policies)} registers - {status}"
    )
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_ROW_PROBLEMS if problems else EXIT_CLEAN


#: Problems printed per source by ``check``.
CHECK_PROBLEM_LINES = 20


# ------------------------------------------------------------- review & co


def _prepare(workspace_dir: Path) -> Path:
    """Validate config and policies before Prefect starts: errors without a traceback."""
    from flows.review import load_policies
    from flows.workspace import load_workspace

    workspace = load_workspace(workspace_dir)
    load_policies(workspace)
    return workspace.root


def cmd_review(args: argparse.Namespace) -> int:
    from flows.console import print_review, status
    from flows.review import exit_code, monthly_review

    root = _prepare(args.workspace)
    today = args.today.isoformat() if args.today else None
    with status("Luetaan lähteet ja laaditaan poistoehdotus...", args.quiet or args.json):
        run = monthly_review if use_prefect(args.prefect) else monthly_review.fn
        counts = run(workspace=str(root), today=today, lang=args.lang)
    if args.decisions is not None:
        _copy_decisions(root, str(counts["month"]), args.decisions)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    elif not args.quiet:
        print_review(root, counts)
    return exit_code(counts)


def _copy_decisions(root: Path, month: str, target: Path) -> None:
    """Copy the run's decisions CSV to ``target`` (owner-only, atomic)."""
    from reports.cells import owner_only_file
    from reports.decisions_csv import decisions_file_name

    year, number = (int(part) for part in month.split("-"))
    written = root / "raportit" / decisions_file_name(date(year, number, 1))
    with owner_only_file(target.resolve()) as temp:
        temp.write_bytes(written.read_bytes())


def cmd_inventory(args: argparse.Namespace) -> int:
    from flows.console import status
    from flows.inventory import processing_inventory

    root = _prepare(args.workspace)
    today = args.today.isoformat() if args.today else None
    with status("Laaditaan seloste käsittelytoimista...", args.quiet or args.json):
        run = processing_inventory if use_prefect(args.prefect) else processing_inventory.fn
        result = run(workspace=str(root), today=today, lang=args.lang)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif not args.quiet:
        print(f"{root / 'raportit' / result['html']}")
        print(f"{root / 'raportit' / result['xlsx']}")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    """Refusals are checked before Prefect starts: exit 2 at once, nothing changed.

    Exit 0 when apply did what it could (checklist items, skipped changed
    records and unknown marks are listed, not errors); 1 when a change failed.
    """
    from flows.apply import apply_decisions, default_workspace, read_checked
    from flows.console import print_apply, status
    from flows.review import helsinki_today
    from flows.workspace import load_workspace, workspace_lock

    workspace = load_workspace(args.workspace or default_workspace(args.file))
    today = args.today or helsinki_today()
    read_checked(args.file, workspace, today)
    # The lock is taken here, before Prefect starts, and held for the whole run:
    # a second apply is refused with one line, never after a flow has begun.
    lock = nullcontext() if args.dry_run else workspace_lock(workspace)
    try:
        with (
            lock,
            status("Tarkistetaan ja toteutetaan hyväksytyt poistot...", args.quiet or args.json),
        ):
            run = apply_decisions if use_prefect(args.prefect) else apply_decisions.fn
            result = run(
                proposal=str(args.file.resolve()),
                workspace=str(workspace.root),
                today=today.isoformat(),
                dry_run=args.dry_run,
            )
    except ApplyRefused as exc:  # another apply runs: one line, no traceback
        print(str(exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif not args.quiet:
        print_apply(result, workspace.output_dir)
    return int(result["exit_code"])


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve
    from flows.workspace import load_workspace

    _prepare(args.workspace)
    serve(load_workspace(args.workspace))
    return 0


# ---------------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo import run_demo

    return run_demo(
        args.dir,
        today=args.today,
        seed=args.seed,
        quiet=args.quiet,
        lang=args.lang,
        as_json=args.json,
    )


if __name__ == "__main__":
    raise SystemExit(main())
