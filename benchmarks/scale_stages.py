"""Stage throughput and peak memory at two window sizes, and the extract pool's speed-up.

Each size N serves the generated site at N articles (``python -m newsarchive.demosite.generated --articles N``, its
own process) and runs crawl, extract and check for one window holding the whole site (a backfill of up
to a year), each stage in its own process as an Airflow task is (``scale_stage.py``). Peak RSS is the
stage process's own (the pipeline side) and its largest child's (the spider for crawl, an extract or write worker for
extract). The extract pool's speed-up re-extracts a size's WARC into fresh archives with one worker and with
two (``NEWSARCHIVE_EXTRACT_WORKERS``), alternating, three times each (the best time counts: this machine's
speed varies by a third from minute to minute), compares the records byte for byte and the articles per second.
"""

from __future__ import annotations

import importlib.util
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scale_support import generated_site, mib, run_stage, stage_env, whole_site_window

from newsarchive.demosite.generated.config import write_site_config

SITE = "gen"
TARGET_RATIO = 1.2
# The stages whose children are theirs: the spider, the extract and write workers. (Any process may also show
# a short-lived file(1) that Python's platform module runs: not counted for the check stage.)
CHILD_STAGES = ("crawl", "extract")
POOL_ENV = "NEWSARCHIVE_EXTRACT_WORKERS"


@dataclass(frozen=True)
class StageRun:
    """One stage of one size: wall seconds, articles it handled, peak RSS (KiB) of its process and child."""

    size: int
    stage: str
    seconds: float
    articles: int
    rss_self_kib: int
    rss_child_kib: int

    @property
    def rate(self) -> float:
        """Articles per second of stage time."""
        return self.articles / self.seconds if self.seconds else 0.0


def run_size(size: int, work: Path, archive: str, extra_env: dict[str, str] | None = None) -> list[StageRun]:
    """crawl, extract and check of the whole site of that size, each in its own process."""
    work.mkdir(parents=True, exist_ok=True)
    window = whole_site_window(size)
    with generated_site(size) as site:
        write_site_config(work / "sites", site.url, SITE, size=size)
        env = stage_env(work / "sites", work / "scratch", extra_env)
        crawl, extract = work / "crawl.json", work / "extract.json"
        reports = [
            run_stage("crawl", SITE, window, archive, crawl, env),
            run_stage("extract", SITE, window, archive, extract, env, crawl=crawl),
            run_stage("check", SITE, window, archive, work / "check.json", env, crawl=crawl, extract=extract),
        ]
    articles = int(reports[1]["result"]["counts"].get("articles", 0))
    fetched = int(reports[0]["result"]["counts"].get("fetched", {}).get("article", 0))
    runs = []
    for report, handled in zip(reports, (fetched, articles, articles), strict=True):
        runs.append(StageRun(size, report["stage"], report["seconds"], handled, report["rss_self_kib"],
                             report["rss_children_kib"]))
    if articles != size:
        raise RuntimeError(f"the {size:,}-article window archived {articles:,} articles")
    return runs


