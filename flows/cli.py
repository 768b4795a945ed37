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

from connectors.base import (
    ReadResult,
    SourceSpec,
    connector_names,
    display_path,
    owner_only_umask,
    read_source,
)
from connectors.detect import detect
from connectors.errors import ApplyRefused, ConfigError, KarsintaError
from flows.messages import say
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
    check.add_argument("--quiet", action="store_true", help="print only what is wrong")

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

    serve = sub.add_parser(
        "serve", help="run the monthly review on the 1st of every month and requests daily"
    )
    serve.add_argument("--workspace", type=Path, default=Path("."))

    for name, text in (
        ("forget", "one person's erasure now: a one-person proposal and a reply letter"),
        ("access", "one person's data (GDPR art. 15): a report for them, with JSON and CSV"),
    ):
        person = sub.add_parser(name, help=text)
        person.add_argument("--email", default=None)
        person.add_argument("--phone", default=None)
        person.add_argument("--hetu", default=None)
        person.add_argument(
            "--request",
            default=None,
            metavar="SOURCE:ROW",
            help="a request log row, e.g. poistopyynnot:5 (the source id and the row number)",
        )
        person.add_argument("--workspace", type=Path, default=Path("."))
        person.add_argument("--today", type=_date, default=None, help="the run date (YYYY-MM-DD)")
        person.add_argument("--lang", choices=("fi", "en"), default=None)
        if name == "forget":
            person.add_argument(
                "--letter-lang",
                choices=("fi", "en"),
                default=None,
                help="the reply letter's language (default: the report language)",
            )
        person.add_argument("--quiet", action="store_true", help="print only errors")
        person.add_argument("--json", action="store_true", help="machine-readable summary")

    requests = sub.add_parser(
        "requests",
        help="the daily requests run: prepare what new requests need, list every request",
    )
    requests.add_argument("--workspace", type=Path, default=Path("."))
    requests.add_argument("--today", type=_date, default=None, help="the run date (YYYY-MM-DD)")
    requests.add_argument("--quiet", action="store_true", help="print only errors")
    requests.add_argument("--json", action="store_true", help="machine-readable summary")
    auth = sub.add_parser(
        "auth",
        help="connect a Google or Microsoft account (read-only unless --allow-delete)",
        description="Connect a live account. Tokens are stored outside the workspace, "
        "owner-only (OS keyring, else a 0600 file); see README 'Connecting accounts'.",
    )
    auth.add_argument("provider", choices=("google", "microsoft"))
    auth.add_argument("--account", required=True, help="the name the sources use (options.account)")
    auth.add_argument(
        "--allow-delete",
        action="store_true",
        help="also the permissions apply needs (delete contacts, change events, trash mail)",
    )
    auth.add_argument(
        "--client-secrets", type=Path, default=None, help="Google: the OAuth client JSON file"
    )
    auth.add_argument("--client-id", default=None, help="Microsoft: the app registration's id")
    auth.add_argument("--tenant", default="common", help="Microsoft: tenant (default common)")
    auth.add_argument("--forget", action="store_true", help="remove the stored token")
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
        "forget": cmd_forget,
        "access": cmd_access,
        "requests": cmd_requests,
        "auth": cmd_auth,
    }[args.command]
    try:
        return int(handler(args))
    except ConfigError as exc:
        # The file once, then each problem once (its text names line and field).
        print(say("en", "config_error", file=exc.file), file=sys.stderr)
        for problem in dict.fromkeys(exc.problems):
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KarsintaError as exc:
        print(say("en", "error", error=exc), file=sys.stderr)
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
    from connectors.detect import better_fit, suggest_source

    result = inspect_result(args.file, args.connector, args.kind)
    detected = detect(args.file) if args.file.is_file() else None
    better = better_fit(args.file, args.connector) if args.connector and detected else None
    suggestion = None
    if result.error is None:
        suggestion = suggest_source(args.file, result.source.connector)
        if args.kind:
            suggestion["kind"] = args.kind
    if args.json:
        payload = {
            "file": str(args.file),
            "connector": result.source.connector,
            "detected": detected,
            "better_fit": better,
            "source": suggestion,
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
    _print_setup(result, detected, better, suggestion)
    return result.exit_code


def _print_setup(
    result: ReadResult, detected: str | None, better: str | None, suggestion: Any
) -> None:
    """What inspect detected, a better fit if any, and the sources: block to paste."""
    import yaml

    asked = result.source.connector
    if detected and detected == asked:
        print(f"Tunnistettu / detected: {detected}")
    elif detected:
        print(f"Tunnistettu / detected: {detected} (luettu / read as {asked})")
    if better:
        print(
            f"Huom / note: tiedosto näyttää {better}-vienniltä, ei {asked}: kokeile --as {better}"
            f" / the file fits '{better}' better than '{asked}': try --as {better}"
        )
    if suggestion is not None:
        print("\nLiitä karsinta.yaml-tiedostoon / paste into karsinta.yaml:\n")
        block = yaml.safe_dump(
            {"sources": [suggestion]}, allow_unicode=True, sort_keys=False, default_flow_style=False
        )
        print(block.rstrip())


def _print_result(result: ReadResult, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from flows.console import shown
    from reports.cells import inert

    # Everything from the file (its name, its values) is inert: never read as markup.
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)  # a file or a pipe: no need to squeeze
    console.print(
        f"[bold]{shown(result.source.path)}[/bold] read as [bold]{result.source.connector}[/]"
    )
    if result.error:
        console.print(f"[red]Unreadable:[/red] {shown(result.error)}", markup=True)
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
                *(
                    Text("" if pd.isna(row[c]) else inert(str(_json_value(row[c]))))
                    for c in INSPECT_COLUMNS
                )
            )
        console.print(table)
        if len(traces) > limit:
            console.print(f"... and {len(traces) - limit} more (--limit)")
    if result.problems:
        console.print("[bold]Problems[/bold]")
        for problem in result.problems:
            console.print(f"  - {inert(str(problem))}", markup=False)


