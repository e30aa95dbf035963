"""One Airflow DAG per enabled news site in sites/*.toml: crawl -> extract -> check for the run's window.

Parsed by the dag-processor every few seconds, so only the SDK and the site loader (stdlib and pydantic, which
the SDK loads anyway) are imported here; the pipeline, Scrapy, trafilatura and boto3 are imported inside the
tasks. A broken site file never hides the other sites' DAGs: its mistakes are logged (and listed on the News
archive page); a task that finds its site's file broken since parsing fails at once, without retries.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseNotifier, CronDataIntervalTimetable, Param, dag, task

from newsarchive.pipeline import settings
from newsarchive.pipeline.sites import SiteConfig, load_sites

if TYPE_CHECKING:  # the DAG file is parsed often: these load inside the tasks only
    from newsarchive.archive.s3 import S3Options
    from newsarchive.instants import Window

log = logging.getLogger("newsarchive.dags")
# Mistakes of site files, found while parsing: the site loader's messages, not a task's.
sites_log = logging.getLogger("newsarchive.sites")

CRAWL_POOL = "newsarchive_crawl"  # caps concurrent crawls across all sites (created by scripts/airflow-init.sh)
PLUGIN_PAGE = "/plugin/news-archive"  # the "News archive" page of plugins/newsarchive_plugin.py


@contextlib.contextmanager
def config_errors_fail_at_once() -> Iterator[None]:
    """A configuration mistake (the site's file broken since the DAG was parsed, a window the spider refuses)
    fails the task at once: it is deterministic, so a retry would only repeat it."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsarchive.pipeline.siteerrors import ConfigError

    try:
        yield
    except ConfigError as exc:
        raise AirflowFailException(f"configuration error (not retried): {exc}") from None


def _window(context: Any) -> Window:
    """The run's window: params start/end when given (manual runs), else the data interval."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsarchive.instants import Window, parse_window

    params = context["params"]
    if params.get("start") and params.get("end"):
        try:
            return parse_window(str(params["start"]), str(params["end"]))
        except ValueError as exc:  # a bad param is not going to fix itself: no retries
            raise AirflowFailException(f"bad params start/end: {exc}") from None
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None or end <= start:
        raise AirflowFailException(
            "this run has no data interval (a manual run of an unscheduled site): trigger it with params "
            '{"start": "2024-11-01", "end": "2024-11-02"}'
        )
    return Window(start, end)


def s3_options_from_connection() -> S3Options | None:
    """S3 settings from the Airflow connection `newsarchive_s3` when the archive is on S3 and it exists (the
    mapping itself is newsarchive.archive.s3_options.options_from_connection, shared with the UI plugin)."""
    if not settings.archive_url().startswith("s3://"):
        return None
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from newsarchive.archive.s3_options import options_from_connection

    try:
        conn = Connection.get("newsarchive_s3")
    except AirflowNotFoundException:
        return None  # the AWS credential chain and AWS_* variables apply
    return options_from_connection(conn.login, conn.password, conn.extra_dejson)


def _alert_target() -> Any:
    """The webhook of the Airflow connection `newsarchive_alerts`, or None when it is not configured."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from newsarchive.pipeline.notify import ALERT_CONNECTION, webhook_target

    try:
        conn = Connection.get(ALERT_CONNECTION)
    except AirflowNotFoundException:
        return None
    return webhook_target(conn.host, conn.schema, conn.port, conn.login, conn.password, conn.extra_dejson or {})


class RunAlert(BaseNotifier):
    """Tells ops about a failed run (or a run with warnings): always a log line, and the webhook when configured.

    Runs as a task callback on the worker that ran the task, after the task ended; the numbers come from
    the run's XComs (crawl, extract, and the report the check task pushes even when a gate fails).
    """

    def __init__(self, site_id: str, kind: str) -> None:
        super().__init__()
        self.site_id, self.kind = site_id, kind

    def notify(self, context: Any) -> None:
        """Build the alert from the context and send it (a delivery failure is logged, never raised)."""
        from newsarchive.pipeline import notify

        ti = context["ti"]
        report = ti.xcom_pull(task_ids="check", key="report") or ti.xcom_pull(task_ids="check")
        if self.kind == notify.WARNING and not (report or {}).get("warnings"):
            return  # a clean run: nothing to say
        crawl, extract = ti.xcom_pull(task_ids="crawl"), ti.xcom_pull(task_ids="extract")
        error = context.get("exception")
        reason = str(error) if error else f"warnings: {', '.join((report or {}).get('warnings', []))}"
        alert = notify.Alert(
            kind=self.kind, site=self.site_id, dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
            window=(report or crawl or {}).get("window"), reason=notify.short_reason(reason, self.site_id)[:2000],
            run_url=ti.log_url.split("/tasks/")[0], numbers=notify.run_numbers(crawl, extract, report),
            gates=list((report or {}).get("gates", [])),
        )
        notify.log_alert(alert)
        try:
            target = _alert_target()
            if target is not None:
                notify.post_json(target, alert.payload())
                log.info("alert sent to the %s webhook", notify.ALERT_CONNECTION)
        except (notify.AlertDeliveryFailed, ValueError) as exc:
            log.error("alert not delivered: %s", exc)


def _doc(site: SiteConfig) -> str:
    d, c = site.discovery, site.checks
    return "\n".join([
        f"# {site.name}",
        f"Archives **{site.base_url}** (`{site.path}`) into `{settings.archive_url()}`.",
        "",
        "| | |", "|---|---|",
        f"| site | `{site.id}`, owner {site.owner}{f', country {site.country}' if site.country else ''} |",
        f"| languages | {', '.join(site.languages) or '-'} |",
        f"| schedule | `{site.schedule}` ({site.timezone}); each run archives its data interval [start, end) |",
        f"| discovery | {len(d.feeds)} feed(s), {len(d.sitemaps)} sitemap(s), {len(d.sections)} section page(s)"
        f"{', date archive' if d.date_archive else ''} |",
        f"| politeness | robots.txt {'obeyed' if site.politeness.obey_robots else 'IGNORED'}, "
        f"delay {site.politeness.download_delay}s, concurrency {site.politeness.concurrency} |",
        f"| archive | `{settings.archive_url()}`: raw/, articles/, index/, reports/ under `site={site.id}` |",
        f"| gates | at least {c.min_articles} article(s); yield >= {c.min_yield_ratio:.0%} of the last "
        f"{c.history_runs} runs' median; rejected <= {c.max_rejected_share:.0%}; foreign language <= "
        f"{c.max_foreign_language_share:.0%}; fetch errors <= {c.max_fetch_error_rate:.0%}; duplicates <= "
        f"{c.max_duplicate_share:.0%}; text length and residue against history. Hard: {', '.join(c.hard_gates)} |",
        "",
        "Tasks: **crawl** (Scrapy subprocess, every response to WARC) -> **extract** (trafilatura, article JSON +"
        " Parquet index) -> **check** (quality gates, run report as XCom and Asset extra). Re-running a window"
        " overwrites the same keys. Each task log starts and ends with a summary of its numbers.",
        "Manual run for any window: trigger with params `start` and `end` (ISO dates).",
        "Failures alert through the task log and the `newsarchive_alerts` connection.",
        f"All sites at a glance: [News archive]({PLUGIN_PAGE}).",
    ])


def extract_slots(site: SiteConfig) -> int:
    """Pool slots of the site's extract task: its `[extraction] workers` when set, else 1 (0 means one worker
    per usable CPU of whichever machine runs it, unknown when the DAG is parsed)."""
    return site.extraction.workers if site.extraction.workers > 0 else 1


def build_dag(site: SiteConfig) -> Any:
    """The DAG of one site."""
    import pendulum  # Airflow's own dependency, already loaded by the SDK: cheap at parse time

    tz = pendulum.timezone(site.timezone)  # DAG serialisation requires pendulum timezones, not ZoneInfo
    schedule = None if site.schedule == "none" else CronDataIntervalTimetable(site.schedule, timezone=tz)
    articles_asset = Asset(f"newsarchive://articles/{site.id}")

    @dag(
        dag_id=site.dag_id,
        description=f"Archive {site.name} ({site.base_url})",
        schedule=schedule,
        start_date=datetime.combine(site.start_date, datetime.min.time(), tzinfo=tz),
        end_date=datetime.combine(site.end_date, datetime.min.time(), tzinfo=tz) if site.end_date else None,
        catchup=False,
        max_active_runs=2,
        tags=["newsarchive", *(f"lang:{lang}" for lang in site.languages),
              *([f"country:{site.country}"] if site.country else [])],
        doc_md=_doc(site),
        params={
            "start": Param(None, type=["null", "string"], description="window start (ISO); default: data interval"),
            "end": Param(None, type=["null", "string"], description="window end (ISO, exclusive)"),
        },
        default_args={
            "owner": site.owner,
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(minutes=10),
            "execution_timeout": timedelta(hours=2),
            "on_failure_callback": [RunAlert(site.id, "failure")],
        },
    )
    def news_site() -> None:
        @task(task_id="crawl", pool=CRAWL_POOL)
        def crawl(**context: Any) -> dict[str, object]:
            """Discover and fetch the window's articles; every response goes to the window's WARC."""
            from newsarchive.pipeline import stages, summary

            window = _window(context)
            summary.log_block(log, f"crawl {site.id} {window}", [
                f"site {site.base_url}; {len(site.discovery.feeds)} feed(s), {len(site.discovery.sitemaps)} "
                f"sitemap(s), {len(site.discovery.sections)} section page(s); archive {settings.archive_url()}",
                "the spider's own log is folded below; this task's numbers follow it",
            ])
            with summary.log_group(log, "Scrapy log (spider output, at its own levels)"), config_errors_fail_at_once():
                result = stages.crawl(site.id, window, s3=s3_options_from_connection())
            summary.log_block(log, f"crawl summary: {site.id} {window}", summary.crawl_lines(result))
            return result.to_xcom()

        # The extract task runs a pool of `[extraction] workers` processes: it claims as many slots of the
        # Airflow pool it runs in, so the pool bounds the cores extraction takes (0 = one per CPU: one slot).
        @task(task_id="extract", pool_slots=extract_slots(site))
        def extract(crawl_xcom: dict[str, object]) -> dict[str, object]:
            """Extract article records and the index from the archived WARC (no network)."""
            from newsarchive.pipeline import stages, summary
            from newsarchive.pipeline.results import CrawlResult

            crawled = CrawlResult.from_xcom(crawl_xcom)
            window = crawled.window
            summary.log_block(log, f"extract {site.id} {window}: the crawl found", summary.crawl_lines(crawled))
            details = "extraction details (one line per rejected page)"
            with summary.log_group(log, details), config_errors_fail_at_once():
                result = stages.extract(site.id, window, crawled.warc_key, s3=s3_options_from_connection())
            summary.log_block(log, f"extract summary: {site.id} {window}", summary.extract_lines(result))
            return result.to_xcom()

        @task(task_id="check", outlets=[articles_asset], on_success_callback=[RunAlert(site.id, "warning")])
        def check(crawl_xcom: dict[str, object], extract_xcom: dict[str, object],
                  **context: Any) -> dict[str, object]:
            """Quality gates and the run report; announces the written keys to downstream DAGs."""
            from airflow.sdk.exceptions import AirflowFailException

            from newsarchive.pipeline import stages, summary
            from newsarchive.pipeline.check import QualityGateFailed
            from newsarchive.pipeline.results import CrawlResult, ExtractResult

            crawled, extracted = CrawlResult.from_xcom(crawl_xcom), ExtractResult.from_xcom(extract_xcom)
            window = crawled.window
            summary.log_block(log, f"run summary: {site.id} {window}", summary.run_lines(crawled, extracted))
            try:
                with config_errors_fail_at_once():
                    report = stages.check(site.id, window, crawled, extracted, s3=s3_options_from_connection())
            except QualityGateFailed as exc:
                # The report is in the archive already; as an XCom it reaches the UI and the failure alert too.
                context["ti"].xcom_push(key="report", value=exc.report.to_xcom())
                summary.log_block(log, "quality gates", summary.gate_lines(exc.report.gates), logging.WARNING)
                # A breached gate is a fact about the data: retrying cannot change it.
                raise AirflowFailException(f"quality gate failed: {exc}") from None
            summary.log_block(log, f"quality gates: {report.status}", summary.gate_lines(report.gates))
            context["outlet_events"][articles_asset].extra = {
                "site": site.id, "window": window.to_json(), "report_key": report.report_key,
                "article_keys": list(extracted.article_keys), "archive": settings.archive_url(),
                "articles": report.articles, "status": report.status, "warnings": list(report.warnings),
            }
            return report.to_xcom()

        crawled = crawl()
        extracted = extract(crawled)
        check(crawled, extracted)

    return news_site()


def _register() -> None:
    """One DAG per enabled site; a broken file (or a site whose DAG cannot be built) is logged and skipped,
    never taking the other sites' DAGs down. The News archive page lists the broken files too.

    Logged as warnings of the site loader: every task process parses this file again, and another site's broken
    file is not an error of that task (a red line in a task log must mean something about the task)."""
    catalog = load_sites(settings.sites_dir())
    for error in catalog.errors:
        for line in error.lines():
            sites_log.warning("site config skipped: %s", line)
    for site in catalog.enabled:
        try:
            globals()[site.dag_id] = build_dag(site)
        except Exception as exc:  # the model accepted the file: this is our bug, but only this site pays
            sites_log.warning("site config skipped: %s: (dag): cannot build its DAG: %s", site.path, exc, exc_info=True)


_register()
