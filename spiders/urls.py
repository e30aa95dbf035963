"""The site's URL policy: which origins may be requested, the URL each link is fetched as, the dedup key;
and the article-path tests applied to discovered links. The canonical form itself is ``urlcanon``'s (one
rule for the crawl and the article ids)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from newsarchive.urlcanon import DEFAULT_PORTS, Origin, canonicalize_url, origin_of, strip_trailing_slash


class PathPattern(Protocol):
    """A compiled pattern searched in URL paths: re.Pattern, or the RE2 patterns of a crawl spec."""

    def search(self, text: str, /) -> object: ...


__all__ = ["SiteUrls", "canonicalize_url", "host_allowed", "is_article_path", "matches_any", "strip_trailing_slash"]

HTTP_DEFAULT = ("http", DEFAULT_PORTS["http"])
HTTPS_DEFAULT = ("https", DEFAULT_PORTS["https"])


def host_allowed(host: str | None, allowed_domains: Iterable[str]) -> bool:
    """True when host is one of allowed_domains or a subdomain of one (Scrapy's offsite rule, hosts only)."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in allowed_domains)


def is_article_path(url: str, allow: Iterable[PathPattern], deny: Iterable[PathPattern]) -> bool:
    """True when the URL's path matches (re.search) some allow pattern and no deny pattern."""
    path = urlsplit(url).path or "/"
    return any(p.search(path) for p in allow) and not any(p.search(path) for p in deny)


def matches_any(url: str, patterns: Iterable[PathPattern]) -> bool:
    """True when some pattern is found (re.search) in the URL's path."""
    path = urlsplit(url).path or "/"
    return any(p.search(path) for p in patterns)


class SiteUrls:
    """One site's URL policy: allowed origins, fetch URLs and dedup keys.

    **Allowed origins** are scheme + host + port: the hosts of ``allowed_domains`` (and their subdomains)
    with the scheme and port of ``base_url``. A site on plain http at the default port may also be reached
    over https at the default port (sites move to TLS and redirect there: an upgrade). Nothing else: not
    another port of an allowed host, not http for an https site. Every request is checked against this
    (links, redirects, robots.txt and its redirects, sitemaps and feeds).

    **Fetch URL**: the canonical URL (``urlcanon``); for an https site on the default port, an
    ``http://host/`` link to an allowed host is fetched as ``https://host/`` (upgraded, never downgraded).

    **Dedup key**: the fetch URL without trailing slashes (/a/b/ and /a/b name one resource); for an http
    site on the default port, whose http and https origins are both allowed, the scheme is folded so that
    one page linked both ways is fetched once (as it was first linked).
    """

    def __init__(self, base_url: str, allowed_domains: Iterable[str] = ()) -> None:
        base = origin_of(base_url)
        if base is None:
            raise ValueError(f"base URL is not an absolute http(s) URL: {base_url!r}")
        self.base = base
        self.domains = tuple(d.lower().rstrip(".") for d in allowed_domains) or (base.host,)
        self.schemes_ports = {(base.scheme, base.port)}
        # http site on port 80: https on 443 is allowed too, and one page's http and https URLs share a key.
        self.folds_https = (base.scheme, base.port) == HTTP_DEFAULT
        if self.folds_https:
            self.schemes_ports.add(HTTPS_DEFAULT)
        self.upgrades_http = (base.scheme, base.port) == HTTPS_DEFAULT

    def origin_allowed(self, origin: Origin | None) -> bool:
        """Whether requests to this origin are allowed (False for None: not an http(s) URL)."""
        return (origin is not None and (origin.scheme, origin.port) in self.schemes_ports
                and host_allowed(origin.host, self.domains))

    def in_scope(self, url: str) -> bool:
        """Whether the URL, requested exactly as written, is on an allowed origin."""
        return self.origin_allowed(origin_of(url))

    def fetch_url(self, url: str) -> str:
        """The URL to request (ValueError for a URL without scheme or host, or with a bad port)."""
        canonical = canonicalize_url(url)
        origin = origin_of(canonical)
        if (self.upgrades_http and origin is not None and (origin.scheme, origin.port) == HTTP_DEFAULT
                and host_allowed(origin.host, self.domains)):
            return "https" + canonical.removeprefix("http")
        return canonical

    def key(self, url: str) -> str:
        """The dedup key of a URL (ValueError if unusable)."""
        fetch = strip_trailing_slash(self.fetch_url(url))
        if self.folds_https and fetch.startswith("https://") and self.in_scope(fetch):
            return "http" + fetch.removeprefix("https")  # both default ports: dropped by the canonical form
        return fetch

    def fetch_url_or_none(self, url: str) -> str | None:
        """fetch_url, or None for an unusable URL."""
        try:
            return self.fetch_url(url)
        except ValueError:
            return None

    def key_or_none(self, url: str) -> str | None:
        """key, or None for an unusable URL."""
        try:
            return self.key(url)
        except ValueError:
            return None
