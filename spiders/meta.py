"""Request.meta keys and the role/source vocabularies shared by the spider, the middlewares and the WARC."""

from __future__ import annotations

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

META_ROLE = "newsarchive_role"
META_SOURCE = "newsarchive_source"
META_DATE_HINT = "newsarchive_date_hint"
META_DATE_HINT_KIND = "newsarchive_date_hint_kind"
META_PAGE = "newsarchive_page"
# A conditional re-check of an archived article: "update" (the site signalled a change) or "revisit" (by age);
# and when the archived copy was fetched (a 304's WARC revisit record refers to that capture).
META_RECHECK = "newsarchive_recheck"
META_REFERS_TO_DATE = "newsarchive_refers_to_date"
RECHECKS = ("update", "revisit")

# What a fetched URL is (NewsArchive-Role in the WARC).
ROLES = ("article", "feed", "sitemap", "section", "robots", "other")
# How an article candidate (or a listing page) was found (NewsArchive-Source in the WARC).
SOURCES = ("feed", "sitemap", "section", "date_archive", "revisit")


def request_role(request: Request) -> str:
    """The role of a request: set by the spider, or "robots" for Scrapy's own robots.txt fetch."""
    role = request.meta.get(META_ROLE)
    if isinstance(role, str) and role in ROLES:
        return role
    if urlparse_cached(request).path == "/robots.txt":
        return "robots"
    return "other"
