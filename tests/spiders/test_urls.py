"""URL canonicalisation and the article/site tests."""

from __future__ import annotations

import re

import pytest

from spiders.urls import canonicalize_url, host_allowed, is_article_path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a/b.html", "http://example.com/a/b.html"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com/a.html#comments", "http://example.com/a.html"),
        ("http://example.com/a?utm_source=x&utm_MEDIUM=y&b=2&a=1", "http://example.com/a?a=1&b=2"),
        ("http://example.com/a?fbclid=1&gclid=2", "http://example.com/a"),
        ("http://example.com/a?b=2&a=1&a=0", "http://example.com/a?a=0&a=1&b=2"),
        ("http://example.com/caf%c3%a9?q=%c3%a9", "http://example.com/caf%C3%A9?q=%C3%A9"),
        ("http://example.com./a", "http://example.com/a"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("http://example.com/a?flag", "http://example.com/a?flag"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_is_idempotent_and_keeps_path_case() -> None:
    url = "HTTP://WWW.Example.com:80/Fr/Article.HTML?z=1&utm_campaign=n&a=2#top"
    once = canonicalize_url(url)
    assert once == "http://www.example.com/Fr/Article.HTML?a=2&z=1"
    assert canonicalize_url(once) == once


@pytest.mark.parametrize("url", ["/relative/path", "mailto:someone@example.com", "http://:80/x", "http://h:99999/"])
def test_canonicalize_rejects_non_absolute(url: str) -> None:
    with pytest.raises(ValueError):
        canonicalize_url(url)


def test_host_allowed_includes_subdomains_only() -> None:
    domains = ("example.com", "127.0.0.1")
    assert host_allowed("example.com", domains)
    assert host_allowed("www.example.com", domains)
    assert host_allowed("WWW.EXAMPLE.COM.", domains)
    assert host_allowed("127.0.0.1", domains)
    assert not host_allowed("badexample.com", domains)
    assert not host_allowed("example.com.evil.net", domains)
    assert not host_allowed(None, domains)


def test_is_article_path_searches_path_with_allow_and_deny() -> None:
    allow = (re.compile(r"^/(fr|en)/\d{4}/\d{2}/\d{2}/[\w-]+\.html$"),)
    deny = (re.compile(r"/live/"),)
    assert is_article_path("http://h/fr/2024/11/05/slug-un.html?x=1", allow, deny)
    assert not is_article_path("http://h/section/world/", allow, deny)
    assert not is_article_path("http://h/private/fr/2024/11/05/slug.html", allow, deny)
    unanchored = (re.compile(r"/\d{4}/\d{2}/\d{2}/"),)
    assert not is_article_path("http://h/live/2024/11/05/x", unanchored, deny)
    assert is_article_path("http://h/news/2024/11/05/x", unanchored, deny)
