"""Listing pages: links and next-page detection."""

from __future__ import annotations

from spiders.pages import parse_listing

PAGE = """<html><head><link rel="next" href="?page=2"></head><body>
<a href="/fr/2024/11/05/a.html">A</a> <a href="http://other.example/x">X</a>
<a href="#top">top</a> <a href="javascript:void(0)">js</a> <a href="mailto:a@b">mail</a>
<a href="/fr/2024/11/05/a.html">A again</a></body></html>"""


def test_links_are_absolute_unique_and_http_only() -> None:
    page = parse_listing(PAGE, "http://h/section/world/")
    assert page.links == ("http://h/fr/2024/11/05/a.html", "http://other.example/x")
    assert page.next_url == "http://h/section/world/?page=2"


def test_next_by_anchor_rel_text_or_class() -> None:
    rel = '<a rel="prev" href="/p0">prev</a><a rel="nofollow next" href="/p2">2</a>'
    assert parse_listing(rel, "http://h/p1").next_url == "http://h/p2"
    text = '<a href="/p1">1</a><a href="/p3"> Page   suivante </a>'
    assert parse_listing(text, "http://h/p2").next_url == "http://h/p3"
    cls = '<a class="btn pagination-next" href="/p4">→</a>'
    assert parse_listing(cls, "http://h/p3").next_url == "http://h/p4"


def test_no_next_or_self_link() -> None:
    assert parse_listing('<a href="/a">a</a>', "http://h/").next_url is None
    assert parse_listing('<link rel="next" href="/p1#x">', "http://h/p1").next_url is None


def test_base_href_and_empty_pages() -> None:
    page = parse_listing('<head><base href="http://cdn.h/x/"></head><a href="y.html">y</a>', "http://h/")
    assert page.links == ("http://cdn.h/x/y.html",)
    assert parse_listing("", "http://h/").links == ()
    assert parse_listing(b"   ", "http://h/").next_url is None
