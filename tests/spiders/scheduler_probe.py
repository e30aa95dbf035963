"""A crawl with a probe on Scrapy's scheduler, for tests: ``python -m tests.spiders.scheduler_probe SPEC.json
OUT_DIR [--scratch DIR]`` runs the spider on the spec exactly as ``spiders.runner`` does (same settings), plus
the ``SchedulerProbe`` extension, and writes OUT_DIR/probe.json: the most requests the scheduler held at
once (seen by Scrapy's own ``request_scheduled`` signal, independently of the spider's bookkeeping), the
concurrency setting, and Scrapy's stats. ``--scratch`` overrides the spider's scratch folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

STAT_MOST_SCHEDULED = "probe/most_scheduled"


class SchedulerProbe:
    """Records in the stats the most requests Scrapy's scheduler held at once (every role)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.most = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Listens to request_scheduled (sent before the request is queued: it counts itself)."""
        probe = cls(crawler)
        crawler.signals.connect(probe.on_scheduled, signal=signals.request_scheduled)
        return probe

    def on_scheduled(self) -> None:
        """Keep the most the scheduler held, this request included."""
        engine = self.crawler.engine
        assert engine is not None and engine.scheduler is not None and self.crawler.stats is not None
        self.most = max(self.most, len(engine.scheduler) + 1)  # type: ignore[arg-type]
        self.crawler.stats.set_value(STAT_MOST_SCHEDULED, self.most)


def main(argv: list[str] | None = None) -> int:
    """Run the probed crawl; write probe.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scratch", default=None)
    args = parser.parse_args(argv)

    from scrapy.crawler import CrawlerProcess

    from spiders.settings import build_settings
    from spiders.spec import load_spec
    from spiders.spider import NewsSpider

    spec = load_spec(args.spec)
    settings = build_settings(spec, args.out / "out.warc.gz", "WARNING", 0)
    settings["EXTENSIONS"] = {**settings["EXTENSIONS"], "tests.spiders.scheduler_probe.SchedulerProbe": 900}
    if args.scratch is not None:
        settings["NEWSARCHIVE_SCRATCH_DIR"] = args.scratch
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, spec=spec)
    process.start()
    assert crawler.stats is not None
    stats: dict[str, Any] = crawler.stats.get_stats()
    result = {"most_scheduled": int(stats.get(STAT_MOST_SCHEDULED, 0)),
              "concurrent_requests": int(settings["CONCURRENT_REQUESTS"]),
              "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)}}
    (args.out / "probe.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
