"""Downloader middlewares that turn policy into reasoned drops: origins, private addresses, robots.txt,
redirects."""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread
from w3lib.url import safe_url_string

from spiders.reasons import (
    SKIPPED,
    DuplicateRedirect,
    OffsiteRedirect,
    OffsiteRequest,
    PrivateAddress,
    RedirectLoop,
    RobotsDisallowed,
    stat_key,
)
from spiders.urls import SiteUrls, canonicalize_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_CRAWL_DELAY_S = 60.0
STAT_CRAWL_DELAY = "newsarchive/robots_crawl_delay_s"


def address_is_private(address: str) -> bool:
    """True for any address that is not globally routable unicast (loopback, private, link-local, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _literal_ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


def resolve_is_private(host: str) -> bool:
    """Whether a host name or literal IP is, or resolves to, a non-public address (blocking: run in a thread).

    Unresolvable names count as public here: the download then fails and is counted as a dns error.
    """
    literal = _literal_ip(host)
    if literal is not None:
        return address_is_private(literal)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    # Any private answer is refused: a name that mixes public and private answers is not trusted.
    return any(address_is_private(str(info[4][0])) for info in infos)


class OriginGuardMiddleware:
    """Refuse every request whose origin (scheme, host, port) is not one of the site's (raises OffsiteRequest).

    The last gate, whatever made the request: the spider's links, feeds and sitemaps (already checked there),
    a followed redirect, Scrapy's own robots.txt fetch for any host. It runs first (before the private-address
    lookup and robots.txt), so an off-origin URL is never resolved, asked for robots.txt or requested. It
    replaces Scrapy's OffsiteMiddleware, which compares host names only (any port, any scheme passes).
    Requests without a spider errback (Scrapy's robots.txt fetch) are counted here as ``skipped.offsite``;
    the spider's errback counts its own.
    """

    def __init__(self, crawler: Crawler, urls: SiteUrls) -> None:
        self.crawler = crawler
        self.urls = urls

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Built from NEWSARCHIVE_BASE_URL and NEWSARCHIVE_ALLOWED_DOMAINS (NotConfigured without a base URL)."""
        base_url = crawler.settings.get("NEWSARCHIVE_BASE_URL")
        if not base_url:
            raise NotConfigured("NEWSARCHIVE_BASE_URL is not set")
        return cls(crawler, SiteUrls(base_url, crawler.settings.getlist("NEWSARCHIVE_ALLOWED_DOMAINS")))

    def process_request(self, request: Request) -> None:
        """Raise OffsiteRequest for a request outside the site's origins."""
        if self.urls.in_scope(request.url):
            return
        if request.errback is None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(stat_key(SKIPPED, OffsiteRequest.reason))
        log.info("offsite: %s is not on an allowed origin of the site: not requested", request.url)
        raise OffsiteRequest(request.url)


class PrivateAddressMiddleware:
    """Refuse requests to loopback/private/link-local hosts (raises PrivateAddress) unless allowed.

    Runs before robots.txt so such hosts are not even asked for robots.txt. Name lookups run in a thread
    and are cached per host.
    """

    def __init__(self) -> None:
        self._verdicts: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Disabled (NotConfigured) when NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES is true."""
        if crawler.settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"):
            raise NotConfigured
        return cls()

    async def process_request(self, request: Request) -> None:
        """Raise PrivateAddress for a request whose host is or resolves to a non-public address."""
        host = urlparse_cached(request).hostname
        if not host:
            return
        if host not in self._verdicts:
            if _literal_ip(host) is not None:
                self._verdicts[host] = resolve_is_private(host)
            else:
                self._verdicts[host] = await maybe_deferred_to_future(deferToThread(resolve_is_private, host))
        if self._verdicts[host]:
            raise PrivateAddress(f"{host} is not a public address")


class ReasonedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, raising RobotsDisallowed so the drop is counted by reason, and
    honouring the Crawl-delay of robots.txt (Scrapy ignores it): the host's download slot never waits less
    than that between requests (AutoThrottle may lower a slot's delay, so it is checked on every request).
    A Crawl-delay beyond MAX_CRAWL_DELAY_S is capped there, with a warning."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}  # netloc -> seconds (0: none asked)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        """Scrapy's check, with its bare IgnoreRequest turned into RobotsDisallowed; then the crawl delay."""
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise RobotsDisallowed(request.url) from exc
        if rp is not None:
            self._apply_crawl_delay(rp, request)

    def _apply_crawl_delay(self, rp: RobotParser, request: Request) -> None:
        delays = self._crawl_delays
        netloc = urlparse_cached(request).netloc
        if netloc not in delays:
            agent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent) or ""
            delay = float(rp.crawl_delay(agent) or 0.0)
            if delay > MAX_CRAWL_DELAY_S:
                log.warning("robots.txt of %s asks for Crawl-delay %.0fs: capped at %.0fs", netloc, delay,
                            MAX_CRAWL_DELAY_S)
                delay = MAX_CRAWL_DELAY_S
            delays[netloc] = delay
            if delay:
                assert self.crawler.stats is not None
                self.crawler.stats.set_value(STAT_CRAWL_DELAY, delay)
        delay = delays[netloc]
        engine = self.crawler.engine
        if not delay or engine is None:
            return
        slot = engine.downloader.slots.get(engine.downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay
            slot.randomize_delay = False  # Crawl-delay is a minimum; Scrapy's jitter would go down to half


@runtime_checkable
class RedirectRegistry(Protocol):
    """What the redirect guard needs from the spider: the site's domains and the shared URL claims."""

    def url_in_scope(self, url: str) -> bool:
        """Whether a URL, requested as written, is on one of the site's allowed origins."""
        ...

    def claim_url(self, canonical_url: str) -> bool:
        """Claim a canonical URL for fetching; False when it was already claimed."""
        ...

    def key_or_none(self, url: str) -> str | None:
        """The dedup key of a URL (None when unusable): URLs with one key are one resource."""
        ...


class RedirectGuardMiddleware:
    """Vet 3xx responses before Scrapy's RedirectMiddleware follows them.

    Scrapy would silently drop offsite targets and re-fetch a loop up to REDIRECT_MAX_TIMES; instead this
    raises RedirectLoop (a URL of the chain comes back, or the chain is too long), OffsiteRedirect, or
    DuplicateRedirect (the target is already fetched or queued), and claims the target otherwise so the
    same article is not fetched again when discovered later.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_hops = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Built from the crawler (reads REDIRECT_MAX_TIMES)."""
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        """Raise a reasoned IgnoreRequest for a redirect that must not be followed; pass anything else."""
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, safe_url_string(location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        try:
            canonical_target = canonicalize_url(target)
            seen = {canonicalize_url(u) for u in chain}
        except ValueError:
            return response  # Scrapy ignores a non-http Location itself
        if canonical_target in seen or len(chain) > self.max_hops:
            raise RedirectLoop(f"{request.url} -> {target} after {len(chain)} hop(s)")
        registry = self.crawler.spider
        if not isinstance(registry, RedirectRegistry):
            return response
        if not registry.url_in_scope(target):  # robots.txt redirects included
            if request.errback is None and self.crawler.stats is not None:  # Scrapy's robots.txt fetch
                self.crawler.stats.inc_value(stat_key(SKIPPED, OffsiteRedirect.reason))
            raise OffsiteRedirect(f"{request.url} -> {target}")
        # robots.txt requests (Scrapy's own, no spider callback) follow redirects without claims.
        if request.meta.get("dont_obey_robotstxt"):
            return response
        if registry.key_or_none(target) == registry.key_or_none(request.url):
            return response  # the same resource (a trailing slash or scheme added): already claimed
        if not registry.claim_url(canonical_target):
            raise DuplicateRedirect(f"{request.url} -> {target}")
        return response

