"""Where a trace is, as a person reads it: the locator JSON of many rows parsed at once
(reports.view.parse_locators) gives what parsing each alone gives, whatever the text."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.decisions_csv import locator_texts
from reports.view import location_texts, parse_locator, parse_locators

VALUES = st.one_of(
    st.none(), st.integers(-5, 10**6), st.text(max_size=12), st.lists(st.integers(0, 99))
)
LOCATORS = st.one_of(
    st.dictionaries(st.sampled_from(["file", "row", "sheet", "uid", "rows", "x"]), VALUES).map(
        lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True)
    ),
    st.text(max_size=20),  # not JSON, or JSON that is not an object
    st.sampled_from(["{", "}", "{}", "[]", "null", '{"a": 1} ', ' {"a": 1}', '{"a": 1}x']),
    st.sampled_from([None, pd.NA, float("nan"), 3]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LOCATORS, max_size=8))
def test_many_locators_parse_as_each_alone(locators: list[Any]) -> None:
    assert parse_locators(locators) == [parse_locator(v) for v in locators]


def test_a_locator_that_is_not_an_object_reads_as_no_place() -> None:
    locators = ['{"file": "a/tilaukset.xlsx", "row": 5, "sheet": "Tilaukset"}', "rikki", None]
    assert location_texts(locators, ["Tilaukset, rivi 5", "x", None], "fi") == [
        "tilaukset.xlsx, Tilaukset, rivi 5",
        "x",
        "",
    ]
    assert location_texts(locators[:1], ["Tilaukset, rivi 5"], "en") == [
        "tilaukset.xlsx, Tilaukset, row 5"
    ]
    files, places = locator_texts(locators)
    assert files == ["tilaukset.xlsx", "", ""]
    assert places == ["sheet Tilaukset; row 5", "", ""]
