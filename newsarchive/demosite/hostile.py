"""Hostile and bad-input cases: a table (path -> behaviour -> what a correct pipeline does with it).

``CASES`` is the table; add a row to add a case. ``/hostile/`` lists every linked case like a section page
(plus javascript:, data:, mailto: and dot-segment links that must never be requested); feed and sitemap
cases are reached through a site config's ``feeds``/``sitemaps`` (see ``feed_paths``/``sitemap_paths``).

Cases whose ``Reply`` only bends content (status, headers, body) are served by the regular demo site
through ``respond`` (hooked into ``newsarchive.demosite.routes``). Transport tricks (stalls, slow drips, a body shorter
than its Content-Length, close-delimited bodies, dropped connections), answers that change with the
attempt (429 then 200) and broken robots.txt variants need ``newsarchive.demosite.hostile_server.serve``.

``expect`` says where the case must show up in the run report: ``archived`` (a good article, archived
with its exact text), ``crawl.<errors|skipped>.<reason>`` (crawl counts) or ``extract.<key>`` (extract
counts); ``robots`` variants are checked by Scrapy's robotstxt/* counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from newsarchive.demosite import hostile_extract as hx
from newsarchive.demosite import hostile_pages as hp
from newsarchive.demosite.hostile_replies import (
    BEACON,
    HTML,
    JPEG,
    NOISE,
    PNG,
    RSS,
    XML,
    Maker,
    Reply,
    big_sitemap,
    document,
    fixed,
    laughs_feed,
    laughs_sitemap,
    looping_index,
    on_site_host,
    oversized_html,
    page,
    redirect,
    schemes_feed,
    stale_index,
    then,
    truncated,
    truncated_feed,
    volatile_canonical,
    xxe_feed,
    xxe_sitemap,
)
from newsarchive.demosite.markup import esc
from newsarchive.demosite.pages import shell

__all__ = ["CASES", "CASES_BY_PATH", "ROBOTS_VARIANTS", "HostileCase", "Reply", "feed_paths", "on_site_host",
           "respond", "sitemap_paths"]
INDEX_PATH = "/hostile/"
REDIRECT_CHAIN_HOPS = 8  # more than the spider's REDIRECT_MAX_TIMES (5)
LONG_SEGMENT = "x" * 1800
# Where redirects and links to loopback/private hosts point (a page that exists on the site itself).
PRIVATE_TARGET = "/hostile/charset/windows-1252.html"




@dataclass(frozen=True)
class HostileCase:
    """One row: the decoded path served, a kind, what it does, the expected outcome and how it is reached.

    ``link`` is the href on /hostile/ ("" = the path itself, None = not linked there); ``role`` is how the
    crawler meets it (article link, feed, sitemap, or "hop": only via a redirect). ``good`` names the
    GoodArticle it serves when ``expect`` is "archived".
    """

    path: str
    kind: str
    behaviour: str
    expect: str
    make: Maker = field(repr=False)
    link: str | None = ""
    role: str = "article"
    good: str | None = None

    @property
    def href(self) -> str | None:
        """The link as written on /hostile/ (site-relative), or None."""
        if self.link is None or self.role != "article":
            return None
        return self.link or quote(self.path)


def _chain() -> tuple[HostileCase, ...]:
    rows = []
    for hop in range(REDIRECT_CHAIN_HOPS):
        rows.append(HostileCase(
            f"/hostile/redirect/chain-{hop}.html", "redirect",
            f"hop {hop} of a {REDIRECT_CHAIN_HOPS}-hop redirect chain", "crawl.errors.redirect_loop",
            redirect(f"/hostile/redirect/chain-{hop + 1}.html"), link="" if hop == 0 else None,
            role="article" if hop == 0 else "hop"))
    return tuple(rows)


CASES: tuple[HostileCase, ...] = (
    # Non-HTML content types and binary bodies.
    HostileCase("/hostile/type/photo.jpg", "content_type", "200 image/jpeg, JPEG bytes", "crawl.errors.not_html",
                fixed(200, "image/jpeg", JPEG)),
    HostileCase("/hostile/type/download.bin", "content_type", "200 application/octet-stream, noise",
                "crawl.errors.not_html", fixed(200, "application/octet-stream", NOISE)),
    HostileCase("/hostile/type/data.json", "content_type", "200 application/json", "crawl.errors.not_html",
                fixed(200, "application/json", b'{"headline": "not a page"}')),
    HostileCase("/hostile/type/png-as-html.html", "binary", "200 text/html whose body is a PNG image",
                "extract.rejected.not_html", fixed(200, HTML, PNG)),
    HostileCase("/hostile/type/untyped.html", "binary", "200 without Content-Type, binary body (NULs)",
                "extract.rejected.not_html", fixed(200, None, b"\0\0\0\0" + NOISE)),
    # Truncated and oversized responses.
    HostileCase("/hostile/size/truncated.html", "truncated",
                "Content-Length four times the body; the connection closes half-way",
                "crawl.errors.connection", lambda base, attempt: truncated()),
    HostileCase("/hostile/size/oversized.html", "oversized", "1.5 MiB page with Content-Length (limit 1 MiB)",
                "crawl.errors.too_large", fixed(200, HTML, oversized_html())),
    HostileCase("/hostile/size/oversized-streamed.html", "oversized",
                "1.5 MiB page without Content-Length (ends at connection close)", "crawl.errors.too_large",
                fixed(200, HTML, oversized_html(), close_delimited=True)),
    # Compression bombs (64 MiB of zeros in ~64 KiB) and odd encodings.
    HostileCase("/hostile/bomb/gzip.html", "bomb", "Content-Encoding gzip bomb", "crawl.errors.too_large",
                lambda base, attempt: Reply(200, (("Content-Type", HTML), ("Content-Encoding", "gzip")),
                                            hp.gzip_bomb())),
    HostileCase("/hostile/bomb/deflate.html", "bomb", "Content-Encoding deflate bomb", "crawl.errors.too_large",
                lambda base, attempt: Reply(200, (("Content-Type", HTML), ("Content-Encoding", "deflate")),
                                            hp.deflate_bomb())),
    HostileCase("/hostile/bomb/brotli.html", "bomb", "Content-Encoding br bomb (never asked for)",
                "crawl.errors.too_large",
                lambda base, attempt: Reply(200, (("Content-Type", HTML), ("Content-Encoding", "br")),
                                            hp.brotli_bomb())),
    HostileCase("/hostile/bomb/raw-gzip.html", "bomb", "text/html whose body is a gzip bomb, no Content-Encoding",
                "extract.rejected.too_large", lambda base, attempt: Reply(200, (("Content-Type", HTML),),
                                                                          hp.gzip_bomb())),
    HostileCase("/hostile/encoding/gzip.html", "encoding", "good article, ordinary Content-Encoding gzip",
                "archived", lambda base, attempt: Reply(
                    200, (("Content-Type", HTML), ("Content-Encoding", "gzip")),
                    hp.gzip_page(hp.article_html(hp.GOOD_BY_SLUG["gzip"])), ), good="gzip"),
    HostileCase("/hostile/encoding/false-gzip.html", "encoding",
                "good article labelled Content-Encoding gzip but sent uncompressed", "archived",
                lambda base, attempt: Reply(200, (("Content-Type", HTML), ("Content-Encoding", "gzip")),
                                            hp.article_html(hp.GOOD_BY_SLUG["bad-gzip"]).encode()),
                good="bad-gzip"),
    # Wrong or missing charsets: good articles that must come out with the right text.
    HostileCase("/hostile/charset/latin-1.html", "charset", "ISO-8859-1 bytes, charset in the header only",
                "archived", page("latin-1", "latin-1", "text/html; charset=iso-8859-1", None), good="latin-1"),
    HostileCase("/hostile/charset/windows-1252.html", "charset", "windows-1252 bytes (€ œ ’ “ ”), header charset",
                "archived", page("windows-1252", "cp1252", "text/html; charset=windows-1252", None),
                good="windows-1252"),
    HostileCase("/hostile/charset/utf-8-bom.html", "charset", "UTF-8 with a BOM, no charset anywhere",
                "archived", page("utf-8-bom", header="text/html", meta=None, bom=True), good="utf-8-bom"),
    HostileCase("/hostile/charset/undeclared.html", "charset", "UTF-8, no charset anywhere", "archived",
                page("undeclared", header="text/html", meta=None), good="undeclared"),
    HostileCase("/hostile/charset/mislabelled.html", "charset", "UTF-8 bytes labelled iso-8859-1", "archived",
                page("mislabelled", "utf-8", "text/html; charset=iso-8859-1", "iso-8859-1"), good="mislabelled"),
    HostileCase("/hostile/charset/meta-only.html", "charset", "windows-1252 bytes, charset only in <meta>",
                "archived", page("meta-only", "cp1252", "text/html", "windows-1252"), good="meta-only"),
    HostileCase("/hostile/charset/wrong-utf8-label.html", "charset", "windows-1252 bytes labelled utf-8",
                "archived", page("wrong-utf8-label", "cp1252", HTML, "utf-8"), good="wrong-utf8-label"),
    # Malformed HTML.
    HostileCase("/hostile/html/tag-soup.html", "malformed_html", "no html/head/body, unclosed and mis-nested tags",
                "archived", fixed(200, HTML, hp.malformed_html(hp.GOOD_BY_SLUG["malformed"]).encode()),
                good="malformed"),
    HostileCase("/hostile/html/nul-bytes.html", "malformed_html", "good article with NUL bytes between paragraphs",
                "archived", fixed(200, HTML, hp.with_nul_bytes(hp.GOOD_BY_SLUG["nul-bytes"])), good="nul-bytes"),
    HostileCase("/hostile/html/broken-canonical.html", "malformed_html",
                "good article whose canonical link is an unparsable URL (http://[::1/...)", "archived",
                fixed(200, HTML, hp.broken_canonical(hp.GOOD_BY_SLUG["broken-canonical"]).encode()),
                good="broken-canonical"),
    HostileCase("/hostile/html/deep-nesting.html", "malformed_html", "good article inside 300 unclosed <div>s",
                "archived", fixed(200, HTML, hp.nested_html(hp.GOOD_BY_SLUG["deep-nesting"]).encode()),
                good="deep-nesting"),
    HostileCase("/hostile/html/bloated.html", "malformed_html",
                "an article page padded with 60,000 empty elements (extraction time grows with them)",
                "extract.rejected.too_complex",
                fixed(200, HTML, hp.bloated_html(hp.GOOD_BY_SLUG["deep-nesting"]).encode())),
    # Pages that stopped, slowed or garbled the extract stage (issue 13).
    HostileCase("/hostile/html/surrogate-jsonld.html", "extract_unicode",
                "good article whose JSON-LD author and keywords are lone surrogates (\\udfff)", "archived",
                fixed(200, HTML, hx.surrogate_jsonld("surrogate-jsonld")), good="surrogate-jsonld"),
    HostileCase("/hostile/html/deep-jsonld.html", "extract_bounds",
                f"good article with a JSON-LD block nested {hx.JSONLD_DEPTH:,} levels deep", "archived",
                fixed(200, HTML, hx.deep_jsonld("deep-jsonld")), good="deep-jsonld"),
    HostileCase("/hostile/html/many-attributes.html", "extract_bounds",
                f"good article with one element of {hx.ATTRIBUTES:,} attributes (parsing is quadratic in them)",
                "archived", fixed(200, HTML, hx.many_attributes("many-attributes")), good="many-attributes"),
    HostileCase("/hostile/text/bad-utf8-bytes.html", "charset",
                "good UTF-8 article with a few invalid bytes (windows-1252, 0xFF, a cut sequence) in its footer",
                "archived", fixed(200, HTML, hx.bad_utf8_bytes("bad-utf8-bytes")), good="bad-utf8-bytes"),
    HostileCase("/hostile/html/slow.html", "extract_bounds",
                f"an article followed by {hx.SLOW_PARAGRAPHS:,} short paragraphs: seconds of CPU, over the test "
                "site's page_timeout_s of 1 s", "extract.rejected.too_slow", fixed(200, HTML, hx.slow_page("gzip"))),
    # Empty answers.
    HostileCase("/hostile/empty/zero.html", "empty", "200 text/html, 0 bytes", "crawl.errors.empty", fixed(200, HTML)),
    HostileCase("/hostile/empty/blank.html", "empty", "200 text/html, only whitespace", "crawl.errors.empty",
                fixed(200, HTML, b" \r\n\t \n" * 50)),
    HostileCase("/hostile/empty/no-content.html", "empty", "204 No Content", "crawl.errors.empty",
                fixed(204, None)),
    # HTTP errors, throttling and retries.
    HostileCase("/hostile/status/gone.html", "http_status", "410 Gone", "crawl.errors.http_410", fixed(410, HTML)),
    HostileCase("/hostile/status/missing.html", "http_status", "404 Not Found", "crawl.errors.http_404",
                fixed(404, HTML, b"<h1>404</h1>")),
    HostileCase("/hostile/status/crash.html", "http_status", "500 on every attempt", "crawl.errors.http_500",
                fixed(500, HTML, b"<h1>500</h1>")),
    HostileCase("/hostile/status/bad-gateway.html", "http_status", "502 on every attempt", "crawl.errors.http_502",
                fixed(502, HTML, b"<h1>502</h1>")),
    HostileCase("/hostile/status/overloaded.html", "http_status", "503 with Retry-After: 3600 on every attempt",
                "crawl.errors.http_503", fixed(503, HTML, b"<h1>503</h1>", ("Retry-After", "3600"))),
    HostileCase("/hostile/status/throttled.html", "http_status", "429 with Retry-After: 86400 on every attempt",
                "crawl.errors.http_429", fixed(429, HTML, b"<h1>429</h1>", ("Retry-After", "86400"))),
    HostileCase("/hostile/status/throttled-once.html", "http_status",
                "429 with Retry-After: 1 on the first attempt, then the article", "archived",
                then(Reply(429, (("Content-Type", HTML), ("Retry-After", "1")), b"slow down"), "retry-later"),
                good="retry-later"),
    HostileCase("/hostile/status/teapot.html", "http_status", "status 599 (unknown to HTTP)", "crawl.errors.http_599",
                fixed(599, HTML, b"?")),
    # Slow answers (the test site's timeout is about 1 s).
    HostileCase("/hostile/slow/stall.html", "slow", "waits 4 s before the status line", "crawl.errors.timeout",
                fixed(200, HTML, b"<p>late</p>", delay_s=4.0)),
    HostileCase("/hostile/slow/drip.html", "slow", "sends the body 64 bytes every 0.5 s", "crawl.errors.timeout",
                fixed(200, HTML, b"<p>" + b"drip " * 400 + b"</p>", drip_s=0.5)),
    HostileCase("/hostile/slow/hang-up.html", "slow", "closes the connection without answering",
                "crawl.errors.connection", fixed(200, HTML, drop=True)),
    # Redirects: loops, long chains, off-site and non-http targets; a short chain to a good article.
    HostileCase("/hostile/redirect/self.html", "redirect", "301 to itself", "crawl.errors.redirect_loop",
                redirect("/hostile/redirect/self.html", 301)),
    *_chain(),
    HostileCase("/hostile/redirect/short-0.html", "redirect", "302 -> 307 -> the article (two hops)", "archived",
                redirect("/hostile/redirect/short-1.html"), good="redirect-landing"),
    HostileCase("/hostile/redirect/short-1.html", "redirect", "second hop of the short chain", "archived",
                redirect("/hostile/redirect/landing.html", 307), link=None, role="hop", good="redirect-landing"),
    HostileCase("/hostile/redirect/landing.html", "redirect", "where the short chain lands", "archived",
                page("redirect-landing"), link=None, role="hop", good="redirect-landing"),
    HostileCase("/hostile/redirect/offsite.html", "redirect", "302 to another site", "crawl.skipped.offsite",
                redirect("http://elsewhere.invalid/article.html")),
    HostileCase("/hostile/redirect/metadata.html", "redirect", "302 to the cloud metadata address 169.254.169.254",
                "crawl.skipped.offsite", redirect("http://169.254.169.254/latest/meta-data/iam/")),
    HostileCase("/hostile/redirect/to-loopback.html", "redirect", "302 to http://localhost/ (loopback)",
                "crawl.skipped.offsite", redirect(f"http://localhost{PRIVATE_TARGET}")),
    HostileCase("/hostile/redirect/to-private-ip.html", "redirect", "302 to http://10.1.2.3/ (private network)",
                "crawl.skipped.offsite", redirect(f"http://10.1.2.3{PRIVATE_TARGET}")),
    HostileCase("/hostile/redirect/other-port.html", "origin",
                "302 to the site's own host on another port (a Docker API: /v1.40/containers/json)",
                "crawl.skipped.offsite", redirect("http://{host}:2375/v1.40/containers/json")),
    HostileCase("/hostile/redirect/to-https.html", "origin",
                "302 to https on the site's own host and port (the site is http: another origin)",
                "crawl.skipped.offsite", redirect("https://{host}:{port}/hostile/charset/latin-1.html")),
    HostileCase("/hostile/redirect/local-file.html", "redirect", "302 to file:///etc/passwd (never followed)",
                "crawl.errors.http_302", redirect(f"file://{hp.XXE_FILE}")),
    HostileCase("/hostile/redirect/javascript.html", "redirect", "302 to javascript:", "crawl.errors.other",
                redirect("javascript:alert(1)")),
    HostileCase("/hostile/redirect/no-location.html", "redirect", "302 without a Location header",
                "crawl.errors.http_302", fixed(302, HTML)),
    # Canonical links that change on every fetch (fragment, utm_*, a session id): one article, one id.
    HostileCase("/hostile/canonical/fragment.html", "volatile_canonical",
                "good article whose canonical link carries a new #fragment on every fetch", "archived",
                volatile_canonical("canonical-fragment", "{base}/hostile/canonical/fragment.html#comments-{n}"),
                good="canonical-fragment"),
    HostileCase("/hostile/canonical/utm.html", "volatile_canonical",
                "good article whose canonical link carries new utm_* parameters on every fetch", "archived",
                volatile_canonical("canonical-utm",
                                   "{base}/hostile/canonical/utm.html?utm_source=rss&utm_campaign=c{n}"),
                good="canonical-utm"),
    HostileCase("/hostile/canonical/session.html", "volatile_canonical",
                "good article whose canonical link names another URL with a new ;jsessionid= on every fetch",
                "archived", volatile_canonical("canonical-session",
                                               "{base}/hostile/canonical/night-trains.html;jsessionid={token}"),
                good="canonical-session"),
    HostileCase("/hostile/canonical/og-url.html", "volatile_canonical",
                "good article with only an og:url, carrying a new PHPSESSID and sid on every fetch", "archived",
                volatile_canonical("canonical-og-url",
                                   "{base}/hostile/canonical/og-url.html?PHPSESSID={token}&sid={token}", og_url=True),
                good="canonical-og-url"),
    # URLs that would break object keys: the archive keys are hashes, never the URL.
    HostileCase("/hostile/keys/../../raw/site=evil/escape.html", "key_chars",
                "good article at an URL with encoded ../ and = (..%2F..%2Fraw%2Fsite%3Devil)", "archived",
                page("odd-url"), link="/hostile/keys/..%2F..%2Fraw%2Fsite%3Devil%2Fescape.html", good="odd-url"),
    HostileCase(f"/hostile/keys/{LONG_SEGMENT}.html", "key_chars", "good article at an 1800-character URL",
                "archived", page("long-url"), good="long-url"),
    HostileCase("/hostile/keys/nul\0byte.html", "key_chars", "URL with %00 (404)", "crawl.errors.http_404",
                fixed(404, HTML), link="/hostile/keys/nul%00byte.html"),
    HostileCase("/hostile/keys/../../etc/passwd", "traversal", "%2e%2e path traversal (404)",
                "crawl.errors.http_404", fixed(404, HTML), link="/hostile/keys/%2e%2e/%2e%2e/etc/passwd"),
    # Feeds: XXE, billion laughs, HTML served as a feed, truncated, empty, odd link schemes.
    HostileCase("/hostile/feed/xxe.xml", "xxe", "RSS with external entities (local file, URL) and an external DTD",
                "crawl.errors.bad_feed", document(RSS, xxe_feed), role="feed"),
    HostileCase("/hostile/feed/billion-laughs.xml", "xml_bomb", "RSS with the billion-laughs entities",
                "crawl.errors.bad_feed", document(RSS, laughs_feed), role="feed"),
    HostileCase("/hostile/feed/html.xml", "bad_feed", "an HTML page served as RSS", "crawl.errors.bad_feed",
                fixed(200, RSS, b"<!DOCTYPE html><html><body><p>Not a feed</p></body></html>"), role="feed"),
    HostileCase("/hostile/feed/empty.xml", "bad_feed", "200 RSS content type, 0 bytes", "crawl.errors.bad_feed",
                fixed(200, RSS), role="feed"),
    HostileCase("/hostile/feed/truncated.xml", "bad_feed", "RSS cut inside its second item: the first is used",
                "archived", document(RSS, truncated_feed), role="feed", good="truncated-feed"),
    HostileCase("/hostile/feed/schemes.xml", "schemes", "items linking javascript:, data:, mailto:, file:, ftp:",
                "crawl.skipped.bad_url", document(RSS, schemes_feed), role="feed", good="from-feed"),
    HostileCase("/hostile/feed-only/bakers-four-day-week.html", "schemes", "the good item of schemes.xml",
                "archived", page("from-feed"), link=None, role="hop", good="from-feed"),
    HostileCase("/hostile/feed-only/bus-de-nuit.html", "bad_feed", "the complete item of truncated.xml",
                "archived", page("truncated-feed"), link=None, role="hop", good="truncated-feed"),
    # Sitemaps: XXE, billion laughs, garbage, wrong root, gzip bomb, huge, looping and stale indexes.
    HostileCase("/hostile/sitemap/xxe.xml", "xxe", "urlset with external entities and an external DTD",
                "crawl.errors.bad_sitemap", document(XML, xxe_sitemap), role="sitemap"),
    HostileCase("/hostile/sitemap/billion-laughs.xml", "xml_bomb", "urlset with the billion-laughs entities",
                "crawl.errors.bad_sitemap", document(XML, laughs_sitemap), role="sitemap"),
    HostileCase("/hostile/sitemap/garbage.xml", "bad_sitemap", "binary noise served as XML",
                "crawl.errors.bad_sitemap", fixed(200, XML, NOISE), role="sitemap"),
    HostileCase("/hostile/sitemap/wrong-root.xml", "bad_sitemap", "well-formed XML that is not a sitemap",
                "crawl.errors.bad_sitemap", fixed(200, XML, b"<?xml version='1.0'?><html><p>hi</p></html>"),
                role="sitemap"),
    HostileCase("/hostile/sitemap/bomb.xml.gz", "bomb", ".xml.gz inflating to 64 MiB", "crawl.errors.too_large",
                lambda base, attempt: Reply(200, (("Content-Type", "application/x-gzip"),), hp.sitemap_bomb()),
                role="sitemap"),
    HostileCase("/hostile/sitemap/huge.xml", "huge_sitemap", f"{hp.HUGE_SITEMAP_ENTRIES} entries, over 1 MiB",
                "crawl.errors.too_large", document(XML, big_sitemap(hp.HUGE_SITEMAP_ENTRIES)), role="sitemap"),
    HostileCase("/hostile/sitemap/big-stale.xml", "huge_sitemap",
                f"{hp.BIG_SITEMAP_ENTRIES} entries dated {hp.STALE_DATE}: skipped without a request",
                "crawl.skipped.out_of_window", document(XML, big_sitemap(hp.BIG_SITEMAP_ENTRIES)), role="sitemap"),
    HostileCase("/hostile/sitemap/stale-index.xml", "huge_sitemap",
                f"index of {hp.STALE_INDEX_CHILDREN} child sitemaps last modified {hp.STALE_DATE}",
                "crawl.skipped.stale_sitemap", document(XML, stale_index), role="sitemap"),
    HostileCase("/hostile/sitemap/index-loop.xml", "huge_sitemap", "a sitemap index listing itself",
                "crawl.fetched.sitemap", document(XML, looping_index), role="sitemap"),
)
CASES_BY_PATH = {case.path: case for case in CASES}

# Links on /hostile/ that a crawler must never request (schemes, dot segments resolved before fetching).
NEVER_FETCHED_LINKS = (
    "javascript:void(window.location='/hostile/type/photo.jpg')",
    "data:text/html,<a href='/hostile/empty/zero.html'>x</a>",
    "mailto:redaction@demonews.example?subject=/hostile/",
    "tel:+33100000000",
    "/hostile/a/b/../../../hostile/dot-segments/../charset/latin-1.html",
    "http://localhost/hostile/charset/utf-8-bom.html",  # loopback: refused (offsite here, private if allowed)
    "http://{host}:2375/hostile/charset/utf-8-bom.html",  # the site's host, another port: another origin
    "https://{host}:{port}/hostile/charset/utf-8-bom.html",  # https on an http site's port: another origin
)

# robots.txt variants for a second server (newsarchive.demosite.hostile_server.serve(robots=...)).
ROBOTS_VARIANTS: dict[str, Reply] = {
    "error": Reply(500, (("Content-Type", "text/html"),), b"<h1>500 Internal Server Error</h1>"),
    "garbage": Reply(200, (("Content-Type", "text/plain"),), NOISE + b"\nDisallow /\nUser-agent *\n"),
    "html": Reply(200, (("Content-Type", "text/html"),), b"<html><body><h1>Welcome</h1><p>Disallow: nothing"),
    "unreachable": Reply(200, drop=True),
}


def feed_paths() -> tuple[str, ...]:
    """The feed cases, for a site config's discovery.feeds."""
    return tuple(c.path for c in CASES if c.role == "feed")


