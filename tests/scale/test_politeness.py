"""A site's politeness as its host sees it: never more requests in flight than its concurrency, never closer
together than its download delay allows (Scrapy jitters it between 0.5x and 1.5x), with a server that takes
50 ms to answer so that concurrent requests overlap as on a network."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from newsarchive.demosite.generated import serve_generated
from newsarchive.demosite.generated.config import write_site_config
from newsarchive.demosite.generated.corpus import FIRST_DAY, TZ
from newsarchive.instants import Window
from newsarchive.pipeline import stages
from tests.support import most_at_once

LATENCY_S = 0.05


@pytest.mark.parametrize(("concurrency", "delay"), [(2, 0.0), (3, 0.2)])
def test_the_host_sees_the_configured_politeness(concurrency: int, delay: float, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = serve_generated("127.0.0.1", 0, latency=LATENCY_S)
    try:
        write_site_config(tmp_path / "sites", site.url, "polite", concurrency=concurrency, delay=delay,
                          max_section_pages=2)
        monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(tmp_path / "sites"))
        monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
        start = datetime.combine(FIRST_DAY + timedelta(days=40), time(0), tzinfo=TZ)
        stages.crawl("polite", Window(start, start + timedelta(days=1)), url=(tmp_path / "archive").as_uri())
    finally:
        site.stop()
    exchanges = site.exchanges
    assert len(exchanges) > 15
    in_flight = most_at_once([(e.start, e.end) for e in exchanges])
    if delay:
        starts = sorted(e.start for e in exchanges)
        gap = min(b - a for a, b in itertools.pairwise(starts))
        assert gap >= 0.5 * delay * 0.95, f"requests {gap:.3f}s apart with a {delay}s delay"
        assert in_flight == 1  # each request is answered before the next one is due
    else:
        assert in_flight == concurrency, f"{in_flight} requests in flight, the site allows {concurrency}"
