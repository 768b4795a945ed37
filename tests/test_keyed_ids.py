"""Every id at rest is keyed: no stored id can be checked against a guessed id."""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ProblemLog, get_connector
from connectors.errors import ConfigError
from connectors.keyed import Hasher, hmac_sha256_many, run_hasher
from flows.apply import apply_proposal
from flows.keyed import load_key
from flows.ledger import ledger_path, open_ledger
from flows.workspace import Workspace, load_workspace
from tests.test_apply import TODAY, _demo_proposal, approve_all

HEX = re.compile(r"[0-9a-f]{8,}")


def record_ids(ws: Workspace) -> set[str]:
    """Every record id the connectors give, and every file name in the workspace's data."""
    out: set[str] = set()
    for source in ws.sources:
        connector = get_connector(source.connector)()
        options = connector.options_model.model_validate(source.options)
        raw: Any = connector.extract(source, options, ProblemLog("x"))
        frame = raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(list(raw))
        out |= {str(v) for v in frame["record_id"].dropna()}
    for path in ws.root.rglob("*"):
        if ".karsinta" not in path.parts and path.is_file():
            relative = path.relative_to(ws.root)
            out |= {path.name, path.stem, str(relative)}
            for parent in path.parents:
                if parent != ws.root and ws.root in parent.parents:
                    out |= {str(path.relative_to(parent))}
    return out


def test_no_stored_id_is_an_unkeyed_hash_of_a_record_id_or_file_name(tmp_path: Path) -> None:
    from flows.demo import build_demo

    manifest = build_demo(tmp_path / "demo", TODAY, 2026)
    ws = load_workspace(manifest.businesses["prover"].workspace)  # summaries named after people
    proposal = _demo_proposal(ws, TODAY)
    assert approve_all(proposal) > 0
    assert apply_proposal(ws, proposal, TODAY).counts["done"] > 0
    plain = {hashlib.sha256(rid.encode("utf-8")).hexdigest() for rid in record_ids(ws)}
    assert len(plain) > 20
    db = sqlite3.connect(ledger_path(ws.state_dir))
    dump = "\n".join(db.iterdump())
    db.close()
    stored = set(HEX.findall(dump))
    assert stored  # the scan looks at something
    guessed = [s for s in stored if any(p.startswith(s) for p in plain)]
    assert guessed == []


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\n", "empty"), (b"ab" * 16, "too short"), (b"zz" * 32, "not a key")],
)
def test_a_bad_key_file_is_an_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    state = tmp_path / ".karsinta"
    state.mkdir()
    (state / "ledger.key").write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_key(state)
    assert caught.value.file.endswith("ledger.key")
    assert message in caught.value.problems[0]
    assert (state / "ledger.key").read_bytes() == content  # never silently replaced


def test_a_missing_key_beside_a_ledger_is_an_error_not_a_new_key(tmp_path: Path) -> None:
    state = tmp_path / ".karsinta"
    with open_ledger(state):
        pass
    first = load_key(state)
    assert len(first) >= 32
    assert stat.S_IMODE((state / "ledger.key").stat().st_mode) == 0o600
    assert load_key(state) == first
    (state / "ledger.key").unlink()
    with pytest.raises(ConfigError, match="missing"):
        load_key(state)
    assert not (state / "ledger.key").exists()


def test_keyed_ids_depend_on_the_key_and_hide_it() -> None:
    one, other = Hasher(b"1" * 32), Hasher(b"2" * 32)
    record = "Aino Arvelo 2026-07-13.txt"
    assert one.trace_id("koonnit", record) == one.trace_id("koonnit", record)
    assert one.trace_id("koonnit", record) != other.trace_id("koonnit", record)
    plain = hashlib.sha256(record.encode()).hexdigest()
    assert one.record_hash(record) not in plain
    assert "1111" not in repr(one)
    assert run_hasher() is run_hasher()  # inspect: one random key per run
    with pytest.raises(ValueError, match="at least 32"):
        Hasher(b"short")


@settings(max_examples=200, deadline=None)
@given(
    key=st.binary(min_size=32, max_size=130),  # longer than SHA-256's block: hashed first
    prefix=st.binary(max_size=20),
    messages=st.lists(st.binary(max_size=200), max_size=5),
    digits=st.integers(min_value=1, max_value=64),
)
def test_many_hmacs_at_once_are_each_the_one_shot_hmac(
    key: bytes, prefix: bytes, messages: list[bytes], digits: int
) -> None:
    """The copied keyed states give the very values a one-shot HMAC gives: ids and
    row checks stay the same across versions (a proposal marked before still applies)."""
    got = hmac_sha256_many(key, messages, digits, prefix=prefix)
    assert got == [hmac.digest(key, prefix + m, "sha256").hex()[:digits] for m in messages]


def test_record_hashes_are_each_record_hash() -> None:
    ids = Hasher(b"k" * 32)
    record_ids = ["1", "rivi 2", "Ääkkönen", ""]
    assert ids.record_hashes(record_ids) == [ids.record_hash(r) for r in record_ids]


def test_the_proposal_s_row_checks_are_each_row_s_check() -> None:
    from datetime import date

    from reports.proposal import row_check, row_checks

    key = b"r" * 32
    visible = [["Maija", None, "=1+1"], [date(2026, 1, 2), pd.NaT, None]]
    many = row_checks(
        key, ["a", "b", "c"], ["f1", "f2", ""], ["delete"] * 3, ["r", "", "x"], visible
    )
    one = [
        row_check(key, t, f, a, r, [visible[0][i], visible[1][i]])
        for i, (t, f, a, r) in enumerate(
            zip(["a", "b", "c"], ["f1", "f2", ""], ["delete"] * 3, ["r", "", "x"], strict=True)
        )
    ]
    assert many == one
    assert len(set(many)) == 3
