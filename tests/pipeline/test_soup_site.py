"""The held-out kind of site end to end: the soup site (hashed class names that change per page, captions in
the body's own tags, stock captions) crawled over HTTP and extracted by the real stages, window after
window; the archive holds every body line, and from the second window on (the site pass then learns from
the first window's statistics too) no caption, credit or chrome line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive import open_archive
from newsarchive.demosite.soup import truth
from newsarchive.demosite.soup.config import write_site_config
from newsarchive.demosite.soup.server import serve_soup
from newsarchive.instants import parse_window
from newsarchive.pipeline import stages
from newsarchive.pipeline.report import RunReport

WINDOWS = [parse_window("2024-12-01", "2024-12-08"), parse_window("2024-12-08", "2024-12-15")]


@pytest.fixture
def soup_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list[RunReport]]]:
    site = serve_soup()
    try:
        sites, archive = tmp_path / "sites", tmp_path / "archive"
        write_site_config(sites, site.url)
        monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(sites))
        monkeypatch.setenv("NEWSARCHIVE_URL", archive.as_uri())
        monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
        reports = [stages.run("soup", window) for window in WINDOWS]
        yield site, reports
    finally:
        site.stop()


def test_soup_site_archives_clean_texts(soup_archive: tuple[Any, list[RunReport]], tmp_path: Path) -> None:
    site, reports = soup_archive
    by_url = {truth.url(a, site.url): a for a in truth.articles()}
    expected = [a for a in truth.articles() if any(w.start <= a.published < w.end for w in WINDOWS)]
    records = list(open_archive(str(tmp_path / "archive")).articles(site="soup"))
    assert sorted(r["url"] for r in records) == sorted(truth.url(a, site.url) for a in expected)
    for record in records:
        article = by_url[record["url"]]
        lines = record["text"].split("\n")
        assert [line for line in lines if line in article.body] == list(article.body), article.slug
        assert record["access"] == "free"
        if article.published >= WINDOWS[1].start:
            assert lines == list(article.body), article.slug
            for text in truth.captions_and_credits(article):
                assert not any(text in line for line in lines), (article.slug, text)
    dropped = sum(r.extract.counts.dropped_lines.get("sitewide_caption", 0) for r in reports)
    assert dropped > 0  # the site pass, with the per-line positions the records carried, did part of it
