"""Fixtures of the reliability tests: the hostile demo site, one pipeline run over every hostile case (shared by
the case tests), and the environment the stages read (sites folder, scratch folder)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import harness

HERE = Path(__file__).resolve().parent
HOSTILE_SITE = "hostile"




@pytest.fixture(scope="session")
def hostile_site() -> Iterator[Any]:
    """The demo site with its hostile cases misbehaving at the transport level too (one per session)."""
    from newsarchive.demosite import hostile_pages
    from newsarchive.demosite.hostile_server import serve

    # The bombs take ~2 s to build; built before serving so no request waits on them.
    hostile_pages.gzip_bomb(), hostile_pages.deflate_bomb(), hostile_pages.brotli_bomb()
    hostile_pages.sitemap_bomb()
    site = serve()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def stage_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A sites folder and a scratch folder for the stages (NEWSARCHIVE_SITES_DIR / NEWSARCHIVE_WORK_DIR)."""
    root = tmp_path_factory.mktemp("reliability")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSARCHIVE_SITES_DIR", str(root / "sites"))
        mp.setenv("NEWSARCHIVE_WORK_DIR", str(root / "work"))
        (root / "sites").mkdir()
        yield root


@dataclass(frozen=True)
class HostileRun:
    """The pipeline run over every hostile case: what the stages returned, logged and stored."""

    site: Any
    run: Any  # harness.StageRun
    report: dict[str, Any]
    store: Any
    keys: list[str]
    requests: list[Any]  # the site's request log during the run

    @property
    def crawl_counts(self) -> dict[str, Any]:
        """The crawl counts of the run report."""
        return dict(self.report["crawl"]["counts"])

    @property
    def extract_counts(self) -> dict[str, Any]:
        """The extract counts of the run report."""
        return dict(self.report["extract"]["counts"])

    def count(self, expect: str) -> int:
        """The report's count for an expectation "crawl.<group>.<reason>" or "extract.<key>"."""
        stage, _, rest = expect.partition(".")
        if stage == "crawl":
            group, _, reason = rest.partition(".")
            return int(self.crawl_counts.get(group, {}).get(reason, 0))
        return int(self.extract_counts.get(rest, 0))


@pytest.fixture(scope="session")
def hostile_run(hostile_site: Any, stage_env: Path) -> HostileRun:
    """crawl + extract + check over /hostile/, every hostile feed and sitemap, into a local archive."""
    from newsarchive.archive.store import open_store
    from newsarchive.demosite import hostile, hostile_pages

    write = harness.write_site
    write(stage_env / "sites", HOSTILE_SITE, hostile_site.url, feeds=hostile.feed_paths(),
          sitemaps=hostile.sitemap_paths())
    archive_url = (stage_env / "hostile-archive").as_uri()
    window = harness.window_of(*hostile_pages.WINDOW)
    before = len(hostile_site.requests)
    run = harness.run_stages(HOSTILE_SITE, window, archive_url)
    assert run.error is None, f"the hostile run failed: {run.error!r}\n" + run.log_text()[-6000:]
    store = open_store(archive_url)
    report_key = run.results["check"]["report_key"]
    import json

    report = json.loads(store.get(report_key))
    return HostileRun(hostile_site, run, report, store, sorted(store.list("")), hostile_site.requests[before:])
