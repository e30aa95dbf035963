"""The crawl is killed with SIGKILL mid-run (the spider process alone, or the whole task process with it), against
a slow site: nothing half-done reaches the archive, and the retried stage completes the window with every article
exactly once."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.store import open_store
from newsarchive.archive.warc import iter_responses
from newsarchive.demosite import truth
from newsarchive.demosite.hostile_server import serve
from newsarchive.pipeline.crawl_stage import CrawlFailed
from tests.reliability.harness import child_pids, cmdline, kill_group, run_stages, wait_until, window_of
from tests.support import write_site_config

ROOT = Path(__file__).resolve().parents[2]
WINDOW = window_of("2024-11-04T23:00:00+00:00", "2024-11-14T23:00:00+00:00")  # 12 demo articles
CONCURRENCY = 2  # requests at once to the slow site
DELAY_S = 0.25  # every answer of the slow site; with 2 connections the crawl takes several seconds
ARTICLE_PREFIXES = ("/fr/2024/11/", "/en/2024/11/")  # where the window's article URLs start


@pytest.fixture(scope="module")
def slow_site() -> Iterator[Any]:
    """The demo site answering every request after DELAY_S."""
    site = serve(delay_s=DELAY_S)
    yield site
    site.stop()


def _write_config(sites_dir: Path, site_id: str, base_url: str) -> None:
    path = write_site_config(sites_dir, base_url, site_id=site_id)
    text = path.read_text(encoding="utf-8").replace("concurrency = 8", f"concurrency = {CONCURRENCY}")
    path.write_text(text, encoding="utf-8")


def _articles_fetched(site: Any, since: int) -> int:
    return sum(1 for r in site.requests[since:] if r.path.startswith(ARTICLE_PREFIXES))


def _kill_spider_child(site: Any, since: int) -> int:
    """Wait until an article was fetched, SIGKILL the spider subprocess of this process; articles fetched then."""
    wait_until(lambda: _articles_fetched(site, since) >= 1, timeout=120, what="article requests")
    spiders = [p for p in child_pids(os.getpid()) if "spiders.runner" in cmdline(p)]
    assert len(spiders) == 1, spiders
    fetched = _articles_fetched(site, since)
    os.kill(spiders[0], signal.SIGKILL)
    return fetched


def _crawl_in_worker(site_id: str, archive_url: str, stage_env: Path) -> subprocess.Popen[bytes]:
    """The crawl stage in a process of its own (as an Airflow task runs it), in its own process group."""
    # A process started with SIGINT ignored (CI runs the suite from a non-interactive shell's background job)
    # keeps it ignored across exec, and Python then installs no KeyboardInterrupt handler: the task process
    # sets the one an interactive `newsarchive run` has, so a SIGINT does unwind it.
    script = (
        "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from newsarchive.pipeline import stages\nfrom newsarchive.instants import parse_window\n"
        f"stages.crawl({site_id!r}, parse_window({WINDOW.start.isoformat()!r}, {WINDOW.end.isoformat()!r}), "
        f"url={archive_url!r})\n"
    )
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(stage_env / "sites"),
           "NEWSARCHIVE_WORK_DIR": str(stage_env / "work")}
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("victim", ["spider", "worker"])
def test_killed_crawl_leaves_nothing_and_the_retry_completes(victim: str, slow_site: Any, stage_env: Path,
                                                              tmp_path: Path) -> None:
    site_id = f"killed-{victim}"
    _write_config(stage_env / "sites", site_id, slow_site.url)
    archive_url = (tmp_path / "archive").as_uri()
    since = len(slow_site.requests)
    work_before = set((stage_env / "work").glob(f"crawl-{site_id}-*"))

    if victim == "spider":
        result: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: result.update(
            run=run_stages(site_id, WINDOW, archive_url, stages=("crawl",))))
        thread.start()
        at_kill = _kill_spider_child(slow_site, since)
        thread.join(timeout=60)
        error = result["run"].error
        assert isinstance(error, CrawlFailed) and "-9" in str(error), repr(error)
    else:
        proc = _crawl_in_worker(site_id, archive_url, stage_env)
        try:
            wait_until(lambda: _articles_fetched(slow_site, since) >= 1, timeout=120, what="article requests")
            at_kill = _articles_fetched(slow_site, since)
        finally:
            kill_group(proc)
        assert proc.returncode == -signal.SIGKILL
        # The killed task's scratch folder stays behind for now (no cleanup runs on SIGKILL).
        leftovers = set((stage_env / "work").glob(f"crawl-{site_id}-*")) - work_before
        assert len(leftovers) <= 1

    expected = sorted(slow_site.url.rstrip("/") + a.path for a in truth.articles_between(WINDOW.start, WINDOW.end))
    assert at_kill < len(expected), "the crawl was not killed mid-run"
    store = open_store(archive_url)
    assert list(store.list("")) == [], "a killed crawl left objects in the archive"

    retried = run_stages(site_id, WINDOW, archive_url)
    assert retried.error is None, retried.log_text()[-3000:]
    # The retry's crawl removed the killed task's scratch folder (its owner process is gone) and its own.
    assert set((stage_env / "work").glob(f"crawl-{site_id}-*")) - work_before == set()
    records = [json.loads(store.get(k)) for k in store.list("articles/")]
    assert sorted(r["canonical_url"] for r in records) == expected, "articles lost or doubled"
    report = json.loads(store.get(retried.results["check"]["report_key"]))
    assert report["articles"] == len(expected) and report["status"] == "ok"
    bundles = report["extract"]["bundle_keys"]
    assert len(bundles) == len(report["extract"]["index_keys"]) > 0 and all(store.exists(k) for k in bundles)
    warc = store.get(retried.results["crawl"]["warc_key"])
    fetched = Counter(r.target_uri for r in iter_responses(io.BytesIO(warc)) if r.status == 200 and r.role == "article")
    assert [u for u, n in fetched.items() if n > 1] == [], "an article was fetched twice in the retry"
    assert set(expected) <= set(fetched)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_killing_only_the_task_process_stops_its_spider(signum: signal.Signals, slow_site: Any, stage_env: Path,
                                                         tmp_path: Path) -> None:
    """A signal to the task process alone (not its process group): SIGKILL (no cleanup at all), SIGTERM (Python's
    default: gone at once), SIGINT (an exception unwinding the task). The spider it started dies with it, the site
    sees no request after that, and the next task sweeps the scratch folder the spider wrote into."""
    from newsarchive.pipeline.processes import process_alive
    from newsarchive.pipeline.scratch import sweep_stale

    site_id = f"killed-parent-{signum.name.lower()}"
    _write_config(stage_env / "sites", site_id, slow_site.url)
    archive_url = (tmp_path / "archive").as_uri()
    since = len(slow_site.requests)
    work_before = set((stage_env / "work").glob(f"crawl-{site_id}-*"))
    proc = _crawl_in_worker(site_id, archive_url, stage_env)
    try:
        wait_until(lambda: _articles_fetched(slow_site, since) >= 1, timeout=120, what="article requests")
        spiders = [p for p in child_pids(proc.pid) if "spiders.runner" in cmdline(p)]
        assert len(spiders) == 1, spiders
        at_kill = len(slow_site.requests)
        os.kill(proc.pid, signum)  # the parent only: the spider is not signalled by anyone
        proc.wait(timeout=30)
        wait_until(lambda: not process_alive(spiders[0]), timeout=10, what="the orphaned spider to die")
    finally:
        kill_group(proc)  # whatever is left (nothing, if the spider died with its parent)
    # Answers already on their way when the spider died are logged within DELAY_S; then nothing more comes.
    wait_until(lambda: slow_site.requests[-1].time < time.time() - 4 * DELAY_S, timeout=10, what="a quiet site")
    settled = len(slow_site.requests)
    time.sleep(10 * DELAY_S)
    assert len(slow_site.requests) == settled, "the site is still being crawled after its task was killed"
    # At most the requests in flight when the task died (CONCURRENCY per host) reach the site after it: a count
    # of pages fetched in all would depend on how fast this test noticed the first article on a busy machine.
    assert len(slow_site.requests) - at_kill <= CONCURRENCY, "the orphaned spider crawled on"
    expected = truth.articles_between(WINDOW.start, WINDOW.end)

    leftovers = set((stage_env / "work").glob(f"crawl-{site_id}-*")) - work_before
    if signum == signal.SIGINT:  # the exception unwound the task: its scratch folder went with it
        assert leftovers == set()
    else:  # no cleanup ran; the folder goes once every owner (task and spider) is gone
        assert len(leftovers) == 1 and (next(iter(leftovers)) / "crawl.warc.gz").exists()
        assert set(sweep_stale(stage_env / "work")) >= leftovers
    retried = run_stages(site_id, WINDOW, archive_url)
    assert retried.error is None, retried.log_text()[-3000:]
    store = open_store(archive_url)
    records = [json.loads(store.get(k)) for k in store.list("articles/")]
    assert len(records) == len(expected) == len({r["canonical_url"] for r in records})
