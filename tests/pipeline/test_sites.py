"""Site configs: valid files load, mistakes name the file and the field, duplicates are caught."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import BaseModel

from newsarchive.pipeline.sites import ConfigError, SiteConfigError, UnknownSite, load_site_file, load_sites

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


def test_reference_is_generated_from_the_model() -> None:
    """docs/sites.md is what `newsarchive sites --reference` prints now (regenerate it after changing a field)."""
    from newsarchive.pipeline.sitedoc import reference
    from newsarchive.pipeline.sites import SiteConfig

    committed = (ROOT / "docs" / "sites.md").read_text(encoding="utf-8")
    assert committed == reference(), "run: newsarchive sites --reference > docs/sites.md"
    tables = [SiteConfig, *(info.annotation for info in SiteConfig.model_fields.values()
                            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel))]
    undocumented = [f"{t.__name__}.{n}" for t in tables for n, i in t.model_fields.items() if not i.description]
    assert undocumented == []
    for key in ("`max_section_pages` | an integer | `3` | from 1 to 100",
                "`concurrency` | an integer | `2` | from 1 to 64",
                "`article_allow` | a list of strings | **required** | RE2 regular expressions, at least 1"):
        assert key in committed


def test_files_that_are_not_site_files_name_the_file(tmp_path: Path) -> None:
    """Issue 13 item 8: nothing a file holds (or is) raises out of load_sites; each is an error of its own."""
    write(tmp_path, "good.toml", MINIMAL.format(id="good"))
    (tmp_path / "folder.toml").mkdir()
    os.mkfifo(tmp_path / "fifo.toml")  # reading it would block the DAG processor forever
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "huge.toml").write_text("# padding\n" * 200_000)
    (tmp_path / "latin1.toml").write_bytes(with_allow(MINIMAL.format(id="latin") + 'owner = "Rédaction"\n')
                                           .encode("latin-1"))
    (tmp_path / "utf16.toml").write_text(with_allow(MINIMAL.format(id="utf")), encoding="utf-16")
    write(tmp_path, "deep.toml", MINIMAL.format(id="deep") + "x = " + "[" * 3000 + "]" * 3000 + "\n")
    write(tmp_path, ".hidden.toml", "this is an editor's backup, ignored")
    catalog = load_sites(tmp_path)
    assert [s.id for s in catalog.sites] == ["good"]
    found = {Path(e.path).name: (e.field, e.site_id) for e in catalog.errors}
    assert found == {"folder.toml": ("(file)", "folder"), "fifo.toml": ("(file)", "fifo"),
                     "dangling.toml": ("(file)", "dangling"), "huge.toml": ("(file)", "huge"),
                     "latin1.toml": ("(encoding)", "latin1"), "utf16.toml": ("(encoding)", "utf16"),
                     "deep.toml": ("(syntax)", "deep")}
    assert "byte 0xe9" in str(next(e for e in catalog.errors if e.path.endswith("latin1.toml")))


@pytest.mark.parametrize(("base_url", "words"), [
    ("http://${HOME}/", "only NEWSARCHIVE_* variables"),
    ("http://x.example/${PATH}", "only NEWSARCHIVE_* variables"),
    ("http://${AWS_SECRET_ACCESS_KEY}.example/", "only NEWSARCHIVE_* variables"),
    ("http://${AIRFLOW__API_AUTH__JWT_SECRET:-x}.example/", "only NEWSARCHIVE_* variables"),
    ("http://${newsarchive_host}/", "only NEWSARCHIVE_* variables"),
    ("http://${NEWSARCHIVE_S3_SECRET_KEY}.example/", "named like a secret"),
    ("http://${NEWSARCHIVE_API_TOKEN:-x}.example/", "named like a secret"),
    ("http://${NEWSARCHIVE_NESTED}/", "holds another one"),
    ("http://${NEWSARCHIVE_HOST/", "unclosed"),
])
def test_only_newsarchive_variables_are_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str,
                                                 words: str) -> None:
    """Issue 13 item 10: a site file cannot pull a worker's secrets into a URL (requests, WARC, output)."""
    monkeypatch.setenv("HOME", "/root-secret-home")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
    monkeypatch.setenv("NEWSARCHIVE_S3_SECRET_KEY", "s3-secret-value")
    monkeypatch.setenv("NEWSARCHIVE_NESTED", "${HOME}")
    path = write(tmp_path, "a.toml", f'id = "a"\nname = "A"\nbase_url = "{base_url}"\n')
    with pytest.raises(SiteConfigError) as info:
        load_site_file(path)
    assert info.value.field == "base_url" and words in str(info.value)
    for secret in ("root-secret-home", "aws-secret-value", "s3-secret-value"):
        assert secret not in str(info.value)


def test_credentials_in_urls_are_refused_without_echoing_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_HOST", "reader:pa55word@news.example")
    for i, (url, field) in enumerate([("https://${NEWSARCHIVE_HOST}/", "base_url"),
                                      ("https://reader:pa55word@news.example/", "base_url"),
                                      ("https://news.example/", "discovery.feeds[0]")]):
        feeds = '[discovery]\nfeeds = ["https://reader:pa55word@cdn.example/rss"]\n'
        path = write(tmp_path, f"c{i}.toml", f'id = "c{i}"\nname = "C"\nbase_url = "{url}"\n' + feeds)
        with pytest.raises(SiteConfigError) as info:
            load_site_file(path)
        assert info.value.field == field and "credentials" in str(info.value)
        assert "pa55word" not in str(info.value) and "***@" in str(info.value)


def test_an_unusable_site_names_its_broken_file(tmp_path: Path) -> None:
    """A stage (or `newsarchive run`) asked for a site whose file is broken says which file and field."""
    write(tmp_path, "a.toml", MINIMAL.format(id="a") + "[politeness]\nconcurrency = 0\n")
    catalog = load_sites(tmp_path)
    with pytest.raises(UnknownSite) as info:
        catalog.get("a")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ConfigError)
    assert str(info.value) == f"site 'a' is not usable: {tmp_path / 'a.toml'}: politeness.concurrency: " \
                              "expected an integer from 1 to 64, got 0"
    with pytest.raises(UnknownSite, match="no site 'b' \\(known: none\\)"):
        catalog.get("b")


def test_every_mistake_of_a_file_is_reported(tmp_path: Path) -> None:
    text = MINIMAL.format(id="a") + 'schedule = "0 0 30 2 *"\n[politeness]\nconcurrency = 0\ntimeout_s = nan\n'
    with pytest.raises(SiteConfigError) as info:
        load_site_file(write(tmp_path, "a.toml", text))
    assert [name for name, _ in info.value.problems] == ["schedule", "politeness.concurrency", "politeness.timeout_s"]
    assert len(info.value.lines()) == 3 and info.value.field == "schedule"


def test_the_crawl_spec_carries_the_site_as_the_model_serialises_it() -> None:
    """What the pipeline sends the spider is the model's own serialisation, and it reads back to the same site."""
    from newsarchive.instants import parse_window
    from newsarchive.pipeline.crawl_stage import crawl_spec
    from spiders.spec import parse_spec

    for site in load_sites(ROOT / "sites").sites:
        document = json.loads(json.dumps(crawl_spec(site, parse_window("2024-11-01", "2024-11-02"))))
        assert document["config"] == site.model_dump(mode="json")
        spec = parse_spec(document)
        assert spec.config.model_dump() == site.model_dump() and spec.site == site.id
        assert spec.allowed_domains == site.allowed_domains
