"""Replies of the hostile cases (``newsarchive.demosite.hostile``): what one answer is, and the makers and bodies the
case
table is built from (feeds with XXE, bombs, oversized pages...)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from newsarchive.demosite import hostile_pages as hp

HTML = "text/html; charset=utf-8"
BEACON = "/hostile/beacon/"  # XXE/SSRF entities point here: any request for it is a parser leak


@dataclass(frozen=True)
class Reply:
    """One answer. Beyond status/headers/body: ``declared_length`` (a Content-Length other than the body's,
    then the connection closes), ``delay_s`` (wait before the status line), ``drip_s`` (wait between
    64-byte pieces of the body), ``close_delimited`` (no Content-Length: the body ends when the connection
    closes), ``drop`` (close the connection without any answer)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    declared_length: int | None = None
    delay_s: float = 0.0
    drip_s: float = 0.0
    close_delimited: bool = False
    drop: bool = False

    @property
    def plain(self) -> bool:
        """Whether an ordinary HTTP server (newsarchive.demosite.server) can send this reply as it is meant."""
        return (self.declared_length is None and not self.delay_s and not self.drip_s
                and not self.close_delimited and not self.drop)


# (base_url without trailing slash, attempt = earlier requests for the same URL) -> Reply
Maker = Callable[[str, int], Reply]


# -- reply makers ---------------------------------------------------------------------------------------


def fixed(status: int, content_type: str | None, body: bytes = b"", *extra: tuple[str, str],
          delay_s: float = 0.0, drip_s: float = 0.0, close_delimited: bool = False, drop: bool = False) -> Maker:
    """Always the same reply: Content-Type (when given) and ``extra`` headers, plus transport tricks."""
    headers = (*((("Content-Type", content_type),) if content_type else ()), *extra)
    reply = Reply(status, headers, body, delay_s=delay_s, drip_s=drip_s, close_delimited=close_delimited, drop=drop)
    return lambda base, attempt: reply


def page(slug: str, encoding: str = "utf-8", header: str | None = HTML, meta: str | None = "utf-8",
         bom: bool = False) -> Maker:
    """A good article encoded with ``encoding``; ``header`` is the Content-Type, ``meta`` the <meta charset>."""
    html = hp.article_html(hp.GOOD_BY_SLUG[slug], meta_charset=meta)
    body = (b"\xef\xbb\xbf" if bom else b"") + html.encode(encoding)
    return fixed(200, header, body)


def on_site_host(template: str, base: str) -> str:
    """A URL template with ``{host}`` and ``{port}`` filled from the site's base URL (other ports, schemes)."""
    parts = urlsplit(base)
    return template.format(host=parts.hostname, port=parts.port) if "{" in template else template


def redirect(target: str, status: int = 302) -> Maker:
    """A redirect; a target starting with "/" is made absolute on the site; ``{host}``/``{port}`` are the site's."""
    def make(base: str, attempt: int) -> Reply:
        location = on_site_host(target, base)
        location = base + location if location.startswith("/") else location
        return Reply(status, (("Location", location), ("Content-Type", HTML)), b"")
    return make


def volatile_canonical(slug: str, template: str, og_url: bool = False) -> Maker:
    """A good article whose canonical link (or og:url) changes on every fetch: ``template`` is filled with
    ``{base}``, the fetch count ``{n}`` and a per-fetch session token ``{token}`` (32 hex digits)."""
    def make(base: str, attempt: int) -> Reply:
        token = hashlib.sha256(f"{slug}/{attempt}".encode()).hexdigest()[:32]
        href = escape(template.format(base=base, n=attempt, token=token))
        tag = f'<meta property="og:url" content="{href}">' if og_url else f'<link rel="canonical" href="{href}">'
        html = hp.article_html(hp.GOOD_BY_SLUG[slug]).replace("</head>", f"{tag}\n</head>", 1)
        return Reply(200, (("Content-Type", HTML),), html.encode("utf-8"))
    return make


def then(first: Reply, slug: str) -> Maker:
    """``first`` on the first request, the good article on every later one (retries must get there)."""
    good = page(slug)
    return lambda base, attempt: first if attempt == 0 else good(base, attempt)


def document(content_type: str, build: Callable[[str], bytes]) -> Maker:
    """A feed or sitemap built for the site's base URL."""
    return lambda base, attempt: Reply(200, (("Content-Type", content_type),), build(base))


RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(255, -1, -1)) * 4
NOISE = bytes((i * 7919 + 13) % 251 for i in range(4096))
# A response bigger than the test site's max_response_bytes (1 MiB).
OVERSIZED_BYTES = 1536 * 1024


def oversized_html() -> bytes:
    filler = "<p>" + "remplissage " * 80 + "</p>\n"
    return ("<html><body>" + filler * (OVERSIZED_BYTES // len(filler) + 1) + "</body></html>").encode()


def truncated() -> Reply:
    body = hp.article_html(hp.GoodArticle("truncated", "en", "Cut short", ("A page cut short " * 40,))).encode()
    return Reply(200, (("Content-Type", HTML),), body[: len(body) // 2], declared_length=len(body) * 4)


def schemes_feed(base: str) -> bytes:
    return hp.rss([
        ("script", "javascript:alert(document.cookie)"),
        ("data", "data:text/html;base64,PGgxPmhpPC9oMT4="),
        ("mail", "mailto:newsroom@demonews.example"),
        ("file", f"file://{hp.XXE_FILE}"),
        ("ftp", "ftp://127.0.0.1/hostile/ftp-article.html"),
        ("good", f"{base}/hostile/feed-only/bakers-four-day-week.html"),
    ])


def truncated_feed(base: str) -> bytes:
    full = hp.rss([("ligne de bus", f"{base}/hostile/feed-only/bus-de-nuit.html"),
                   ("cut", f"{base}/hostile/feed-only/never-finished.html")]).decode()
    return full[: full.index("<title>cut") + len("<title>cu")].encode()  # cut inside the second item


def xxe_feed(base: str) -> bytes:
    return hp.rss([("&xxe;", f"{base}/hostile/xxe/&xxe;.html"), ("&ssrf;", f"{base}/hostile/xxe/ssrf.html")],
                  doctype=hp.xxe_doctype("rss", base, BEACON + "feed-"))


def xxe_sitemap(base: str) -> bytes:
    return hp.urlset([(f"{base}/hostile/xxe/&xxe;.html", None), (f"{base}/hostile/xxe/&ssrf;.html", None)],
                     doctype=hp.xxe_doctype("urlset", base, BEACON + "sitemap-"))


def laughs_feed(base: str) -> bytes:
    return hp.rss([("&lol9;", f"{base}/hostile/lol/&lol9;.html")], doctype=hp.laughs_doctype("rss"))


def laughs_sitemap(base: str) -> bytes:
    return hp.urlset([(f"{base}/hostile/lol/&lol9;.html", None)], doctype=hp.laughs_doctype("urlset"))


def big_sitemap(count: int) -> Callable[[str], bytes]:
    return lambda base: hp.urlset([(f"{base}/hostile/stale/{n:06d}.html", hp.STALE_DATE) for n in range(count)])


def stale_index(base: str) -> bytes:
    return hp.sitemap_index([(f"{base}/hostile/stale-sitemaps/{n:05d}.xml", hp.STALE_DATE)
                             for n in range(hp.STALE_INDEX_CHILDREN)])


def looping_index(base: str) -> bytes:
    return hp.sitemap_index([(f"{base}/hostile/sitemap/index-loop.xml", None),
                             (f"{base}/hostile/sitemap/index-loop.xml?again=1", None)])
