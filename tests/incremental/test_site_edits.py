"""The generated site's edits and validators: what an update, a silent edit and a touch change (page, ETag,
sitemap lastmod), and its answers to conditional GETs over HTTP."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from datetime import date, datetime, time
from typing import Any

import pytest
from lxml import etree

from newsarchive.demosite.generated import truth
from newsarchive.demosite.generated.corpus import TZ, GenArticle
from newsarchive.demosite.generated.edits import Edit, apply_edits, etag
from newsarchive.demosite.generated.feeds import month_of, month_path

AT = datetime.combine(date(2025, 2, 10), time(9, 30), tzinfo=TZ)


def before_at() -> list[GenArticle]:
    """Articles published before the edits' instant (an edit never dates an article before its publication)."""
    return [a for a in truth.articles() if a.day == date(2025, 2, 5)]


def get(site: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(site.url.rstrip("/") + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def lastmod(site: Any, article: GenArticle) -> str:
    _, _, body = get(site, month_path(month_of(article)))
    if body.startswith(b"\x1f\x8b"):
        body = gzip.decompress(body)
    for node in etree.fromstring(body).iter("{*}url"):
        if (node.findtext("{*}loc") or "").endswith(article.path):
            return node.findtext("{*}lastmod") or ""
    raise AssertionError(f"{article.path} is not in its month's sitemap")


def test_edit_kinds() -> None:
    article = before_at()[0]
    updated = apply_edits(article, [Edit(article.number, AT)])
    silent = apply_edits(article, [Edit(article.number, AT, "silent")])
    touched = apply_edits(article, [Edit(article.number, AT, "touch")])
    assert (updated.modified, silent.modified, touched.modified) == (AT, article.modified, AT)
    assert updated.text != article.text and silent.text != article.text and touched.text == article.text
    assert etag(updated) != etag(article) and etag(touched) == etag(article)
    twice = apply_edits(article, [Edit(article.number, AT), Edit(article.number, AT)])
    assert twice.paragraphs[2:] == article.paragraphs and twice.paragraphs[0] != twice.paragraphs[1]
    assert apply_edits(article, [Edit(article.number + 1, AT)]) == article
    with pytest.raises(ValueError, match="kind"):
        Edit(article.number, AT, "rewrite")


def test_conditional_gets_over_http(gen_site: Any) -> None:
    article, other, quiet = before_at()[:3]
    status, headers, _ = get(gen_site, article.path)
    tag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and tag == etag(article)
    assert get(gen_site, article.path, {"If-None-Match": tag})[0] == 304
    assert get(gen_site, article.path, {"If-None-Match": f'"x", W/{tag}'})[0] == 304  # weak comparison
    assert get(gen_site, article.path, {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    assert get(gen_site, article.path, {"If-Modified-Since": modified})[0] == 304
    status, headers, body = get(gen_site, article.path, {"If-None-Match": tag})
    assert status == 304 and body == b"" and headers["ETag"] == tag
    before = lastmod(gen_site, quiet)
    (edited,) = gen_site.edit([article], AT)
    (silent,) = gen_site.edit([quiet], AT, "silent")
    (touched,) = gen_site.edit([other], AT, "touch")
    status, headers, page = get(gen_site, article.path, {"If-None-Match": tag})
    assert status == 200 and headers["ETag"] == etag(edited) and edited.paragraphs[0].encode() in page
    assert lastmod(gen_site, article) == AT.isoformat()
    assert get(gen_site, quiet.path, {"If-None-Match": etag(quiet)})[0] == 200  # the text changed silently
    assert lastmod(gen_site, quiet) == before == silent.modified.isoformat()
    assert get(gen_site, other.path, {"If-None-Match": etag(other)})[0] == 304  # same text, same ETag
    assert lastmod(gen_site, other) == AT.isoformat() == touched.modified.isoformat()
    gen_site.conditional = False
    try:
        assert get(gen_site, other.path, {"If-None-Match": etag(other)})[0] == 200
    finally:
        gen_site.conditional = True
