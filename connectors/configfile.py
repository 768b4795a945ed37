"""YAML configuration files whose errors name the file, the field and the line.

Used by the workspace config (flows.workspace) and the register policies
(policies.schema): both are YAML validated by pydantic, and a person fixing
them needs to know where the mistake is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from connectors.errors import ConfigError
from connectors.messages import MESSAGES, Said

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key and sequence item."""


def _construct_document(
    loader: _LineLoader, node: yaml.Node, path: Loc, lines: dict[Loc, int]
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _construct_document(loader, value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct_document(loader, item, (*path, index), lines)
            for index, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # a scalar YAML reads as a date that is none (2026-13-45)
        raise _BadScalar(path, node.start_mark.line + 1) from None


class _BadScalar(Exception):
    """A value YAML could not make (a date that does not exist): where it is."""

    def __init__(self, path: Loc, line: int) -> None:
        self.path, self.line = path, line


def load_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """The YAML document and a map from each key path to its line number."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(file, [Said("cfg_not_found")]) from None
    except UnicodeDecodeError:
        raise ConfigError(file, [Said("cfg_not_utf8")]) from None
    loader = _LineLoader(text)
    lines: dict[Loc, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(file, [Said("cfg_empty")])
        data = _construct_document(loader, node, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        # the parser's own words stay in the English text only (fi: the line and what to check)
        detail = str(exc.problem)
        problem = (
            Said("cfg_yaml_line", line=mark.line + 1, detail=detail)
            if mark
            else Said("cfg_yaml", detail=detail)
        )
        raise ConfigError(file, [problem]) from None
    except _BadScalar as exc:
        lines[exc.path] = exc.line
        raise ConfigError(file, [where_said(lines, exc.path, Said("cfg_date"))]) from None
    finally:
        loader.dispose()
    return data, lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest known part of ``loc``."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


#: pydantic's error type -> the catalogue key that says it
PYDANTIC_KEYS: dict[str, str] = {
    "missing": "cfg_missing",
    "extra_forbidden": "cfg_extra_forbidden",
    "int_parsing": "cfg_int",
    "int_type": "cfg_int",
    "int_from_float": "cfg_int",
    "float_parsing": "cfg_float",
    "float_type": "cfg_float",
    "bool_parsing": "cfg_bool",
    "bool_type": "cfg_bool",
    "string_type": "cfg_string",
    "list_type": "cfg_list",
    "tuple_type": "cfg_list",
    "set_type": "cfg_list",
    "dict_type": "cfg_dict",
    "model_type": "cfg_dict",
    "model_attributes_type": "cfg_dict",
    "date_parsing": "cfg_date",
    "date_type": "cfg_date",
    "date_from_datetime_parsing": "cfg_date",
    "date_from_datetime_inexact": "cfg_date",
    "literal_error": "cfg_literal",
    "enum": "cfg_literal",
    "greater_than_equal": "cfg_ge",
    "greater_than": "cfg_gt",
    "less_than_equal": "cfg_le",
    "less_than": "cfg_lt",
    "string_too_short": "cfg_too_short",
    "too_short": "cfg_too_short",
    "string_too_long": "cfg_too_long",
    "too_long": "cfg_too_long",
    "string_pattern_mismatch": "cfg_pattern",
}


def coded(key: str, **values: Any) -> PydanticCustomError:
    """A validator's error said by the catalogue's ``key`` (raise it instead of ValueError).

    Its pydantic type is ``key`` and its context ``values``, so that
    :func:`describe_errors` says it in the owner's language.
    """
    return PydanticCustomError(key, str(Said(key, **values)), values)


def error_text(err: Any) -> Said:
    """One pydantic error (an item of ``ValidationError.errors()``) as catalogue words.

    English stays pydantic's (or our validator's) own message; a type the
    catalogue does not know says in Finnish only that the value does not fit.
    """
    kind, ctx, english = str(err["type"]), dict(err.get("ctx") or {}), str(err["msg"])
    if kind in MESSAGES:  # our own coded() errors
        return Said(kind, en=english, **ctx)
    if kind == "value_error":
        cause = ctx.get("error")
        if isinstance(cause, PydanticCustomError) and cause.type in MESSAGES:
            return Said(cause.type, en=str(cause), **(cause.context or {}))
    key = PYDANTIC_KEYS.get(kind, "cfg_invalid")
    ctx.setdefault("expected", "")
    if kind in ("literal_error", "enum"):  # "'fi' or 'en'": the choices only, no English word
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    return Said(key, en=english, **{k: str(v) for k, v in ctx.items()})


def where_said(lines: dict[Loc, int], loc: Loc, problem: Said) -> Said:
    """``line N, field 'a.b': problem`` (without the line when it is not known)."""
    field: Any = ".".join(str(part) for part in loc) or Said("cfg_top")
    line = line_of(lines, loc)
    if line:
        return Said("cfg_at_line", line=line, field=field, problem=problem)
    return Said("cfg_at_field", field=field, problem=problem)


def describe_errors(exc: ValidationError, lines: dict[Loc, int], prefix: Loc = ()) -> list[str]:
    """pydantic errors as 'line N, field a.b: message' lines (:class:`Said`: either language).

    ``prefix`` is where the validated part sits in the file (for a nested model).
    """
    return [where_said(lines, (*prefix, *err["loc"]), error_text(err)) for err in exc.errors()]


def load_model(path: Path, model: type[M]) -> M:
    """Load a YAML file into ``model``; ConfigError listing every problem otherwise."""
    data, lines = load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(path), describe_errors(exc, lines)) from None
