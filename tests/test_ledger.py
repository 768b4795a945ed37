"""The ledger's keyed hashes and the pure reappearance rule."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pandas as pd

from connectors import trace as tr
from flows.ledger import Hasher, open_ledger, read_erased, reappeared, workspace_secret
from policies.reappearance import Erased, reappeared_findings, strong_identifiers


def _traces(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = tr.empty_traces()
    data = pd.DataFrame(rows)
    out = pd.DataFrame({c: data.get(c, None) for c in frame.columns})
    for column in ("email", "phone", "hetu", "trace_id", "source", "register"):
        out[column] = out[column].astype("string")
    return out


def test_keyed_hashes_depend_on_the_workspace_secret(tmp_path: Path) -> None:
    key = workspace_secret(tmp_path / ".karsinta")
    assert stat.S_IMODE((tmp_path / ".karsinta" / "ledger.key").stat().st_mode) == 0o600
    assert workspace_secret(tmp_path / ".karsinta") == key  # created once
    one, other = Hasher(key), Hasher(b"another workspace".ljust(32, b"-"))
    assert one.id_hash("email", "a@b.fi") == one.id_hash("email", "a@b.fi")
    assert one.id_hash("email", "a@b.fi") != other.id_hash("email", "a@b.fi")
    assert "a@b.fi" not in one.id_hash("email", "a@b.fi")
    assert one.subject_hash([]) is None


def test_strong_identifiers_split_every_value() -> None:
    assert strong_identifiers("a@b.fi;c@d.fi", "+358401234567", None) == [
        ("email", "a@b.fi"),
        ("email", "c@d.fi"),
        ("phone", "+358401234567"),
    ]


def test_a_new_trace_with_an_erased_identifier_is_a_finding() -> None:
    hasher = Hasher(b"k" * 32)
    erased = {
        hasher.id_hash("email", "gone@example.fi"): Erased(
            date(2026, 12, 3), "tilaukset", frozenset({"yhteystiedot:known"})
        )
    }
    traces = _traces(
        [
            {"trace_id": "yhteystiedot:known", "source": "yhteystiedot", "register": "r",
             "email": "gone@example.fi"},
            {"trace_id": "yhteystiedot:new", "source": "yhteystiedot", "register": "r",
             "email": "other@example.fi;gone@example.fi"},
            {"trace_id": "yhteystiedot:else", "source": "yhteystiedot", "register": "r",
             "email": "someone@example.fi"},
        ]
    )  # fmt: skip
    findings = reappeared_findings(
        traces, hasher.id_hash, erased, {"yhteystiedot": "Google-yhteystiedot"}
    )
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.code, finding.severity, finding.count) == ("reappeared", "high", 1)
    assert finding.trace_ids == ("yhteystiedot:new",)
    assert "poistettu 3.12.2026, löytyi uudelleen lähteestä Google-yhteystiedot" in finding.text_fi
    assert "gone@" not in finding.text_fi + finding.text_en
    assert reappeared_findings(traces, hasher.id_hash, {}) == []


def test_reappeared_reads_the_ledger(tmp_path: Path) -> None:
    state = tmp_path / ".karsinta"
    traces = _traces(
        [{"trace_id": "c:1", "source": "c", "register": "r", "phone": "+358401234567"}]
    )
    assert reappeared(state, traces) == []
    assert not state.exists()
    with open_ledger(state) as ledger:
        pairs = ledger.id_hashes([("phone", "+358401234567")])
        ledger.record_erased("p1", "t:0", "tilaukset", pairs, date(2026, 12, 3))
    found = read_erased(state)
    assert found is not None
    assert [f.code for f in reappeared(state, traces)] == ["reappeared"]
