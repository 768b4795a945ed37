"""Sources stay in the workspace: paths and links leading out of it are refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.errors import ConfigError
from flows.cli import main
from flows.keyed import workspace_hasher
from flows.workspace import load_workspace
from tests.test_apply import POLICY, write_customers_csv

MAPPING = {"name": "Nimi", "email": "Sähköposti", "phone": "Puhelin"}


def workspace(root: Path, path: str, **extra: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "aineisto").mkdir(exist_ok=True)
    write_customers_csv(root / "aineisto" / "asiakkaat.csv")
    config = {
        "business": "Testiyritys",
        "registers": {"asiakasrekisteri": {"policy": "rekisteri.yaml"}},
        **extra,
        "sources": [
            {
                "id": "asiakkaat",
                "connector": "spreadsheet",
                "path": "aineisto/asiakkaat.csv",
                "register": "asiakasrekisteri",
                "kind": "customer",
                "options": {"columns": MAPPING},
            },
            {
                "id": "karkuri",
                "connector": "spreadsheet",
                "path": path,
                "register": "asiakasrekisteri",
                "kind": "customer",
                "system_of_record": True,
                "options": {"columns": MAPPING},
            },
        ],
    }
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    (root / "rekisteri.yaml").write_text(yaml.safe_dump(POLICY, allow_unicode=True), "utf-8")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A customer file outside the workspace that must never be read or changed."""
    path = tmp_path / "muualla" / "asiakkaat.csv"
    path.parent.mkdir()
    write_customers_csv(path)
    return path


def escapes(tmp_path: Path, outside: Path) -> dict[str, Path]:
    root = tmp_path / "yritys"
    link = root / "aineisto" / "linkki.csv"
    cases = {
        "dotdot": workspace(tmp_path / "a" / "yritys", "../../muualla/asiakkaat.csv"),
        "absolute": workspace(tmp_path / "b", "/etc/passwd"),
        "symlink": workspace(root, "aineisto/linkki.csv"),
        "state": workspace(tmp_path / "c", ".karsinta/ledger.key"),
    }
    link.symlink_to(outside)
    return cases


@pytest.mark.parametrize("case", ["dotdot", "absolute", "symlink", "state"])
def test_a_source_outside_the_workspace_is_refused_by_check_and_review(
    tmp_path: Path, outside: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = escapes(tmp_path, outside)[case]
    with pytest.raises(ConfigError) as caught:
        load_workspace(root)
    (problem,) = caught.value.problems
    text = (root / "karsinta.yaml").read_text("utf-8").splitlines()
    line = max(n for n, t in enumerate(text, start=1) if t.strip().startswith("path:"))
    assert problem.startswith(f"line {line}, field 'sources.1.path'")
    assert "karkuri" in problem
    assert "outside the workspace" in problem
    before = outside.read_bytes()
    for command in (["check"], ["review", "--today", "2026-11-01"]):
        assert main([*command, "--workspace", str(root)]) == 2
        err = capsys.readouterr().err
        assert "karkuri" in err
        assert "Traceback" not in err
    assert outside.read_bytes() == before
    assert not (root / "raportit").exists()  # nothing read, nothing proposed


def test_an_allowed_root_named_in_the_config_is_accepted(tmp_path: Path, outside: Path) -> None:
    root = workspace(tmp_path / "yritys", str(outside), allowed_roots=[str(outside.parent)])
    ws = load_workspace(root)
    assert [s.path for s in ws.sources][1] == outside.resolve()
    other = workspace(tmp_path / "toinen", str(outside), allowed_roots=[str(tmp_path / "x")])
    with pytest.raises(ConfigError):
        load_workspace(other)


def test_a_symlink_inside_a_folder_source_is_not_followed_out(
    tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "yritys"
    folder = root / "koonnit"
    folder.mkdir(parents=True)
    (folder / "Aino Arvelo 2024-03-01.txt").write_text("Koonti\n", "utf-8")
    (folder / "Bertta Bergman 2024-03-02.txt").symlink_to(outside)
    config = {
        "business": "Testiyritys",
        "registers": {"asiakasrekisteri": {"policy": "rekisteri.yaml"}},
        "sources": [
            {
                "id": "koonnit",
                "connector": "folder",
                "path": "koonnit",
                "register": "asiakasrekisteri",
                "kind": "summary",
                "system_of_record": True,
            }
        ],
    }
    (root / "karsinta.yaml").write_text(yaml.safe_dump(config), "utf-8")
    (root / "rekisteri.yaml").write_text(yaml.safe_dump(POLICY, allow_unicode=True), "utf-8")
    ws = load_workspace(root)
    from connectors.base import read_source

    result = read_source(ws.sources[0], workspace_hasher(ws))
    assert len(result.traces) == 1  # the link was not read
    (problem,) = result.problems
    assert problem.row == 2
    assert "outside the folder" in problem.message
    assert "Bertta" not in str(problem)
    assert not result.clean  # so apply changes nothing in this folder on this run
    assert os.path.islink(folder / "Bertta Bergman 2024-03-02.txt")
