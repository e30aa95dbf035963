"""Run-time edits of the generated site's articles, and the validators its article pages carry.

A test advances the site to a state where archived articles changed (``GeneratedSite.edit``): an
**update** (new text, modified time and sitemap lastmod, new ETag), a **silent** edit (new text and ETag;
the modified time, the sitemap and the feed say nothing), or a **touch** (modified time and lastmod bumped,
the text and so the ETag unchanged: a conditional request gets a 304). Article pages carry an ``ETag`` (a
hash of the content: title and text) and ``Last-Modified`` (the modified time); the server answers
conditional GETs with 304 (``not_modified``), as a CMS or a cache in front of one does.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from newsarchive.demosite.generated.corpus import SEED, GenArticle, _Writer
from newsarchive.demosite.routes import Response

KINDS = ("update", "silent", "touch")


@dataclass(frozen=True)
class Edit:
    """One edit of article ``number`` at instant ``at`` (aware), of a kind in KINDS."""

    number: int
    at: datetime
    kind: str = "update"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"edit kind must be one of {KINDS}, got {self.kind!r}")
        if self.at.tzinfo is None:
            raise ValueError("an edit's instant must be timezone-aware")


def apply_edits(article: GenArticle, edits: Iterable[Edit]) -> GenArticle:
    """The article after its edits (those of other articles are ignored), in the order given."""
    serial = 0
    for edit in edits:
        if edit.number != article.number:
            continue
        serial += 1
        if edit.kind != "silent":
            article = replace(article, modified=max(article.modified, edit.at))
        if edit.kind != "touch":
            article = replace(article, paragraphs=(_note(article, serial), *article.paragraphs))
    return article


def _note(article: GenArticle, serial: int) -> str:
    """The paragraph an edit adds in front of the text (seeded by article and edit, in the article's language)."""
    rng = random.Random(f"{SEED}-edit-{article.number}-{serial}")
    writer = _Writer(rng, article.lang, article.section)
    return writer.fill(rng.choice(writer.words["update_templates"])) + f" [{serial}]"


def etag(article: GenArticle) -> str:
    """The article page's ETag: a hash of what a reader sees change (title and text), quoted."""
    digest = hashlib.sha256(f"{article.title}\n{article.text}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def article_headers(article: GenArticle, content_type: str) -> tuple[tuple[str, str], ...]:
    """Content-Type, Last-Modified (the modified time) and ETag of an article page."""
    return (("Content-Type", content_type), ("Last-Modified", format_datetime(article.modified, usegmt=False)),
            ("ETag", etag(article)))


def _header(response: Response, name: str) -> str | None:
    return next((v for k, v in response.headers if k.lower() == name.lower()), None)


def not_modified(response: Response, if_none_match: str | None, if_modified_since: str | None) -> Response:
    """The 304 for a conditional GET/HEAD whose validators still match ``response`` (RFC 9110 13.2.2: If-None-Match
    first, If-Modified-Since only without it), else ``response`` unchanged."""
    if response.status != 200:
        return response
    current = _header(response, "ETag")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        fresh = current is not None and ("*" in tags or current.removeprefix("W/") in tags)
    elif if_modified_since is not None and (last := _header(response, "Last-Modified")) is not None:
        try:
            fresh = parsedate_to_datetime(last) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            fresh = False
    else:
        fresh = False
    if not fresh:
        return response
    kept = tuple((k, v) for k, v in response.headers if k.lower() in ("etag", "last-modified", "cache-control"))
    return Response(304, kept, b"")
