"""news_maintenance: compact the archive's closed months, for every site, once a day.

Daily runs leave one index file and one bundle per window and publication day. Each run of this DAG folds
every closed month (ended at least ``grace_days`` before the run's data interval ends) that still has daily
files into one index, one bundle and one history file per site and month (``newsarchive.archive.compaction``): readers
return the same records before and after, a crash at any point leaves them correct, and a month written
into later (a backfill, an update of an old article) is folded again by the next run. One mapped task per
site; a site's months run one after the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task


@dag(
    dag_id="news_maintenance",
    description="Compact closed months of the archive into one file per site and month",
    schedule=CronDataIntervalTimetable("30 3 * * *", timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=True,  # ops unpause it once: it deletes daily files (after folding them in)
    tags=["newsarchive", "maintenance"],
    doc_md=__doc__,
    params={
        "sites": Param([], type="array", description="site ids to compact (empty: every site in the archive)"),
        "as_of": Param(None, type=["null", "string"], description="compact months closed by this date (ISO); "
                       "default: the run's data interval end"),
        "grace_days": Param(2, type="integer", minimum=0, description="days after a month's end before it is closed"),
    },
    default_args={"owner": "newsarchive", "retries": 2, "retry_delay": timedelta(minutes=5)},
)
def news_maintenance() -> None:
    @task(task_id="sites")
    def sites(**context: Any) -> list[str]:
        """The sites to compact: the params' list, else every site with an index in the archive."""
        from news_sites import s3_options_from_connection

        from newsarchive.archive.reader import Archive
        from newsarchive.pipeline import stages

        chosen = [str(s) for s in context["params"].get("sites") or []]
        return chosen or Archive(stages.open_archive(s3=s3_options_from_connection())).sites()

    @task(task_id="compact")
    def compact(site: str, **context: Any) -> dict[str, Any]:
        """Compact the site's closed months that have daily files."""
        from news_sites import s3_options_from_connection

        from newsarchive.instants import parse_day
        from newsarchive.pipeline import stages
        from newsarchive.pipeline.compaction import compact_site

        params = context["params"]
        end = context.get("data_interval_end")
        as_of = parse_day(str(params["as_of"])[:10]) if params.get("as_of") else (
            end.date() if end is not None else context["logical_date"].date())
        store = stages.open_archive(s3=s3_options_from_connection())
        return compact_site(store, site, as_of=as_of, grace_days=int(params.get("grace_days", 2)))

    compact.expand(site=sites())


news_maintenance()
