"""example_downstream: how a downstream extractor consumes newsarchive (paused until you unpause it).

Scheduled on the Asset that a site's `check` task updates after a successful run: each event's extra lists the
article keys that run wrote, the window, the report key and the archive URL. This DAG reads exactly those
articles and counts words per language: replace the body of `summarise` with your own extractor.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from airflow.sdk import Asset, dag, task

DEMO_ARTICLES = Asset("newsarchive://articles/demo")


@dag(
    dag_id="example_downstream",
    description="Example consumer of newsarchive's Asset events (reads the articles a run wrote)",
    schedule=[DEMO_ARTICLES],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    is_paused_upon_creation=True,
    tags=["newsarchive", "example"],
    doc_md=__doc__,
    default_args={"owner": "newsarchive", "retries": 1},
)
def example_downstream() -> None:
    @task(task_id="summarise")
    def summarise(**context: Any) -> dict[str, Any]:
        """Read the articles named by the triggering events; return counts (shown as XCom in the UI)."""
        from news_sites import s3_options_from_connection

        from newsarchive.pipeline.stages import open_archive

        words: Counter[str] = Counter()
        read: list[str] = []
        for event in context["triggering_asset_events"][DEMO_ARTICLES]:
            extra = event.extra or {}
            store = open_archive(extra.get("archive"), s3=s3_options_from_connection())
            for key in extra.get("article_keys", []):
                record = json.loads(store.get(key))
                words[record.get("language") or "unknown"] += int(record.get("word_count", 0))
                read.append(key)
        return {"articles_read": len(read), "keys": sorted(read), "words_by_language": dict(words)}

    summarise()


example_downstream()
