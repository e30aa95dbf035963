"""The soup site (newsarchive.demosite.soup): a layout whose markup says nothing, served over HTTP."""

from __future__ import annotations

import itertools
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from extract.article import parse_html
from newsarchive.demosite.soup import corpus, truth
from newsarchive.demosite.soup.server import serve_soup


@pytest.fixture(scope="module")
def soup_site() -> Iterator[Any]:
    site = serve_soup()
    yield site
    site.stop()


def _get(site: Any, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(site.url.rstrip("/") + path, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _classes(html: bytes) -> set[str]:
    return {c for value in re.findall(rb'class="([^"]*)"', html) for c in value.decode().split()}


def test_markup_names_nothing_and_changes_per_page() -> None:
    pages = [truth.render(a, "http://soup.test") for a in truth.articles()[:20]]
    for html in pages:
        tree = parse_html(html.decode())
        body = tree.find("body")
        assert not {el.tag for el in body.iter()} & {"article", "figure", "figcaption", "aside", "nav", "footer",
                                                      "header", "main", "section"}
        assert not any(el.get("id") or el.get("role") or el.get("aria-label") for el in body.iter())
        assert all(re.fullmatch(r"[a-k][0-9a-f]{6}", c) for c in _classes(html))
    assert all(not (_classes(a) & _classes(b)) for a, b in itertools.pairwise(pages))


def test_captions_share_the_body_tags() -> None:
    loose = next(a for a in truth.articles() if any(m.kind == "loose" for _, m in a.inline))
    media = next(m for _, m in loose.inline if m.kind == "loose")
    tree = parse_html(truth.render(loose, "http://soup.test").decode())
    caption = next(p for p in tree.iter("p") if p.text_content() == media.caption)
    body = next(p for p in tree.iter("p") if p.text_content() == loose.body[0])
    assert caption.get("class") == body.get("class") and caption.getparent() is body.getparent()


def test_deterministic() -> None:
    first = [(a.path, a.media, a.body) for a in truth.articles()]
    corpus.all_articles.cache_clear()
    corpus.by_path.cache_clear()
    assert [(a.path, a.media, a.body) for a in truth.articles()] == first


def test_served_over_http(soup_site: Any) -> None:
    status, robots = _get(soup_site, "/robots.txt")
    assert status == 200 and b"Sitemap: " in robots
    status, sitemap = _get(soup_site, "/sitemap.xml")
    locs = [el.text for el in etree.fromstring(sitemap).iter("{*}loc")]
    assert status == 200 and len(locs) == len(truth.articles())
    status, rss = _get(soup_site, "/rss.xml")
    assert status == 200 and len(etree.fromstring(rss).findall(".//item")) == 30
    article = truth.articles()[3]
    status, page = _get(soup_site, article.path + "?utm_source=x")
    assert status == 200 and page == truth.render(article, soup_site.url)
    assert _get(soup_site, "/2024/01/01/nothing-here")[0] == 404
