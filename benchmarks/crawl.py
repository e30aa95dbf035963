"""Crawl benchmark: our spider against a bare Scrapy spider on the generated site, politeness off.

Both run in subprocesses against the same local site (newsarchive.demosite.generated, served by this process), with
the same concurrency, no delay, no AutoThrottle, no robots.txt, cookies off. Ours discovers the whole
90 days from the configured sitemaps, feed, sections and date archives, filters, dedups, and writes every
response to a WARC; the bare spider is handed the very URLs ours fetched (from the site's access log) and
does nothing with the responses. Throughput is responses per second of crawl time (Scrapy's
elapsed_time_seconds: engine start to close, so interpreter start-up is left out of both); each spider runs
``--repeat`` times, alternating, and the median counts. Target: ours >= 0.8x the bare spider.

    python benchmarks/crawl.py                  # 3 runs each, concurrency 16
    python benchmarks/crawl.py --repeat 5 --concurrency 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.8
USER_AGENT = "newsarchive-bench/0.1 (+https://github.com/newsarchive/newsarchive)"

BARE_SPIDER = '''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

urls_path, out_path, concurrency, user_agent = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
URLS = json.loads(open(urls_path, encoding="utf-8").read())


class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        pass


process = CrawlerProcess({
    "USER_AGENT": user_agent, "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": max(16, concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
    "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
    "RETRY_ENABLED": True, "REDIRECT_ENABLED": True, "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
    "LOG_LEVEL": "WARNING", "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "DEFAULT_REQUEST_HEADERS": {"Accept-Encoding": "gzip, deflate"},
})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
json.dump({"responses": stats.get("downloader/response_count", 0),
           "seconds": stats.get("elapsed_time_seconds", 0.0)}, open(out_path, "w"))
'''


@dataclass(frozen=True)
class Result:
    """One timed crawl."""

    responses: int
    seconds: float

    @property
    def rate(self) -> float:
        """Responses per second of crawl time."""
        return self.responses / self.seconds if self.seconds else 0.0


def our_spec(base_url: str, concurrency: int) -> dict[str, Any]:
    """A spec for the whole generated site (90 days), politeness off, discovery as the site config has it."""
    from newsarchive.demosite.generated.corpus import FIRST_DAY, LAST_DAY, PUBLIC_SECTIONS, TZ

    start = datetime.combine(FIRST_DAY, time(0), tzinfo=TZ)
    end = datetime.combine(LAST_DAY + timedelta(days=1), time(0), tzinfo=TZ)
    return {
        "site": "gen", "base_url": base_url, "start": start.isoformat(), "end": end.isoformat(),
        "feeds": ["/rss.xml"], "sitemaps": ["/sitemap.xml"], "sections": [f"/{s}/" for s in PUBLIC_SECTIONS],
        "date_archive": "/archive/{yyyy}/{mm}/{dd}/", "article_allow": [r"^/[a-z]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$"],
        "max_section_pages": 3, "timezone": "Europe/Paris", "user_agent": USER_AGENT,
        "politeness": {"obey_robots": False, "download_delay": 0.0, "concurrency": concurrency,
                       "autothrottle": False, "allow_private_addresses": True},
    }


def run_ours(base_url: str, concurrency: int, work: Path) -> Result:
    """python -m spiders.runner on the whole site; throughput from its stats."""
    (work / "spec.json").write_text(json.dumps(our_spec(base_url, concurrency)), encoding="utf-8")
    cmd = [sys.executable, "-m", "spiders.runner", "--spec", str(work / "spec.json"), "--warc-out",
           str(work / "ours.warc.gz"), "--stats-out", str(work / "stats.json"), "--progress-interval", "0",
           "--log-level", "WARNING"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"our spider failed ({proc.returncode}): {proc.stderr or proc.stdout[-2000:]}")
    stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))["scrapy"]
    return Result(int(stats.get("downloader/response_count", 0)), float(stats.get("elapsed_time_seconds", 0.0)))


def run_bare(urls: list[str], concurrency: int, work: Path) -> Result:
    """The bare spider on the given URLs."""
    (work / "urls.json").write_text(json.dumps(urls), encoding="utf-8")
    (work / "bare.py").write_text(BARE_SPIDER, encoding="utf-8")
    cmd = [sys.executable, str(work / "bare.py"), str(work / "urls.json"), str(work / "bare.json"),
           str(concurrency), USER_AGENT]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bare spider failed ({proc.returncode}): {proc.stderr[-2000:]}")
    data = json.loads((work / "bare.json").read_text(encoding="utf-8"))
    return Result(int(data["responses"]), float(data["seconds"]))


def _median(results: list[Result]) -> Result:
    middle = statistics.median_low([r.rate for r in results])
    return next(r for r in results if r.rate == middle)


def table(ours: list[Result], bare: list[Result], concurrency: int) -> str:
    """The Markdown report."""
    o, b = _median(ours), _median(bare)
    ratio = o.rate / b.rate if b.rate else 0.0
    rows = [
        "| spider | responses | crawl seconds (median run) | pages/s (median) | runs (pages/s) |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| newsarchive (discovery, dedup, WARC) | {o.responses} | {o.seconds:.2f} | {o.rate:.1f} | "
        + ", ".join(f"{r.rate:.1f}" for r in ours) + " |",
        f"| bare Scrapy (same URL list) | {b.responses} | {b.seconds:.2f} | {b.rate:.1f} | "
        + ", ".join(f"{r.rate:.1f}" for r in bare) + " |",
        "",
        f"ratio newsarchive / bare: **{ratio:.2f}x** (target >= {TARGET_RATIO}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}); concurrency {concurrency}, politeness off, "
        f"{len(ours)} runs each.",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Serve the generated site, run both spiders alternately, print the Markdown table."""
    from newsarchive.demosite.generated import serve_generated

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each spider (median counts)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests for both spiders")
    args = parser.parse_args(argv)
    site = serve_generated("127.0.0.1", 0)
    ours: list[Result] = []
    bare: list[Result] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            work = Path(tmp)
            for _ in range(args.repeat):
                before = len(site.requests)
                ours.append(run_ours(site.url, args.concurrency, work))
                urls = [site.url.rstrip("/") + r.path for r in site.requests[before:]]
                bare.append(run_bare(urls, args.concurrency, work))
    finally:
        site.stop()
    print(table(ours, bare, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
