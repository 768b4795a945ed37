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

from connectors.errors import ConfigError

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
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """The YAML document and a map from each key path to its line number."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(file, ["file not found"]) from None
    except UnicodeDecodeError:
        raise ConfigError(file, ["not UTF-8 text"]) from None
    loader = _LineLoader(text)
    lines: dict[Loc, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(file, ["file is empty"])
        data = _construct_document(loader, node, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise ConfigError(file, [f"{where}: not valid YAML ({exc.problem})"]) from None
    finally:
        loader.dispose()
    return data, lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest known part of ``loc``."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def describe_errors(exc: ValidationError, lines: dict[Loc, int], prefix: Loc = ()) -> list[str]:
    """pydantic errors as 'line N, field a.b: message' lines.

    ``prefix`` is where the validated part sits in the file (for a nested model).
    """
    out = []
    for err in exc.errors():
        loc: Loc = (*prefix, *err["loc"])
        field = ".".join(str(part) for part in loc) or "(top level)"
        line = line_of(lines, loc)
        where = f"line {line}, " if line else ""
        out.append(f"{where}field '{field}': {err['msg']}")
    return out


def load_model(path: Path, model: type[M]) -> M:
    """Load a YAML file into ``model``; ConfigError listing every problem otherwise."""
    data, lines = load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(path), describe_errors(exc, lines)) from None
