"""The demo site over real HTTP on 127.0.0.1: robots, feed, sitemaps, sections, articles, broken cases."""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from lxml import html as lxml_html

from newsarchive.demosite import truth
from newsarchive.demosite.content import SECTIONS
from newsarchive.demosite.layout import tag_slug
from newsarchive.demosite.pages import PAGE_SIZE, PRIVATE_PATH

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
PARIS = ZoneInfo("Europe/Paris")
ARTICLES = truth.articles()
BY_URL_PATH = {a.path: a for a in ARTICLES}


def _path(url: str, base: str) -> str:
    assert url.startswith(base), f"{url} is not an absolute URL on {base}"
    return "/" + url[len(base) :]


def test_robots(get: Any, demo_site: Any) -> None:
    r = get("/robots.txt")
    assert r.status == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    lines = r.body.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /private/" in lines
    assert f"Sitemap: {demo_site.url}sitemap.xml" in lines


def test_rss_feed(get: Any, demo_site: Any) -> None:
    r = get("/rss.xml")
    assert r.status == 200 and "charset=utf-8" in r.headers["content-type"]
    items = etree.fromstring(r.body).findall("./channel/item")
    assert len(items) == min(20, len(ARTICLES))
    published = []
    for item in items:
        link = item.findtext("link")
        assert link == item.findtext("guid")
        article = BY_URL_PATH[_path(link, demo_site.url)]
        assert item.findtext("title") == article.title
        assert item.findtext("description") == article.description
        assert item.findtext("category") == article.section
        when = parsedate_to_datetime(item.findtext("pubDate"))
        assert when == article.published_at
        published.append(when)
    assert published == sorted(published, reverse=True)


def test_sitemap_index_and_children(get: Any, demo_site: Any) -> None:
    index = etree.fromstring(get("/sitemap.xml").body)
    locs = index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)
    lastmods = index.xpath("//sm:sitemap/sm:lastmod/text()", namespaces=NS)
    assert len(locs) == len(lastmods) and all(datetime.fromisoformat(v).tzinfo for v in lastmods)
    paths = [_path(loc, demo_site.url) for loc in locs]
    assert paths == ["/sitemaps/2024-10.xml", "/sitemaps/2024-11.xml", "/sitemaps/news.xml"]
    seen: dict[str, str] = {}
    for path in paths[:2]:
        r = get(path)
        assert r.status == 200 and r.headers["content-type"].startswith("application/xml")
        for url in etree.fromstring(r.body).xpath("//sm:url", namespaces=NS):
            seen[_path(url.findtext("sm:loc", namespaces=NS), demo_site.url)] = url.findtext(
                "sm:lastmod", namespaces=NS
            )
    assert seen == {a.path: a.modified for a in ARTICLES}


def test_news_sitemap(get: Any, demo_site: Any) -> None:
    root = etree.fromstring(get("/sitemaps/news.xml").body)
    entries = root.xpath("//sm:url", namespaces=NS)
    last_day = max(a.published_at.astimezone(PARIS).date() for a in ARTICLES)
    expected = {a.path for a in ARTICLES if (last_day - a.published_at.astimezone(PARIS).date()).days < 2}
    got = set()
    for entry in entries:
        path = _path(entry.findtext("sm:loc", namespaces=NS), demo_site.url)
        stamp = entry.findtext(".//news:publication_date", namespaces=NS)
        assert stamp == BY_URL_PATH[path].published
        got.add(path)
    assert got == expected and len(got) >= 2


