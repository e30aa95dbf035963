"""Helpers of the reliability tests: site configs for test servers, running the stages with logs captured,
and reading back everything an archive holds (loaded by conftest.py as ``reliability_harness``)."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.instants import Window, parse_window

ROOT = Path(__file__).resolve().parents[2]
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def site_toml(site_id: str, base_url: str, *, feeds: Sequence[str] = (), sitemaps: Sequence[str] = (),
              sections: Sequence[str] = ("/hostile/",), allow: Sequence[str] = ("^/hostile/",),
              allow_private: bool = True, obey_robots: bool = True, timeout_s: float = 1.0,
              max_response_bytes: int = 1 << 20, concurrency: int = 8, min_articles: int = 1,
              page_timeout_s: float = 1.0) -> str:
    """A site config for a test server on loopback (so allow_private_addresses is true unless told)."""
    return f"""# written by tests/reliability
id = "{site_id}"
name = "Reliability test site {site_id}"
base_url = "{base_url}"
languages = ["fr", "en"]
timezone = "Europe/Paris"
schedule = "none"

[discovery]
feeds = {_toml_list(feeds)}
sitemaps = {_toml_list(sitemaps)}
sections = {_toml_list(sections)}
article_allow = {_toml_list(allow)}

[politeness]
obey_robots = {str(obey_robots).lower()}
download_delay = 0.0
concurrency = {concurrency}
autothrottle = false
allow_private_addresses = {str(allow_private).lower()}
max_response_bytes = {max_response_bytes}
timeout_s = {timeout_s}

[checks]
min_articles = {min_articles}

[extraction]
# CPU seconds per page: the test articles take a few hundredths; /hostile/html/slow.html takes seconds
page_timeout_s = {page_timeout_s}
"""


def write_site(sites_dir: Path, site_id: str, base_url: str, **options: Any) -> Path:
    """Write sites_dir/<site_id>.toml (see site_toml for the options)."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{site_id}.toml"
    path.write_text(site_toml(site_id, base_url, **options), encoding="utf-8")
    return path


class LineCollector(logging.Handler):
    """Keeps every formatted log line (with its traceback, if any)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def captured_logs(level: int = logging.INFO) -> Iterator[list[str]]:
    """Every log line emitted in the block (the root logger's level lowered to ``level`` meanwhile).

    Library loggers another test (or the analyst CLI, run in-process) may have quieted are reset meanwhile too:
    the credential-leak test must see botocore's DEBUG output whatever ran before it.
    """
    root = logging.getLogger()
    collector = LineCollector()
    collector.setLevel(level)
    old_level = root.level
    libraries = {name: logging.getLogger(name) for name in ("botocore", "boto3", "urllib3", "s3transfer")}
    old_library_levels = {name: logger.level for name, logger in libraries.items()}
    root.addHandler(collector)
    root.setLevel(min(level, old_level) if old_level else level)
    for logger in libraries.values():
        logger.setLevel(logging.NOTSET)
    try:
        yield collector.lines
    finally:
        root.removeHandler(collector)
        root.setLevel(old_level)
        for name, logger in libraries.items():
            logger.setLevel(old_library_levels[name])


@dataclass
class StageRun:
    """What running some stages produced: their results (XCom dicts), the error that stopped them, the logs."""

    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: BaseException | None = None
    logs: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def log_text(self) -> str:
        """All log lines as one string."""
        return "\n".join(self.logs)


def run_stages(site_id: str, window: Window, archive_url: str, *, stages: Sequence[str] = ("crawl", "extract", "check"),
               previous: dict[str, dict[str, Any]] | None = None, s3: Any = None,
               level: int = logging.INFO) -> StageRun:
    """Run pipeline stages in order (as the DAG tasks do) with the logs captured; stop at the first error.

    ``previous`` supplies the results of stages run earlier (e.g. the crawl result when only extracting).
    """
    from newsarchive.pipeline import stages as st
    from newsarchive.pipeline.results import CrawlResult, ExtractResult

    run = StageRun(results=dict(previous or {}))
    with captured_logs(level) as lines:
        for name in stages:
            started = time.monotonic()
            try:
                # Results are kept in their XCom form and read back from it, as the DAG's tasks do.
                if name == "crawl":
                    run.results["crawl"] = st.crawl(site_id, window, url=archive_url, s3=s3).to_xcom()
                elif name == "extract":
                    crawl = CrawlResult.from_xcom(run.results["crawl"])
                    run.results["extract"] = st.extract(site_id, window, crawl.warc_key, url=archive_url,
                                                        s3=s3).to_xcom()
                else:
                    run.results["check"] = st.check(
                        site_id, window, CrawlResult.from_xcom(run.results["crawl"]),
                        ExtractResult.from_xcom(run.results["extract"]), url=archive_url, s3=s3).to_xcom()
            except Exception as exc:  # the test inspects it
                run.error = exc
                run.logs = list(lines)
                run.seconds[name] = time.monotonic() - started
                return run
            run.seconds[name] = time.monotonic() - started
    run.logs = list(lines)
    return run


def window_of(start: str, end: str) -> Window:
    """A Window from two ISO strings."""
    return parse_window(start, end)


@dataclass(frozen=True)
class StoredObject:
    """One archive object: its key, bytes (a WARC gunzipped), and the sha256 its metadata claims."""

    key: str
    data: bytes
    claimed_sha256: str | None
    actual_sha256: str


def read_all(store: Any) -> list[StoredObject]:
    """Every object of a store, read back whole (WARCs decompressed, so their payloads can be grepped)."""
    import hashlib

    objects = []
    for key in store.list(""):
        raw = store.get(key)
        info = store.head(key)
        data = gzip.decompress(raw) if key.endswith(".gz") else raw
        objects.append(StoredObject(key, data, info.sha256, hashlib.sha256(raw).hexdigest()))
    return objects


def article_records(store: Any) -> list[dict[str, Any]]:
    """Every article JSON of a store."""
    return [json.loads(store.get(k)) for k in store.list("articles/")]


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields after the last ")" are safe.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    """A process's command line ('' once it is gone)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_until(predicate: Any, timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    """Poll predicate() until it is true; AssertionError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL a process started with start_new_session=True, and everything in its group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
