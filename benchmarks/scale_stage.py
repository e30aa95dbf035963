"""Run one pipeline stage in this process, as an Airflow task would, and report its time and peak memory.

    python benchmarks/scale_stage.py crawl   --site S --start ISO --end ISO --archive URL --out crawl.json
    python benchmarks/scale_stage.py extract ... --crawl crawl.json --out extract.json
    python benchmarks/scale_stage.py check   ... --crawl crawl.json --extract x.json --out check.json

The stages get their inputs as the DAG's tasks get them (the previous stages' XCom dicts, here read from
JSON files). The output JSON holds the stage's own result and: ``seconds`` (wall time of the stage call),
``rss_self_kib`` (this process's peak resident set: the stage's pipeline side, imports included) and
``rss_children_kib`` (the largest child process's peak: the spider for crawl, an extract or write worker for extract;
0 when the stage starts none). Linux reports ru_maxrss in KiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAGES = ("crawl", "extract", "check")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--site", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--archive", required=True, help="archive URL (file:// or s3://)")
    parser.add_argument("--crawl", type=Path, help="the crawl stage's output JSON (extract, check)")
    parser.add_argument("--extract", type=Path, help="the extract stage's output JSON (check)")
    parser.add_argument("--out", type=Path, required=True)
    return parser.parse_args(argv)


def _result(path: Path | None, what: str) -> dict[str, Any]:
    if path is None:
        raise SystemExit(f"--{what} is required for this stage")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["result"]
    return data


def run_stage(args: argparse.Namespace) -> dict[str, object]:
    """Call the stage the DAG task calls; return its XCom form (what the DAG passes on)."""
    from newsarchive.instants import parse_window
    from newsarchive.pipeline import stages
    from newsarchive.pipeline.results import CrawlResult, ExtractResult

    window = parse_window(args.start, args.end)
    if args.stage == "crawl":
        return stages.crawl(args.site, window, url=args.archive).to_xcom()
    crawl = CrawlResult.from_xcom(_result(args.crawl, "crawl"))
    if args.stage == "extract":
        return stages.extract(args.site, window, crawl.warc_key, url=args.archive).to_xcom()
    extract = ExtractResult.from_xcom(_result(args.extract, "extract"))
    return stages.check(args.site, window, crawl, extract, url=args.archive).to_xcom()


def main(argv: list[str] | None = None) -> int:
    """Run the stage, write the report."""
    args = parse_args(argv)
    started = time.monotonic()
    result = run_stage(args)
    seconds = time.monotonic() - started
    report = {
        "stage": args.stage,
        "seconds": round(seconds, 3),
        "rss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "result": result,
    }
    args.out.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
