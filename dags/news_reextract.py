"""news_reextract: rebuild a site's articles, index and reports for a window from the archived WARC.

Run it after changing the extractor or a site's extraction hints: no page is fetched again. Triggered by hand
with params site, start and end; the keys it rewrites are the same ones the original runs wrote.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task


@dag(
    dag_id="news_reextract",
    description="Re-extract archived crawls of a site for a window (offline, from the stored WARC)",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["newsarchive", "maintenance"],
    doc_md=__doc__,
    params={
        "site": Param("demo", type="string", description="site id (sites/<id>.toml)"),
        "start": Param("2024-11-01", type="string", description="window start, ISO date or date-time"),
        "end": Param("2024-11-02", type="string", description="window end (exclusive)"),
    },
    default_args={"owner": "newsarchive", "retries": 1, "retry_delay": timedelta(minutes=1)},
)
def news_reextract() -> None:
    @task(task_id="reextract")
    def reextract(**context: Any) -> dict[str, object]:
        """Re-extract every archived crawl of the site overlapping the window."""
        from airflow.sdk.exceptions import AirflowFailException
        from news_sites import config_errors_fail_at_once, s3_options_from_connection

        from newsarchive.instants import parse_window
        from newsarchive.pipeline import stages

        params = context["params"]
        try:
            window = parse_window(str(params["start"]), str(params["end"]))
        except ValueError as exc:  # bad params do not fix themselves: no retries
            raise AirflowFailException(f"bad params start/end: {exc}") from None
        with config_errors_fail_at_once():  # an unknown site or a broken site file
            return stages.reextract(str(params["site"]), window, s3=s3_options_from_connection()).to_xcom()

    reextract()


news_reextract()
