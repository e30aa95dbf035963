"""Extract pool benchmark: the extract stage's worker pool with 1 worker against N workers, same pages, same run.

The pages are the development set's (990 real pages, ``../shared/datasets``, unpacked once to var/bench/ as
benchmarks/extraction.py does). Each round extracts every page through ``newsarchive.pipeline.extract_pool.ExtractPool``
with 1 worker, then with N (default: the usable CPUs), timing wall-clock from starting the workers to the last
outcome (worker start-up included, as in the stage). The outcomes of every run are compared for equality
(records, rejection reasons, order); the script exits 1 if they differ. Articles/s is pages per wall-clock
second; the ratio is N workers' over 1 worker's, median of ``--repeat`` rounds. Target: >= 1.6x on 2 cores.
The workers' total CPU seconds are printed too (the same for any N when the pool adds no work), and the load
average, since other processes on the machine take cores from the N-worker run.

    python benchmarks/extract_pool.py                 # all pages, N = usable CPUs, 2 rounds
    python benchmarks/extract_pool.py --limit 300 --workers 2 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extraction import WORK_DIR, load_pages, unpack  # noqa: E402  (benchmarks/extraction.py, beside this script)

from newsarchive.pipeline.extract_pool import DEFAULT_PAGE_TIMEOUT_S, ExtractPool, Page, usable_cpus  # noqa: E402

TARGET_RATIO = 1.6


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(pages: list[Page], workers: int) -> tuple[float, float, list[tuple[str, Any]]]:
    """Wall-clock seconds and the workers' CPU seconds to extract every page with ``workers`` workers, and the
    outcomes (record or reason) in order. Worker CPU is counted once they are reaped (at the pool's close)."""
    started, cpu = time.perf_counter(), _children_cpu()
    with ExtractPool(workers, DEFAULT_PAGE_TIMEOUT_S) as pool:
        outcomes = [(o.page.url, o.record if o.record is not None else o.reason) for o in pool.extract(pages)]
    return time.perf_counter() - started, _children_cpu() - cpu, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="folder holding trafilatura-eval/ (default: unpack to var/bench)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--workers", type=int, default=0, help="the N of the comparison (default: usable CPUs)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds (1 worker then N workers each)")
    args = parser.parse_args(argv)

    pages_meta = load_pages(args.data_dir or unpack(WORK_DIR))
    if args.limit:
        pages_meta = pages_meta[: args.limit]
    pages = [Page(p.path.read_bytes(), p.url) for p in pages_meta]
    workers = args.workers or usable_cpus()
    if workers < 2:
        print(f"only {workers} usable CPU: pass --workers 2 or more to compare")
    timings: dict[int, list[float]] = {1: [], workers: []}
    cpu: dict[int, list[float]] = {1: [], workers: []}
    reference: list[tuple[str, Any]] | None = None
    for round_no in range(1, args.repeat + 1):
        for size in (1, workers):
            seconds, cpu_seconds, outcomes = run(pages, size)
            timings[size].append(seconds)
            cpu[size].append(cpu_seconds)
            if reference is None:
                reference = outcomes
            elif outcomes != reference:
                differing = sum(a != b for a, b in zip(outcomes, reference, strict=True))
                print(f"outcomes differ with {size} workers (round {round_no}): {differing} pages")
                return 1
            print(f"round {round_no}: {size} worker(s): {seconds:.1f} s, {len(pages) / seconds:.1f} pages/s, "
                  f"workers' CPU {cpu_seconds:.1f} s, load average {os.getloadavg()[0]:.1f}")
    assert reference is not None
    one, many = statistics.median(timings[1]), statistics.median(timings[workers])
    articles = sum(1 for _, r in reference if not isinstance(r, str))
    ratio = one / many
    print(f"\n{len(pages)} pages ({articles} articles, {len(pages) - articles} rejected), identical outcomes in every "
          f"run; usable CPUs {usable_cpus()}")
    print("| workers | seconds (median) | pages/s | articles/s | workers' CPU s (median) |")
    print("| --- | --- | --- | --- | --- |")
    for size, seconds in ((1, one), (workers, many)):
        print(f"| {size} | {seconds:.1f} | {len(pages) / seconds:.1f} | {articles / seconds:.1f} | "
              f"{statistics.median(cpu[size]):.1f} |")
    print(f"\nratio {workers} workers / 1 worker: {ratio:.2f}x (target >= {TARGET_RATIO}x on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
