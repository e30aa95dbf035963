"""Ground truth of the generated site: which articles exist, when they were published, and their URLs.

``articles()`` are the archivable ones (robots.txt allows them); ``disallowed()`` the sponsored ones a
polite crawler never requests. Both are newest first, by publication instant.
"""

from __future__ import annotations

from datetime import datetime

from newsarchive.demosite.generated.corpus import DISALLOWED_SECTION, GenArticle, all_articles, revise, updatable
from newsarchive.demosite.generated.pages import article_url, variant_links


def articles() -> list[GenArticle]:
    """Every article robots.txt allows, newest first."""
    return [a for a in all_articles() if not a.disallowed]


def disallowed() -> list[GenArticle]:
    """The articles of the robots-disallowed section (``/partners/``)."""
    return [a for a in all_articles() if a.disallowed]


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def articles_between(start: datetime, end: datetime) -> list[GenArticle]:
    """Allowed articles whose publication instant is in [start, end) (aware datetimes, else ValueError)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    return [a for a in articles() if start <= a.published < end]


def url(article: GenArticle, base_url: str) -> str:
    """The canonical URL of an article on a site served at base_url."""
    return article_url(base_url, article)


def duplicate_urls(article: GenArticle, base_url: str) -> list[str]:
    """Every other URL under which the site links the article (trailing slash, utm_*, https)."""
    wheres = ("home", "section", "archive")
    return sorted({link for where in wheres for link in variant_links(base_url, article, where)})


def updated(version: int) -> GenArticle:
    """The updatable article at its version-th revision (0 = as first published)."""
    return revise(updatable(), version)


__all__ = ["DISALLOWED_SECTION", "GenArticle", "articles", "articles_between", "disallowed", "duplicate_urls",
           "updated", "url"]
