"""Re-extraction rebuilds records from the stored WARC with the current rules, without a single HTTP request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsarchive.instants import parse_window
from newsarchive.pipeline import stages
from tests.support import write_site_config

WINDOW = parse_window("2024-11-04", "2024-11-07")
SAMPLE_LINE_PREFIX = "Le maire de Kyiv, Vitali Klitschko"


@pytest.fixture
def archived(tmp_path: Path, demo_site: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    sites, archive = tmp_path / "sites", tmp_path / "archive"
    write_site_config(sites, demo_site.url)
    monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(sites))
    monkeypatch.setenv("NEWSARCHIVE_URL", archive.as_uri())
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
    stages.run("demo", WINDOW)
    return sites, archive


def _texts(archive: Path) -> dict[str, str]:
    return {p.name: json.loads(p.read_text())["text"] for p in sorted((archive / "articles").rglob("*.json"))}


def test_reextract_applies_a_changed_rule_offline(archived: tuple[Path, Path], demo_site: Any) -> None:
    sites, archive = archived
    before = _texts(archive)
    assert any(line.startswith(SAMPLE_LINE_PREFIX) for t in before.values() for line in t.split("\n"))
    # Change a cleaning rule: prune the sample article's paragraphs that name the mayor.
    config = sites / "demo.toml"
    config.write_text(config.read_text() + "\n[extraction]\nprune_xpaths = [\"//p[contains(., 'Klitschko')]\"]\n")
    demo_site.clear_log()

    summary = stages.reextract("demo", WINDOW)

    assert demo_site.requests == [], "re-extraction must not fetch anything"
    after = _texts(archive)
    assert sorted(after) == sorted(before), "same article keys, nothing duplicated"
    assert summary.articles == len(after)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1
    assert not any("Klitschko" in line for line in after[changed[0]].split("\n"))
    assert all(before[n] == after[n] for n in before if n not in changed)


def test_a_run_without_airflow_reports_the_stages_own_durations(archived: tuple[Path, Path]) -> None:
    """The stages time themselves: the report of `newsarchive run` (no DAG around it) has both durations."""
    _, archive = archived
    [report] = [json.loads(p.read_text()) for p in (archive / "reports").rglob("*.json")]
    for stage in ("crawl", "extract"):
        assert isinstance(report[stage]["duration_s"], float) and report[stage]["duration_s"] >= 0, stage


def test_reextract_without_a_stored_crawl_is_a_clear_error(archived: tuple[Path, Path]) -> None:
    with pytest.raises(LookupError, match="no archived crawl of demo overlaps"):
        stages.reextract("demo", parse_window("2023-01-01", "2023-01-02"))


def _to_old_layout(archive: Path) -> str:
    """Turn the window's crawl attempt into the single-WARC layout of archives written before attempts existed
    (raw/.../<window>.warc.gz and .crawl.json, records pointing into it), as an old archive holds it."""
    from newsarchive.archive import keys
    from newsarchive.archive.store import open_store
    from newsarchive.pipeline.raw import window_warc_keys

    store = open_store(archive.as_uri())
    [attempt_key] = window_warc_keys(store, "demo", WINDOW)
    old_key = keys.raw_warc_key("demo", WINDOW.start, WINDOW.end)
    store.put(old_key, store.get(attempt_key), content_type="application/warc")
    store.put(keys.crawl_stats_key(old_key), store.get(keys.crawl_stats_key(attempt_key)),
              content_type="application/json")
    for key in (attempt_key, keys.crawl_stats_key(attempt_key)):
        store.delete(key)
    for path in (archive / "articles").rglob("*.json"):
        record = json.loads(path.read_text())
        record["raw"]["warc_key"] = old_key
        store.put(str(path.relative_to(archive)), json.dumps(record).encode(), content_type="application/json")
    return old_key


def test_reextract_reads_archives_written_with_one_warc_per_window(archived: tuple[Path, Path],
                                                                   demo_site: Any) -> None:
    _, archive = archived
    before = _texts(archive)
    old_key = _to_old_layout(archive)
    demo_site.clear_log()
    summary = stages.reextract("demo", WINDOW)
    assert demo_site.requests == []
    assert summary.crawls[0].warc_keys == (old_key,) and summary.articles == len(before)
    assert _texts(archive) == before
    records = [json.loads(p.read_text()) for p in (archive / "articles").rglob("*.json")]
    assert {r["raw"]["warc_key"] for r in records} == {old_key}


def test_a_rerun_after_the_upgrade_reads_the_old_warc_and_its_own(archived: tuple[Path, Path]) -> None:
    """An old window crawled again: its new attempt's WARC beside the old single WARC, both read; the latest
    fetch of each article wins, and nothing is archived twice."""
    from newsarchive.archive.store import open_store
    from newsarchive.pipeline.raw import window_warc_keys

    _, archive = archived
    before = _texts(archive)
    old_key = _to_old_layout(archive)
    store = open_store(archive.as_uri())
    site = stages.get_site("demo")
    from newsarchive.pipeline.crawl_stage import crawl_window
    from newsarchive.pipeline.extract_stage import extract_window

    crawl = crawl_window(site, WINDOW, store, incremental=False)  # fetches every article again
    result = extract_window(site, WINDOW, store, crawl.warc_key)
    assert window_warc_keys(store, "demo", WINDOW) == [old_key, crawl.warc_key]
    assert result.counts.warcs == 2 and result.counts.duplicate["same_canonical_url"] >= len(before)
    assert _texts(archive) == before
    records = [json.loads(p.read_text()) for p in (archive / "articles").rglob("*.json")]
    assert {r["raw"]["warc_key"] for r in records} == {crawl.warc_key}  # the latest fetch wins
