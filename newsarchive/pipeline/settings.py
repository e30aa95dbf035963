"""Where things are: the archive URL, the sites folder, the crawler's identity. Environment first, sane defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# One place for the crawler's identity: sites see this User-Agent, with a URL that says who we are.
USER_AGENT = os.environ.get(
    "NEWSARCHIVE_USER_AGENT", "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive; news archiving bot)"
)


def archive_url() -> str:
    """The archive location: NEWSARCHIVE_URL (s3://bucket/prefix or file:///path), else var/archive in the project."""
    return os.environ.get("NEWSARCHIVE_URL") or (PROJECT_ROOT / "var" / "archive").as_uri()


def sites_dir() -> Path:
    """The folder of site configs: NEWSARCHIVE_SITES_DIR, else sites/ in the project."""
    return Path(os.environ.get("NEWSARCHIVE_SITES_DIR") or PROJECT_ROOT / "sites")


def work_dir() -> Path:
    """Scratch space for one task's temporary files (spec, WARC before upload); never shared between tasks."""
    path = Path(os.environ.get("NEWSARCHIVE_WORK_DIR") or PROJECT_ROOT / "var" / "work")
    path.mkdir(parents=True, exist_ok=True)
    return path
