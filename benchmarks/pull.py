"""Pull benchmark: ``Archive.articles()`` (index, bundles, concurrent GETs) vs a bare boto3 loop of sequential GETs.

Starts its own S3 API server (``moto_server`` on 127.0.0.1, through the tests' S3Server in tests/support.py),
loads N small article records, their Parquet index and their record bundles into a bucket as daily runs
would, then times, in the same run and on the same keys:

(a) a plain boto3 client GETting every article object one after the other (keys handed to it for free);
(b) ``Archive(bundles=False).articles()``: the index, then one concurrent GET per article;
(c) ``Archive().articles()``, the default: the index, then one GET per partition's bundle.

(b) and (c) include listing and reading the index. All three must return the same records (checked).
Each is run ``--rounds`` times, alternating; the best round of each counts. Prints a Markdown table with
requests made and the ratios to (a).

On localhost there is no network latency for concurrency to hide and moto_server's CPU is the ceiling,
so (b) gains little over (a); (c) gains by making far fewer requests, which is also what it saves on a
real S3 endpoint, where every request is a round trip. ``--latency-ms`` adds a fixed wait before every
S3 request of all clients (a botocore ``before-send`` hook sleeping in the requesting thread), modelling
that round trip.

    python benchmarks/pull.py                           # 5,000 articles, no added latency
    python benchmarks/pull.py --articles 2000 --latency-ms 20   # as if S3 were 20 ms away
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.record import ArticleRecord, RawRef, article_id  # noqa: E402
from newsarchive.archive.keys import article_key, index_key, raw_warc_key  # noqa: E402
from newsarchive.archive.reader import Archive  # noqa: E402
from newsarchive.archive.s3 import S3Options, S3Store  # noqa: E402

SITES = ("alpha", "beta", "gamma", "delta", "epsilon")
FIRST_DAY = date(2024, 11, 1)
DAYS = 20
LOAD_THREADS = 16
TARGET_RATIO = 3.0
SENTENCE = "the council met on tuesday to discuss the new tram line and its cost to the city budget"
WORDS = SENTENCE.split()


def load_support() -> ModuleType:
    """The tests' support module (S3Server: moto_server on 127.0.0.1); the project root is on sys.path."""
    import tests.support

    return tests.support


