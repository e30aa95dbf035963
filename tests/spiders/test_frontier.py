"""The spider's frontier: admitted articles wait compact and on disk, and Scrapy's scheduler holds a bounded
number of requests however many articles a sitemap lists at once; the kept pages' list goes to disk too and
comes back sorted. The spill queue and the external sort are checked alone first."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsarchive.demosite.generated import serve_generated, truth
from newsarchive.demosite.generated.corpus import TZ, Size
from spiders.fetched import FetchedArticle, FetchedArticles
from spiders.frontier import FrontierEntry
from spiders.spill import SpillFifo, sorted_lines
from spiders.stats import write_stats
from tests.support import run_spider

ROOT = Path(__file__).resolve().parents[2]
SIZE = 600  # articles the generated site lists in its sitemaps, all in the window


def test_spill_queue_is_first_in_first_out_across_memory_and_disk(tmp_path: Path) -> None:
    queue = SpillFifo(tmp_path, memory_lines=4)
    pushed, popped = [f"line {n} é" for n in range(23)], []
    for n, line in enumerate(pushed):
        queue.push(line)
        if n % 5 == 4:
            popped += queue.pop(2)  # reads interleaved with writes
    assert queue.spilled > 0 and len(queue) == len(pushed) - len(popped)
    while len(queue):
        popped += queue.pop(3)
    assert popped == pushed and queue.pop(5) == []
    queue.push("again")  # the file was started over once read to its end
    assert queue.pop(1) == ["again"]
    queue.close()
    assert list(tmp_path.iterdir()) == []  # anonymous files: nothing left in the folder


def test_a_queue_that_fits_in_memory_writes_no_file(tmp_path: Path) -> None:
    queue = SpillFifo(tmp_path / "missing", memory_lines=10)  # the folder would fail if a file were created
    for n in range(9):
        queue.push(str(n))
    assert queue.pop(100) == [str(n) for n in range(9)] and queue.spilled == 0


def test_a_spill_folder_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    queue = SpillFifo(tmp_path / "missing", memory_lines=2)
    queue.push("a")
    with pytest.raises(OSError):
        queue.push("b")


@pytest.mark.parametrize("count", [0, 1, 7, 50])
def test_external_sort_is_the_sort(count: int, tmp_path: Path) -> None:
    lines = [json.dumps({"url": f"http://s/{(n * 37) % 101:03d}", "n": n}) for n in range(count)]
    lines += lines[:3]  # equal keys keep their order (stable)
    queue = SpillFifo(tmp_path, memory_lines=3)
    for line in lines:
        queue.push(line)
    key = lambda line: json.loads(line)["url"]  # noqa: E731
    assert list(sorted_lines(queue, key, tmp_path, run_lines=4)) == sorted(lines, key=key)
    assert len(queue) == 0 and list(tmp_path.iterdir()) == []


def test_entries_survive_their_line() -> None:
    recheck = FrontierEntry("http://s/a?x=1", "revisit", "2025-01-17T08:00:00+01:00", "published",
                            (("If-None-Match", 'W/"r\\1"'), ("If-Modified-Since", "Wed, 15 Jan 2025 10:00:00 GMT")),
                            "revisit", "2025-01-18T00:00:00+00:00")
    plain = FrontierEntry("http://s/b\nc", "sitemap")
    for entry in (recheck, plain):
        line = entry.to_line()
        assert "\n" not in line and FrontierEntry.from_line(line) == entry
    request = recheck.request(print, print, 0)
    assert request.headers[b"If-None-Match"] == b'W/"r\\1"' and request.meta["handle_httpstatus_list"] == [304]
    assert b"Referer" not in plain.request(print, print, 0).headers


def test_stats_file_streams_the_sorted_articles(tmp_path: Path) -> None:
    fetched = FetchedArticles(tmp_path)
    urls = [f"http://s/{n % 7}/{n}" for n in range(300)]
    for url in urls:
        fetched.add(FetchedArticle(url, "sitemap", "2025-01-17", "url"))
    doc = {"in_window": 300, "fetched": {"article": 300}}
    write_stats(tmp_path / "stats.json", doc, fetched.sorted_json())
    written = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert [a["url"] for a in written["articles"]] == sorted(urls)
    assert written["articles"][0] == {"url": sorted(urls)[0], "source": "sitemap", "date_hint": "2025-01-17",
                                      "date_hint_kind": "url", "recheck": None}
    assert {k: v for k, v in written.items() if k != "articles"} == doc
    write_stats(tmp_path / "empty.json", doc, iter(()))
    assert json.loads((tmp_path / "empty.json").read_text(encoding="utf-8"))["articles"] == []


@pytest.fixture(scope="module")
def big_sitemap_site() -> Any:
    """The generated site at SIZE articles, its sitemap children of 500 entries (one lists most at once)."""
    site = serve_generated("127.0.0.1", 0, size=Size(SIZE, sitemap_page_size=500))
    yield site
    site.stop()


def sitemap_spec(base_url: str) -> dict[str, Any]:
    """The whole generated site's window, discovered from its sitemaps only."""
    size = Size(SIZE)
    start = datetime.combine(size.first_day, time(0), tzinfo=TZ)
    end = datetime.combine(size.last_day + timedelta(days=1), time(0), tzinfo=TZ)
    return {
        "site": "gen", "base_url": base_url, "start": start.isoformat(), "end": end.isoformat(),
        "sitemaps": ["/sitemap.xml"], "article_allow": [r"^/[a-z]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$"],
        "timezone": "Europe/Paris",
        "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 4, "autothrottle": False,
                       "allow_private_addresses": True},
    }


