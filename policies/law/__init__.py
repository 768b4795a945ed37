"""Finnish statutory retention rules, as data (policies/law/fi.yaml).

Each rule is a :class:`policies.schema.HoldRule` with its legal source. The
engine applies every non-optional rule to every register; optional rules
(the 3-year limitation of claims) apply where a register policy lists them
in ``optional_statutory_holds``. Rules are holds: they keep traces, they
never make anything due. A hold has a scope and an end: a subject hold
``spares`` kinds the claim does not need (marketing), and an unsettled claim
past its ``limitation`` (728/2003) turns what it held into a review, never a
deletion. A register policy may lengthen them and can never shorten them
(policies.schema.check_against_law).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.configfile import describe_errors, load_yaml
from connectors.errors import ConfigError
from policies.schema import HoldRule

LAW_DIR = Path(__file__).resolve().parent
FINNISH_RULES = LAW_DIR / "fi.yaml"


class StatutoryRules(BaseModel):
    """The statutory holds of one jurisdiction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: str = Field(min_length=2)
    checked: str | None = Field(default=None, description="when the sources were last checked")
    rules: list[HoldRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _sources_and_ids(self) -> StatutoryRules:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id '{rule.id}' is used twice")
            seen.add(rule.id)
            if not rule.source:
                raise ValueError(f"rule '{rule.id}' has no legal source")
            if rule.extends:
                raise ValueError(f"rule '{rule.id}': 'extends' is for register policies")
        return self

    @property
    def bookkeeping_kinds(self) -> frozenset[str]:
        """Kinds that are bookkeeping records (vouchers): while_customer sets them aside."""
        return frozenset(k for rule in self.rules if rule.bookkeeping for k in rule.kinds)

    def active_for(self, optional_ids: list[str] | tuple[str, ...]) -> list[HoldRule]:
        """The rules that apply to a register that opted in to ``optional_ids``."""
        return [r for r in self.rules if not r.optional or r.id in optional_ids]

    def get(self, rule_id: str) -> HoldRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def load_statutory_rules(path: Path | None = None) -> StatutoryRules:
    """The statutory rules (default: the Finnish ones); ConfigError naming file and line."""
    if path is None:
        return _default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default() -> StatutoryRules:
    return _load(FINNISH_RULES)


def _load(path: Path) -> StatutoryRules:
    data, lines = load_yaml(path)
    try:
        return StatutoryRules.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(path), describe_errors(exc, lines)) from None
