"""Quality gates: each gate passes on a normal run and trips, hard or soft, on the failure it is there for."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive import keys
from newsarchive.archive.local import LocalStore
from newsarchive.instants import Window
from newsarchive.pipeline.check import QualityGateFailed, check_window
from newsarchive.pipeline.gates import RunMetrics, evaluate, load_history
from newsarchive.pipeline.gates import run_metrics as run_metrics_of
from newsarchive.pipeline.results import CrawlCounts, CrawlResult, ExtractCounts, ExtractResult
from newsarchive.pipeline.sites import GATE_NAMES, Checks, SiteConfigError, load_site_file, load_sites

LANGS = ("fr", "en")
DAY = datetime(2024, 11, 1, tzinfo=UTC)


def crawl_counts(fetched: int = 40, errors: int = 2) -> dict[str, Any]:
    return {"candidates": {"feed": 20, "sitemap": 30}, "in_window": 42, "fetched": {"article": fetched, "feed": 1},
            "errors": {"http_404": errors, "timeout": 0}, "skipped": {"already_archived": 3}}


def extract_counts(articles: int = 40, words_each: int = 300, dropped_each: int = 10, rejected: int = 2,
                   foreign: int = 0, duplicates: int = 0, redirects: int = 0) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "articles": articles, "words": articles * words_each, "responses": articles + rejected + redirects,
        "rejected.too_short": rejected, "rejected.http_301": redirects,
        "dropped_lines.ad_block": articles * dropped_each, "language.fr": articles - foreign,
    }
    if foreign:
        counts["language.de"] = foreign
    if duplicates:
        counts["duplicate.same_text"] = duplicates
    return counts


def run_metrics(languages: tuple[str, ...], days: float, crawl: dict[str, Any],
                extract: dict[str, Any]) -> RunMetrics:
    """The gates' metrics of counts in their JSON form (a result's XCom, a stored report's counts)."""
    return run_metrics_of(languages, days, CrawlCounts.from_xcom(crawl), ExtractCounts.from_xcom(extract))


def metrics(days: float = 1.0, **kwargs: Any) -> Any:
    return run_metrics(LANGS, days, crawl_counts(), extract_counts(**kwargs))


HISTORY = [metrics() for _ in range(5)]


def by_name(gates: list[Any]) -> dict[str, Any]:
    return {g.name: g for g in gates}


def test_a_normal_run_passes_every_gate() -> None:
    gates = evaluate(Checks(), LANGS, metrics(), HISTORY)
    assert [g.name for g in gates] == list(GATE_NAMES)
    assert {g.name: g.status for g in gates} == dict.fromkeys(GATE_NAMES, "ok")


def test_zero_yield_fails_hard_and_says_so() -> None:
    gate = by_name(evaluate(Checks(), LANGS, metrics(articles=0), HISTORY))["min_articles"]
    assert gate.status == "failed" and gate.hard
    assert gate.message == "0 articles archived, at least 1 expected: the site yielded nothing"


def test_low_yield_against_history_fails_with_the_ratio() -> None:
    gate = by_name(evaluate(Checks(), LANGS, metrics(articles=4), HISTORY))["yield_vs_history"]
    assert gate.status == "failed" and gate.value == 0.1
    assert "4.00 articles/day is 10% of the median 40.00/day of the last 5 runs (minimum 25%)" in gate.message


def test_yield_is_compared_per_day_of_window() -> None:
    # A week-long window with a week's articles is normal, not seven times the usual yield.
    gates = by_name(evaluate(Checks(), LANGS, metrics(days=7, articles=280), HISTORY))
    assert gates["yield_vs_history"].status == "ok" and gates["yield_vs_history"].value == 1.0


def test_history_gates_wait_for_enough_history() -> None:
    gates = by_name(evaluate(Checks(), LANGS, metrics(articles=4), HISTORY[:2]))
    for name in ("yield_vs_history", "residue_vs_history", "text_length_vs_history"):
        assert gates[name].status == "skipped"
        assert gates[name].message == "needs 3 earlier successful runs, has 2"


def test_layout_change_shows_in_text_length_and_residue() -> None:
    gates = by_name(evaluate(Checks(), LANGS, metrics(words_each=90, dropped_each=1), HISTORY))
    assert gates["text_length_vs_history"].status == "warning"
    assert "mean text 90 words is 30% of the median 300" in gates["text_length_vs_history"].message
    assert gates["residue_vs_history"].status == "warning" and gates["residue_vs_history"].value == 0.1
    # Soft gates warn: the run still passes unless the site makes them hard.
    hard = Checks(hard_gates=("min_articles", "text_length_vs_history"))
    assert by_name(evaluate(hard, LANGS, metrics(words_each=90), HISTORY))["text_length_vs_history"].status == "failed"


@pytest.mark.parametrize(("kwargs", "gate", "words"), [
    ({"rejected": 60}, "rejected_share", "60 of 100 article pages rejected (60%, at most 50%)"),
    ({"foreign": 10}, "foreign_language_share", "10 of 40 articles not in fr/en (25%, at most 20%)"),
    ({"duplicates": 20}, "duplicate_share", "20 of 60 pages were duplicates (33%, at most 30%)"),
])
def test_share_gates_warn_with_numbers(kwargs: dict[str, Any], gate: str, words: str) -> None:
    result = by_name(evaluate(Checks(), LANGS, metrics(**kwargs), HISTORY))[gate]
    assert result.status == "warning" and result.message == words


def test_redirect_hops_are_not_rejections() -> None:
    run = metrics(redirects=30)
    assert run.rejected == 2 and run.responses == 42