def _probe(spec: dict[str, Any], folder: Path, scratch: Path | None = None) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    cmd = [sys.executable, "-m", "tests.spiders.scheduler_probe", str(folder / "spec.json"), str(folder)]
    if scratch is not None:
        cmd += ["--scratch", str(scratch)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    probe: dict[str, Any] = json.loads((folder / "probe.json").read_text(encoding="utf-8"))
    return probe


def test_the_scheduler_holds_a_batch_however_many_articles_a_sitemap_lists(big_sitemap_site: Any,
                                                                         tmp_path: Path) -> None:
    """600 articles listed by a few sitemaps: every one fetched once, while Scrapy's scheduler never held
    more than a batch (CONCURRENT_REQUESTS) of articles plus the sitemaps themselves; before the frontier it
    held every listed article at once."""
    probe = _probe(sitemap_spec(big_sitemap_site.url), tmp_path)
    stats = probe["stats"]
    assert stats["finish_reason"] == "finished"
    assert stats["newsarchive/fetched/article"] == SIZE  # and the robots-disallowed ones counted as such:
    assert stats["newsarchive/in_window"] - SIZE == stats["newsarchive/skipped/robots"] > 0
    sitemaps = stats["newsarchive/fetched/sitemap"]
    assert sitemaps >= 3  # the index and its children: a child lists 500 articles at once
    assert probe["most_scheduled"] <= probe["concurrent_requests"] + sitemaps, probe["most_scheduled"]
    served = [r.path for r in big_sitemap_site.requests if r.path.count("/") >= 4]
    assert sorted(served) == sorted(a.path for a in truth.articles(SIZE))  # each once, none missing


def test_the_stats_say_how_the_frontier_went(big_sitemap_site: Any, tmp_path: Path) -> None:
    """STATS.json's ``frontier``: most in the scheduler bounded, most waiting near the sitemap's size (they
    waited on disk); the articles list is every kept page, sorted, as before."""
    stats = run_spider(sitemap_spec(big_sitemap_site.url), tmp_path)
    frontier = stats["frontier"]
    assert frontier["most_in_scheduler"] <= 16 + stats["fetched"]["sitemap"]
    assert frontier["most_waiting"] >= 400 and frontier["spilled"] >= 400
    urls = [a["url"] for a in stats["articles"]]
    assert urls == sorted(urls) and len(set(urls)) == stats["fetched"]["article"] == SIZE
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("spider-")] == []  # no spill file left


def test_a_scratch_folder_that_fails_stops_the_crawl_visibly(big_sitemap_site: Any, tmp_path: Path) -> None:
    """Admitted articles that cannot wait on disk are not dropped silently: the crawl stops, says why."""
    probe = _probe(sitemap_spec(big_sitemap_site.url), tmp_path, scratch=tmp_path / "missing")
    stats = probe["stats"]
    assert stats["finish_reason"] == "scratch_error"
    assert "cannot write the crawl's scratch files" in stats["newsarchive/scratch_error"]
