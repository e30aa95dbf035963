"""Entry point: ``python -m spiders.runner --spec SPEC.json --warc-out OUT.warc.gz --stats-out STATS.json``
(``--parent-pid PID``: die with that process, see ``spiders.lifeline``).

Exit 0 when the crawl ran (failed pages are counted, not fatal); 2 for a bad spec or arguments; 3 when the
WARC, the stats or the crawl's scratch files (next to the WARC) cannot be written; 1 when the crawl could
not run or was interrupted. Logs go to stdout as ``LEVEL logger: message``; stderr gets only the one-line
reason of a fatal error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spiders.spec import CrawlSpec, SpecError, load_spec

if TYPE_CHECKING:
    from spiders.fetched import FetchedArticles

log = logging.getLogger("spiders.runner")

EXIT_OK, EXIT_CRASH, EXIT_SPEC, EXIT_OUTPUT = 0, 1, 2, 3
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Loggers that speak once per request (or dump lists at start-up): kept at WARNING or above.
PER_REQUEST_LOGGERS = (
    "scrapy.core.engine", "scrapy.core.scraper", "scrapy.downloadermiddlewares.redirect",
    "scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.offsite", "scrapy.spidermiddlewares.httperror",
    # Start-up listings of enabled components: long multi-line dumps, useful only when debugging.
    "scrapy.middleware", "scrapy.addons",
)
# Loggers that Scrapy's configure_logging pins to DEBUG/ERROR; levels are reset after it runs.
CONFIGURED_LOGGERS = ("scrapy", "twisted", "py.warnings", "spiders")


class Fatal(Exception):
    """A reason to stop with a non-zero exit code and one line on stderr."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        super().__init__(reason)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments (argparse exits 2 with a usage line on stderr for bad ones)."""
    parser = argparse.ArgumentParser(
        prog="python -m spiders.runner",
        description="Crawl one news site for one time window: every response to a WARC, counts to STATS.json.")
    parser.add_argument("--spec", required=True, type=Path, help="crawl spec JSON written by the pipeline")
    parser.add_argument("--warc-out", required=True, type=Path, help="WARC file to write (gzip per record)")
    parser.add_argument("--stats-out", required=True, type=Path, help="STATS.json to write")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    parser.add_argument("--progress-interval", type=float, default=None, metavar="SECONDS",
                        help="log a 'spiders.progress' line this often (0 = never; default 10)")
    parser.add_argument("--parent-pid", type=int, default=None, metavar="PID",
                        help="the parent process: stop at once when it dies (the pipeline passes its own pid)")
    return parser.parse_args(argv)


def setup_logging(level: str) -> None:
    """All logs to stdout in one format; per-request chatter quietened (called again after Scrapy's setup)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name in CONFIGURED_LOGGERS:
        logging.getLogger(name).setLevel(level)
    logging.getLogger("twisted").setLevel(max(numeric, logging.WARNING))
    for name in PER_REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    logging.captureWarnings(True)


def _check_writable(path: Path, what: str) -> None:
    """Fail before crawling when an output cannot be created (a new file is removed again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with path.open("ab"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise Fatal(EXIT_OUTPUT, f"cannot write {what} {path}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class CrawlOutcome:
    """What a finished crawl leaves: Scrapy's stats, the kept pages (on disk), the frontier's numbers, its time."""

    stats: dict[str, Any]
    articles: FetchedArticles
    frontier: dict[str, int]
    duration_s: float


def run_crawl(spec: CrawlSpec, warc_out: Path, log_level: str,
              progress_interval: float | None = None) -> CrawlOutcome:
    """Run the crawl in this process (starts the reactor, so once per process)."""
    from scrapy.crawler import CrawlerProcess

    from spiders.settings import DEFAULT_PROGRESS_INTERVAL_S, build_settings
    from spiders.spider import NewsSpider

    interval = DEFAULT_PROGRESS_INTERVAL_S if progress_interval is None else progress_interval
    process = CrawlerProcess(build_settings(spec, warc_out, log_level, interval))
    setup_logging(log_level)  # Scrapy's configure_logging just reset logger levels
    crawler = process.create_crawler(NewsSpider)
    failures: list[Any] = []
    process.crawl(crawler, spec=spec).addErrback(failures.append)
    started = time.monotonic()
    process.start()
    duration = time.monotonic() - started
    if failures:
        failure = failures[0]
        log.error("crawl failed: %s", failure.getTraceback())
        raise Fatal(EXIT_OUTPUT if isinstance(failure.value, OSError) else EXIT_CRASH,
                    f"crawl could not run: {failure.getErrorMessage()}")
    assert crawler.stats is not None and isinstance(crawler.spider, NewsSpider)
    spider = crawler.spider
    return CrawlOutcome(crawler.stats.get_stats(), spider.articles, spider.frontier.numbers(), duration)


def main(argv: Sequence[str] | None = None) -> int:
    """The command; returns the exit code."""
    args = parse_args(argv)
    if args.parent_pid is not None:
        from spiders.lifeline import die_with_parent

        die_with_parent(args.parent_pid)  # first: an orphan must not even start crawling
    setup_logging(args.log_level)
    try:
        return _main(args)
    except Fatal as exc:
        print(f"spiders.runner: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # a crash: traceback to the log, one line to stderr
        log.exception("crawl crashed")
        print(f"spiders.runner: crashed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CRASH


def _main(args: argparse.Namespace) -> int:
    from spiders.frontier import STAT_SCRATCH_ERROR
    from spiders.stats import build_stats, log_summary, write_stats
    from spiders.warc import STAT_WRITE_ERROR

    try:
        spec = load_spec(args.spec)
    except SpecError as exc:
        raise Fatal(EXIT_SPEC, str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise Fatal(EXIT_SPEC, f"cannot read spec {args.spec}: {exc}") from exc
    _check_writable(args.warc_out, "WARC")
    _check_writable(args.stats_out, "stats")
    if args.progress_interval is not None and args.progress_interval < 0:
        raise Fatal(EXIT_SPEC, f"--progress-interval must be >= 0, got {args.progress_interval}")
    outcome = run_crawl(spec, args.warc_out, args.log_level, args.progress_interval)
    stats = outcome.stats
    doc = build_stats(stats, outcome.duration_s, outcome.frontier)
    try:
        write_stats(args.stats_out, doc, outcome.articles.sorted_json())
    except OSError as exc:
        raise Fatal(EXIT_OUTPUT, f"cannot write stats {args.stats_out}: {exc.strerror or exc}") from exc
    finally:
        outcome.articles.close()
    log_summary(doc, spec.site)
    for fatal in (STAT_WRITE_ERROR, STAT_SCRATCH_ERROR):
        if stats.get(fatal):
            raise Fatal(EXIT_OUTPUT, str(stats[fatal]))
    reason = stats.get("finish_reason")
    if reason != "finished":
        raise Fatal(EXIT_CRASH, f"crawl did not finish (finish_reason={reason})")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
