"""Page metadata (title, authors, dates, canonical URL, section, tags...) in a fixed preference order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from lxml.html import HtmlElement

from extract.authors import clean_authors
from extract.dates import pick_date
from extract.jsonld import jsonld_objects, main_article, name_value, page_types, text_value, text_values
from newsarchive.urlcanon import canonicalize_url

# Meta names/properties holding each field, best first (after JSON-LD, which comes first for dates).
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publish-date",
    "pubdate",
    "publishdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "article.updated",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
TAG_META = ("article:tag", "og:article:tag", "news_keywords", "parsely-tags")
SECTION_META = ("article:section", "og:article:section", "parsely-section")
LANG_META = ("og:locale", "content-language", "dc.language", "language")
# Longest canonical or image URL taken from a page (longer ones are ignored: a cut URL names another page).
MAX_URL_CHARS = 4096
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·•»]\s+")
_SPACES = re.compile(r"\s+")
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class PageMeta:
    """Everything the page says about itself, before the body is looked at."""

    title: str
    title_variants: tuple[str, ...]
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    canonical_url: str
    section: str | None
    tags: tuple[str, ...]
    description: str | None
    image: str | None
    site_name: str | None
    declared_language: str | None
    og_type: str | None
    jsonld_types: frozenset[str]
    accessible_for_free: bool | None
    content_tier: str | None = None  # article:content_tier ("free", "locked", "metered"), for extract.access
    extra: dict[str, Any] = field(default_factory=dict)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text or None


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """<meta> contents keyed by lower-cased name/property/itemprop/http-equiv, in document order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            if value:
                return value
    return None


