"""Site configs: valid files load, mistakes name the file and the field, duplicates are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.sites import SiteConfigError, load_site_file, load_sites

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = 'id = "{id}"\nname = "A site"\nbase_url = "https://news.example/"\n'
ALLOW = "article_allow = ['^/news/']\n"


def with_allow(text: str) -> str:
    """text with the one required discovery key (article_allow) added, in its [discovery] table if it has one."""
    if "article_allow" in text:
        return text
    if "[discovery]\n" in text:
        return text.replace("[discovery]\n", "[discovery]\n" + ALLOW, 1)
    return text + "[discovery]\n" + ALLOW


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(with_allow(text), encoding="utf-8")
    return path


def test_project_sites_are_valid() -> None:
    catalog = load_sites(ROOT / "sites")
    assert catalog.errors == ()
    demo = catalog.get("demo")
    assert demo.discovery.feeds == (demo.base_url + "rss.xml",)
    assert demo.politeness.allow_private_addresses is True
    assert demo.dag_id == "news_demo"


def test_base_url_expands_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ('id = "a"\nname = "A"\nbase_url = "http://127.0.0.1:${NEWSARCHIVE_A_PORT:-8765}/"\n'
            '[discovery]\nfeeds = ["/rss"]\n')
    path = write(tmp_path, "a.toml", text)
    monkeypatch.delenv("NEWSARCHIVE_A_PORT", raising=False)
    assert load_site_file(path).base_url == "http://127.0.0.1:8765/"
    monkeypatch.setenv("NEWSARCHIVE_A_PORT", "9999")
    site = load_site_file(path)
    assert site.base_url == "http://127.0.0.1:9999/" and site.discovery.feeds == ("http://127.0.0.1:9999/rss",)
    write(tmp_path, "b.toml", 'id = "b"\nname = "B"\nbase_url = "http://${NEWSARCHIVE_B_HOST}/"\n')
    with pytest.raises(SiteConfigError, match="NEWSARCHIVE_B_HOST is not set"):
        load_site_file(tmp_path / "b.toml")


def test_defaults_are_polite(tmp_path: Path) -> None:
    site = load_site_file(write(tmp_path, "a.toml", MINIMAL.format(id="a")))
    assert site.politeness.obey_robots and site.politeness.autothrottle
    assert site.politeness.download_delay >= 1.0 and not site.politeness.allow_private_addresses
    assert site.allowed_domains == ("news.example",)


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ('colour = "red"\n', "colour", "unknown key"),
        ('schedule = "every day"\n', "schedule", "cron"),
        ('timezone = "Mars/Olympus"\n', "timezone", "unknown time zone"),
        ("[discovery]\nfeeds = [\"ftp://x/feed\"]\n", "discovery.feeds[0]", "http"),
        ("[discovery]\narticle_allow = [\"(\"]\n", "discovery.article_allow[0]", "regular expression"),
        ("[politeness]\nconcurrency = -1\n", "politeness.concurrency", "from 1 to 64"),
        ("[politeness]\ndelay = 1\n", "politeness.delay", "unknown key"),
        ("languages = \"fr\"\n", "languages", "list of strings"),
        ('start_date = "2024-02-01"\nend_date = "2024-01-01"\n', "end_date", "after start_date"),
        ('end_date = "soon"\n', "end_date", "YYYY-MM-DD"),
    ],
)
def test_mistakes_name_file_and_field(tmp_path: Path, extra: str, field: str, words: str) -> None:
    path = write(tmp_path, "bad.toml", MINIMAL.format(id="bad") + extra)
    with pytest.raises(SiteConfigError) as info:
        load_site_file(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and words in str(info.value)


def test_bad_id_and_missing_fields(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="id: must match"):
        load_site_file(write(tmp_path, "a.toml", MINIMAL.format(id="../etc")))
    with pytest.raises(SiteConfigError, match="base_url: missing"):
        load_site_file(write(tmp_path, "b.toml", 'id = "b"\nname = "B"\n'))
    with pytest.raises(SiteConfigError, match=r"\(syntax\)"):
        load_site_file(write(tmp_path, "c.toml", "id = \n"))


def test_catalog_reports_duplicates_and_keeps_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", MINIMAL.format(id="a"))
    write(tmp_path, "b.toml", MINIMAL.format(id="a"))
    write(tmp_path, "c.toml", MINIMAL.format(id="c") + "bogus = 1\n")
    catalog = load_sites(tmp_path)
    assert [s.id for s in catalog.sites] == ["a"]
    assert [e.field for e in catalog.errors] == ["id", "bogus"]
    assert "duplicate site id" in str(catalog.errors[0])
    with pytest.raises(KeyError, match="known: a"):
        catalog.get("zzz")
