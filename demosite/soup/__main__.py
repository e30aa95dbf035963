"""``python -m demosite.soup --port 8767``: serve the soup site in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from demosite.soup.server import serve_soup


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m demosite.soup", description="Serve the Soup Daily fixture site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args(argv)
    try:
        site = serve_soup(args.host, args.port)
    except OSError as exc:
        print(f"demosite.soup: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Soup Daily serving on {site.url}", flush=True)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stop.wait()
    site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
