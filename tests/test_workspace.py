"""The workspace config: loading, and errors that name the file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.errors import ConfigError
from flows.cli import main
from flows.workspace import load_workspace
from policies.examples import example_path

FIXTURES = Path(__file__).parent / "fixtures" / "workspace"


def _workspace(tmp_path: Path, fixture: str) -> Path:
    shutil.copy(FIXTURES / fixture, tmp_path / "karsinta.yaml")
    return tmp_path


def test_passing_workspace_loads_with_absolute_paths(tmp_path: Path) -> None:
    workspace = load_workspace(_workspace(tmp_path, "passing_workspace.yaml"))
    (source,) = workspace.sources
    assert source.path == (tmp_path / "aineisto" / "asiakkaat.csv").resolve()
    assert source.system_of_record
    assert workspace.policy_path("asiakasrekisteri") == (tmp_path / "rekisteri.yaml").resolve()


def test_credentials_in_config_are_refused_with_their_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_workspace(_workspace(tmp_path, "failing_secret.yaml"))
    (problem,) = [p for p in caught.value.problems if "credentials" in p]
    assert problem.startswith("line 11, field 'sources.0.options.api_key'")
    assert "abc123" not in str(caught.value)


def test_field_errors_name_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_workspace(_workspace(tmp_path, "failing_fields.yaml"))
    text = "\n".join(caught.value.problems)
    assert "line 2, field 'language'" in text


def test_consistency_errors(tmp_path: Path) -> None:
    path = _workspace(tmp_path, "failing_fields.yaml")
    text = (path / "karsinta.yaml").read_text().replace("language: sv\n", "")
    (path / "karsinta.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_workspace(path)
    problems = caught.value.problems
    assert (
        "line 9, field 'sources.0.register': register 'toinen' is not among the registers "
        "(asiakasrekisteri)" in problems
    )
    assert "line 10, field 'sources.1.id': source id 'asiakkaat' is used twice" in problems


def test_unknown_option_names_its_line(tmp_path: Path) -> None:
    # Needs the spreadsheet connector's options model.
    pytest.importorskip("connectors.spreadsheet")
    with pytest.raises(ConfigError) as caught:
        load_workspace(_workspace(tmp_path, "failing_option.yaml"))
    assert any(
        p.startswith("line 11, field 'sources.0.options.colums'") for p in caught.value.problems
    )


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_workspace(_workspace(tmp_path, "failing_yaml.yaml"))
    assert "line 2" in caught.value.problems[0] or "line 1" in caught.value.problems[0]


def test_check_command_reports_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path, "failing_secret.yaml")
    assert main(["check", "--workspace", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "tunnus ei kuulu työtilan asetuksiin" in err  # the workspace speaks Finnish
    assert "credentials" not in err  # and only Finnish


def test_check_command_missing_source_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path, "passing_workspace.yaml")
    shutil.copy(example_path("kohonen"), tmp_path / "rekisteri.yaml")
    # An unreadable source: exit 3, as review's.
    assert main(["check", "--workspace", str(tmp_path)]) == 3
    assert "Lähde 'asiakkaat'" in (err := capsys.readouterr().err)
    assert "tiedostoa ei löydy" in err  # the workspace speaks Finnish


def test_check_command_names_a_missing_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path, "passing_workspace.yaml")
    assert main(["check", "--workspace", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "rekisteri.yaml" in err
    assert "tiedostoa ei löydy" in err  # the workspace speaks Finnish
