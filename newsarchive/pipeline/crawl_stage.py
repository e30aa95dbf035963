"""The crawl stage: run the site's spider for a window in a subprocess and archive its WARC.

Incremental: the spec lists what the archive already holds for the window and the site's update horizon
before it (``newsarchive.pipeline.incremental``), so a rerun fetches only new or modified articles, and archived
articles
the site reports modified (or due for a revisit by age) are re-checked with conditional requests. Each
crawl attempt uploads its own immutable WARC and crawl numbers (``newsarchive.pipeline.raw``): nothing is downloaded,
appended and uploaded back, so two runs of one window at once lose nothing, and the archived records' ``raw``
references point into objects that never change. The extract stage reads every WARC of the window (the
latest fetch of an article wins).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newsarchive.instants import Window
from newsarchive.pipeline import settings
from newsarchive.pipeline.results import CrawlCounts, CrawlResult
from newsarchive.pipeline.scratch import add_owner, scratch_dir
from newsarchive.pipeline.sites import SiteConfig

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.crawl")

# Spider log lines start with their level; anything else the child prints is informational.
_LEVELS = {name: getattr(logging, name) for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}


class CrawlFailed(RuntimeError):
    """The spider process could not run the crawl at all (bad spec, crash, timeout): the task should retry."""


@dataclass(frozen=True)
class ProgressEvent:
    """One progress line of the spider (see spiders.progress): counters so far; ``final`` on the last one."""

    fetched: int
    queued: int
    articles: int
    errors: int
    final: bool

    @property
    def total(self) -> int:
        """Requests known so far (answered + waiting): a moving total for a progress bar."""
        return self.fetched + self.queued


ProgressCallback = Callable[[ProgressEvent], None]
PROGRESS_LOGGER = "spiders.progress:"
# How often the spider reports when someone listens (a progress bar), and when only the log does.
PROGRESS_INTERVAL_S, LOG_PROGRESS_INTERVAL_S = 1.0, 30.0


def crawl_spec(site: SiteConfig, window: Window, skip_urls: tuple[str, ...] = (),
               archived: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON spec the spider subprocess reads (see spiders/spec.py): the site serialised by its model plus
    the window, what the archive holds (``archived``: URL -> archived copy, see newsarchive.pipeline.incremental) and
    the
    user agent; a pure function of them. Raises SpecError (a config error: retrying cannot fix it) when the
    spider would refuse it."""
    from spiders.spec import spec_document

    return spec_document(site, window.start, window.end, settings.USER_AGENT, skip_urls, archived)


def progress_event(line: str) -> ProgressEvent | None:
    """The event of a spider progress line ("INFO spiders.progress: fetched=N queued=M ..."), else None."""
    from spiders.progress import parse_progress

    level, _, rest = line.partition(" ")
    logger, _, message = rest.partition(" ")
    if level != "INFO" or logger != PROGRESS_LOGGER:
        return None
    counts = parse_progress(message)
    if counts is None:
        return None
    return ProgressEvent(fetched=counts["fetched"], queued=counts["queued"], articles=counts["articles"],
                         errors=counts["errors"], final=bool(counts["final"]))


def _forward_logs(stream: IO[str], logger: logging.Logger, progress: ProgressCallback | None = None) -> None:
    """Re-log the child's stdout lines at their own level (Scrapy's INFO must not show as task errors);
    progress lines go to the callback (and to the log at DEBUG) when there is one."""
    for line in stream:
        line = line.rstrip()
        if not line:
            continue
        if progress is not None and (event := progress_event(line)) is not None:
            try:
                progress(event)
            except Exception:  # a broken progress display must not break the crawl
                log.exception("progress callback failed")
            logger.debug("%s", line.partition(" ")[2])
            continue
        head, _, rest = line.partition(" ")
        if head in _LEVELS:
            logger.log(_LEVELS[head], "%s", rest)
        else:
            logger.info("%s", line)


