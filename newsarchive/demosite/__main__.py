"""``python -m newsarchive.demosite --host 127.0.0.1 --port 8765``: serve the demo site in the foreground."""

from __future__ import annotations

from datetime import UTC, datetime

from newsarchive.demosite.server import RequestRecord, serve, serve_until_stopped


def _print_request(entry: RequestRecord) -> None:
    stamp = datetime.fromtimestamp(entry.time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} {entry.method} {entry.path} {entry.status} {entry.user_agent!r}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM, logging each request to stdout."""
    return serve_until_stopped(argv, prog="newsarchive.demosite", title="Demo News", default_port=8765,
                               start=lambda host, port: serve(host, port, on_request=_print_request))


if __name__ == "__main__":
    raise SystemExit(main())
