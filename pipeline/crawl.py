"""The crawl stage: run the site's spider for a window in a subprocess and archive its WARC."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pipeline import settings
from pipeline.sites import SiteConfig
from pipeline.window import Window

log = logging.getLogger("newsarchive.crawl")

# Spider log lines start with their level; anything else the child prints is informational.
_LEVELS = {name: getattr(logging, name) for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}


class CrawlFailed(RuntimeError):
    """The spider process could not run the crawl at all (bad spec, crash, timeout): the task should retry."""


@dataclass(frozen=True)
class CrawlResult:
    """What the crawl task hands on: object keys and counts, never local files."""

    site: str
    warc_key: str
    stats_key: str
    counts: dict[str, Any]

    def to_xcom(self) -> dict[str, Any]:
        """A small JSON-able dict for XCom."""
        return {"site": self.site, "warc_key": self.warc_key, "stats_key": self.stats_key, "counts": self.counts}


def crawl_spec(site: SiteConfig, window: Window, skip_urls: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON spec the spider subprocess reads (see spiders/crawl.py): a pure function of site and window."""
    d, p = site.discovery, site.politeness
    return {
        "site": site.id,
        "base_url": site.base_url,
        "allowed_domains": list(site.allowed_domains),
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "feeds": list(d.feeds),
        "sitemaps": list(d.sitemaps),
        "sections": list(d.sections),
        "date_archive": d.date_archive,
        "article_allow": list(d.article_allow),
        "article_deny": list(d.article_deny),
        "max_section_pages": d.max_section_pages,
        "timezone": site.timezone,
        "politeness": {
            "obey_robots": p.obey_robots,
            "download_delay": p.download_delay,
            "concurrency": p.concurrency,
            "autothrottle": p.autothrottle,
            "allow_private_addresses": p.allow_private_addresses,
        },
        "user_agent": settings.USER_AGENT,
        "skip_urls": list(skip_urls),
        "max_response_bytes": p.max_response_bytes,
        "timeout_s": p.timeout_s,
        "max_pages": p.max_pages,
    }


def _forward_logs(stream: IO[str], logger: logging.Logger) -> None:
    """Re-log the child's stdout lines at their own level (Scrapy's INFO must not show as task errors)."""
    for line in stream:
        line = line.rstrip()
        if not line:
            continue
        head, _, rest = line.partition(" ")
        if head in _LEVELS:
            logger.log(_LEVELS[head], "%s", rest)
        else:
            logger.info("%s", line)


def run_spider(spec: dict[str, Any], workdir: Path, timeout_s: float = 3600.0) -> tuple[Path, dict[str, Any]]:
    """Run `python -m spiders.crawl` on spec; return the local WARC path and the stats it wrote."""
    spec_path, warc_path, stats_path = workdir / "spec.json", workdir / "crawl.warc.gz", workdir / "stats.json"
    spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    cmd = [sys.executable, "-m", "spiders.crawl", "--spec", str(spec_path),
           "--warc-out", str(warc_path), "--stats-out", str(stats_path)]
    spider_log = logging.getLogger("newsarchive.spider")
    err_path = workdir / "stderr.txt"
    # stderr goes to a file (a pipe could fill up and block the child); stdout is re-logged line by line.
    with err_path.open("w") as err_file, subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=err_file, text=True, cwd=settings.PROJECT_ROOT
    ) as proc:
        assert proc.stdout is not None
        forwarder = threading.Thread(target=_forward_logs, args=(proc.stdout, spider_log), daemon=True)
        forwarder.start()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise CrawlFailed(f"spider for {spec['site']} exceeded {timeout_s:.0f}s and was killed") from None
        finally:
            forwarder.join(timeout=10)
    err = err_path.read_text(errors="replace").strip()
    if proc.returncode != 0:
        raise CrawlFailed(f"spider for {spec['site']} exited with {proc.returncode}: {err or 'no message'}")
    if err:
        spider_log.warning("spider stderr: %s", err)
    if not warc_path.exists() or not stats_path.exists():
        raise CrawlFailed(f"spider for {spec['site']} exited 0 but wrote no WARC or stats in {workdir}")
    return warc_path, json.loads(stats_path.read_text(encoding="utf-8"))


def summarise_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counts worth passing on (the per-URL list stays in the stats object)."""
    return {k: v for k, v in stats.items() if k not in ("articles", "scrapy")}


def crawl_window(site: SiteConfig, window: Window, store: Any) -> CrawlResult:
    """Crawl one site for one window; upload the WARC and the crawl stats to their window keys."""
    from archive import keys

    started = time.monotonic()
    warc_key = keys.raw_warc_key(site.id, window.start, window.end)
    stats_key = warc_key.removesuffix(".warc.gz") + ".crawl.json"
    log.info("crawl %s window %s -> %s", site.id, window, warc_key)
    with tempfile.TemporaryDirectory(prefix=f"crawl-{site.id}-", dir=settings.work_dir()) as tmp:
        warc_path, stats = run_spider(crawl_spec(site, window), Path(tmp))
        size = warc_path.stat().st_size
        store.put_file(warc_key, warc_path, content_type="application/warc")
    store.put(stats_key, json.dumps(stats, indent=1, sort_keys=True).encode("utf-8"),
              content_type="application/json")
    counts = summarise_stats(stats)
    counts["warc_bytes"] = size
    log.info(
        "crawl %s done in %.1fs: %s article pages fetched, %s candidates in window, errors %s, WARC %d bytes",
        site.id, time.monotonic() - started, stats.get("fetched", {}).get("article", 0),
        stats.get("in_window", 0), stats.get("errors", {}), size,
    )
    return CrawlResult(site=site.id, warc_key=warc_key, stats_key=stats_key, counts=counts)