# --------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    """Validate config and policies, then read every source and say what is wrong.

    Sources are read in full (a normal export reads in well under a second);
    an unreadable table source shows its columns and which format or mapping
    would fit. Exit codes as ``review``'s.
    """
    from connectors.detect import describe_columns
    from flows.messages import plural, say
    from flows.review import EXIT_CLEAN, EXIT_ROW_PROBLEMS, EXIT_UNREADABLE, load_policies
    from flows.workspace import load_workspace
    from policies.law import load_statutory_rules
    from policies.safety import blocking, carries_hold

    workspace = load_workspace(args.workspace)
    lang = workspace.config.language
    policies = load_policies(workspace)
    law = load_statutory_rules()
    unreadable = problems = 0
    for source in workspace.sources:
        result = read_source(source)
        if result.unreadable:
            unreadable += 1
            print(
                say(lang, "check_unreadable", source=source.id, error=_error_text(result, lang)),
                file=sys.stderr,
            )
            if carries_hold(result.kinds, policies.get(source.register), law):
                print(say(lang, "check_holds", register=source.register), file=sys.stderr)
            report = describe_columns(source)
            if report is not None:
                columns = ", ".join(report.columns) or say(lang, "check_none")
                print(say(lang, "check_columns", columns=columns), file=sys.stderr)
                for line in report.suggestions:
                    print(f"  - {line}", file=sys.stderr)
            continue
        errors = [p for p in result.problems if blocking(p)]
        problems += len(errors)
        for problem in result.problems[:CHECK_PROBLEM_LINES]:
            line = say(lang, "check_problem", source=source.id, problem=problem.text(lang))
            print(line, file=sys.stderr)
        if len(result.problems) > CHECK_PROBLEM_LINES:
            more = len(result.problems) - CHECK_PROBLEM_LINES
            more_text = plural(lang, more, "more_problem")
            print(say(lang, "check_more", source=source.id, more=more_text), file=sys.stderr)
    status = (
        say(lang, "check_ok")
        if not unreadable and not problems
        else ", ".join(
            ([say(lang, "review_unreadable", count=unreadable)] if unreadable else [])
            + ([plural(lang, problems, "row_problem")] if problems else [])
        )
    )
    if not args.quiet or unreadable or problems:
        print(
            say(
                lang,
                "check_summary",
                business=workspace.config.business,
                sources=plural(lang, len(workspace.config.sources), "source"),
                registers=plural(lang, len(policies), "register"),
                status=status,
            )
        )
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_ROW_PROBLEMS if problems else EXIT_CLEAN


def _error_text(result: ReadResult, lang: str) -> str:
    return result.error.text(lang) if result.error is not None else ""


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
        print_review(root, counts, lang=args.lang or counts.get("lang"))
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

    if not args.file.is_file():
        # Name the proposal, not the karsinta.yaml that would be looked for beside it.
        from connectors.messages import say

        lang = "fi"
        if args.workspace is not None:
            lang = load_workspace(args.workspace).config.language
        print(say(lang, "apply_no_file", file=display_path(args.file)), file=sys.stderr)
        return 2
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
        print_apply(result, workspace.output_dir, workspace.config.language)
    return int(result["exit_code"])


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve
    from flows.workspace import load_workspace

    _prepare(args.workspace)
    return serve(load_workspace(args.workspace))


# ------------------------------------------------------------------ requests


def _print_counts(counts: dict[str, Any], folder: Path, files: Sequence[str]) -> None:
    for key, value in counts.items():
        if key not in files:
            print(f"{key}: {value}")
    for key in files:
        if counts.get(key):
            print(folder / str(counts[key]))


def cmd_forget(args: argparse.Namespace) -> int:
    """One person's erasure now (no Prefect: the person's keys never reach its database)."""
    from flows.requests import forget, person_from
    from flows.review import helsinki_today
    from flows.workspace import load_workspace

    person = person_from(args.email, args.phone, args.hetu, args.request)
    workspace = load_workspace(args.workspace)
    outcome = forget(workspace, person, args.today or helsinki_today(), args.lang, args.letter_lang)
    if args.json:
        print(json.dumps(outcome.counts, ensure_ascii=False))
    elif not args.quiet:
        files = ("proposal_html", "proposal_xlsx", "letter")
        _print_counts(outcome.counts, workspace.output_dir, files)
    return 0


def cmd_access(args: argparse.Namespace) -> int:
    """One person's access report (no Prefect, as forget)."""
    from flows.requests import access, person_from
    from flows.review import helsinki_today
    from flows.workspace import load_workspace

    person = person_from(args.email, args.phone, args.hetu, args.request)
    workspace = load_workspace(args.workspace)
    outcome = access(workspace, person, args.today or helsinki_today(), args.lang, log=True)
    if args.json:
        print(json.dumps(outcome.counts, ensure_ascii=False))
    elif not args.quiet:
        _print_counts(outcome.counts, workspace.output_dir, ("html", "json", "csv"))
    return 0