@pytest.mark.parametrize("section", SECTIONS)
def test_section_pagination(get: Any, demo_site: Any, section: str) -> None:
    path: str | None = f"/section/{section}/"
    found: list[str] = []
    pages = 0
    while path is not None:
        r = get(path)
        assert r.status == 200, path
        doc = lxml_html.fromstring(r.body)
        links = doc.xpath("//li[@class='river__item']//h2/a/@href")
        assert 1 <= len(links) <= PAGE_SIZE
        found += [_path(link, demo_site.url) for link in links]
        nxt = doc.xpath("//a[@rel='next']/@href")
        path = _path(nxt[0], demo_site.url) if nxt else None
        pages += 1
    expected = [a.path for a in ARTICLES if a.section == section]  # truth is newest first
    assert found == expected
    assert pages == -(-len(expected) // PAGE_SIZE) and pages >= 2
    assert get(f"/section/{section}/?page={pages + 1}").status == 404
    assert get(f"/section/{section}/?page=x").status == 404


def test_every_article_page(get: Any, demo_site: Any) -> None:
    for article in ARTICLES:
        r = get(article.path)
        assert r.status == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert parsedate_to_datetime(r.headers["last-modified"]) == datetime.fromisoformat(article.modified)
        doc = lxml_html.fromstring(r.body)
        url = truth.url(article, demo_site.url)
        assert doc.get("lang") == article.lang
        assert doc.xpath("//link[@rel='canonical']/@href") == [url]
        og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        assert og["og:title"] == article.title and og["og:type"] == "article" and og["og:url"] == url
        assert og["article:published_time"] == article.published
        assert og["article:modified_time"] == article.modified
        assert og["og:image"] == article.image
        assert doc.xpath("//meta[@property='article:tag']/@content") == list(article.tags)
        (ld_text,) = doc.xpath("//script[@type='application/ld+json']/text()")
        ld = json.loads(ld_text)
        assert ld["@type"] == "NewsArticle" and ld["headline"] == article.title
        assert (ld["datePublished"], ld["dateModified"]) == (article.published, article.modified)
        assert [a["name"] for a in ld["author"]] == list(article.authors)
        assert ld["articleSection"] == article.section
        # every body block's text is in the served page, as the text of one element
        texts = {" ".join(t.split()) for t in (el.text_content() for el in doc.iter("p", "h2", "li", "blockquote"))}
        missing = [line for line in article.body if line not in texts]
        assert not missing, (article.path, missing[:2])


def test_article_url_dates_are_paris_dates() -> None:
    for article in ARTICLES:
        m = re.fullmatch(r"/(fr|en)/(\d{4})/(\d{2})/(\d{2})/[\w-]+\.html", article.path)
        assert m is not None and m.group(1) == article.lang
        local = article.published_at.astimezone(PARIS)
        assert (m.group(2), m.group(3), m.group(4)) == (f"{local:%Y}", f"{local:%m}", f"{local:%d}")


def test_head_matches_get(get: Any) -> None:
    article = ARTICLES[0]
    full, head = get(article.path), get(article.path, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(full.body))
    assert head.headers["last-modified"] == full.headers["last-modified"]


def test_urls_follow_host_header(get: Any) -> None:
    r = get(ARTICLES[0].path, headers={"Host": "news.example.test:8080"})
    doc = lxml_html.fromstring(r.body)
    assert doc.xpath("//link[@rel='canonical']/@href") == [f"http://news.example.test:8080{ARTICLES[0].path}"]
    robots = get("/robots.txt", headers={"Host": "news.example.test:8080"}).body.decode()
    assert "Sitemap: http://news.example.test:8080/sitemap.xml" in robots


@pytest.mark.parametrize("case", truth.broken_cases(), ids=lambda c: c.path)
def test_broken_case(get: Any, demo_site: Any, case: Any) -> None:
    r = get(case.path)
    assert r.status == case.status, case.behaviour
    if case.location is not None:
        target = r.headers["location"]
        assert target.startswith(demo_site.url)
        if case.location.startswith("article:"):
            slug = case.location.removeprefix("article:")
            assert target == truth.url(truth.article(slug), demo_site.url)
            assert get(_path(target, demo_site.url)).status == 200
        else:
            assert target == demo_site.url + case.location.lstrip("/")
    elif case.content_type == "application/pdf":
        assert r.headers["content-type"] == "application/pdf" and r.body.startswith(b"%PDF-")
        with pytest.raises(UnicodeDecodeError):
            r.body.decode("utf-8")
    elif case.status == 200:
        assert r.body == b"" and r.headers["content-type"].startswith("text/html")
    # each case is linked from where the table says (a listing page, or the other half of the loop)
    page = get(case.linked_from)
    absolute = demo_site.url.rstrip("/") + case.path
    assert absolute.encode() in page.body or page.headers.get("location") == absolute


def test_redirect_loop_loops(get: Any) -> None:
    a = get("/broken/boucle-a.html").headers["location"]
    b = get("/broken/boucle-b.html").headers["location"]
    assert a.endswith("/broken/boucle-b.html") and b.endswith("/broken/boucle-a.html")


def test_private_page_is_disallowed_and_linked(get: Any, demo_site: Any) -> None:
    assert get(PRIVATE_PATH).status == 200
    politics = get("/section/politics/").body.decode()
    assert f'href="{demo_site.url.rstrip("/")}{PRIVATE_PATH}"' in politics
    assert "Disallow: /private/" in get("/robots.txt").body.decode()


def test_other_pages(get: Any) -> None:
    assert get("/").status == 200 and get("/about.html").status == 200
    assert get("/nothing-here").status == 404 and get("/tag/nothing-here/").status == 404
    tag = ARTICLES[0].tags[0]
    body = get(f"/tag/{tag_slug(tag)}/").body.decode()
    assert ARTICLES[0].path in body
    moved = get("/section/world")
    assert moved.status == 301 and moved.headers["location"].endswith("/section/world/")
    assert get("/", method="POST").status == 405


def test_request_log(get: Any, demo_site: Any) -> None:
    demo_site.clear_log()
    get("/robots.txt")
    get("/broken/erreur-serveur.html", method="HEAD")
    log = demo_site.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/robots.txt", 200),
        ("HEAD", "/broken/erreur-serveur.html", 500),
    ]
    assert log[0].user_agent == "demosite-tests/1.0" and log[0].time > 0
    assert demo_site.url == f"http://127.0.0.1:{demo_site.port}/" and demo_site.host == "127.0.0.1"


def test_day_archive(get: Any, demo_site: Any) -> None:
    doc = lxml_html.fromstring(get("/archive/2024/11/13/").body)
    links = {_path(h, demo_site.url) for h in doc.xpath("//li[@class='river__item']//h2/a/@href")}
    assert links == {a.path for a in ARTICLES if a.path.split("/")[2:5] == ["2024", "11", "13"]}
    empty = get("/archive/2024/10/02/")
    assert empty.status == 200 and b"river__item" not in empty.body
    assert get("/archive/2024/02/30/").status == 404
