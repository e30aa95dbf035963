"""The check stage: quality gates over a run's numbers, and the run report (written last, what readers trust)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.sites import SiteConfig
from pipeline.window import Window

log = logging.getLogger("newsarchive.check")


class QualityGateFailed(RuntimeError):
    """A hard quality gate was breached: the message says which and by how much."""


@dataclass(frozen=True)
class Gate:
    """One quality gate's outcome."""

    name: str
    value: float
    threshold: float
    status: str  # "ok" | "failed" | "warning"
    message: str


def evaluate_gates(site: SiteConfig, crawl_counts: dict[str, Any], extract_counts: dict[str, Any]) -> list[Gate]:
    """Compare a run's numbers with the site's thresholds."""
    articles = int(extract_counts.get("articles", 0))
    minimum = site.checks.min_articles
    gates = [
        Gate(
            name="min_articles", value=articles, threshold=minimum,
            status="ok" if articles >= minimum else "failed",
            message=f"{articles} articles archived, at least {minimum} expected",
        )
    ]
    fetched = int(crawl_counts.get("fetched", {}).get("article", 0))
    errors = sum(int(v) for v in crawl_counts.get("errors", {}).values())
    attempted = fetched + errors
    rate = errors / attempted if attempted else 0.0
    gates.append(Gate(
        name="fetch_error_rate", value=round(rate, 4), threshold=0.5,
        status="ok" if rate <= 0.5 else "warning",
        message=f"{errors} of {attempted} requests failed ({rate:.0%})",
    ))
    return gates


def build_report(site: SiteConfig, window: Window, crawl: dict[str, Any], extract: dict[str, Any],
                 gates: list[Gate], generated_at: str) -> dict[str, Any]:
    """The run report: everything a reader needs to trust (or distrust) a window's archive."""
    failed = [g for g in gates if g.status == "failed"]
    return {
        "site": site.id,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "status": "failed" if failed else "ok",
        "generated_at": generated_at,
        "crawl": {"warc_key": crawl.get("warc_key"), "stats_key": crawl.get("stats_key"),
                  "counts": crawl.get("counts", {})},
        "extract": {"counts": extract.get("counts", {}), "index_keys": extract.get("index_keys", [])},
        "articles": len(extract.get("article_keys", [])),
        "article_keys": extract.get("article_keys", []),
        "gates": [asdict(g) for g in gates],
    }


def check_window(site: SiteConfig, window: Window, store: Any, crawl: dict[str, Any],
                 extract: dict[str, Any], generated_at: str) -> dict[str, Any]:
    """Evaluate the gates, write the report to its window key, and fail if a hard gate is breached."""
    from archive import keys

    gates = evaluate_gates(site, crawl.get("counts", {}), extract.get("counts", {}))
    report = build_report(site, window, crawl, extract, gates, generated_at)
    key = keys.report_key(site.id, window.start, window.end)
    store.put(key, json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"),
              content_type="application/json; charset=utf-8")
    for gate in gates:
        log.log(logging.INFO if gate.status == "ok" else logging.WARNING, "gate %s: %s (%s)",
                gate.name, gate.status, gate.message)
    failed = [g for g in gates if g.status == "failed"]
    if failed:
        raise QualityGateFailed(
            f"{site.id} {window}: " + "; ".join(f"{g.name}: {g.message}" for g in failed) + f" (report: {key})"
        )
    summary = {k: v for k, v in report.items() if k not in ("article_keys",)}
    summary["report_key"] = key
    return summary
