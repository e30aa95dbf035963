"""`newsarchive takedown`: remove an article and every version of it for good, and keep it out afterwards.

``takedown`` writes the takedown record first (status ``pending``: from then on every writer leaves the id
out), removes the article from ``index/``, ``bundles/`` and ``history/`` (rewriting those files without its
rows), deletes its versions and its article objects, overwrites its raw responses in the WARCs with
tombstones (``newsarchive.archive.warcscrub``; ``raw=False`` keeps them), and rewrites the record with what it removed
(status ``done``). The record never holds the text. Running it again is harmless (it finds nothing more).

Afterwards the crawl stage passes the takedown list's URLs to the spider as ``skip_urls``, and the extract
stage (runs and re-extractions alike) leaves taken-down ids out before writing and, after writing, removes
any it wrote while a takedown ran (``newsarchive.archive.takedown.enforce``).
"""

from __future__ import annotations

import getpass
import logging
import os
from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.takedown")


class TakedownError(ValueError):
    """A takedown request that cannot be carried out as given (the message says why)."""


def resolve(store: Store, site_id: str, url: str | None, article_id: str | None) -> tuple[set[str], set[str]]:
    """The article ids and URLs a request names: the id given, or every indexed article whose URL or
    canonical URL is ``url`` plus the id that URL would have as a canonical URL (so a page not archived yet is
    blocked too)."""
    from extract.record import article_id as id_of_url
    from newsarchive.archive.keys import check_article_id
    from newsarchive.archive.takedown import ids_for_urls

    if (url is None) == (article_id is None):
        raise TakedownError("give exactly one of --url and --id")
    if article_id is not None:
        return {check_article_id(article_id.strip().lower())}, set()
    assert url is not None
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise TakedownError(f"--url {url!r} is not an http(s) URL")
    return ids_for_urls(store, site_id, {url}) | {id_of_url(url)}, {url}


def takedown(store: Store, site_id: str, *, reason: str, requested_at: str, url: str | None = None,
             article_id: str | None = None, requested_by: str | None = None, raw: bool = True) -> dict[str, Any]:
    """Take an article down (see the module doc); return a summary for the CLI (no text)."""
    from newsarchive.archive import keys
    from newsarchive.archive.takedown import DONE, TakedownRecord, purge, write_record
    from newsarchive.archive.warcscrub import scrub_site

    keys.check_site(site_id)
    if not reason or not reason.strip():
        raise TakedownError("--reason must say why (it goes into the audit record)")
    ids, urls = resolve(store, site_id, url, article_id)
    by = requested_by or os.environ.get("NEWSARCHIVE_OPERATOR") or getpass.getuser()
    pending = [TakedownRecord(site_id, i, reason.strip(), by, requested_at, tuple(sorted(urls))) for i in sorted(ids)]
    record_keys = [write_record(store, record) for record in pending]  # first: writers leave these ids out now
    removal = purge(store, site_id, ids)
    all_urls = sorted(urls | set(removal.urls))
    scrubbed = scrub_site(store, site_id, all_urls, ids, removal.first_day, removal.warc_keys) if raw else []
    raw_summary = {
        "scrubbed": raw,
        "records_overwritten": sum(r.records for r in scrubbed),
        "warcs": [r.key for r in scrubbed if r.records],
        "left": {r.key: list(r.left) for r in scrubbed if r.left},
    }
    for record in pending:
        write_record(store, replace(record, status=DONE, urls=tuple(all_urls), keys_removed=removal.keys_removed,
                                    files_rewritten=removal.files_rewritten, raw=raw_summary))
    log.info("took down %s of %s: %d objects removed, %d files rewritten, %d raw records overwritten",
             sorted(ids), site_id, len(removal.keys_removed), len(removal.files_rewritten),
             raw_summary["records_overwritten"])
    return {"site": site_id, "ids": sorted(ids), "urls": all_urls, "records": record_keys,
            "keys_removed": list(removal.keys_removed), "files_rewritten": list(removal.files_rewritten),
            "raw": raw_summary}


def taken_down_urls(store: Store, site_id: str) -> tuple[str, ...]:
    """Every URL on the site's takedown list (the crawl stage's ``skip_urls``)."""
    from newsarchive.archive.takedown import taken_down

    return tuple(sorted({url for record in taken_down(store, site_id) for url in record.urls}))


def enforce_after_write(store: Store, site_id: str, ids: Collection[str], article_keys: list[str],
                        counts: Counter[str]) -> list[str]:
    """After a run wrote the articles ``ids``: remove again any that a takedown listed meanwhile; return the
    article keys still standing."""
    from newsarchive.archive.keys import parse_article_key
    from newsarchive.archive.takedown import enforce

    purged = enforce(store, site_id, set(ids))
    if not purged:
        return article_keys
    counts["taken_down"] += len(purged)
    return [key for key in article_keys if parse_article_key(key).article_id not in purged]
