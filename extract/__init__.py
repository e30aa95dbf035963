"""Article extraction: one page's HTML + URL to an ArticleRecord (pure, no I/O), or a rejection."""

from __future__ import annotations

from extract.article import extract_article
from extract.errors import (
    REJECTION_REASONS,
    NoContent,
    NotAnArticle,
    NotHTML,
    Rejected,
    TooComplex,
    TooLarge,
    TooShort,
    TooSlow,
    Undecodable,
    is_rejection_reason,
    reason_meaning,
)
from extract.hints import ExtractHints
from extract.record import ArticleRecord, RawRef, article_id
from extract.version import EXTRACTOR_VERSION

__all__ = [
    "EXTRACTOR_VERSION",
    "REJECTION_REASONS",
    "ArticleRecord",
    "ExtractHints",
    "NoContent",
    "NotAnArticle",
    "NotHTML",
    "RawRef",
    "Rejected",
    "TooComplex",
    "TooLarge",
    "TooShort",
    "TooSlow",
    "Undecodable",
    "article_id",
    "extract_article",
    "is_rejection_reason",
    "reason_meaning",
]