def test_fetch_error_rate() -> None:
    run = run_metrics(LANGS, 1.0, crawl_counts(fetched=10, errors=9), extract_counts(articles=10))
    gate = by_name(evaluate(Checks(), LANGS, run, HISTORY))["fetch_error_rate"]
    assert gate.status == "warning" and gate.message == "9 of 20 requests failed (45%, at most 30%)"


def test_site_without_languages_skips_the_language_gate() -> None:
    gate = by_name(evaluate(Checks(), (), run_metrics((), 1.0, crawl_counts(), extract_counts(foreign=30)),
                            HISTORY))["foreign_language_share"]
    assert gate.status == "skipped"


ALLOW = "[discovery]\narticle_allow = ['^/']\n"  # the one required discovery key


def test_thresholds_come_from_the_site_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('id = "s"\nname = "S"\nbase_url = "https://s.example/"\n' + ALLOW + '[checks]\nmin_articles = 5\n'
                    'max_rejected_share = 0.1\nhard_gates = ["min_articles", "rejected_share"]\nhistory_runs = 4\n')
    checks = load_site_file(path).checks
    assert (checks.min_articles, checks.max_rejected_share, checks.history_runs) == (5, 0.1, 4)
    assert checks.min_text_length_ratio == Checks().min_text_length_ratio  # defaults for the rest
    gate = by_name(evaluate(checks, LANGS, metrics(rejected=10), HISTORY))["rejected_share"]
    assert gate.status == "failed"


@pytest.mark.parametrize(("line", "field"), [
    ('hard_gates = ["min_article"]', "checks.hard_gates"),
    ("max_duplicate_share = 30", "checks.max_duplicate_share"),
    ("max_residue_factor = 0.5", "checks.max_residue_factor"),
    ("min_history_runs = 20", "checks.history_runs"),
])
def test_bad_thresholds_are_config_errors(tmp_path: Path, line: str, field: str) -> None:
    (tmp_path / "s.toml").write_text(f'id = "s"\nname = "S"\nbase_url = "https://s.example/"\n{ALLOW}[checks]\n{line}\n')
    (tmp_path / "ok.toml").write_text('id = "ok"\nname = "OK"\nbase_url = "https://ok.example/"\n' + ALLOW)
    catalog = load_sites(tmp_path)
    assert [s.id for s in catalog.sites] == ["ok"]  # the other sites still load
    assert len(catalog.errors) == 1 and isinstance(catalog.errors[0], SiteConfigError)
    assert catalog.errors[0].field == field


def _report(store: LocalStore, start: datetime, days: int, articles: int, status: str = "ok") -> str:
    end = start + timedelta(days=days)
    key = keys.report_key("demo", start, end)
    report = {"status": status, "window": {"start": start.isoformat(), "end": end.isoformat()},
              "crawl": {"counts": crawl_counts()}, "extract": {"counts": extract_counts(articles=articles)}}
    store.put(key, json.dumps(report).encode(), content_type="application/json")
    return key


def test_history_is_the_last_successful_runs_before_the_window(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for i in range(6):
        _report(store, DAY + timedelta(days=i), 1, articles=10 + i)
    _report(store, DAY + timedelta(days=6), 1, articles=0, status="failed")  # not a baseline
    current = _report(store, DAY + timedelta(days=7), 1, articles=99)  # itself, re-run: excluded
    _report(store, DAY + timedelta(days=9), 1, articles=50)  # after the window: not history
    store.put("reports/site=demo/garbage.json", b"{", content_type="application/json")  # ignored
    history = load_history(store, "demo", LANGS, before=DAY + timedelta(days=7), exclude_key=current, limit=4)
    assert [h.articles for h in history] == [12, 13, 14, 15]


def test_check_window_writes_the_report_then_fails_with_what_and_how_much(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    site = load_site_file(Path(__file__).resolve().parents[2] / "sites" / "demo.toml")
    for i in range(3):
        _report(store, DAY + timedelta(days=i), 1, articles=40)
    window = Window(DAY + timedelta(days=3), DAY + timedelta(days=4))
    span = window.to_json()
    crawl = CrawlResult.from_xcom({"site": "demo", "window": span, "warc_key": "raw/x", "stats_key": "raw/x.json",
                                   "counts": crawl_counts()})
    extract = ExtractResult.from_xcom({"site": "demo", "window": span, "counts": extract_counts(articles=3),
                                       "article_keys": ["a", "b", "c"]})
    with pytest.raises(QualityGateFailed) as info:
        check_window(site, window, store, crawl, extract, "2024-11-05T00:00:00+00:00")
    message = str(info.value)
    assert "yield_vs_history: 3.00 articles/day is 8% of the median 40.00/day" in message
    assert "reports/site=demo/20241104T000000Z_20241105T000000Z.json" in message
    stored = json.loads(store.get(keys.report_key("demo", window.start, window.end)))
    assert stored["status"] == "failed" and stored["failed_gates"] == ["yield_vs_history"]
    assert [g["name"] for g in stored["gates"]] == list(GATE_NAMES)
    failed = info.value.report.to_xcom()
    assert failed["report_key"].endswith(".json") and "article_keys" not in failed
    # The same numbers with a lower bar pass, and the summary is what the DAG returns as XCom.
    relaxed = site.model_copy(update={"checks": site.checks.model_copy(update={"min_yield_ratio": 0.05})})
    summary = check_window(relaxed, window, store, crawl, extract, "2024-11-05T00:00:00+00:00").to_xcom()
    assert summary["status"] == "ok" and summary["articles"] == 3 and summary["failed_gates"] == []