def sitemap_paths() -> tuple[str, ...]:
    """The sitemap cases, for a site config's discovery.sitemaps."""
    return tuple(c.path for c in CASES if c.role == "sitemap")


def index_page(base_url: str) -> bytes:
    """/hostile/: every linked case as an article link (plus links that must never be requested)."""
    hrefs = [c.href for c in CASES if c.href is not None] + list(NEVER_FETCHED_LINKS)
    # Case links are absolute, like the site's own; the dot-segment link stays relative so that it is resolved.
    hrefs = [on_site_host(h, base_url) for h in hrefs]
    items = "\n".join(
        f'<li><a href="{esc(h if ":" in h or "/../" in h else base_url + h)}">{esc(h[:80])}</a></li>' for h in hrefs)
    content = f"<h1>Hostile cases</h1>\n<ul>\n{items}\n</ul>"
    return shell("Hostile cases", base_url + INDEX_PATH, content, base_url)


def reply_for(path: str, base_url: str, attempt: int) -> Reply | None:
    """The reply for a decoded path (None when it is not a hostile path)."""
    base = base_url.rstrip("/")
    if path == INDEX_PATH:
        return Reply(200, (("Content-Type", HTML),), index_page(base))
    if path.startswith(BEACON):
        return Reply(200, (("Content-Type", "text/plain"),), b"beacon: a parser fetched an external entity\n")
    case = CASES_BY_PATH.get(path)
    return case.make(base, attempt) if case is not None else None


def respond(path: str, base_url: str) -> tuple[int, tuple[tuple[str, str], ...], bytes] | None:
    """The routing hook for newsarchive.demosite.routes: (status, headers, body) of a hostile path, else None.

    Transport-level cases answer 501 here: only newsarchive.demosite.hostile_server can misbehave at that level.
    """
    reply = reply_for(path, base_url, attempt=0)
    if reply is None:
        return None
    if not reply.plain:
        return 501, (("Content-Type", "text/plain"),), b"this case needs newsarchive.demosite.hostile_server.serve()\n"
    return reply.status, reply.headers, reply.body
