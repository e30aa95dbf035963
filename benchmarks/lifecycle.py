"""Compaction benchmark: pulls from a two-year archive of one site, before and after compacting its months.

Starts its own S3 API server (``moto_server`` on 127.0.0.1, through the tests' S3Server), writes two years
of daily runs of one site into a bucket with the archive's own writers (an article object per article, then
a bundle and an index file per run and publication day, as the extract stage does; a share of the articles
are fetched again by a later run, whose files land in the old day's partition), then measures, in the same
run and on the same bucket:

- a one-month pull and a whole-archive pull (``Archive().articles()``, index and bundles): requests, seconds;
- ``compact_month`` over every month (requests, seconds);
- the same two pulls again, which must return exactly the same records.

    python benchmarks/lifecycle.py                          # 730 days x 8 articles
    python benchmarks/lifecycle.py --days 365 --per-day 20 --latency-ms 10
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.record import ArticleRecord, RawRef, article_id  # noqa: E402
from newsarchive.archive.bundles import write_partition  # noqa: E402
from newsarchive.archive.compaction import compact_month  # noqa: E402
from newsarchive.archive.keys import article_key, index_key, month_of, raw_warc_key  # noqa: E402
from newsarchive.archive.reader import Archive  # noqa: E402
from newsarchive.archive.s3 import S3Options, S3Store  # noqa: E402
from newsarchive.pipeline.extract_stage import index_row  # noqa: E402

SITE = "daily"
FIRST_DAY = date(2023, 1, 1)
LOAD_THREADS = 16
REFETCH_EVERY = 10  # one article in ten is fetched again (an update) by the run three days later
SENTENCE = ["the", "council", "met", "on", "tuesday", "to", "discuss", "the", "new", "tram", "line", "and", "its",
            "cost", "to", "the", "city", "budget"]


def load_pull_support() -> Any:
    """benchmarks/pull.py's helpers (the tests' S3Server loader and the request counter)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("newsarchive_pull_bench", ROOT / "benchmarks" / "pull.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its frozen dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def make_record(day: date, n: int, fetched: datetime, version: int = 1) -> ArticleRecord:
    """Article ``n`` of ``day`` (about 80 words), as fetched at ``fetched``."""
    canonical = f"https://{SITE}.example/news/{day:%Y/%m/%d}/{n}"
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    text = "\n".join(" ".join(SENTENCE[: 10 + (n + k) % 8]) + f" v{version}." for k in range(5))
    return ArticleRecord(
        id=article_id(canonical), url=canonical, canonical_url=canonical, site=SITE, title=f"Story {day} {n}",
        text=text, authors=("Ann Lee",), published=f"{day.isoformat()}T{8 + n % 12:02d}:{n % 60:02d}:00+00:00",
        modified=fetched.isoformat(timespec="seconds") if version > 1 else None, language="en",
        language_confidence=0.99, section="city", tags=("transport",),
        raw=RawRef(raw_warc_key(SITE, start, start + timedelta(days=1)), n * 1000),
        fetched_at=fetched.isoformat(timespec="seconds"), extractor={"newsarchive-extract": "1.0.0"},
    )  # fmt: skip


def build(store: S3Store, days: int, per_day: int) -> int:
    """Write ``days`` daily runs (and the re-fetches of earlier articles they carry); return the article count."""
    runs: dict[date, list[ArticleRecord]] = {}
    for offset in range(days):
        day = FIRST_DAY + timedelta(days=offset)
        fetched = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)
        runs.setdefault(day, []).extend(make_record(day, n, fetched) for n in range(per_day))
        for n in range(0, per_day, REFETCH_EVERY):
            later = day + timedelta(days=3)
            if later < FIRST_DAY + timedelta(days=days):
                refetched = fetched + timedelta(days=3)
                runs.setdefault(later, []).append(replace(make_record(day, n, refetched, version=2)))
    objects: dict[str, bytes] = {}
    partitions: list[tuple[str, list[dict[str, Any]], list[str]]] = []
    for run_day, records in sorted(runs.items()):
        start = datetime.combine(run_day, datetime.min.time(), tzinfo=UTC)
        by_day: dict[date, tuple[list[dict[str, Any]], list[str]]] = {}
        for record in records:
            assert record.published is not None
            day = date.fromisoformat(record.published[:10])
            key = article_key(SITE, day, record.id)
            text = record.to_json()
            objects[key] = text.encode("utf-8")  # the latest copy of each article wins, as write_article does
            rows, texts = by_day.setdefault(day, ([], []))
            rows.append(index_row(record, key, day))
            texts.append(text)
        for day, (rows, texts) in by_day.items():
            partitions.append((index_key(SITE, day, start, start + timedelta(days=1)), rows, texts))

    def put(item: tuple[str, bytes]) -> None:
        store.put(item[0], item[1], content_type="application/json; charset=utf-8")

    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        list(pool.map(put, objects.items()))
        list(pool.map(lambda p: write_partition(store, *p), partitions))
    return len(objects)


