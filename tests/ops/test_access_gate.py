"""The paywalled_vs_history gate: a jump in the share of paywalled/metered articles warns (or fails when hard)."""

from __future__ import annotations

from typing import Any

from newsarchive.pipeline.gates import evaluate, run_metrics
from newsarchive.pipeline.results import CrawlCounts, ExtractCounts
from newsarchive.pipeline.sites import Checks

LANGS = ("en",)
CRAWL = {"fetched": {"article": 40}, "errors": {}}


def metrics(articles: int = 40, paywalled: int = 0, metered: int = 0) -> Any:
    counts = {"articles": articles, "words": articles * 300, "responses": articles, "language.en": articles,
              "access.free": articles - paywalled - metered, "access.paywalled": paywalled, "access.metered": metered}
    return run_metrics(LANGS, 1.0, CrawlCounts.from_xcom(CRAWL), ExtractCounts.from_xcom(counts))


def gate(run: Any, history: list[Any], checks: Checks | None = None) -> Any:
    return {g.name: g for g in evaluate(checks or Checks(), LANGS, run, history)}["paywalled_vs_history"]


def test_a_steady_share_passes() -> None:
    history = [metrics(paywalled=4) for _ in range(5)]
    found = gate(metrics(paywalled=5, metered=1), history)
    assert found.status == "ok" and found.value == 0.05


def test_a_jump_warns_with_the_numbers() -> None:
    history = [metrics(paywalled=2) for _ in range(5)]
    found = gate(metrics(paywalled=20, metered=4), history)
    assert found.status == "warning" and not found.hard
    assert found.value == 0.55
    assert "24 of 40 articles paywalled or metered (60%), +55% against the median 5% of the last 5 runs" in (
        found.message)


def test_hard_when_listed_and_skipped_without_history() -> None:
    history = [metrics() for _ in range(5)]
    hard = Checks(hard_gates=("min_articles", "paywalled_vs_history"))
    assert gate(metrics(paywalled=30), history, hard).status == "failed"
    assert gate(metrics(paywalled=30), history[:2]).status == "skipped"
    assert gate(metrics(articles=0), history).status == "skipped"


def test_reports_from_before_access_count_as_no_paywall() -> None:
    old = [run_metrics(LANGS, 1.0, CrawlCounts.from_xcom(CRAWL),
                       ExtractCounts.from_xcom({"articles": 40, "words": 12000, "responses": 40})) for _ in range(5)]
    assert gate(metrics(paywalled=2), old).status == "ok"
    assert gate(metrics(paywalled=20), old).status == "warning"
