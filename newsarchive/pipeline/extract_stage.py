"""The extract stage: read a window's WARC from the archive, extract articles, write records and the index."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from newsarchive.instants import Window, local_day, parse_instant
from newsarchive.pipeline.results import ExtractCounts, ExtractResult
from newsarchive.pipeline.scratch import scratch_dir
from newsarchive.pipeline.sites import SiteConfig
from newsarchive.pipeline.takedown import drop_taken_down, enforce_after_write
from newsarchive.pipeline.versions import WriteOutcome, is_newer_fetch, write_article

if TYPE_CHECKING:
    from extract import ArticleRecord, ExtractHints
    from extract.sitewide import LineStats
    from newsarchive.archive.store import Store
    from newsarchive.archive.warc import WarcResponse

log = logging.getLogger("newsarchive.extract")

HTML_TYPES = ("text/html", "application/xhtml+xml")


def published_instant(value: str, tz: ZoneInfo) -> datetime:
    """The instant of a record's ``published``: a bare date is midnight, a naive time read, in the site's zone
    (the window test and the ``date=`` partition are the site's days)."""
    return parse_instant(value, bare=tz, naive=tz)


def _article_responses(warc_path: Path, counts: Counter[str], max_body_bytes: int) -> Iterator[WarcResponse]:
    """The WARC's responses that may be articles: role article, status 200, an HTML content type, a body read
    whole within max_body_bytes (the spider's limit). A gzip body is inflated, bounded, by the extractor."""
    from newsarchive.archive.warc import iter_responses

    with warc_path.open("rb") as stream:
        for response in iter_responses(stream, max_body_bytes=max_body_bytes):
            if response.role not in (None, "article"):
                continue
            counts["responses"] += 1
            if 300 <= response.status < 400:
                counts["redirects"] += 1  # the spider followed it; the target is its own response
                continue
            if response.status != 200:
                reject(counts, f"http_{response.status}", response.target_uri, "", logging.DEBUG)
                continue
            if response.content_type and response.content_type not in HTML_TYPES:
                reject(counts, "not_html", response.target_uri, f"content type {response.content_type}",
                       logging.DEBUG)
                continue
            if response.body_truncated:
                reject(counts, "too_large", response.target_uri, f"over {max_body_bytes} bytes once decoded")
                continue
            yield response


def reject(counts: Counter[str], reason: str, url: str, detail: str, level: int = logging.INFO) -> None:
    """Count a rejected page under its registered reason (extract.REJECTION_REASONS) and log it with its URL."""
    from extract import is_rejection_reason

    if not is_rejection_reason(reason):
        raise ValueError(f"unregistered rejection reason {reason!r} (add it to extract.errors.REJECTION_REASONS)")
    counts[f"rejected.{reason}"] += 1
    if detail:
        log.log(level, "rejected %s: %s (%s)", url, reason, detail)
    else:
        log.log(level, "rejected %s: %s", url, reason)


def rejection_legend(counts: ExtractCounts) -> dict[str, str]:
    """What each rejection reason counted in ``counts`` means (the run report's legend)."""
    from extract import is_rejection_reason, reason_meaning

    return {r: reason_meaning(r) for r in sorted(counts.rejected) if is_rejection_reason(r)}


def extract_hints(site: SiteConfig) -> ExtractHints:
    """The extractor's hints for a site (its [extraction] table, languages, timezone and size limit)."""
    from extract import ExtractHints

    return ExtractHints(prune_xpaths=site.extraction.prune_xpaths, languages=site.languages,
                        timezone=site.timezone, min_words=site.extraction.min_words,
                        max_elements=site.extraction.max_elements, max_bytes=site.politeness.max_response_bytes)


def extract_records(site: SiteConfig, window: Window, warc_path: Path, warc_key: str,
                    counts: Counter[str], outside: list[ArticleRecord] | None = None) -> list[ArticleRecord]:
    """Extract every article of the window from a local WARC in the worker pool; count every other page by
    reason. Pages stream through the pool (a bounded number in flight), outcomes come back in WARC order.
    With ``outside``, articles published outside the window are added to it (an update of an archived
    article, or out of the window: newsarchive.pipeline.incremental.archived_updates decides) instead of being
    counted."""
    from extract import RawRef
    from newsarchive.pipeline.extract_pool import ExtractPool, Page, pool_settings

    tz = ZoneInfo(site.timezone)
    settings = pool_settings(site.extraction.workers, site.extraction.page_timeout_s)
    pages = (Page(body=r.body, url=r.target_uri, fetched_at=r.fetched_at, content_type=r.headers.get("content-type"),
                  raw=RawRef(warc_key=warc_key, offset=r.offset))
             for r in _article_responses(warc_path, counts, site.politeness.max_response_bytes))
    records: dict[str, ArticleRecord] = {}
    with ExtractPool(settings.workers, settings.page_timeout_s, site=site.id, hints=extract_hints(site)) as pool:
        for outcome in pool.extract(pages):
            url = outcome.page.url
            if outcome.record is None:
                crashed = outcome.reason == "extractor_error"  # a bug: the log shows its traceback
                reject(counts, outcome.reason or "extractor_error", url, outcome.detail,
                       logging.ERROR if crashed else logging.INFO)
                continue
            _keep(outcome.record, url, window, tz, records, counts, outside)
        counts["extract_workers"] = settings.workers
        counts["extract_worker_restarts"] = pool.restarts
    return _drop_duplicate_texts(list(records.values()), counts)


def _keep(record: ArticleRecord, url: str, window: Window, tz: ZoneInfo, records: dict[str, ArticleRecord],
          counts: Counter[str], outside: list[ArticleRecord] | None = None) -> None:
    """Add a record to the window's unless it is undated, out of the window (then to ``outside`` when given)
    or an older fetch of one kept."""
    if not record.published:
        reject(counts, "no_publication_date", url, "")
        return
    try:
        published = published_instant(record.published, tz)
    except ValueError:
        reject(counts, "bad_publication_date", url, repr(record.published))
        return
    if not window.contains(published):
        if outside is not None:
            outside.append(record)
        else:
            counts["out_of_window"] += 1
        return
    if record.id in records:
        counts["duplicate.same_canonical_url"] += 1
        # Several fetches of one article (a redirect and its target, reruns' WARCs): the latest fetch wins.
        if not is_newer_fetch(record, records[record.id]):
            return
    records[record.id] = record


def _drop_duplicate_texts(records: list[ArticleRecord], counts: Counter[str]) -> list[ArticleRecord]:
    """Keep one record per identical text (syndicated copies under other URLs); first by id wins."""
    seen: set[str] = set()
    kept = []
    for record in sorted(records, key=lambda r: r.id):
        if record.text_sha256 in seen:
            counts["duplicate.same_text"] += 1
            continue
        seen.add(record.text_sha256)
        kept.append(record)
    return kept


HISTORY_WINDOWS = 10  # how many of the site's earlier windows' line statistics the site-level pass adds


def recent_line_stats(store: Store, site_id: str, window: Window) -> LineStats:
    """The line statistics of the site's last windows ending before this one starts (its recent pages)."""
    from extract.sitewide import LineStats
    from newsarchive.archive import keys
    from newsarchive.archive.errors import InvalidKey

    earlier = []
    for key in store.list(keys.sitewide_prefix(site_id)):
        try:
            parsed = keys.parse_sitewide_key(key)
        except InvalidKey:
            continue  # not a statistics object of ours
        if parsed.end <= window.start:
            earlier.append((parsed.end, parsed.start, key))
    stats = LineStats(0, {})
    for _, _, key in sorted(earlier)[-HISTORY_WINDOWS:]:
        stats = stats.merged(LineStats.from_json(json.loads(store.get(key))))
    return stats


def apply_sitewide_pass(site_id: str, window: Window, records: list[ArticleRecord],
                        store: Store) -> list[ArticleRecord]:
    """Drop what many pages of the site agree is chrome: lines that recur, template positions that carry
    chrome or captions (extract.sitewide), learnt from this run's pages plus the recent windows'; store this
    window's statistics for the runs after it. A record the pass would leave without text keeps its text."""
    from extract.sitewide import learn_site
    from newsarchive.archive import keys

    pages = [(r.text.split("\n"), r.positions) for r in records]  # records are distinct articles already
    run_stats, cleaner = learn_site(pages, recent_line_stats(store, site_id, window))
    store.put(keys.sitewide_key(site_id, window.start, window.end),
              json.dumps(run_stats.to_json(), sort_keys=True).encode("utf-8"), content_type="application/json")
    cleaned = []
    for record, (lines, positions) in zip(records, pages, strict=True):
        kept, kept_positions, dropped = cleaner.clean_with_positions(lines, positions)
        if dropped and any(line.strip() for line in kept):
            merged = Counter(record.dropped)
            merged.update(dropped)
            record = replace(record, text="\n".join(kept), dropped=dict(merged), positions=kept_positions)
        cleaned.append(record)
    return cleaned


def drop_invalid(records: list[ArticleRecord], counts: Counter[str]) -> list[ArticleRecord]:
    """Keep the records that satisfy the published JSON Schema; count and log the others (an extractor bug)."""
    from newsarchive.archive.schema import InvalidArticle, validate_article

    valid = []
    for record in records:
        try:
            validate_article(record.to_dict())
        except InvalidArticle as exc:
            reject(counts, "invalid_record", record.url, f"breaks the article schema, not written: {exc}",
                   logging.ERROR)
            continue
        valid.append(record)
    return valid


def publication_date(record: ArticleRecord, tz: ZoneInfo) -> date:
    """The `date=` partition: the publication date in the site's timezone."""
    if not record.published:  # _keep rejects undated records before anything is written
        raise ValueError(f"{record.url}: an undated record has no date= partition")
    return local_day(published_instant(record.published, tz), tz)


def write_records(site: SiteConfig, window: Window, records: list[ArticleRecord], store: Store,
                  outcomes: Counter[str] | None = None,
                  validators: Mapping[tuple[str, int], Mapping[str, str | None]] | None = None,
                  ) -> tuple[list[str], list[str]]:
    """Write one JSON per article (through newsarchive.pipeline.versions: a changed text keeps the previous version
    under versions/) and, per publication date, a Parquet bundle of the records and then the Parquet
    index; return the article and index keys. ``outcomes`` counts
    the writes as versions.new / .unchanged / .updated / .superseded. ``validators``: the ETag and
    Last-Modified of the response each record came from, by its raw reference (WARC key, offset), indexed
    so the next crawls can re-check the article with a conditional request."""
    from newsarchive.archive import keys
    from newsarchive.archive.bundles import write_partition
    from newsarchive.archive.versions import write_history

    tz = ZoneInfo(site.timezone)
    article_keys: list[str] = []
    by_date: dict[date, tuple[list[dict[str, Any]], list[str]]] = {}
    set_aside: dict[date, list[str]] = {}  # versions this run set aside, by publication date
    for record in sorted(records, key=lambda r: (r.published, r.id)):
        day = publication_date(record, tz)
        key = keys.article_key(site.id, day, record.id)
        outcome = write_article(store, key, record)
        if outcome.version_key:
            set_aside.setdefault(day, []).append(outcome.version_key)
        if outcomes is not None:
            outcomes[f"versions.{outcome.kind}"] += 1
        article_keys.append(key)
        stored, text = _stored_record(record, outcome)
        rows, texts = by_date.setdefault(day, ([], []))
        raw = getattr(stored, "raw", None)
        found = (validators or {}).get((raw.warc_key, raw.offset)) if raw is not None else None
        rows.append(index_row(stored, key, day, found))
        texts.append(text)
    index_keys = []
    for day, (rows, texts) in sorted(by_date.items()):
        key = keys.index_key(site.id, day, window.start, window.end)
        write_partition(store, key, rows, texts)  # the bundle, then the index
        index_keys.append(key)
    write_history(store, site.id, window.start, window.end, set_aside)  # readers find versions by date
    return article_keys, index_keys


def _stored_record(record: ArticleRecord, outcome: WriteOutcome) -> tuple[ArticleRecord, str]:
    """The record now stored at the key and its JSON text: the incoming one, or the newer one that was kept
    (an older copy arriving late). The index row and the bundle must describe what the object holds, or
    readers would get the older text from the bundle and the newer one from the object."""
    from extract import ArticleRecord

    if not outcome.kept:
        return record, outcome.stored.decode("utf-8")  # the incoming record's own JSON, as written
    try:
        text = outcome.stored.decode("utf-8")
        return ArticleRecord.from_dict(json.loads(text)), text
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        log.warning("stored %s kept but not readable as a record (%s): indexing the incoming one", outcome.key, exc)
        return record, record.to_json()


def index_row(record: ArticleRecord, key: str, day: date,
              validators: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """One index row: the record's metadata without its text (and its response's ETag and Last-Modified)."""
    return {
        "id": record.id, "url": record.url, "canonical_url": record.canonical_url, "site": record.site,
        "title": record.title, "authors": list(record.authors), "published": record.published,
        "published_date": day, "language": record.language, "section": record.section,
        "tags": list(record.tags), "word_count": record.word_count, "text_sha256": record.text_sha256,
        "key": key, "fetched_at": record.fetched_at, "access": record.access, "modified": record.modified,
        "etag": (validators or {}).get("etag"), "last_modified": (validators or {}).get("last_modified"),
    }


def latest_fetches(per_warc: list[list[ArticleRecord]], counts: Counter[str]) -> list[ArticleRecord]:
    """One record per article from several WARCs of the window (one per crawl attempt): the latest fetch
    wins, as within one WARC; identical texts under other ids are then dropped across WARCs too."""
    if len(per_warc) == 1:
        return per_warc[0]
    records: dict[str, ArticleRecord] = {}
    for record in (r for found in per_warc for r in found):
        if record.id in records:
            counts["duplicate.same_canonical_url"] += 1
            if not is_newer_fetch(record, records[record.id]):
                continue
        records[record.id] = record
    return _drop_duplicate_texts(list(records.values()), counts)


@dataclass
class _WindowWarcs:
    """What the window's WARCs gave: records per WARC, records published outside the window, the responses'
    validators (ETag, Last-Modified) and which responses re-checked an archived article, by (WARC key, offset)."""

    per_warc: list[list[ArticleRecord]] = field(default_factory=list)
    outside: list[ArticleRecord] = field(default_factory=list)
    validators: dict[tuple[str, int], dict[str, str | None]] = field(default_factory=dict)
    rechecked: set[tuple[str, int]] = field(default_factory=set)


def _read_window_warcs(site: SiteConfig, window: Window, store: Store, warc_key: str | None,
                       counts: Counter[str]) -> _WindowWarcs:
    """Extract the records of every WARC of the window (``warc_key`` among them even if not listed yet)."""
    from newsarchive.pipeline.incremental import warc_validators
    from newsarchive.pipeline.raw import download_warcs, window_warc_keys

    warc_keys = window_warc_keys(store, site.id, window)
    if warc_key is not None and warc_key not in warc_keys:
        warc_keys.append(warc_key)  # not listed (yet): it was uploaded, so it is read all the same
    found = _WindowWarcs()
    with scratch_dir(f"extract-{site.id}-") as tmp:
        for path, key in download_warcs(store, warc_keys, tmp):
            found.per_warc.append(extract_records(site, window, path, key, counts, found.outside))
            stored = warc_validators(path)
            found.validators.update({(key, offset): v for offset, v in stored.validators.items()})
            found.rechecked.update((key, offset) for offset in stored.rechecked)
            counts["updates.not_modified"] += stored.not_modified
    counts["warcs"] = len(warc_keys)
    return found


def _count_articles(records: list[ArticleRecord], counts: Counter[str]) -> None:
    """Residue lines dropped, languages and access of the articles kept (the gates' shares)."""
    for record in records:
        counts.update({f"dropped_lines.{k}": v for k, v in record.dropped.items()})
        counts[f"language.{record.language or 'unknown'}"] += 1
        counts[f"access.{record.access or 'unknown'}"] += 1  # paywalled/metered shares: the access gate


def extract_window(site: SiteConfig, window: Window, store: Store, warc_key: str | None = None) -> ExtractResult:
    """Extract a window's articles from every archived WARC of the window (no network: one per crawl attempt,
    ``warc_key``, the crawl just run, always among them) and write them to the archive. Archived articles
    re-checked by the crawl (published outside the window) are written too, where they live; a 304 writes
    nothing (counted ``updates.not_modified``)."""
    from newsarchive.archive import keys
    from newsarchive.pipeline.incremental import archived_updates

    started = time.monotonic()
    counts: Counter[str] = Counter()
    warcs = _read_window_warcs(site, window, store, warc_key, counts)
    updates = archived_updates(store, site, warcs.outside, warcs.rechecked, counts)
    records = latest_fetches([*warcs.per_warc, updates] if updates else warcs.per_warc, counts)
    records = apply_sitewide_pass(site.id, window, records, store)
    _count_articles(records, counts)
    records = drop_invalid(records, counts)
    records = drop_taken_down(store, site.id, records, counts)  # never (re)write a taken-down article
    article_keys, index_keys = write_records(site, window, records, store, outcomes=counts,
                                             validators=warcs.validators)
    article_keys = enforce_after_write(store, site.id, records, article_keys, counts)  # a takedown meanwhile
    update_ids = {r.id for r in updates}
    written_in_window = [k for k in article_keys if keys.parse_article_key(k).article_id not in update_ids]
    in_window = window_article_keys(store, site, window, written_in_window)
    counts["articles"] = len(article_keys)
    counts["articles_in_window"] = len(in_window)
    counts["words"] = sum(r.word_count for r in records)
    result = ExtractResult(site=site.id, window=window, article_keys=tuple(article_keys),
                           index_keys=tuple(index_keys), counts=ExtractCounts.from_xcom(counts, strict=True),
                           window_article_keys=tuple(in_window), duration_s=round(time.monotonic() - started, 2))
    log.info(
        "extract %s window %s done in %.1fs: %d responses, %d articles written, %s",
        site.id, window, result.duration_s, result.counts.responses, len(article_keys),
        {k: v for k, v in result.counts.to_xcom().items()
         if k.startswith(("rejected", "duplicate", "out_of", "updates")) and v},
    )
    return result


def window_article_keys(store: Store, site: SiteConfig, window: Window, written: list[str]) -> list[str]:
    """The article keys of every article published in the window, whichever run archived it (from the index)."""
    from newsarchive.archive.reader import Archive

    table = Archive(store).index(site=site.id, start=window.start, end=window.end)
    return sorted(set(table.column("key").to_pylist()) | set(written))


def now_iso() -> str:
    """The current UTC instant (report metadata only, never in keys)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
