"""Re-checks of archived articles: the conditional requests the spider makes for an article the archive
already holds, because the site reported a modification after the archived copy ("update") or because the
article's age is one of the site's ``[updates] revisit_after`` ("revisit", within ``revisit_budget``).

The request carries the archived copy's ETag (If-None-Match) and Last-Modified (If-Modified-Since), so an
unchanged page answers 304: the spider counts it, the WARC keeps a ``revisit`` record (profile
server-not-modified), and nothing is extracted. A 200 is an article page like any other. robots.txt, the
delays and the article budget (``max_pages``) apply to re-checks as to every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spiders.dates import DateHint, best_hint
from spiders.frontier import FrontierEntry
from spiders.incremental import Revisit
from spiders.reasons import SKIPPED, STAT_PREFIX
from spiders.urls import strip_trailing_slash

if TYPE_CHECKING:
    from spiders.spider import NewsSpider

STAT_REFETCHED = f"{STAT_PREFIX}/refetched"  # archived articles re-requested: the site signalled a change
STAT_REVISITED = f"{STAT_PREFIX}/revisited"  # archived articles re-requested by age ([updates] revisit_after)
STAT_CONDITIONAL = f"{STAT_PREFIX}/conditional"  # requests sent with If-None-Match / If-Modified-Since
STAT_NOT_MODIFIED = f"{STAT_PREFIX}/not_modified"  # 304 answers: the archived copy is current


class Rechecks:
    """The re-check requests of one crawl (the spider's URL claims, budgets, counters and frontier are
    shared)."""

    def __init__(self, spider: NewsSpider) -> None:
        self.spider = spider
        self.revisited = 0

    def revisit(self, due: Revisit) -> bool:
        """Admit a revisit of an archived article by age, unless it is fetched already, refused by the
        site's rules, or beyond the revisit budget (each drop counted); whether it was admitted."""
        spider = self.spider
        canonical = spider.urls.fetch_url_or_none(due.url)
        if canonical is None:
            spider.count(SKIPPED, "bad_url")
            return False
        reason = spider._static_verdict(canonical, strip_trailing_slash(canonical))
        if reason is not None:
            spider.count(SKIPPED, reason)
            return False
        if spider.key_or_none(canonical) in spider.claimed:
            return False  # fetched or queued already (as a new article, an update, or a redirect's target)
        if self.revisited >= spider.spec.updates.revisit_budget:
            spider.count(SKIPPED, "revisit_budget")
            return False
        self.revisited += 1
        published = [due.copy.published] if due.copy.published is not None else []
        return self.admit(canonical, due.key, "revisit", "revisit", published)

    def admit(self, canonical: str, key: str, kind: str, source: str, hints: Iterable[DateHint]) -> bool:
        """Admit to the spider's frontier the conditional request re-checking the archived article under
        ``key`` (kind "update" or "revisit"); False after counting why not (a duplicate, or the article
        budget spent). The request is built by the spider (``_article_request``): the copy's validators
        (If-None-Match, If-Modified-Since) and fetch time, and a 304 handed to its callback."""
        spider = self.spider
        if not spider.claim_url(canonical):
            spider.count(SKIPPED, "duplicate")
            return False
        if not spider._spend("article"):
            return False
        copy = spider.archived.get(key)
        headers = copy.conditional_headers()
        stats = spider.crawler.stats
        assert stats is not None
        stats.inc_value(STAT_REFETCHED if kind == "update" else STAT_REVISITED)
        if headers:
            stats.inc_value(STAT_CONDITIONAL)
        hint = best_hint(list(hints))
        spider.frontier.add(FrontierEntry(
            canonical, source, hint.iso() if hint else None, hint.kind if hint else None,
            tuple(headers.items()), kind, copy.fetched_at.isoformat() if copy.fetched_at else None))
        return True
