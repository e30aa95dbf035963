"""Article ids come from the crawl's canonical form of the page's canonical link: a canonical link (or og:url)
that gains a new fragment, utm_* parameters or a session id on every fetch keeps one id, so fetching the same
articles again (a full re-crawl of the window) archives each of them once, as one object and one index row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extract import article_id
from newsarchive.archive.index import read_index
from newsarchive.demosite import hostile
from newsarchive.demosite import hostile_pages as hp
from newsarchive.pipeline import stages
from newsarchive.pipeline.crawl_stage import crawl_window
from tests.reliability.harness import window_of, write_site

CASES = [c for c in hostile.CASES if c.kind == "volatile_canonical"]
WINDOW = window_of(*hp.WINDOW)


def test_a_canonical_link_that_changes_per_fetch_keeps_one_id(hostile_site: Any, stage_env: Path,
                                                              tmp_path: Path) -> None:
    assert len(CASES) >= 4
    write_site(stage_env / "sites", "volatile", hostile_site.url, allow=("^/hostile/canonical/",))
    url = (tmp_path / "archive").as_uri()
    store = stages.open_archive(url)
    site = stages.get_site("volatile")
    before = len(hostile_site.requests)
    for _ in range(2):  # the second crawl fetches every article again (not incremental)
        crawl = crawl_window(site, WINDOW, store, incremental=False).to_xcom()
        stages.extract("volatile", WINDOW, crawl["warc_key"], url=url)
    fetched = [r.path for r in hostile_site.requests[before:] if r.path.startswith("/hostile/canonical/")]
    assert sorted(fetched) == sorted([c.path for c in CASES] * 2)

    records = [json.loads(store.get(k)) for k in store.list("articles/")]
    rows = [row for k in store.list("index/") for row in read_index(store, k).to_pylist()]
    assert len(records) == len(rows) == len(CASES), ([r["canonical_url"] for r in records], len(rows))
    assert {r["title"] for r in records} == {hp.GOOD_BY_SLUG[c.good or ""].title for c in CASES}
    base = hostile_site.url.rstrip("/")
    for record in records:
        # The stored canonical URL is in canonical form (no fragment, tracking or session part), the id its hash.
        assert not any(part in record["canonical_url"] for part in ("#", "utm_", "jsessionid", "PHPSESSID", "sid="))
        assert record["id"] == article_id(record["canonical_url"])
    assert {r["canonical_url"] for r in records} == {
        f"{base}/hostile/canonical/fragment.html", f"{base}/hostile/canonical/utm.html",
        f"{base}/hostile/canonical/night-trains.html", f"{base}/hostile/canonical/og-url.html"}
