"""Scale benchmark: stage throughput and peak memory at 1,000 and 20,000 articles, the extract pool's
speed-up (at 1,000 and 5,000 articles), DAG parsing of 1,000 site files, and the S3 bill per 1,000 archived
articles, in one run.

    python benchmarks/scale.py                          # everything (about 20 minutes on 2 cores)
    python benchmarks/scale.py --sizes 1000,5000        # other window sizes (the smallest is the baseline)
    python benchmarks/scale.py --skip stages,pool       # only DAG parsing and the bill
    python benchmarks/scale.py --pool-sizes 1000        # the pool's speed-up on the smallest window only
    python benchmarks/scale.py --dag-sites 2000 --bill-days 14

Every figure is a ratio against a baseline measured in the same run: the smallest window for memory and
speed, one worker for the pool, one site file for parsing; the bill is per 1,000 articles archived by the
same run. Parts: ``scale_stages.py`` (stages and pool), ``scale_dags.py`` (parsing), ``scale_bill.py``
(requests and bytes, on ``s3count.py``), each stage in its own process through ``scale_stage.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import scale_bill
import scale_dags
import scale_stages
from scale_support import ROOT  # noqa: F401  (puts the project on sys.path)

PARTS = ("stages", "pool", "dags", "bill")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000", help="window sizes in articles, comma-separated")
    parser.add_argument("--skip", default="", help=f"parts to skip, comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--pool-sizes", default="1000,5000",
                        help="window sizes (articles) the pool's speed-up is measured on, comma-separated")
    parser.add_argument("--pool-rounds", type=int, default=5,
                        help="paired rounds (one run with each pool size) per pool window; the median ratio counts")
    parser.add_argument("--dag-sites", type=int, default=1000, help="site files for the DAG parse")
    parser.add_argument("--bill-days", type=int, default=7, help="daily windows in the bill run")
    parser.add_argument("--keep", type=Path, default=None, help="keep the work files in this folder")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    args.pool_sizes = sorted(int(s) for s in args.pool_sizes.split(",") if s.strip())
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(PARTS)
    if args.pool_rounds < 1:
        parser.error("--pool-rounds must be at least 1")
    if unknown or not args.sizes:
        parser.error(f"unknown parts {sorted(unknown)}" if unknown else "give at least one size")
    return args


def section(title: str, lines: list[str], started: float) -> None:
    """Print one part's Markdown with how long it took."""
    print(f"\n## {title}\n", flush=True)
    print("\n".join(lines), flush=True)
    print(f"\n({time.monotonic() - started:,.0f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for and print their Markdown tables."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = args.keep or Path(tmp)
        print(f"# Scale benchmark ({', '.join(p for p in PARTS if p not in args.skip)})", flush=True)
        if "stages" not in args.skip:
            started = time.monotonic()
            runs = []
            for size in args.sizes:
                folder = work / f"stages-{size}"
                runs += scale_stages.run_size(size, folder, (folder / "archive").as_uri())
            section("Stages: articles/s and peak RSS per stage", scale_stages.stage_table(runs), started)
        if "pool" not in args.skip:
            for size in args.pool_sizes:
                started = time.monotonic()
                folder = work / f"stages-{size}"
                if not (folder / "crawl.json").exists():  # not a stages size (or that part skipped): crawl it
                    scale_stages.run_size(size, folder, (folder / "archive").as_uri())
                result = scale_stages.pool_speedup(size, folder, (folder / "archive").as_uri(),
                                                   folder / "crawl.json", rounds=args.pool_rounds)
                section(f"Extract pool: {size:,} articles, one worker against two", scale_stages.pool_lines(result),
                        started)
        if "dags" not in args.skip:
            started = time.monotonic()
            base, big = scale_dags.measure(work / "dags", args.dag_sites)
            section(f"DAG parsing: {args.dag_sites:,} site files", scale_dags.report(base, big), started)
        if "bill" not in args.skip:
            started = time.monotonic()
            bill = scale_bill.measure(work / "bill", args.bill_days)
            section("The bill: S3 requests and bytes per 1,000 archived articles", scale_bill.report(bill), started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
