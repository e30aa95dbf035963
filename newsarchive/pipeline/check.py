"""The check stage: quality gates over a run's numbers, and the run report (written last, what readers trust)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from newsarchive.instants import Window
from newsarchive.pipeline.gates import FAILED, WARNING, Gate, evaluate, load_history, run_metrics
from newsarchive.pipeline.report import CrawlSection, ExtractSection, RunReport
from newsarchive.pipeline.results import CrawlCounts, CrawlResult, ExtractCounts, ExtractResult
from newsarchive.pipeline.sites import SiteConfig

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.check")

__all__ = ["Gate", "QualityGateFailed", "RunReport", "build_report", "check_window", "evaluate_gates"]


class QualityGateFailed(RuntimeError):
    """A hard quality gate was breached: the message says which and by how much; `report` is the run report."""

    def __init__(self, message: str, report: RunReport) -> None:
        super().__init__(message)
        self.report = report


def evaluate_gates(site: SiteConfig, window: Window, crawl_counts: CrawlCounts, extract_counts: ExtractCounts,
                   store: Store | None = None, report_key: str = "") -> list[Gate]:
    """Every gate for a run; with a store, the history gates compare it with the site's earlier reports."""
    checks = site.checks
    run = run_metrics(site.languages, window.length_days, crawl_counts, extract_counts)
    history = [] if store is None else load_history(
        store, site.id, site.languages, before=window.start, exclude_key=report_key, limit=checks.history_runs)
    return evaluate(checks, site.languages, run, history)


def build_report(site: SiteConfig, window: Window, crawl: CrawlResult, extract: ExtractResult,
                 gates: list[Gate], generated_at: str, report_key: str = "") -> RunReport:
    """The run report: everything a reader needs to trust (or distrust) a window's archive."""
    from newsarchive.archive.keys import bundle_key_for
    from newsarchive.pipeline.extract_stage import rejection_legend
    from newsarchive.pipeline.incremental import update_counts

    failed = tuple(g.name for g in gates if g.status == FAILED)
    return RunReport(
        site=site.id, window=window, status="failed" if failed else "ok", generated_at=generated_at,
        crawl=CrawlSection(warc_key=crawl.warc_key, stats_key=crawl.stats_key, counts=crawl.counts,
                           duration_s=crawl.duration_s),
        extract=ExtractSection(counts=extract.counts, legend=rejection_legend(extract.counts),
                               index_keys=extract.index_keys,
                               bundle_keys=tuple(bundle_key_for(k) for k in extract.index_keys),
                               duration_s=extract.duration_s),
        gates=tuple(gates), failed_gates=failed, warnings=tuple(g.name for g in gates if g.status == WARNING),
        articles=len(extract.window_article_keys), article_keys=extract.window_article_keys,
        articles_written=len(extract.article_keys), updates=update_counts(crawl.counts, extract.counts),
        report_key=report_key,
    )


def check_window(site: SiteConfig, window: Window, store: Store, crawl: CrawlResult, extract: ExtractResult,
                 generated_at: str) -> RunReport:
    """Evaluate the gates, write the report to its window key, and fail if a hard gate is breached.

    Returns the report; raises QualityGateFailed (carrying the same report) on a breached hard gate.
    The report is written in both cases: it is what the UI page, the alerts and the next runs' history read.
    """
    from newsarchive.archive import keys

    key = keys.report_key(site.id, window.start, window.end)
    gates = evaluate_gates(site, window, crawl.counts, extract.counts, store, key)
    report = build_report(site, window, crawl, extract, gates, generated_at, key)
    store.put(key, json.dumps(report.to_json(), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"),
              content_type="application/json; charset=utf-8")
    for gate in gates:
        level = logging.WARNING if gate.status in (WARNING, FAILED) else logging.INFO
        log.log(level, "gate %s: %s (%s)", gate.name, gate.status, gate.message)
    failed = [g for g in gates if g.status == FAILED]
    if failed:
        raise QualityGateFailed(
            f"{site.id} {window}: "
            + "; ".join(f"{g.name}: {g.message}" for g in failed) + f" (report: {key})",
            report,
        )
    return report
