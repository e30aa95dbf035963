"""One state of the generated site: its articles at a size, an update version and run-time edits, grouped the ways its
pages list them (by path, day, section, sitemap part), computed once per state rather than per request.

Sitemaps are split as large sites split them: one child per month, and a month with more than the size's
``sitemap_page_size`` articles (1,000 by default) in parts of that many (``/sitemaps/2025-03.xml``, then
``2025-03-p2.xml``...), far below the protocol's 50,000-URL limit; the news sitemap lists at most
NEWS_MAX_URLS (Google's limit).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from newsarchive.demosite.generated.corpus import GenArticle, Size, all_articles, as_size, revise, updatable
from newsarchive.demosite.generated.edits import Edit, apply_edits

NEWS_DAYS = 2
NEWS_MAX_URLS = 1_000
GZIP_MONTHS = frozenset({"2024-12"})


@dataclass(frozen=True)
class SitemapPart:
    """One child of the sitemap index: a month's articles, or a slice of them when the month is large."""

    month: str
    part: int  # 1-based
    articles: tuple[GenArticle, ...]

    @property
    def path(self) -> str:
        """Where the part is served (``.xml.gz`` for the gzipped months)."""
        suffix = "" if self.part == 1 else f"-p{self.part}"
        return f"/sitemaps/{self.month}{suffix}.xml" + (".gz" if self.gzipped else "")

    @property
    def gzipped(self) -> bool:
        """Whether the part is served gzipped."""
        return self.month in GZIP_MONTHS

    @property
    def lastmod(self) -> datetime:
        """The latest modified time of its articles."""
        return max(a.modified for a in self.articles)


class Catalog:
    """The site's articles (newest first) at one size and update version with ``edits`` applied (see
    ``edits``), with the groupings pages use."""

    def __init__(self, size: Size, version: int, edits: tuple[Edit, ...] = ()) -> None:
        self.size = size
        self.version = version
        self.edits = edits
        target = updatable(size)
        edited = {e.number for e in edits}
        revised = (revise(a, version) if a.number == target.number else a for a in all_articles(size))
        self.articles: tuple[GenArticle, ...] = tuple(
            apply_edits(a, edits) if a.number in edited else a for a in revised)

    @functools.cached_property
    def by_path(self) -> dict[str, GenArticle]:
        """Articles by canonical path."""
        return {a.path: a for a in self.articles}

    @functools.cached_property
    def by_day(self) -> dict[date, list[GenArticle]]:
        """Articles by local publication day, newest first."""
        days: dict[date, list[GenArticle]] = defaultdict(list)
        for a in self.articles:
            days[a.day].append(a)
        return dict(days)

    @functools.cached_property
    def by_section(self) -> dict[str, list[GenArticle]]:
        """Articles by section, newest first."""
        sections: dict[str, list[GenArticle]] = defaultdict(list)
        for a in self.articles:
            sections[a.section].append(a)
        return dict(sections)

    @functools.cached_property
    def sitemap_parts(self) -> dict[str, SitemapPart]:
        """The sitemap index's children by path, oldest month first."""
        months: dict[str, list[GenArticle]] = defaultdict(list)
        for a in self.articles:
            months[month_of(a)].append(a)
        parts, step = {}, self.size.sitemap_page_size
        for month in sorted(months):
            chosen = months[month]
            for number, first in enumerate(range(0, len(chosen), step), start=1):
                part = SitemapPart(month, number, tuple(chosen[first:first + step]))
                parts[part.path] = part
        return parts

    def news(self) -> list[GenArticle]:
        """The news sitemap's articles: those of the last NEWS_DAYS days, newest first, at most NEWS_MAX_URLS."""
        since = self.size.site_now - timedelta(days=NEWS_DAYS)
        return [a for a in self.articles if a.published >= since][:NEWS_MAX_URLS]


def month_of(article: GenArticle) -> str:
    """The YYYY-MM of an article's monthly sitemap (local publication month)."""
    return f"{article.published:%Y-%m}"


@functools.lru_cache(maxsize=8)
def _catalog(size: Size, version: int, edits: tuple[Edit, ...]) -> Catalog:
    return Catalog(size, version, edits)


def catalog(size: Size | int | None = None, version: int = 0, edits: tuple[Edit, ...] = ()) -> Catalog:
    """The site at a size (None = the default site) with the updatable article at its version-th revision
    and ``edits`` applied."""
    return _catalog(as_size(size), version, edits)
