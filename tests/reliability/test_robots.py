"""A robots.txt that errors, is garbage, is an HTML page or cannot be fetched at all: the crawl goes on (no rules
means everything allowed), says what happened in its counters, and fetches the articles beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsarchive.demosite import hostile
from newsarchive.demosite import hostile_pages as hp
from newsarchive.demosite.hostile_server import serve
from tests.reliability.harness import run_stages, window_of, write_site

CHARSET_CASES = [c for c in hostile.CASES if c.path.startswith("/hostile/charset/")]


@pytest.mark.parametrize("variant", sorted(hostile.ROBOTS_VARIANTS))
def test_broken_robots_txt_does_not_stop_the_crawl(variant: str, stage_env: Path, tmp_path: Path) -> None:
    site = serve(robots=variant)
    try:
        site_id = f"robots-{variant}"
        write_site(stage_env / "sites", site_id, site.url, allow=("^/hostile/charset/",))
        run = run_stages(site_id, window_of(*hp.WINDOW), (tmp_path / "archive").as_uri(), stages=("crawl",))
        requests = site.requests
    finally:
        site.stop()
    assert run.error is None, f"{variant}: {run.error!r}\n{run.log_text()[-4000:]}"

    from newsarchive.archive.store import open_store

    store = open_store((tmp_path / "archive").as_uri())
    stats: dict[str, Any] = json.loads(store.get(run.results["crawl"]["stats_key"]))
    # Every article beside the broken robots.txt was fetched (extraction is not this test's business).
    fetched = {a["url"] for a in stats["articles"]}
    assert fetched == {site.url.rstrip("/") + c.path for c in CHARSET_CASES}, fetched
    robots_requests = [r for r in requests if r.path == "/robots.txt"]
    assert 1 <= len(robots_requests) <= 6, "robots.txt fetched, with bounded retries"

    robots_stats = {k: v for k, v in stats["scrapy"].items() if k.startswith("robotstxt/")}
    assert robots_stats.get("robotstxt/request_count", 0) >= 1, robots_stats
    if variant == "unreachable":
        assert any(k.startswith("robotstxt/exception_count/") for k in robots_stats), robots_stats
    elif variant == "error":
        assert robots_stats.get("robotstxt/response_status_count/500", 0) >= 1, robots_stats
    else:
        assert robots_stats.get("robotstxt/response_status_count/200", 0) == 1, robots_stats
    # Nothing was refused by rules read out of garbage.
    assert run.results["crawl"]["counts"]["skipped"]["robots"] == 0