def cmd_requests(args: argparse.Namespace) -> int:
    """The daily requests run (the ``daily_requests`` flow: a path and a date)."""
    from flows.requests import daily_requests

    root = _prepare(args.workspace)
    today = args.today.isoformat() if args.today else None
    counts = daily_requests(workspace=str(root), today=today)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    elif not args.quiet:
        _print_counts(counts, root / "raportit", ("status_html",))
    return 1 if counts.get("overdue") or counts.get("undated") else 0


# ---------------------------------------------------------------------- auth


def cmd_auth(args: argparse.Namespace) -> int:
    """Connect (or forget) a live account; the token goes to the token store, never here."""
    from flows.auth import connect_google, connect_microsoft, forget

    try:
        if args.forget:
            found = forget(args.provider, args.account)
            print(
                f"Tilin '{args.account}' tunniste poistettu / token of '{args.account}' removed"
                if found
                else f"Tilille '{args.account}' ei ole tallennettu tunnistetta / no token stored"
            )
            return 0
        if args.provider == "google":
            if args.client_secrets is None:
                raise KarsintaError("google: give --client-secrets FILE (see README)")
            where = connect_google(
                args.account, args.client_secrets, allow_delete=args.allow_delete
            )
        else:
            if not args.client_id:
                raise KarsintaError("microsoft: give --client-id ID (see README)")
            where = connect_microsoft(
                args.account, args.client_id, tenant=args.tenant, allow_delete=args.allow_delete
            )
    except ValueError as exc:
        raise KarsintaError(str(exc)) from None
    rights = "luku ja poisto / read and delete" if args.allow_delete else "vain luku / read only"
    print(f"Tili '{args.account}' yhdistetty ({rights}); tunniste tallennettu: {where}")
    print(f"Account '{args.account}' connected ({rights}); token stored in: {where}")
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
