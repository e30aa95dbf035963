"""URL canonicalisation (the dedup key) and the article/site tests applied to discovered links."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only track the visitor: dropped so the same article dedups to one URL.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga",
})
TRACKING_PREFIXES = ("utm_",)
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


class PathPattern(Protocol):
    """A compiled pattern searched in URL paths: re.Pattern, or the RE2 patterns of a crawl spec."""

    def search(self, text: str, /) -> object: ...


def canonicalize_url(url: str) -> str:
    """The dedup form of an absolute URL.

    Lower-case scheme and host, default port and fragment dropped, tracking parameters (utm_*, fbclid,
    gclid, ...) removed, the remaining query parameters sorted, an empty path made "/". Percent escapes are
    upper-cased but otherwise the path and query keep their encoding (decoding could change meaning).
    Raises ValueError for a URL without scheme or host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not scheme or not host:
        raise ValueError(f"not an absolute URL: {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL: {url!r}") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = _upper_escapes(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def strip_trailing_slash(url: str) -> str:
    """The URL without trailing slashes on its path ("/" stays): /a/b/ and /a/b name one resource."""
    parts = urlsplit(url)
    if len(parts.path) <= 1 or not parts.path.endswith("/"):
        return url
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))


def with_scheme(canonical_url: str, scheme: str) -> str:
    """A canonical URL moved to another scheme (http <-> https), re-canonicalised (default ports drop)."""
    current = urlsplit(canonical_url).scheme
    if current == scheme:
        return canonical_url
    return canonicalize_url(scheme + canonical_url[len(current):])


def _upper_escapes(text: str) -> str:
    return _PERCENT.sub(lambda m: m.group(0).upper(), text)


def _is_tracking(name: str) -> bool:
    key = unquote(name).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _canonical_query(query: str) -> str:
    pairs = [p for p in query.split("&") if p]
    kept = [_upper_escapes(p) for p in pairs if not _is_tracking(p.split("=", 1)[0])]
    # Sort by name then value; the raw pair text keeps the site's own encoding.
    return "&".join(sorted(kept, key=lambda p: tuple(p.split("=", 1)) if "=" in p else (p, "")))


def host_allowed(host: str | None, allowed_domains: Iterable[str]) -> bool:
    """True when host is one of allowed_domains or a subdomain of one (Scrapy's offsite rule)."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in allowed_domains)


def url_allowed(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the URL is http(s) and its host is within allowed_domains."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and host_allowed(parts.hostname, allowed_domains)


def is_article_path(url: str, allow: Iterable[PathPattern], deny: Iterable[PathPattern]) -> bool:
    """True when the URL's path matches (re.search) some allow pattern and no deny pattern."""
    path = urlsplit(url).path or "/"
    return any(p.search(path) for p in allow) and not any(p.search(path) for p in deny)


def matches_any(url: str, patterns: Iterable[PathPattern]) -> bool:
    """True when some pattern is found (re.search) in the URL's path."""
    path = urlsplit(url).path or "/"
    return any(p.search(path) for p in patterns)


class SiteUrls:
    """How one site's URLs are fetched and deduplicated.

    The fetch URL is the canonical URL, moved to the site's scheme when it is on the site's own host (an
    https link to an http-only site, or the reverse, is the same page); the dedup key is the fetch URL
    without trailing slashes (/a/b/ and /a/b name one resource).
    """

    def __init__(self, base_url: str) -> None:
        base = urlsplit(base_url)
        self.scheme, self.host = base.scheme, (base.hostname or "").lower()

    def fetch_url(self, url: str) -> str:
        """The URL to request (ValueError for a URL without scheme or host)."""
        canonical = canonicalize_url(url)
        parts = urlsplit(canonical)
        if (parts.hostname or "") == self.host and parts.scheme in ("http", "https"):
            return with_scheme(canonical, self.scheme)
        return canonical

    def key(self, url: str) -> str:
        """The dedup key of a URL (ValueError if unusable)."""
        return strip_trailing_slash(self.fetch_url(url))

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
