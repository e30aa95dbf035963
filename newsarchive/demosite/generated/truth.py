"""Ground truth of the generated site: which articles exist, when they were published, and their URLs.

``articles()`` are the archivable ones (robots.txt allows them); ``disallowed()`` the sponsored ones a
polite crawler never requests. Both are newest first, by publication instant. Every function takes the
site's ``size`` (its number of public articles, as served by ``serve_generated(size=...)``; None = the
default site).
"""

from __future__ import annotations

from datetime import datetime

from newsarchive.demosite.generated.corpus import DISALLOWED_SECTION, GenArticle, Size, all_articles, revise, updatable
from newsarchive.demosite.generated.pages import article_url, variant_links


def articles(size: Size | int | None = None) -> list[GenArticle]:
    """Every article robots.txt allows, newest first."""
    return [a for a in all_articles(size) if not a.disallowed]


def disallowed(size: Size | int | None = None) -> list[GenArticle]:
    """The articles of the robots-disallowed section (``/partners/``)."""
    return [a for a in all_articles(size) if a.disallowed]


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def articles_between(start: datetime, end: datetime, size: Size | int | None = None) -> list[GenArticle]:
    """Allowed articles whose publication instant is in [start, end) (aware datetimes, else ValueError)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    return [a for a in articles(size) if start <= a.published < end]


def url(article: GenArticle, base_url: str) -> str:
    """The canonical URL of an article on a site served at base_url."""
    return article_url(base_url, article)


def duplicate_urls(article: GenArticle, base_url: str) -> list[str]:
    """Every other URL under which the site links the article (trailing slash, utm_*, https)."""
    wheres = ("home", "section", "archive")
    return sorted({link for where in wheres for link in variant_links(base_url, article, where)})


def updated(version: int, size: Size | int | None = None) -> GenArticle:
    """The updatable article at its version-th revision (0 = as first published)."""
    return revise(updatable(size), version)


__all__ = ["DISALLOWED_SECTION", "GenArticle", "Size", "articles", "articles_between", "disallowed", "duplicate_urls",
           "updated", "url"]
