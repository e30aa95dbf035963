"""The bill: S3 requests by operation and bytes stored by prefix, per 1,000 archived articles.

A realistic run on an S3 API server that counts what it answers (``s3count.py``, moto behind a counting
middleware; the stages' boto3 clients are the real ones): a busy site (the generated site at 20,000
articles a year, about 55 a day) archived by its last days' daily windows as its schedule would (crawl,
extract, check per day, each stage in its own process as Airflow tasks are), then every window run again
(a retry or a re-run: incremental, so the unchanged articles are not fetched again), then one analyst pull
of the whole period (``Archive().articles()``, bundles). Requests are counted per phase; stored bytes are summed
per top-level prefix at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scale_support import HERE, ROOT, day_window, generated_site, run_stage, stage_env

from newsarchive.demosite.generated.config import write_site_config

S3_ENV = {"AWS_ACCESS_KEY_ID": "bench-key-id", "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
          "AWS_DEFAULT_REGION": "us-east-1"}
BUCKET, PREFIX, SITE = "bench-bill", "archive", "busy"
PHASES = ("daily runs", "reruns", "pull")
# Illustration only: AWS S3 Standard list prices in us-east-1 (USD) at the time of writing.
PRICE_TIER1_PER_1000 = 0.005  # PUT, COPY, POST, LIST
PRICE_TIER2_PER_1000 = 0.0004  # GET, HEAD and the others
PRICE_GB_MONTH = 0.023  # first 50 TB a month


@dataclass
class Bill:
    """What a bill run counted."""

    articles: int
    windows: int
    requests: dict[str, Counter[str]] = field(default_factory=dict)  # phase -> operation -> count
    bytes_in: dict[str, Counter[str]] = field(default_factory=dict)  # phase -> operation -> request body bytes
    bytes_out: dict[str, Counter[str]] = field(default_factory=dict)  # phase -> operation -> response body bytes
    stored: Counter[str] = field(default_factory=Counter)  # top-level prefix -> bytes
    objects: Counter[str] = field(default_factory=Counter)  # top-level prefix -> object count

    def per_thousand(self, value: float) -> float:
        """A count scaled to 1,000 archived articles."""
        return value * 1000 / self.articles if self.articles else 0.0


@contextmanager
def counting_s3() -> Iterator[str]:
    """The counting S3 server in a child process; yields its endpoint."""
    proc = subprocess.Popen([sys.executable, str(HERE / "s3count.py"), "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **S3_ENV})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("serving "):
            raise RuntimeError(f"s3count did not start: {line!r}")
        yield line.split()[1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def counts(endpoint: str, reset: bool = True) -> dict[str, dict[str, int]]:
    """The server's counters since the last reset (and reset them)."""
    request = urllib.request.Request(endpoint + "/__counts__", method="DELETE" if reset else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, dict[str, int]] = json.loads(response.read())
    return data


