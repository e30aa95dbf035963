"""One-screen summaries of a run's numbers for task logs: what was found, fetched, skipped, written, rejected.

Pure formatting over the stages' typed results, plus `log_block` and `log_group`, which write them so the
Airflow UI shows them well: one log line per summary line (each with its level), and the stage's detailed
output folded into a collapsible group (Airflow's `::group::` / `::endgroup::` log markers).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence

from newsarchive.pipeline.gates import Gate
from newsarchive.pipeline.results import CrawlResult, ExtractResult, IncrementalCounts

RULE = "=" * 72
# How many reasons of one kind a line lists before "... and N more" (keeps the block one screen high).
MAX_REASONS = 8


def _nonzero(counts: Mapping[str, int]) -> str:
    shown = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v}" for k, v in shown[:MAX_REASONS])
    if len(shown) > MAX_REASONS:
        text += f", ... and {len(shown) - MAX_REASONS} more"
    return text or "none"


def _bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def _rechecks(incremental: IncrementalCounts) -> str:
    """Conditional re-checks of archived articles: why (a signal, or a revisit by age) and how many 304s."""
    return (f"re-checks of archived ones: {incremental.refetched} reported modified, {incremental.revisited} "
            f"revisited by age, {incremental.not_modified} answered 304")


def crawl_lines(crawl: CrawlResult) -> list[str]:
    """The crawl's numbers: candidates by source, fetched by role, skipped (archived first), errors, bytes, time."""
    counts = crawl.counts
    skipped = dict(counts.skipped)
    archived = skipped.pop("already_archived", 0)
    fetched = counts.fetched
    return [
        f"candidates by source   {_nonzero(counts.candidates)} ({counts.in_window} in window)",
        f"fetched                {fetched.get('article', 0)} article pages ({_rechecks(counts.incremental)}); "
        f"also {_nonzero({k: v for k, v in fetched.items() if k not in ('article', 'not_modified')})}",
        f"skipped as archived    {archived}",
        f"skipped, other         {_nonzero(skipped)}",
        f"fetch errors           {_nonzero(counts.errors)}",
        f"bytes                  {_bytes(counts.bytes_received)} received, "
        f"WARC {_bytes(counts.warc_bytes)} ({counts.warc_records} records)",
        f"duration               spider {_seconds(counts.spider_duration_s)}, task {_seconds(crawl.duration_s)}",
    ]


def extract_lines(extract: ExtractResult) -> list[str]:
    """The extraction's numbers: articles written, rejections and duplicates by reason, languages, residue."""
    counts = extract.counts
    articles, words = counts.articles, counts.words
    mean = f", {words / articles:.0f} words each on average" if articles else ""
    return [
        f"articles written       {articles} ({words} words{mean}) from {counts.responses} responses",
        f"rejected by reason     {_nonzero(counts.rejected)}",
        f"duplicates             {_nonzero(counts.duplicate)}",
        f"out of window          {counts.out_of_window}; updates: "
        f"{counts.updates.get('fetched', 0)} archived articles of earlier days fetched again, "
        f"{counts.versions.get('updated', 0)} new versions kept, "
        f"{counts.updates.get('not_modified', 0)} not modified (304)",
        f"languages              {_nonzero(counts.language)}",
        f"residue lines dropped  {_nonzero(counts.dropped_lines)}",
        f"access                 {_nonzero(counts.access)}",
        f"duration               task {_seconds(extract.duration_s)}",
    ]


def gate_lines(gates: Sequence[Gate]) -> list[str]:
    """One line per gate: status, name, and the sentence that says by how much."""
    marks = {"ok": "ok  ", "warning": "WARN", "failed": "FAIL", "skipped": "--  "}
    return [f"{marks.get(g.status, '?   ')} {g.name:24} {g.message}" for g in gates]


def run_lines(crawl: CrawlResult, extract: ExtractResult) -> list[str]:
    """The whole run so far (what the check task's log starts with): crawl and extract numbers."""
    return ["-- crawl", *crawl_lines(crawl), "-- extract", *extract_lines(extract)]


def log_block(logger: logging.Logger, title: str, lines: list[str], level: int = logging.INFO) -> None:
    """Log a titled block, one line per record, between rules (so it stands out in the task log)."""
    logger.log(level, "%s", RULE)
    logger.log(level, "%s", title)
    for line in lines:
        logger.log(level, "  %s", line)
    logger.log(level, "%s", RULE)


@contextlib.contextmanager
def log_group(logger: logging.Logger, title: str) -> Iterator[None]:
    """Fold everything logged inside into one collapsible group in the Airflow UI's log view."""
    logger.info("::group::%s", title)
    try:
        yield
    finally:
        logger.info("::endgroup::")
