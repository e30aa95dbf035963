"""The extract worker pool (issue 16 item 3, issue 13 item 3): same outcomes in the same order for any pool size,
a per-page limit that kills work in C code (too_slow), a lost worker costs only its page, bounded read-ahead,
and it runs under a daemonic task process (Celery's prefork, Airflow's LocalExecutor children)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extract import ExtractHints, Rejected, extract_article
from newsarchive.demosite import hostile_pages as hp
from newsarchive.pipeline.extract_pool import ExtractPool, ExtractPoolError, Page, pool_settings, usable_cpus

GOOD = [hp.article_html(a).encode("utf-8") for a in hp.GOOD_ARTICLES[:8]]
# 100,000 attributes on one element: parsing them takes libxml2 half a minute of C code when unbounded.
ATTRIBUTES = ("<html><body><div " + " ".join(f"a{i}" for i in range(100_000)) + "></div></body></html>").encode()
UNBOUNDED = ExtractHints(max_attributes=1_000_000)


def _pages() -> list[Page]:
    pages = [Page(body, f"https://demo.example/{i}.html", fetched_at="2024-11-21T10:00:00+00:00")
             for i, body in enumerate(GOOD)]
    pages.insert(3, Page(b"\x89PNG\r\n", "https://demo.example/png"))
    pages.insert(6, Page(b"<html><body><p>court</p></body></html>", "https://demo.example/short"))
    return pages


def _summary(outcome: Any) -> tuple[str, Any]:
    return outcome.page.url, outcome.record if outcome.record is not None else outcome.reason


def test_outcomes_are_identical_and_in_order_for_any_pool_size() -> None:
    pages = _pages()
    runs = []
    for workers in (1, 2, 3):
        with ExtractPool(workers, 30.0, site="demo") as pool:
            runs.append([_summary(o) for o in pool.extract(pages)])
    assert runs[0] == runs[1] == runs[2]
    assert [url for url, _ in runs[0]] == [p.url for p in pages]
    # The same as extracting in this process.
    expected = []
    for page in pages:
        try:
            expected.append((page.url, extract_article(page.body, page.url, site="demo", fetched_at=page.fetched_at)))
        except Rejected as exc:
            expected.append((page.url, exc.reason))
    assert runs[0] == expected
    assert {r for _, r in runs[0] if isinstance(r, str)} == {"not_html", "too_short"}


def test_closing_the_pool_ends_its_workers_at_eof_not_by_kill() -> None:
    # Stopped at once, all together: each leaves at EOF (exit 0) without tearing its heap down, so none reaches
    # the kill that follows the grace period (-SIGKILL), which the stage would otherwise wait for, per worker.
    with ExtractPool(2, 30.0, site="demo") as pool:
        assert [o.record is not None for o in pool.extract(_pages()[:2])] == [True, True]
        procs = [w.proc for w in pool.workers]
    assert [p.returncode for p in procs] == [0, 0]


def test_a_page_stuck_in_c_code_is_killed_as_too_slow_and_the_run_goes_on() -> None:
    pages = [Page(GOOD[0], "https://demo.example/a"), Page(ATTRIBUTES, "https://demo.example/slow"),
             Page(GOOD[1], "https://demo.example/b")]
    with ExtractPool(1, 0.5, hints=UNBOUNDED) as pool:
        outcomes = list(pool.extract(pages))
        assert pool.restarts == 1
    assert [o.reason for o in outcomes] == [None, "too_slow", None]
    assert "0.5 s of CPU time" in outcomes[1].detail


def test_a_worker_that_dies_costs_only_its_page() -> None:
    pool = ExtractPool(2, 60.0, hints=UNBOUNDED)

    def pages() -> Iterator[Page]:
        yield Page(ATTRIBUTES, "https://demo.example/slow")  # worker 1 is busy with it...
        busy = [w for w in pool.workers if w.seq is not None]
        assert len(busy) == 1
        os.kill(busy[0].proc.pid, signal.SIGKILL)  # ...and dies (the OOM killer, a segfault in C code)
        yield Page(GOOD[0], "https://demo.example/a")
        yield Page(GOOD[1], "https://demo.example/b")

    with pool:
        outcomes = list(pool.extract(pages()))
    assert [o.reason for o in outcomes] == ["extractor_error", None, None]
    assert "died" in outcomes[0].detail


def test_read_ahead_is_bounded() -> None:
    pulled = 0

    def pages() -> Iterator[Page]:
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield Page(GOOD[i % len(GOOD)], f"https://demo.example/{i}")

    most_ahead = 0
    with ExtractPool(2, 30.0, max_ahead=3) as pool:
        for consumed, _ in enumerate(pool.extract(pages()), start=1):
            most_ahead = max(most_ahead, pulled - consumed)
    assert pulled == 40
    assert most_ahead <= 3


def _daemonic_child(queue: Any) -> None:
    assert multiprocessing.current_process().daemon
    with ExtractPool(2, 30.0) as pool:
        queue.put([o.record.title for o in pool.extract([Page(GOOD[0], "https://demo.example/a")])])


def test_the_pool_runs_inside_a_daemonic_process() -> None:
    # Celery's prefork workers and multiprocessing-based executors run tasks in daemonic processes, which may
    # not start multiprocessing children: the pool's workers are plain subprocesses.
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_daemonic_child, args=(queue,), daemon=True)
    child.start()
    titles = queue.get(timeout=120)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert titles == [hp.GOOD_ARTICLES[0].title]


class _BrokenPool(ExtractPool):
    def _spawn(self) -> Any:
        import time

        from newsarchive.pipeline.extract_pool import _Worker

        return _Worker(subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE), started=time.monotonic())


def test_workers_that_cannot_start_fail_the_stage_clearly() -> None:
    with _BrokenPool(1, 5.0) as pool, pytest.raises(ExtractPoolError, match="fail to start"):
        list(pool.extract([Page(GOOD[0], "https://demo.example/a")]))


def test_pool_settings_and_their_environment_overrides() -> None:
    assert pool_settings(0, 20.0, env={}).workers == usable_cpus() >= 1
    assert pool_settings(3, 5.0, env={}).page_timeout_s == 5.0
    env = {"NEWSARCHIVE_EXTRACT_WORKERS": "1", "NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S": "2.5"}
    settings = pool_settings(4, 20.0, env=env)
    assert (settings.workers, settings.page_timeout_s) == (1, 2.5)
    with pytest.raises(ValueError, match="NEWSARCHIVE_EXTRACT_WORKERS"):
        pool_settings(env={"NEWSARCHIVE_EXTRACT_WORKERS": "two"})
    with pytest.raises(ValueError):
        pool_settings(env={"NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S": "0"})


# -- the CLI: the same limits for one page -------------------------------------------------------------------

def _cli(tmp_path: Path, body: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    page = tmp_path / "page.html"
    page.write_bytes(body)
    return subprocess.run([sys.executable, "-m", "newsarchive.pipeline.cli", "extract", str(page), "--url",
                           "https://demo.example/a.html", *args], capture_output=True, text=True, timeout=300,
                          check=False)


def test_cli_prints_the_record_of_a_page_with_a_lone_surrogate(tmp_path: Path) -> None:
    from newsarchive.demosite import hostile_extract as hx

    done = _cli(tmp_path, hx.surrogate_jsonld("surrogate-jsonld"))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["title"] == hp.GOOD_BY_SLUG["surrogate-jsonld"].title
    assert record["authors"] == ["Jane \ufffd Doe"]


def test_cli_rejects_an_overrunning_page_as_too_slow(tmp_path: Path) -> None:
    from newsarchive.demosite import hostile_extract as hx

    done = _cli(tmp_path, hx.slow_page("gzip"), "--page-timeout", "0.5")
    assert done.returncode == 1
    assert "rejected (too_slow)" in done.stderr and done.stdout == ""


def test_cli_refuses_a_gzip_bomb_without_inflating_it(tmp_path: Path) -> None:
    done = _cli(tmp_path, hp.gzip_bomb() * 4)  # 256 KiB of gzip members, 256 MiB once inflated
    assert done.returncode == 1
    assert "rejected (too_large)" in done.stderr


def test_site_files_set_the_pool(tmp_path: Path) -> None:
    from newsarchive.pipeline.sites import SiteConfigError, parse_site

    base = {"id": "s", "name": "S", "base_url": "https://s.example/", "discovery": {"article_allow": ["^/"]}}
    site = parse_site(tmp_path / "s.toml", {**base, "extraction": {"workers": 2, "page_timeout_s": 5}})
    assert (site.extraction.workers, site.extraction.page_timeout_s) == (2, 5.0)
    assert parse_site(tmp_path / "s.toml", base).extraction.workers == 0  # one per usable CPU
    with pytest.raises(SiteConfigError, match=r"extraction\.page_timeout_s"):
        parse_site(tmp_path / "s.toml", {**base, "extraction": {"page_timeout_s": 0}})
