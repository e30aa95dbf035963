"""Fixtures of the incremental-crawl tests: the generated site on 127.0.0.1, a site config for it, and a
runner that calls the pipeline stages directly (no Airflow) and slices the site's access log per run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsarchive.demosite.generated import GeneratedSite, serve_generated
from newsarchive.demosite.generated.config import write_site_config
from newsarchive.demosite.generated.corpus import TZ
from newsarchive.instants import Window
from newsarchive.pipeline import stages
from newsarchive.pipeline.crawl_stage import ProgressCallback, crawl_window

SITE_ID = "gen"
ARTICLE_PATH_PARTS = 6  # /section/yyyy/mm/dd/slug


def paris_window(first: date, days: int = 1) -> Window:
    """[first 00:00, first + days 00:00) in the site's timezone: how the DAG's daily runs cut windows."""
    start = datetime.combine(first, time(0), tzinfo=TZ)
    return Window(start, start + timedelta(days=days))


def request_path(raw: str) -> str:
    """An access-log path without its query string and trailing slash (one article, one path)."""
    path = urlsplit(raw).path
    return path.rstrip("/") or "/"


def is_article_request(raw: str) -> bool:
    """Whether an access-log path is an article page (/section/yyyy/mm/dd/slug, any variant)."""
    parts = request_path(raw).strip("/").split("/")
    return len(parts) == ARTICLE_PATH_PARTS - 1 and parts[0] != "archive" and parts[1].isdigit()


@dataclass
class Run:
    """One crawl + extract (+ check) of a window: the stages' results and the requests the site answered
    meanwhile."""

    window: Window
    crawl: dict[str, Any]
    extract: dict[str, Any]
    requests: list[Any] = field(default_factory=list)
    report: dict[str, Any] | None = None

    def article_requests(self) -> list[str]:
        """Paths of the article pages requested during this run."""
        return [r.path for r in self.requests if is_article_request(r.path)]


@dataclass
class Runner:
    """Runs the pipeline stages for the generated site against one archive."""

    site: GeneratedSite
    archive_url: str

    def run(self, window: Window, progress: ProgressCallback | None = None, check: bool = False) -> Run:
        """stages.crawl then stages.extract (then stages.check, with ``check``) for window, as the DAG's tasks
        do (with a progress callback, newsarchive.pipeline.crawl_stage.crawl_window is called directly: the stage does
        not take
        one)."""
        before = len(self.site.requests)
        if progress is None:
            crawl = stages.crawl(SITE_ID, window, url=self.archive_url)
        else:
            crawl = crawl_window(stages.get_site(SITE_ID), window, self.store(), progress=progress)
        extract = stages.extract(SITE_ID, window, crawl.warc_key, url=self.archive_url)
        report = stages.check(SITE_ID, window, crawl, extract, url=self.archive_url).to_xcom() if check else None
        # The tests read the results in their XCom form: what the DAG's tasks hand each other.
        return Run(window, crawl.to_xcom(), extract.to_xcom(), self.site.requests[before:], report)

    def store(self) -> Any:
        """The archive store."""
        return stages.open_archive(self.archive_url)

    window = staticmethod(paris_window)
    request_path = staticmethod(request_path)


def configure(monkeypatch: pytest.MonkeyPatch, tmp: Path, site: GeneratedSite, **options: Any) -> None:
    """Point the stages at a site config for ``site`` (options as for newsarchive.demosite.generated.config.site_toml)
    and a scratch folder under tmp."""
    sites = tmp / "sites"
    write_site_config(sites, site.url, SITE_ID, **options)
    monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(sites))
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp / "work"))


@pytest.fixture(scope="module")
def gen_site() -> Iterator[GeneratedSite]:
    """The generated site for one test module (its update state starts at version 0)."""
    site = serve_generated("127.0.0.1", 0)
    yield site
    site.stop()


@pytest.fixture(scope="module")
def runner(gen_site: GeneratedSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """A runner over a local-folder archive, shared by a module's tests (the environment set meanwhile)."""
    tmp = tmp_path_factory.mktemp("incremental")
    with pytest.MonkeyPatch.context() as monkeypatch:
        configure(monkeypatch, tmp, gen_site)
        archive_url = (tmp / "archive").as_uri()
        monkeypatch.setenv("NEWSARCHIVE_URL", archive_url)
        yield Runner(gen_site, archive_url)


@pytest.fixture
def fresh_site() -> Iterator[GeneratedSite]:
    """A generated site of its own (tests that update articles must not disturb others)."""
    site = serve_generated("127.0.0.1", 0)
    yield site
    site.stop()


@pytest.fixture
def s3_runner(fresh_site: GeneratedSite, s3_bucket: str, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Runner:
    """A runner over an S3 bucket (moto_server) and a site of its own."""
    configure(monkeypatch, tmp_path, fresh_site)
    archive_url = f"s3://{s3_bucket}/archive"
    monkeypatch.setenv("NEWSARCHIVE_URL", archive_url)
    return Runner(fresh_site, archive_url)
