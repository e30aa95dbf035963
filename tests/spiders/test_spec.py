"""Spec parsing and validation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from newsarchive.instants import Window
from spiders.spec import SpecError, expand_date_archive, load_spec, parse_spec

BASE: dict[str, Any] = {
    "site": "demo", "base_url": "http://127.0.0.1:8765/", "allowed_domains": ["127.0.0.1"],
    "start": "2024-11-01T00:00:00+00:00", "end": "2024-11-15T00:00:00+00:00",
    "feeds": ["http://127.0.0.1:8765/rss.xml"], "sitemaps": ["/sitemap.xml"],
    "sections": ["http://127.0.0.1:8765/section/world/"], "date_archive": None,
    "article_allow": [r"^/(fr|en)/\d{4}/\d{2}/\d{2}/[\w-]+\.html$"], "article_deny": [], "max_section_pages": 5,
    "timezone": "Europe/Paris",
    "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 8, "autothrottle": False,
                   "allow_private_addresses": True},
    "user_agent": "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)",
    "skip_urls": [], "max_response_bytes": 10485760, "timeout_s": 30, "max_pages": 5000,
}


def spec_with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is KeyError:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_parse_full_spec(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    spec = load_spec(path)
    assert spec.site == "demo"
    assert spec.start == datetime(2024, 11, 1, tzinfo=UTC)
    assert spec.sitemaps == ("http://127.0.0.1:8765/sitemap.xml",)  # relative joined to base_url
    assert spec.politeness.concurrency == 8 and spec.politeness.allow_private_addresses
    assert spec.article_allow[0].search("/fr/2024/11/05/x-y.html")
    assert spec.timezone.key == "Europe/Paris"
    assert spec.timeout_s == 30.0 and spec.max_pages == 5000
    assert spec.date_archive_urls() == ()


def test_optional_fields_default() -> None:
    minimal = {k: BASE[k] for k in ("site", "base_url", "start", "end", "article_allow")}
    spec = parse_spec(minimal)
    assert spec.allowed_domains == ("127.0.0.1",)
    assert spec.feeds == () and spec.date_archive is None and spec.skip_urls == frozenset()
    assert spec.politeness.obey_robots and not spec.politeness.allow_private_addresses
    assert spec.timezone.key == "UTC"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"site": KeyError}, "site"),
        ({"base_url": "ftp://x/"}, "base_url"),
        ({"start": "2024-11-01"}, "start"),
        ({"start": "2024-11-01T00:00:00"}, "start"),
        ({"end": "2024-10-01T00:00:00+00:00"}, "end"),
        ({"feeds": "http://x/rss.xml"}, "feeds"),
        ({"sections": ["ok", 3]}, "sections[1]"),
        ({"article_allow": ["(unclosed"]}, "article_allow[0]"),
        ({"article_allow": []}, "article_allow"),
        ({"max_section_pages": 0}, "max_section_pages"),
        ({"max_section_pages": True}, "max_section_pages"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"max_pages": "10"}, "max_pages"),
        ({"politeness": {"concurrency": 0}}, "politeness.concurrency"),
        ({"politeness": {"obey_robots": "yes"}}, "politeness.obey_robots"),
        ({"politeness": {"delay": 1}}, "politeness.delay"),
        ({"politeness": []}, "politeness"),
        ({"date_archive": "/archive/"}, "date_archive"),
        ({"allowed_domains": ["http://127.0.0.1/"]}, "allowed_domains[0]"),
        ({"feedz": []}, "feedz"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(spec_with(**changes))
    assert info.value.field == field
    assert repr(field) in str(info.value)


def test_bad_documents(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(path)
    with pytest.raises(SpecError, match="JSON object"):
        parse_spec([1, 2])


def test_date_archive_expands_over_local_days() -> None:
    spec = parse_spec(spec_with(date_archive="/archive/{yyyy}/{mm}/{dd}/",
                                start="2024-10-31T23:30:00+00:00", end="2024-11-02T00:00:00+00:00"))
    # 31 Oct 23:30 UTC is already 1 Nov in Paris; the window ends at 2 Nov 01:00 Paris.
    assert spec.date_archive_urls() == (
        "http://127.0.0.1:8765/archive/2024/11/01/",
        "http://127.0.0.1:8765/archive/2024/11/02/",
    )


def test_window_days_and_monthly_template() -> None:
    days = Window(datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 3, tzinfo=UTC)).days(UTC)
    assert days == (date(2024, 11, 1), date(2024, 11, 2))
    assert expand_date_archive("http://h/{yyyy}/{mm}/", days) == ("http://h/2024/11/",)


def test_the_pipeline_form_names_fields_under_config() -> None:
    """The spec the pipeline writes: the site config under "config", validated by the one site model."""
    from newsarchive.pipeline.sites import load_site_file
    from spiders.spec import spec_document

    site = load_site_file(Path(__file__).resolve().parents[2] / "sites" / "demo.toml")
    document = spec_document(site, datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 2, tzinfo=UTC), "ua/1")
    spec = parse_spec(document)
    assert spec.site == "demo" and spec.feeds == site.discovery.feeds and spec.user_agent == "ua/1"
    assert spec.politeness.concurrency == 8 and spec.max_pages == site.politeness.max_pages
    broken = copy.deepcopy(document)
    broken["config"]["politeness"]["concurrency"] = 0
    with pytest.raises(SpecError) as info:
        parse_spec(broken)
    assert info.value.field == "config.politeness.concurrency"
    with pytest.raises(SpecError, match="is not the config's id"):
        parse_spec({**document, "site": "other"})
    with pytest.raises(SpecError, match="longer than 366 days"):  # refused before any spider process starts
        spec_document(site, datetime(2020, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC), "ua/1")


@pytest.mark.parametrize(("changes", "field"), [
    ({"base_url": "http://[::1/"}, "base_url"),
    ({"base_url": "http://127.0.0.1:70000/"}, "base_url"),
    ({"base_url": "http://${HOME}/"}, "base_url"),
    ({"politeness": {"download_delay": float("nan")}}, "politeness.download_delay"),
    ({"timeout_s": float("inf")}, "timeout_s"),
    ({"article_allow": ["^/(?=news)"]}, "article_allow[0]"),
    ({"article_deny": ["(x)\\1"]}, "article_deny[0]"),
    ({"feeds": ["http://user:pw@127.0.0.1/rss"]}, "feeds[0]"),
    ({"allowed_domains": []}, None),
])
def test_the_flat_form_obeys_the_site_model(changes: dict[str, Any], field: str | None) -> None:
    if field is None:
        assert parse_spec(spec_with(**changes)).allowed_domains == ("127.0.0.1",)
        return
    with pytest.raises(SpecError) as info:
        parse_spec(spec_with(**changes))
    assert info.value.field == field


def test_article_patterns_match_in_linear_time() -> None:
    """(a+)+$ takes 2^n steps per n-character path with backtracking (re); the spec's patterns are RE2 (linear).
    With re, this test would run for days: pytest's timeout fails it."""
    from spiders.urls import is_article_path

    spec = parse_spec(spec_with(article_allow=["^/(a+)+$", "^/(x|xx)+y$"], article_deny=["(b*)*c$"]))
    hostile = "http://127.0.0.1:8765/" + "a" * 5000 + "!"
    assert not is_article_path(hostile, spec.article_allow, spec.article_deny)
    assert not is_article_path("http://127.0.0.1:8765/" + "x" * 5000, spec.article_allow, spec.article_deny)
    assert is_article_path("http://127.0.0.1:8765/aaaa", spec.article_allow, spec.article_deny)
    denying = parse_spec(spec_with(article_allow=["^/"], article_deny=["(b*)*c$"]))
    assert is_article_path("http://127.0.0.1:8765/" + "b" * 5000 + "!", denying.article_allow, denying.article_deny)
    assert not is_article_path("http://127.0.0.1:8765/bbbc", denying.article_allow, denying.article_deny)
