"""``python -m newsarchive.demosite.soup --port 8767``: serve the soup site in the foreground."""

from __future__ import annotations

from newsarchive.demosite.server import serve_until_stopped
from newsarchive.demosite.soup.server import serve_soup


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM."""
    return serve_until_stopped(argv, prog="newsarchive.demosite.soup", title="Soup Daily", default_port=8767,
                               start=serve_soup)


if __name__ == "__main__":
    raise SystemExit(main())
