"""Article extraction: one page's HTML + URL to an ArticleRecord (pure, no I/O), or a rejection.

The names below are imported on first use (PEP 562): a process that only handles records (the extract stage's
write workers, the archive readers) does not load trafilatura, htmldate and lxml, about a third of a second of
start-up and tens of MiB it would never use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each public name and the module that defines it.
_HOMES = {
    "extract_article": "extract.article",
    **dict.fromkeys(
        ("REJECTION_REASONS", "NoContent", "NotAnArticle", "NotHTML", "Rejected", "TooComplex", "TooLarge",
         "TooShort", "TooSlow", "Undecodable", "is_rejection_reason", "reason_meaning"), "extract.errors"),
    "ExtractHints": "extract.hints",
    **dict.fromkeys(("ArticleRecord", "RawRef", "article_id"), "extract.record"),
    "EXTRACTOR_VERSION": "extract.version",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used, and keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'extract' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
