"""Re-extraction rebuilds records from the stored WARC with the current rules, without a single HTTP request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import write_site_config

from pipeline import stages
from pipeline.window import parse_window

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
    assert summary["articles"] == len(after)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1
    assert not any("Klitschko" in line for line in after[changed[0]].split("\n"))
    assert all(before[n] == after[n] for n in before if n not in changed)


def test_reextract_without_a_stored_crawl_is_a_clear_error(archived: tuple[Path, Path]) -> None:
    with pytest.raises(LookupError, match="no archived crawl of demo overlaps"):
        stages.reextract("demo", parse_window("2023-01-01", "2023-01-02"))