def stage_table(runs: list[StageRun]) -> list[str]:
    """Markdown: every stage of every size, then the ratios of the largest size to the smallest."""
    lines = ["| articles | stage | seconds | articles/s | peak RSS, stage process | peak RSS, child process |",
             "| ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in runs:
        child = f"{mib(r.rss_child_kib):,.0f} MiB" if r.stage in CHILD_STAGES else "-"
        lines.append(f"| {r.size:,} | {r.stage} | {r.seconds:,.1f} | {r.rate:,.1f} | "
                     f"{mib(r.rss_self_kib):,.0f} MiB | {child} |")
    sizes = sorted({r.size for r in runs})
    small, large = sizes[0], sizes[-1]
    if small == large:
        return lines
    by = {(r.size, r.stage): r for r in runs}
    lines += ["", f"Peak RSS at {large:,} articles / at {small:,} (target <= {TARGET_RATIO}x):", "",
              "| stage | stage process | child process | articles/s ratio |", "| --- | ---: | ---: | ---: |"]
    for stage in ("crawl", "extract", "check"):
        a, b = by[(small, stage)], by[(large, stage)]
        own = b.rss_self_kib / a.rss_self_kib
        child = f"{b.rss_child_kib / a.rss_child_kib:.2f}x" if a.rss_child_kib and stage in CHILD_STAGES else "-"
        lines.append(f"| {stage} | {_verdict(own)} | {_verdict_text(child)} | {b.rate / a.rate:.2f}x |")
    return lines


def _verdict(ratio: float) -> str:
    return f"{ratio:.2f}x" + ("" if ratio <= TARGET_RATIO else " (over)")


def _verdict_text(ratio: str) -> str:
    if ratio == "-":
        return ratio
    return _verdict(float(ratio.rstrip("x")))


@dataclass(frozen=True)
class PoolResult:
    """The extract stage on one WARC with one worker and with two, in paired rounds."""

    articles: int
    one_s: float  # the best run of each
    two_s: float
    identical: bool
    available: bool
    ratios: tuple[float, ...]  # each round's one-worker time over its two-worker time (one round at least)

    @property
    def speedup(self) -> float:
        """Articles/s with two workers over articles/s with one: the median of the rounds' paired ratios (the
        machine's speed drifts by a third over minutes, which a ratio of best times taken minutes apart does not
        cancel)."""
        return statistics.median(self.ratios)


def _copy_warc(source: str, target: str, key: str) -> None:
    from newsarchive.archive.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.warc.gz"
        open_store(source).download(key, path)
        open_store(target).put_file(key, path, content_type="application/warc")


def _records(archive: str) -> dict[str, bytes]:
    from newsarchive.archive.store import open_store

    store = open_store(archive)
    return {key: store.get(key) for key in sorted(store.list("articles/"))}


def pool_speedup(size: int, work: Path, source_archive: str, crawl_json: Path, rounds: int = 5) -> PoolResult:
    """Re-extract the size's WARC with 1 and 2 workers into fresh archives, ``rounds`` paired rounds (one run
    of each, back to back, the order alternating so neither always runs first); each round's ratio, the best
    time of each, and whether every run wrote the same records."""
    import json

    crawl: dict[str, Any] = json.loads(crawl_json.read_text(encoding="utf-8"))["result"]
    window = whole_site_window(size)
    available = importlib.util.find_spec("newsarchive.pipeline.extract_pool") is not None
    best: dict[int, float] = {}
    ratios = []
    records = []
    for round_ in range(rounds):
        seconds: dict[int, float] = {}
        for workers in ((1, 2) if round_ % 2 == 0 else (2, 1)):
            target = work / f"pool-{workers}-{round_}"
            archive = (target / "archive").as_uri()
            _copy_warc(source_archive, archive, crawl["warc_key"])
            env = stage_env(work / "sites", target / "scratch", {POOL_ENV: str(workers)})
            report = run_stage("extract", SITE, window, archive, target / "extract.json", env, crawl=crawl_json)
            seconds[workers] = float(report["seconds"])
            best[workers] = min(best.get(workers, float("inf")), seconds[workers])
            records.append(_records(archive))
        ratios.append(seconds[1] / seconds[2])
    identical = all(r == records[0] for r in records)
    return PoolResult(len(records[0]), best[1], best[2], identical, available, tuple(ratios))


def pool_lines(result: PoolResult) -> list[str]:
    """Markdown for the pool's speed-up."""
    if not result.available:
        note = ("this build's extract stage has no worker pool (newsarchive/pipeline/extract_pool.py): both runs are "
                "one process")
    else:
        note = f"records identical: {'yes' if result.identical else 'NO'}"
    return [
        "| extract workers | seconds (best run) | articles/s |", "| ---: | ---: | ---: |",
        f"| 1 | {result.one_s:,.1f} | {result.articles / result.one_s:,.1f} |",
        f"| 2 | {result.two_s:,.1f} | {result.articles / result.two_s:,.1f} |",
        "",
        f"speed-up with two workers: **{result.speedup:.2f}x** on {result.articles:,} articles (target >= 1.6x), "
        f"the median of {len(result.ratios)} paired rounds ({', '.join(f'{r:.2f}' for r in result.ratios)}); "
        f"best times' ratio {result.one_s / result.two_s:.2f}x; {note}.",
    ]
