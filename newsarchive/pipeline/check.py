"""The check stage: quality gates over a run's numbers, and the run report (written last, what readers trust)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from newsarchive.instants import Window
from newsarchive.pipeline.gates import FAILED, WARNING, Gate, evaluate, load_history, run_metrics
from newsarchive.pipeline.sites import SiteConfig

log = logging.getLogger("newsarchive.check")

__all__ = ["Gate", "QualityGateFailed", "build_report", "check_window", "evaluate_gates"]


class QualityGateFailed(RuntimeError):
    """A hard quality gate was breached: the message says which and by how much; `report` is the run report."""

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


def evaluate_gates(site: SiteConfig, window: Window, crawl_counts: dict[str, Any], extract_counts: dict[str, Any],
                   store: Any = None, report_key: str = "") -> list[Gate]:
    """Every gate for a run; with a store, the history gates compare it with the site's earlier reports."""
    checks = site.checks
    run = run_metrics(site.languages, window.length_days, crawl_counts, extract_counts)
    history = [] if store is None else load_history(
        store, site.id, site.languages, before=window.start, exclude_key=report_key, limit=checks.history_runs)
    return evaluate(checks, site.languages, run, history)


def build_report(site: SiteConfig, window: Window, crawl: dict[str, Any], extract: dict[str, Any],
                 gates: list[Gate], generated_at: str) -> dict[str, Any]:
    """The run report: everything a reader needs to trust (or distrust) a window's archive."""
    from newsarchive.archive.keys import bundle_key_for
    from newsarchive.pipeline.extract_stage import rejection_legend
    from newsarchive.pipeline.incremental import update_counts

    failed = [g.name for g in gates if g.status == FAILED]
    # Results from before window keys existed list the run's articles only (and no updates then).
    window_keys = extract.get("window_article_keys", extract.get("article_keys", []))
    return {
        "site": site.id,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "status": "failed" if failed else "ok",
        "failed_gates": failed,
        "warnings": [g.name for g in gates if g.status == WARNING],
        "generated_at": generated_at,
        "crawl": {"warc_key": crawl.get("warc_key"), "stats_key": crawl.get("stats_key"),
                  "counts": crawl.get("counts", {}), "duration_s": crawl.get("duration_s")},
        "extract": {"counts": extract.get("counts", {}), "legend": rejection_legend(extract.get("counts", {})),
                    "index_keys": extract.get("index_keys", []),
                    "bundle_keys": [bundle_key_for(k) for k in extract.get("index_keys", [])],
                    "duration_s": extract.get("duration_s")},
        # The window's articles in the archive (this run's and earlier runs'), and what this run wrote (updates
        # of earlier articles included: those are counted apart in "updates").
        "articles": len(window_keys),
        "article_keys": window_keys,
        "articles_written": len(extract.get("article_keys", [])),
        "updates": update_counts(crawl.get("counts", {}), extract.get("counts", {})),
        "gates": [asdict(g) for g in gates],
    }


def report_summary(report: dict[str, Any], key: str) -> dict[str, Any]:
    """The report without its key list (small enough for XCom and Asset extras), plus where it is stored."""
    summary = {k: v for k, v in report.items() if k != "article_keys"}
    summary["report_key"] = key
    return summary


def check_window(site: SiteConfig, window: Window, store: Any, crawl: dict[str, Any],
                 extract: dict[str, Any], generated_at: str) -> dict[str, Any]:
    """Evaluate the gates, write the report to its window key, and fail if a hard gate is breached.

    Returns the report summary; raises QualityGateFailed (carrying the same summary) on a breached hard gate.
    The report is written in both cases: it is what the UI page, the alerts and the next runs' history read.
    """
    from newsarchive.archive import keys

    key = keys.report_key(site.id, window.start, window.end)
    gates = evaluate_gates(site, window, crawl.get("counts", {}), extract.get("counts", {}), store, key)
    report = build_report(site, window, crawl, extract, gates, generated_at)
    store.put(key, json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"),
              content_type="application/json; charset=utf-8")
    for gate in gates:
        level = logging.WARNING if gate.status in (WARNING, FAILED) else logging.INFO
        log.log(level, "gate %s: %s (%s)", gate.name, gate.status, gate.message)
    summary = report_summary(report, key)
    failed = [g for g in gates if g.status == FAILED]
    if failed:
        raise QualityGateFailed(
            f"{site.id} {window}: "
            + "; ".join(f"{g.name}: {g.message}" for g in failed) + f" (report: {key})",
            summary,
        )
    return summary
