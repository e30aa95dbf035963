"""The ArticleRecord: what the archive stores for one article (the contract downstream tools rely on)."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from extract.safetext import bounded, valid_text
from newsarchive.urlcanon import canonicalize_url

# 2: ``access`` added (free, paywalled, metered). Records of version 1 have no ``access``: readers treat it
# as unknown (null), and re-extraction from the WARC gives them one.
SCHEMA_VERSION = 2
# Fields that travel with a record between the extractor and the extract stage (worker processes pickle
# records whole) but are never stored: the site-level pass reads them, readers never see them.
TRANSIENT_FIELDS = ("positions",)

# Most characters a text field keeps (pages have served megabyte "titles"); a list field also keeps at most
# MAX_LIST_ITEMS items. URLs are not cut (a cut URL names another page): extract drops an overlong
# canonical or image URL instead (extract.metadata.MAX_URL_CHARS). The text is bounded by the page size.
FIELD_LIMITS: dict[str, int] = {
    "title": 1000,
    "authors": 200,
    "section": 200,
    "tags": 200,
    "description": 5000,
    "site_name": 200,
}
MAX_LIST_ITEMS = {"authors": 50, "tags": 100}
# Fields whose text keeps its line breaks.
MULTILINE_FIELDS = frozenset({"text"})


@dataclass(frozen=True)
class RawRef:
    """Where the raw response behind a record lives: a WARC object key and the record's byte offset."""

    warc_key: str
    offset: int


@dataclass(frozen=True)
class LinePositions:
    """Template positions of a page's text (extract.positions), carried to the site-level pass, never stored:
    ``lines`` has one signature per text line ("" when unknown), ``captions`` those of the caption and
    credit blocks the page pass removed."""

    lines: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleRecord:
    """One extracted article.

    ``published``/``modified`` are ISO 8601 instants with the offset the page states (a bare date only
    when the page gives no time). ``text`` holds the body paragraphs separated by ``"\\n"``.
    """

    id: str
    url: str
    canonical_url: str
    site: str
    title: str
    text: str
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    language_confidence: float = 0.0
    language_source: str = "detected"  # "detected" by langdetect, or "declared" by the page when unsure
    section: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    image: str | None = None
    site_name: str | None = None
    raw: RawRef | None = None
    fetched_at: str | None = None
    extractor: dict[str, str] = field(default_factory=dict)
    # Lines removed by the residue passes, counted by reason (kept for the run report, not for readers).
    dropped: dict[str, int] = field(default_factory=dict)
    # What a reader without a subscription gets: "free", "paywalled" or "metered" (None: a version-1
    # record, written before access was known).
    access: str | None = "free"
    schema_version: int = SCHEMA_VERSION
    # Transient: where the text's lines sit in the page template, for the site-level pass; not stored.
    positions: LinePositions | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Every text that reaches a record is valid, bounded Unicode, whichever way it was built (extractor,
        # site-level pass, from_dict): a lone surrogate would make serialisation raise, and a page's
        # megabyte title would be kept whole.
        for spec in fields(self):
            value = getattr(self, spec.name)
            cleaned: str | tuple[str, ...] | None
            if isinstance(value, str):
                cleaned = _field_text(spec.name, value)
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                cleaned = _field_items(spec.name, value)
            else:
                continue
            if cleaned is not value:
                object.__setattr__(self, spec.name, cleaned)

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words in the text."""
        return len(self.text.split())

    @property
    def text_sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text: lets readers and the dedup check compare texts cheaply."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON object stored in the archive (derived fields included)."""
        data = asdict(self)
        for name in TRANSIENT_FIELDS:
            del data[name]
        data["authors"] = list(self.authors)
        data["tags"] = list(self.tags)
        data["word_count"] = self.word_count
        data["text_sha256"] = self.text_sha256
        return data

    def to_json(self) -> str:
        """Deterministic JSON (sorted keys, UTF-8 kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        """Rebuild a record from its stored JSON object (derived fields are recomputed, not trusted).

        A version-1 object has no ``access``: it is read as None (unknown), never guessed.
        """
        known = {f for f in cls.__dataclass_fields__} - set(TRANSIENT_FIELDS)
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs.setdefault("access", None)
        kwargs["authors"] = tuple(kwargs.get("authors") or ())
        kwargs["tags"] = tuple(kwargs.get("tags") or ())
        raw = kwargs.get("raw")
        if isinstance(raw, dict):
            kwargs["raw"] = RawRef(**raw)
        return cls(**kwargs)


def _field_text(name: str, value: str) -> str | None:
    cleaned = valid_text(value, multiline=name in MULTILINE_FIELDS)
    limit = FIELD_LIMITS.get(name)
    if limit is not None:
        cleaned = bounded(cleaned, limit)
    if cleaned == value:
        return value
    # An optional field that cleaning empties is absent, not an empty string.
    return cleaned if cleaned or name in _REQUIRED_TEXT else None


def _field_items(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    limit = FIELD_LIMITS.get(name)
    items = [valid_text(v).strip() for v in values]
    # An item that was nothing but invalid characters names nothing.
    kept = tuple(bounded(v, limit) if limit else v for v in items if v.strip(" \ufffd"))
    kept = kept[: MAX_LIST_ITEMS.get(name, len(kept))]
    return values if kept == values else kept


# Text fields that are never None (an empty string stays one).
_REQUIRED_TEXT = frozenset({"id", "url", "canonical_url", "site", "title", "text", "language_source"})


def article_id(canonical_url: str) -> str:
    """The article id: a stable hash of the canonical URL in its canonical form (``urlcanon``, the crawl's
    rule: no fragment, tracking or session parameters), first 16 hex digits of its SHA-256."""
    with contextlib.suppress(ValueError):  # not an absolute URL: hashed as given
        canonical_url = canonicalize_url(canonical_url)
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]
