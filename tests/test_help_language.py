"""Issue #14: a Finnish owner sees only Finnish from the first command (help, early errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import help_language, main

ENGLISH = ("show this help message", "usage:", "options:", "the run date", "machine-readable")
FINNISH = ("näytä tämä ohje", "käyttö:", "valinnat:")


def _help(
    argv: list[str], lang: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("KARSINTA_LANG", lang)
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["review", "--help"], ["apply", "--help"]])
def test_help_in_finnish_has_no_english_sentences(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(argv, "fi", monkeypatch, capsys)
    assert [word for word in ENGLISH if word in text] == [], text
    assert all(word in text for word in FINNISH), text


@pytest.mark.parametrize("argv", [["--help"], ["review", "--help"], ["apply", "--help"]])
def test_help_in_english_has_no_finnish_sentences(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(argv, "en", monkeypatch, capsys)
    assert [word for word in FINNISH if word in text] == [], text
    assert "show this help message" in text
    assert "usage: karsinta" in text


def test_a_subcommands_own_help_is_in_its_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    finnish = _help(["review", "--help"], "fi", monkeypatch, capsys)
    assert "ajopäivä (VVVV-KK-PP)" in finnish
    assert "paluukoodit" in finnish
    assert "exit codes" not in finnish
    english = _help(["review", "--help"], "en", monkeypatch, capsys)
    assert "the run date (YYYY-MM-DD)" in english
    assert "exit codes" in english
    assert "paluukoodit" not in english


def test_command_and_option_names_are_the_same_in_both_languages(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for lang in ("fi", "en"):
        text = _help(["forget", "--help"], lang, monkeypatch, capsys)
        for name in ("--email", "--phone", "--hetu", "--request", "--letter-lang", "--workspace"):
            assert name in text, (lang, name)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "fi"),
        ({"KARSINTA_LANG": "en"}, "en"),
        ({"KARSINTA_LANG": "fi", "LANG": "en_US.UTF-8"}, "fi"),
        ({"KARSINTA_LANG": "sv"}, "fi"),  # not a language we speak: the locale decides
        ({"LANG": "fi_FI.UTF-8"}, "fi"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "sv_FI.UTF-8"}, "en"),
        ({"LANG": "fi_FI.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL wins
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fi_FI.UTF-8"}, "fi"),
        ({"LANG": "C.UTF-8"}, "fi"),  # C names no language: as if nothing were set
        ({"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, "en"),
    ],
)
def test_the_help_language_is_chosen_from_the_environment(
    environ: dict[str, str], expected: str
) -> None:
    assert help_language(environ) == expected


def _broken_workspace(tmp_path: Path, language: str) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "karsinta.yaml").write_text(
        f"business: Testi Oy\nlanguage: {language}\nsources: not-a-list\n", "utf-8"
    )
    return root


@pytest.mark.parametrize(
    ("workspace_lang", "help_lang", "heading"),
    [
        ("fi", "en", "Virhe tiedostossa "),  # the workspace's language wins
        ("en", "fi", "Error in "),
        ("klingon", "fi", "Virhe tiedostossa "),  # no usable language: the help language
        ("klingon", "en", "Error in "),
    ],
)
def test_a_config_error_heading_speaks_the_workspaces_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workspace_lang: str,
    help_lang: str,
    heading: str,
) -> None:
    monkeypatch.setenv("KARSINTA_LANG", help_lang)
    root = _broken_workspace(tmp_path, workspace_lang)
    assert main(["check", "--workspace", str(root)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(heading), err
    assert "karsinta.yaml" in err[0]


@pytest.mark.parametrize(
    ("argv", "finnish", "english"),
    [
        (["review", "--bogus"], "tuntemattomia argumentteja: --bogus", "unrecognized arguments"),
        (["apply"], "nämä puuttuvat: TIEDOSTO", "the following arguments are required"),
        (["auth", "foo"], "tuntematon valinta 'foo'", "invalid choice"),
    ],
)
def test_argparse_errors_speak_the_help_language(
    argv: list[str],
    finnish: str,
    english: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.cli import main

    monkeypatch.setenv("KARSINTA_LANG", "fi")
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert finnish in err
    assert "virhe:" in err
    assert english not in err
    assert "error:" not in err
    monkeypatch.setenv("KARSINTA_LANG", "en")
    with pytest.raises(SystemExit):
        main(argv)
    assert english in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "lang", "hint"),
    [
        (["reveiw"], "fi", "Tarkoititko: review"),
        (["reveiw"], "en", "Did you mean: review"),
        (["aply"], "fi", "Tarkoititko: apply"),
        (["auth", "gogle", "--account", "x"], "en", "Did you mean: google"),
    ],
)
def test_a_mistyped_command_gets_the_nearest_one(
    argv: list[str],
    lang: str,
    hint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.cli import main

    monkeypatch.setenv("KARSINTA_LANG", lang)
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(hint)


def test_nothing_near_gets_no_guess(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    monkeypatch.setenv("KARSINTA_LANG", "fi")
    with pytest.raises(SystemExit):
        main(["zzz"])
    assert "Tarkoititko" not in capsys.readouterr().err
