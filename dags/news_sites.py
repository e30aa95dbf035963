"""One Airflow DAG per enabled news site in sites/*.toml: crawl -> extract -> check for the run's window.

Parsed by the dag-processor every few seconds, so only the SDK and the (stdlib-only) site loader are imported
here; the pipeline, Scrapy, trafilatura and boto3 are imported inside the tasks.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from pipeline import settings
from pipeline.sites import SiteConfig, load_sites

log = logging.getLogger("newsarchive.dags")

CRAWL_POOL = "newsarchive_crawl"  # caps concurrent crawls across all sites (created by scripts/airflow-init.sh)


def _window(context: Any) -> Any:
    """The run's window: params start/end when given (manual runs), else the data interval."""
    from airflow.sdk.exceptions import AirflowFailException

    from pipeline.window import Window, parse_window

    params = context["params"]
    if params.get("start") and params.get("end"):
        return parse_window(str(params["start"]), str(params["end"]))
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None or end <= start:
        raise AirflowFailException(
            "this run has no data interval (a manual run of an unscheduled site): trigger it with params "
            '{"start": "2024-11-01", "end": "2024-11-02"}'
        )
    return Window(start, end)


def _s3_options() -> Any:
    """S3 settings from the Airflow connection `newsarchive_s3` when the archive is on S3 and it exists."""
    if not settings.archive_url().startswith("s3://"):
        return None
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from archive.s3 import S3Options

    try:
        conn = Connection.get("newsarchive_s3")
    except AirflowNotFoundException:
        return None  # the AWS credential chain and AWS_* variables apply
    extra = conn.extra_dejson or {}
    overrides = {
        "endpoint_url": extra.get("endpoint_url"), "region": extra.get("region_name"),
        "access_key_id": conn.login or None, "secret_access_key": conn.password or None,
        "addressing_style": extra.get("addressing_style"),
    }
    return dataclasses.replace(S3Options.from_env(), **{k: v for k, v in overrides.items() if v})


def _doc(site: SiteConfig) -> str:
    d = site.discovery
    return "\n".join([
        f"# {site.name}",
        f"Archives **{site.base_url}** (`{site.path}`) into `{settings.archive_url()}`.",
        "",
        "| | |", "|---|---|",
        f"| languages | {', '.join(site.languages) or '-'} |",
        f"| schedule | `{site.schedule}` ({site.timezone}); each run archives its data interval [start, end) |",
        f"| feeds | {len(d.feeds)} | ", f"| sitemaps | {len(d.sitemaps)} |", f"| section pages | {len(d.sections)} |",
        f"| politeness | robots.txt {'obeyed' if site.politeness.obey_robots else 'IGNORED'}, "
        f"delay {site.politeness.download_delay}s, concurrency {site.politeness.concurrency} |",
        f"| gates | at least {site.checks.min_articles} article(s) per run |",
        "",
        "Tasks: **crawl** (Scrapy subprocess, every response to WARC) -> **extract** (trafilatura, article JSON +"
        " Parquet index) -> **check** (quality gates, run report). Re-running a window overwrites the same keys.",
        "Manual run for any window: trigger with params `start` and `end` (ISO dates).",
    ])


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
        },
    )
    def news_site() -> None:
        @task(task_id="crawl", pool=CRAWL_POOL)
        def crawl(**context: Any) -> dict[str, Any]:
            """Discover and fetch the window's articles; every response goes to the window's WARC."""
            from pipeline import stages

            window = _window(context)
            result = stages.crawl(site.id, window, s3=_s3_options())
            return {**result, "window": {"start": window.start.isoformat(), "end": window.end.isoformat()}}

        @task(task_id="extract")
        def extract(crawl_result: dict[str, Any]) -> dict[str, Any]:
            """Extract article records and the index from the archived WARC (no network)."""
            from pipeline import stages
            from pipeline.window import parse_window

            window = parse_window(crawl_result["window"]["start"], crawl_result["window"]["end"])
            result = stages.extract(site.id, window, crawl_result["warc_key"], s3=_s3_options())
            return {**result, "window": crawl_result["window"]}

        @task(task_id="check", outlets=[articles_asset])
        def check(crawl_result: dict[str, Any], extract_result: dict[str, Any], **context: Any) -> dict[str, Any]:
            """Quality gates and the run report; announces the written keys to downstream DAGs."""
            from pipeline import stages
            from pipeline.window import parse_window

            window = parse_window(crawl_result["window"]["start"], crawl_result["window"]["end"])
            report = stages.check(site.id, window, crawl_result, extract_result, s3=_s3_options())
            context["outlet_events"][articles_asset].extra = {
                "site": site.id, "window": crawl_result["window"], "report_key": report["report_key"],
                "article_keys": extract_result["article_keys"], "archive": settings.archive_url(),
            }
            return report

        crawled = crawl()
        extracted = extract(crawled)
        check(crawled, extracted)

    return news_site()


def _register() -> None:
    catalog = load_sites(settings.sites_dir())
    for error in catalog.errors:
        # A broken site file must not take the other sites' DAGs down; it shows in the dag-processor log.
        log.error("site config skipped: %s", error)
    for site in catalog.enabled:
        globals()[site.dag_id] = build_dag(site)


_register()
