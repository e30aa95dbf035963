"""Alerts: what a failed (or warning) run tells the ops team, and delivery to a webhook as JSON.

No Airflow import here: the DAG's notifiers (dags/news_sites.py) gather the run's context and connection and
call these functions. The payload carries a `text` field, so a Slack (or Mattermost, Rocket.Chat) incoming
webhook URL works as the target as it is; other receivers read the structured fields.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsarchive.pipeline import settings

log = logging.getLogger("newsarchive.alerts")

ALERT_CONNECTION = "newsarchive_alerts"
FAILURE, WARNING = "failure", "warning"


class AlertDeliveryFailed(RuntimeError):
    """The webhook could not be reached or refused the alert: the message says where and why."""


@dataclass(frozen=True)
class Alert:
    """One alert about one run of one site."""

    kind: str  # failure | warning
    site: str
    dag_id: str
    run_id: str
    task_id: str
    window: dict[str, str] | None
    reason: str
    run_url: str
    numbers: dict[str, Any] = field(default_factory=dict)
    gates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """One line: what happened to which site and window."""
        span = f" [{self.window['start']}, {self.window['end']})" if self.window else ""
        verb = "FAILED" if self.kind == FAILURE else "has warnings"
        return f"newsarchive: {self.site}{span} {verb} in task {self.task_id}: {self.reason}"

    def text(self) -> str:
        """A short human-readable message (Slack's `text`, the log line's body)."""
        parts = [self.headline]
        if self.numbers:
            parts.append(", ".join(f"{k} {v}" for k, v in self.numbers.items()))
        flagged = [g for g in self.gates if g.get("status") in ("failed", "warning")]
        parts.extend(f"{g['status']}: {g['name']}: {g['message']}" for g in flagged)
        parts.append(f"run: {self.run_url}")
        return "\n".join(parts)

    def payload(self) -> dict[str, Any]:
        """The JSON posted to the webhook."""
        return {"text": self.text(), "source": "newsarchive", **asdict(self)}


def short_reason(reason: str, site: str) -> str:
    """The reason without its "<site> [<window>): " part (the headline says both already)."""
    return re.sub(rf"{re.escape(site)} \[[^)]*\): ", "", reason, count=1)


def run_numbers(crawl: Mapping[str, Any] | None, extract: Mapping[str, Any] | None,
                report: Mapping[str, Any] | None) -> dict[str, int]:
    """The few numbers an alert shows, from whichever of the run's results exist (their XCom forms, as the
    failure callback pulls them: read through the typed counts, whatever the run got to)."""
    from newsarchive.pipeline.results import CrawlCounts, ExtractCounts

    numbers: dict[str, int] = {}
    if (crawl or {}).get("counts"):
        counts = CrawlCounts.from_xcom((crawl or {})["counts"])
        numbers["candidates"] = counts.in_window
        numbers["fetched"] = counts.fetched.get("article", 0)
        numbers["fetch_errors"] = counts.fetch_errors
    if (extract or {}).get("counts"):
        extract_counts = ExtractCounts.from_xcom((extract or {})["counts"])
        numbers["articles"] = extract_counts.articles
        numbers["rejected"] = extract_counts.rejected_total
    if report:
        numbers["articles"] = int(report.get("articles", numbers.get("articles", 0)))
    return numbers


def log_alert(alert: Alert) -> None:
    """The alert that always happens: a log line (error for failures, warning otherwise) in the task log."""
    level = logging.ERROR if alert.kind == FAILURE else logging.WARNING
    log.log(level, "ALERT %s", alert.text().replace("\n", " | "))


@dataclass(frozen=True)
class WebhookTarget:
    """Where and how to POST alerts."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 10.0

    def __repr__(self) -> str:  # never print credentials (headers may hold a token, the URL a secret path)
        return f"WebhookTarget({urlsplit(self.url).netloc})"


def webhook_target(host: str | None, schema: str | None = None, port: int | None = None,
                   login: str | None = None, password: str | None = None,
                   extra: Mapping[str, Any] | None = None) -> WebhookTarget:
    """The target described by an HTTP connection's fields (as Airflow's HttpHook reads them).

    `extra` may hold `url` (the whole URL, wins over the rest), `endpoint` (a path), `headers` (a dict) and
    `timeout` (seconds). Host may carry its scheme; else `schema` (default http) is the scheme.
    """
    extra = dict(extra or {})
    url = str(extra.get("url") or "")
    if not url:
        if not host:
            raise ValueError(f"connection {ALERT_CONNECTION} has no host and no extra.url")
        base = host if "://" in host else f"{schema or 'http'}://{host}"
        if port:
            base = f"{base.rstrip('/')}:{port}"
        endpoint = str(extra.get("endpoint") or "")
        url = base.rstrip("/") + ("/" + endpoint.lstrip("/") if endpoint else "")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"connection {ALERT_CONNECTION}: not an http(s) URL: {urlsplit(url).scheme}://...")
    headers = {str(k): str(v) for k, v in (extra.get("headers") or {}).items()}
    if login:
        token = base64.b64encode(f"{login}:{password or ''}".encode()).decode()
        headers.setdefault("Authorization", f"Basic {token}")
    return WebhookTarget(url=url, headers=headers, timeout_s=float(extra.get("timeout", 10.0)))


def post_json(target: WebhookTarget, payload: Mapping[str, Any]) -> int:
    """POST the payload as JSON; return the HTTP status, or raise AlertDeliveryFailed saying why."""
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": settings.USER_AGENT,
               **target.headers}
    request = urllib.request.Request(target.url, data=body, headers=headers, method="POST")
    where = urlsplit(target.url).netloc
    try:
        with urllib.request.urlopen(request, timeout=target.timeout_s) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise AlertDeliveryFailed(f"alert webhook {where} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AlertDeliveryFailed(f"alert webhook {where} unreachable: {reason}") from None
