"""docs/connectors.md is generated from the code and must be current."""

from __future__ import annotations

from connectors.base import BUILTIN, get_connector
from connectors.docs import DOC, render


def test_connector_docs_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/connectors.md is out of date: run `python -m connectors.docs`"
    )


def test_every_option_of_every_connector_is_documented() -> None:
    text = render()
    for name in BUILTIN:
        assert f"## `{name}`" in text
        for option in get_connector(name).options_model.model_fields:
            assert f"| `{option}` |" in text, (name, option)
