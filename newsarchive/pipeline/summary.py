"""One-screen summaries of a run's numbers for task logs: what was found, fetched, skipped, written, rejected.

Pure formatting over the stages' XCom dicts, plus `log_block` and `log_group`, which write them so the
Airflow UI shows them well: one log line per summary line (each with its level), and the stage's detailed
output folded into a collapsible group (Airflow's `::group::` / `::endgroup::` log markers).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

RULE = "=" * 72
# How many reasons of one kind a line lists before "... and N more" (keeps the block one screen high).
MAX_REASONS = 8


def _nonzero(counts: Mapping[str, Any]) -> str:
    shown = sorted(((k, int(v)) for k, v in counts.items() if int(v)), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v}" for k, v in shown[:MAX_REASONS])
    if len(shown) > MAX_REASONS:
        text += f", ... and {len(shown) - MAX_REASONS} more"
    return text or "none"


def _prefixed(counts: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in counts.items() if k.startswith(prefix)}


def _bytes(n: Any) -> str:
    value = float(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _seconds(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}s"


def _rechecks(incremental: Mapping[str, Any]) -> str:
    """Conditional re-checks of archived articles: why (a signal, or a revisit by age) and how many 304s."""
    signalled, revisited = int(incremental.get("refetched", 0)), int(incremental.get("revisited", 0))
    return (f"re-checks of archived ones: {signalled} reported modified, {revisited} revisited by age, "
            f"{int(incremental.get('not_modified', 0))} answered 304")


def crawl_lines(crawl: Mapping[str, Any]) -> list[str]:
    """The crawl's numbers: candidates by source, fetched by role, skipped (archived first), errors, bytes, time."""
    counts = crawl.get("counts", {}) or {}
    skipped = dict(counts.get("skipped", {}) or {})
    archived = int(skipped.pop("already_archived", 0))
    fetched = counts.get("fetched", {}) or {}
    return [
        f"candidates by source   {_nonzero(counts.get('candidates', {}) or {})} "
        f"({counts.get('in_window', 0)} in window)",
        f"fetched                {int(fetched.get('article', 0))} article pages "
        f"({_rechecks(counts.get('incremental', {}) or {})}); "
        f"also {_nonzero({k: v for k, v in fetched.items() if k not in ('article', 'not_modified')})}",
        f"skipped as archived    {archived}",
        f"skipped, other         {_nonzero(skipped)}",
        f"fetch errors           {_nonzero(counts.get('errors', {}) or {})}",
        f"bytes                  {_bytes(counts.get('bytes_received'))} received, "
        f"WARC {_bytes(counts.get('warc_bytes'))} ({counts.get('warc_records', 0)} records)",
        f"duration               spider {_seconds(counts.get('duration_s'))}, task {_seconds(crawl.get('duration_s'))}",
    ]


def extract_lines(extract: Mapping[str, Any]) -> list[str]:
    """The extraction's numbers: articles written, rejections and duplicates by reason, languages, residue."""
    counts = extract.get("counts", {}) or {}
    articles, words = int(counts.get("articles", 0)), int(counts.get("words", 0))
    mean = f", {words / articles:.0f} words each on average" if articles else ""
    return [
        f"articles written       {articles} ({words} words{mean}) from {counts.get('responses', 0)} responses",
        f"rejected by reason     {_nonzero(_prefixed(counts, 'rejected.'))}",
        f"duplicates             {_nonzero(_prefixed(counts, 'duplicate.'))}",
        f"out of window          {int(counts.get('out_of_window', 0))}; updates: "
        f"{int(counts.get('updates.fetched', 0))} archived articles of earlier days fetched again, "
        f"{int(counts.get('versions.updated', 0))} new versions kept, "
        f"{int(counts.get('updates.not_modified', 0))} not modified (304)",
        f"languages              {_nonzero(_prefixed(counts, 'language.'))}",
        f"residue lines dropped  {_nonzero(_prefixed(counts, 'dropped_lines.'))}",
        f"access                 {_nonzero(_prefixed(counts, 'access.'))}",
        f"duration               task {_seconds(extract.get('duration_s'))}",
    ]


def gate_lines(gates: list[Mapping[str, Any]]) -> list[str]:
    """One line per gate: status, name, and the sentence that says by how much."""
    marks = {"ok": "ok  ", "warning": "WARN", "failed": "FAIL", "skipped": "--  "}
    return [f"{marks.get(str(g.get('status')), '?   ')} {g.get('name', '?'):24} {g.get('message', '')}" for g in gates]


def run_lines(crawl: Mapping[str, Any], extract: Mapping[str, Any]) -> list[str]:
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
