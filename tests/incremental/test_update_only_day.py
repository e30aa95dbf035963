"""A scheduled day with updates but no new article does not fail ``min_articles`` and stays out of the yield
history; a day with neither still fails. Against a server that ignores conditional requests, an unchanged
text costs a 200 but still writes no version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from extract import article_id
from newsarchive.archive import keys
from newsarchive.demosite.generated import serve_generated, truth
from newsarchive.demosite.generated.corpus import TZ, GenArticle
from newsarchive.pipeline.check import QualityGateFailed
from newsarchive.pipeline.gates import load_history, metrics_from_report
from newsarchive.pipeline.versions import list_versions

from .conftest import Runner, configure, paris_window, request_path

DAYS = [date(2025, 2, 25) + timedelta(days=n) for n in range(4)]  # 25-28 February: the site's last days
QUIET_DAY = date(2025, 3, 1)  # nothing published; two articles of February updated at 03:00
EMPTY_DAY = date(2025, 3, 2)  # nothing published, nothing changed


def first_of(day: date) -> GenArticle:
    return min((a for a in truth.articles() if a.day == day), key=lambda a: a.published)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = serve_generated("127.0.0.1", 0)
    tmp = tmp_path_factory.mktemp("update-only")
    with pytest.MonkeyPatch.context() as monkeypatch:
        configure(monkeypatch, tmp, site, min_articles=1)
        archive_url = (tmp / "archive").as_uri()
        monkeypatch.setenv("NEWSARCHIVE_URL", archive_url)
        runner = Runner(site, archive_url)
        daily = [runner.run(paris_window(day), check=True) for day in DAYS]
        at = datetime.combine(QUIET_DAY, time(3, 0), tzinfo=TZ)
        updated = site.edit([first_of(DAYS[1]), first_of(DAYS[2])], at)
        touched = site.edit([first_of(DAYS[3])], at, "touch")
        site.conditional = False  # this server answers every request with a 200
        quiet = runner.run(paris_window(QUIET_DAY), check=True)
        site.conditional = True
        with pytest.raises(QualityGateFailed) as failed:
            runner.run(paris_window(EMPTY_DAY), check=True)
        yield {"site": site, "store": runner.store(), "daily": daily, "quiet": quiet, "updated": updated,
               "touched": touched, "empty": failed.value.report.to_xcom()}
    site.stop()


def test_a_day_of_updates_only_passes(runs: dict[str, Any]) -> None:
    report = runs["quiet"].report
    assert report is not None and report["status"] == "ok" and report["articles"] == 0
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["min_articles"]["status"] == "skipped"
    assert "2 archived articles updated" in gates["min_articles"]["message"]
    assert gates["yield_vs_history"]["status"] == "skipped"  # the history has 4 runs: judged otherwise
    assert report["updates"]["changed"] == 2 and report["updates"]["new"] == 0
    assert report["updates"]["signalled"] == 3 and report["updates"]["not_modified"] == 0
    for article in runs["updated"]:
        assert list_versions(runs["store"], "gen", article_id(truth.url(article, runs["site"].url)))


def test_unchanged_text_without_304_writes_no_version(runs: dict[str, Any]) -> None:
    (touched,) = runs["touched"]
    site, store, quiet = runs["site"], runs["store"], runs["quiet"]
    statuses = [r.status for r in quiet.requests if request_path(r.path) == touched.path]
    assert statuses == [200]  # the server ignored the conditional request
    assert list_versions(store, "gen", article_id(truth.url(touched, site.url))) == []
    key = keys.article_key("gen", touched.day, article_id(truth.url(touched, site.url)))
    assert json.loads(store.get(key))["text"] == touched.text
    assert quiet.extract["counts"]["versions.unchanged"] == 1


def test_updates_only_day_stays_out_of_the_yield_history(runs: dict[str, Any]) -> None:
    assert metrics_from_report(runs["quiet"].report, ("fr", "en")) is None
    assert all(metrics_from_report(run.report, ("fr", "en")) is not None for run in runs["daily"])
    later = paris_window(EMPTY_DAY + timedelta(days=1)).start
    history = load_history(runs["store"], "gen", ("fr", "en"), before=later, exclude_key="", limit=10)
    assert [h.in_window for h in history] == [run.report["articles"] for run in runs["daily"]]


def test_a_day_with_nothing_still_fails(runs: dict[str, Any]) -> None:
    report = runs["empty"]
    assert report["status"] == "failed" and report["failed_gates"] == ["min_articles", "yield_vs_history"]
    assert report["updates"]["changed"] == 0