def same_site(url_a: str, url_b: str) -> bool:
    """Same host, ignoring a leading www. and the scheme."""
    host_a = (urlsplit(url_a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(url_b).hostname or "").removeprefix("www.")
    return bool(host_a) and host_a == host_b


def canonical_url(tree: HtmlElement, meta: dict[str, list[str]], url: str) -> str:
    """<link rel=canonical>, else og:url, when on the same site as the fetched URL; else the URL itself.

    In the canonical form the crawl uses (``urlcanon``: no fragment, tracking or session parameters), so
    that what a page's canonical link adds per fetch never changes the article id.
    """
    candidates: list[str] = []
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            candidates.append(link.get("href", ""))
    candidates.extend(meta.get("og:url", []))
    for candidate in candidates:
        if len(candidate) > MAX_URL_CHARS:
            continue
        try:
            absolute = urljoin(url, candidate.strip())
            if absolute.startswith(("http://", "https://")) and same_site(absolute, url):
                return canonicalize_url(_WHITESPACE.sub(lambda m: quote(m.group()), absolute))  # no whitespace
        except ValueError:  # an unparsable link (e.g. "http://[::1/x", a bad port) names nothing: try the next
            continue
    try:
        return canonicalize_url(url)
    except ValueError:  # not an absolute URL (a page extracted on its own): kept as given
        return url


def strip_site_suffix(title: str, site_names: list[str], *, guess: bool = False) -> str:
    """Drop a " | Site name" (or "Site - ") part from a title; ``guess`` also drops an unknown one."""
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {n.lower() for n in site_names if n}
    # "Gala.fr" is written "Gala" in titles; "www.example.org" as "example".
    names |= {n.removeprefix("www.").split(".")[0] for n in names if "." in n}
    kept = [p for p in parts if p.strip().lower() not in names]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    # Unknown site name: the longest part is the headline in "Headline | Site" layouts.
    if guess and (title.count("|") == 1 or len(parts) == 2):
        longest = max(parts, key=len)
        if len(longest) >= 0.6 * len(title) - 5:
            return longest
    return title


def _h1(tree: HtmlElement) -> str | None:
    for h1 in tree.iter("h1"):
        text = _clean(h1.text_content())
        if text:
            return text
    return None


def _titles(
    tree: HtmlElement, meta: dict[str, list[str]], article: dict[str, Any] | None, site: str | None
) -> list[str]:
    """Every form of the headline the page gives, best first: og:title, JSON-LD headline, <h1>,
    twitter:title, then <title> (site name stripped). The first is the record's title; all are
    dropped when repeated in the body."""
    names = [site or "", *meta.get("og:site_name", []), *meta.get("application-name", [])]
    candidates = [
        _first(meta, ("og:title",)),
        text_value(article.get("headline")) if article else None,
        _h1(tree),
        _first(meta, ("twitter:title",)),
    ]
    found = [strip_site_suffix(c, names) for c in (_clean(c) for c in candidates) if c]
    title_el = tree.find(".//title")
    if title_el is not None:
        cleaned = _clean(title_el.text_content())
        if cleaned:
            found.append(strip_site_suffix(cleaned, names, guess=True))
    return list(dict.fromkeys(found))


def _declared_language(tree: HtmlElement, meta: dict[str, list[str]], article: dict[str, Any] | None) -> str | None:
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    if article:
        candidates.append(text_value(article.get("inLanguage")))
    candidates.append(_first(meta, LANG_META))
    for candidate in candidates:
        if candidate:
            code = re.split(r"[-_]", candidate.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
    return None


def _time_elements(tree: HtmlElement) -> tuple[list[str], list[str]]:
    """<time datetime> values: ones marked as publication/modification first, then the rest."""
    published: list[str] = []
    modified: list[str] = []
    plain: list[str] = []
    for el in tree.iter("time"):
        value = el.get("datetime")
        if not value:
            continue
        marker = " ".join((el.get("itemprop") or "", el.get("class") or "", el.get("pubdate") or "")).lower()
        if "modif" in marker or "updat" in marker:
            modified.append(value)
        elif "publi" in marker or "pubdate" in marker or el.get("pubdate") is not None:
            published.append(value)
        else:
            plain.append(value)
    return published + plain[:1], modified


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _tags(meta: dict[str, list[str]], article: dict[str, Any] | None) -> tuple[str, ...]:
    raw: list[str] = list(meta.get("article:tag", [])) + list(meta.get("og:article:tag", []))
    if not raw and article and article.get("keywords"):
        raw = text_values(article.get("keywords"))
    if not raw:
        raw = list(meta.get("news_keywords", [])) + list(meta.get("parsely-tags", []))
    tags: list[str] = []
    for value in raw:
        # One value is a comma-separated keyword string; several values are one tag each.
        for piece in value.split(",") if len(raw) == 1 else [value]:
            cleaned = _clean(piece)
            if cleaned and cleaned.lower() not in {t.lower() for t in tags}:
                tags.append(cleaned)
    return tuple(tags)


def _free_flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no")
    return bool(value)


def _image_url(url: str, image: str | None) -> str | None:
    """The image URL made absolute; None when absent, overlong, unparsable or not an http(s) URL (it is
    optional metadata: a bad one must not cost the article)."""
    if not image or len(image) > MAX_URL_CHARS:
        return None
    try:
        absolute = urljoin(url, image.strip())
        host = urlsplit(absolute).hostname
    except ValueError:
        return None
    if not absolute.startswith(("http://", "https://")) or not host:
        return None
    # Spaces in a path ("/Umwelt und Klima/x.jpg") are how CMSs write it; a stored URL has them encoded.
    return _WHITESPACE.sub(lambda m: quote(m.group()), absolute)


def _accessible(article: dict[str, Any] | None) -> bool | None:
    """isAccessibleForFree of the article, False as well when a part of it (hasPart) is not free."""
    if not article:
        return None
    parts = [p for p in _as_list(article.get("hasPart")) if isinstance(p, dict) and "isAccessibleForFree" in p]
    if any(not _free_flag(p["isAccessibleForFree"]) for p in parts):
        return False
    if "isAccessibleForFree" not in article:
        return None
    return _free_flag(article["isAccessibleForFree"])


def page_metadata(tree: HtmlElement, url: str, *, tz_name: str | None = None) -> PageMeta:
    """Collect the page's metadata: JSON-LD first, then Open Graph/meta tags, then markup."""
    meta = meta_tags(tree)
    objects = jsonld_objects(tree)
    article = main_article(objects)
    site_name = _clean(_first(meta, ("og:site_name", "application-name")))
    if not site_name and article:
        site_name = _clean(name_value(article.get("publisher")))
    time_published, time_modified = _time_elements(tree)
    art = article or {}
    published_jsonld = [text_value(art.get("datePublished")), text_value(art.get("dateCreated"))]
    modified_jsonld = [text_value(art.get("dateModified"))]
    published = pick_date(
        [*published_jsonld, *(v for key in PUBLISHED_META for v in meta.get(key, [])), *time_published],
        tz_name,
    )
    modified = pick_date(
        [*modified_jsonld, *(v for key in MODIFIED_META for v in meta.get(key, [])), *time_modified],
        tz_name,
    )
    raw_authors = [n for n in (name_value(a) for a in _as_list(art.get("author"))) if n]
    raw_authors = raw_authors or [v for key in AUTHOR_META for v in meta.get(key, [])]
    section = _clean(name_value(art.get("articleSection"))) or _clean(_first(meta, SECTION_META))
    image = _first(meta, ("og:image", "og:image:url", "twitter:image", "twitter:image:src"))
    if not image and article:
        image = text_value(article.get("image"))
    description = _clean(_first(meta, ("og:description", "description", "twitter:description")))
    if not description and article:
        description = _clean(text_value(article.get("description")))
    titles = _titles(tree, meta, article, site_name)
    return PageMeta(
        title=titles[0] if titles else "",
        title_variants=tuple(titles),
        authors=clean_authors(raw_authors, site_name),
        published=published,
        modified=modified,
        canonical_url=canonical_url(tree, meta, url),
        section=section,
        tags=_tags(meta, article),
        description=description,
        image=_image_url(url, image),
        site_name=site_name,
        declared_language=_declared_language(tree, meta, article),
        og_type=(_first(meta, ("og:type",)) or "").lower() or None,
        jsonld_types=frozenset(page_types(objects)),
        accessible_for_free=_accessible(article),
        content_tier=(_first(meta, ("article:content_tier",)) or "").lower() or None,
    )
