"""The stages as the DAG tasks and the CLI call them: by site id and window, returning typed results.

Each result times its stage (``duration_s``) and has one JSON-able form, ``to_xcom()``, which is what the
DAG's tasks pass each other (``from_xcom()`` reads it back): see newsarchive.pipeline.results and
newsarchive.pipeline.report.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from newsarchive.instants import Window
from newsarchive.pipeline import settings
from newsarchive.pipeline.report import RunReport
from newsarchive.pipeline.results import CrawlResult, ExtractResult
from newsarchive.pipeline.sites import SiteConfig, load_sites

if TYPE_CHECKING:
    from newsarchive.archive.s3 import S3Options
    from newsarchive.archive.store import Store
    from newsarchive.pipeline.crawl_stage import ProgressCallback
    from newsarchive.pipeline.reextract import ReextractResult

log = logging.getLogger("newsarchive")


def get_site(site_id: str) -> SiteConfig:
    """Load one site's config from the sites folder (a broken other file does not matter)."""
    return load_sites(settings.sites_dir()).get(site_id)


def open_archive(url: str | None = None, s3: S3Options | None = None) -> Store:
    """Open the archive store at url (default: settings.archive_url()), with S3 options if given."""
    from newsarchive.archive.store import open_store

    return open_store(url or settings.archive_url(), s3=s3)


def crawl(site_id: str, window: Window, *, url: str | None = None, s3: S3Options | None = None,
          progress: ProgressCallback | None = None) -> CrawlResult:
    """Crawl stage: fetch the window's pages into a WARC in the archive (progress: a ProgressEvent callback)."""
    from newsarchive.pipeline.crawl_stage import crawl_window

    return crawl_window(get_site(site_id), window, open_archive(url, s3), progress=progress)


def extract(site_id: str, window: Window, warc_key: str, *, url: str | None = None,
            s3: S3Options | None = None) -> ExtractResult:
    """Extract stage: articles and index from the window's WARCs (``warc_key``, the crawl's, among them)."""
    from newsarchive.pipeline.extract_stage import extract_window

    return extract_window(get_site(site_id), window, open_archive(url, s3), warc_key)


def check(site_id: str, window: Window, crawl_result: CrawlResult, extract_result: ExtractResult,
          *, url: str | None = None, s3: S3Options | None = None) -> RunReport:
    """Check stage: quality gates and the run report (raises QualityGateFailed on a breached gate)."""
    from newsarchive.pipeline.check import check_window
    from newsarchive.pipeline.extract_stage import now_iso

    return check_window(get_site(site_id), window, open_archive(url, s3), crawl_result, extract_result, now_iso())


def run(site_id: str, window: Window, *, url: str | None = None, s3: S3Options | None = None,
        progress: ProgressCallback | None = None) -> RunReport:
    """crawl + extract + check for one window, without Airflow."""
    crawl_result = crawl(site_id, window, url=url, s3=s3, progress=progress)
    extract_result = extract(site_id, window, crawl_result.warc_key, url=url, s3=s3)
    return check(site_id, window, crawl_result, extract_result, url=url, s3=s3)


def reextract(site_id: str, window: Window, *, url: str | None = None,
              s3: S3Options | None = None) -> ReextractResult:
    """Rebuild articles, index and reports of the window from the archived WARC (no network)."""
    from newsarchive.pipeline.extract_stage import now_iso
    from newsarchive.pipeline.reextract import reextract_window

    return reextract_window(get_site(site_id), window, open_archive(url, s3), now_iso())
