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
import difflib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

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
from connectors.messages import text_in
from flows.messages import say
from flows.runtime import use_prefect

#: Environment variables naming the locale, strongest first (POSIX precedence).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
#: Locales that name no language (a container's C.UTF-8): as if nothing were set.
NO_LANGUAGE_LOCALES = ("C", "POSIX")

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


def help_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of help and early errors, chosen before any workspace is read.

    ``KARSINTA_LANG`` (fi/en) when set; else the locale: ``fi...`` is Finnish,
    any other set locale English; nothing set (or only ``C``/``POSIX``, which
    name no language): Finnish (the owner is Finnish).
    """
    env = os.environ if environ is None else environ
    chosen = env.get("KARSINTA_LANG", "").strip().lower()
    if chosen in ("fi", "en"):
        return chosen
    for name in LOCALE_VARIABLES:
        value = env.get(name, "").strip()
        if value and value.split(".")[0].upper() not in NO_LANGUAGE_LOCALES:
            return "fi" if value.lower().startswith("fi") else "en"
    return "fi"


def _date_type(lang: str) -> Callable[[str], date]:
    def _date(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(say(lang, "help_bad_date")) from None

    return _date


def _formatter(lang: str) -> type[argparse.HelpFormatter]:
    class Formatter(argparse.RawDescriptionHelpFormatter):
        """argparse's layout with the heading words in ``lang``."""

        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any = None) -> None:
            heading = say(lang, "help_usage") if prefix is None else prefix
            super().add_usage(usage, actions, groups, heading)

    return Formatter


#: argparse's own error messages (English in the library), as Finnish patterns
_ARGPARSE_FI = (
    (r"the following arguments are required: (.*)", r"nämä puuttuvat: \1"),
    (r"unrecognized arguments: (.*)", r"tuntemattomia argumentteja: \1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
     r"argumentti \1: tuntematon valinta \2 (vaihtoehdot: \3)"),
    (r"argument (\S+): expected one argument", r"argumentti \1: anna sille arvo"),
    (r"argument (\S+): invalid \S+ value: (.*)", r"argumentti \1: virheellinen arvo \2"),
    (r"argument (\S+): (.*)", r"argumentti \1: \2"),
    (r"ambiguous option: (.*) could match (.*)", r"monitulkintainen valitsin \1: \2"),
)  # fmt: skip


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    class Parser(argparse.ArgumentParser):
        """argparse, with its own error messages in ``lang`` (subcommands inherit it)."""

        def error(self, message: str) -> NoReturn:
            hint = _did_you_mean(message)
            if lang == "fi":
                for pattern, finnish in _ARGPARSE_FI:
                    if re.fullmatch(pattern, message):
                        message = re.sub(pattern, finnish, message)
                        break
            self.print_usage(sys.stderr)
            if hint:
                message += "\n" + say(lang, "help_did_you_mean", name=hint)
            self.exit(2, say(lang, "help_error", prog=self.prog, message=message) + "\n")

    return Parser


_INVALID_CHOICE = re.compile(r"argument \S+: invalid choice: '([^']*)' \(choose from (.*)\)")


def _did_you_mean(message: str) -> str | None:
    """The choice nearest a mistyped one ("reveiw" -> "review"), when one is near."""
    found = _INVALID_CHOICE.fullmatch(message)
    if found is None:
        return None
    choices = [c.strip().strip("'") for c in found.group(2).split(",")]
    near = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    return near[0] if near else None


def _spoken(args: argparse.Namespace) -> str:
    """The language a command speaks: --lang, else the workspace's, else the help language."""
    return getattr(args, "lang", None) or _workspace_language(args) or help_language()


def _localised(parser: argparse.ArgumentParser, lang: str) -> argparse.ArgumentParser:
    """Section titles and ``-h`` in ``lang`` (the parser is made with add_help=False)."""
    parser._positionals.title = say(lang, "help_positionals")
    parser._optionals.title = say(lang, "help_options")
    parser.add_argument("-h", "--help", action="help", help=say(lang, "help_help"))
    return parser


