"""HTML pages of the generated site: article, home, section listing (paginated), date archive, 404.

Every page carries ``<link rel="canonical">``. Listing pages publish some duplicate links of the same
article (see ``variant_links``): a trailing slash, utm_* tracking parameters, or the https form of the
site's own URL, as real sites and social shares do.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from newsarchive.demosite.generated.corpus import PUBLIC_SECTIONS, GenArticle, lexicon
from newsarchive.demosite.markup import esc

SITE_NAME = "Generated News"
PAGE_SIZE = 10
HOME_SIZE = 20
NAV_SECTIONS = (*PUBLIC_SECTIONS, "partners")
UTM = {"section": "?utm_source=section&utm_medium=web", "archive": "?utm_source=most-read&utm_campaign=archive",
       "home": "?utm_source=homepage&utm_medium=web"}
STYLE = "body{font-family:sans-serif;max-width:60em;margin:auto}nav a{margin-right:1em}"


def article_url(base_url: str, article: GenArticle) -> str:
    """The canonical URL of an article on a site served at base_url."""
    return base_url.rstrip("/") + article.path


def variant_links(base_url: str, article: GenArticle, where: str) -> list[str]:
    """The duplicate URLs of an article a listing page shows besides its canonical link."""
    url = article_url(base_url, article)
    links = []
    for kind in article.variants():
        if kind == "slash":
            links.append(url + "/")
        elif kind == "utm":
            links.append(url + UTM[where])
        elif kind == "https" and url.startswith("http://"):
            links.append("https://" + url.removeprefix("http://"))
    return links


def _page(lang: str, title: str, canonical: str, body: str, head_extra: str = "") -> bytes:
    nav = " ".join(f'<a href="/{s}/">{esc(lexicon()["en"]["sections"][s])}</a>' for s in NAV_SECTIONS)
    html = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
        f'<link rel="canonical" href="{esc(canonical)}">\n<meta name="viewport" content="width=device-width">\n'
        f'<link rel="alternate" type="application/rss+xml" href="/rss.xml">\n{head_extra}'
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header><p class="logo"><a href="/">{SITE_NAME}</a></p><nav>{nav}</nav></header>\n'
        f"{body}\n"
        f'<footer><p><a href="/about/">About us</a> · <a href="/rss.xml">RSS</a> · © {SITE_NAME}</p></footer>\n'
        "</body>\n</html>\n"
    )
    return html.encode("utf-8")


def _json_ld(article: GenArticle, url: str) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
        "headline": article.title, "description": article.description,
        "datePublished": article.published.isoformat(), "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "articleSection": article.section, "inLanguage": article.lang,
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def article_page(article: GenArticle, base_url: str) -> bytes:
    """The page of an article (served at its canonical path and at its variants)."""
    url = article_url(base_url, article)
    words = lexicon()[article.lang]
    metas = [("og:title", article.title), ("og:url", url), ("og:type", "article"),
             ("article:published_time", article.published.isoformat()),
             ("article:modified_time", article.modified.isoformat()), ("article:section", article.section)]
    head = "".join(f'<meta property="{k}" content="{esc(v)}">\n' for k, v in metas)
    head += f'<meta name="description" content="{esc(article.description)}">\n'
    head += f'<script type="application/ld+json">{_json_ld(article, url)}</script>\n'
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    section = words["sections"][article.section]
    body = (
        f'<main>\n<article class="story">\n<p class="kicker"><a href="/{article.section}/">{esc(section)}</a></p>\n'
        f'<h1>{esc(article.title)}</h1>\n'
        f'<p class="byline">{words["byline"]} {esc(", ".join(article.authors))} · '
        f'<time datetime="{article.published.isoformat()}">{article.published:%d/%m/%Y %H:%M}</time></p>\n'
        f'<div class="story__body">\n{paragraphs}\n</div>\n</article>\n</main>'
    )
    return _page(article.lang, f"{article.title} | {SITE_NAME}", url, body, head)


def _list_items(articles: list[GenArticle], base_url: str, where: str) -> str:
    items = []
    for a in articles:
        items.append(f'<li><a href="{esc(article_url(base_url, a))}">{esc(a.title)}</a> '
                     f'<time datetime="{a.published.isoformat()}">{a.published:%d/%m %H:%M}</time></li>')
    most_read = [link for a in articles for link in variant_links(base_url, a, where)]
    extra = "".join(f'<li><a href="{esc(link)}">{esc(link.rsplit("/", 2)[-2] or link)}</a></li>'
                    for link in most_read)
    block = f'<section class="most-read"><h2>Most read</h2><ul>{extra}</ul></section>' if extra else ""
    return f'<ul class="teasers">{"".join(items)}</ul>\n{block}'


def listing_page(title: str, canonical: str, articles: list[GenArticle], base_url: str, where: str,
                 next_url: str | None = None, prev_url: str | None = None) -> bytes:
    """A section page or a date-archive page: teasers, duplicate links, and rel=next/prev."""
    head = ""
    pager = []
    if prev_url:
        head += f'<link rel="prev" href="{esc(prev_url)}">\n'
        pager.append(f'<a href="{esc(prev_url)}" rel="prev">Previous</a>')
    if next_url:
        head += f'<link rel="next" href="{esc(next_url)}">\n'
        pager.append(f'<a href="{esc(next_url)}" rel="next">Next</a>')
    body = (f"<main>\n<h1>{esc(title)}</h1>\n{_list_items(articles, base_url, where)}\n"
            f'<nav class="pager">{" ".join(pager)}</nav>\n</main>')
    return _page("en", f"{title} | {SITE_NAME}", canonical, body, head)


def section_title(section: str, page: int) -> str:
    """The heading of a section page."""
    name = lexicon()["en"]["sections"][section]
    return name if page == 1 else f"{name} (page {page})"


def archive_title(day: date) -> str:
    """The heading of a date-archive page."""
    return f"Archive: {day.isoformat()}"


def home_page(articles: list[GenArticle], base_url: str) -> bytes:
    """The home page: the latest articles (some under tracking-parameter links)."""
    return listing_page("Latest news", base_url.rstrip("/") + "/", articles, base_url, "home")


def about_page(base_url: str) -> bytes:
    """A page that is not an article."""
    body = "<main><h1>About us</h1><p>A generated news site for tests and benchmarks.</p></main>"
    return _page("en", f"About | {SITE_NAME}", base_url.rstrip("/") + "/about/", body)


def not_found_page(base_url: str) -> bytes:
    """The 404 page."""
    body = "<main><h1>Page not found</h1></main>"
    return _page("en", f"Not found | {SITE_NAME}", base_url.rstrip("/") + "/", body)
