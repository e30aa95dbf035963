"""Alerts: the payload carries the run's numbers and link; the webhook gets it as JSON over real HTTP."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from newsarchive.pipeline.notify import (
    Alert,
    AlertDeliveryFailed,
    log_alert,
    post_json,
    run_numbers,
    short_reason,
    webhook_target,
)
from tests.ops.ops_support import Recorder

CRAWL = {"counts": {"in_window": 12, "fetched": {"article": 10, "feed": 1}, "errors": {"http_404": 2, "dns": 0}}}
EXTRACT = {"counts": {"articles": 0, "rejected.too_short": 7, "rejected.not_html": 3}}
WINDOW = {"start": "2024-12-10T00:00:00+00:00", "end": "2024-12-11T00:00:00+00:00"}
REPORT: dict[str, Any] = {
    "articles": 0, "window": WINDOW,
    "gates": [{"name": "min_articles", "status": "failed", "message": "0 articles archived, at least 1 expected"},
              {"name": "rejected_share", "status": "ok", "message": "fine"}]}


def alert() -> Alert:
    return Alert(kind="failure", site="demo", dag_id="news_demo", run_id="manual__1", task_id="check",
                 window=REPORT["window"], reason="quality gate failed",
                 run_url="http://127.0.0.1:8080/dags/news_demo/runs/manual__1",
                 numbers=run_numbers(CRAWL, EXTRACT, REPORT), gates=REPORT["gates"])


def test_numbers_come_from_whatever_results_exist() -> None:
    assert run_numbers(CRAWL, EXTRACT, REPORT) == {"candidates": 12, "fetched": 10, "fetch_errors": 2,
                                                   "articles": 0, "rejected": 10}
    assert run_numbers(CRAWL, None, None) == {"candidates": 12, "fetched": 10, "fetch_errors": 2}
    assert run_numbers(None, None, None) == {}


def test_text_says_what_failed_by_how_much_and_links_the_run() -> None:
    lines = alert().text().split("\n")
    assert lines[0] == ("newsarchive: demo [2024-12-10T00:00:00+00:00, 2024-12-11T00:00:00+00:00) FAILED in task "
                        "check: quality gate failed")
    assert "articles 0" in lines[1] and "fetch_errors 2" in lines[1]
    assert "failed: min_articles: 0 articles archived, at least 1 expected" in lines
    assert not any("rejected_share" in line for line in lines)  # passing gates are not noise in an alert
    assert lines[-1] == "run: http://127.0.0.1:8080/dags/news_demo/runs/manual__1"


def test_reason_drops_what_the_headline_says() -> None:
    reason = "quality gate failed: demo [2024-12-10T00:00:00+00:00, 2024-12-11T00:00:00+00:00): min_articles: 0"
    assert short_reason(reason, "demo") == "quality gate failed: min_articles: 0"
    assert short_reason("spider for demo exited with 1", "demo") == "spider for demo exited with 1"


def test_the_log_line_always_happens(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="newsarchive.alerts"):
        log_alert(alert())
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.getMessage().startswith("ALERT newsarchive: demo")


def test_webhook_gets_json_with_text_and_fields(recorder: Recorder) -> None:
    target = webhook_target("127.0.0.1", "http", recorder.port, "ops", "s3cret",
                            {"endpoint": "/hooks/news", "headers": {"X-Team": "news"}})
    assert post_json(target, alert().payload()) == 200
    [request] = recorder.requests
    assert request["path"] == "/hooks/news"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["headers"]["X-Team"] == "news" and request["headers"]["Authorization"].startswith("Basic ")
    body = json.loads(request["body"])
    assert body["text"] == alert().text()  # what Slack-compatible webhooks display
    assert body["site"] == "demo" and body["numbers"]["articles"] == 0 and body["kind"] == "failure"
    assert body["run_url"].endswith("/dags/news_demo/runs/manual__1")


def test_target_from_a_whole_url_and_no_secrets_in_repr() -> None:
    target = webhook_target(None, extra={"url": "https://hooks.example/T000/B000/XXXX"})
    assert target.url == "https://hooks.example/T000/B000/XXXX" and "XXXX" not in repr(target)
    assert webhook_target("https://alerts.example", port=8443).url == "https://alerts.example:8443"
    with pytest.raises(ValueError, match="no host"):
        webhook_target(None)
    with pytest.raises(ValueError, match="not an http"):
        webhook_target(None, extra={"url": "ftp://x/"})


def test_delivery_failures_say_where_and_why(recorder: Recorder) -> None:
    recorder.status = 500
    with pytest.raises(AlertDeliveryFailed, match=r"127\.0\.0\.1:\d+ answered HTTP 500"):
        post_json(webhook_target(recorder.url), {"text": "x"})
    port = recorder.port
    recorder.stop()
    with pytest.raises(AlertDeliveryFailed, match="unreachable"):
        post_json(webhook_target("127.0.0.1", port=port), {"text": "x"})