def _parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The command line, every help text in ``lang`` (default: :func:`help_language`)."""
    lang = lang or help_language()

    def text(key: str) -> str:
        return say(lang, key)

    def meta(name: str) -> str:
        """A placeholder of the help (TODAY, WORKSPACE ...) in ``lang``."""
        return say(lang, f"meta_{name}")

    formatter = _formatter(lang)
    date_type = _date_type(lang)
    parser = _localised(
        _parser_class(lang)(
            prog="karsinta",
            description=text("help_description"),
            add_help=False,
            formatter_class=formatter,
        ),
        lang,
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=meta("command"), title=text("help_commands")
    )

    def command(name: str, help_key: str, **kwargs: Any) -> argparse.ArgumentParser:
        made = sub.add_parser(
            name, help=text(help_key), add_help=False, formatter_class=formatter, **kwargs
        )
        return _localised(made, lang)

    demo = command("demo", "help_demo")
    demo.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("karsinta-demo"),
        metavar=meta("dir"),
        help=text("help_demo_dir"),
    )
    demo.add_argument(
        "--today", type=date_type, default=None, metavar=meta("today"), help=text("help_today")
    )
    demo.add_argument(
        "--seed", type=int, default=2026, metavar=meta("seed"), help=text("help_seed")
    )
    demo.add_argument("--quiet", action="store_true", help=text("help_quiet_demo"))
    demo.add_argument("--lang", choices=("fi", "en"), default=None, help=text("help_lang"))
    demo.add_argument("--json", action="store_true", help=text("help_json"))

    inspect = command("inspect", "help_inspect")
    inspect.add_argument("file", type=Path, metavar=meta("file"), help=text("help_inspect_file"))
    inspect.add_argument(
        "--as",
        dest="connector",
        choices=connector_names(),
        default=None,
        help=text("help_inspect_as"),
    )
    inspect.add_argument("--kind", default=None, metavar=meta("kind"), help=text("help_kind"))
    inspect.add_argument("--json", action="store_true", help=text("help_json_output"))
    inspect.add_argument(
        "--limit", type=int, default=50, metavar=meta("limit"), help=text("help_limit")
    )

    check = command("check", "help_check", epilog=text("help_check_epilog"))
    check.add_argument(
        "--workspace",
        type=Path,
        default=Path("."),
        metavar=meta("workspace"),
        help=text("help_workspace"),
    )
    check.add_argument("--quiet", action="store_true", help=text("help_check_quiet"))

    for name in ("review", "inventory"):
        run = command(
            name,
            f"help_{name}",
            epilog=text("help_review_epilog") if name == "review" else None,
        )
        if name == "review":
            run.add_argument(
                "--decisions",
                type=Path,
                default=None,
                metavar=meta("decisions"),
                help=text("help_decisions"),
            )
        run.add_argument(
            "--workspace",
            type=Path,
            default=Path("."),
            metavar=meta("workspace"),
            help=text("help_workspace"),
        )
        run.add_argument(
            "--today", type=date_type, default=None, metavar=meta("today"), help=text("help_today")
        )
        run.add_argument("--lang", choices=("fi", "en"), default=None, help=text("help_lang"))
        run.add_argument("--quiet", action="store_true", help=text("help_quiet"))
        run.add_argument("--json", action="store_true", help=text("help_json"))
        run.add_argument("--prefect", action="store_true", help=text("help_prefect"))

    apply = command("apply", "help_apply")
    apply.add_argument("file", type=Path, metavar=meta("file"), help=text("help_apply_file"))
    apply.add_argument(
        "--workspace",
        type=Path,
        default=None,
        metavar=meta("workspace"),
        help=text("help_apply_workspace"),
    )
    apply.add_argument("--dry-run", action="store_true", help=text("help_dry_run"))
    apply.add_argument(
        "--today", type=date_type, default=None, metavar=meta("today"), help=text("help_today")
    )
    apply.add_argument("--quiet", action="store_true", help=text("help_quiet"))
    apply.add_argument("--json", action="store_true", help=text("help_json"))
    apply.add_argument("--prefect", action="store_true", help=text("help_prefect"))

    serve = command("serve", "help_serve")
    serve.add_argument(
        "--workspace",
        type=Path,
        default=Path("."),
        metavar=meta("workspace"),
        help=text("help_workspace"),
    )

    for name in ("forget", "access"):
        person = command(name, f"help_{name}")
        person.add_argument("--email", default=None, metavar=meta("email"), help=text("help_email"))
        person.add_argument("--phone", default=None, metavar=meta("phone"), help=text("help_phone"))
        person.add_argument("--hetu", default=None, metavar=meta("hetu"), help=text("help_hetu"))
        person.add_argument(
            "--request", default=None, metavar=meta("request"), help=text("help_request")
        )
        person.add_argument(
            "--workspace",
            type=Path,
            default=Path("."),
            metavar=meta("workspace"),
            help=text("help_workspace"),
        )
        person.add_argument(
            "--today", type=date_type, default=None, metavar=meta("today"), help=text("help_today")
        )
        person.add_argument("--lang", choices=("fi", "en"), default=None, help=text("help_lang"))
        if name == "forget":
            person.add_argument(
                "--letter-lang", choices=("fi", "en"), default=None, help=text("help_letter_lang")
            )
        person.add_argument("--quiet", action="store_true", help=text("help_quiet"))
        person.add_argument("--json", action="store_true", help=text("help_json"))

    requests = command("requests", "help_requests")
    requests.add_argument(
        "--workspace",
        type=Path,
        default=Path("."),
        metavar=meta("workspace"),
        help=text("help_workspace"),
    )
    requests.add_argument(
        "--today", type=date_type, default=None, metavar=meta("today"), help=text("help_today")
    )
    requests.add_argument("--quiet", action="store_true", help=text("help_quiet"))
    requests.add_argument("--json", action="store_true", help=text("help_json"))

    auth = command("auth", "help_auth", description=text("help_auth_description"))
    auth.add_argument("provider", choices=("google", "microsoft"), help=text("help_provider"))
    auth.add_argument(
        "--account", required=True, metavar=meta("account"), help=text("help_account")
    )
    auth.add_argument("--allow-delete", action="store_true", help=text("help_allow_delete"))
    auth.add_argument(
        "--client-secrets",
        type=Path,
        default=None,
        metavar=meta("client_secrets"),
        help=text("help_client_secrets"),
    )
    auth.add_argument(
        "--client-id", default=None, metavar=meta("client_id"), help=text("help_client_id")
    )
    auth.add_argument(
        "--tenant", default="common", metavar=meta("tenant"), help=text("help_tenant")
    )
    auth.add_argument("--forget", action="store_true", help=text("help_auth_forget"))
    return parser


def _workspace_language(args: argparse.Namespace) -> str | None:
    """The ``language:`` the failing command's karsinta.yaml names, if any (a light read).

    No validation: the config may be the very thing that failed; anything
    unreadable or unexpected gives None (the help language is used instead).
    """
    import yaml

    from flows.workspace import config_path

    location = getattr(args, "workspace", None)
    if location is None and isinstance(getattr(args, "file", None), Path):
        from flows.apply import default_workspace

        location = default_workspace(args.file) if args.command == "apply" else None
    if not isinstance(location, Path):
        return None
    try:
        data = yaml.safe_load(config_path(location).read_text("utf-8"))
    except Exception:  # noqa: BLE001 - a light read: any failure means "not known"
        return None
    language = data.get("language") if isinstance(data, dict) else None
    return language if language in ("fi", "en") else None


def main(argv: Sequence[str] | None = None) -> int:
    owner_only_umask()
    lang = help_language()
    args = _parser(lang).parse_args(argv)
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
        spoken = _workspace_language(args) or lang
        print(say(spoken, "config_error", file=exc.file), file=sys.stderr)
        for problem in dict.fromkeys(text_in(spoken, p) for p in exc.problems):
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KarsintaError as exc:
        spoken = _workspace_language(args) or lang
        print(say(spoken, "error", error=exc.said(spoken)), file=sys.stderr)
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
    lang = help_language()
    suggestion = None
    if result.error is None:
        # JSON is read by programs: a masked header keeps its two-language mark there
        suggestion = suggest_source(args.file, result.source.connector, None if args.json else lang)
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
    _print_result(result, args.limit, lang)
    _print_setup(result, detected, better, suggestion, lang)
    return result.exit_code


def _print_setup(
    result: ReadResult, detected: str | None, better: str | None, suggestion: Any, lang: str
) -> None:
    """What inspect detected, a better fit if any, and the sources: block to paste."""
    import yaml

    asked = result.source.connector
    if detected and detected == asked:
        print(say(lang, "inspect_detected", detected=detected))
    elif detected:
        print(say(lang, "inspect_detected_as", detected=detected, asked=asked))
    if better:
        print(say(lang, "inspect_better", better=better, asked=asked))
    if suggestion is not None:
        print("\n" + say(lang, "inspect_paste") + "\n")
        block = yaml.safe_dump(
            {"sources": [suggestion]}, allow_unicode=True, sort_keys=False, default_flow_style=False
        )
        print(block.rstrip())


def _print_result(result: ReadResult, limit: int, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from flows.console import shown
    from flows.messages import plural
    from reports.cells import inert

    # Everything from the file (its name, its values) is inert: never read as markup.
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)  # a file or a pipe: no need to squeeze
    path, connector = f"[bold]{shown(result.source.path)}[/]", f"[bold]{result.source.connector}[/]"
    console.print(say(lang, "inspect_read_as", path=path, connector=connector))
    if result.error:
        error = shown(result.error.text(lang))
        console.print(f"[red]{say(lang, 'inspect_unreadable')}[/red] {error}", markup=True)
        return
    traces = result.traces
    console.print(
        say(
            lang,
            "inspect_counts",
            traces=plural(lang, len(traces), "inspect_trace"),
            problems=plural(lang, len(result.problems), "problem"),
        )
    )
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
            console.print(say(lang, "inspect_more", n=len(traces) - limit))
    if result.problems:
        console.print(f"[bold]{say(lang, 'inspect_problems')}[/bold]")
        for problem in result.problems:
            console.print(f"  - {inert(problem.text(lang))}", markup=False)


# --------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    """Validate config and policies, then read every source and say what is wrong.

    Sources are read in full (a normal export reads in well under a second);
    an unreadable table source shows its columns and which format or mapping
    would fit. Exit codes as ``review``'s.
    """
    from connectors.detect import describe_columns
    from flows.messages import plural
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
            report = describe_columns(source, lang)
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
    with status(say(_spoken(args), "status_review"), args.quiet or args.json):
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
    with status(say(_spoken(args), "status_inventory"), args.quiet or args.json):
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

        lang = "fi"
        if args.workspace is not None:
            lang = load_workspace(args.workspace).config.language
        print(say(lang, "apply_no_file", file=display_path(args.file)), file=sys.stderr)
        return 2
    workspace = load_workspace(args.workspace or default_workspace(args.file))
    today = args.today or helsinki_today()
    read_checked(args.file, workspace, today, keep=True)  # the run takes it: one read
    # The lock is taken here, before Prefect starts, and held for the whole run:
    # a second apply is refused with one line, never after a flow has begun.
    lock = nullcontext() if args.dry_run else workspace_lock(workspace)
    try:
        with (
            lock,
            status(say(_spoken(args), "status_apply"), args.quiet or args.json),
        ):
            run = apply_decisions if use_prefect(args.prefect) else apply_decisions.fn
            result = run(
                proposal=str(args.file.resolve()),
                workspace=str(workspace.root),
                today=today.isoformat(),
                dry_run=args.dry_run,
            )
    except ApplyRefused as exc:  # another apply runs: one line, no traceback
        print(exc.said(workspace.config.language), file=sys.stderr)
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


def _print_counts(
    counts: dict[str, Any], folder: Path, files: Sequence[str], lang: str = "fi"
) -> None:
    """The counts as ``label: value`` lines in ``lang``, then the files written."""
    from connectors.messages import MESSAGES
    from reports.request_status import TEXTS as REQUEST_WORDS
    from reports.request_status import request_texts

    for key, value in counts.items():
        if key in files:
            continue
        label = say(lang, f"count_{key}") if f"count_{key}" in MESSAGES else key
        if isinstance(value, bool):
            value = say(lang, "count_yes" if value else "count_no")
        elif key == "state" and value in REQUEST_WORDS:
            value = request_texts(lang)(value)
        print(f"{label}: {value}")
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
        lang = args.lang or workspace.config.language
        _print_counts(outcome.counts, workspace.output_dir, files, lang)
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
        lang = args.lang or workspace.config.language
        _print_counts(outcome.counts, workspace.output_dir, ("html", "json", "csv"), lang)
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
        _print_counts(counts, root / "raportit", ("status_html",), _spoken(args))
    return 1 if counts.get("overdue") or counts.get("undated") else 0


# ---------------------------------------------------------------------- auth


def cmd_auth(args: argparse.Namespace) -> int:
    """Connect (or forget) a live account; the token goes to the token store, never here."""
    from connectors.live.tokens import ACCOUNT_NAME
    from flows.auth import connect_google, connect_microsoft, forget

    lang = help_language()  # no workspace here: the help language
    if not ACCOUNT_NAME.match(args.account):
        raise KarsintaError(say(lang, "auth_bad_account"))
    try:
        if args.forget:
            found = forget(args.provider, args.account)
            print(
                say(
                    lang, "auth_forgotten" if found else "auth_nothing_stored", account=args.account
                )
            )
            return 0
        if args.provider == "google":
            if args.client_secrets is None:
                raise KarsintaError(say(lang, "auth_need_secrets"))
            where = connect_google(
                args.account, args.client_secrets, allow_delete=args.allow_delete, lang=lang
            )
        else:
            if not args.client_id:
                raise KarsintaError(say(lang, "auth_need_client_id"))
            where = connect_microsoft(
                args.account,
                args.client_id,
                tenant=args.tenant,
                allow_delete=args.allow_delete,
                lang=lang,
            )
    except ValueError as exc:
        raise KarsintaError(str(exc)) from None
    rights = say(lang, "auth_read_delete" if args.allow_delete else "auth_read_only")
    print(say(lang, "auth_connected", account=args.account, rights=rights, where=where))
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


def run() -> None:
    """The ``karsinta`` command: :func:`main`, then out at once.

    A large review leaves gigabytes of Python objects; freeing them one by one
    at exit takes time (0.3 s at 20 000 customers) and does nothing the
    operating system does not do at once. By then every file written is closed
    and synced; the output is flushed here. A run that imported Prefect exits
    the usual way: its exit handlers stop what it started.
    """
    code = main()
    if "prefect" in sys.modules:
        raise SystemExit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    run()
