"""The [updates] table of a site file: durations validated, mistakes named by file and field, and the
spider reading the same values from its crawl spec."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from newsarchive.instants import parse_window
from newsarchive.pipeline.crawl_stage import crawl_spec
from newsarchive.pipeline.sites import SiteConfig, SiteConfigError, load_site_file
from spiders.spec import SpecError, parse_spec

SITE = ('id = "s"\nname = "S"\nbase_url = "https://news.example/"\n[discovery]\narticle_allow = [\'^/news/\']\n'
        "[updates]\n")


def load(tmp_path: Path, updates: str) -> SiteConfig:
    path = tmp_path / "s.toml"
    path.write_text(SITE + updates, encoding="utf-8")
    return load_site_file(path)


def test_defaults_and_durations(tmp_path: Path) -> None:
    site = load(tmp_path, "")
    assert site.updates.lookback_delta == timedelta(days=90) and site.updates.revisit_ages == ()
    assert site.updates.revisit_budget == 200 and site.updates.horizon == timedelta(days=90)
    site = load(tmp_path, 'lookback = "2w"\nrevisit_after = ["7d", "12h", "30m", "1d"]\nrevisit_budget = 0\n')
    assert site.updates.revisit_ages == (timedelta(minutes=30), timedelta(hours=12), timedelta(days=1),
                                         timedelta(days=7))
    assert site.updates.horizon == timedelta(days=14)
    assert load(tmp_path, 'lookback = "1d"\nrevisit_after = ["30d"]\n').updates.horizon == timedelta(days=30)


@pytest.mark.parametrize(("updates", "field", "words"), [
    ('lookback = "90"\n', "updates.lookback", "duration"),
    ('lookback = "3 months"\n', "updates.lookback", "duration"),
    ('lookback = "0d"\n', "updates.lookback", "duration"),
    ("lookback = 90\n", "updates.lookback", "string"),
    ('lookback = "9999w"\n', "updates.lookback", "longer than"),
    ('revisit_after = ["1d", "24h"]\n', "updates.revisit_after", "repeats"),
    ('revisit_after = ["1d", "-7d"]\n', "updates.revisit_after[1]", "duration"),
    ('revisit_after = "1d"\n', "updates.revisit_after", "list"),
    ("revisit_budget = -1\n", "updates.revisit_budget", "from 0 to 1_000_000"),
    ("revisits = 3\n", "updates.revisits", "unknown key"),
])
def test_mistakes_name_file_and_field(tmp_path: Path, updates: str, field: str, words: str) -> None:
    with pytest.raises(SiteConfigError) as info:
        load(tmp_path, updates)
    assert info.value.field == field, info.value
    assert str(tmp_path / "s.toml") in str(info.value) and words in str(info.value)


def test_the_spider_reads_the_same_table(tmp_path: Path) -> None:
    site = load(tmp_path, 'revisit_after = ["1d", "7d"]\nrevisit_budget = 5\n')
    spec = parse_spec(json.loads(json.dumps(crawl_spec(site, parse_window("2025-01-20", "2025-01-21")))))
    assert spec.updates.revisit_ages == (timedelta(days=1), timedelta(days=7)) and spec.updates.revisit_budget == 5
    flat = {"site": "s", "base_url": "https://news.example/", "start": "2025-01-20T00:00:00+00:00",
            "end": "2025-01-21T00:00:00+00:00", "article_allow": ["^/news/"], "updates": {"revisit_after": ["2x"]}}
    with pytest.raises(SpecError, match=r"updates\.revisit_after\[0\].*duration"):
        parse_spec(flat)
