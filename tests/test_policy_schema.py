"""Register policy schema: loading, errors naming file/line/field, the law check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.errors import ConfigError
from policies.law import load_statutory_rules
from policies.periods import Period, fiscal_year_end_of, year_end_after_fiscal_year
from policies.schema import (
    HoldRule,
    LastOf,
    RegisterPolicy,
    RetentionRule,
    check_against_law,
    load_policy,
)

FIXTURES = Path(__file__).parent / "fixtures" / "policies"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kk", Period(months=2)),
        ("2 months", Period(months=2)),
        ("6 vuotta", Period(years=6)),
        ("1 year", Period(years=1)),
        ("2 vrk", Period(days=2)),
        ("30 päivää", Period(days=30)),
        ({"years": 3, "months": 1}, Period(years=3, months=1)),
    ],
)
def test_period_texts(text: object, expected: Period) -> None:
    assert Period.model_validate(text) == expected


@pytest.mark.parametrize("text", ["kaksi kuukautta", "2", "2 weeks", "0 kk", {"months": -1}])
def test_bad_periods_are_rejected(text: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError is a ValueError
        Period.model_validate(text)


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2026, 8, 31), Period(months=2), date(2026, 10, 31)),
        (date(2025, 12, 31), Period(months=2), date(2026, 2, 28)),
        (date(2023, 12, 31), Period(months=2), date(2024, 2, 29)),
        (date(2024, 2, 29), Period(years=1), date(2025, 2, 28)),
        (date(2026, 1, 31), Period(months=1), date(2026, 2, 28)),
        (date(2026, 3, 31), Period(months=3), date(2026, 6, 30)),
        (date(2026, 11, 3), Period(days=2), date(2026, 11, 5)),
    ],
)
def test_calendar_month_arithmetic(start: date, period: Period, expected: date) -> None:
    assert period.add(start) == expected


@pytest.mark.parametrize(
    ("day", "fy", "end", "calendar_end"),
    [
        (date(2020, 8, 14), (31, 12), date(2020, 12, 31), date(2020, 12, 31)),
        (date(2020, 8, 14), (30, 6), date(2021, 6, 30), date(2021, 12, 31)),
        (date(2021, 6, 30), (30, 6), date(2021, 6, 30), date(2021, 12, 31)),
        (date(2021, 7, 1), (30, 6), date(2022, 6, 30), date(2022, 12, 31)),
    ],
)
def test_fiscal_year_anchors(day: date, fy: tuple[int, int], end: date, calendar_end: date) -> None:
    assert fiscal_year_end_of(day, *fy) == end
    assert year_end_after_fiscal_year(day, *fy) == calendar_end


def test_minimal_policy_loads_with_its_extra_hold_and_option() -> None:
    policy = load_policy(FIXTURES / "passing_minimal.yaml")
    assert isinstance(policy, RegisterPolicy)
    assert policy.retention["order"].after == LastOf(last="order")
    assert policy.retention["contact"].keep == "while_customer"
    assert policy.fiscal_day_month == (31, 12)
    assert policy.holds[0].extends == "kirjanpito_tositteet"
    assert policy.optional_statutory_holds == ["velan_vanhentuminen"]


@pytest.mark.parametrize(
    ("fixture", "line", "field", "words"),
    [
        ("failing_unknown_field.yaml", 11, "retention.order.afterr", "Extra inputs"),
        ("failing_bad_period.yaml", 10, "retention.order.keep", "a period is written like"),
        ("failing_shortens_bookkeeping.yaml", 11, "retention.invoice.keep", "never shorten"),
        ("failing_hold_shortens_statutory.yaml", 20, "holds.0.keep", "never shorten"),
        ("failing_patient_records_period.yaml", 11, "retention.client_record.keep", "statutory"),
        ("failing_unknown_last_kind.yaml", 11, "retention.order.after", "not a kind"),
        ("failing_unknown_last_kind.yaml", 7, "customer_kinds.1", "no retention rule"),
        ("failing_bad_category.yaml", 9, "data_categories.0.code", "unknown category code"),
    ],
)
def test_errors_name_file_line_and_field(fixture: str, line: int, field: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_policy(FIXTURES / fixture)
    assert info.value.file.endswith(fixture)
    assert fixture in str(info.value)
    matching = [p for p in info.value.problems if f"field '{field}'" in p]
    assert matching, info.value.problems
    assert f"line {line}," in matching[0]
    assert words in matching[0]


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_policy(FIXTURES / "failing_not_yaml.yaml")
    assert "line 4" in info.value.problems[0]
    assert "not valid YAML" in info.value.problems[0]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_policy(tmp_path / "ei_ole.yaml")


def test_a_longer_invoice_rule_is_accepted(tmp_path: Path) -> None:
    text = (FIXTURES / "failing_shortens_bookkeeping.yaml").read_text(encoding="utf-8")
    longer = text.replace(
        "keep: 2 vuotta\n    after: event_date", "keep: 7 vuotta\n    after: event_date"
    )
    path = tmp_path / "pidempi.yaml"
    path.write_text(longer, encoding="utf-8")
    assert load_policy(path).retention["invoice"].keep == Period(years=7)


def test_six_years_from_the_invoice_date_is_still_too_short(tmp_path: Path) -> None:
    """6 years from the invoice date ends before 6 years from the end of its year."""
    text = (FIXTURES / "failing_shortens_bookkeeping.yaml").read_text(encoding="utf-8")
    path = tmp_path / "kuusi.yaml"
    path.write_text(text.replace("keep: 2 vuotta", "keep: 6 vuotta"), encoding="utf-8")
    with pytest.raises(ConfigError, match="never shorten"):
        load_policy(path)


def test_while_customer_invoices_are_rejected(tmp_path: Path) -> None:
    text = (FIXTURES / "failing_shortens_bookkeeping.yaml").read_text(encoding="utf-8")
    path = tmp_path / "wc.yaml"
    path.write_text(
        text.replace("keep: 2 vuotta\n    after: event_date", "keep: while_customer"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="while_customer"):
        load_policy(path)


def test_unknown_optional_hold_is_rejected(tmp_path: Path) -> None:
    text = (FIXTURES / "passing_minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "opt.yaml"
    path.write_text(
        text.replace("[velan_vanhentuminen]", "[kirjanpito_tositteet]"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"optional_statutory_holds\.0"):
        load_policy(path)


def test_statutory_rules_name_their_sources() -> None:
    law = load_statutory_rules()
    by_id = {rule.id: rule for rule in law.rules}
    assert "1336/1997" in (by_id["kirjanpito_tositteet"].source or "")
    assert "2 luku 10 §" in (by_id["kirjanpito_tositteet"].source or "")
    assert by_id["kirjanpito_tositteet"].keep == Period(years=6)
    assert by_id["kirjanpito_tositteet"].after == "fiscal_year_calendar_end"
    assert by_id["avoin_saatava"].scope == "subject"
    assert set(by_id["avoin_saatava"].statuses) == {"open", "collection"}
    assert "703/2023" in (by_id["potilasasiakirjat"].source or "")
    assert by_id["potilasasiakirjat"].until == "unknown"
    assert "728/2003" in (by_id["velan_vanhentuminen"].source or "")
    assert by_id["velan_vanhentuminen"].optional
    assert law.bookkeeping_kinds == frozenset({"invoice"})


def test_open_claim_rule_spares_marketing_and_has_a_limitation() -> None:
    rule = load_statutory_rules().get("avoin_saatava")
    assert rule.spares == ["marketing"]
    assert rule.limitation is not None
    assert rule.limitation.keep == Period(years=3, months=1)
    assert rule.limitation.after == "event_date"
    assert rule.limitation.statuses == ["open"]  # collection interrupts limitation
    assert "728/2003" in rule.limitation.source


HOLD = {"id": "h", "kinds": ["invoice"], "statuses": ["open"], "kuvaus": "pito"}
LIMITATION = {"keep": "3 vuotta", "after": "event_date", "statuses": ["open"], "source": "laki"}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"scope": "trace", "until": "settled", "spares": ["marketing"]}, "scope: subject"),
        ({"scope": "subject", "until": "settled", "spares": ["invoice"]}, "cannot spare"),
        ({"scope": "subject", "until": "settled", "spares": ["Markkinointi"]}, "lower-case"),
        (
            {"until": "period", "keep": "1 v", "after": "event_date", "limitation": LIMITATION},
            "until: settled",
        ),
        (
            {"until": "settled", "limitation": {**LIMITATION, "statuses": ["collection"]}},
            "not among 'statuses'",
        ),
        ({"until": "settled", "limitation": {**LIMITATION, "keep": "kolme"}}, "period"),
        ({"until": "settled", "limitation": {**LIMITATION, "source": ""}}, "source"),
    ],
)
def test_bad_spares_and_limitations_are_rejected(fields: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):  # pydantic's ValidationError
        HoldRule.model_validate({**HOLD, **fields})


def test_a_policy_hold_may_not_spare_more_than_the_law() -> None:
    policy = load_policy(FIXTURES / "passing_minimal.yaml")
    law = load_statutory_rules()
    base = law.get("avoin_saatava")
    extended = base.model_copy(
        update={"id": "oma", "extends": "avoin_saatava", "spares": ["marketing", "contact"]}
    )
    problems = check_against_law(policy.model_copy(update={"holds": [extended]}), law)
    assert any(loc == ("holds", 0, "spares") and "contact" in msg for loc, msg in problems)
    same = base.model_copy(update={"id": "oma", "extends": "avoin_saatava"})
    assert check_against_law(policy.model_copy(update={"holds": [same]}), law) == []


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"keep": "2 kk", "after": "event_date", "at_least": "1 v"}, "while_customer"),
        ({"keep": "while_customer", "at_least": "kaksi vuotta"}, "a period is written like"),
        ({"keep": "while_customer", "at_least": "0 kk"}, "longer than zero"),
    ],
)
def test_bad_at_least_is_rejected(rule: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):  # pydantic's ValidationError
        RetentionRule.model_validate({"kuvaus": "x", **rule})


def test_at_least_loads_from_a_policy_file_and_names_its_line(tmp_path: Path) -> None:
    text = (FIXTURES / "passing_minimal.yaml").read_text(encoding="utf-8")
    assert "keep: while_customer\n" in text
    good = tmp_path / "hyva.yaml"
    good.write_text(
        text.replace("keep: while_customer\n", "keep: while_customer\n    at_least: 2 vuotta\n", 1),
        encoding="utf-8",
    )
    rule = next(r for r in load_policy(good).retention.values() if r.at_least)
    assert rule.at_least == Period(years=2)
    assert rule.at_least_text() == "vähintään 2 v merkinnän omasta päivämäärästä"
    assert rule.at_least_text(en=True) == "at least 2 years after its own date"
    bad = tmp_path / "huono.yaml"
    bad.write_text(
        text.replace(
            "keep: while_customer\n", "keep: while_customer\n    at_least: 2 viikkoa\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_policy(bad)
    assert any("at_least" in p and "line " in p for p in info.value.problems)
