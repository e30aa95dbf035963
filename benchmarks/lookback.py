"""Lookback benchmark: what the crawl stage reads before each crawl to re-check archived articles.

``newsarchive.pipeline.incremental.archived_articles`` reads the index of the articles published from the site's
``[updates]`` horizon before the window to its end. This loads a simulated archive of one site with daily
runs over ``--days`` days (``--per-day`` articles a day, one index file per day, plus an update file on one
day in ten, as runs that re-check older articles write) into a local S3 API server (moto_server) and a local
folder, then measures, in the same run, for the window of the archive's last day:

(a) the baseline: the window's own dates only (what incremental crawling read before updates existed);
(b) the default lookback, 90 days; (c) a lookback of 365 days.

It prints the S3 requests, the seconds (best of ``--rounds``) and the URLs given to the spider, with the
ratios to (a); everything is read through the archive's reader functions, so compacted index files
(fewer, larger) only lower these numbers.

    python benchmarks/lookback.py                    # 730 days x 50 articles
    python benchmarks/lookback.py --days 365 --per-day 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from newsarchive.archive.index import index_rows_to_table, table_to_parquet  # noqa: E402
from newsarchive.archive.keys import article_key, index_key  # noqa: E402
from newsarchive.archive.local import LocalStore  # noqa: E402
from newsarchive.archive.s3 import S3Options, S3Store  # noqa: E402
from newsarchive.instants import Window  # noqa: E402
from newsarchive.pipeline.incremental import archived_articles  # noqa: E402
from newsarchive.pipeline.sites import parse_site  # noqa: E402

LAST_DAY = date(2026, 11, 30)
SITE_TOML = """
id = "bench"
name = "Bench"
base_url = "https://bench.example/"
timezone = "UTC"
[discovery]
article_allow = ['^/news/']
[updates]
lookback = "{lookback}"
"""


def load_support() -> ModuleType:
    """The tests' support module (S3Server: moto_server on 127.0.0.1); the project root is on sys.path."""
    import tests.support

    return tests.support


def site(lookback: str) -> Any:
    return parse_site(Path("bench.toml"), tomllib.loads(SITE_TOML.format(lookback=lookback)))


def daily_files(days: int, per_day: int) -> list[tuple[str, bytes]]:
    """(key, Parquet bytes) of the simulated archive's index files."""
    files = []
    for n in range(days):
        day = LAST_DAY - timedelta(days=days - 1 - n)
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        rows = [row(day, start, k) for k in range(per_day)]
        key = index_key("bench", day, start, start + timedelta(days=1))
        files.append((key, table_to_parquet(index_rows_to_table(rows))))
        if n % 10 == 0 and n + 3 < days:  # re-checked three days later: an update file in this partition
            later = start + timedelta(days=3)
            files.append((index_key("bench", day, later, later + timedelta(days=1)),
                          table_to_parquet(index_rows_to_table(rows[:2]))))
    return files


def row(day: date, start: datetime, k: int) -> dict[str, Any]:
    url = f"https://bench.example/news/{day.isoformat()}/{k}"
    article = f"{abs(hash(url)) % (1 << 60):016x}"
    published = (start + timedelta(minutes=10 * k + 1)).isoformat()
    return {"id": article, "url": url, "canonical_url": url, "site": "bench", "title": "t", "published": published,
            "published_date": day, "key": article_key("bench", day, article), "fetched_at": published,
            "modified": published, "etag": f'"{article[:8]}"', "last_modified": "Mon, 30 Nov 2026 10:00:00 GMT",
            "word_count": 100, "text_sha256": "0" * 64}


class Counter:
    """Counts an S3 client's requests (a botocore before-send hook)."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        client.meta.events.register("before-send.s3", self.hit)

    def hit(self, **_: Any) -> None:
        self.count += 1


def measure(store: Any, counter: Counter | None, lookback: str, rounds: int) -> tuple[int, float, int]:
    """(requests, best seconds, URLs) of archived_articles for the last day's window."""
    start = datetime.combine(LAST_DAY, datetime.min.time(), tzinfo=UTC)
    window = Window(start, start + timedelta(days=1))
    best, requests, urls = float("inf"), 0, 0
    for _ in range(rounds):
        before = counter.count if counter else 0
        started = time.perf_counter()
        found = archived_articles(store, site(lookback), window)
        best = min(best, time.perf_counter() - started)
        requests, urls = (counter.count - before) if counter else 0, len(found)
    return requests, best, urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--per-day", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    support = load_support()
    files = daily_files(args.days, args.per_day)
    with tempfile.TemporaryDirectory(prefix="lookback-bench-") as tmp:
        server = support.S3Server(Path(tmp))
        server.start()
        try:
            env = support.S3_ENV
            server.client().create_bucket(Bucket="bench")
            options = S3Options(endpoint_url=server.endpoint, region=env["AWS_DEFAULT_REGION"],
                                access_key_id=env["AWS_ACCESS_KEY_ID"], secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
            s3 = S3Store.from_url("s3://bench/archive", options)
            local = LocalStore(Path(tmp) / "folder")
            with ThreadPoolExecutor(16) as pool:
                list(pool.map(lambda item: s3.put(item[0], item[1], content_type="application/octet-stream"), files))
            for key, data in files:
                local.put(key, data, content_type="application/octet-stream")
            counter = Counter(s3.client)
            print(f"archive: 1 site, {args.days} days x {args.per_day} articles, {len(files)} index files\n")
            print("| read | S3 requests | S3 seconds | folder seconds | URLs to the spider | vs window only |")
            print("|---|---:|---:|---:|---:|---:|")
            base_s3 = None
            for name, lookback in (("window only (before updates)", "1m"), ("lookback 90d (default)", "90d"),
                                   ("lookback 365d", "365d")):
                requests, seconds, urls = measure(s3, counter, lookback, args.rounds)
                _, local_seconds, _ = measure(local, None, lookback, args.rounds)
                base_s3 = base_s3 or seconds
                print(f"| {name} | {requests} | {seconds:.3f} | {local_seconds:.3f} | {urls:,} | "
                      f"{seconds / base_s3:.1f}x |")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
