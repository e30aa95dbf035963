"""Config errors, and how a validation failure of the site model becomes "<field>: <problem>" sentences.

One translation serves the loader (SiteConfigError: file, field, problem) and the spider (SpecError: field,
problem), so both word a mistake the same way. The expected type and range of a field are described from the
model itself (`expectation`), the same words as the reference in docs/sites.md.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from newsarchive.pipeline.sitefields import shown

# The error type of checks that involve several fields (validated on the table that holds them).
FIELD_PROBLEM = "site_field"
_NOUNS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_PLURALS = {bool: "booleans", int: "integers", float: "numbers", str: "strings"}
_TABLE_ERRORS = ("model_type", "model_attributes_type", "dict_type")


class ConfigError(ValueError):
    """A deterministic configuration mistake: retrying cannot fix it (a task fails at once)."""


class SiteConfigError(ConfigError):
    """A site file is wrong: the message names the file and the field (the first of ``problems``)."""

    def __init__(self, path: Path | str, field_name: str, problem: str,
                 more: Sequence[tuple[str, str]] = (), site_id: str | None = None) -> None:
        self.path = str(path)
        self.field = field_name
        self.problem = problem
        self.problems: tuple[tuple[str, str], ...] = ((field_name, problem), *more)
        self.site_id = site_id  # the id the file claims (or its name's), to say which site is broken
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        """One "<file>: <field>: <problem>" sentence per mistake in the file."""
        return [f"{self.path}: {name}: {problem}" for name, problem in self.problems]


class UnknownSite(ConfigError, KeyError):
    """No usable site of that id: none configured, or its file has a mistake (then ``error`` says which)."""

    def __init__(self, message: str, error: SiteConfigError | None = None) -> None:
        super().__init__(message)
        self.error = error

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def field_problem(name: str, problem: str) -> PydanticCustomError:
    """An error about field ``name`` of the table being validated (raise it from a model validator)."""
    return PydanticCustomError(FIELD_PROBLEM, "{field}: {problem}", {"field": name, "problem": problem})


def field_name(loc: Sequence[Any]) -> str:
    """("discovery", "feeds", 0) -> "discovery.feeds[0]"."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name and not str(part).startswith("[") else str(part)
    return name


def problems(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, str]]:
    """Every mistake of a failed validation as (field, problem), in the model's field order."""
    found = []
    errors = exc.errors(include_url=False)
    for err in errors:
        loc, kind, ctx = list(err["loc"]), err["type"], err.get("ctx") or {}
        if kind == "too_short" and any(len(e["loc"]) > len(loc) and list(e["loc"][:len(loc)]) == loc for e in errors):
            continue  # the list is short only because a bad item was left out: that item's error says why
        if kind == FIELD_PROBLEM:
            found.append((field_name([*loc, ctx["field"]]), str(ctx["problem"])))
            continue
        if kind == "missing":
            problem = "missing (required)"
        elif kind == "extra_forbidden":
            problem = f"unknown key (known: {', '.join(known_keys(root, loc[:-1]))})"
        elif kind in _TABLE_ERRORS:
            problem = f"expected a table, got {shown(err['input'])}"
        elif kind == "too_short":
            problem = f"needs at least {ctx.get('min_length')} value(s), got {shown(err['input'])}"
        elif kind in ("value_error", "assertion_error"):
            problem = str(ctx.get("error", err["msg"]))
        else:
            problem = f"expected {expectation(root, loc)}, got {shown(err['input'])}"
        found.append((field_name(loc), problem))
    return found


def known_keys(root: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the table at loc accepts (by their names in the file)."""
    model = _model_at(root, loc)
    if model is None:
        return []
    return sorted(info.alias or name for name, info in model.model_fields.items())


def _model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        info = _field(model, part) if model is not None else None
        model = _submodel(info.annotation) if info is not None else None
    return model


def _field(model: type[BaseModel], key: Any) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _submodel(annotation: Any) -> type[BaseModel] | None:
    annotation = _strip_optional(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def expectation(root: type[BaseModel], loc: Sequence[Any]) -> str:
    """What the value at loc should be ("an integer from 1 to 64", "a list of strings"), from the model."""
    parts = list(loc)
    index = parts and isinstance(parts[-1], int)
    if index:
        parts = parts[:-1]
    model = _model_at(root, parts[:-1])
    info = _field(model, parts[-1]) if model is not None and parts else None
    if info is None:
        return "another value"
    noun, bounds = describe(info)
    if index:
        return describe_type(_element(info.annotation))
    return f"{noun} {bounds}".strip()


def describe(info: FieldInfo) -> tuple[str, str]:
    """A field's type in words and what values it allows ("from 1 to 64", ">= 0", "an IANA name"), from the
    model: its numeric constraints, else the ``allowed`` note of a field checked by a function."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    allowed = [str(extra["allowed"])] if "allowed" in extra else []
    return describe_type(info.annotation), ", ".join([*allowed, describe_bounds(info.metadata)]).strip(", ")


def describe_type(annotation: Any) -> str:
    """A type in words: "an integer", "a list of strings", "a date YYYY-MM-DD", "a table"."""
    from datetime import date

    annotation = _strip_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (tuple, frozenset, list):
        element = _element(annotation)
        return f"a list of {_PLURALS.get(element, 'values')}"
    if annotation is date:
        return "a date YYYY-MM-DD"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a table"
    return _NOUNS.get(annotation, "a value")


def _element(annotation: Any) -> Any:
    args = typing.get_args(_strip_optional(annotation))
    element = args[0] if args else Any
    return typing.get_args(element)[0] if typing.get_origin(element) is typing.Annotated else element


def describe_bounds(metadata: Sequence[Any]) -> str:
    """The range a field's constraints allow, in words ("from 1 to 64", ">= 0", "at least 1")."""
    low = high = ""
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f">= {_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            low = f"> {_number(item.gt)}"
        elif isinstance(item, annotated_types.Le):
            high = f"<= {_number(item.le)}"
        elif isinstance(item, annotated_types.Lt):
            high = f"< {_number(item.lt)}"
        elif isinstance(item, annotated_types.MinLen) and item.min_length:
            low = f"at least {item.min_length}"
    if low.startswith(">= ") and high.startswith("<= "):
        return f"from {low[3:]} to {high[3:]}"
    return " and ".join(b for b in (low, high) if b)


def _number(value: Any) -> str:
    """A bound as TOML writes it: 1_048_576, 0.5, 600."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:_}" if isinstance(value, int) else f"{value:g}"
