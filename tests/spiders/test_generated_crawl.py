"""``python -m spiders.runner`` on the generated site with an ``archived`` spec: what is skipped, what is
fetched again (newer lastmod), Retry-After on a 429, duplicates, robots and progress lines."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsarchive.demosite.generated import serve_generated, truth
from newsarchive.demosite.generated.corpus import TZ
from tests.support import run_spider

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2025, 1, 17)


@pytest.fixture(scope="module")
def gen_site() -> Any:
    site = serve_generated("127.0.0.1", 0)
    yield site
    site.stop()


def day_spec(base_url: str, archived: dict[str, str]) -> dict[str, Any]:
    start = datetime.combine(DAY, time(0), tzinfo=TZ)
    return {
        "site": "gen", "base_url": base_url, "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(),
        "feeds": ["/rss.xml"], "sitemaps": ["/sitemap.xml"], "sections": ["/world/", "/politics/"],
        "date_archive": "/archive/{yyyy}/{mm}/{dd}/", "article_allow": [r"^/[a-z]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$"],
        "max_section_pages": 2, "timezone": "Europe/Paris",
        "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 8, "autothrottle": False,
                       "allow_private_addresses": True},
        "archived": archived,
    }


@pytest.fixture(scope="module")
def crawl(gen_site: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl of 17 Jan 2025: all but two of its articles archived, one of those with a stale copy, the
    other answering 429 + Retry-After: 1 on its first request."""
    articles = [a for a in truth.articles() if a.day == DAY]
    new, stale, kept = articles[0], articles[1], articles[2:]
    archived = {truth.url(a, gen_site.url): a.modified.isoformat() for a in kept}
    archived[truth.url(stale, gen_site.url) + "/"] = (stale.modified - timedelta(hours=1)).isoformat()
    gen_site.throttle(new.path, times=1, retry_after="1")
    tmp = tmp_path_factory.mktemp("gencrawl")
    (tmp / "spec.json").write_text(json.dumps(day_spec(gen_site.url, archived)), encoding="utf-8")
    before = len(gen_site.requests)
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(tmp / "spec.json"), "--warc-out",
         str(tmp / "out.warc.gz"), "--stats-out", str(tmp / "stats.json"), "--progress-interval", "0.2"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-3000:]
    return {"stats": json.loads((tmp / "stats.json").read_text()), "stdout": proc.stdout,
            "requests": gen_site.requests[before:], "new": new, "stale": stale, "kept": kept}


def _requests_of(crawl: dict[str, Any], path: str) -> list[Any]:
    return [r for r in crawl["requests"] if urlsplit(r.path).path.rstrip("/") == path]


def test_archived_skipped_unless_modified(crawl: dict[str, Any]) -> None:
    stats = crawl["stats"]
    assert all(not _requests_of(crawl, a.path) for a in crawl["kept"])
    assert len(_requests_of(crawl, crawl["stale"].path)) == 1  # its sitemap lastmod is after the archived copy
    assert stats["skipped"]["already_archived"] == len(crawl["kept"])
    assert stats["incremental"] == {"archived_known": len(crawl["kept"]) + 1, "already_archived": len(crawl["kept"]),
                                    "refetched": 1, "revisited": 0, "conditional": 0, "not_modified": 0}
    assert stats["fetched"]["article"] == 2


def test_retry_after_honoured(crawl: dict[str, Any]) -> None:
    first, second = _requests_of(crawl, crawl["new"].path)
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0
    assert crawl["stats"]["retries"]["retry_after_honoured"] == 1 and crawl["stats"]["errors"]["http_429"] == 0


def test_robots_duplicates_and_https_links(crawl: dict[str, Any]) -> None:
    paths = [r.path for r in crawl["requests"]]
    assert not [p for p in paths if p.startswith("/partners/")] and crawl["stats"]["skipped"]["robots"] >= 1
    assert not [p for p in paths if "utm_" in p]
    assert sum(crawl["stats"]["errors"].values()) == 0  # https://127.0.0.1 links were fetched over http


def test_progress_lines(crawl: dict[str, Any]) -> None:
    lines = [line for line in crawl["stdout"].splitlines() if line.startswith("INFO spiders.progress: ")]
    assert lines and lines[-1].endswith("final=1")
    assert "articles=2 " in lines[-1]


def test_robots_crawl_delay_honoured(tmp_path: Path) -> None:
    site = serve_generated("127.0.0.1", 0, crawl_delay=0.4)
    try:
        spec = day_spec(site.url, {})
        start = datetime.combine(date(2025, 2, 28), time(0), tzinfo=TZ)
        spec.update(start=start.isoformat(), end=(start + timedelta(days=1)).isoformat(), sitemaps=[], sections=[],
                    date_archive=None)
        run_spider(spec, tmp_path)
        times = [r.time for r in site.requests if r.path != "/robots.txt"]
    finally:
        site.stop()
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["robots_crawl_delay_s"] == 0.4 and stats["fetched"]["article"] >= 2
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) >= 3 and min(gaps) >= 0.38, gaps