def run_spider(spec: dict[str, Any], workdir: Path, timeout_s: float = 3600.0,
               progress: ProgressCallback | None = None) -> tuple[Path, dict[str, Any]]:
    """Run `python -m spiders.runner` on spec; return the local WARC path and the stats it wrote.

    With ``progress``, the spider reports every PROGRESS_INTERVAL_S and each report is passed on as a
    ProgressEvent (from the log-forwarding thread)."""
    spec_path, warc_path, stats_path = workdir / "spec.json", workdir / "crawl.warc.gz", workdir / "stats.json"
    spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    interval = PROGRESS_INTERVAL_S if progress is not None else LOG_PROGRESS_INTERVAL_S
    # --parent-pid: the spider dies with this process, even if it is SIGKILLed (spiders.lifeline).
    cmd = [sys.executable, "-m", "spiders.runner", "--spec", str(spec_path), "--warc-out", str(warc_path),
           "--stats-out", str(stats_path), "--progress-interval", str(interval), "--parent-pid", str(os.getpid())]
    spider_log = logging.getLogger("newsarchive.spider")
    err_path = workdir / "stderr.txt"
    # stderr goes to a file (a pipe could fill up and block the child); stdout is re-logged line by line.
    with err_path.open("w") as err_file, subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=err_file, text=True, cwd=settings.PROJECT_ROOT
    ) as proc:
        add_owner(workdir, proc.pid)  # the folder is in use while the spider lives, whatever became of us
        assert proc.stdout is not None
        forwarder = threading.Thread(target=_forward_logs, args=(proc.stdout, spider_log, progress), daemon=True)
        forwarder.start()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise CrawlFailed(f"spider for {spec['site']} exceeded {timeout_s:.0f}s and was killed") from None
        except BaseException:
            # The task is being stopped (Ctrl-C, a task timeout or SIGTERM raised as an exception): the spider
            # stops with it, or leaving this block would wait for it to finish crawling the whole window.
            proc.kill()
            raise
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


def crawl_window(site: SiteConfig, window: Window, store: Store, progress: ProgressCallback | None = None,
                 incremental: bool = True) -> CrawlResult:
    """Crawl one site for one window; upload the WARC and the crawl numbers under this attempt's own keys
    (never over another attempt's). ``incremental``: skip what the archive already holds unless modified
    since; ``progress``: called with each ProgressEvent of the spider."""
    from newsarchive.archive import keys
    from newsarchive.pipeline.incremental import archived_articles
    from newsarchive.pipeline.raw import new_attempt_id
    from newsarchive.pipeline.takedown import taken_down_urls

    started = time.monotonic()
    attempt = new_attempt_id()
    warc_key = keys.raw_warc_key(site.id, window.start, window.end, attempt)
    stats_key = keys.crawl_stats_key(warc_key)
    log.info("crawl %s window %s -> %s", site.id, window, warc_key)
    archived = archived_articles(store, site, window) if incremental else {}
    with scratch_dir(f"crawl-{site.id}-") as tmp:
        spec = crawl_spec(site, window, skip_urls=taken_down_urls(store, site.id), archived=archived)
        warc_path, stats = run_spider(spec, tmp, progress=progress)
        size = warc_path.stat().st_size
        store.put_file(warc_key, warc_path, content_type="application/warc")
    store.put(stats_key, json.dumps(stats, indent=1, sort_keys=True).encode("utf-8"),
              content_type="application/json")
    counts = CrawlCounts.from_stats(summarise_stats(stats), warc_bytes=size)
    duration_s = round(time.monotonic() - started, 2)
    rechecks = counts.incremental
    log.info(
        "crawl %s done in %.1fs: %s article pages fetched, %s already archived, %s candidates in window; "
        "archived articles re-checked: %s reported modified by the site, %s revisited by age, %s not modified "
        "(304); errors %s, WARC %d bytes",
        site.id, duration_s, counts.fetched.get("article", 0), rechecks.already_archived, counts.in_window,
        rechecks.refetched, rechecks.revisited, rechecks.not_modified, counts.errors, size,
    )
    return CrawlResult(site=site.id, window=window, warc_key=warc_key, stats_key=stats_key, counts=counts,
                       attempt=attempt, duration_s=duration_s)
