"""The ArticleRecord JSON Schema (``newsarchive/archive/schemas/article.schema.json``, draft 2020-12) and its check.

``validate_article(record)`` runs the schema, then what a schema cannot say: calendar-valid dates and
derived fields that agree with the text (``word_count``, ``text_sha256``). It raises one InvalidArticle
naming every failing field, so a writer can refuse a record before it reaches the archive.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from newsarchive.archive.errors import ArchiveError
from newsarchive.instants import parse_iso

SCHEMA_RESOURCE = "article.schema.json"
# Fields holding ISO dates or instants: their pattern is checked by the schema, their calendar here.
_DATE_FIELDS = ("published", "modified", "fetched_at")
_QUOTED_NAME = re.compile(r"'([^']+)'")


class InvalidArticle(ArchiveError, ValueError):
    """A record that does not match the ArticleRecord schema; ``problems`` holds (field, reason) pairs."""

    def __init__(self, record_id: str, problems: list[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        self.fields = tuple(dict.fromkeys(field for field, _ in problems))
        listed = "; ".join(f"{field}: {reason}" for field, reason in problems)
        super().__init__(f"invalid article record {record_id}: {len(problems)} problem(s): {listed}")


@cache
def article_schema() -> dict[str, Any]:
    """The ArticleRecord JSON Schema as a dict (read once from the package data)."""
    text = resources.files("newsarchive.archive.schemas").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _field(error: Any) -> str:
    """A readable location for a jsonschema error: ``raw.offset``, ``authors[2]``, or the named property."""
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if error.validator in ("required", "additionalProperties"):
        # The property is named in the message ("'title' is a required property", "('x' was unexpected)").
        names = _QUOTED_NAME.findall(error.message)
        if names:
            return ".".join(filter(None, (path, ",".join(names))))
    return path or "<record>"


def _problems(error: Any) -> list[tuple[str, str]]:
    """(field, reason) pairs of one jsonschema error; a nullable field's ``anyOf`` failure is reported
    through the errors of its non-null branch, which name the exact sub-field (``raw.offset``)."""
    if error.validator == "anyOf" and error.instance is not None:
        inner = [c for c in error.context if not (c.validator == "type" and c.validator_value == "null")]
        if inner:
            return [pair for sub in inner for pair in _problems(sub)]
    return [(_field(error), str(error.message))]


def _calendar_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for name in _DATE_FIELDS:
        value = record.get(name)
        if not isinstance(value, str):
            continue
        try:
            parse_iso(value)
        except ValueError:
            problems.append((name, f"{value!r} is not a real calendar date/time"))
    return problems


def _derived_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    text = record.get("text")
    if not isinstance(text, str):
        return []
    problems = []
    words = len(text.split())
    if isinstance(record.get("word_count"), int) and record["word_count"] != words:
        problems.append(("word_count", f"{record['word_count']} but the text has {words} words"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if isinstance(record.get("text_sha256"), str) and record["text_sha256"] != digest:
        problems.append(("text_sha256", "does not match the SHA-256 of the text"))
    return problems


def article_problems(record: Any) -> list[tuple[str, str]]:
    """Every (field, reason) that makes ``record`` an invalid ArticleRecord; [] when it is valid."""
    if not isinstance(record, Mapping):
        return [("<record>", f"must be a JSON object (dict), got {type(record).__name__}")]
    errors = sorted(_validator().iter_errors(dict(record)), key=lambda e: [str(p) for p in e.absolute_path])
    problems = list(dict.fromkeys(pair for error in errors for pair in _problems(error)))
    failed = {field for field, _ in problems}
    problems += [p for p in _calendar_problems(record) + _derived_problems(record) if p[0] not in failed]
    return problems


def validate_article(record: dict[str, Any]) -> None:
    """Raise InvalidArticle listing every failing field if ``record`` (a ``to_dict()``) breaks the schema."""
    problems = article_problems(record)
    if problems:
        record_id = record.get("id") if isinstance(record, Mapping) else None
        raise InvalidArticle(repr(record_id) if record_id else "(no id)", problems)