@dataclass(frozen=True)
class Measure:
    """One measured operation."""

    name: str
    phase: str
    items: int
    seconds: float
    requests: int


def measure(name: str, phase: str, run: Callable[[], Any], counter: Any, rounds: int = 1) -> tuple[Measure, Any]:
    """Run ``run`` ``rounds`` times: its best time, the requests of one round, its result."""
    best, requests, result = float("inf"), 0, None
    for _ in range(rounds):
        before = counter.count
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
        requests = counter.count - before
    items = len(result) if isinstance(result, list) else 0
    return Measure(name, phase, items, best, requests), result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (exit 1 if a pull changes after compaction)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--per-day", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="simulated round trip added to each request")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="each pull is timed this many times; the best counts")
    args = parser.parse_args(argv)
    pull = load_pull_support()
    support = pull.load_support()
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
        server = support.S3Server(Path(tmp))
        server.start()
        try:
            return bench(server, support.S3_ENV, args, pull, Path(tmp))
        finally:
            server.stop()


def bench(server: Any, env: dict[str, str], args: argparse.Namespace, pull: Any, tmp: Path) -> int:
    """Build the archive, pull, compact, pull again; print the results."""
    options = S3Options(
        endpoint_url=server.endpoint, region=env["AWS_DEFAULT_REGION"], access_key_id=env["AWS_ACCESS_KEY_ID"],
        secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    server.client().create_bucket(Bucket="bench")
    url = "s3://bench/archive"
    started = time.perf_counter()
    articles = build(S3Store.from_url(url, options), args.days, args.per_day)
    load_seconds = time.perf_counter() - started
    store = S3Store.from_url(url, options)
    counter = pull.RequestCounter(store.client, args.latency_ms)
    reader = Archive(store, workers=args.workers)
    month = month_of(FIRST_DAY + timedelta(days=args.days // 2))
    month_end = month_of(month + timedelta(days=31))
    pulls: dict[str, Callable[[], list[dict[str, Any]]]] = {
        f"one month ({month:%Y-%m})": lambda: list(reader.articles(start=month, end=month_end)),
        "whole archive": lambda: list(reader.articles()),
    }
    rows: list[Measure] = []
    before: dict[str, list[dict[str, Any]]] = {}
    for name, run in pulls.items():
        result, records = measure(name, "daily files", run, counter, args.rounds)
        rows.append(result)
        before[name] = records
    months = sorted({month_of(FIRST_DAY + timedelta(days=n)) for n in range(args.days)})
    daily_objects = sum(1 for _ in store.list("index/")) + sum(1 for _ in store.list("bundles/"))
    compaction, _ = measure("compact every month", "compaction", lambda: [
        compact_month(store, SITE, m, workdir=tmp) for m in months], counter)
    compacted_objects = sum(1 for _ in store.list("index/")) + sum(1 for _ in store.list("bundles/"))
    same = True
    for name, run in pulls.items():
        result, records = measure(name, "compacted", run, counter, args.rounds)
        rows.append(result)
        same = same and records == before[name]
    print(f"{articles} articles over {args.days} days ({args.per_day}/day, one in {REFETCH_EVERY} fetched again "
          f"3 days later) loaded into moto_server in {load_seconds:.1f}s; reader workers: {reader.workers}; "
          f"latency added per request: {args.latency_ms:g} ms; index + bundle objects: {daily_objects} daily, "
          f"{compacted_objects} compacted; same records after compaction: {'yes' if same else 'NO'}; "
          f"best of {args.rounds} round(s)\n")
    print("| pull | archive | articles | requests | seconds | articles/s |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row.name} | {row.phase} | {row.items} | {row.requests} | {row.seconds:.2f} "
              f"| {row.items / row.seconds:.0f} |")
    print(f"\ncompaction of {len(months)} months: {compaction.requests} requests, {compaction.seconds:.1f}s")
    for name in pulls:
        old, new = (r for r in rows if r.name == name)
        print(f"{name}: {old.requests / max(new.requests, 1):.1f}x fewer requests, "
              f"{old.seconds / new.seconds:.2f}x the speed after compaction")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
