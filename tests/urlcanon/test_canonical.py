"""The one canonical form of URLs (urlcanon): what it drops (fragments, tracking and session parameters), what it
keeps, and that the crawl's dedup keys and the extractor's article ids both follow it."""

from __future__ import annotations

import pytest

from extract import article_id, extract_article
from newsarchive.urlcanon import canonicalize_url, origin_of
from spiders.urls import SiteUrls

TOKEN = "9f86d081884c7d659a2feaa0c55ad015"  # 32 hex digits: what a session id looks like


@pytest.mark.parametrize(("url", "expected"), [
    ("http://h.example/a.html#comments", "http://h.example/a.html"),
    ("http://h.example/a?utm_source=rss&utm_medium=x&id=3", "http://h.example/a?id=3"),
    ("http://h.example/a?pk_campaign=n&mtm_source=m&_gl=1*abc&igshid=z", "http://h.example/a"),
    ("http://h.example/a?xtor=RSS-3208&at_medium=email&ns_mchannel=social&smid=tw-share", "http://h.example/a"),
    (f"http://h.example/a?PHPSESSID={TOKEN}", "http://h.example/a"),
    (f"http://h.example/a;jsessionid={TOKEN}", "http://h.example/a"),
    (f"http://h.example/a;JSESSIONID={TOKEN}?page=2", "http://h.example/a?page=2"),
    (f"http://h.example/a?ASPSESSIONIDQQGGQGPG={TOKEN}&b=1", "http://h.example/a?b=1"),
    (f"http://h.example/a?sessionid=x1&session_id=x2&sid={TOKEN}", "http://h.example/a"),
    ("http://h.example/a?cfid=123&cftoken=456", "http://h.example/a"),
    # Generic names are dropped only with a token-shaped value: sid=12 may be a story id.
    ("http://h.example/a?sid=12", "http://h.example/a?sid=12"),
    ("http://h.example/a?session=2024", "http://h.example/a?session=2024"),
    ("http://h.example/a;type=print", "http://h.example/a;type=print"),  # other path parameters stay
])
def test_volatile_parts_are_dropped_and_meaningful_ones_kept(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # idempotent


def test_origins() -> None:
    assert str(origin_of("HTTP://Example.COM/a")) == "http://example.com:80"
    assert str(origin_of("https://[::1]/a")) == "https://[::1]:443"
    assert origin_of("ftp://h/a") is None and origin_of("http://h:99999/") is None and origin_of("/a") is None


@pytest.mark.parametrize("variant", [
    "http://h.example/2024/11/21/story.html#top",
    "http://h.example/2024/11/21/story.html?utm_source=newsletter&utm_campaign=nov",
    f"http://h.example/2024/11/21/story.html;jsessionid={TOKEN}",
    f"http://h.example/2024/11/21/story.html?PHPSESSID={TOKEN}&fbclid=abc",
    "HTTP://H.EXAMPLE:80/2024/11/21/story.html",
])
def test_crawl_keys_and_article_ids_agree_on_one_form(variant: str) -> None:
    clean = "http://h.example/2024/11/21/story.html"
    assert article_id(variant) == article_id(clean)
    assert SiteUrls("http://h.example/").key(variant) == SiteUrls("http://h.example/").key(clean)


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour pilots train on a simulator</title>
{tag}
<meta property="article:published_time" content="2024-11-21T09:30:00+01:00"></head><body><article>
<h1>Harbour pilots train on a simulator</h1>
<p>The harbour's pilots now train on a full-size ship simulator before they are allowed to bring the largest
container vessels through the narrow entrance of the port, the authority said on Thursday.</p>
<p>The simulator reproduces the tides, the wind and the traffic of a busy morning, and lets instructors add
engine failures or sudden fog without putting any real ship or crew at risk.</p>
<p>Every pilot will spend two days a year on it, and new recruits a full month before their first supervised
passage with a senior colleague on the bridge of a real vessel.</p>
</article></body></html>"""


@pytest.mark.parametrize("tag", [
    '<link rel="canonical" href="https://news.example/2024/11/21/pilots.html#c-{n}">',
    '<link rel="canonical" href="https://news.example/2024/11/21/pilots.html?utm_source=s{n}&utm_medium=rss">',
    '<link rel="canonical" href="https://news.example/2024/11/21/pilots.html;jsessionid={n}' + TOKEN + '">',
    '<meta property="og:url" content="https://news.example/2024/11/21/pilots.html?sid={n}' + TOKEN + '">',
])
def test_extracted_ids_ignore_what_the_canonical_link_adds_per_fetch(tag: str) -> None:
    records = [extract_article(PAGE.format(tag=tag.format(n=n)), "https://news.example/2024/11/21/pilots.html?x=1")
               for n in range(3)]
    assert {r.canonical_url for r in records} == {"https://news.example/2024/11/21/pilots.html"}
    assert {r.id for r in records} == {article_id("https://news.example/2024/11/21/pilots.html")}
