"""``python -m demosite --host 127.0.0.1 --port 8765``: serve the demo site in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from demosite.server import RequestRecord, serve


def _print_request(entry: RequestRecord) -> None:
    stamp = datetime.fromtimestamp(entry.time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} {entry.method} {entry.path} {entry.status} {entry.user_agent!r}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM, logging each request to stdout."""
    parser = argparse.ArgumentParser(prog="python -m demosite", description="Serve the Demo News fixture site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    try:
        site = serve(args.host, args.port, on_request=_print_request)
    except OSError as exc:
        print(f"demosite: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Demo News serving on {site.url}", flush=True)
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
