"""The canonical form of a URL: one rule, shared by the crawl (dedup keys, fetch URLs) and the extractor
(article ids), so that an article's id never depends on what a page's links add per fetch.

Standard library only: ``extract/`` (pure, no Scrapy) and ``spiders/`` both import it.

The canonical form lower-cases scheme and host, drops the default port, the fragment, tracking parameters
(``utm_*``, ``fbclid``, ...) and session parameters (``jsessionid``, ``PHPSESSID``, a token-shaped ``sid``...,
also as ``;jsessionid=...`` path parameters), sorts the remaining query parameters and makes an empty path
"/". The path and query otherwise keep their encoding (decoding could change meaning). It is idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_PORTS",
    "SESSION_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "Origin",
    "canonicalize_url",
    "origin_of",
    "strip_trailing_slash",
]

DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only track the visitor (analytics, ad clicks, mailing and social campaigns).
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "li_fat_id",
    "xtor", "xtref",  # AT Internet (common on French news sites: ?xtor=RSS-3208)
    "cmpid", "ocid", "smid", "icid", "s_cid", "s_kwcid", "soc_src", "soc_trk",  # news sites' campaign ids
})
# Google Analytics, Piwik/Matomo, AT Internet, comScore, HubSpot ads campaign parameters.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "ns_", "hsa_")
# A value that looks like a generated token (at least 16 characters, letters and digits mixed): how a
# session id is told from a meaningful value under a generic name such as "sid" or "session".
_TOKEN = re.compile(r"^(?=[^0-9]*[0-9])(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9._~%-]{16,}$")
# Session parameters (lower-case name -> which values are dropped): a server that rewrites URLs with the
# visitor's session puts a new one in every page it serves, links and canonical links included.
SESSION_PARAMS: dict[str, re.Pattern[str] | None] = {
    "jsessionid": None, "phpsessid": None, "sessionid": None, "session_id": None, "sessid": None,
    "cfid": None, "cftoken": None, "zenid": None, "oscsid": None, "s_sid": None,
    "sid": _TOKEN, "session": _TOKEN, "sess": _TOKEN,
}
SESSION_PREFIXES = ("aspsessionid",)  # ASP classic: ASPSESSIONIDxxxxxxxx=...
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


@dataclass(frozen=True)
class Origin:
    """(scheme, host, port) of a URL, the port always explicit: what a browser calls an origin."""

    scheme: str  # http or https
    host: str  # lower-case host name or IP literal (no brackets)
    port: int  # the scheme's default filled in

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) URL, or None (another scheme, no host, a bad port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return Origin(scheme, host, DEFAULT_PORTS[scheme] if port is None else port)


def canonicalize_url(url: str) -> str:
    """The canonical form of an absolute URL (see the module docstring); idempotent.

    Raises ValueError for a URL without scheme or host, or with a bad port.
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
    path = _without_session_path_params(_upper_escapes(parts.path)) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def strip_trailing_slash(url: str) -> str:
    """The URL without trailing slashes on its path ("/" stays): /a/b/ and /a/b name one resource."""
    parts = urlsplit(url)
    if len(parts.path) <= 1 or not parts.path.endswith("/"):
        return url
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))


def _upper_escapes(text: str) -> str:
    return _PERCENT.sub(lambda m: m.group(0).upper(), text)


def _is_session(name: str, value: str | None) -> bool:
    key = unquote(name).lower()
    if key.startswith(SESSION_PREFIXES):
        return True
    if key not in SESSION_PARAMS:
        return False
    shape = SESSION_PARAMS[key]
    return shape is None or (value is not None and bool(shape.match(value)))


def _is_volatile(pair: str) -> bool:
    """Whether a query pair only tracks the visitor or carries a session (dropped from the canonical form)."""
    name, sep, value = pair.partition("=")
    key = unquote(name).lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return _is_session(name, value if sep else None)


def _canonical_query(query: str) -> str:
    pairs = [p for p in query.split("&") if p]
    kept = [_upper_escapes(p) for p in pairs if not _is_volatile(p)]
    # Sort by name then value; the raw pair text keeps the site's own encoding.
    return "&".join(sorted(kept, key=lambda p: tuple(p.split("=", 1)) if "=" in p else (p, "")))


def _without_session_path_params(path: str) -> str:
    """The path without ``;jsessionid=...``-style parameters (servlet URL rewriting puts them in segments)."""
    if ";" not in path:
        return path
    segments = []
    for segment in path.split("/"):
        head, *params = segment.split(";")
        kept = [p for p in params if not _is_session(p.partition("=")[0], p.partition("=")[2])]
        segments.append(";".join([head, *kept]))
    return "/".join(segments)
