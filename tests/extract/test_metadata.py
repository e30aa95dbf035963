"""Metadata: preference order of sources, canonical URL rules, authors, tags, dates with offsets."""

from __future__ import annotations

from types import ModuleType

from lxml.html import HtmlElement

from extract import extract_article
from extract.article import parse_html
from extract.authors import clean_authors
from extract.metadata import page_metadata, strip_site_suffix

URL = "https://www.news.example.org/en/2024/11/13/story.html"


def _tree(head: str, body: str = "<p>x</p>", lang: str = "en") -> HtmlElement:
    return parse_html(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')


def test_jsonld_dates_beat_meta_and_time(pages: ModuleType) -> None:
    head = (
        pages.jsonld(
            {
                "@type": "NewsArticle",
                "datePublished": "2024-11-13T15:07:00+01:00",
                "dateModified": "2024-11-14T08:00:00+01:00",
            }
        )
        + '<meta property="article:published_time" content="2024-11-12T10:00:00Z">'
        + '<meta property="article:modified_time" content="2024-11-12T11:00:00Z">'
    )
    meta = page_metadata(_tree(head, '<time datetime="2024-11-01T00:00:00Z">1 Nov</time>'), URL)
    assert meta.published == "2024-11-13T15:07:00+01:00"
    assert meta.modified == "2024-11-14T08:00:00+01:00"


def test_article_published_time_then_time_element() -> None:
    head = '<meta property="article:published_time" content="2024-11-12T10:00:00-05:00">'
    assert page_metadata(_tree(head), URL).published == "2024-11-12T10:00:00-05:00"
    body = '<p>x</p><time datetime="2024-11-10T09:30:00+09:00" itemprop="datePublished">10 Nov</time>'
    meta = page_metadata(_tree("", body), URL)
    assert meta.published == "2024-11-10T09:30:00+09:00"
    assert meta.modified is None


def test_bare_date_only_when_no_time_anywhere(pages: ModuleType) -> None:
    head = pages.jsonld({"@type": "NewsArticle", "datePublished": "2024-11-13"})
    head += '<meta property="article:published_time" content="2024-11-13T15:07:00+01:00">'
    assert page_metadata(_tree(head), URL).published == "2024-11-13T15:07:00+01:00"
    only_bare = pages.jsonld({"@type": "NewsArticle", "datePublished": "2024-11-13"})
    assert page_metadata(_tree(only_bare), URL).published == "2024-11-13"


def test_jsonld_graph_and_lenient_parsing() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Site"},'
        '{"@type": ["NewsArticle"], "headline": "Graph headline", "author": {"@type": "Person", "name": "Ann Lee"},'
        ' "datePublished": "2024-11-13T09:00:00+00:00", "articleSection": ["World", "Europe"],'
        ' "keywords": "tram, city,  council", "inLanguage": "en-GB",}'
        "]}</script>"
    )
    meta = page_metadata(_tree(head, lang=""), URL)
    assert meta.authors == ("Ann Lee",)
    assert meta.published == "2024-11-13T09:00:00+00:00"
    assert meta.section == "World"
    assert meta.tags == ("tram", "city", "council")
    assert meta.declared_language == "en"
    assert meta.title == "Graph headline"


def test_title_preference_and_site_suffix() -> None:
    head = (
        '<meta property="og:site_name" content="Demo News"><meta property="og:title" content="Real title | Demo News">'
    )
    assert page_metadata(_tree(head + "<title>Other</title>", "<h1>H1 title</h1>"), URL).title == "Real title"
    assert page_metadata(_tree("<title>Only title - Demo</title>", "<p>x</p>"), URL).title == "Only title"
    assert page_metadata(_tree("<title>T</title>", "<h1>Heading one</h1>"), URL).title == "Heading one"
    # A colon inside a headline is not a site separator.
    assert strip_site_suffix("Ukraine : la Russie frappe Kyiv", ["Demo"]) == "Ukraine : la Russie frappe Kyiv"


def test_canonical_same_site_only() -> None:
    same = '<link rel="canonical" href="/en/2024/11/13/story.html">'
    assert page_metadata(_tree(same), URL + "?utm=x").canonical_url == URL
    other = '<link rel="canonical" href="https://aggregator.example.com/story">'
    assert page_metadata(_tree(other), URL).canonical_url == URL
    og = '<meta property="og:url" content="https://news.example.org/en/2024/11/13/story.html">'
    assert page_metadata(_tree(og), URL + "#top").canonical_url == "https://news.example.org/en/2024/11/13/story.html"


def test_meta_fallbacks() -> None:
    head = (
        '<meta name="author" content="By Jane Doe and John Roe">'
        '<meta property="article:tag" content="Politics"><meta property="article:tag" content="Europe">'
        '<meta property="article:section" content="World">'
        '<meta name="description" content="A summary.">'
        '<meta property="og:image" content="https://cdn.example.org/i.jpg">'
        '<meta property="og:locale" content="de_DE">'
    )
    meta = page_metadata(_tree(head, lang=""), URL)
    assert meta.authors == ("Jane Doe", "John Roe")
    assert meta.tags == ("Politics", "Europe")
    assert meta.section == "World"
    assert meta.description == "A summary."
    assert meta.image == "https://cdn.example.org/i.jpg"
    assert meta.declared_language == "de"


def test_clean_authors() -> None:
    assert clean_authors(["Par Jeanne Martin et Paul Durand"]) == ("Jeanne Martin", "Paul Durand")
    assert clean_authors(["Von Ursula von der Leyen"]) == ("Ursula von der Leyen",)
    assert clean_authors(["von der Leyen"]) == ("von der Leyen",)
    assert clean_authors(["https://example.org/author/x", "Demo News", "Ann Lee", "ann lee"], "Demo News") == (
        "Ann Lee",
    )
    assert clean_authors(["Ann Lee, Bob Stone; Carla Diaz"]) == ("Ann Lee", "Bob Stone", "Carla Diaz")


def test_record_metadata_with_timezone_hint_and_htmldate_fallback(pages: ModuleType) -> None:
    # No date metadata at all: htmldate finds the date in the URL, a bare date.
    html = pages.page(
        "<article><h1>Council expands tram</h1>" + pages.paragraphs(pages.EN_BODY) + "</article>", lang="en"
    )
    record = extract_article(html, "https://news.example.org/2024/11/13/tram.html")
    assert record.published == "2024-11-13"
    assert record.modified is None
