"""The generic news spider: discover candidates (feeds, sitemaps, sections, date archives), keep those in
the window and not yet archived, fetch each canonical URL once, count every drop by reason. Archived
articles the site reports modified, and those due for a revisit by age, are re-checked with conditional
requests (see spiders.incremental): a 304 is counted and recorded, nothing more. Admitted articles wait in
the spider's frontier (spiders.frontier), not in Scrapy's scheduler, and the pages kept are listed on disk
(spiders.fetched): the spider's memory does not grow with the window."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsarchive.instants import Window
from spiders.dates import DateHint, admits, best_hint, date_from_url
from spiders.discovery import DiscoveryError, children_first_useful, parse_feed, parse_sitemap, robots_sitemaps
from spiders.fetched import FetchedArticle, FetchedArticles
from spiders.frontier import Frontier, FrontierEntry, Referrers
from spiders.incremental import ArchivedCopies
from spiders.meta import (
    META_DATE_HINT,
    META_DATE_HINT_KIND,
    META_PAGE,
    META_RECHECK,
    META_ROLE,
    META_SOURCE,
    request_role,
)
from spiders.pages import canonical_href, parse_listing
from spiders.reasons import ERRORS, SKIPPED, STAT_PREFIX, classify_failure, stat_key
from spiders.rechecks import STAT_NOT_MODIFIED, Rechecks
from spiders.spec import CrawlSpec
from spiders.urls import SiteUrls, is_article_path, matches_any, strip_trailing_slash

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Discovery documents first, so the precise dates of feeds and sitemaps are seen before section links.
PRIORITY = {"robots": 100, "sitemap": 30, "feed": 30, "section": 20, "article": 0}
HTML_CONTENT_TYPES = (b"text/html", b"application/xhtml+xml")
STAT_ARCHIVED_KNOWN = f"{STAT_PREFIX}/archived_known"
STAT_CANONICAL_ALIASES = f"{STAT_PREFIX}/canonical_aliases"
NO_REFERER: Callable[[str], str | None] = lambda url: None  # noqa: E731 (candidates decided at idle: no page)


class NewsSpider(scrapy.Spider):
    """One site, one window, driven entirely by a CrawlSpec."""

    name = "newsarchive"
    frontier: Frontier  # admitted article requests waiting for Scrapy's scheduler (set by from_crawler)
    referrers: Referrers  # the Referer each admitted article is sent with (set by from_crawler)

    def __init__(self, spec: CrawlSpec, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.allowed_domains = list(spec.allowed_domains)
        self.window: Window = spec.window
        self.urls = SiteUrls(spec.base_url, spec.allowed_domains)  # allowed origins, fetch URLs, dedup keys
        self.skip_urls = frozenset(self.key_or_none(u) for u in spec.skip_urls) - {None}
        self.archived = ArchivedCopies(spec.archived, self.key_or_none)
        self.claimed: set[str] = set()  # dedup keys of URLs requested (any role), or reached by a redirect
        self.decided: set[str] = set()  # dedup keys of article candidates already given a verdict
        # Candidates decided when the crawl goes idle, with the hints gathered so far: those dated only by a
        # day that straddles a window bound (a feed or news sitemap may give the exact time), and those
        # already archived (a sitemap or feed seen later may report a newer modification).
        self.pending: dict[str, tuple[str, str, list[DateHint]]] = {}  # key -> (URL, source, hints)
        # Requests made per budget: discovery pages (feeds, sitemaps, sections, date archives) and articles
        # are budgeted apart, so a huge sitemap index cannot spend the budget before any article is fetched.
        self.spent = {"discovery": 0, "article": 0}
        self.revisits_decided = False  # revisits by age are decided once, when discovery is over
        self.rechecks = Rechecks(self)
        self.articles = FetchedArticles(None)  # the pages kept (in the crawl's scratch folder once crawling)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Also listen to every downloaded response (Scrapy's own robots.txt fetch included); the frontier
        and the list of kept pages live in NEWSARCHIVE_SCRATCH_DIR."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = Frontier.from_crawler(crawler, spider._article_request)
        spider.referrers = Referrers(crawler)
        scratch = crawler.settings.get("NEWSARCHIVE_SCRATCH_DIR")
        spider.articles = FetchedArticles(Path(scratch) if scratch else None)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_response_received, signal=signals.response_received)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def on_opened(self) -> None:
        """Record how many archived articles the spec listed (the stats exist from now on)."""
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STAT_ARCHIVED_KNOWN, len(self.archived))

    # --- bookkeeping shared with the middlewares -------------------------------------------------------

    def count(self, category: str, reason: str, n: int = 1) -> None:
        """Add n to a reason counter (candidates/skipped/fetched/errors) in Scrapy's stats."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat_key(category, reason), n)

    def url_in_scope(self, url: str) -> bool:
        """Whether url, requested as written, is on one of the site's allowed origins (scheme, host, port)."""
        return self.urls.in_scope(url)

    def claim_url(self, canonical_url: str) -> bool:
        """Claim a URL (by its dedup key) for one fetch; False if it was already claimed."""
        key = self.key_or_none(canonical_url)
        if key is None or key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def key_or_none(self, url: str) -> str | None:
        """The dedup key of a URL (see SiteUrls), or None for an unusable one."""
        return self.urls.key_or_none(url)

    def _spend(self, budget: str) -> bool:
        """Take one request from a budget ("discovery" or "article"); False, counted, when it is spent."""
        limit, reason = ((self.spec.max_discovery_pages, "max_discovery_pages") if budget == "discovery"
                         else (self.spec.max_pages, "max_pages"))
        if self.spent[budget] >= limit:
            self.count(SKIPPED, reason)
            return False
        self.spent[budget] += 1
        return True

    # --- requests --------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Sitemaps, feeds, sections and date-archive pages; the home page when none is configured."""
        spec = self.spec
        pages: list[tuple[str, str, str, Callable[[Response], Any]]]
        pages = [(u, "sitemap", "sitemap", self.parse_sitemap) for u in spec.sitemaps]
        pages += [(u, "feed", "feed", self.parse_feed) for u in spec.feeds]
        pages += [(u, "section", "section", self.parse_listing) for u in spec.sections]
        pages += [(u, "section", "date_archive", self.parse_listing) for u in spec.date_archive_urls()]
        if not pages:
            # Nothing configured: start from the home page (its robots.txt may still announce sitemaps).
            pages.append((spec.base_url, "section", "section", self.parse_listing))
        if not spec.sitemaps and not spec.politeness.obey_robots:
            # Scrapy fetches robots.txt only when obeying it; we still want its Sitemap: lines.
            robots = self._robots_request(spec.base_url)
            if robots is not None:
                yield robots
        for url, role, source, callback in pages:
            request = self._page_request(url, role, source, callback)
            if request is not None:
                yield request

    def _robots_request(self, url: str) -> Request | None:
        robots_url = urljoin(url, "/robots.txt")
        if not self.claim_url(robots_url):
            return None
        return Request(robots_url, callback=self.parse_nothing, errback=self.on_error,
                       priority=PRIORITY["robots"], meta={META_ROLE: "robots", "dont_obey_robotstxt": True})

    def _page_request(self, url: str, role: str, source: str, callback: Any, page: int = 1) -> Request | None:
        """A discovery page (sitemap, feed, listing): once per canonical URL, on allowed domains only."""
        canonical = self.urls.fetch_url_or_none(url)
        if canonical is None:
            self.count(SKIPPED, "bad_url")
            return None
        if not self.url_in_scope(canonical):
            self.count(SKIPPED, "offsite")
            log.warning("%s %s is not on an allowed origin of the site (scheme, host, port): not fetched", role, url)
            return None
        if not self.claim_url(canonical) or not self._spend("discovery"):
            return None
        meta = {META_ROLE: role, META_SOURCE: source, META_PAGE: page}
        return Request(canonical, callback=callback, errback=self.on_error, meta=meta,
                       priority=PRIORITY[role])

    def _candidate(self, url: str, source: str, hints: Iterable[DateHint | None],
                   referer: Callable[[str], str | None]) -> None:
        """Judge one article candidate: admit it to the frontier, or count why not (or keep it pending while
        its date is only known to the day and that day straddles a window bound: see on_idle). ``referer``:
        the Referer for its URL, from the page that listed it."""
        self.count("candidates", source)
        canonical = self.urls.fetch_url_or_none(url)
        if canonical is None:
            self.count(SKIPPED, "bad_url")
            return None
        key = strip_trailing_slash(canonical)
        known = [h for h in hints if h is not None]
        if key in self.decided:
            self.count(SKIPPED, "duplicate")
            if key in self.pending:
                self.pending[key][2].extend(known)  # a sharper date or a newer lastmod may have arrived
            return None
        self.decided.add(key)
        reason = self._static_verdict(canonical, key)
        if reason is not None:
            self.count(SKIPPED, reason)
            return None
        if key in self.archived or self._on_window_edge(known):
            self.pending[key] = (canonical, source, known)
            return None
        self._admit(canonical, source, known, referer)
        return None

    def _static_verdict(self, canonical: str, key: str) -> str | None:
        if not self.url_in_scope(canonical):
            return "offsite"
        if not is_article_path(canonical, self.spec.article_allow, self.spec.article_deny):
            return "denied_pattern"
        if key in self.skip_urls:
            return "already_archived"
        return None

    def _on_window_edge(self, hints: list[DateHint]) -> bool:
        """True when the best publication date is a day that is only partly inside the window."""
        published = best_hint([h for h in hints if h.kind != "lastmod"])
        if published is None or not published.day_precision or not admits(self.window, list(hints)):
            return False
        return published.earliest < self.window.start or published.latest > self.window.end

    def _admit(self, canonical: str, source: str, hints: list[DateHint],
               referer: Callable[[str], str | None] = NO_REFERER) -> bool:
        """The window test on everything known about a candidate, then its place in the frontier."""
        if not admits(self.window, list(hints)):
            self.count(SKIPPED, "out_of_window")
            return False
        if not self.claim_url(canonical):
            self.count(SKIPPED, "duplicate")  # a redirect or a fetched page's rel=canonical already reached it
            return False
        if not self._spend("article"):
            return False
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STAT_PREFIX}/in_window")
        hint = best_hint(list(hints))
        value = referer(canonical)
        self.frontier.add(FrontierEntry(canonical, source, hint.iso() if hint else None,
                                        hint.kind if hint else None, (("Referer", value),) if value else ()))
        return True

    def _article_request(self, entry: FrontierEntry) -> Request:
        """The request of an admitted article, when the frontier hands it to Scrapy."""
        return entry.request(self.parse_article, self.on_error, PRIORITY["article"])

    def on_idle(self) -> None:
        """Discovery is done: decide the pending candidates with every hint gathered for them, new articles
        first (they get the page budget first). An archived one is fetched again, conditionally, when a
        modification signal is after the archived copy (and, for one published before the window, not before
        the window); then, once, the archived articles due for a revisit by age are re-checked within the
        revisit budget."""
        due = [] if self.revisits_decided else self.archived.due_for_revisit(
            self.window.start, self.window.end, self.spec.updates.revisit_ages)
        due_keys = {r.key for r in due}
        handed_out = self.frontier.handed_out
        pending, self.pending = self.pending, {}
        for key, (canonical, source, hints) in sorted(pending.items(), key=lambda item: item[0] in self.archived):
            if key not in self.archived:
                self._admit(canonical, source, hints)
            elif self.archived.modified_since(key, hints, self.window):
                self.rechecks.admit(canonical, key, "update", source, hints)
            elif key not in due_keys:  # else the revisit below decides (and counts) it
                published: list[DateHint | None] = [h for h in hints if h.kind != "lastmod"]
                self.count(SKIPPED, "already_archived" if admits(self.window, published) else "out_of_window")
        if not self.revisits_decided:
            self.revisits_decided = True
            for revisit in due:
                self.rechecks.revisit(revisit)
        self.frontier.top_up()
        if self.frontier.handed_out > handed_out:
            raise DontCloseSpider

    # --- callbacks -------------------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> None:
        """RSS/Atom items become candidates (source feed)."""
        try:
            items = parse_feed(response.body, response.url, self.spec.timezone)
        except DiscoveryError as exc:
            self._bad_document(response, exc)
            return
        self.count("fetched", "feed")
        referer = self.referrers.of_page(response)
        for item in items:
            self._candidate(item.url, "feed", item.hints, referer)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Index children (unless stale) are fetched; urlset entries become candidates (source sitemap)."""
        try:
            sitemap = parse_sitemap(response.body, response.url, self.spec.timezone,
                                    self.spec.max_response_bytes)
        except DiscoveryError as exc:
            self._bad_document(response, exc)
            return
        self.count("fetched", "sitemap")
        if sitemap.kind != "index":
            referer = self.referrers.of_page(response)
            for entry in sitemap.entries:
                self._candidate(entry.url, "sitemap", entry.hints, referer)
            return
        for entry in children_first_useful(sitemap.entries):
            lastmod = next((h for h in entry.hints if h.kind == "lastmod"), None)
            if lastmod is not None and lastmod.before(self.window):
                self.count(SKIPPED, "stale_sitemap")
                continue
            request = self._page_request(entry.url, "sitemap", "sitemap", self.parse_sitemap)
            if request is not None:
                yield request

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """Section or date-archive page: article links become candidates; follow "next" while useful."""
        if not isinstance(response, TextResponse):
            self.count(ERRORS, "not_html")
            return
        self.count("fetched", "section")
        source = str(response.meta.get(META_SOURCE, "section"))
        listing = parse_listing(response.text, response.url)
        referer = self.referrers.of_page(response)
        dated, old = 0, 0
        for link in listing.links:
            if not matches_any(link, self.spec.article_allow):
                continue  # navigation, not a candidate
            hint = date_from_url(link, self.spec.timezone)
            if hint is not None:
                dated += 1
                old += hint.latest <= self.window.start
            self._candidate(link, source, [hint], referer)
        page = int(response.meta.get(META_PAGE, 1))
        # Listings run newest first: once a whole page predates the window, older pages cannot help.
        exhausted = dated > 0 and old == dated
        if listing.next_url and page < self.spec.max_section_pages and not exhausted:
            request = self._page_request(listing.next_url, "section", source, self.parse_listing, page + 1)
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> None:
        """Keep 200 HTML pages; count non-HTML and empty ones as errors, and 304s (a re-checked archived
        article that did not change) as not_modified."""
        if response.status == 304:
            self.count("fetched", "not_modified")
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STAT_NOT_MODIFIED)
            return
        ctype = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
        is_html = ctype in HTML_CONTENT_TYPES if ctype else isinstance(response, TextResponse)
        if not is_html:
            self.count(ERRORS, "not_html")
            log.info("not HTML (%s): %s", ctype.decode("latin-1") or "no content type", response.url)
            return
        if not response.body.strip():
            self.count(ERRORS, "empty")
            log.info("empty body: %s", response.url)
            return
        self.count("fetched", "article")
        self._claim_canonical(response)
        meta = response.meta
        try:
            self.articles.add(FetchedArticle(
                url=response.url, source=str(meta.get(META_SOURCE)), date_hint=meta.get(META_DATE_HINT),
                date_hint_kind=meta.get(META_DATE_HINT_KIND), recheck=meta.get(META_RECHECK)))
        except OSError as exc:
            self.frontier.fail(exc)  # the list of kept pages cannot be written: the crawl fails visibly

    def _claim_canonical(self, response: Response) -> None:
        """A page naming another URL as canonical: that URL is this page, so it is not fetched again."""
        href = canonical_href(response.body)
        if href is None:
            return
        try:
            key = self.key_or_none(urljoin(response.url, href))
        except ValueError:  # an unparsable canonical link (e.g. "http://[::1/x") claims nothing
            log.info("ignored unparsable canonical link %r on %s", href[:200], response.url)
            return
        if key is None or key == self.key_or_none(response.url) or not self.url_in_scope(key):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STAT_CANONICAL_ALIASES)
        self.decided.add(key)
        self.claimed.add(key)
        self.pending.pop(key, None)

    def parse_nothing(self, response: Response) -> None:
        """Callback of our own robots.txt request: on_response_received does the work."""

    def _bad_document(self, response: Response, exc: DiscoveryError) -> None:
        self.count(ERRORS, exc.reason)
        log.warning("unusable %s %s: %s", response.meta.get(META_ROLE), response.url, exc)

    def on_error(self, failure: Failure) -> None:
        """Errback of every request: count the failure under its reason."""
        request = getattr(failure, "request", None)
        role = request_role(request) if request is not None else "other"
        if role == "robots" and failure.check(HttpError):
            return  # no robots.txt simply means no rules and no announced sitemaps
        assert failure.value is not None
        category, reason = classify_failure(failure.value)
        if (reason == "http_404" and request is not None
                and request.meta.get(META_SOURCE) == "date_archive" and role == "section"):
            # Sites answer 404 for a day with nothing published: not a failure of the crawl.
            category, reason = SKIPPED, "empty_archive_day"
        self.count(category, reason)
        url = request.url if request is not None else "?"
        level = logging.DEBUG if category == SKIPPED else logging.INFO
        log.log(level, "%s %s (%s): %s", category, reason, role, url)

    def on_response_received(self, response: Response, request: Request, spider: scrapy.Spider) -> None:
        """Count robots.txt fetches and, when the spec lists no sitemaps, follow the ones it announces."""
        if request_role(request) != "robots":
            return
        self.count("fetched", "robots")
        self.claim_url(request.url)
        if self.spec.sitemaps or response.status != 200 or not isinstance(response, TextResponse):
            return
        assert self.crawler.engine is not None
        for url in robots_sitemaps(response.text, response.url):
            sitemap_request = self._page_request(url, "sitemap", "sitemap", self.parse_sitemap)
            if sitemap_request is not None:
                log.info("sitemap from robots.txt: %s", url)
                self.crawler.engine.crawl(sitemap_request)
