"""The hostile cases on the plain demo site (routes hook) and on the hostile server: reachable, listed, isolated
from the regular site (no page of the 38-article site links to them)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import Any

import pytest

from newsarchive.demosite import hostile


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_index_lists_the_linked_cases(demo_site: Any) -> None:
    status, _, body = _get(demo_site.url + "hostile/")
    assert status == 200
    page = body.decode()
    linked = [c for c in hostile.CASES if c.href is not None]
    assert len(linked) >= 30
    for case in linked:
        assert f'href="{demo_site.url.rstrip("/")}{case.href}"' in page, case.path
    for link in hostile.NEVER_FETCHED_LINKS:
        assert hostile.on_site_host(link, demo_site.url).split("'")[0].split("<")[0] in page


def test_plain_server_serves_content_cases_and_refuses_transport_ones(demo_site: Any) -> None:
    status, headers, body = _get(demo_site.url + "hostile/charset/latin-1.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "Colmar".encode("latin-1") in body and "é".encode("latin-1") in body
    status, _, _ = _get(demo_site.url + "hostile/slow/stall.html")
    assert status == 501


@pytest.mark.parametrize("path", ["", "section/world/", "section/politics/", "rss.xml", "sitemap.xml", "robots.txt"])
def test_regular_pages_do_not_link_the_hostile_cases(demo_site: Any, path: str) -> None:
    status, _, body = _get(demo_site.url + path)
    assert status == 200
    assert b"/hostile/" not in body


def test_hostile_server_misbehaves_at_the_transport_level() -> None:
    from newsarchive.demosite.hostile_server import serve

    site = serve()  # a fresh server: answers that change with the attempt count from its own log
    try:
        status, _, body = _get(site.url + "hostile/status/throttled-once.html")
        assert status == 429
        status, _, body = _get(site.url + "hostile/status/throttled-once.html")
        assert status == 200 and b"medieval gallery" in body
        with pytest.raises(http.client.IncompleteRead):  # the body is shorter than its Content-Length
            _get(site.url + "hostile/size/truncated.html")
    finally:
        site.stop()