def make_records(count: int) -> list[ArticleRecord]:
    """``count`` small records (about 60 words each) spread over the sites and days."""
    records = []
    for n in range(count):
        site = SITES[n % len(SITES)]
        day = FIRST_DAY + timedelta(days=(n // len(SITES)) % DAYS)
        canonical = f"https://{site}.example/news/{n}"
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        records.append(
            ArticleRecord(
                id=article_id(canonical), url=canonical, canonical_url=canonical, site=site,
                title=f"Story number {n}", text="\n".join(" ".join(WORDS[: 10 + (n + k) % 8]) for k in range(5)),
                authors=("Ann Lee",), published=f"{day.isoformat()}T{n % 24:02d}:{n % 60:02d}:00+00:00",
                language="en", language_confidence=0.99, section="city", tags=("transport",),
                raw=RawRef(raw_warc_key(site, start, start + timedelta(days=1)), n * 1000),
                fetched_at=f"{day.isoformat()}T23:00:00Z", extractor={"newsarchive-extract": "1.0.0"},
            )
        )  # fmt: skip
    return records


def load(store: S3Store, records: list[ArticleRecord]) -> list[str]:
    """Write the records, then a bundle and an index per (site, day), as daily runs would; return the article keys."""
    from newsarchive.archive.bundles import write_partition
    from newsarchive.pipeline.extract_stage import index_row

    partitions: dict[tuple[str, date], tuple[list[dict[str, Any]], list[str]]] = {}
    keyed = []
    for record in records:
        assert record.published is not None
        day = date.fromisoformat(record.published[:10])
        key = article_key(record.site, day, record.id)
        text = record.to_json()
        keyed.append((key, text.encode("utf-8")))
        rows, texts = partitions.setdefault((record.site, day), ([], []))
        rows.append(index_row(record, key, day))
        texts.append(text)

    def put(item: tuple[str, bytes]) -> None:
        store.put(item[0], item[1], content_type="application/json; charset=utf-8")

    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        list(pool.map(put, keyed))
    for (site, day), (rows, texts) in partitions.items():
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        write_partition(store, index_key(site, day, start, start + timedelta(days=1)), rows, texts)
    return [key for key, _ in keyed]


@dataclass(frozen=True)
class Timing:
    """One method's best round."""

    name: str
    articles: int
    seconds: float
    requests: int

    @property
    def rate(self) -> float:
        return self.articles / self.seconds


def best_of(name: str, rounds: list[tuple[int, float, int]]) -> Timing:
    count, seconds, requests = min(rounds, key=lambda r: r[1])
    return Timing(name, count, seconds, requests)


class RequestCounter:
    """Counts the S3 requests a client sends (a botocore ``before-send`` hook), optionally waiting first."""

    def __init__(self, client: Any, latency_ms: float) -> None:
        self.count = 0
        self.latency = latency_ms / 1000
        self.lock = threading.Lock()
        client.meta.events.register("before-send.s3", self.before_send)

    def before_send(self, **_: Any) -> None:
        with self.lock:
            self.count += 1
        if self.latency > 0:
            time.sleep(self.latency)  # returning None lets botocore send the request as usual


def timed(run: Callable[[], list[dict[str, Any]]], counter: RequestCounter) -> tuple[list[dict[str, Any]], float, int]:
    before = counter.count
    started = time.perf_counter()
    records = run()
    return records, time.perf_counter() - started, counter.count - before


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (exit 1 only if the reader returns the wrong count)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="simulated round trip added to each request")
    parser.add_argument("--workers", type=int, default=16, help="reader threads (capped by the S3 client pool)")
    args = parser.parse_args(argv)

    support = load_support()
    with tempfile.TemporaryDirectory(prefix="pull-bench-") as tmp:
        server = support.S3Server(Path(tmp))
        server.start()
        try:
            return bench(server, support.S3_ENV, args)
        finally:
            server.stop()


def bench(server: Any, env: dict[str, str], args: argparse.Namespace) -> int:
    """Load the bucket, time both methods, print the results."""
    import boto3

    options = S3Options(
        endpoint_url=server.endpoint, region=env["AWS_DEFAULT_REGION"], access_key_id=env["AWS_ACCESS_KEY_ID"],
        secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    server.client().create_bucket(Bucket="bench")
    url = "s3://bench/archive"
    started = time.perf_counter()
    keys = load(S3Store.from_url(url, options), make_records(args.articles))
    load_seconds = time.perf_counter() - started

    client = boto3.client(
        "s3", endpoint_url=server.endpoint, region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip

    def sequential() -> list[dict[str, Any]]:
        return [json.loads(client.get_object(Bucket="bench", Key=f"archive/{key}")["Body"].read()) for key in keys]

    single_store, bulk_store = S3Store.from_url(url, options), S3Store.from_url(url, options)
    single = Archive(single_store, workers=args.workers, bundles=False)
    bulk = Archive(bulk_store, workers=args.workers)
    latency = args.latency_ms
    methods: list[tuple[str, Callable[[], list[dict[str, Any]]], RequestCounter]] = [
        ("boto3 sequential get_object", sequential, RequestCounter(client, latency)),
        ("Archive(bundles=False).articles()", lambda: list(single.articles()),
         RequestCounter(single_store.client, latency)),
        ("Archive().articles()", lambda: list(bulk.articles()), RequestCounter(bulk_store.client, latency)),
    ]  # fmt: skip
    rounds: dict[str, list[tuple[int, float, int]]] = {name: [] for name, _, _ in methods}
    reference: list[dict[str, Any]] | None = None
    reader_order: list[str] | None = None
    for _ in range(args.rounds):
        for name, run, counter in methods:
            records, seconds, requests = timed(run, counter)
            if reference is None:
                reference = sorted(records, key=lambda r: str(r["id"]))
            elif sorted(records, key=lambda r: str(r["id"])) != reference:
                print(f"{name} did not return the same records as the sequential GETs", file=sys.stderr)
                return 1
            if counter is not methods[0][2]:  # both readers must give the index order
                order = [str(r["id"]) for r in records]
                reader_order = reader_order or order
                if order != reader_order:
                    print(f"{name} returned the records in another order than the other reader", file=sys.stderr)
                    return 1
            rounds[name].append((len(records), seconds, requests))
    timings = [best_of(name, rounds[name]) for name, _, _ in methods]
    base = timings[0]
    print(f"{args.articles} articles loaded into moto_server in {load_seconds:.1f}s; best of {args.rounds} round(s); "
          f"reader workers: {single.workers}; latency added per request: {args.latency_ms:g} ms; "
          "same records from all three: yes\n")  # fmt: skip
    print("| method | articles | requests | seconds | articles/s | vs sequential |")
    print("|---|---:|---:|---:|---:|---:|")
    for timing in timings:
        print(f"| {timing.name} | {timing.articles} | {timing.requests} | {timing.seconds:.2f} | {timing.rate:.0f} "
              f"| {timing.rate / base.rate:.2f}x |")  # fmt: skip
    ratio = timings[-1].rate / base.rate
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"\nratio (Archive().articles() / sequential): {ratio:.2f}x (target >= {TARGET_RATIO:.0f}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
