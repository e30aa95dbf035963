"""``python -m newsarchive.demosite.generated --articles N --port P``: serve the generated site in the foreground.

Prints ``serving <url>`` once listening (a parent process waits for that line), then serves until SIGINT or
SIGTERM. ``--articles N`` gives exactly N public articles (deterministic: the same N, the same site);
without it, the default site. ``--access-log FILE`` appends one tab-separated line per request.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

from newsarchive.demosite.generated.corpus import MAX_ARTICLES, Size, all_articles
from newsarchive.demosite.generated.server import serve_generated
from newsarchive.demosite.server import RequestRecord


def _positive_size(text: str) -> int:
    try:
        value = int(text)
        Size(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to {MAX_ARTICLES}, got {text!r}") from None
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line arguments (argparse exits 2 on bad ones)."""
    parser = argparse.ArgumentParser(prog="python -m newsarchive.demosite.generated",
                                     description="Serve the generated news site (a fixture at any size).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port (printed)")
    parser.add_argument("--articles", type=_positive_size, default=None, metavar="N",
                        help="exactly N public articles (default: the default site, about 370 over 90 days)")
    parser.add_argument("--crawl-delay", type=float, default=None, help="a Crawl-delay line in robots.txt")
    parser.add_argument("--access-log", type=Path, default=None, metavar="FILE",
                        help="append 'time method path status' per request (tab-separated)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the site (cached before listening, so the first requests are not slow), serve until stopped."""
    args = parse_args(argv)
    size = Size(args.articles)
    all_articles(size)
    log: TextIO | None = args.access_log.open("a", encoding="utf-8") if args.access_log else None
    lock = threading.Lock()

    def _log(entry: RequestRecord) -> None:
        if log is not None:
            with lock:
                log.write(f"{entry.time:.6f}\t{entry.method}\t{entry.path}\t{entry.status}\n")

    try:
        site = serve_generated(args.host, args.port, on_request=_log, crawl_delay=args.crawl_delay, size=size)
    except OSError as exc:
        print(f"newsarchive.demosite.generated: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"serving {site.url} ({size.label()}, {size.first_day} to {size.last_day})", flush=True)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stop.wait()
    site.stop()
    if log is not None:
        log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