def s3_client(endpoint: str) -> Any:
    """A plain boto3 client on the server (bucket set-up and the final listing only)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")


def stored_by_prefix(client: Any) -> tuple[Counter[str], Counter[str]]:
    """Bytes and object counts under each top-level prefix of the archive."""
    sizes: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/"):
        for item in page.get("Contents", []):
            top = item["Key"].removeprefix(PREFIX + "/").split("/", 1)[0]
            sizes[top] += item["Size"]
            objects[top] += 1
    return sizes, objects


def run_windows(windows: list[tuple[str, str]], archive: str, env: dict[str, str], work: Path) -> int:
    """crawl, extract, check of each window, each stage in its own process; articles written."""
    written = 0
    for n, window in enumerate(windows):
        crawl, extract = work / f"crawl-{n}.json", work / f"extract-{n}.json"
        run_stage("crawl", SITE, window, archive, crawl, env)
        extracted = run_stage("extract", SITE, window, archive, extract, env, crawl=crawl)
        written += extracted["result"]["counts"]["articles"]
        run_stage("check", SITE, window, archive, work / f"check-{n}.json", env, crawl=crawl, extract=extract)
    return written


def pull(archive: str, env: dict[str, str]) -> int:
    """One analyst pull of every article (the reader, bundles on), in a child process; records read."""
    script = ("import sys; from newsarchive.archive import open_archive; "
              "print(sum(1 for _ in open_archive(sys.argv[1]).articles(site=sys.argv[2])))")
    proc = subprocess.run([sys.executable, "-c", script, archive, SITE], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"pull failed: {proc.stderr[-2000:]}")
    return int(proc.stdout.strip())


def measure(work: Path, days: int, size: int = 20_000) -> Bill:
    """The bill run: the last ``days`` daily windows of the site of that size (what its schedule would have
    run last: feeds and sitemaps as of then), their reruns, one pull."""
    from newsarchive.demosite.generated.corpus import Size

    work.mkdir(parents=True, exist_ok=True)
    last = Size(size).days - 1
    windows = [day_window(size, last - days + 1 + d) for d in range(days)]
    with generated_site(size) as site, counting_s3() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        write_site_config(work / "sites", site.url, SITE, size=size)
        env = stage_env(work / "sites", work / "scratch", {**S3_ENV, "AWS_ENDPOINT_URL_S3": endpoint})
        archive = f"s3://{BUCKET}/{PREFIX}"
        counts(endpoint)  # zero: the bucket's creation is not part of the bill
        bill = Bill(articles=0, windows=days)
        phases: list[tuple[str, Any]] = [
            ("daily runs", lambda: run_windows(windows, archive, env, work)),
            ("reruns", lambda: run_windows(windows, archive, env, work)),
            ("pull", lambda: pull(archive, env)),
        ]
        for name, action in phases:
            result = action()
            if name == "daily runs":
                bill.articles = result
            snapshot = counts(endpoint)
            bill.requests[name] = Counter(snapshot["requests"])
            bill.bytes_in[name] = Counter(snapshot["bytes_in"])
            bill.bytes_out[name] = Counter(snapshot["bytes_out"])
        bill.stored, bill.objects = stored_by_prefix(s3_client(endpoint))
    return bill


def report(bill: Bill) -> list[str]:
    """Markdown lines: requests per 1,000 articles by operation and phase, bytes per 1,000 by prefix."""
    from s3count import TIER1, TIER2

    operations = sorted({op for phase in bill.requests.values() for op in phase})
    lines = [f"{bill.articles:,} articles archived by {bill.windows} daily windows (then each window rerun, "
             "then one pull of them all); per 1,000 archived articles:", "",
             "| S3 request | " + " | ".join(PHASES) + " | total | pricing class |",
             "| --- | " + " | ".join("---:" for _ in PHASES) + " | ---: | --- |"]
    for op in operations:
        values = [bill.per_thousand(bill.requests.get(p, Counter())[op]) for p in PHASES]
        tier = "PUT/LIST" if op in TIER1 else "GET/other" if op in TIER2 else "free"
        lines.append(f"| {op} | " + " | ".join(f"{v:,.1f}" for v in values) + f" | {sum(values):,.1f} | {tier} |")
    for label, moved in (("bytes uploaded", bill.bytes_in), ("bytes downloaded", bill.bytes_out)):
        values = [bill.per_thousand(sum(moved.get(p, Counter()).values())) for p in PHASES]
        lines.append(f"| *{label}* | " + " | ".join(f"{v:,.0f}" for v in values) + f" | {sum(values):,.0f} | - |")
    lines += ["", "| prefix | objects per 1,000 | bytes per 1,000 | bytes per article |",
              "| --- | ---: | ---: | ---: |"]
    for prefix in sorted(bill.stored):
        lines.append(f"| {prefix}/ | {bill.per_thousand(bill.objects[prefix]):,.1f} | "
                     f"{bill.per_thousand(bill.stored[prefix]):,.0f} | "
                     f"{bill.stored[prefix] / max(bill.articles, 1):,.0f} |")
    total = sum(bill.stored.values())
    lines.append(f"| all | {bill.per_thousand(sum(bill.objects.values())):,.1f} | {bill.per_thousand(total):,.0f} | "
                 f"{total / max(bill.articles, 1):,.0f} |")
    lines += ["", *per_million(bill)]
    return lines


def per_million(bill: Bill) -> list[str]:
    """The same bill scaled to a million archived articles, with AWS list prices as an illustration."""
    from s3count import TIER1, TIER2

    scale = 1_000_000 / max(bill.articles, 1)
    tier1 = sum(n for phase in bill.requests.values() for op, n in phase.items() if op in TIER1) * scale
    tier2 = sum(n for phase in bill.requests.values() for op, n in phase.items() if op in TIER2) * scale
    gb = sum(bill.stored.values()) * scale / 1e9
    return [
        "Per million archived articles (daily runs + reruns + one pull):",
        "",
        "| what | per million articles | illustrative USD (S3 Standard, us-east-1 list prices) |",
        "| --- | ---: | ---: |",
        f"| PUT/COPY/POST/LIST requests | {tier1:,.0f} | {tier1 / 1000 * PRICE_TIER1_PER_1000:,.2f} once |",
        f"| GET/HEAD requests | {tier2:,.0f} | {tier2 / 1000 * PRICE_TIER2_PER_1000:,.2f} once |",
        *(f"| storage {prefix}/ | {bill.stored[prefix] * scale / 1e9:,.2f} GB | "
          f"{bill.stored[prefix] * scale / 1e9 * PRICE_GB_MONTH:,.2f} a month |" for prefix in sorted(bill.stored)),
        f"| storage, all | {gb:,.2f} GB | {gb * PRICE_GB_MONTH:,.2f} a month |",
    ]
