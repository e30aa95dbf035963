"""Pull benchmark: ``Archive.articles()`` (index + concurrent GETs) against a bare boto3 loop of sequential GETs.

Starts its own S3 API server (``moto_server`` on 127.0.0.1, through the tests' S3Server in tests/_lib/support.py), loads
N small article records and their Parquet index into a bucket, then times, in the same run and on the
same keys, (a) pulling every article through the reader, index listing and reading included, and (b) a
plain boto3 client GETting the same keys one after the other (keys handed to it for free). Each is run
``--rounds`` times, alternating; the best round of each counts. Prints a Markdown table and the ratio.

On localhost there is no network latency for concurrency to hide: both processes (this one and
moto_server) compete for the same cores, so the ratio mostly measures how much client and server work
overlap. ``--latency-ms`` adds a fixed wait before every S3 request of both clients (a botocore
``before-send`` hook sleeping in the requesting thread), modelling the round trip to a real S3
endpoint, where small GETs take tens of milliseconds.

    python benchmarks/pull.py                           # 5,000 articles, no added latency
    python benchmarks/pull.py --articles 2000 --latency-ms 20   # as if S3 were 20 ms away
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
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

from archive.index import index_rows_to_table, write_index  # noqa: E402
from archive.keys import article_key, index_key, raw_warc_key  # noqa: E402
from archive.reader import Archive  # noqa: E402
from archive.s3 import S3Options, S3Store  # noqa: E402
from extract.record import ArticleRecord, RawRef, article_id  # noqa: E402

SUPPORT_PATHS = (ROOT / "tests" / "_lib" / "support.py", ROOT / "tests" / "support.py")
SITES = ("alpha", "beta", "gamma", "delta", "epsilon")
FIRST_DAY = date(2024, 11, 1)
DAYS = 20
LOAD_THREADS = 16
TARGET_RATIO = 3.0
SENTENCE = "the council met on tuesday to discuss the new tram line and its cost to the city budget"
WORDS = SENTENCE.split()


def load_support() -> ModuleType:
    """The tests' support.py (S3Server) by path: the tests folder is not a package."""
    path = next(p for p in SUPPORT_PATHS if p.exists())
    spec = importlib.util.spec_from_file_location("newsarchive_test_support", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    """Write the records and one index file per (site, day) as a daily run would; return the article keys."""
    from pipeline.extraction import index_row

    rows: dict[tuple[str, date], list[dict[str, Any]]] = {}
    keyed = []
    for record in records:
        assert record.published is not None
        day = date.fromisoformat(record.published[:10])
        key = article_key(record.site, day, record.id)
        keyed.append((key, record.to_json().encode("utf-8")))
        rows.setdefault((record.site, day), []).append(index_row(record, key, day))

    def put(item: tuple[str, bytes]) -> None:
        store.put(item[0], item[1], content_type="application/json; charset=utf-8")

    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        list(pool.map(put, keyed))
    for (site, day), day_rows in rows.items():
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        write_index(store, index_key(site, day, start, start + timedelta(days=1)), index_rows_to_table(day_rows))
    return [key for key, _ in keyed]


@dataclass(frozen=True)
class Timing:
    """One method's best round."""

    name: str
    articles: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds


def best_of(name: str, rounds: list[tuple[int, float]]) -> Timing:
    count, seconds = min(rounds, key=lambda r: r[1])
    return Timing(name, count, seconds)


def add_latency(client: Any, milliseconds: float) -> None:
    """Make every S3 request of ``client`` wait ``milliseconds`` first, in the thread that sends it."""
    if milliseconds <= 0:
        return

    def wait(**_: Any) -> None:
        time.sleep(milliseconds / 1000)  # returning None lets botocore send the request as usual

    client.meta.events.register("before-send.s3", wait)


def timed(run: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = run()
    return count, time.perf_counter() - started


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
    add_latency(client, args.latency_ms)

    def sequential() -> int:
        for key in keys:
            json.loads(client.get_object(Bucket="bench", Key=f"archive/{key}")["Body"].read())
        return len(keys)

    store = S3Store.from_url(url, options)
    add_latency(store.client, args.latency_ms)
    archive = Archive(store, workers=args.workers)

    def reader() -> int:
        return sum(1 for _ in archive.articles())

    base_rounds, reader_rounds = [], []
    for _ in range(args.rounds):
        base_rounds.append(timed(sequential))
        reader_rounds.append(timed(reader))
    base, ours = best_of("boto3 sequential get_object", base_rounds), best_of("Archive.articles()", reader_rounds)
    if ours.articles != base.articles:
        print(f"reader returned {ours.articles} articles, expected {base.articles}", file=sys.stderr)
        return 1
    ratio = ours.rate / base.rate
    print(f"{args.articles} articles loaded into moto_server in {load_seconds:.1f}s; best of {args.rounds} round(s); "
          f"reader workers: {archive.workers}; latency added per request: {args.latency_ms:g} ms\n")  # fmt: skip
    print("| method | articles | seconds | articles/s |")
    print("|---|---:|---:|---:|")
    for timing in (base, ours):
        print(f"| {timing.name} | {timing.articles} | {timing.seconds:.2f} | {timing.rate:.0f} |")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"\nratio (reader / sequential): {ratio:.2f}x (target >= {TARGET_RATIO:.0f}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
